"""The audit_compliance role with audit_compliance_export_logs, run by ansible-playbook against the simulator: the
audit log files of exactly the period checked land in <report dir>/evidence with a manifest that sha256sum checks,
the reports link to it; a storage that keeps failing leaves the verified files and the reports, and fails the role
with one line; without the variable nothing is exported and no link is asked for.
"""

import datetime
import json
import os
import subprocess
import xml.etree.ElementTree as ET

import pytest

from dbaudit_simulator import Simulator, SimulatorConfig, storage

from hwtest_support import sim_requests
from test_play_compliance import BOGUS_ENV, REGION, connection, read_reports

# Small files (the session simulator serves files up to 20 MB): a day of 6-hour files of every MySQL instance.
SMALL_FILES = {'log_file_kb': (4, 16)}
LINKS_PATH = r'/auditlog-links$'
STORAGE_PATH = r'^/obs/'


@pytest.fixture(scope='module')
def clean_simulator():
    with Simulator(SimulatorConfig(clean=True, **SMALL_FILES)) as server:
        yield server


@pytest.fixture
def sim(clean_simulator):
    """A compliant account with small audit log files (overrides the session simulator for these tests)."""
    clean_simulator.clear_faults()
    clean_simulator.reset_requests()
    yield clean_simulator
    clean_simulator.clear_faults()


def mysql_ids(data):
    return [rds['id'] for rds in data.rds_instances if rds['datastore']['type'] == 'MySQL']


def api_time(text):
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%S%z')


def files_of_period(data, start, end, instance_ids):
    """{(instance id, file id): file} of the files the listing of [start, end] returns (overlap, ends included)."""
    return {(rid, item['id']): item for rid in instance_ids for item in data.audit_logs[rid]
            if api_time(item['begin_time']) <= end and api_time(item['end_time']) >= start}


def read_manifest(folder):
    with open(os.path.join(folder, 'evidence', 'manifest.json'), encoding='utf-8') as handle:
        return json.load(handle)


def sha256sum_check(folder):
    return subprocess.run(['sha256sum', '--check', '--strict', 'SHA256SUMS'], cwd=os.path.join(folder, 'evidence'),
                          capture_output=True, text=True, check=False)


def failure_messages(output):
    """The msg of every task that failed, from the default callback's ``FAILED! => {...}`` lines."""
    messages = []
    for line in output.splitlines():
        if 'FAILED! => ' in line:
            messages.append(json.loads(line.split('FAILED! => ', 1)[1]).get('msg'))
    return messages


def assert_manifest_holds_the_real_files(folder, manifest, expected):
    assert {(entry['instance_id'], entry['id']) for entry in manifest['files']} == set(expected)
    for entry in manifest['files']:
        listed = expected[(entry['instance_id'], entry['id'])]
        length = storage.file_length(listed['size'])
        assert entry['bytes'] == length and entry['sha256'] == storage.file_sha256(entry['id'], length)
        assert os.path.getsize(os.path.join(folder, 'evidence', *entry['path'].split('/'))) == length
    checked = sha256sum_check(folder)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(': OK') == len(expected)


@pytest.mark.all_core_lines  # the role exporting with rds_auditlog_download
def test_the_evidence_of_the_checked_period_is_exported_and_linked(sim, run_playbook, tmp_path):
    folder = str(tmp_path / 'report')
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': folder,
                                      'audit_compliance_export_logs': True, 'audit_compliance_fail_on': 'low'},
                       env=BOGUS_ENV)
    assert run.rc == 0, run.output
    report, junit, markdown, page = read_reports(folder)
    data = sim.data.regions[REGION]
    mysql = mysql_ids(data)
    evidence = report['evidence']
    # Exactly the period the role checked: the RDS-03 window as rds_auditlog_info resolved it.
    assert api_time(evidence['start_time']) == datetime.datetime.strptime(
        report['summary']['log_window_start'], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    start, end = api_time(evidence['start_time']), api_time(evidence['end_time'])
    assert datetime.timedelta(hours=23, minutes=59) <= end - start <= datetime.timedelta(hours=24, minutes=1)
    expected = files_of_period(data, start, end, mysql)
    assert expected, 'the clean account writes audit logs up to now'

    manifest = read_manifest(folder)
    assert (manifest['start_time'], manifest['end_time']) == (evidence['start_time'], evidence['end_time'])
    assert sorted(manifest['instance_ids']) == sorted(mysql)
    assert_manifest_holds_the_real_files(folder, manifest, expected)
    assert sorted(os.listdir(os.path.join(folder, 'evidence'))) == sorted(
        ['manifest.json', 'SHA256SUMS'] + sorted({rid for rid, _file in expected}))

    # The verdict is that of the checks; the evidence section and every rendering say what was exported.
    assert report['summary']['result'] == 'PASS' and report['summary']['failed'] is False
    assert report['summary']['evidence'] == 'OK'
    assert evidence['result'] == 'OK' and evidence['failed'] is False and evidence['error'] is None
    assert (evidence['files_listed'], evidence['files_verified'], evidence['files_failed']) == (len(expected), len(expected), 0)
    assert evidence['bytes'] == manifest['total_bytes'] == sum(entry['bytes'] for entry in manifest['files'])
    assert (evidence['manifest'], evidence['sha256sums']) == ('evidence/manifest.json', 'evidence/SHA256SUMS')
    assert '<a href="evidence/manifest.json">' in page and '<a href="evidence/SHA256SUMS">' in page
    assert '[evidence/manifest.json](evidence/manifest.json)' in markdown
    case = [suite for suite in junit.findall('testsuite') if suite.get('name') == 'Evidence export']
    assert len(case) == 1 and case[0].find('testcase/failure') is None
    assert 'database audit compliance PASSED: no violations' in run.output and 'audit log evidence exported' in run.output

    # One links request per instance batch, one download per file, and the reports stay private.
    assert len(sim_requests(sim, STORAGE_PATH)) == len(expected)
    assert {record['path'].split('/')[4] for record in sim_requests(sim, LINKS_PATH)} == {rid for rid, _file in expected}
    assert sim.credentials['secret_key'] not in json.dumps(report) + markdown + page


def test_a_storage_that_keeps_failing_keeps_the_verified_files_writes_the_reports_and_fails(sim, run_playbook, tmp_path):
    data = sim.data.regions[REGION]
    mysql = mysql_ids(data)
    broken = mysql[0]
    # Every transfer of one instance's files answers 503, however often it is retried.
    sim.add_fault('status', path=r'^/obs/rds-auditlog/%s/' % broken, status=503)
    folder = str(tmp_path / 'report')
    run = run_playbook('compliance', {'play_connection': dict(connection(sim), max_retries=1),
                                      'audit_compliance_report_dir': folder, 'audit_compliance_export_logs': True,
                                      'audit_compliance_fail_on': 'low'},
                       env=BOGUS_ENV)
    assert run.rc != 0
    assert os.path.exists(os.path.join(folder, 'report.html')), run.output
    report, junit, markdown, page = read_reports(folder)
    evidence = report['evidence']
    expected = files_of_period(data, api_time(evidence['start_time']), api_time(evidence['end_time']), mysql)
    missing = {key for key in expected if key[0] == broken}
    verified = dict((key, item) for key, item in expected.items() if key[0] != broken)
    assert missing and verified

    # What was fetched stays, listed and checkable; exactly what is missing is said.
    manifest = read_manifest(folder)
    assert_manifest_holds_the_real_files(folder, manifest, verified)
    broken_folder = os.path.join(folder, 'evidence', broken)
    assert not os.path.isdir(broken_folder) or os.listdir(broken_folder) == []     # no partial file, no leftover
    assert evidence['result'] == 'ERROR' and evidence['failed'] is True
    assert (evidence['files_listed'], evidence['files_verified'], evidence['files_failed']) == (
        len(expected), len(verified), len(missing))
    assert {(item['instance_id'], item['id']) for item in evidence['missing']} == missing
    assert all('503' in item['reason'] for item in evidence['missing'])
    assert 'HTTP 503' in evidence['error'] and evidence['manifest'] == 'evidence/manifest.json'

    # Not a check result: the compliant account still passes its checks, but the summary says the export failed.
    summary = report['summary']
    assert summary['result'] == 'PASS' and summary['failed'] is False and summary['errors'] == 0
    assert summary['evidence'] == 'ERROR' and 'audit log evidence export FAILED' in summary['message']
    assert 'verdict ERROR' in page and '<a href="evidence/manifest.json">' in page and broken in page
    assert '| Result | **ERROR** |' in markdown and '[evidence/manifest.json](evidence/manifest.json)' in markdown
    suite = next(suite for suite in junit.findall('testsuite') if suite.get('name') == 'Evidence export')
    assert suite.find('testcase/failure') is not None and junit.get('failures') == '1'

    # The role fails after the reports, on the evidence, with one line naming it and the report directory.
    messages = failure_messages(run.output)
    assert messages == ['%s; reports in %s' % (evidence['message'], folder)], run.output
    assert messages[0].startswith('audit log evidence export FAILED: %d of %d audit log files'
                                  % (len(verified), len(expected)))
    assert '\n' not in messages[0]
    assert 'Signature=' not in run.output + json.dumps(report) + markdown + page      # links are never shown


def test_without_export_logs_nothing_is_exported_and_no_link_is_asked_for(sim, run_playbook, tmp_path):
    folder = str(tmp_path / 'report')
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': folder},
                       env=BOGUS_ENV)
    assert run.rc == 0, run.output
    report, junit, markdown, page = read_reports(folder)
    assert 'evidence' not in report and 'evidence' not in report['summary']
    assert not os.path.exists(os.path.join(folder, 'evidence'))
    assert sorted(os.listdir(folder)) == ['history.json', 'junit.xml', 'report.csv', 'report.html', 'report.json',
                                          'report.md', 'report.ocsf.json']
    assert sim_requests(sim, LINKS_PATH) == [] and sim_requests(sim, STORAGE_PATH) == []
    assert 'manifest' not in page + markdown and 'Evidence export' not in ET.tostring(junit, encoding='unicode')
    assert 'Evidence: not exported' in run.output


def test_check_mode_asks_for_no_link_and_writes_no_evidence(sim, run_playbook, tmp_path):
    folder = tmp_path / 'report'
    folder.mkdir()
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': str(folder),
                                      'audit_compliance_export_logs': True}, env=BOGUS_ENV, check=True)
    assert run.rc == 0, run.output
    assert os.listdir(folder) == []
    assert sim_requests(sim, LINKS_PATH) == [] and sim_requests(sim, STORAGE_PATH) == []
    evidence = run.result['report']['evidence']
    assert evidence['result'] == 'PENDING' and evidence['failed'] is False
    assert evidence['files_pending'] == evidence['files_listed'] > 0


@pytest.mark.parametrize('variables, message', [
    # argument_specs refuses it first, under its name, with the values it takes.
    ({'audit_compliance_export_logs': 'maybe'}, "argument 'audit_compliance_export_logs' is of type"),
    ({'audit_compliance_export_logs': 'maybe'}, "The value 'maybe' is not a valid boolean"),
    # argument_specs takes it; the role's own check does not.
    ({'audit_compliance_export_logs': 'y'}, "audit_compliance_export_logs must be true or false, got 'y'"),
    ({'audit_compliance_export_logs': 'evidence-file'}, 'audit_compliance_export_logs: %s/evidence, where the audit log '
                                                        'files are exported, exists and is not a directory'),
])
def test_bad_export_settings_are_refused_before_any_request(sim, run_playbook, tmp_path, variables, message):
    folder = tmp_path / 'report'
    folder.mkdir()
    if variables['audit_compliance_export_logs'] == 'evidence-file':
        (folder / 'evidence').write_text('not a directory')
        variables = {'audit_compliance_export_logs': True}
    run = run_playbook('compliance', dict(variables, play_connection=connection(sim), audit_compliance_report_dir=str(folder)))
    assert run.rc != 0
    assert (message % folder if '%s' in message else message) in run.output, run.output
    assert 'Traceback' not in run.output
    assert [record for record in sim.requests if record['service'] in ('dbss', 'rds', 'iam')] == []
    assert sorted(os.listdir(folder)) == (['evidence'] if (folder / 'evidence').exists() else [])


def test_when_the_listing_failed_the_export_takes_the_same_relative_period(sim, run_playbook, tmp_path):
    data = sim.data.regions[REGION]
    broken = mysql_ids(data)[0]
    # rds_auditlog_info's request for one instance fails once (no retry), so it returns no resolved times; the
    # export (in check mode: listing only) lists again, for -24h .. now.
    sim.add_fault('status', path=r'/instances/%s/auditlog$' % broken, status=500, times=1)
    folder = tmp_path / 'report'
    folder.mkdir()
    run = run_playbook('compliance', {'play_connection': dict(connection(sim), max_retries=0),
                                      'audit_compliance_report_dir': str(folder), 'audit_compliance_export_logs': True},
                       env=BOGUS_ENV, check=True)
    report = run.result['report']
    assert report['summary']['result'] == 'ERROR' and [item['module'] for item in report['summary']['gather_errors']] == [
        'rds_auditlog_info']
    evidence = report['evidence']
    window = datetime.datetime.strptime(report['summary']['log_window_start'], '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc)
    start, end = api_time(evidence['start_time']), api_time(evidence['end_time'])
    assert abs(start - window) < datetime.timedelta(minutes=2) and end - start == datetime.timedelta(hours=24)
    assert evidence['result'] == 'PENDING' and evidence['files_listed'] == len(
        files_of_period(data, start, end, mysql_ids(data)))
    assert sim_requests(sim, LINKS_PATH) == [] and os.listdir(folder) == []
