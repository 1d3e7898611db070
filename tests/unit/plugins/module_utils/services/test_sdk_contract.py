"""Contract test (issue 19): every request the collection's client sends to the simulator, and every answer the
simulator serves, checked against the official SDK's models (tests/support/sdk_contract.py).

The client and the simulator were written from the same assumptions, so a wrong one could never fail a test; the SDK
was written by Huawei from the service's own definitions. The traffic is recorded while every client call runs (every
API, both instance-list shapes, the legacy paths the client falls back to, every authentication), then each exchange
is matched to its SDK operation by method and path alone, and checked. Every simulator route is either exercised and
checked here or listed in NOT_USED with the reason."""

import datetime
import re

import pytest

import sdk_contract
from hwtest_support import seeded_policies_restored

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services import dbss
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services import dbss_audit_data
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services import dbss_rules
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services import rds
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services import rds_audit_policy
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import list_audit_databases, list_audit_instances, list_audit_scopes
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_audit_data import list_audit_alarms, list_audit_sqls
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_rules import get_audit_rules
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import (
    get_audit_log_links,
    get_audit_policies,
    list_audit_logs,
    list_rds_instances,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds_audit_policy import AuditPolicyUpdate, desired_policy

REGION = 'cn-north-4'
MEMBER = 'hwsim-member-1'
AUDITOR = 'dbaudit_auditor'
# Simulator routes the collection never calls, each with the reason (everything else must be exercised below).
NOT_USED = {
    r'GET /v1/(?P<project_id>[0-9A-Za-z_-]{1,64})/dbss/audit/instances':
        'the deprecated ListAuditInstances path: served for the official SDK tests (test_sdk_fidelity.py) only',
    r'POST /v1/(?P<project_id>[0-9A-Za-z_-]{1,64})/(?P<instance_id>[0-9A-Za-z_.-]{1,128})/audit/sqls':
        'ListAuditSqls (v1) is being taken offline: the client uses ListAuditSqlsNew and has no fallback',
}
# The v2/"New" paths whose gateway 404 (APIGW.0101) sends the client to the legacy path.
NEW_PATHS_WITH_A_LEGACY_FALLBACK = (r'^/v2/[^/]+/audit/[^/]+/alarm-log$', r'^/v1/[^/]+/audit/[^/]+/rule/risk$',
                                    r'^/v1/[^/]+/audit/[^/]+/rule/sqls$', r'^/v2/[^/]+/audit/[^/]+/alarm/topic$')


def client(sim, **params):
    settings = dict(region=REGION, endpoints={'dbss': sim.url, 'rds': sim.url, 'iam': sim.url}, max_retries=0)
    if not any(key in params for key in ('user_name', 'auth_token')):
        settings.update(access_key=sim.credentials['access_key'], secret_key=sim.credentials['secret_key'])
    settings.update(params)
    return HuaweiCloudClient(ClientConfig(settings, environ={}), sleep=lambda seconds: None, pool_size=4)


def exercise_every_client_call(sim):
    """Every call the collection's modules, inventory and role make, once, against the simulator."""
    region = sim.data.regions[REGION]
    creds = sim.credentials
    end = sim.now
    start = end - datetime.timedelta(days=2)
    instance_ids = [item['id'] for item in region.instances]
    # No project_id: the AK/SK client looks it up (GET /v3/projects); the password client gets a token first.
    api = client(sim)
    list_audit_instances(client(sim, user_name=creds['user_name'], password=creds['password'], domain_name=creds['domain_name']))
    list_audit_instances(api)
    sim.set_instance_shape('instances')
    try:
        list_audit_instances(api)
    finally:
        sim.set_instance_shape('servers')
    list_audit_scopes(api, instance_ids)
    list_audit_databases(api, instance_ids)
    get_audit_rules(api, instance_ids[:2])
    list_audit_sqls(api, region.drop_table_instances[:1], start, end, limit=300,
                    filters={'risk_levels': ['HIGH'], 'query_type': 'DROP_TABLE', 'db_user': 'root'})
    list_audit_sqls(api, region.drop_table_instances[:1], start, end, limit=50, filters={'statement_contains': 'drop'})
    list_audit_alarms(api, instance_ids[:2], start, end, risk_levels=['HIGH', 'MEDIUM'], status='UNDO', limit=100)
    list_audit_alarms(api, instance_ids[:1], start, end, alarm_type='RISK_RULE', limit=20)
    rds_instances = list_rds_instances(api, datastore_type=None)
    list_rds_instances(api, datastore_type='MySQL', name=rds_instances[0]['name'])
    with_logs = [rds_id for rds_id, spec in region.audit_logs.items() if spec]
    files = list_audit_logs(api, with_logs[:1], end - datetime.timedelta(days=40), end)
    get_audit_log_links(api, with_logs[0], [item['id'] for item in files[:3]])
    get_audit_policies(api, sorted(region.audit_policies))
    mysql = sorted(rds_id for rds_id in region.audit_policies if rds_id in {item['id'] for item in region.rds_instances
                                                                            if item['datastore']['type'] == 'MySQL'})
    AuditPolicyUpdate(api, mysql[:2], desired_policy('present', 400, ['INSERT', 'CHANGE_DB'])).run()
    AuditPolicyUpdate(api, mysql[:1], desired_policy('absent', reserve_auditlogs=False)).run()
    # The legacy paths: the gateway does not know the v2/"New" ones.
    for pattern in NEW_PATHS_WITH_A_LEGACY_FALLBACK:
        sim.add_fault('status', path=pattern, status=404, error_code='APIGW.0101', error_msg='API not found')
    legacy = client(sim, project_id=region.project_id)
    get_audit_rules(legacy, instance_ids[:1])
    list_audit_alarms(legacy, instance_ids[:1], start, end, limit=20)
    sim.clear_faults()
    # Another account through an IAM agency (POST /v3.0/OS-CREDENTIAL/securitytokens, then its projects).
    list_audit_instances(client(sim, agency_name=AUDITOR, agency_domain_name=MEMBER, agency_duration=900))


@pytest.fixture(scope='module')
def recorded(simulator):
    with seeded_policies_restored(simulator, REGION) as sim:
        with sim.recording_exchanges() as exchanges:
            exercise_every_client_call(sim)
        yield sim, list(exchanges)


def successful(exchanges):
    return [exchange for exchange in exchanges if 200 <= exchange['status'] < 300]


def test_every_request_and_answer_fits_the_sdk_models(recorded):
    _sim, exchanges = recorded
    problems = []
    for exchange in successful(exchanges):
        operation, found = sdk_contract.check_exchange(exchange['method'], exchange['path'], exchange['query'],
                                                       exchange['request_body'], exchange['response_body'])
        problems += ['%s %s (%s): %s' % (exchange['method'], exchange['path'], operation and operation.name, item) for item in found]
    assert not problems, '\n'.join(sorted(set(problems)))


def test_every_simulator_route_the_collection_uses_is_checked(recorded):
    sim, exchanges = recorded
    checked = {exchange['route'] for exchange in successful(exchanges)}
    unchecked = [route for route in sim.routes if route not in checked and route not in NOT_USED]
    assert not unchecked, 'simulator routes the contract test never exercised: %s' % unchecked
    assert not checked & set(NOT_USED), 'routes listed as unused are used: %s' % (checked & set(NOT_USED))


def test_every_api_the_collection_names_is_an_sdk_operation_that_was_checked(recorded):
    """Each ``*_API = 'SERVICE METHOD PATH'`` of module_utils is the operation of a checked exchange."""
    _sim, exchanges = recorded
    checked = {sdk_contract.check_exchange(item['method'], item['path'], item['query'], item['request_body'],
                                           item['response_body'])[0].name for item in successful(exchanges)}
    named = {}
    for module in (dbss, dbss_audit_data, dbss_rules, rds, rds_audit_policy):
        for attr, value in vars(module).items():
            if attr.endswith('_API') and isinstance(value, str):
                _service, method, path = value.split(' ', 2)
                named[value] = [operation.name for operation in sdk_contract.sdk_operations()
                                if operation.method == method and operation.path == path]
    assert len(named) >= 15
    missing = dict((api, operations) for api, operations in named.items() if not set(operations) & checked)
    assert not missing, 'APIs the collection calls without a checked SDK operation: %s' % missing


def test_the_checker_refuses_the_old_list_shaped_all_audit_log_action():
    operation = sdk_contract.operation_named('ShowAuditlogPolicy')
    old = {'keep_days': 7, 'audit_types': ['INSERT'], 'all_audit_log_action': ['INSERT', 'SELECT']}
    assert sdk_contract.check_response_body(old, operation) == ['all_audit_log_action: a list, the SDK model says str']


@pytest.mark.parametrize('document, problem', [
    ({'auditlogs': [{'id': 'a', 'size': '1.5'}], 'total_record': 1}, 'auditlogs[0].size: a string, the SDK model says float'),
    ({'auditlogs': [{'id': 'a', 'sizes': 1.5}], 'total_record': 1}, 'auditlogs[0].sizes: not a field of the SDK model Auditlog'),
    ({'auditlogs': {}, 'total_record': 1}, 'auditlogs: an object, the SDK model says list[Auditlog]'),
    ({'auditlogs': [], 'total_record': True}, 'total_record: a boolean, the SDK model says int'),
    ({'auditlogs': ['a'], 'total_record': 1}, 'auditlogs[0]: a string, the SDK model says an object (Auditlog)'),
])
def test_the_checker_names_wrong_types_and_unknown_fields(document, problem):
    assert sdk_contract.check_response_body(document, sdk_contract.operation_named('ListAuditlogs')) == [problem]


def test_the_checker_names_unknown_query_parameters_and_body_fields():
    listing = sdk_contract.operation_named('ListAuditlogs')
    assert sdk_contract.check_query({'offset': 'x', 'limit': '5', 'page': '1'}, listing) == [
        "query offset='x': the SDK model says int", 'query page: not a query parameter of the SDK model ListAuditlogsRequest']
    write = sdk_contract.operation_named('SetAuditlogPolicy')
    assert sdk_contract.check_request_body(b'{"keep_days": "7", "types": []}', write) == [
        'body.keep_days: a string, the SDK model says int', 'body.types: not a field of the SDK model SetAuditlogPolicyRequestBody']


def test_the_path_alone_names_the_operation():
    assert [op.name for op in sdk_contract.operations_for('GET', '/v3/p/instances/i/auditlog-policy')] == ['ShowAuditlogPolicy']
    assert [op.name for op in sdk_contract.operations_for('PUT', '/v3/p/instances/i/auditlog-policy')] == ['SetAuditlogPolicy']
    assert sdk_contract.operations_for('GET', '/v3/p/instances/i/auditlog-policy/x') == []
    assert re.match(r'^ListAudit', sdk_contract.operations_for('GET', '/v1/p/audit/instances')[0].name)
