"""ansible-playbook runs of the audit posture modules against the simulator, through module_defaults."""

import datetime
import math

import pytest

from hwtest_support import sim_requests

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_api_time, split_windows

# Every read-only module in one playbook, and their argument errors, on every ansible-core line (docs/contributing.md, "Tests").
pytestmark = pytest.mark.all_core_lines

REGION = 'cn-north-4'
DAY = datetime.timedelta(days=1)


def connection(sim):
    return {'region': REGION, 'endpoints': {'dbss': sim.url, 'iam': sim.url, 'rds': sim.url},
            'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key']}


def overlapping(files, start, end):
    return [item for item in files
            if parse_api_time(item['end_time']) >= start and parse_api_time(item['begin_time']) <= end]


def test_every_module_against_seeded_data(sim, run_playbook):
    data = sim.data.regions[REGION]
    end = sim.now - datetime.timedelta(hours=1)
    start = sim.now - 75 * DAY
    extra = {'connection': connection(sim),
             'long_start': start.astimezone(datetime.timezone(datetime.timedelta(hours=8))).strftime('%Y-%m-%dT%H:%M:%S%z'),
             'long_end': end.strftime('%Y-%m-%dT%H:%M:%SZ')}
    run = run_playbook('audit_posture', extra)
    assert run.rc == 0, run.output
    result = run.result

    audit_ids = [instance['id'] for instance in data.instances]
    assert [instance['id'] for instance in result['instances']] == audit_ids
    assert result['scopes'] == [dict(scope, instance_id=instance_id) for instance_id in audit_ids
                                for scope in data.scopes[instance_id]]
    assert result['scopes_on'] == [dict(scope, instance_id=audit_ids[0]) for scope in data.scopes[audit_ids[0]]
                                   if scope['status'] == 'ON']
    assert result['databases'] == [dict(item['database'], instance_id=instance_id) for instance_id in audit_ids
                                   for item in data.databases[instance_id]]

    mysql_ids = [item['id'] for item in data.rds_instances if item['datastore']['type'] == 'MySQL']
    assert [item['id'] for item in result['mysql']] == mysql_ids
    assert [item['id'] for item in result['postgres']] == [
        item['id'] for item in data.rds_instances if item['datastore']['type'] == 'PostgreSQL']
    assert [(policy['instance_id'], policy['keep_days'], policy['enabled']) for policy in result['policies']] == [
        (rds_id, data.audit_policies[rds_id]['keep_days'], data.audit_policies[rds_id]['keep_days'] > 0)
        for rds_id in mysql_ids]

    # More than 30 days: consecutive windows, every file once, sorted, no gap.
    long_period = result['long_period']
    assert long_period['start_time'] == start.strftime('%Y-%m-%dT%H:%M:%S+0000')
    logs = long_period['audit_logs']
    expected = {(rds_id, item['id']) for rds_id in mysql_ids for item in overlapping(data.audit_logs[rds_id], start, end)}
    assert len(logs) == len(expected) > 0
    assert {(item['instance_id'], item['id']) for item in logs} == expected
    begins = [parse_api_time(item['begin_time']) for item in logs]
    assert begins == sorted(begins)
    windows = split_windows(start, end, 30 * DAY)
    assert len(windows) == 3
    crossing = [item for rds_id in mysql_ids for item in data.audit_logs[rds_id]
                if any(parse_api_time(item['begin_time']) < edge <= parse_api_time(item['end_time'])
                       for edge in (windows[1][0], windows[2][0]))]
    assert crossing, 'the seeded data must have files crossing a window boundary'
    minimum = sum(max(1, math.ceil(len(overlapping(data.audit_logs[rds_id], begin, finish)) / 50.0))
                  for rds_id in mysql_ids for begin, finish in windows)
    window_starts = {begin.strftime('%Y-%m-%dT%H:%M:%S+0000') for begin, _finish in windows}
    long_requests = [record for record in sim_requests(sim, r'/auditlog$') if record['query']['start_time'] in window_starts]
    assert len(long_requests) == minimum

    # Relative times: -7d .. -1h, as the module resolved them.
    last_week = result['last_week']
    week_start, week_end = parse_api_time(last_week['start_time']), parse_api_time(last_week['end_time'])
    assert datetime.timedelta(days=7) - datetime.timedelta(hours=1) == week_end - week_start
    rds_id = next(policy['instance_id'] for policy in result['policies'] if policy['enabled'])
    assert [item['id'] for item in last_week['audit_logs']] == [
        item['id'] for item in overlapping(data.audit_logs[rds_id], week_start, week_end)]


def test_bad_input_and_unknown_instances(sim, run_playbook):
    data = sim.data.regions[REGION]
    known_rds = next(rds_id for rds_id, policy in data.audit_policies.items() if policy['keep_days'] > 0)
    run = run_playbook('audit_bad_input', {'connection': connection(sim), 'known_audit_instance': data.instances[0]['id'],
                                           'known_rds_instance': known_rds})
    assert run.rc == 0, run.output
    outcomes = run.result
    for name, outcome in outcomes.items():
        assert outcome['failed'] is True, name
        assert '\n' not in outcome['msg'], name
    assert 'Traceback' not in run.output
    msg = dict((name, outcome['msg']) for name, outcome in outcomes.items())
    assert 'one of the following is required: instance_id, instance_ids' in msg['scopes_no_instance']
    assert 'status' in msg['scopes_bad_status'] and 'ON' in msg['scopes_bad_status'] and 'enabled' in msg['scopes_bad_status']
    assert msg['scopes_unknown'].startswith('audit instance ghost-audit-instance: ')
    assert 'HTTP 400 DBSS.10021004' in msg['scopes_unknown'] and '(request id ' in msg['scopes_unknown']
    assert [scope['instance_id'] for scope in outcomes['scopes_unknown']['scopes']] == (
        [data.instances[0]['id']] * len(data.scopes[data.instances[0]['id']]))
    assert msg['databases_unknown'].startswith('audit instance ghost-audit-instance: ')
    assert "start_time: 'last tuesday' is not a valid time; accepted forms:" in msg['logs_bad_start']
    assert 'a time of day needs a time zone' in msg['logs_no_zone']
    assert 'must be after start_time' in msg['logs_backwards']
    assert msg['logs_unknown'].startswith('RDS instance ghost-rds-instance: ') and 'HTTP 404 DBS.200002' in msg['logs_unknown']
    assert msg['policy_unknown'].startswith('RDS instance ghost-rds-instance: ') and 'DBS.200002' in msg['policy_unknown']
    assert 'datastore_type' in msg['rds_bad_engine'] and 'MySQL' in msg['rds_bad_engine']
    assert msg['too_concurrent'] == 'concurrency must be between 1 and 64, got 500'
    # Only the unknown instances reached the services; every bad input was refused before any request.
    # Paths are /v1/{project}/audit/{instance}/... and /v3/{project}/instances/{instance}/...
    touched = {record['path'].split('/')[4] for record in sim.requests if record['service'] in ('dbss', 'rds')}
    assert touched <= {data.instances[0]['id'], 'ghost-audit-instance', 'ghost-rds-instance'}
