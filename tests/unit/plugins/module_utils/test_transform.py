"""Normalisation of the two instance list shapes into one."""

import copy

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.dbss import normalize_audit_instance
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transform import snake_case, snake_case_keys

DOC_INSTANCE = {
    'name': 'DBSS-Test', 'comment': '', 'connect_ipv6': None, 'status': 'ACTIVE', 'task': 'NO_TASK',
    'id': '8c53ed03-8ed7-4ff2-ad97-7b2d6d1dd364', 'specification': 'Low | 3 Proxy', 'zone': 'cn-cmcc1a-01',
    'created': '2021-04-21 04:37:54', 'expired': None, 'subnet_id': 's', 'cpu': 4, 'ram': 16384, 'region': 'cn-cmcc1',
    'version': '21.04.16.164614', 'charge_model': 'Demand', 'remain_days': None, 'config_num': 1, 'effect': None,
    'scene': None, 'connect_ip': '192.168.0.229', 'port_id': 'p', 'resource_id': 'r', 'vpc_id': 'v',
    'security_group_id': 'sg', 'resource_spec_code': 'dbss.bypassaudit.low', 'keep_days': None, 'new_version': None,
    'database_limit': 3,
}


def newer_shape(instance):
    other = copy.deepcopy(instance)
    other['instance_id'] = other.pop('id')
    other['connectIpv6'] = other.pop('connect_ipv6')
    return other


@pytest.mark.parametrize('name,expected', [
    ('connectIpv6', 'connect_ipv6'), ('instance_id', 'instance_id'), ('resourceSpecCode', 'resource_spec_code'),
    ('HTTPStatus', 'http_status'), ('id', 'id'), ('all-audit', 'all_audit'),
])
def test_snake_case(name, expected):
    assert snake_case(name) == expected


def test_snake_case_keys_is_recursive():
    assert snake_case_keys({'aB': [{'cD': 1}], 'e': {'fG': None}}) == {'a_b': [{'c_d': 1}], 'e': {'f_g': None}}


def test_both_shapes_normalise_to_the_same_record():
    assert normalize_audit_instance(DOC_INSTANCE) == normalize_audit_instance(newer_shape(DOC_INSTANCE))
    assert normalize_audit_instance(DOC_INSTANCE) == DOC_INSTANCE


def test_id_and_connect_ipv6_always_present():
    sparse = {'instance_id': 'abc', 'status': 'ACTIVE'}
    assert normalize_audit_instance(sparse) == {'id': 'abc', 'connect_ipv6': None, 'status': 'ACTIVE'}


def test_types_are_stable_whatever_the_service_sends():
    odd = dict(DOC_INSTANCE, cpu='8', ram=None, effect='2', keep_days=30, remain_days='12', config_num='')
    record = normalize_audit_instance(odd)
    assert (record['cpu'], record['ram'], record['effect'], record['config_num']) == (8, None, 2, None)
    assert (record['keep_days'], record['remain_days']) == ('30', '12')


@pytest.mark.parametrize('value,expected', [(3, 3), ('3', 3), ('3.0', 3), (2.9, 2), ('', None), (None, None),
                                            ('n/a', None), (True, None), (False, None)])
def test_as_int_or_none(value, expected):
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transform import as_int_or_none
    assert as_int_or_none(value) == expected
