# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""RDS: DB instances, and for RDS for MySQL their audit log files and audit log policy."""

import datetime
import json

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import api_path
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import Subject, map_bounded
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import ResponseShapeError, with_context
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.object_storage import link_problem, link_secrets
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.pagination import fetch_all, fetch_many, filtered
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import api_time_sort_key, format_api_time, split_windows
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import (
    MISSING,
    ShapeProblem,
    keep_matching,
    optional_list,
    require_count,
    require_list,
    require_text,
    shape_error,
    snake_case_keys,
)

INSTANCE_PAGE_SIZE = 100  # the API's maximum
AUDIT_LOG_PAGE_SIZE = 50  # the API's maximum
AUDIT_LOG_MAX_SPAN = datetime.timedelta(days=30)
DATASTORE_TYPES = ('MariaDB', 'MySQL', 'PostgreSQL', 'SQLServer')
# rds_instance_info's datastore_type for "every engine" (no datastore_type filter is sent).
ALL_ENGINES = 'all'
RDS_INSTANCES = Subject('RDS instance', 'RDS instances')
# Audit log listings are per (instance, window): their failures are named by instance.
RDS_INSTANCE_WINDOWS = Subject('RDS instance', 'RDS instances', lambda job: job[0])
INSTANCES_API = 'RDS GET /v3/{project_id}/instances'
AUDIT_LOGS_API = 'RDS GET /v3/{project_id}/instances/{instance_id}/auditlog'
AUDIT_POLICY_API = 'RDS GET /v3/{project_id}/instances/{instance_id}/auditlog-policy'
AUDIT_LOG_LINKS_API = 'RDS POST /v3/{project_id}/instances/{instance_id}/auditlog-links'
AUDIT_LOG_LINKS_PER_REQUEST = 50  # the API's maximum
# ``all_audit_log_action`` as the service documents it: JSON text of an object, each category (DCL, DDL, DML, OTHER)
# naming its actions comma-separated. Bounded: the documented text is about 400 characters.
AUDIT_LOG_ACTIONS_EXPECTED = ('JSON text of an object mapping categories to comma-separated actions '
                              '(or a list of actions)')
AUDIT_LOG_ACTIONS_MAX_TEXT = 65536


def list_rds_instances(client, instance_id=None, name=None, datastore_type='MySQL', vpc_id=None, max_workers=8):
    """RDS instances of the project; the API filters, and ``name`` is then kept exact (the API also matches
    prefixes)."""
    path = api_path('v3', client.project_id, 'instances')
    filters = {'id': instance_id, 'name': name, 'datastore_type': datastore_type, 'vpc_id': vpc_id}

    def fetch_page(offset, limit):
        return client.request('GET', 'rds', path, query=dict(filters, offset=str(offset), limit=str(limit)))

    return filtered(
        lambda: fetch_all(fetch_page, INSTANCE_PAGE_SIZE, 'instances', total_key='total_count', id_key='id',
                          transform=snake_case_keys, max_workers=max_workers, api=INSTANCES_API),
        lambda instances: keep_matching(instances, id=instance_id, name=name))


def list_audit_logs(client, instance_ids, start, end, max_workers=8, require_size=False):
    """Audit log files of every given instance between ``start`` and ``end`` (aware datetimes, any span).

    The API takes at most 30 days a request, so the span is cut into consecutive windows; every window of every
    instance is paged on one bounded pool. A file that crosses a window boundary is listed by both windows and
    kept once. Sorted by ``begin_time``. ``require_size``: a file whose ``size`` is not a number of KB is a shape
    error (a download is bounded by it).
    """
    if not instance_ids:
        return []
    project_id = client.project_id
    windows = split_windows(start, end, AUDIT_LOG_MAX_SPAN)
    jobs = [(instance_id, window) for instance_id in instance_ids for window in windows]

    def fetch_page(job, offset, limit):
        instance_id, (window_start, window_end) = job
        query = {'start_time': format_api_time(window_start), 'end_time': format_api_time(window_end),
                 'offset': str(offset), 'limit': str(limit)}
        return with_context(RDS_INSTANCES.context(instance_id), client.request, 'GET', 'rds',
                            api_path('v3', project_id, 'instances', instance_id, 'auditlog'), query)

    def transform(job, raw):
        item = snake_case_keys(raw)
        for field in ('begin_time', 'end_time'):
            # Sorted on, and compared by the compliance checks: a time the API's form does not fit is no time.
            if api_time_sort_key(require_text(item, field)) is None:
                raise ShapeProblem(field, item[field], 'a time such as 2026-11-01T00:00:00+0800')
        if require_size:
            require_text(item, 'name')
            size = item.get('size', MISSING)
            if isinstance(size, bool) or not isinstance(size, (int, float)) or not 0 <= size < 1e12:
                raise ShapeProblem('size', size, 'a number of KB')
        item['instance_id'] = job[0]
        return item

    def fetch():
        listings = fetch_many(jobs, fetch_page, AUDIT_LOG_PAGE_SIZE, 'auditlogs', 'total_record', 'id', transform,
                              max_workers, api=AUDIT_LOGS_API, subject=RDS_INSTANCE_WINDOWS)
        return [item for _job, items in listings for item in items]

    return filtered(fetch, _merge_windows)


def _merge_windows(files):
    """Each file once, sorted by ``begin_time`` (as a moment, whatever its offset), then instance, then id.

    The sort key is computed once per file, with a parser for the API's one fixed time form."""
    order = {}
    merged = {}
    for item in files:
        order.setdefault(item['instance_id'], len(order))
        merged.setdefault((item['instance_id'], item['id']), item)
    keyed = [((api_time_sort_key(item['begin_time']) or 0, order[item['instance_id']], item['id']), item)
             for item in merged.values()]
    keyed.sort(key=lambda pair: pair[0])
    return [item for _key, item in keyed]


def get_audit_log_links(client, instance_id, file_ids):
    """One temporary download URL per file ID, in order (``AUDIT_LOG_LINKS_PER_REQUEST`` IDs a request).

    Each URL is a bearer credential: the client's redactor holds its signature from the moment it arrives, and a
    URL that is not safe to fetch is a shape error that never quotes it (see ``object_storage.link_problem``)."""
    links = []
    path = api_path('v3', client.project_id, 'instances', instance_id, 'auditlog-links')
    for first in range(0, len(file_ids), AUDIT_LOG_LINKS_PER_REQUEST):
        ids = list(file_ids[first:first + AUDIT_LOG_LINKS_PER_REQUEST])
        # Asking for a link changes nothing: a retry is safe.
        response = with_context(RDS_INSTANCES.context(instance_id), client.request, 'POST', 'rds', path, None,
                                {'ids': ids}, None, True, True)
        links.extend(_read_links(client, instance_id, ids, response))
    return links


def _read_links(client, instance_id, ids, response):
    try:
        links = require_list(response.body, 'links')
        for link in links:
            if isinstance(link, str):
                for secret in link_secrets(link):
                    client.secrets.add(secret)
        if len(links) != len(ids):
            raise ShapeProblem('links', links, 'one link for each of the %d IDs asked for, got %d' % (len(ids), len(links)))
    except ShapeProblem as problem:
        raise shape_error(AUDIT_LOG_LINKS_API, problem, response.request_id, RDS_INSTANCES.context(instance_id))
    allow_http = client.serves_plain_http('rds')
    for index, link in enumerate(links):
        problem = link_problem(link, allow_http)
        if problem:
            # The link itself is never quoted: it may be a working credential.
            raise ResponseShapeError("%s: field 'links[%d]' is %s (not shown), expected an https URL of object storage"
                                     % (AUDIT_LOG_LINKS_API, index, problem), request_id=response.request_id,
                                     context=RDS_INSTANCES.context(instance_id))
    return links


def get_audit_policies(client, instance_ids, max_workers=8):
    """The audit log policy of every given instance: ``enabled`` is ``keep_days > 0``."""
    if not instance_ids:
        return []
    project_id = client.project_id

    def policy(instance_id):
        response = with_context(RDS_INSTANCES.context(instance_id), client.request, 'GET', 'rds',
                                api_path('v3', project_id, 'instances', instance_id, 'auditlog-policy'))
        return read_audit_policy(instance_id, response.body, response.request_id)

    return map_bounded(policy, instance_ids, max_workers, RDS_INSTANCES)


def read_audit_policy(instance_id, body, request_id=None):
    """The policy of one instance from the API's answer; ``keep_days`` must be an integer (0 = audit log off):
    a policy that cannot be read is an error, never "off" and never "on"."""
    try:
        keep_days = require_count(body, 'keep_days')
        if isinstance(body['keep_days'], str):
            raise ShapeProblem('keep_days', body['keep_days'], 'an integer')
        categories, actions = parse_audit_log_actions(body.get('all_audit_log_action'))
        policy = {
            'instance_id': instance_id,
            'keep_days': keep_days,
            'audit_types': optional_list(body, 'audit_types'),
            'all_audit_log_action': actions,
            'audit_log_action_categories': categories,
            'enabled': keep_days > 0,
        }
    except ShapeProblem as problem:
        raise shape_error(AUDIT_POLICY_API, problem, request_id, RDS_INSTANCES.context(instance_id))
    return policy


def parse_audit_log_actions(value):
    """``(categories, actions)`` of ``all_audit_log_action``: ``{'DCL': ['CREATE_USER', ...], ...}`` and every action
    once, in the order given. The service sends JSON text (the SDK types it ``str``); a list of actions (an older or
    newer service) has no categories; absent, null, ``""`` and ``"{}"`` (PostgreSQL: undocumented) offer nothing.
    Anything else is a :class:`ShapeProblem`, never "no actions"."""
    if value is None:
        return {}, []
    if isinstance(value, list):
        return {}, _action_names(value, value)
    if not isinstance(value, str) or len(value) > AUDIT_LOG_ACTIONS_MAX_TEXT:
        raise ShapeProblem('all_audit_log_action', value, AUDIT_LOG_ACTIONS_EXPECTED)
    if not value.strip():
        return {}, []
    try:
        parsed = json.loads(value)
    except ValueError:
        raise ShapeProblem('all_audit_log_action', value, AUDIT_LOG_ACTIONS_EXPECTED)
    if not isinstance(parsed, dict):
        raise ShapeProblem('all_audit_log_action', value, AUDIT_LOG_ACTIONS_EXPECTED)
    categories = {}
    actions = []
    for category, listed in parsed.items():
        if isinstance(listed, str):
            names = _action_names([item for item in listed.split(',') if item.strip()], value)
        elif isinstance(listed, list):
            names = _action_names(listed, value)
        else:
            raise ShapeProblem('all_audit_log_action', value, AUDIT_LOG_ACTIONS_EXPECTED)
        categories[category] = names
        for name in names:
            if name not in actions:
                actions.append(name)
    return categories, actions


def _action_names(items, found):
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise ShapeProblem('all_audit_log_action', found, AUDIT_LOG_ACTIONS_EXPECTED)
    names = []
    for item in items:
        if item.strip() not in names:
            names.append(item.strip())
    return names
