"""The audit posture modules in-process: bad input refused before any request, one-line messages, check mode,
the plural list key, and an empty list when nothing matches."""

import pytest

from hwtest_support import run_module

from ansible_collections.hwcloud.dbaudit.plugins.modules import (
    dbss_database_info,
    dbss_scope_info,
    rds_auditlog_info,
    rds_auditlog_policy_info,
    rds_instance_info,
)

REGION = 'cn-north-4'
PER_INSTANCE = [(dbss_scope_info, 'scopes'), (dbss_database_info, 'databases'), (rds_auditlog_info, 'audit_logs'),
                (rds_auditlog_policy_info, 'policies')]


def connection(sim, **extra):
    args = {'region': REGION, 'endpoints': {'dbss': sim.url, 'iam': sim.url, 'rds': sim.url},
            'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key']}
    args.update(extra)
    return args


def refused(sim, module, args):
    outcome = run_module(module, connection(sim, **args))
    assert outcome.rc == 1
    assert '\n' not in outcome.result['msg']
    assert sim.requests == [], 'bad input must be refused before any request'
    return outcome.result['msg']


@pytest.mark.parametrize('module,key', PER_INSTANCE)
def test_exactly_one_of_instance_id_and_instance_ids(sim, module, key):
    assert 'one of the following is required: instance_id, instance_ids' in refused(sim, module, {})
    assert 'mutually exclusive: instance_id|instance_ids' in refused(sim, module, {'instance_id': 'a',
                                                                                   'instance_ids': ['b']})


@pytest.mark.parametrize('module,key', PER_INSTANCE)
def test_empty_instance_list_gives_an_empty_list_without_requests(sim, module, key):
    outcome = run_module(module, connection(sim, instance_ids=[]))
    assert outcome.rc == 0
    assert outcome.result[key] == []
    assert outcome.result['changed'] is False
    assert sim.requests == []


@pytest.mark.parametrize('module,key', PER_INSTANCE + [(rds_instance_info, 'instances')])
def test_concurrency_is_bounded(sim, module, key):
    args = {'concurrency': 0} if module is rds_instance_info else {'concurrency': 65, 'instance_ids': ['x']}
    assert refused(sim, module, args).startswith('concurrency must be between 1 and 64')


@pytest.mark.parametrize('module', [dbss_scope_info, dbss_database_info])
def test_status_choices_are_named(sim, module):
    message = refused(sim, module, {'instance_id': 'x', 'status': 'on'})
    assert 'status' in message and 'ON' in message and 'OFF' in message


def test_datastore_type_choices_are_named(sim):
    message = refused(sim, rds_instance_info, {'datastore_type': 'Oracle'})
    assert 'datastore_type' in message and 'MySQL' in message and 'PostgreSQL' in message and 'all' in message


@pytest.mark.parametrize('datastore_type', ['all', 'MySQL', 'PostgreSQL', 'SQLServer'])
def test_datastore_type_all_lists_every_engine_in_one_request(sim, datastore_type):
    outcome = run_module(rds_instance_info, connection(sim, datastore_type=datastore_type))
    assert outcome.rc == 0, outcome.result
    seeded = sim.data.regions[REGION].rds_instances
    wanted = [rds['id'] for rds in seeded if datastore_type in ('all', rds['datastore']['type'])]
    assert [item['id'] for item in outcome.result['instances']] == wanted and wanted
    listed = [record for record in sim.requests if record['path'].endswith('/instances') and record['service'] == 'rds']
    assert len(listed) == 1
    assert listed[0]['query'].get('datastore_type') == (None if datastore_type == 'all' else datastore_type)


@pytest.mark.parametrize('times,fragment', [
    ({'start_time': 'last week'}, "start_time: 'last week' is not a valid time; accepted forms: "),
    ({'end_time': '2026-11-01T00:00:00'}, "end_time: '2026-11-01T00:00:00' is not a valid time (a time of day needs"),
    ({'start_time': '-1h', 'end_time': '-2h'}, 'must be after start_time'),
    ({'start_time': 'now'}, 'end_time ('),
])
def test_bad_times_are_refused_before_any_request(sim, times, fragment):
    assert fragment in refused(sim, rds_auditlog_info, dict(times, instance_id='x'))


def test_empty_instance_id_is_refused(sim):
    assert refused(sim, rds_auditlog_policy_info, {'instance_ids': ['ok', ' ']}) == (
        "instance_ids must not be empty, '.' or '..', got ''")


def test_audit_logs_report_the_period_listed(sim):
    rds_id = next(instance_id for instance_id, policy in sim.data.regions[REGION].audit_policies.items()
                  if policy['keep_days'] > 0)
    outcome = run_module(rds_auditlog_info, connection(sim, instance_id=rds_id, start_time='2026-11-01',
                                                       end_time='2026-11-02T08:00:00+08:00', _ansible_check_mode=True))
    assert outcome.rc == 0, outcome.result
    assert (outcome.result['start_time'], outcome.result['end_time']) == ('2026-11-01T00:00:00+0000',
                                                                          '2026-11-02T00:00:00+0000')
    listed = [record for record in sim.requests if record['path'].endswith('/auditlog')]
    assert [(record['query']['start_time'], record['query']['end_time']) for record in listed] == [
        ('2026-11-01T00:00:00+0000', '2026-11-02T00:00:00+0000')]


def test_unknown_instance_returns_what_was_fetched(sim):
    known = sim.data.regions[REGION].instances[0]['id']
    outcome = run_module(dbss_scope_info, connection(sim, instance_ids=[known, 'ghost-instance'], concurrency=1))
    assert outcome.rc == 1
    assert outcome.result['msg'].startswith('audit instance ghost-instance: GET ')
    assert 'HTTP 400 DBSS.10021004' in outcome.result['msg']
    assert [scope['instance_id'] for scope in outcome.result['scopes']] == [known] * len(
        sim.data.regions[REGION].scopes[known])
