"""The audit_compliance role and rds_auditlog_info against hostile input and a failing cloud, with real
ansible-playbook runs against the simulator: bad role variables and times are refused before any request, naming what
the user set; a failed API kind becomes ERROR findings in reports that are still written; the reports are private."""

import json
import os
import stat

import pytest

from hwtest_support import sim_requests
from test_play_compliance import REGION, connection, expected_violations, read_reports, window_start

POLICY_PATH = r'/auditlog-policy$'


def quiet_connection(sim):
    # No retries: a fault that answers 500 every time fails at once instead of after the backoff.
    return dict(connection(sim), max_retries=0)


def mysql_ids(data):
    return [rds['id'] for rds in data.rds_instances if rds['datastore']['type'] == 'MySQL']


def api_requests(sim):
    return [record for record in sim.requests if record['service'] in ('dbss', 'rds', 'iam')]


# -- item 10: one API kind fails -------------------------------------------------------------------------------
@pytest.mark.parametrize('fail_on', ['low', 'never'])
def test_a_policy_that_always_fails_is_an_error_finding_and_the_reports_are_still_written(sim, run_playbook, tmp_path, fail_on):
    data = sim.data.regions[REGION]
    mysql = mysql_ids(data)
    broken = mysql[3]                                    # keep_days 365 in the seeded cycle: compliant retention
    sim.add_fault('status', path='/instances/%s/auditlog-policy$' % broken, status=500)
    folder = str(tmp_path / 'report')
    run = run_playbook('compliance', {'play_connection': quiet_connection(sim), 'audit_compliance_report_dir': folder,
                                      'audit_compliance_fail_on': fail_on})
    assert os.path.exists(os.path.join(folder, 'report.json')), run.output
    report, junit, markdown, page = read_reports(folder)
    expected = expected_violations(data, window_start(report))
    # The broken instance's retention is unknown: neither a violation nor a pass; and as no DBSS database lists it,
    # whether anything audits it is unknown too (COV-01).
    assert not [item for items in data.databases.values() for item in items if item['database']['rds_id'] == broken]
    expected_errors = {('RDS-01', broken), ('RDS-02', broken), ('COV-01', broken)}
    expected -= expected_errors
    assert {(item['check'], item['resource_id']) for item in report['violations']} == expected
    assert {(item['check'], item['resource_id']) for item in report['errors']} == expected_errors
    request_id = next(record['request_id'] for record in sim_requests(sim, POLICY_PATH) if broken in record['path'])
    for error in report['errors']:
        assert error['state'] == 'ERROR' and error['severity'] == 'high' and error['source'] == 'rds_auditlog_policy_info'
        assert 'HTTP 500' in error['message'] and 'SYS.5000' in error['message'] and request_id in error['message']
    checks = {check['id']: check for check in report['checks']}
    policy_ids = [rds['id'] for rds in data.rds_instances if rds['datastore']['type'] in ('MySQL', 'PostgreSQL')]
    assert checks['RDS-01']['errors'] == 1 and checks['RDS-01']['passed'] + checks['RDS-01']['failed'] == len(policy_ids) - 1
    summary = report['summary']
    assert summary['result'] == 'ERROR' and summary['errors'] == 3
    assert [item['module'] for item in summary['gather_errors']] == ['rds_auditlog_policy_info']
    # Every other policy was read, once: the failure did not stop the others.
    assert sorted(record['path'].split('/')[4] for record in sim_requests(sim, POLICY_PATH)) == sorted(policy_ids)
    # junit: an <error> per unknown result; markdown and html say ERROR.
    errored = {(suite.find('properties/property[@name="check"]').get('value'), case.get('name').split()[1])
               for suite in junit.findall('testsuite') for case in suite.findall('testcase') if case.find('error') is not None}
    assert errored == expected_errors and junit.get('errors') == '3'
    assert '**ERROR**' in markdown and 'verdict ERROR' in page and request_id in markdown and request_id in page
    if fail_on == 'never':
        assert run.rc == 0, run.output
        assert summary['failed'] is False
    else:
        assert run.rc != 0
        assert summary['failed'] is True
        assert 'database audit compliance ERROR: 3 check results unknown because 1 API calls failed' in run.output
    assert sim.credentials['secret_key'] not in json.dumps(report) + markdown + page


def test_an_instance_list_that_fails_reports_the_requested_ids_as_unknown(sim, run_playbook, tmp_path):
    data = sim.data.regions[REGION]
    wanted = mysql_ids(data)[:2]
    sim.add_fault('status', path=r'/v3/[^/]+/instances$', status=503)
    folder = str(tmp_path / 'report')
    run = run_playbook('compliance', {'play_connection': quiet_connection(sim), 'audit_compliance_report_dir': folder,
                                      'audit_compliance_rds_instance_ids': wanted})
    assert run.rc != 0
    report, _junit, _markdown, _page = read_reports(folder)
    assert {(item['check'], item['resource_id']) for item in report['errors']} == {
        (check, rid) for check in ('RDS-01', 'RDS-02', 'RDS-03', 'COV-01') for rid in wanted}
    assert report['summary']['resources_checked']['rds_instance'] == 0
    assert 'no such RDS instance' not in run.output          # an incomplete list proves nothing
    assert report['summary']['resources_checked']['dbss_instance'] == len(data.instances)


# -- item 25: role variables ------------------------------------------------------------------------------------
@pytest.mark.all_core_lines  # the role's argument_specs messages differ between lines
@pytest.mark.parametrize('variables, message', [
    ({'audit_compliance_min_retention_days': -1}, 'audit_compliance_min_retention_days must be an integer from 0 to 732, got -1'),
    ({'audit_compliance_concurrency': 0}, 'audit_compliance_concurrency must be an integer from 1 to 64, got 0'),
    ({'audit_compliance_log_freshness_hours': 0}, 'audit_compliance_log_freshness_hours must be an integer from 1 to 17568, got 0'),
    ({'audit_compliance_log_freshness_hours': 10000000}, 'audit_compliance_log_freshness_hours must be an integer from 1 to 17568'),
    ({'audit_compliance_alarm_ack_hours': -1}, 'audit_compliance_alarm_ack_hours must be an integer from 0 to 8760, got -1'),
    ({'audit_compliance_rds_instance_ids': 'rds-1'}, "audit_compliance_rds_instance_ids must be a list of IDs (or null for all), got 'rds-1'"),
    ({'audit_compliance_dbss_instance_ids': ['a', '']}, 'audit_compliance_dbss_instance_ids must contain only non-empty ID strings'),
    ({'audit_compliance_report_mode': 644}, "audit_compliance_report_mode must be a quoted octal file mode such as '0640'"),
    # argument_specs refuses this one first, under the same name.
    ({'audit_compliance_fail_on': 'sometimes'}, 'audit_compliance_fail_on must be one of: low, medium, high, never, got: sometimes'),
])
def test_bad_role_variables_are_refused_before_any_request(sim, run_playbook, tmp_path, variables, message):
    folder = str(tmp_path / 'report')
    run = run_playbook('compliance', dict(variables, play_connection=connection(sim), audit_compliance_report_dir=folder))
    assert run.rc != 0
    assert message in run.output, run.output
    assert 'end_time' not in run.output and 'Traceback' not in run.output
    assert api_requests(sim) == []
    assert not os.path.exists(folder)


@pytest.mark.all_core_lines  # the stat module's answers differ between lines
@pytest.mark.parametrize('layout', ['file', 'parent_file'])
def test_a_report_dir_that_cannot_hold_reports_is_refused_before_any_request(sim, run_playbook, tmp_path, layout):
    blocker = tmp_path / 'blocker'
    blocker.write_text('not a directory')
    folder = blocker if layout == 'file' else blocker / 'report'
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': str(folder)})
    assert run.rc != 0
    expected = 'exists and is not a directory' if layout == 'file' else 'is not a writable directory'
    assert 'audit_compliance_report_dir: %s' % folder in run.output and expected in run.output, run.output
    assert api_requests(sim) == []
    assert blocker.read_text() == 'not a directory'


# -- item 6: report permissions ---------------------------------------------------------------------------------
def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_reports_are_private_and_an_existing_directory_keeps_its_mode(sim, run_playbook, tmp_path):
    new = tmp_path / 'new' / 'report'
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': str(new),
                                      'audit_compliance_fail_on': 'never'})
    assert run.rc == 0, run.output
    assert mode(new) == 0o750
    names = ('report.json', 'report.md', 'report.html', 'junit.xml')
    assert {name: mode(new / name) for name in names} == {name: 0o640 for name in names}

    existing = tmp_path / 'existing'
    existing.mkdir()
    os.chmod(existing, 0o700)
    outside = tmp_path / 'outside.json'
    outside.write_text('keep me')
    os.symlink(outside, existing / 'report.json')
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': str(existing),
                                      'audit_compliance_fail_on': 'never', 'audit_compliance_report_mode': '0600'})
    assert run.rc == 0, run.output
    assert mode(existing) == 0o700
    assert {name: mode(existing / name) for name in names} == {name: 0o600 for name in names}
    # The symlink at report.json was replaced by the report, never written through.
    assert not os.path.islink(existing / 'report.json') and outside.read_text() == 'keep me'
    assert json.loads((existing / 'report.json').read_text())['summary']['region'] == REGION


# -- items 14, 16, 17: time options of rds_auditlog_info ----------------------------------------------------------
HOSTILE_TIMES = [
    ({'start_time': '0001-01-01T00:00:00Z'}, "start_time (0001-01-01T00:00:00+0000) is more than 732 days before now"),
    ({'start_time': '-10000000h'}, "start_time: '-10000000h' is not a valid time (a relative time reaches at most 100 years back)"),
    ({'start_time': '-800d'}, 'start_time ('),
    ({'start_time': '-99999999999999w'}, "start_time: '-99999999999999w' is not a valid time (a relative time reaches at most 100 years back)"),
    ({'start_time': '-1000000d'}, "start_time: '-1000000d' is not a valid time (a relative time reaches at most 100 years back)"),
    ({'start_time': '2026-11-01T00:00:00+25:00'}, "start_time: '2026-11-01T00:00:00+25:00' is not a valid time (the zone offset +25:00 is out of range"),
    ({'end_time': '2026-11-01T00:00:00+14:61'}, "end_time: '2026-11-01T00:00:00+14:61' is not a valid time (the zone offset +14:61 is out of range"),
    ({'end_time': '9999-12-31T23:59:59-12:00'}, "end_time: '9999-12-31T23:59:59-12:00' is not a valid time (it falls outside the years 1 to 9999 in UTC)"),
    ({'start_time': '-1d', 'end_time': '9999-12-31T00:00:00Z'}, 'end_time (9999-12-31T00:00:00+0000) is more than 732 days after start_time'),
]


def test_hostile_times_are_refused_before_any_request(sim, run_playbook):
    data = sim.data.regions[REGION]
    run = run_playbook('compliance_hostile_times', {'connection': connection(sim), 'rds_instance': mysql_ids(data)[0],
                                                    'times': [times for times, _message in HOSTILE_TIMES]})
    assert run.result is not None, run.output
    assert len(run.result) == len(HOSTILE_TIMES)
    for message, (_times, expected) in zip(run.result, HOSTILE_TIMES):
        assert message is not None and message.startswith(expected), (message, expected)
        assert '\n' not in message and 'Traceback' not in message
    assert api_requests(sim) == []
