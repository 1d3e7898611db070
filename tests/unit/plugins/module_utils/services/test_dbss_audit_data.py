"""DBSS audit data (SQL statements, alarm log) and rules over real HTTP, against the small server of
tests/support/hostile_server.py answering the official SDK's shapes (tests/support/dbss_audit_server.py). Nothing mocks HTTP."""

import datetime
import json
import math

import pytest

from dbss_audit_server import (
    ALARMS_V1,
    ALARMS_V2,
    INJECTION_RULES,
    INJECTION_RULES_V1,
    RISK_RULES,
    RISK_RULES_V1,
    SQLS,
    TOPIC,
    TOPIC_V1,
    alarm_records,
    audit_sqls,
    dbss_time,
    injection_rules,
    risk_rules,
    topic,
)
from hostile_server import json_reply

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import FanOutError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_audit_data import list_audit_alarms, list_audit_sqls
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_rules import get_audit_rules
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError, PaginationError, ResponseShapeError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_api_time

PROJECT = '0' * 32
UTC = datetime.timezone.utc
END = datetime.datetime(2026, 11, 2, tzinfo=UTC)
START = END - datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)
SQLS_API = 'DBSS POST /v2/{project_id}/audit/{instance_id}/sqls'


def client_for(server):
    config = ClientConfig(dict(region='cn-north-4', project_id=PROJECT, max_retries=0, access_key='AKTEST',
                               secret_key='SKTEST', endpoints={'dbss': server.url, 'rds': server.url, 'iam': server.url}),
                          environ={})
    return HuaweiCloudClient(config, sleep=lambda _seconds: None)


def ids(records):
    return [record['id'] for record in records]


def newest(records, count):
    return [record['id'] for record in sorted(records, key=lambda record: record['start_time'], reverse=True)[:count]]


def sqls(server, instance_ids, **kwargs):
    kwargs.setdefault('max_workers', 4)
    return list_audit_sqls(client_for(server), instance_ids, kwargs.pop('start', START), kwargs.pop('end', END), **kwargs)


# Paging ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('workers', [1, 4])
def test_every_statement_newest_first_in_the_minimum_of_pages(server, audit, workers):
    records = audit_sqls(250, START + SECOND)
    audit.add_sqls('inst-a', records)
    result = sqls(server, ['inst-a'], max_workers=workers)
    assert ids(result['sqls']) == newest(records, 250)
    assert all(item['instance_id'] == 'inst-a' for item in result['sqls'])
    assert result['truncated_windows'] == [] and result['limit_reached'] is False
    assert (result['start_time'], result['end_time']) == ('2026-11-01T00:00:00+0000', '2026-11-02T00:00:00+0000')
    bodies = [request['json'] for request in audit.sql_requests()]
    assert sorted(body['page'] for body in bodies) == [1, 2, 3]
    assert all(body['size'] == 100 and body['time_order'] == 'DESC' for body in bodies)
    assert bodies[0]['time'] == {'start_time': '2026-11-01 00:00:00', 'end_time': '2026-11-02 00:00:00'}
    assert all(request['headers'].get('Content-Type', '').startswith('application/json') for request in audit.sql_requests())


def test_no_statement_is_an_empty_list_after_one_request(server, audit):
    audit.add_sqls('inst-a', [])
    result = sqls(server, ['inst-a'])
    assert result['sqls'] == [] and result['truncated_windows'] == [] and result['limit_reached'] is False
    assert len(audit.sql_requests()) == 1


def test_no_instance_sends_nothing(server, audit):
    assert sqls(server, [])['sqls'] == []
    assert server.requests == []


@pytest.mark.parametrize('limit,requests', [(1, 1), (100, 1), (150, 2), (300, 3), (301, 4)])
def test_the_limit_stops_reading_as_soon_as_it_is_reached(server, audit, limit, requests):
    records = audit_sqls(1000, START + SECOND)
    audit.add_sqls('inst-a', records)
    result = sqls(server, ['inst-a'], limit=limit, max_workers=8)
    assert ids(result['sqls']) == newest(records, limit)
    assert result['limit_reached'] is True
    assert len(audit.sql_requests()) == requests


def test_the_limit_keeps_the_newest_of_every_instance(server, audit):
    a = audit_sqls(300, START + SECOND, step=2 * SECOND, prefix='a')
    b = audit_sqls(300, START + 2 * SECOND, step=2 * SECOND, prefix='b')
    audit.add_sqls('inst-a', a)
    audit.add_sqls('inst-b', b)
    result = sqls(server, ['inst-a', 'inst-b'], limit=250)
    assert ids(result['sqls']) == newest(a + b, 250)
    # Each instance is read up to the limit (3 pages), no further.
    assert len(audit.sql_requests('inst-a')) == len(audit.sql_requests('inst-b')) == 3


def test_a_period_longer_than_30_days_is_read_newest_window_first_and_stops_early(server, audit):
    start = END - datetime.timedelta(days=75)
    records = audit_sqls(75, start + SECOND, step=datetime.timedelta(days=1))
    audit.add_sqls('inst-a', records)
    everything = sqls(server, ['inst-a'], start=start)
    assert ids(everything['sqls']) == newest(records, 75)
    windows = [request['json']['time'] for request in audit.sql_requests()]
    assert windows == [{'start_time': '2026-10-03 00:00:00', 'end_time': '2026-11-02 00:00:00'},
                       {'start_time': '2026-09-03 00:00:00', 'end_time': '2026-10-03 00:00:00'},
                       {'start_time': '2026-08-19 00:00:00', 'end_time': '2026-09-03 00:00:00'}]
    server.requests.clear()
    recent = sqls(server, ['inst-a'], start=start, limit=20)
    assert ids(recent['sqls']) == newest(records, 20)
    assert len(audit.sql_requests()) == 1


# The service cap: 10,000 records a query ----------------------------------------------------------------------------

def test_a_window_over_the_cap_is_split_and_nothing_is_missing(server, audit, small_cap):
    records = audit_sqls(1000, START + SECOND, step=30 * SECOND)
    audit.add_sqls('inst-a', records)
    result = sqls(server, ['inst-a'])
    assert ids(result['sqls']) == newest(records, 1000)
    assert result['truncated_windows'] == []
    # No page beyond the cap was ever asked for.
    assert max(request['json']['page'] for request in audit.sql_requests()) <= small_cap // 100


def test_a_window_over_the_cap_is_not_split_when_the_newest_records_suffice(server, audit, small_cap):
    records = audit_sqls(1000, START + SECOND, step=30 * SECOND)
    audit.add_sqls('inst-a', records)
    result = sqls(server, ['inst-a'], limit=200)
    assert ids(result['sqls']) == newest(records, 200)
    assert len(audit.sql_requests()) == 2
    assert {request['json']['time']['start_time'] for request in audit.sql_requests()} == {dbss_time(START)}


def test_a_window_that_cannot_be_split_is_reported_never_silently_cut(server, audit, small_cap):
    # 500 statements in one second: more than the cap, in a window that cannot be split.
    crowded = START + datetime.timedelta(hours=5)
    records = audit_sqls(500, crowded, step=datetime.timedelta(0))
    audit.add_sqls('inst-a', records)
    result = sqls(server, ['inst-a'])
    assert len(result['sqls']) == small_cap
    # Windows overlap on their edge second (the API's bounds may be inclusive): each window of one second holding
    # the crowded second is reported.
    assert result['truncated_windows']
    for window in result['truncated_windows']:
        assert (window['instance_id'], window['total'], window['returned']) == ('inst-a', 500, small_cap)
        assert window['start_time'] <= '2026-11-01T05:00:00+0000' <= window['end_time']
        assert parse_api_time(window['end_time']) - parse_api_time(window['start_time']) == SECOND


def test_the_real_cap_of_10000(server, audit):
    records = audit_sqls(10150, START + SECOND, step=5 * SECOND)
    audit.add_sqls('inst-a', records)
    result = sqls(server, ['inst-a'], limit=12000, max_workers=8)
    assert ids(result['sqls']) == newest(records, 10150)
    assert result['truncated_windows'] == [] and result['limit_reached'] is False
    assert max(request['json']['page'] for request in audit.sql_requests()) <= 100
    # The whole day once (its total tells it is over the cap), then three parts read page by page.
    assert len(audit.sql_requests()) <= 1 + 3 + math.ceil(10150 / 100.0)


# A server that breaks the contract -----------------------------------------------------------------------------------

@pytest.mark.parametrize('workers', [1, 4])
def test_a_server_that_ignores_page_stops_with_an_error(server, audit, workers):
    audit.add_sqls('inst-a', audit_sqls(1000, START + SECOND))
    audit.ignore_page = True
    with pytest.raises(PaginationError) as info:
        sqls(server, ['inst-a'], max_workers=workers)
    message = str(info.value)
    assert message.startswith('audit instance inst-a: ')
    assert 'no new sqls on page 2 (it seems to ignore page); stopped after 100 of 1000' in message
    assert '(request id hostile-request-id)' in message
    assert len(info.value.partial_results) == 100
    assert len(audit.sql_requests()) <= 1 + workers


def test_a_short_page_while_the_total_says_more_is_an_error(server, audit):
    audit.add_sqls('inst-a', audit_sqls(150, START + SECOND))
    server.route('POST', SQLS, json_reply({'total': 150, 'count': 0, 'sqls': []}))
    with pytest.raises(PaginationError) as info:
        sqls(server, ['inst-a'])
    assert 'page 1 has 0 sqls although the service reports 150 in all' in str(info.value)


@pytest.mark.parametrize('body,field', [
    ({'total': 1, 'sqls': 'none'}, "field 'sqls' is a string ('none'), expected a list"),
    ({'sqls': []}, "field 'total' is missing, expected a non-negative integer"),
    ({'total': 1, 'sqls': [{'id': 'x'}]}, "field 'sqls[0].sql' is missing, expected an object"),
    ({'total': 1, 'sqls': [{'sql': {'start_time': '2026-11-01 10:00:00'}}]},
     "field 'sqls[0].sql.id' is missing, expected a non-empty string"),
    ({'total': 1, 'sqls': [{'sql': {'id': 'a', 'start_time': 'yesterday'}}]},
     "field 'sqls[0].sql.start_time' is a string ('yesterday'), expected a time such as 2026-11-01 08:00:00"),
    ({'total': 1, 'sqls': [{'sql': {'id': 'a', 'start_time': '2026-11-01 10:00:00', 'sql_statement': 5}}]},
     "field 'sqls[0].sql.sql_statement' is a number (5), expected a string"),
    ({'total': 1, 'sqls': [{'sql': {'id': 'a', 'start_time': '2026-11-01 10:00:00', 'operated_obj_info': {}}}]},
     "field 'sqls[0].sql.operated_obj_info' is an object, expected a list"),
])
def test_a_wrong_shape_names_the_api_the_field_and_the_request_id(server, body, field):
    server.route('POST', SQLS, json_reply(body))
    with pytest.raises(ResponseShapeError) as info:
        sqls(server, ['inst-a'])
    assert str(info.value) == 'audit instance inst-a: %s: %s (request id hostile-request-id)' % (SQLS_API, field)


# Filters and masking ------------------------------------------------------------------------------------------------

def test_filters_the_api_supports_are_sent_and_checked_again(server, audit):
    records = audit_sqls(400, START + SECOND)
    audit.add_sqls('inst-a', records)
    filters = {'db_user': 'admin', 'query_type': 'DROP_TABLE', 'client_ip': '10.0.0.1', 'risk_levels': ['MEDIUM'],
               'sql_response': 'SUCCESS', 'client_name': None, 'db_ip': '192.168.0.10', 'statement_contains': 'FROM T1'}
    expected = [record for record in records if record['db_user'] == 'admin' and record['query_type'] == 'DROP_TABLE'
                and record['client_ip'] == '10.0.0.1' and record['risk_level'] == 'MEDIUM'
                and record['sql_response'] == 'SUCCESS' and 'from t1' in record['sql_statement'].lower()]
    audit.ignore_filters = True  # the server ignores every filter: they are still applied here
    result = sqls(server, ['inst-a'], filters=filters)
    assert len(expected) == 4
    assert ids(result['sqls']) == newest(expected, 1000)
    sent = audit.sql_requests()[0]['json']
    assert {key: sent.get(key) for key in ('db_user', 'query_type', 'client_ip', 'risk_levels', 'sql_response', 'db_ip',
                                           'sql_statement')} == {
        'db_user': 'admin', 'query_type': 'DROP_TABLE', 'client_ip': '10.0.0.1', 'risk_levels': 'MEDIUM',
        'sql_response': 'SUCCESS', 'db_ip': '192.168.0.10', 'sql_statement': 'FROM T1'}
    assert 'client_name' not in sent


def test_several_risk_levels_are_filtered_here(server, audit):
    records = audit_sqls(200, START + SECOND)
    audit.add_sqls('inst-a', records)
    result = sqls(server, ['inst-a'], filters={'risk_levels': ['HIGH', 'MEDIUM']})
    assert ids(result['sqls']) == newest([r for r in records if r['risk_level'] in ('HIGH', 'MEDIUM')], 1000)
    assert all('risk_levels' not in request['json'] for request in audit.sql_requests())


def test_several_risk_levels_with_a_limit_read_on_until_enough_match(server, audit):
    records = audit_sqls(400, START + SECOND)
    audit.add_sqls('inst-a', records)
    result = sqls(server, ['inst-a'], filters={'risk_levels': ['HIGH', 'LOW']}, limit=120)
    assert ids(result['sqls']) == newest([r for r in records if r['risk_level'] in ('HIGH', 'LOW')], 120)
    assert len(audit.sql_requests()) == 3


def test_records_outside_the_period_are_never_returned(server, audit):
    audit.add_sqls('inst-a', audit_sqls(10, START - datetime.timedelta(hours=1), step=datetime.timedelta(minutes=15)))
    audit.ignore_filters = True
    result = sqls(server, ['inst-a'])
    assert [item['start_time'] for item in result['sqls']] == [
        '2026-11-01 01:15:00', '2026-11-01 01:00:00', '2026-11-01 00:45:00', '2026-11-01 00:30:00',
        '2026-11-01 00:15:00', '2026-11-01 00:00:00']


def test_literals_are_masked_when_asked(server, audit):
    audit.add_sqls('inst-a', audit_sqls(3, START + SECOND))
    plain = sqls(server, ['inst-a'])
    masked = sqls(server, ['inst-a'], mask=True, filters={'statement_contains': 'secret-1'})
    assert plain['sqls'][-1]['sql_statement'] == "SELECT * FROM t0 WHERE name = 'secret-0'"
    assert [item['sql_statement'] for item in masked['sqls']] == ['SELECT * FROM t1 WHERE name = ?']
    assert 'secret' not in json.dumps(masked)


def test_epoch_milliseconds_are_read_as_times(server, audit):
    stamp = int((START + datetime.timedelta(hours=2)).timestamp() * 1000)
    audit.add_sqls('inst-a', [])
    server.route('POST', SQLS, json_reply({'total': 1, 'count': 1, 'sqls': [
        {'sql': {'id': 'e1', 'start_time': str(stamp), 'sql_statement': 'SELECT 1'}}]}))
    assert ids(sqls(server, ['inst-a'])['sqls']) == ['e1']


# Failures --------------------------------------------------------------------------------------------------------

def test_an_unknown_instance_fails_and_the_others_are_kept(server, audit):
    audit.add_sqls('inst-a', audit_sqls(150, START + SECOND))
    with pytest.raises(HuaweiCloudError) as info:
        sqls(server, ['inst-a', 'ghost'], mask=True)
    error = info.value
    assert str(error).startswith('audit instance ghost: POST /v2/%s/audit/ghost/sqls failed: HTTP 400 DBSS.10021004' % PROJECT)
    assert len(error.partial_results) == 150 and {item['instance_id'] for item in error.partial_results} == {'inst-a'}
    assert error.result['sqls'] == error.partial_results
    assert 'secret' not in json.dumps(error.partial_results)
    assert error.result['start_time'] == '2026-11-01T00:00:00+0000'


def test_every_failed_instance_is_named(server, audit):
    audit.add_sqls('inst-a', audit_sqls(5, START + SECOND))
    with pytest.raises(FanOutError) as info:
        sqls(server, ['ghost-1', 'inst-a', 'ghost-2'])
    message = str(info.value)
    assert message.startswith('2 audit instances failed: ghost-1: POST ')
    assert '; ghost-2: POST ' in message and 'inst-a' not in message
    assert ids(info.value.partial_results) == newest(audit.sqls['inst-a'], 5)


# Alarm log ---------------------------------------------------------------------------------------------------------

def alarms(server, instance_ids, **kwargs):
    kwargs.setdefault('max_workers', 4)
    return list_audit_alarms(client_for(server), instance_ids, START, END, **kwargs)


def test_alarms_newest_first_with_acknowledgement(server, audit):
    records = alarm_records(250, START + SECOND)
    audit.add_alarms('inst-a', list(reversed(records[:100])) + records[100:])
    result = alarms(server, ['inst-a'])
    assert ids(result['alarms']) == ['alarm-%05d' % n for n in reversed(range(250))]
    assert all(item['acknowledged'] == (item['alarm_status'] == 'DONE') for item in result['alarms'])
    bodies = [json.loads(request['body']) for request in audit.requests_to(ALARMS_V2)]
    assert sorted(body['page'] for body in bodies) == [1, 2, 3]
    assert audit.requests_to(ALARMS_V1) == []


def test_alarm_filters_are_sent_and_checked_again(server, audit):
    records = alarm_records(120, START + SECOND)
    audit.add_alarms('inst-a', records)
    audit.ignore_filters = True
    result = alarms(server, ['inst-a'], risk_levels=['HIGH'], alarm_type='RISK_RULE', status='UNDO')
    expected = [r for r in records if r['alarm_risk'] == 'HIGH' and r['alarm_type'] == 'RISK_RULE' and r['alarm_status'] == 'UNDO']
    assert expected
    assert ids(result['alarms']) == [r['id'] for r in reversed(expected)]
    body = json.loads(audit.requests_to(ALARMS_V2)[0]['body'])
    assert (body['risk'], body['type'], body['status']) == (['HIGH'], 'RISK_RULE', 'UNDO')


def test_the_alarm_limit_cuts_after_sorting_a_whole_window(server, audit):
    records = alarm_records(250, START + SECOND)
    audit.add_alarms('inst-a', list(reversed(records)))
    result = alarms(server, ['inst-a'], limit=10)
    assert ids(result['alarms']) == ['alarm-%05d' % n for n in range(249, 239, -1)]
    assert result['limit_reached'] is True
    assert len(audit.requests_to(ALARMS_V2)) == 3


def test_alarms_fall_back_to_v1_when_the_gateway_does_not_know_v2(server, audit):
    audit.v2_alarms = False
    audit.add_alarms('inst-a', alarm_records(150, START + SECOND, v1=True, prefix='a'))
    audit.add_alarms('inst-b', alarm_records(3, START + SECOND, v1=True, prefix='b'))
    result = alarms(server, ['inst-a', 'inst-b'], max_workers=1)
    assert len(result['alarms']) == 153
    first = result['alarms'][0]
    assert 'alarm_life' in first and 'send_email' in first and 'alarmLife' not in first
    # v2 once; every later request goes to v1 directly.
    assert len(audit.requests_to(ALARMS_V2)) == 1
    assert len(audit.requests_to(ALARMS_V1)) == 3


def test_a_404_of_the_service_itself_is_no_reason_to_fall_back(server, audit):
    server.route('POST', ALARMS_V2, json_reply({'error_code': 'DBSS.10021004', 'error_msg': 'no such instance'}, status=404))
    with pytest.raises(HuaweiCloudError) as info:
        alarms(server, ['ghost'])
    assert 'HTTP 404 DBSS.10021004' in str(info.value)
    assert audit.requests_to(ALARMS_V1) == []


@pytest.mark.parametrize('status', [None, 'done', 'ACKED'])
def test_an_alarm_without_a_known_status_is_a_shape_error(server, status):
    record = dict(alarm_records(1, START + SECOND)[0], alarm_status=status)
    server.route('POST', ALARMS_V2, json_reply({'total_num': 1, 'alarm_log': [record]}))
    with pytest.raises(ResponseShapeError) as info:
        alarms(server, ['inst-a'])
    assert "DBSS POST /v2/{project_id}/audit/{instance_id}/alarm-log: field 'alarm_log[0].alarm_status'" in str(info.value)
    assert 'expected DONE or UNDO' in str(info.value)


def test_a_shape_error_of_the_v1_answer_names_the_v1_api(server, audit):
    audit.v2_alarms = False
    server.route('POST', ALARMS_V1, json_reply({'total_num': 1, 'alarm_log': {}}))
    with pytest.raises(ResponseShapeError) as info:
        alarms(server, ['inst-a'])
    assert "DBSS POST /v1/{project_id}/{instance_id}/audit/alarm-log: field 'alarm_log' is an object" in str(info.value)


# Rules ---------------------------------------------------------------------------------------------------------------

def test_rules_of_many_instances(server, audit):
    audit.risk_rules.update({'inst-a': risk_rules(1500, 'a'), 'inst-b': risk_rules(2, 'b')})
    audit.injection_rules.update({'inst-a': injection_rules(250, 'a'), 'inst-b': []})
    audit.topics.update({'inst-a': topic(), 'inst-b': {'alarm_switch': None, 'alarm_topic_urn': None}})
    result = get_audit_rules(client_for(server), ['inst-a', 'inst-b'], max_workers=4)
    assert ids(result['risk_rules']) == ids(audit.risk_rules['inst-a'] + audit.risk_rules['inst-b'])
    assert [rule['enabled'] for rule in result['risk_rules'][:4]] == [False, True, True, False]
    assert result['risk_rules'][-1]['instance_id'] == 'inst-b'
    assert ids(result['sql_injection_rules']) == ids(audit.injection_rules['inst-a'])
    assert [topic_['instance_id'] for topic_ in result['alarm_topics']] == ['inst-a', 'inst-b']
    assert result['alarm_topics'][0]['enabled'] is True and result['alarm_topics'][0]['alarm_risk'] == ['high', 'medium']
    assert result['alarm_topics'][1]['enabled'] is False and result['alarm_topics'][1]['alarm_risk'] == []
    assert sorted(request['query']['offset'] for request in audit.requests_to(RISK_RULES)) == ['0', '0', '1000']
    pages = sorted(json.loads(request['body'])['page'] for request in audit.requests_to(INJECTION_RULES))
    assert pages == [1, 1, 2, 3]
    assert audit.requests_to(RISK_RULES_V1) == audit.requests_to(INJECTION_RULES_V1) == audit.requests_to(TOPIC_V1) == []


def test_rules_fall_back_to_the_legacy_paths(server, audit):
    audit.v2_rules = False
    audit.risk_rules['inst-a'] = risk_rules(5)
    audit.injection_rules['inst-a'] = injection_rules(3)
    audit.topics['inst-a'] = topic(switch='OFF')
    result = get_audit_rules(client_for(server), ['inst-a'])
    assert len(result['risk_rules']) == 5 and len(result['sql_injection_rules']) == 3
    assert result['alarm_topics'][0]['enabled'] is False
    assert audit.requests_to(RISK_RULES_V1)[0]['query'] == {}
    assert len(audit.requests_to(TOPIC)) == len(audit.requests_to(TOPIC_V1)) == 1


@pytest.mark.parametrize('route,body,fragment', [
    (RISK_RULES, {'rules': [{'id': 'r1', 'status': 'on'}], 'total': 1},
     "DBSS GET /v1/{project_id}/audit/{instance_id}/rule/risk: field 'rules[0].status' is a string ('on'), expected ON or OFF"),
    (TOPIC, {'alarm_switch': True},
     "DBSS GET /v2/{project_id}/audit/{instance_id}/alarm/topic: field 'alarm_switch' is a boolean (true), expected ON, OFF or null"),
])
def test_a_rule_state_that_cannot_be_read_is_an_error_never_off(server, audit, route, body, fragment):
    audit.risk_rules['inst-a'] = risk_rules(2)
    audit.injection_rules['inst-a'] = []
    audit.topics['inst-a'] = topic()
    server.route('GET', route, json_reply(body))
    with pytest.raises(ResponseShapeError) as info:
        get_audit_rules(client_for(server), ['inst-a'])
    assert str(info.value) == 'audit instance inst-a: %s (request id hostile-request-id)' % fragment


def test_rules_keep_what_was_read_and_name_every_failed_instance(server, audit):
    audit.risk_rules.update({'inst-a': risk_rules(3)})
    audit.injection_rules.update({'inst-a': injection_rules(2)})
    audit.topics.update({'inst-a': topic()})
    with pytest.raises(FanOutError) as info:
        get_audit_rules(client_for(server), ['ghost-1', 'inst-a', 'ghost-2'])
    error = info.value
    assert str(error).startswith('2 audit instances failed: ghost-1: GET ')
    assert 'ghost-2: GET ' in str(error)
    assert len(error.result['risk_rules']) == 3 and len(error.result['sql_injection_rules']) == 2
    assert [item['instance_id'] for item in error.result['alarm_topics']] == ['inst-a']
    assert error.partial_results == error.result['risk_rules']
