"""DBSS audit data (SQL statements, alarm log) and rules over real HTTP, against the simulator (tests/simulator, through
tests/support/audit_data_sim.py), and against the small server of tests/support/hostile_server.py for the answers the
simulator never gives (wrong shapes, short pages). Nothing mocks HTTP."""

import datetime
import json
import math
import re

import pytest

from audit_data_sim import (
    ALARMS_V1,
    ALARMS_V2,
    INJECTION_RULES,
    INJECTION_RULES_V1,
    RISK_RULES,
    RISK_RULES_V1,
    SQLS,
    TOPIC,
    TOPIC_V1,
    dbss_time,
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


def hostile_client(server):
    config = ClientConfig(dict(region='cn-north-4', project_id=PROJECT, max_retries=0, access_key='AKTEST',
                               secret_key='SKTEST', endpoints={'dbss': server.url, 'rds': server.url, 'iam': server.url}),
                          environ={})
    return HuaweiCloudClient(config, sleep=lambda _seconds: None)


def ids(records):
    return [record['id'] for record in records]


def newest(records, count):
    return [record['id'] for record in sorted(records, key=lambda record: record['start_time'], reverse=True)[:count]]


def sqls(audit, instance_ids, **kwargs):
    kwargs.setdefault('max_workers', 4)
    return list_audit_sqls(audit.client(), instance_ids, kwargs.pop('start', START), kwargs.pop('end', END), **kwargs)


def hostile_sqls(server, instance_ids):
    return list_audit_sqls(hostile_client(server), instance_ids, START, END, max_workers=4)


def request_ids_of(audit):
    return [request['request_id'] for request in audit.sim.requests]


# Paging ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('workers', [1, 4])
def test_every_statement_newest_first_in_the_minimum_of_pages(audit, workers):
    audit.add_sqls(audit.a, 250, START + SECOND)
    held = audit.sqls_in(audit.a, START, END)
    result = sqls(audit, [audit.a], max_workers=workers)
    assert ids(result['sqls']) == newest(held, 250) and len(held) == 250
    assert all(item['instance_id'] == audit.a for item in result['sqls'])
    assert result['truncated_windows'] == [] and result['limit_reached'] is False
    assert (result['start_time'], result['end_time']) == ('2026-11-01T00:00:00+0000', '2026-11-02T00:00:00+0000')
    bodies = [request['json'] for request in audit.sql_requests()]
    assert sorted(body['page'] for body in bodies) == list(range(1, math.ceil(len(held) / 100.0) + 1))
    assert all(body['size'] == 100 and body['time_order'] == 'DESC' for body in bodies)
    assert bodies[0]['time'] == {'start_time': '2026-11-01 00:00:00', 'end_time': '2026-11-02 00:00:00'}
    assert all(request['request_headers'].get('content-type', '').startswith('application/json') for request in audit.sql_requests())


def test_no_statement_is_an_empty_list_after_one_request(audit):
    assert audit.sqls_in(audit.a, START, END) == []
    result = sqls(audit, [audit.a])
    assert result['sqls'] == [] and result['truncated_windows'] == [] and result['limit_reached'] is False
    assert len(audit.sql_requests()) == 1


def test_no_instance_sends_nothing(audit):
    assert sqls(audit, [])['sqls'] == []
    assert audit.api_requests() == []


@pytest.mark.parametrize('limit,requests', [(1, 1), (100, 1), (150, 2), (300, 3), (301, 4)])
def test_the_limit_stops_reading_as_soon_as_it_is_reached(audit, limit, requests):
    audit.add_sqls(audit.a, 1000, START + SECOND)
    result = sqls(audit, [audit.a], limit=limit, max_workers=8)
    assert ids(result['sqls']) == newest(audit.sqls_in(audit.a, START, END), limit)
    assert result['limit_reached'] is True
    assert len(audit.sql_requests()) == requests


def test_the_limit_keeps_the_newest_of_every_instance(audit):
    audit.add_sqls(audit.a, 300, START + SECOND, step=2 * SECOND)
    audit.add_sqls(audit.b, 300, START + 2 * SECOND, step=2 * SECOND)
    result = sqls(audit, [audit.a, audit.b], limit=250)
    assert ids(result['sqls']) == newest(audit.sqls_in(audit.a, START, END) + audit.sqls_in(audit.b, START, END), 250)
    # Each instance is read up to the limit (3 pages), no further.
    assert len(audit.sql_requests(audit.a)) == len(audit.sql_requests(audit.b)) == 3


def test_a_period_longer_than_30_days_is_read_newest_window_first_and_stops_early(audit):
    start = END - datetime.timedelta(days=75)
    audit.add_sqls(audit.a, 75, start + SECOND, step=datetime.timedelta(days=1))
    held = audit.sqls_in(audit.a, start, END)
    everything = sqls(audit, [audit.a], start=start)
    assert ids(everything['sqls']) == newest(held, 75) and len(held) == 75
    windows = [request['json']['time'] for request in audit.sql_requests()]
    assert windows == [{'start_time': '2026-10-03 00:00:00', 'end_time': '2026-11-02 00:00:00'},
                       {'start_time': '2026-09-03 00:00:00', 'end_time': '2026-10-03 00:00:00'},
                       {'start_time': '2026-08-19 00:00:00', 'end_time': '2026-09-03 00:00:00'}]
    audit.exchanges.clear()
    recent = sqls(audit, [audit.a], start=start, limit=20)
    assert ids(recent['sqls']) == newest(held, 20)
    assert len(audit.sql_requests()) == 1


# The service cap: 10,000 records a query ----------------------------------------------------------------------------

def test_a_window_over_the_cap_is_split_and_nothing_is_missing(audit, small_cap):
    audit.add_sqls(audit.a, 1000, START + SECOND, step=30 * SECOND)
    result = sqls(audit, [audit.a])
    assert ids(result['sqls']) == newest(audit.sqls_in(audit.a, START, END), 1000)
    assert result['truncated_windows'] == []
    # No page beyond the cap was ever asked for (the simulator would have refused it).
    assert max(request['json']['page'] for request in audit.sql_requests()) <= small_cap // 100
    assert {request['status'] for request in audit.sql_requests()} == {200}


def test_a_window_over_the_cap_is_not_split_when_the_newest_records_suffice(audit, small_cap):
    audit.add_sqls(audit.a, 1000, START + SECOND, step=30 * SECOND)
    result = sqls(audit, [audit.a], limit=200)
    assert ids(result['sqls']) == newest(audit.sqls_in(audit.a, START, END), 200)
    assert len(audit.sql_requests()) == 2
    assert {request['json']['time']['start_time'] for request in audit.sql_requests()} == {dbss_time(START)}


def test_a_window_that_cannot_be_split_is_reported_never_silently_cut(audit, small_cap):
    # 500 statements in one second: more than the cap, in a window that cannot be split.
    crowded = START + datetime.timedelta(hours=5)
    audit.add_sqls(audit.a, 500, crowded, step=datetime.timedelta(0))
    held = audit.sqls_in(audit.a, START, END)
    result = sqls(audit, [audit.a])
    assert len(result['sqls']) == small_cap
    # Windows overlap on their edge second (the API's bounds may be inclusive): each window of one second holding
    # the crowded second is reported.
    assert result['truncated_windows']
    for window in result['truncated_windows']:
        assert (window['instance_id'], window['total'], window['returned']) == (audit.a, len(held), small_cap)
        assert window['start_time'] <= '2026-11-01T05:00:00+0000' <= window['end_time']
        assert parse_api_time(window['end_time']) - parse_api_time(window['start_time']) == SECOND


def test_the_real_cap_of_10000(audit):
    audit.add_sqls(audit.a, 10150, START + SECOND, step=5 * SECOND)
    held = audit.sqls_in(audit.a, START, END)
    result = sqls(audit, [audit.a], limit=12000, max_workers=8)
    assert ids(result['sqls']) == newest(held, 10150) and len(held) == 10150
    assert result['truncated_windows'] == [] and result['limit_reached'] is False
    assert max(request['json']['page'] for request in audit.sql_requests()) <= 100
    # The whole day once (its total tells it is over the cap), then three parts read page by page.
    assert len(audit.sql_requests()) <= 1 + 3 + math.ceil(len(held) / 100.0)


# A server that breaks the contract -----------------------------------------------------------------------------------

@pytest.mark.parametrize('workers', [1, 4])
def test_a_server_that_ignores_page_stops_with_an_error(audit, workers):
    audit.add_sqls(audit.a, 1000, START + SECOND)
    audit.sim.add_fault('ignore_offset', path=SQLS)
    with pytest.raises(PaginationError) as info:
        sqls(audit, [audit.a], max_workers=workers)
    message = str(info.value)
    assert message.startswith('audit instance %s: ' % audit.a)
    assert 'no new sqls on page 2 (it seems to ignore page); stopped after 100 of 1000' in message
    request_id = re.search(r'\(request id (\w+)\)', message).group(1)
    assert request_id in request_ids_of(audit)
    assert len(info.value.partial_results) == 100
    assert len(audit.sql_requests()) <= 1 + workers


def test_a_short_page_while_the_total_says_more_is_an_error(server):
    server.route('POST', SQLS, json_reply({'total': 150, 'count': 0, 'sqls': []}))
    with pytest.raises(PaginationError) as info:
        hostile_sqls(server, ['inst-a'])
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
        hostile_sqls(server, ['inst-a'])
    assert str(info.value) == 'audit instance inst-a: %s: %s (request id hostile-request-id)' % (SQLS_API, field)


# Filters and masking ------------------------------------------------------------------------------------------------

def test_filters_the_api_supports_are_sent_and_checked_again(audit):
    audit.add_sqls(audit.a, 400, START + SECOND)
    held = audit.sqls_in(audit.a, START, END)
    db_ip = held[0]['db_ip']
    filters = {'db_user': 'admin', 'query_type': 'DROP_TABLE', 'client_ip': '10.0.0.1', 'risk_levels': ['MEDIUM'],
               'sql_response': 'SUCCESS', 'client_name': None, 'db_ip': db_ip, 'statement_contains': 'FROM T1'}
    expected = [record for record in held if record['db_user'] == 'admin' and record['query_type'] == 'DROP_TABLE'
                and record['client_ip'] == '10.0.0.1' and record['risk_level'] == 'MEDIUM' and record['db_ip'] == db_ip
                and record['sql_response'] == 'SUCCESS' and 'from t1' in record['sql_statement'].lower()]
    audit.sim.add_fault('ignore_filters', path=SQLS)  # the server ignores every filter: they are still applied here
    result = sqls(audit, [audit.a], filters=filters)
    assert len(expected) == 4
    assert ids(result['sqls']) == newest(expected, 1000)
    assert audit.sql_requests()[0]['answer']['total'] > len(held), 'the server answered everything'
    sent = audit.sql_requests()[0]['json']
    assert {key: sent.get(key) for key in ('db_user', 'query_type', 'client_ip', 'risk_levels', 'sql_response', 'db_ip',
                                           'sql_statement')} == {
        'db_user': 'admin', 'query_type': 'DROP_TABLE', 'client_ip': '10.0.0.1', 'risk_levels': 'MEDIUM',
        'sql_response': 'SUCCESS', 'db_ip': db_ip, 'sql_statement': 'FROM T1'}
    assert 'client_name' not in sent


def test_several_risk_levels_are_filtered_here(audit):
    audit.add_sqls(audit.a, 200, START + SECOND)
    result = sqls(audit, [audit.a], filters={'risk_levels': ['HIGH', 'MEDIUM']})
    held = audit.sqls_in(audit.a, START, END)
    assert ids(result['sqls']) == newest([r for r in held if r['risk_level'] in ('HIGH', 'MEDIUM')], 1000)
    assert all('risk_levels' not in request['json'] for request in audit.sql_requests())


def test_several_risk_levels_with_a_limit_read_on_until_enough_match(audit):
    audit.add_sqls(audit.a, 400, START + SECOND)
    result = sqls(audit, [audit.a], filters={'risk_levels': ['HIGH', 'LOW']}, limit=120)
    held = audit.sqls_in(audit.a, START, END)
    assert ids(result['sqls']) == newest([r for r in held if r['risk_level'] in ('HIGH', 'LOW')], 120)
    assert len(audit.sql_requests()) == 3


def test_records_outside_the_period_are_never_returned(audit):
    audit.add_sqls(audit.a, 10, START - datetime.timedelta(hours=1), step=datetime.timedelta(minutes=15))
    audit.sim.add_fault('ignore_filters', path=SQLS)
    result = sqls(audit, [audit.a])
    within = [item['start_time'] for item in audit.sqls_in(audit.a, START, END)]
    assert [item['start_time'] for item in result['sqls']] == within
    assert within[0] == '2026-11-01 01:15:00' and within[-1] == '2026-11-01 00:00:00'
    assert audit.sql_requests()[0]['answer']['total'] > len(within), 'the server answered statements out of the period'


def test_literals_are_masked_when_asked(audit):
    audit.add_sqls(audit.a, 3, START + SECOND)
    plain = sqls(audit, [audit.a])
    masked = sqls(audit, [audit.a], mask=True, filters={'statement_contains': 'secret-1'})
    assert plain['sqls'][-1]['sql_statement'] == "SELECT * FROM t0 WHERE name = 'secret-0'"
    assert [item['sql_statement'] for item in masked['sqls']] == ['SELECT * FROM t1 WHERE name = ?']
    assert 'secret' not in json.dumps(masked)


def test_epoch_milliseconds_are_read_as_times(server):
    stamp = int((START + datetime.timedelta(hours=2)).timestamp() * 1000)
    server.route('POST', SQLS, json_reply({'total': 1, 'count': 1, 'sqls': [
        {'sql': {'id': 'e1', 'start_time': str(stamp), 'sql_statement': 'SELECT 1'}}]}))
    assert ids(hostile_sqls(server, ['inst-a'])['sqls']) == ['e1']


# Failures --------------------------------------------------------------------------------------------------------

def test_an_unknown_instance_fails_and_the_others_are_kept(audit):
    audit.add_sqls(audit.a, 150, START + SECOND)
    with pytest.raises(HuaweiCloudError) as info:
        sqls(audit, [audit.a, 'ghost'], mask=True)
    error = info.value
    assert str(error).startswith('audit instance ghost: POST /v2/%s/audit/ghost/sqls failed: HTTP 400 DBSS.10021004' % audit.project_id)
    assert len(error.partial_results) == 150 and {item['instance_id'] for item in error.partial_results} == {audit.a}
    assert error.result['sqls'] == error.partial_results
    assert 'secret' not in json.dumps(error.partial_results)
    assert error.result['start_time'] == '2026-11-01T00:00:00+0000'


def test_every_failed_instance_is_named(audit):
    audit.add_sqls(audit.a, 5, START + SECOND)
    with pytest.raises(FanOutError) as info:
        sqls(audit, ['ghost-1', audit.a, 'ghost-2'])
    message = str(info.value)
    assert message.startswith('2 audit instances failed: ghost-1: POST ')
    assert '; ghost-2: POST ' in message and audit.a not in message
    assert ids(info.value.partial_results) == newest(audit.sqls_in(audit.a, START, END), 5)


# Alarm log ---------------------------------------------------------------------------------------------------------

def alarms(audit, instance_ids, **kwargs):
    kwargs.setdefault('max_workers', 4)
    return list_audit_alarms(audit.client(), instance_ids, START, END, **kwargs)


def hostile_alarms(server, instance_ids):
    return list_audit_alarms(hostile_client(server), instance_ids, START, END, max_workers=4)


def alarm_record(status):
    return {'id': 'alarm-00000', 'alarm_life': 'OFF', 'send_email': False, 'alarm_time': dbss_time(START + SECOND),
            'alarm_type': 'RISK_CPU', 'alarm_fix_time': '', 'alarm_status': status, 'alarm_risk': 'LOW', 'alarm_description': 'alarm 0'}


def test_alarms_newest_first_with_acknowledgement(audit):
    audit.add_alarms(audit.a, 250, START + SECOND)
    held = audit.alarms_in(audit.a, START, END)
    result = alarms(audit, [audit.a])
    assert ids(result['alarms']) == ids(held) and len(held) == 250
    assert all(item['acknowledged'] == (item['alarm_status'] == 'DONE') for item in result['alarms'])
    assert {item['alarm_status'] for item in result['alarms']} == {'DONE', 'UNDO'}
    bodies = [request['json'] for request in audit.requests_to(ALARMS_V2)]
    assert sorted(body['page'] for body in bodies) == [1, 2, 3]
    assert audit.requests_to(ALARMS_V1) == []


def test_alarm_filters_are_sent_and_checked_again(audit):
    audit.add_alarms(audit.a, 120, START + SECOND)
    audit.sim.add_fault('ignore_filters', path=ALARMS_V2)
    result = alarms(audit, [audit.a], risk_levels=['HIGH'], alarm_type='RISK_RULE', status='UNDO')
    expected = [r for r in audit.alarms_in(audit.a, START, END)
                if r['alarm_risk'] == 'HIGH' and r['alarm_type'] == 'RISK_RULE' and r['alarm_status'] == 'UNDO']
    assert expected
    assert ids(result['alarms']) == ids(expected)
    request = audit.requests_to(ALARMS_V2)[0]
    assert (request['json']['risk'], request['json']['type'], request['json']['status']) == (['HIGH'], 'RISK_RULE', 'UNDO')
    assert request['answer']['total_num'] > len(expected), 'the server answered every alarm'


def test_the_alarm_limit_cuts_after_sorting_a_whole_window(audit):
    audit.add_alarms(audit.a, 250, START + SECOND)
    result = alarms(audit, [audit.a], limit=10)
    assert ids(result['alarms']) == ids(audit.alarms_in(audit.a, START, END))[:10]
    assert result['limit_reached'] is True
    assert len(audit.requests_to(ALARMS_V2)) == 3


def test_alarms_fall_back_to_v1_when_the_gateway_does_not_know_v2(audit):
    audit.gateway_without(ALARMS_V2)
    audit.add_alarms(audit.a, 150, START + SECOND)
    audit.add_alarms(audit.b, 3, START + SECOND)
    result = alarms(audit, [audit.a, audit.b], max_workers=1)
    assert len(result['alarms']) == len(audit.alarms_in(audit.a, START, END) + audit.alarms_in(audit.b, START, END)) == 153
    first = result['alarms'][0]
    assert 'alarm_life' in first and 'send_email' in first and 'alarmLife' not in first
    assert 'alarmLife' in audit.requests_to(ALARMS_V1)[0]['answer']['alarm_log'][0]
    # v2 once; every later request goes to v1 directly.
    assert len(audit.requests_to(ALARMS_V2)) == 1
    assert len(audit.requests_to(ALARMS_V1)) == 3


def test_a_404_of_the_service_itself_is_no_reason_to_fall_back(server):
    server.route('POST', ALARMS_V2, json_reply({'error_code': 'DBSS.10021004', 'error_msg': 'no such instance'}, status=404))
    with pytest.raises(HuaweiCloudError) as info:
        hostile_alarms(server, ['ghost'])
    assert 'HTTP 404 DBSS.10021004' in str(info.value)
    assert server.requests_to(ALARMS_V1) == []


@pytest.mark.parametrize('status', [None, 'done', 'ACKED'])
def test_an_alarm_without_a_known_status_is_a_shape_error(server, status):
    server.route('POST', ALARMS_V2, json_reply({'total_num': 1, 'alarm_log': [alarm_record(status)]}))
    with pytest.raises(ResponseShapeError) as info:
        hostile_alarms(server, ['inst-a'])
    assert "DBSS POST /v2/{project_id}/audit/{instance_id}/alarm-log: field 'alarm_log[0].alarm_status'" in str(info.value)
    assert 'expected DONE or UNDO' in str(info.value)


def test_a_shape_error_of_the_v1_answer_names_the_v1_api(server):
    server.route('POST', ALARMS_V2, json_reply({'error_code': 'APIGW.0101', 'error_msg': 'The API does not exist'}, status=404))
    server.route('POST', ALARMS_V1, json_reply({'total_num': 1, 'alarm_log': {}}))
    with pytest.raises(ResponseShapeError) as info:
        hostile_alarms(server, ['inst-a'])
    assert "DBSS POST /v1/{project_id}/{instance_id}/audit/alarm-log: field 'alarm_log' is an object" in str(info.value)


# Rules ---------------------------------------------------------------------------------------------------------------

def test_rules_of_many_instances(audit):
    audit.add_risk_rules(audit.a, 1500, status='OFF')
    audit.add_injection_rules(audit.a, 250)
    risk = audit.risk_rules(audit.a) + audit.risk_rules(audit.b)
    injection = audit.injection_rules(audit.a) + audit.injection_rules(audit.b)
    topics = [audit.topic(audit.a), audit.topic(audit.b)]
    result = get_audit_rules(audit.client(), [audit.a, audit.b], max_workers=4)
    assert ids(result['risk_rules']) == ids(risk)
    assert [rule['enabled'] for rule in result['risk_rules']] == [rule['status'] == 'ON' for rule in risk]
    assert {rule['enabled'] for rule in result['risk_rules']} == {True, False}
    assert result['risk_rules'][-1]['instance_id'] == audit.b
    assert ids(result['sql_injection_rules']) == ids(injection)
    assert [topic_['instance_id'] for topic_ in result['alarm_topics']] == [audit.a, audit.b]
    for read, held in zip(result['alarm_topics'], topics):
        assert read['enabled'] is (held['alarm_switch'] == 'ON') and read['alarm_risk'] == held['alarm_risk']
    offsets = [str(offset) for instance in (audit.a, audit.b) for offset in range(0, len(audit.risk_rules(instance)), 1000)]
    assert sorted(request['query']['offset'] for request in audit.requests_to(RISK_RULES)) == sorted(offsets)
    assert len(offsets) == 3
    pages = sorted(request['json']['page'] for request in audit.requests_to(INJECTION_RULES))
    assert pages == sorted(page for instance in (audit.a, audit.b)
                           for page in range(1, math.ceil(len(audit.injection_rules(instance)) / 100.0) + 1))
    assert len(pages) == 4
    assert audit.requests_to(RISK_RULES_V1) == audit.requests_to(INJECTION_RULES_V1) == audit.requests_to(TOPIC_V1) == []


def test_a_topic_without_switch_or_urn_reads_as_disabled(server):
    server.route('GET', RISK_RULES, json_reply({'rules': [], 'total': 0, 'customize_total': 0}))
    server.route('POST', INJECTION_RULES, json_reply({'rules': [], 'total': 0}))
    server.route('GET', TOPIC, json_reply({'alarm_switch': None, 'alarm_topic_urn': None}))
    result = get_audit_rules(hostile_client(server), ['inst-b'])
    assert result['alarm_topics'][0]['enabled'] is False and result['alarm_topics'][0]['alarm_risk'] == []


def test_rules_fall_back_to_the_legacy_paths(audit):
    for pattern in (RISK_RULES, INJECTION_RULES, TOPIC):
        audit.gateway_without(pattern)
    result = get_audit_rules(audit.client(), [audit.a])
    assert ids(result['risk_rules']) == ids(audit.risk_rules(audit.a))
    assert ids(result['sql_injection_rules']) == ids(audit.injection_rules(audit.a))
    assert result['alarm_topics'][0]['enabled'] is (audit.topic(audit.a)['alarm_switch'] == 'ON')
    assert audit.requests_to(RISK_RULES_V1)[0]['query'] == {}
    assert len(audit.requests_to(TOPIC)) == len(audit.requests_to(TOPIC_V1)) == 1


VALID_TOPIC = {'alarm_cpu': '80', 'alarm_disk': '80', 'alarm_memory': '80', 'alarm_num': '100', 'alarm_risk': ['high', 'medium'],
               'alarm_switch': 'ON', 'alarm_topic_urn': 'urn:smn:cn-north-4:0123:dbss-alarms', 'smn_effective': True}


@pytest.mark.parametrize('route,body,fragment', [
    (RISK_RULES, {'rules': [{'id': 'r1', 'status': 'on'}], 'total': 1},
     "DBSS GET /v1/{project_id}/audit/{instance_id}/rule/risk: field 'rules[0].status' is a string ('on'), expected ON or OFF"),
    (TOPIC, {'alarm_switch': True},
     "DBSS GET /v2/{project_id}/audit/{instance_id}/alarm/topic: field 'alarm_switch' is a boolean (true), expected ON, OFF or null"),
])
def test_a_rule_state_that_cannot_be_read_is_an_error_never_off(server, route, body, fragment):
    server.route('GET', RISK_RULES, json_reply({'rules': [], 'total': 0, 'customize_total': 0}))
    server.route('POST', INJECTION_RULES, json_reply({'rules': [], 'total': 0}))
    server.route('GET', TOPIC, json_reply(VALID_TOPIC))
    server.route('GET', route, json_reply(body))
    with pytest.raises(ResponseShapeError) as info:
        get_audit_rules(hostile_client(server), ['inst-a'])
    assert str(info.value) == 'audit instance inst-a: %s (request id hostile-request-id)' % fragment


def test_rules_keep_what_was_read_and_name_every_failed_instance(audit):
    with pytest.raises(FanOutError) as info:
        get_audit_rules(audit.client(), ['ghost-1', audit.a, 'ghost-2'])
    error = info.value
    assert str(error).startswith('2 audit instances failed: ghost-1: GET ')
    assert 'ghost-2: GET ' in str(error)
    assert ids(error.result['risk_rules']) == ids(audit.risk_rules(audit.a))
    assert ids(error.result['sql_injection_rules']) == ids(audit.injection_rules(audit.a))
    assert [item['instance_id'] for item in error.result['alarm_topics']] == [audit.a]
    assert error.partial_results == error.result['risk_rules']
