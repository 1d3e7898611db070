"""Answers without the documented shape, over real HTTP (the hostile server, and the simulator for the good shapes):
every listing and the audit policy fail with the API, the field and the request id, never with an empty result; a
server-reported total does not decide the fan-out; every failed instance is named."""

import datetime

import pytest

from hostile_server import HostileServer, json_reply
from hwtest_support import sim_requests

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import (
    list_audit_databases,
    list_audit_instances,
    list_audit_scopes,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError, PaginationError, ResponseShapeError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import get_audit_policies, list_audit_logs, list_rds_instances

PROJECT = 'c0ffee00c0ffee00c0ffee00c0ffee00'
RID = 'rid-0123456789abcdef'
DAY = datetime.timedelta(days=1)
END = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)


@pytest.fixture
def hostile():
    with HostileServer() as server:
        yield server


def client_for(url, project_id=PROJECT, access_key='HOSTILETESTAK', secret_key='hostile-test-secret-key'):
    config = ClientConfig({'region': 'cn-north-4', 'project_id': project_id, 'access_key': access_key,
                           'secret_key': secret_key, 'max_retries': 0,
                           'endpoints': {'dbss': url, 'rds': url, 'iam': url}}, environ={})
    return HuaweiCloudClient(config, sleep=lambda seconds: None, pool_size=8)


def sim_client(sim):
    return client_for(sim.url, sim.data.regions['cn-north-4'].project_id, sim.credentials['access_key'],
                      sim.credentials['secret_key'])


def reply(document):
    return json_reply(document, headers={'X-Request-Id': RID})


def expect_shape_error(call, message):
    with pytest.raises(ResponseShapeError) as info:
        call()
    assert str(info.value) == message
    assert info.value.request_id == RID
    return info.value


INSTANCES_API = 'DBSS GET /v1/{project_id}/audit/instances'


@pytest.mark.parametrize('body,problem', [
    ({'servers': 'oops', 'total': 1}, "field 'servers' is a string ('oops'), expected a list"),
    ({'instances': {'id': 'x'}, 'total': 1}, "field 'instances' is an object, expected a list"),
    ({'total': 3}, "field 'servers' is missing, expected a list"),
    ({'servers': ['i-1', 'i-2'], 'total': 2}, "field 'servers[0]' is a string ('i-1'), expected an object"),
    ({'servers': [{'id': 'i-1'}], 'total': 'x'}, "field 'total' is a string ('x'), expected a non-negative integer"),
    ({'servers': [{'id': 'i-1'}], 'total': None}, "field 'total' is null, expected a non-negative integer"),
    ({'servers': [{'id': 'i-1'}]}, "field 'total' is missing, expected a non-negative integer"),
    ({'servers': [{'name': 'no id'}], 'total': 1}, "field 'servers[0].id' is missing, expected a non-empty string"),
    ({'instances': [{'instance_id': ''}], 'total': 1},
     "field 'instances[0].instance_id' is a string (''), expected a non-empty string"),
])
def test_instance_list_of_the_wrong_shape(hostile, body, problem):
    hostile.route('GET', r'/audit/instances$', reply(body))
    error = expect_shape_error(lambda: list_audit_instances(client_for(hostile.url)),
                               '%s: %s (request id %s)' % (INSTANCES_API, problem, RID))
    assert error.partial_results == []
    assert len(hostile.requests_to(r'/audit/instances$')) == 1


def test_both_documented_instance_shapes_and_a_legit_empty_list(sim, hostile):
    ids = [instance['id'] for instance in sim.data.regions['cn-north-4'].instances]
    client = sim_client(sim)
    assert [item['id'] for item in list_audit_instances(client)] == ids
    sim.set_instance_shape('instances')
    assert [item['id'] for item in list_audit_instances(client)] == ids
    hostile.route('GET', r'/audit/instances$', reply({'servers': [], 'total': 0}))
    assert list_audit_instances(client_for(hostile.url)) == []


def test_scopes_of_the_wrong_shape_name_the_instance_and_keep_the_others(hostile):
    hostile.route('GET', r'/audit/[^/]+/rule/scopes$', reply({'scopes': [{'id': 's1', 'status': 'ON'}], 'total': 1}))
    hostile.route('GET', r'/audit/bad/rule/scopes$', reply({'scopes': [{'id': 's2'}, 42], 'total': 2}))
    error = expect_shape_error(
        lambda: list_audit_scopes(client_for(hostile.url), ['a', 'bad', 'c'], max_workers=3),
        "audit instance bad: DBSS GET /v1/{project_id}/audit/{instance_id}/rule/scopes: field 'scopes[1]' is a number "
        "(42), expected an object (request id %s)" % RID)
    assert [(scope['instance_id'], scope['id']) for scope in error.partial_results] == [('a', 's1'), ('c', 's1')]


def test_a_database_item_without_its_record(hostile):
    hostile.route('GET', r'/databases$', reply({'databases': [{'database': {'id': 'd1'}}, {'db': {}}], 'total': 2}))
    expect_shape_error(
        lambda: list_audit_databases(client_for(hostile.url), ['a']),
        "audit instance a: DBSS GET /v2/{project_id}/audit/{instance_id}/databases: field 'databases[1].database' is "
        "missing, expected an object (request id %s)" % RID)
    hostile.route('GET', r'/databases$', reply({'databases': [{'database': {'name': 'x'}}], 'total': 1}))
    expect_shape_error(
        lambda: list_audit_databases(client_for(hostile.url), ['a']),
        "audit instance a: DBSS GET /v2/{project_id}/audit/{instance_id}/databases: field 'databases[0].database.id' "
        "is missing, expected a non-empty string (request id %s)" % RID)


def test_rds_instances_without_total_count(hostile):
    hostile.route('GET', r'/v3/[^/]+/instances$', reply({'instances': [{'id': 'r1'}], 'total': 1}))
    expect_shape_error(lambda: list_rds_instances(client_for(hostile.url)),
                       "RDS GET /v3/{project_id}/instances: field 'total_count' is missing, expected a non-negative "
                       "integer (request id %s)" % RID)


LOGS_API = 'RDS GET /v3/{project_id}/instances/{instance_id}/auditlog'
GOOD_LOG = {'id': 'f1', 'name': 'f1', 'size': 1.5, 'begin_time': '2026-10-31T01:00:00+0800',
            'end_time': '2026-10-31T07:00:00+0800'}


@pytest.mark.parametrize('body,problem', [
    ({'auditlogs': None, 'total_record': 0}, "field 'auditlogs' is null, expected a list"),
    ({'auditlogs': [GOOD_LOG], 'total_record': '1x'},
     "field 'total_record' is a string ('1x'), expected a non-negative integer"),
    ({'auditlogs': [dict(GOOD_LOG, begin_time='31/10/2026')], 'total_record': 1},
     "field 'auditlogs[0].begin_time' is a string ('31/10/2026'), expected a time such as 2026-11-01T00:00:00+0800"),
    ({'auditlogs': [dict(GOOD_LOG, end_time=None)], 'total_record': 1},
     "field 'auditlogs[0].end_time' is null, expected a non-empty string"),
])
def test_audit_logs_of_the_wrong_shape(hostile, body, problem):
    hostile.route('GET', r'/auditlog$', reply(body))
    expect_shape_error(lambda: list_audit_logs(client_for(hostile.url), ['r1'], END - DAY, END),
                       'RDS instance r1: %s: %s (request id %s)' % (LOGS_API, problem, RID))


POLICY_API = 'RDS GET /v3/{project_id}/instances/{instance_id}/auditlog-policy'
ACTIONS_TEXT = 'JSON text of an object mapping categories to comma-separated actions (or a list of actions)'


@pytest.mark.parametrize('body,problem', [
    ({'keep_days': '30', 'audit_types': []}, "field 'keep_days' is a string ('30'), expected an integer"),
    ({'keep_days': None}, "field 'keep_days' is null, expected a non-negative integer"),
    ({'audit_types': ['SELECT']}, "field 'keep_days' is missing, expected a non-negative integer"),
    ({'keep_days': 7.5}, "field 'keep_days' is a number (7.5), expected a non-negative integer"),
    ({'keep_days': 7, 'audit_types': 'SELECT'}, "field 'audit_types' is a string ('SELECT'), expected a list"),
    # all_audit_log_action: JSON text of an object (documented) or a list; nothing else (issue 19).
    ({'keep_days': 7, 'all_audit_log_action': 'INSERT,SELECT'}, "field 'all_audit_log_action' is a string ('INSERT,SELECT'), expected " + ACTIONS_TEXT),
    ({'keep_days': 7, 'all_audit_log_action': '["INSERT"]'}, "field 'all_audit_log_action' is a string ('[\"INSERT\"]'), expected " + ACTIONS_TEXT),
    ({'keep_days': 7, 'all_audit_log_action': '{"DML": 3}'}, "field 'all_audit_log_action' is a string ('{\"DML\": 3}'), expected " + ACTIONS_TEXT),
    ({'keep_days': 7, 'all_audit_log_action': {'DML': 'INSERT'}}, "field 'all_audit_log_action' is an object, expected " + ACTIONS_TEXT),
    ({'keep_days': 7, 'all_audit_log_action': 7}, "field 'all_audit_log_action' is a number (7), expected " + ACTIONS_TEXT),
    ({'keep_days': 7, 'all_audit_log_action': ['INSERT', 3]}, "field 'all_audit_log_action' is a list, expected " + ACTIONS_TEXT),
])
def test_audit_policy_of_the_wrong_shape_is_neither_on_nor_off(hostile, body, problem):
    hostile.route('GET', r'/auditlog-policy$', reply(body))
    expect_shape_error(lambda: get_audit_policies(client_for(hostile.url), ['r1']),
                       'RDS instance r1: %s: %s (request id %s)' % (POLICY_API, problem, RID))


def test_audit_policy_of_the_documented_shape(hostile):
    hostile.route('GET', r'/auditlog-policy$', reply({'keep_days': 0, 'audit_types': None}))
    assert get_audit_policies(client_for(hostile.url), ['r1']) == [
        {'instance_id': 'r1', 'keep_days': 0, 'audit_types': [], 'all_audit_log_action': [], 'audit_log_action_categories': {},
         'enabled': False}]


@pytest.mark.parametrize('workers', [1, 8])
def test_a_total_of_30000_with_empty_pages_does_not_decide_the_fan_out(hostile, workers):
    def scopes(request, send):
        offset = int(request['query'].get('offset', '0'))
        items = [{'id': 'scope-%d' % n} for n in range(1000)] if offset == 0 else []
        reply({'scopes': items, 'total': 30000})(request, send)

    hostile.route('GET', r'/rule/scopes$', scopes)
    with pytest.raises(PaginationError) as info:
        list_audit_scopes(client_for(hostile.url), ['a'], max_workers=workers)
    assert str(info.value) == ('audit instance a: the page at offset 1000 has 0 scopes although the service reports '
                               '30000 in all; stopped after 1000 (request id %s)' % RID)
    assert len(info.value.partial_results) == 1000
    # The old scheduler sent 29 requests at once after the first page (30 in all), and reported no error.
    assert 2 <= len(hostile.requests_to(r'/rule/scopes$')) <= 1 + workers


def test_every_failed_audit_instance_is_named(sim):
    data = sim.data.regions['cn-north-4']
    good = [instance['id'] for instance in data.instances[:3]]
    ids = [good[0], 'missing-a', good[1], 'missing-b', 'missing-c', good[2]]
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_scopes(sim_client(sim), ids, max_workers=4)
    message = str(info.value)
    assert message.startswith('3 audit instances failed: missing-a: GET /v1/%s/audit/missing-a/rule/scopes failed: '
                              'HTTP 400 DBSS.10021004: ' % data.project_id)
    assert '; missing-b: GET ' in message and '; missing-c: GET ' in message
    records = dict((record['path'].split('/')[4], record) for record in sim_requests(sim, r'/rule/scopes$'))
    assert message.count('(request id ') == 3
    assert '(request id %s)' % records['missing-c']['request_id'] in message
    assert info.value.request_id == records['missing-a']['request_id']
    assert (info.value.status, info.value.error_code) == (400, 'DBSS.10021004')
    assert [scope['id'] for scope in info.value.partial_results] == [
        scope['id'] for instance_id in good for scope in data.scopes[instance_id]]


def test_every_failed_rds_instance_is_named_once_whatever_its_windows(sim):
    data = sim.data.regions['cn-north-4']
    policies = get_audit_policies(sim_client(sim), list(data.audit_policies))
    with pytest.raises(HuaweiCloudError) as info:
        get_audit_policies(sim_client(sim), ['gone-1', policies[0]['instance_id'], 'gone-2'])
    assert str(info.value).startswith('2 RDS instances failed: gone-1: GET ')
    assert '; gone-2: GET ' in str(info.value) and str(info.value).count('DBS.200002') == 2
    assert info.value.partial_results == [policies[0]]
    end = sim.now
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_logs(sim_client(sim), ['gone-1', 'gone-2'], end - 90 * DAY, end, max_workers=4)
    # Four windows each, one line each.
    assert str(info.value).startswith('2 RDS instances failed: gone-1: GET ')
    assert str(info.value).count('DBS.200002') == 2
