"""Normalisation of the two instance list shapes into one."""

import copy

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import normalize_audit_instance
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import snake_case, snake_case_keys

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
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import as_int_or_none
    assert as_int_or_none(value) == expected


def test_snake_case_keys_of_records_sharing_keys_and_of_differing_ones():
    records = [{'beginTime': n, 'fileSize': [{'aB': n}], 'id': 'x%d' % n} for n in range(3)]
    records.append({'id': 'y', 'endTime': {'deepKey': []}})
    assert snake_case_keys(records) == [{'begin_time': n, 'file_size': [{'a_b': n}], 'id': 'x%d' % n} for n in range(3)] \
        + [{'id': 'y', 'end_time': {'deep_key': []}}]


def test_an_instance_without_any_id_is_a_shape_problem_naming_its_field():
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import ShapeProblem
    with pytest.raises(ShapeProblem) as info:
        normalize_audit_instance({'name': 'x'})
    assert info.value.describe() == "field 'id' is missing, expected a non-empty string"
    with pytest.raises(ShapeProblem) as info:
        normalize_audit_instance({'instance_id': None})
    assert info.value.describe() == "field 'instance_id' is null, expected a non-empty string"


@pytest.mark.parametrize('text,expected', [
    ('2026-11-06T09:03:34+0800', '2026-11-06T01:03:34+00:00'),
    ('2026-11-06T01:03:34+0000', '2026-11-06T01:03:34+00:00'),
    ('2026-11-05T20:03:34-0500', '2026-11-06T01:03:34+00:00'),
    ('2024-02-29T23:59:59+0100', '2024-02-29T22:59:59+00:00'),
])
def test_the_fast_api_time_key_is_the_moment(text, expected):
    import datetime
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import api_time_sort_key, parse_api_time
    moment = datetime.datetime.fromisoformat(expected)
    assert api_time_sort_key(text) == int(moment.timestamp())
    assert parse_api_time(text) == moment


@pytest.mark.parametrize('text', ['2026-02-30T09:03:34+0800', '2026-11-06T24:00:00+0800', '2026-11-06T09:03:34+08:00',
                                  '2026-11-06T09:03:34Z', '2026-11-06 09:03:34+0800', '２026-11-06T09:03:34+0800',
                                  '2026-11-06T09:03:34+0800 ', None, 20261106, ''])
def test_the_fast_api_time_key_refuses_anything_but_the_api_form(text):
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import api_time_sort_key
    assert api_time_sort_key(text) is None


def test_audit_log_files_are_sorted_by_moment_whatever_their_offset():
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import _merge_windows
    files = [{'id': 'c', 'instance_id': 'r1', 'begin_time': '2026-11-06T09:00:00+0800'},   # 01:00 UTC
             {'id': 'a', 'instance_id': 'r2', 'begin_time': '2026-11-06T00:30:00+0000'},   # 00:30 UTC
             {'id': 'b', 'instance_id': 'r1', 'begin_time': '2026-11-05T20:00:00-0500'},   # 01:00 UTC
             {'id': 'c', 'instance_id': 'r1', 'begin_time': '2026-11-06T09:00:00+0800'}]   # listed by two windows
    assert [(item['instance_id'], item['id']) for item in _merge_windows(files)] == [('r2', 'a'), ('r1', 'b'), ('r1', 'c')]


def test_snake_case_keys_copies_records_whose_keys_are_known_snake_case():
    record = {'id': 'a', 'start_time': 't', 'operated_obj_info': [{'table_name': 'x', 'schemaName': 'y'}]}
    snake_case_keys(record)  # the snake_case keys are now known: the fast path
    converted = snake_case_keys(record)
    assert converted == {'id': 'a', 'start_time': 't', 'operated_obj_info': [{'table_name': 'x', 'schema_name': 'y'}]}
    # New containers at every level; the input is left as it was.
    assert converted is not record and converted['operated_obj_info'] is not record['operated_obj_info']
    assert record['operated_obj_info'][0] == {'table_name': 'x', 'schemaName': 'y'}
    # A known key beside an unknown camelCase one still takes the general path.
    assert snake_case_keys({'id': 'b', 'alarmLife': 1}) == {'id': 'b', 'alarm_life': 1}


def test_snake_case_keys_stays_right_beyond_the_bound_of_known_keys():
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers import shapes

    many = dict(('key_%d' % number, number) for number in range(shapes._MAX_KNOWN_KEYS + 10))
    assert snake_case_keys(many) == many
    known = len(shapes._SNAKE_KEYS)
    assert known >= shapes._MAX_KNOWN_KEYS
    # Full: nothing more is learnt, and records are still converted right.
    assert snake_case_keys({'new_snake_key': 1, 'newKeyAfterTheBound': [{'innerKey': 1}]}) \
        == {'new_snake_key': 1, 'new_key_after_the_bound': [{'inner_key': 1}]}
    assert len(shapes._SNAKE_KEYS) == known
