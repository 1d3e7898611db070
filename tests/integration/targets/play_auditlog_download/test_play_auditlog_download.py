"""``rds_auditlog_download`` as a user runs it: real ``ansible-playbook`` against the simulator, which serves the
links API and object storage with deterministic file content (issue "Audit evidence").

Expected files and bytes are computed from the simulator's seeded listing and its content functions."""

import datetime
import json
import os
import re
import subprocess

import pytest

from hwtest_support import sim_requests

from dbaudit_simulator import Simulator, SimulatorConfig
from dbaudit_simulator.storage import file_length, iter_file_content

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_api_time

# The playbook tests of rds_auditlog_download (check mode, --diff, argument errors) on every ansible-core line
# (docs/contributing.md, "Tests").
pytestmark = pytest.mark.all_core_lines

REGION = 'cn-north-4'
DAY = datetime.timedelta(days=1)
STORAGE = r'^/obs/'
LINKS = r'/auditlog-links$'


@pytest.fixture(scope='module')
def small_files_simulator():
    # Files of 4 to 24 KB: the session simulator lists real sizes (up to 20 MB a file).
    server = Simulator(SimulatorConfig(regions=(REGION,), log_file_kb=(4.0, 24.0)))
    server.start(host='127.0.0.1', port=0)
    yield server
    server.stop()


@pytest.fixture
def sim(small_files_simulator):
    small_files_simulator.clear_faults()
    small_files_simulator.reset_requests()
    yield small_files_simulator
    small_files_simulator.clear_faults()


def credentials(sim):
    return {'HW_ACCESS_KEY': sim.credentials['access_key'], 'HW_SECRET_KEY': sim.credentials['secret_key']}


def overlapping(files, start, end):
    return [item for item in files
            if parse_api_time(item['end_time']) >= start and parse_api_time(item['begin_time']) <= end]


def api_time(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%S+0000')


def period_of_two_instances(sim, days=20):
    """Two MySQL instances with audit log files in the last ``days`` days, the period and the expected files."""
    data = sim.data.regions[REGION]
    end = sim.now - datetime.timedelta(hours=1)
    start = end - days * DAY
    chosen = [rds_id for rds_id in sorted(data.audit_logs) if overlapping(data.audit_logs[rds_id], start, end)][:2]
    assert len(chosen) == 2, 'the seeded data must have two MySQL instances with audit logs'
    expected = {(rds_id, item['id']): item for rds_id in chosen for item in overlapping(data.audit_logs[rds_id], start, end)}
    return chosen, start, end, expected


def content(item):
    return b''.join(iter_file_content(item['id'], file_length(item['size'])))


def files_under(root):
    return sorted(os.path.relpath(os.path.join(folder, name), root)
                  for folder, _dirs, names in os.walk(root) for name in names)


def test_export_through_download_faults_is_byte_identical_idempotent_and_repairs_altered_files(sim, run_playbook, tmp_path):
    instance_ids, start, end, expected = period_of_two_instances(sim)
    assert len(expected) > 50, 'more files than one link batch'
    dest = tmp_path / 'evidence'
    args = {'instance_ids': instance_ids, 'start_time': api_time(start), 'end_time': api_time(end), 'dest': str(dest),
            'concurrency': 4}
    for kind, options in (('truncate', {'times': 3}), ('expire', {'times': 2, 'after': 5}),
                          ('status', {'status': 503, 'times': 2, 'after': 10}), ('reset', {'times': 2, 'after': 15})):
        sim.add_fault(kind, path=STORAGE, **options)

    run = run_playbook('rds_auditlog_download', {'module_args': args}, env=credentials(sim), verbosity=3)
    result = run.result
    assert run.rc == 0 and not result.get('failed'), run.output
    assert result['changed'] is True
    assert result['counts']['downloaded'] == len(expected) and result['counts']['failed'] == 0
    assert [fault['applied'] for fault in sim.faults] == [3, 2, 2, 2], 'every injected fault was met'
    assert len(result['api_retries']) == 9

    # Every file byte-identical to what the simulator serves, under <instance>/<listed name>.
    assert {(entry['instance_id'], entry['id']) for entry in result['files']} == set(expected)
    for entry in result['files']:
        item = expected[(entry['instance_id'], entry['id'])]
        assert entry['path'] == '%s/%s' % (entry['instance_id'], item['name'])
        assert (dest / entry['path']).read_bytes() == content(item)
        assert entry['bytes'] == file_length(item['size']) and entry['status'] == 'downloaded'
    assert sorted(files_under(dest)) == sorted(['manifest.json', 'SHA256SUMS'] + [entry['path'] for entry in result['files']])
    check = subprocess.run(['sha256sum', '-c', 'SHA256SUMS'], cwd=str(dest), capture_output=True, text=True, check=False)
    assert check.returncode == 0 and check.stdout.count(': OK') == len(expected), check.stdout + check.stderr

    manifest = json.loads((dest / 'manifest.json').read_text())
    assert (manifest['region'], manifest['project_id']) == (REGION, sim.data.regions[REGION].project_id)
    assert (manifest['start_time'], manifest['end_time']) == (api_time(start), api_time(end))
    assert [entry['id'] for entry in manifest['files']] == [entry['id'] for entry in result['files']]

    # Links were asked for in batches of at most 50, plus one fresh link for each expired one; storage never saw
    # an API credential, and no link shows anywhere in the output, even at -vvv.
    stats = sim.storage_stats
    assert stats['downloads_with_api_credentials'] == 0
    link_requests = sim_requests(sim, LINKS, 'POST')
    batches = sum(-(-len([key for key in expected if key[0] == rds_id]) // 50) for rds_id in instance_ids)
    assert len(link_requests) == batches + 2
    downloads = sim_requests(sim, STORAGE, 'GET')
    assert len(downloads) == len(expected) + 9
    signatures = {record['query']['Signature'] for record in downloads}
    assert not [signature for signature in signatures if signature in run.output]
    assert 'Signature=' not in run.output and 'Expires=' not in run.output

    # A second run downloads nothing, asks for no link and reports no change.
    sim.reset_requests()
    manifest_before = (dest / 'manifest.json').read_bytes()
    run = run_playbook('rds_auditlog_download', {'module_args': args}, env=credentials(sim))
    assert run.result['changed'] is False, run.output
    assert run.result['counts']['present'] == len(expected)
    assert sim_requests(sim, LINKS) == [] and sim_requests(sim, STORAGE) == []
    assert (dest / 'manifest.json').read_bytes() == manifest_before

    # An altered file is named in a warning and fetched again: the evidence is genuine again.
    altered = result['files'][7]
    (dest / altered['path']).write_bytes(b'tampered')
    sim.reset_requests()
    run = run_playbook('rds_auditlog_download', {'module_args': args}, env=credentials(sim))
    assert run.result['changed'] is True
    assert [entry['path'] for entry in run.result['files'] if entry['status'] == 'replaced'] == [altered['path']]
    assert [warning for warning in run.result['warnings'] if altered['path'] in warning and 'truncated or altered' in warning]
    assert len(sim_requests(sim, STORAGE)) == 1
    assert (dest / altered['path']).read_bytes() == content(expected[(altered['instance_id'], altered['id'])])
    assert subprocess.run(['sha256sum', '-c', '--quiet', 'SHA256SUMS'], cwd=str(dest), check=False).returncode == 0


def test_check_mode_sends_no_link_request_and_writes_nothing(sim, run_playbook, tmp_path):
    instance_ids, start, end, expected = period_of_two_instances(sim, days=3)
    dest = tmp_path / 'evidence'
    args = {'instance_ids': instance_ids, 'start_time': api_time(start), 'end_time': api_time(end), 'dest': str(dest)}
    run = run_playbook('rds_auditlog_download', {'module_args': args}, env=credentials(sim), check=True, diff=True)
    assert run.rc == 0, run.output
    assert run.result['changed'] is True and run.result['counts']['would_download'] == len(expected)
    assert {entry['status'] for entry in run.result['files']} == {'would_download'}
    assert sim_requests(sim, LINKS) == [] and sim_requests(sim, STORAGE) == []
    assert len(sim_requests(sim, r'/auditlog$')) >= 2, 'the listing itself is read'
    assert not dest.exists()
    assert '(to be downloaded)  %s/' % instance_ids[0] in run.output, 'the diff shows what would be written'


def test_a_period_with_no_file_warns_changes_nothing_and_leaves_no_checksums(sim, run_playbook, tmp_path):
    data = sim.data.regions[REGION]
    oldest = min(parse_api_time(item['begin_time']) for files in data.audit_logs.values() for item in files)
    end = oldest - 2 * DAY
    start = end - 7 * DAY
    instance_ids = sorted(data.audit_logs)[:2]
    assert not [rds_id for rds_id in instance_ids if overlapping(data.audit_logs[rds_id], start, end)]
    dest = tmp_path / 'evidence'
    args = {'instance_ids': instance_ids, 'start_time': api_time(start), 'end_time': api_time(end), 'dest': str(dest)}
    run = run_playbook('rds_auditlog_download', {'module_args': args}, env=credentials(sim))
    assert run.rc == 0, run.output
    assert run.result['changed'] is False and run.result['counts']['listed'] == 0
    assert not dest.exists(), 'no empty SHA256SUMS, which sha256sum -c rejects'
    [warning] = [item for item in run.result['warnings'] if 'no audit log file' in item]
    assert '%s to %s' % (api_time(start), api_time(end)) in warning and 'keep_days' in warning
    assert sim_requests(sim, LINKS) == [] and sim_requests(sim, STORAGE) == []


def test_a_file_that_keeps_failing_is_named_and_the_rest_is_verified(sim, run_playbook, tmp_path):
    instance_ids, start, end, expected = period_of_two_instances(sim, days=2)
    victim = sorted(expected.values(), key=lambda item: item['begin_time'])[1]
    sim.add_fault('status', path=r'^/obs/rds-auditlog/[^/]+/%s$' % re.escape(victim['id']), status=503)
    dest = tmp_path / 'evidence'
    args = {'instance_ids': instance_ids, 'start_time': api_time(start), 'end_time': api_time(end), 'dest': str(dest),
            'max_retries': 2}
    run = run_playbook('rds_auditlog_download', {'module_args': args}, env=credentials(sim))
    result = run.result
    assert result['failed'] is True
    message = result['msg']
    assert '\n' not in message
    assert message.startswith('audit log file %s (id %s, RDS instance ' % (victim['name'], victim['id'])), message
    assert 'HTTP 503' in message and 'gave up after 2 retries' in message
    assert '%d verified files are kept' % (len(expected) - 1) in message
    manifest = json.loads((dest / 'manifest.json').read_text())
    assert victim['id'] not in [entry['id'] for entry in manifest['files']]
    assert len(manifest['files']) == len(expected) - 1
    assert result['counts']['failed'] == 1 and result['changed'] is True
    assert not [path for path in files_under(dest) if path.endswith('.part')]
    assert subprocess.run(['sha256sum', '-c', '--quiet', 'SHA256SUMS'], cwd=str(dest), check=False).returncode == 0


@pytest.mark.parametrize('args,message', [
    ({'dest': ''}, 'dest must be the path of a local directory'),
    ({'download_timeout': 0}, 'download_timeout must be a number of seconds greater than 0 and at most 86400, got 0'),
    ({'start_time': 'yesterday'}, 'start_time'),
    ({'name_filter': ''}, 'name_filter must be a shell-style pattern'),
    ({'instance_id': '..'}, "instance_id must not be empty, '.' or '..'"),
])
def test_bad_input_is_one_line_before_any_request(sim, run_playbook, tmp_path, args, message):
    module_args = {'instance_id': 'x' * 8, 'dest': str(tmp_path / 'evidence')}
    module_args.update(args)
    run = run_playbook('rds_auditlog_download', {'module_args': module_args}, env=credentials(sim))
    assert run.result['failed'] is True
    assert message in run.result['msg'] and '\n' not in run.result['msg'] and 'Traceback' not in run.output
    assert sim.requests == []
