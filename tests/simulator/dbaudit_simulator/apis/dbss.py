"""DBSS (Database Security Service) audit APIs."""

from .. import errors
from ..wire import json_response, raw_json_response
from .common import paging

# Limits: instance list per the doc (<= 1000); scopes per the SDK the collection targets (<= 1000, the doc's
# 10000 is not what the service enforces); databases per the SDK model (<= 10000).
INSTANCE_LIMIT_MAX = 1000
SCOPE_LIMIT_MAX = 1000
DATABASE_LIMIT_MAX = 10000


def _page_json(key, items, offset, limit):
    page = items[offset:offset + limit]
    return '{"%s": [%s], "total": %d}' % (key, ", ".join(page), len(items))


def list_instances(ctx):
    """GET /v1/{project_id}/audit/instances: key and field names follow the simulator's current shape."""
    offset, limit = paging(ctx, INSTANCE_LIMIT_MAX, errors.dbss_invalid)
    shape = ctx.app.instance_shape
    return raw_json_response(200, _page_json(shape, ctx.region.instance_json_items(shape), offset, limit))


def list_instances_legacy(ctx):
    """GET /v1/{project_id}/dbss/audit/instances: the deprecated path the SDK's ListAuditInstancesRequest uses; always 'servers'."""
    offset, limit = paging(ctx, INSTANCE_LIMIT_MAX, errors.dbss_invalid)
    return raw_json_response(200, _page_json("servers", ctx.region.instance_json_items("servers"), offset, limit))


def instance_or_error(ctx):
    """The path's audit instance id, or 400 DBSS.10021004 when the region has no such instance."""
    instance_id = ctx.params["instance_id"]
    if instance_id not in ctx.region.instances_by_id:
        raise errors.ApiError(400, errors.dbss_body(errors.DBSS_INSTANCE_NOT_FOUND, "The audit instance %s does not exist" % instance_id))
    return instance_id


def list_scopes(ctx):
    instance_id = instance_or_error(ctx)
    offset, limit = paging(ctx, SCOPE_LIMIT_MAX, errors.dbss_invalid)
    scopes = ctx.region.scopes.get(instance_id, [])
    return json_response(200, {"scopes": scopes[offset:offset + limit], "total": len(scopes)})


def list_databases(ctx):
    instance_id = instance_or_error(ctx)
    offset, limit = paging(ctx, DATABASE_LIMIT_MAX, errors.dbss_invalid)
    databases = ctx.region.databases.get(instance_id, [])
    status = ctx.query.get("status")
    if status:
        databases = [item for item in databases if item["database"]["status"] == status]
    return json_response(200, {"databases": databases[offset:offset + limit], "total": len(databases)})
