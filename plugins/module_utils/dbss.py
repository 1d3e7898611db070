# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Database Security Service (DBSS) audit instances: listing and normalisation."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.client import api_path
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import HuaweiCloudError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.pagination import fetch_all
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transform import as_int_or_none, as_str_or_none, snake_case_keys

INSTANCE_PAGE_SIZE = 1000  # the API's maximum
INSTANCE_STATUSES = ('ACTIVE', 'BUILD', 'DELETED', 'DELETING', 'ERROR', 'FROZEN', 'HAWAIT', 'SHUTOFF', 'UPGRADING')
_INTEGER_FIELDS = ('config_num', 'cpu', 'database_limit', 'effect', 'ram')
_STRING_FIELDS = ('keep_days', 'remain_days')


def normalize_audit_instance(raw):
    """One shape whichever the service answers: ``servers``/``id``/``connect_ipv6`` (documented) or
    ``instances``/``instance_id``/``connectIpv6`` (newer service and SDK)."""
    instance = snake_case_keys(raw)
    instance_id = instance.pop('instance_id', None)
    instance['id'] = instance.get('id') or instance_id
    instance.setdefault('connect_ipv6', None)
    for key in _INTEGER_FIELDS:
        if key in instance:
            instance[key] = as_int_or_none(instance[key])
    for key in _STRING_FIELDS:
        if key in instance:
            instance[key] = as_str_or_none(instance[key])
    return instance


def _instance_items_key(body):
    return 'instances' if isinstance(body, dict) and 'instances' in body and 'servers' not in body else 'servers'


def list_audit_instances(client, instance_id=None, name=None, statuses=None, max_workers=1):
    """Every audit instance of the client's project, optionally narrowed to one id, an exact name or statuses."""
    path = api_path('v1', client.project_id, 'audit', 'instances')

    def fetch_page(offset, limit):
        body = client.get('dbss', path, {'offset': str(offset), 'limit': str(limit)})
        # Present both response shapes under one key so that paging does not care which one the service uses.
        if isinstance(body, dict) and _instance_items_key(body) == 'instances':
            body = dict(body, servers=body.get('instances'))
        return body

    def wanted(instances):
        return [instance for instance in instances if _matches(instance, instance_id, name, statuses)]

    try:
        instances = fetch_all(fetch_page, INSTANCE_PAGE_SIZE, 'servers', total_key='total', id_key='id',
                              transform=normalize_audit_instance, max_workers=max_workers)
    except HuaweiCloudError as error:
        error.partial_results = wanted(error.partial_results or [])
        raise
    return wanted(instances)


def _matches(instance, instance_id, name, statuses):
    if instance_id and instance.get('id') != instance_id:
        return False
    if name and instance.get('name') != name:
        return False
    if statuses and instance.get('status') not in statuses:
        return False
    return True
