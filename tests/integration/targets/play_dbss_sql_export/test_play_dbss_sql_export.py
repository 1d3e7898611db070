"""``dbss_sql_export`` as a user runs it: real ``ansible-playbook`` against a simulator of its own on 127.0.0.1 (the
test adds a statement to it). The file's records are compared with the simulator's seeded statements of the period and
with what ``dbss_sql_info`` returns for the same options; ``sha256sum -c`` checks the file; a second run, check mode
and --diff; a statement holding the secret key (added through ``POST /_sim/sqls``) never reaches the file."""

import datetime
import hashlib
import json
import os
import subprocess
import sys

import pytest
import requests
import yaml

from dbaudit_simulator import Simulator, SimulatorConfig

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_record_time
from ansible_collections.hwcloud.dbaudit.plugins.modules import dbss_sql_export

REGION = 'cn-north-4'


@pytest.fixture(scope='module')
def export_simulator():
    # Its own simulator: a test adds a statement, which the session simulator's other users must not see.
    server = Simulator(SimulatorConfig(regions=(REGION,), instances=4, rds_instances=2))
    server.start(host='127.0.0.1', port=0)
    yield server
    server.stop()


@pytest.fixture
def sim(export_simulator):
    export_simulator.clear_faults()
    export_simulator.reset_requests()
    yield export_simulator
    export_simulator.clear_faults()


def connection(sim):
    return {'region': REGION, 'endpoints': {'dbss': sim.url, 'iam': sim.url, 'rds': sim.url},
            'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key']}


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def file_records(path):
    with open(str(path), encoding='utf-8') as stream:
        return [json.loads(line) for line in stream]


def seeded_in_period(sim, instance_ids, start, end):
    """``{(instance_id, id): record}`` of the statements the simulator holds between start and end (both included), in
    the module's shape (the instance added, ``operated_obj_info`` a list)."""
    data = sim.data.regions[REGION].audit_sqls
    expected = {}
    for instance_id in instance_ids:
        for item in data[instance_id]:
            record = item['sql'] if isinstance(item.get('sql'), dict) else item
            if start <= parse_record_time(record['start_time']) <= end:
                expected[(instance_id, record['id'])] = dict(
                    record, instance_id=instance_id, operated_obj_info=record.get('operated_obj_info') or [])
    return expected


def period(sim, hours_back, hours):
    end = sim.now.replace(microsecond=0) - datetime.timedelta(hours=hours_back)
    return end - datetime.timedelta(hours=hours), end


@pytest.mark.all_core_lines  # dbss_sql_export on every line
def test_the_file_holds_the_seeded_statements_of_the_period_and_verifies(sim, run_playbook, tmp_path):
    instance_ids = [instance['id'] for instance in sim.data.regions[REGION].instances][:2]
    start, end = period(sim, 30, 36)
    expected = seeded_in_period(sim, instance_ids, start, end)
    assert len(expected) > 100, 'the seeded data must hold statements in the period'
    dest = tmp_path / 'evidence' / 'statements.jsonl'

    run = run_playbook('dbss_sql_export', {'scenario': 'export', 'connection': connection(sim), 'dest': str(dest),
                                           'instance_ids': instance_ids, 'start_time': iso(start), 'end_time': iso(end)})
    assert run.rc == 0, run.output
    records = file_records(dest)
    assert len(records) == len(expected)
    assert dict(((record['instance_id'], record['id']), record) for record in records) == expected
    times = [parse_record_time(record['start_time']) for record in records]
    assert times == sorted(times, reverse=True)
    assert records == run.result['info']

    first, second = run.result['first'], run.result['second']
    data = dest.read_bytes()
    assert first['sha256'] == hashlib.sha256(data).hexdigest() and first['size'] == len(data)
    assert first['statements'] == len(expected)
    assert first['statements_by_instance'] == dict(
        (instance_id, len([key for key in expected if key[0] == instance_id])) for instance_id in instance_ids)
    assert run.result['verified'] == 'statements.jsonl: OK'
    assert second['changed'] is False and second['sha256'] == first['sha256']
    # A second run reads the statements again; only the file is left as it was.
    assert sorted(path.name for path in dest.parent.iterdir()) == ['statements.jsonl', 'statements.jsonl.sha256']


def test_check_mode_writes_nothing_and_diff_shows_the_summary(sim, run_playbook, tmp_path):
    instance_ids = [instance['id'] for instance in sim.data.regions[REGION].instances][2:3]
    start, end = period(sim, 50, 6)
    expected = seeded_in_period(sim, instance_ids, start, end)
    assert expected
    dest = tmp_path / 'planned.jsonl'
    variables = {'scenario': 'once', 'connection': connection(sim), 'dest': str(dest), 'instance_ids': instance_ids,
                 'start_time': iso(start), 'end_time': iso(end)}

    planned = run_playbook('dbss_sql_export', variables, check=True, diff=True)
    assert planned.rc == 0, planned.output
    assert planned.result['changed'] is True and planned.result['statements'] == len(expected)
    assert not dest.exists() and not (tmp_path / 'planned.jsonl.sha256').exists()
    assert '"statements": %d' % len(expected) in planned.output and planned.result['sha256'] in planned.output
    # The diff is a summary: no statement shows in the output.
    assert not [key for key in expected if key[1] in planned.output]

    written = run_playbook('dbss_sql_export', variables, diff=True)
    assert written.rc == 0 and written.result['changed'] is True, written.output
    assert written.result['sha256'] == planned.result['sha256']
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == planned.result['sha256']

    again = run_playbook('dbss_sql_export', variables, check=True, diff=True)
    assert again.rc == 0 and again.result['changed'] is False, again.output


def test_a_statement_holding_the_secret_key_never_reaches_the_file(sim, run_playbook, tmp_path):
    secret = sim.credentials['secret_key']
    instance_id = sim.data.regions[REGION].instances[3]['id']
    start, end = period(sim, 80, 1)
    moment = start + datetime.timedelta(minutes=30)
    added = requests.post(sim.url + '/_sim/sqls', timeout=10, json={
        'instance_id': instance_id, 'start_time': moment.strftime('%Y-%m-%d %H:%M:%S'),
        'sql_statement': "CREATE USER ops IDENTIFIED BY '%s'" % secret, 'query_type': 'CREATE_USER'})
    assert added.status_code == 201, added.text
    expected = seeded_in_period(sim, [instance_id], start, end)
    assert added.json()['sql']['id'] in [key[1] for key in expected]
    dest = tmp_path / 'secret.jsonl'

    run = run_playbook('dbss_sql_export', {'scenario': 'once', 'connection': connection(sim), 'dest': str(dest),
                                           'instance_ids': [instance_id], 'start_time': iso(start),
                                           'end_time': iso(end)})
    assert run.rc == 0, run.output
    data = dest.read_text(encoding='utf-8')
    assert secret not in data and secret not in run.output
    records = dict((record['id'], record) for record in file_records(dest))
    assert len(records) == len(expected)
    assert records[added.json()['sql']['id']]['sql_statement'] == "CREATE USER ops IDENTIFIED BY '********'"
    assert 'hold the value of a no_log option' in run.output


def test_the_module_examples_run_on_the_simulator(sim, ansible_env, tmp_path):
    folder = tmp_path / 'evidence'
    tasks = yaml.safe_load(dbss_sql_export.EXAMPLES.replace('/tmp/dbss-evidence', str(folder)))
    play = [{'name': 'The examples of dbss_sql_export', 'hosts': 'localhost', 'gather_facts': False,
             'module_defaults': {'group/hwcloud.dbaudit.huaweicloud': connection(sim)}, 'tasks': tasks}]
    playbook = tmp_path / 'examples.yml'
    playbook.write_text(yaml.safe_dump(play))
    process = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), str(playbook)],
                             env=ansible_env, capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode == 0, process.stdout + process.stderr
    assert sorted(path.name for path in folder.iterdir()) == [
        'high-risk.jsonl', 'high-risk.jsonl.sha256', 'statements-last-week.jsonl', 'statements-last-week.jsonl.sha256']
    high_risk = file_records(folder / 'high-risk.jsonl')
    assert high_risk and {(record['db_user'], record['risk_level']) for record in high_risk} == {('jdoe', 'HIGH')}
