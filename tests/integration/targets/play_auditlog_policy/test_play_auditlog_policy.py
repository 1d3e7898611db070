"""``rds_auditlog_policy`` as a user runs it: real ``ansible-playbook`` against a simulator of this module's own, whose
policies the writes change (issue "Compliance that auditors and operators act on").

Expected values come from the simulator's seeded policies (``sim.data``); every test starts from them (they are put
back after each test), so the tests need no order and may run on separate workers."""

import copy
import json

import pytest

from hwtest_support import seeded_policies_restored, sim_requests

from dbaudit_simulator import Simulator, SimulatorConfig

# The playbook tests of rds_auditlog_policy (check mode, --diff, idempotence, argument errors) on every
# ansible-core line (docs/contributing.md, "Tests").
pytestmark = pytest.mark.all_core_lines

REGION = 'cn-north-4'
POLICY = r'/auditlog-policy$'


@pytest.fixture(scope='module')
def policy_simulator():
    server = Simulator(SimulatorConfig(regions=(REGION,)))
    server.start(host='127.0.0.1', port=0)
    yield server
    server.stop()


@pytest.fixture
def sim(policy_simulator):
    with seeded_policies_restored(policy_simulator, REGION) as server:
        yield server


@pytest.fixture(scope='module')
def chosen(policy_simulator):
    """Two MySQL instances with the audit log off and one with it on, as seeded."""
    region = policy_simulator.data.regions[REGION]
    policies = region.audit_policies
    # MySQL only (the tests set audit types; PostgreSQL policies are seeded too and take none).
    mysql = {rds['id'] for rds in region.rds_instances if rds['datastore']['type'] == 'MySQL'}
    off = sorted(rds_id for rds_id, policy in policies.items() if policy['keep_days'] == 0 and rds_id in mysql)[:2]
    on = sorted(rds_id for rds_id, policy in policies.items() if policy['keep_days'] > 0 and rds_id in mysql)[0]
    assert len(off) == 2, 'the seeded data must have two MySQL instances with the audit log off'
    return {'off': off, 'on': on, 'seeded': copy.deepcopy(policies)}


def credentials(sim):
    return {'HW_ACCESS_KEY': sim.credentials['access_key'], 'HW_SECRET_KEY': sim.credentials['secret_key']}


def policies(sim):
    return sim.data.regions[REGION].audit_policies


def puts(sim):
    return sim_requests(sim, POLICY, 'PUT')


def test_check_mode_reports_the_change_with_diff_and_writes_nothing(sim, run_playbook, chosen):
    args = {'instance_ids': chosen['off'], 'keep_days': 180, 'audit_types': ['INSERT', 'UPDATE', 'DELETE']}
    run = run_playbook('rds_auditlog_policy', {'module_args': args}, env=credentials(sim), check=True, diff=True)
    assert run.rc == 0, run.output
    assert run.result['changed'] is True
    assert puts(sim) == [] and run.result['writes'] == []
    for rds_id in chosen['off']:
        assert policies(sim)[rds_id] == chosen['seeded'][rds_id]
        assert 'before: RDS instance %s audit log policy' % rds_id in run.stdout
    assert '-keep_days: 0' in run.stdout and '+keep_days: 180' in run.stdout
    assert '+audit_types: [DELETE, INSERT, UPDATE]' in run.stdout
    assert [policy['after']['keep_days'] for policy in run.result['policies']] == [180, 180]


def test_present_turns_the_audit_log_on_once_and_the_same_play_again_writes_nothing(sim, run_playbook, chosen):
    args = {'instance_ids': chosen['off'], 'keep_days': 180, 'audit_types': ['INSERT', 'UPDATE', 'DELETE']}
    run = run_playbook('rds_auditlog_policy', {'module_args': args}, env=credentials(sim), diff=True)
    assert run.rc == 0, run.output
    assert run.result['changed'] is True
    assert sorted(record['path'].split('/')[-2] for record in puts(sim)) == sorted(chosen['off'])
    assert [write['outcome'] for write in run.result['writes']] == ['completed', 'completed']
    assert run.result['writes'][0]['body'] == {'keep_days': 180, 'audit_types': ['DELETE', 'INSERT', 'UPDATE']}
    for rds_id, policy in zip(chosen['off'], run.result['policies']):
        seeded = chosen['seeded'][rds_id]
        assert policy == {'instance_id': rds_id, 'changed': True,
                          'before': {'keep_days': seeded['keep_days'], 'audit_types': sorted(seeded['audit_types']), 'enabled': False},
                          'after': {'keep_days': 180, 'audit_types': ['DELETE', 'INSERT', 'UPDATE'], 'enabled': True}}
        assert policies(sim)[rds_id]['keep_days'] == 180
        assert sorted(policies(sim)[rds_id]['audit_types']) == ['DELETE', 'INSERT', 'UPDATE']
    assert '+keep_days: 180' in run.stdout

    sim.reset_requests()
    args['audit_types'] = ['UPDATE', 'DELETE', 'INSERT', 'UPDATE']
    run = run_playbook('rds_auditlog_policy', {'module_args': args}, env=credentials(sim), diff=True)
    assert run.rc == 0, run.output
    assert run.result['changed'] is False
    assert puts(sim) == [] and run.result['writes'] == [] and run.result['diff'] == []
    assert len(sim_requests(sim, POLICY, 'GET')) == 2


def test_absent_turns_the_audit_log_off(sim, run_playbook, chosen):
    args = {'instance_id': chosen['on'], 'state': 'absent', 'reserve_auditlogs': False}
    run = run_playbook('rds_auditlog_policy', {'module_args': args}, env=credentials(sim))
    assert run.rc == 0, run.output
    assert run.result['changed'] is True
    assert run.result['writes'] == [{'instance_id': chosen['on'], 'body': {'keep_days': 0, 'reserve_auditlogs': False},
                                     'outcome': 'completed'}]
    assert run.result['policies'][0]['before']['keep_days'] == chosen['seeded'][chosen['on']]['keep_days']
    assert run.result['policies'][0]['after'] == {'keep_days': 0, 'audit_types': [], 'enabled': False}
    assert len(puts(sim)) == 1 and policies(sim)[chosen['on']]['keep_days'] == 0

    again = run_playbook('rds_auditlog_policy', {'module_args': args}, env=credentials(sim))
    assert again.result['changed'] is False and len(puts(sim)) == 1


@pytest.mark.parametrize('args, words', [
    ({'keep_days': 5000}, ['keep_days', 'between 1 and 732', '5000']),
    ({'keep_days': 30, 'audit_types': ['INSERT', 'insert']}, ["audit_types: 'insert' is not an audit log action", 'allowed values: ']),
    ({'keep_days': 30, 'state': 'absent'}, ['keep_days is not allowed with state=absent']),
    ({}, ['keep_days is required with state=present', 'between 1 and 732']),
    ({'keep_days': 30, 'state': 'off'}, ['state', 'present, absent']),
])
def test_bad_values_are_refused_before_any_request(sim, run_playbook, chosen, args, words):
    run = run_playbook('rds_auditlog_policy', {'module_args': dict(args, instance_ids=chosen['off'])}, env=credentials(sim))
    assert run.result['failed'] is True, run.output
    message = run.result['msg']
    assert '\n' not in message
    for word in words:
        assert word in message, message
    assert sim.requests == []


def test_an_unknown_instance_is_named_and_the_others_are_still_set(sim, run_playbook, chosen):
    args = {'instance_ids': ['no-such-instance', chosen['off'][0]], 'keep_days': 365}
    run = run_playbook('rds_auditlog_policy', {'module_args': args}, env=credentials(sim))
    assert run.result['failed'] is True
    assert 'no-such-instance' in run.result['msg'] and 'DBS.200002' in run.result['msg']
    assert run.result['changed'] is True
    assert [policy['instance_id'] for policy in run.result['policies']] == [chosen['off'][0]]
    assert [write['instance_id'] for write in run.result['writes']] == [chosen['off'][0]]
    assert policies(sim)[chosen['off'][0]]['keep_days'] == 365


def offered(sim, rds_id):
    """The actions the seeded policy offers, from its JSON text (what the API reference prints, issue 19)."""
    return [action for text in json.loads(policies(sim)[rds_id]['all_audit_log_action']).values() for action in text.split(',')]


def test_the_info_module_reads_the_documented_json_text(sim, run_playbook, chosen):
    ids = chosen['off'] + [chosen['on']]
    run = run_playbook('rds_auditlog_policy_info', {'module_args': {'instance_ids': ids}}, env=credentials(sim))
    assert run.result.get('failed') is not True, run.output
    for policy in run.result['policies']:
        text = json.loads(policies(sim)[policy['instance_id']]['all_audit_log_action'])
        assert policy['audit_log_action_categories'] == {name: actions.split(',') for name, actions in text.items()}
        assert policy['all_audit_log_action'] == offered(sim, policy['instance_id'])
        assert 'CHANGE_DB' in policy['audit_log_action_categories']['OTHER']


def test_change_db_is_accepted_and_undocumented_types_are_refused_before_any_write(sim, run_playbook, chosen):
    args = {'instance_ids': chosen['off'], 'keep_days': 30, 'audit_types': ['CHANGE_DB']}
    run = run_playbook('rds_auditlog_policy', {'module_args': args}, env=credentials(sim))
    assert run.result['changed'] is True, run.output
    assert all(policies(sim)[rds_id]['audit_types'] == ['CHANGE_DB'] for rds_id in chosen['off'])

    sim.reset_requests()
    refused = dict(args, audit_types=['INSERT', 'SHOW', 'OTHERS'])
    run = run_playbook('rds_auditlog_policy', {'module_args': refused}, env=credentials(sim))
    assert run.result['failed'] is True
    message = run.result['msg']
    assert message.startswith('audit_types: OTHERS, SHOW not offered by RDS instance %s; allowed values: %s' % (
        chosen['off'][0], ', '.join(offered(sim, chosen['off'][0])))), message
    assert '\n' not in message and puts(sim) == []
