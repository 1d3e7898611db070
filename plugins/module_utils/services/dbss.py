# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Database Security Service (DBSS): audit instances, their audit scopes and their audited databases."""

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import api_path
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import Subject
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import with_context
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.pagination import fetch_all, fetch_many, filtered
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import (
    MISSING,
    ShapeProblem,
    as_int_or_none,
    as_str_or_none,
    keep_matching,
    require_object,
    require_text,
    snake_case_keys,
)

INSTANCE_PAGE_SIZE = 1000  # the API's maximum
# The scope API documents 10000 but the current SDK (and service) accept 1..1000.
SCOPE_PAGE_SIZE = 1000
DATABASE_PAGE_SIZE = 1000
INSTANCE_STATUSES = ('ACTIVE', 'BUILD', 'DELETED', 'DELETING', 'ERROR', 'FROZEN', 'HAWAIT', 'SHUTOFF', 'UPGRADING')
SWITCH_STATUSES = ('OFF', 'ON')
AUDIT_INSTANCES = Subject('audit instance', 'audit instances')
INSTANCES_API = 'DBSS GET /v1/{project_id}/audit/instances'
SCOPES_API = 'DBSS GET /v1/{project_id}/audit/{instance_id}/rule/scopes'
DATABASES_API = 'DBSS GET /v2/{project_id}/audit/{instance_id}/databases'
_INTEGER_FIELDS = ('config_num', 'cpu', 'database_limit', 'effect', 'ram')
_STRING_FIELDS = ('keep_days', 'remain_days')


def normalize_audit_instance(raw):
    """One shape whichever the service answers: ``servers``/``id``/``connect_ipv6`` (documented) or
    ``instances``/``instance_id``/``connectIpv6`` (newer service and SDK)."""
    instance = snake_case_keys(raw)
    instance_id = instance.pop('instance_id', None)
    instance['id'] = instance.get('id') or instance_id
    if not isinstance(instance['id'], str) or not instance['id']:
        # Neither shape's id: name the field of the shape the service answered with.
        field = 'instance_id' if 'instance_id' in raw else 'id'
        raise ShapeProblem(field, raw.get(field, MISSING), 'a non-empty string')
    instance.setdefault('connect_ipv6', None)
    for key in _INTEGER_FIELDS:
        if key in instance:
            instance[key] = as_int_or_none(instance[key])
    for key in _STRING_FIELDS:
        if key in instance:
            instance[key] = as_str_or_none(instance[key])
    return instance


def list_audit_instances(client, instance_id=None, name=None, statuses=None, max_workers=1):
    """Every audit instance of the client's project, optionally narrowed to one id, an exact name or statuses."""
    path = api_path('v1', client.project_id, 'audit', 'instances')

    def fetch_page(offset, limit):
        return client.request('GET', 'dbss', path, query={'offset': str(offset), 'limit': str(limit)})

    # Both documented shapes: the list is read from whichever of the two keys the service answers with.
    return filtered(
        lambda: fetch_all(fetch_page, INSTANCE_PAGE_SIZE, ('servers', 'instances'), total_key='total', id_key='id',
                          transform=normalize_audit_instance, max_workers=max_workers, api=INSTANCES_API),
        lambda instances: keep_matching(instances, id=instance_id, name=name, status=statuses))


def _list_per_instance(client, instance_ids, path_tail, page_size, items_key, shape, max_workers, api):
    """Page one DBSS listing for each audit instance on one bounded pool; items carry ``instance_id``."""
    if not instance_ids:
        return []
    project_id = client.project_id

    def fetch_page(instance_id, offset, limit):
        path = api_path(*(path_tail[0], project_id, 'audit', instance_id) + path_tail[1:])
        return with_context(AUDIT_INSTANCES.context(instance_id), client.request, 'GET', 'dbss', path,
                            {'offset': str(offset), 'limit': str(limit)})

    def transform(instance_id, raw):
        item = shape(raw)
        item['instance_id'] = instance_id
        return item

    results = fetch_many(instance_ids, fetch_page, page_size, items_key, 'total', 'id', transform, max_workers,
                         api=api, subject=AUDIT_INSTANCES)
    return [item for _instance_id, items in results for item in items]


def list_audit_scopes(client, instance_ids, name=None, status=None, max_workers=8):
    """Audit scope policies of every given audit instance, each with every API field plus ``instance_id``."""
    return filtered(
        lambda: _list_per_instance(client, instance_ids, ('v1', 'rule', 'scopes'), SCOPE_PAGE_SIZE, 'scopes',
                                   snake_case_keys, max_workers, SCOPES_API),
        lambda scopes: keep_matching(scopes, name=name, status=status))


def _flatten_database(raw):
    # Each item wraps the record: {"database": {...}}.
    record = require_object(raw.get('database', MISSING), 'database')
    try:
        require_text(record, 'id')
    except ShapeProblem as problem:
        raise problem.within('database')
    return snake_case_keys(record)


def list_audit_databases(client, instance_ids, status=None, max_workers=8):
    """Databases under audit of every given audit instance: the flattened ``database`` object plus ``instance_id``."""
    return filtered(
        lambda: _list_per_instance(client, instance_ids, ('v2', 'databases'), DATABASE_PAGE_SIZE, 'databases',
                                   _flatten_database, max_workers, DATABASES_API),
        lambda databases: keep_matching(databases, status=status))
