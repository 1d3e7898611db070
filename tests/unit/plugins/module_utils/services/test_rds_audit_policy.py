"""Setting the RDS audit log policy (issue "Compliance that auditors and operators act on"): options refused before
any request, the change planned from the live policy, and writes over real HTTP that are never repeated blindly.

The simulator is this module's own (its policies change); the "write took effect but its answer was lost" cases
run against tests/support/hostile_server.py, since a simulator fault answers before the write happens."""

import json
import threading

import pytest

from hostile_server import HostileServer, json_reply
from hwtest_support import seeded_policies_restored, sim_requests

from dbaudit_simulator import Simulator, SimulatorConfig

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import FanOutError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, HuaweiCloudError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds_audit_policy import (
    AuditPolicyUpdate,
    desired_policy,
    plan_change,
)

REGION = 'cn-north-4'
POLICY = r'/auditlog-policy$'
PROJECT = '0' * 32
ACTIONS = ['INSERT', 'UPDATE', 'DELETE', 'SELECT', 'GRANT']


@pytest.fixture(scope='module')
def own_simulator():
    with Simulator(SimulatorConfig(regions=(REGION,), instances=1, scopes_per_instance=0, databases_per_instance=0)) as server:
        yield server


@pytest.fixture
def sim(own_simulator):
    """The module's simulator; every test starts from the seeded policies (the tests change them)."""
    with seeded_policies_restored(own_simulator, REGION) as server:
        yield server


def sim_client(sim, max_retries=2):
    config = ClientConfig({'region': REGION, 'project_id': sim.data.regions[REGION].project_id,
                           'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key'],
                           'endpoints': {'dbss': sim.url, 'rds': sim.url, 'iam': sim.url}, 'max_retries': max_retries},
                          environ={})
    return HuaweiCloudClient(config, sleep=lambda seconds: None, pool_size=8)


def policies_of(sim):
    return sim.data.regions[REGION].audit_policies


def instance_where(sim, enabled, exclude=()):
    """A MySQL instance (the engine with audit types; PostgreSQL policies are seeded too) with the audit log on/off."""
    mysql = {rds['id'] for rds in sim.data.regions[REGION].rds_instances if rds['datastore']['type'] == 'MySQL'}
    return next(rds_id for rds_id, policy in sorted(policies_of(sim).items())
                if (policy['keep_days'] > 0) == enabled and rds_id not in exclude and rds_id in mysql)


def update(client, ids, check_mode=False, **options):
    options.setdefault('state', 'present')
    return AuditPolicyUpdate(client, ids, desired_policy(**options), max_workers=4, check_mode=check_mode, sleep=lambda s: None)


# options, before any request -------------------------------------------------------------------------------------

@pytest.mark.parametrize('options, words', [
    (dict(state='present', keep_days=5000), ['keep_days', 'between 1 and 732', '5000']),
    (dict(state='present', keep_days=0), ['keep_days', 'between 1 and 732', 'state=absent']),
    (dict(state='present'), ['keep_days is required', 'between 1 and 732']),
    (dict(state='absent', keep_days=30), ['keep_days is not allowed with state=absent', 'between 1 and 732']),
    (dict(state='absent', audit_types=['INSERT']), ['audit_types is not allowed with state=absent']),
    (dict(state='present', keep_days=30, audit_types=['INSERT', 'insert', '', 'DROP TABLE']),
     ["'insert', '', 'DROP TABLE' is not an audit log action", 'allowed values: the actions the instance offers',
      'all_audit_log_action']),
])
def test_bad_options_are_refused_with_the_option_and_what_it_allows(options, words):
    with pytest.raises(HuaweiCloudConfigError) as caught:
        desired_policy(**options)
    message = str(caught.value)
    assert '\n' not in message
    for word in words:
        assert word in message


def test_any_action_name_passes_the_options_check_the_instance_decides():
    # Which actions are allowed is the instance's own all_audit_log_action, checked after reading it (below).
    wanted = ['INSERT', 'CHANGE_DB', 'BEGIN/COMMIT/ROLLBACK', 'SHOW', 'INSERT']
    assert desired_policy('present', 30, wanted)['audit_types'] == sorted(set(wanted))


# the planned change ----------------------------------------------------------------------------------------------

def live(keep_days, audit_types=(), actions=None):
    return {'instance_id': 'i', 'keep_days': keep_days, 'audit_types': list(audit_types),
            'all_audit_log_action': list(ACTIONS if actions is None else actions), 'enabled': keep_days > 0}


@pytest.mark.parametrize('policy, options, after, body', [
    # the same policy, audit types in another order: no write
    (live(180, ['UPDATE', 'INSERT']), dict(keep_days=180, audit_types=['INSERT', 'UPDATE']), None, None),
    (live(180, ['INSERT']), dict(keep_days=180), None, None),
    # keep_days alone: the filter is sent again, unchanged
    (live(7, ['INSERT']), dict(keep_days=180),
     {'keep_days': 180, 'audit_types': ['INSERT'], 'enabled': True}, {'keep_days': 180, 'audit_types': ['INSERT']}),
    # an engine that lists no actions (not MySQL) is sent no audit types
    (live(7, [], actions=()), dict(keep_days=180),
     {'keep_days': 180, 'audit_types': [], 'enabled': True}, {'keep_days': 180}),
    (live(180, ['INSERT']), dict(keep_days=180, audit_types=[]),
     {'keep_days': 180, 'audit_types': [], 'enabled': True}, {'keep_days': 180, 'audit_types': []}),
    (live(0), dict(state='absent'), None, None),
    (live(30, ['INSERT']), dict(state='absent', reserve_auditlogs=False),
     {'keep_days': 0, 'audit_types': [], 'enabled': False}, {'keep_days': 0, 'reserve_auditlogs': False}),
])
def test_the_change_is_computed_from_the_live_policy(policy, options, after, body):
    options.setdefault('state', 'present')
    planned_after, planned_body = plan_change(policy, desired_policy(**options))
    assert planned_body == body
    before = {'keep_days': policy['keep_days'], 'audit_types': sorted(policy['audit_types']), 'enabled': policy['keep_days'] > 0}
    assert planned_after == (after or before)


# against the simulator -------------------------------------------------------------------------------------------

def test_turn_on_writes_once_then_nothing_and_diff_shows_each_instance(sim):
    off = instance_where(sim, enabled=False)
    on = instance_where(sim, enabled=True)
    before_on = dict(policies_of(sim)[on])
    result = update(sim_client(sim), [off, on], keep_days=before_on['keep_days'], audit_types=['INSERT', 'DELETE']).run()

    assert result['changed'] is True
    assert [policy['instance_id'] for policy in result['policies']] == [off, on]
    assert result['policies'][0]['before'] == {'keep_days': 0, 'audit_types': [], 'enabled': False}
    assert result['policies'][0]['after'] == {'keep_days': before_on['keep_days'], 'audit_types': ['DELETE', 'INSERT'], 'enabled': True}
    puts = sim_requests(sim, POLICY, 'PUT')
    changed = [policy['instance_id'] for policy in result['policies'] if policy['changed']]
    assert len(puts) == len(changed) == len(result['writes'])
    assert all(write['outcome'] == 'completed' for write in result['writes'])
    assert [entry['before_header'] for entry in result['diff']] == ['RDS instance %s audit log policy' % rds_id for rds_id in changed]
    assert 'keep_days: 0\n' in result['diff'][0]['before']
    assert 'audit_types: [DELETE, INSERT]\nenabled: true\n' in result['diff'][0]['after']
    for rds_id in (off, on):
        assert policies_of(sim)[rds_id]['keep_days'] == before_on['keep_days']
        assert sorted(policies_of(sim)[rds_id]['audit_types']) == ['DELETE', 'INSERT']

    sim.reset_requests()
    again = update(sim_client(sim), [off, on], keep_days=before_on['keep_days'], audit_types=['DELETE', 'INSERT']).run()
    assert again['changed'] is False and again['writes'] == [] and again['diff'] == []
    assert sim_requests(sim, POLICY, 'PUT') == []
    assert len(sim_requests(sim, POLICY, 'GET')) == 2


def test_check_mode_reports_the_change_and_writes_nothing(sim):
    on = instance_where(sim, enabled=True)
    before = dict(policies_of(sim)[on])
    result = update(sim_client(sim), [on], check_mode=True, state='absent').run()
    assert result['changed'] is True
    assert result['policies'][0]['after'] == {'keep_days': 0, 'audit_types': [], 'enabled': False}
    assert result['writes'] == [] and len(result['diff']) == 1
    assert sim_requests(sim, POLICY, 'PUT') == []
    assert policies_of(sim)[on] == before


def test_a_5xx_before_the_write_reads_again_and_writes_again(sim):
    off = instance_where(sim, enabled=False)
    sim.add_fault('status', path=off + POLICY, method='PUT', status=503, times=1)
    result = update(sim_client(sim), [off], keep_days=90).run()
    assert [write['outcome'] for write in result['writes']] == ['not_applied', 'completed']
    assert result['writes'][0]['status'] == 503 and 'SYS.5000' in result['writes'][0]['error']
    assert [record['method'] for record in sim_requests(sim, off + POLICY)] == ['GET', 'PUT', 'GET', 'PUT']
    assert policies_of(sim)[off]['keep_days'] == 90


def test_writes_that_keep_failing_stop_after_max_retries_and_are_all_reported(sim):
    off = instance_where(sim, enabled=False)
    sim.add_fault('status', path=off + POLICY, method='PUT', status=500)
    with pytest.raises(HuaweiCloudError) as caught:
        update(sim_client(sim, max_retries=2), [off], keep_days=90).run()
    assert 'HTTP 500' in str(caught.value) and off in str(caught.value)
    assert len(sim_requests(sim, POLICY, 'PUT')) == 3
    assert [write['outcome'] for write in caught.value.result['writes']] == ['not_applied'] * 3
    assert caught.value.result['changed'] is False
    assert policies_of(sim)[off]['keep_days'] == 0


def test_a_failed_instance_does_not_stop_the_others_and_every_failure_is_named(sim):
    off = instance_where(sim, enabled=False)
    with pytest.raises(FanOutError) as caught:
        update(sim_client(sim), ['nope-1', off, 'nope-2'], keep_days=45).run()
    message = str(caught.value)
    assert message.startswith('2 RDS instances failed: nope-1: ') and 'nope-2: ' in message and 'DBS.200002' in message
    assert [policy['instance_id'] for policy in caught.value.partial_results] == [off]
    assert caught.value.result['changed'] is True
    assert [write['instance_id'] for write in caught.value.result['writes']] == [off]
    assert policies_of(sim)[off]['keep_days'] == 45


def offered(sim, rds_id):
    """The actions the simulator's policy offers, read from its JSON text as the API reference prints it."""
    return [action for actions in json.loads(policies_of(sim)[rds_id]['all_audit_log_action']).values() for action in actions.split(',')]


def test_change_db_is_documented_and_offered_so_it_is_accepted(sim):
    off = instance_where(sim, enabled=False)
    assert 'CHANGE_DB' in offered(sim, off)
    result = update(sim_client(sim), [off], keep_days=30, audit_types=['CHANGE_DB', 'INSERT']).run()
    assert result['changed'] is True and sorted(policies_of(sim)[off]['audit_types']) == ['CHANGE_DB', 'INSERT']


@pytest.mark.parametrize('wanted', [['OTHERS'], ['INSERT', 'CONFIG'], ['FLUSH'], ['SHOW']])
def test_an_audit_type_the_instances_do_not_offer_fails_before_any_write(sim, wanted):
    off = instance_where(sim, enabled=False)
    on = instance_where(sim, enabled=True)
    with pytest.raises(HuaweiCloudConfigError) as caught:
        update(sim_client(sim), [on, off], keep_days=30, audit_types=wanted).run()
    message = str(caught.value)
    refused = [item for item in wanted if item not in offered(sim, on)]
    assert message.startswith('audit_types: %s not offered by RDS instance %s; allowed values: %s' % (
        ', '.join(refused), on, ', '.join(offered(sim, on))))
    assert '(and 1 more RDS instances)' in message and '\n' not in message
    # Both policies were read, nothing was written to either.
    assert len(sim_requests(sim, POLICY, 'GET')) == 2 and sim_requests(sim, POLICY, 'PUT') == []


def test_an_instance_that_offers_no_action_takes_no_audit_type(sim):
    postgres = next(rds['id'] for rds in sim.data.regions[REGION].rds_instances if rds['datastore']['type'] == 'PostgreSQL')
    with pytest.raises(HuaweiCloudConfigError) as caught:
        update(sim_client(sim), [postgres], keep_days=30, audit_types=['INSERT']).run()
    assert 'offers no audit log action' in str(caught.value) and postgres in str(caught.value)
    assert sim_requests(sim, POLICY, 'PUT') == []


# the answer of a write that took effect is lost (hostile server) ---------------------------------------------------

class FlakyPolicyApi:
    """The policy API on a hostile server: each PUT takes effect, then its answer is spoilt by ``spoil(send)``
    for the first ``spoilt`` writes."""

    def __init__(self, server, spoil, spoilt=1, apply_write=True):
        self.policy = {'keep_days': 0, 'audit_types': [], 'all_audit_log_action': ACTIONS}
        self.spoil = spoil
        self.spoilt = spoilt
        self.apply_write = apply_write
        self.lock = threading.Lock()
        server.route('GET', POLICY, self._get)
        server.route('PUT', POLICY, self._put)

    def _get(self, request, send):
        with self.lock:
            document = dict(self.policy)
        json_reply(document)(request, send)

    def _put(self, request, send):
        body = json.loads(request['body'])
        with self.lock:
            if self.apply_write:
                self.policy.update(keep_days=body['keep_days'], audit_types=body.get('audit_types', self.policy['audit_types']))
            spoil = self.spoilt > 0
            self.spoilt -= 1
        if spoil:
            self.spoil(send)
        else:
            json_reply({'status': 'COMPLETED'})(request, send)


def hostile_client(server, max_retries=3):
    config = ClientConfig({'region': REGION, 'project_id': PROJECT, 'access_key': 'AKPOLICYTEST', 'secret_key': 'SK-policy-secret-value',
                           'endpoints': {'dbss': server.url, 'rds': server.url, 'iam': server.url},
                           'max_retries': max_retries, 'timeout': 5}, environ={})
    return HuaweiCloudClient(config, sleep=lambda seconds: None)


def lost(_send):
    """The connection closes without an answer."""


def service_unavailable(send):
    json_reply({'error_code': 'SYS.5000', 'error_msg': 'busy'}, status=503)(None, send)


@pytest.mark.parametrize('spoil, status', [(lost, None), (service_unavailable, 503)])
def test_a_write_that_took_effect_but_lost_its_answer_is_not_sent_again(spoil, status):
    with HostileServer() as server:
        api = FlakyPolicyApi(server, spoil)
        result = update(hostile_client(server), ['rds1in01'], keep_days=180).run()
        assert len(server.requests_to(POLICY, 'PUT')) == 1
        assert len(server.requests_to(POLICY, 'GET')) == 2
        assert result['changed'] is True
        assert [(write['outcome'], write['status']) for write in result['writes']] == [('took_effect', status)]
        assert result['writes'][0]['body'] == {'keep_days': 180, 'audit_types': []}
        assert api.policy['keep_days'] == 180
        assert 'SK-policy-secret-value' not in json.dumps(result)


def test_a_refused_write_is_not_read_again_nor_repeated():
    with HostileServer() as server:
        FlakyPolicyApi(server, lambda send: json_reply({'error_code': 'DBS.200001', 'error_msg': 'no'}, status=400)(None, send),
                       apply_write=False)
        with pytest.raises(HuaweiCloudError) as caught:
            update(hostile_client(server), ['rds1in01'], keep_days=180).run()
        assert 'DBS.200001' in str(caught.value)
        assert len(server.requests_to(POLICY, 'PUT')) == 1 and len(server.requests_to(POLICY, 'GET')) == 1
        assert [write['outcome'] for write in caught.value.result['writes']] == ['refused']
