"""RDS v3 APIs: instance list and the MySQL audit-log family."""

import datetime
import re

from .. import errors
from ..data import offered_actions
from ..wire import json_response
from .common import paging

INSTANCE_LIMIT_MAX = 100
AUDITLOG_LIMIT_MAX = 50
AUDITLOG_MAX_SPAN = datetime.timedelta(days=30)
LINKS_MAX_IDS = 50
# SetAuditlogPolicy: the collection's notes take the read's range (0..732) for the write too; 0 turns the audit log off.
POLICY_KEEP_DAYS_MAX = 732
AUDITLOG_TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$")
DATASTORE_TYPES = ("MySQL", "PostgreSQL", "SQLServer", "MariaDB")
INSTANCE_TYPES = ("Single", "Ha", "Replica")
POLICY_ENGINES = ("MySQL", "PostgreSQL")


def _matches_name(instance, wanted):
    # A leading "*" asks for a fuzzy (substring) match, otherwise the name must match exactly (RDS API semantics).
    if wanted.startswith("*"):
        return wanted[1:] in instance["name"]
    return instance["name"] == wanted


def list_instances(ctx):
    offset, limit = paging(ctx, INSTANCE_LIMIT_MAX, errors.rds_invalid)
    query = ctx.query
    instances = ctx.region.rds_instances
    if query.get("datastore_type"):
        wanted = query["datastore_type"].lower()
        if wanted not in [t.lower() for t in DATASTORE_TYPES]:
            raise errors.rds_invalid("Invalid parameter datastore_type: %s" % query["datastore_type"])
        instances = [i for i in instances if i["datastore"]["type"].lower() == wanted]
    if query.get("type"):
        if query["type"] not in INSTANCE_TYPES:
            raise errors.rds_invalid("Invalid parameter type: %s" % query["type"])
        instances = [i for i in instances if i["type"] == query["type"]]
    if "name" in query:
        if query["name"] in ("", "*"):
            raise errors.rds_invalid("Invalid parameter name: %r" % query["name"])
        instances = [i for i in instances if _matches_name(i, query["name"])]
    for field, key in (("id", "id"), ("vpc_id", "vpc_id"), ("subnet_id", "subnet_id"), ("eps_id", "enterprise_project_id")):
        if query.get(field):
            instances = [i for i in instances if i[key] == query[field]]
    return json_response(200, {"instances": instances[offset:offset + limit], "total_count": len(instances)})


def _mysql_instance(ctx):
    instance_id = ctx.params["instance_id"]
    instance = ctx.region.rds_by_id.get(instance_id)
    if instance is None:
        raise errors.ApiError(404, errors.rds_body(errors.RDS_INSTANCE_NOT_FOUND, "The DB instance does not exist: %s" % instance_id))
    if instance["datastore"]["type"] != "MySQL":
        raise errors.ApiError(400, errors.rds_body(errors.RDS_ENGINE_NOT_SUPPORTED,
                                                   "Audit logs are only supported for RDS for MySQL, not %s" % instance["datastore"]["type"]))
    return instance


def _policy_instance(ctx):
    """The instance of an audit log policy request: the policy API serves RDS for MySQL and RDS for PostgreSQL."""
    instance_id = ctx.params["instance_id"]
    instance = ctx.region.rds_by_id.get(instance_id)
    if instance is None:
        raise errors.ApiError(404, errors.rds_body(errors.RDS_INSTANCE_NOT_FOUND, "The DB instance does not exist: %s" % instance_id))
    if instance["datastore"]["type"] not in POLICY_ENGINES:
        raise errors.ApiError(400, errors.rds_body(errors.RDS_ENGINE_NOT_SUPPORTED, "Audit log policies are only supported for RDS for "
                                                   "MySQL and PostgreSQL, not %s" % instance["datastore"]["type"]))
    return instance


def _parse_time(query, name):
    raw = query.get(name)
    if raw is None:
        raise errors.rds_invalid("Missing mandatory parameter %s" % name)
    if not AUDITLOG_TIME_RE.match(raw):
        raise errors.rds_invalid("Invalid parameter %s: %r is not in yyyy-mm-ddThh:mm:ss+hhmm format" % (name, raw))
    try:
        return datetime.datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError as exc:
        raise errors.rds_invalid("Invalid parameter %s: %r is not a valid time" % (name, raw)) from exc


def list_auditlogs(ctx):
    instance = _mysql_instance(ctx)
    query = ctx.query
    for name in ("start_time", "end_time", "offset", "limit"):
        if name not in query:
            raise errors.rds_invalid("Missing mandatory parameter %s" % name)
    start = _parse_time(query, "start_time")
    end = _parse_time(query, "end_time")
    if end <= start:
        raise errors.rds_invalid("Invalid parameter: end_time must be later than start_time")
    if end - start > AUDITLOG_MAX_SPAN:
        raise errors.rds_invalid("Invalid parameter: the time span between start_time and end_time cannot exceed 30 days")
    offset, limit = paging(ctx, AUDITLOG_LIMIT_MAX, errors.rds_invalid, required=True)
    files = ctx.region.audit_logs.query(instance["id"], start, end)
    return json_response(200, {"auditlogs": files[offset:offset + limit], "total_record": len(files)})


def show_auditlog_policy(ctx):
    instance = _policy_instance(ctx)
    return json_response(200, ctx.region.audit_policies[instance["id"]])


def set_auditlog_policy(ctx):
    """PUT .../auditlog-policy (SetAuditlogPolicy): ``keep_days`` 0..732 (0 = off), ``audit_types`` (MySQL only) from the
    instance's ``all_audit_log_action``, ``reserve_auditlogs`` boolean; answers ``{"status": "COMPLETED"}``.

    Turning the audit log off empties ``audit_types``; turning it on without ``audit_types`` keeps the current ones.
    ``reserve_auditlogs`` is validated but the existing log files are kept either way. RDS for PostgreSQL takes
    ``databases`` (a list of database names, validated, not kept) and no ``audit_types``."""
    instance = _policy_instance(ctx)
    postgres = instance["datastore"]["type"] == "PostgreSQL"
    try:
        body = ctx.request.json()
    except ValueError as exc:
        raise errors.rds_invalid("The request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise errors.rds_invalid("The request body must be a JSON object")
    keep_days = body.get("keep_days")
    if isinstance(keep_days, bool) or not isinstance(keep_days, int) or not 0 <= keep_days <= POLICY_KEEP_DAYS_MAX:
        raise errors.rds_invalid("Invalid parameter keep_days: %r, expected an integer from 0 to %d" % (keep_days, POLICY_KEEP_DAYS_MAX))
    if "reserve_auditlogs" in body and not isinstance(body["reserve_auditlogs"], bool):
        raise errors.rds_invalid("Invalid parameter reserve_auditlogs: %r, expected true or false" % (body["reserve_auditlogs"],))
    databases = body.get("databases")
    if databases is not None and not postgres:
        raise errors.rds_invalid("Invalid parameter databases: only RDS for PostgreSQL instances take databases")
    if databases is not None and (not isinstance(databases, list) or not all(isinstance(item, str) and item for item in databases)):
        raise errors.rds_invalid("Invalid parameter databases: expected a list of database names")
    policy = ctx.region.audit_policies[instance["id"]]
    audit_types = body.get("audit_types")
    if audit_types is not None and postgres:
        raise errors.rds_invalid("Invalid parameter audit_types: only RDS for MySQL instances take audit_types")
    if audit_types is not None:
        if not isinstance(audit_types, list) or not all(isinstance(item, str) for item in audit_types):
            raise errors.rds_invalid("Invalid parameter audit_types: expected a list of strings")
        offered = offered_actions(policy)
        unknown = [item for item in audit_types if item not in offered]
        if unknown:
            raise errors.rds_invalid("Invalid parameter audit_types: %s is not an audit log action of this instance" % unknown[0])
    if keep_days == 0:
        policy.update(keep_days=0, audit_types=[])
    else:
        policy["keep_days"] = keep_days
        if audit_types is not None:
            policy["audit_types"] = list(audit_types)
    return json_response(200, {"status": "COMPLETED"})


def create_auditlog_links(ctx):
    instance = _mysql_instance(ctx)
    try:
        body = ctx.request.json()
    except ValueError as exc:
        raise errors.rds_invalid("The request body is not valid JSON") from exc
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not 1 <= len(ids) <= LINKS_MAX_IDS or not all(isinstance(i, str) and i for i in ids):
        raise errors.rds_invalid("Invalid parameter ids: expected 1 to %d audit log ids" % LINKS_MAX_IDS)
    known = ctx.region.audit_logs.series(instance["id"]).by_id
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise errors.rds_invalid("Invalid parameter ids: audit log %s does not exist" % unknown[0])
    # Temporary object-storage URLs (storage.py, apis/obs.py): fetched without the API's credentials, they expire.
    return json_response(200, {"links": ctx.app.download_links(instance["id"], ids)})
