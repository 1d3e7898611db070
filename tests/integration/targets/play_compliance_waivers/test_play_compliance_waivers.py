"""The audit_compliance role with waivers and a trend, run by ansible-playbook against the simulator: a valid waiver moves
a seeded violation to `waived` in every report and out of fail_on, an expired one does not (a [WARNING]), a waiver that
matches nothing is a [WARNING]; a bad waiver is refused before any request; two runs on the same report folder give
the new, resolved and persisting violations of the second against the first, and history.json holds both. The expected
findings are computed from the simulator's seeded data (test_play_compliance.expected_violations)."""

import csv
import datetime
import json
import os
import stat
import xml.etree.ElementTree as ET

import pytest

from test_play_compliance import REGION, SEVERITY, connection, expected_violations, read_reports, window_start

FAR = 30        # days a valid waiver runs past the run's day


def squeezed(text):
    return ''.join(text.split())


def utc_today():
    return datetime.datetime.now(datetime.timezone.utc).date()


def waiver(check, resource_id, expires, **fields):
    return dict({'check': check, 'resource_id': resource_id, 'reason': 'accepted by the CISO until the migration',
                 'expires': expires.isoformat()}, **fields)


def keys(items):
    return {(item['check'], item['resource_id']) for item in items}


def stopped_instances(data):
    return [inst['id'] for inst in data.instances if inst['status'] != 'ACTIVE']


def mysql_ids(data):
    return [rds['id'] for rds in data.rds_instances if rds['datastore']['type'] == 'MySQL']


def read_csv(folder):
    with open(os.path.join(folder, 'report.csv'), encoding='utf-8', newline='') as handle:
        rows = list(csv.reader(handle))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


@pytest.mark.all_core_lines  # older lines wrap [WARNING] lines at the terminal width
def test_waivers_valid_expired_and_unmatched(sim, run_playbook, tmp_path):
    data = sim.data.regions[REGION]
    stopped = stopped_instances(data)
    assert len(stopped) >= 2
    waived_id, expired_id = stopped[0], stopped[1]
    today = utc_today()
    waivers = [waiver('DBSS-01', waived_id, today + datetime.timedelta(days=FAR), owner='secops'),
               waiver('DBSS-01', expired_id, today - datetime.timedelta(days=1)),
               waiver('DBSS-06', 'ghost-instance', today + datetime.timedelta(days=FAR))]
    folder = str(tmp_path / 'report')
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': folder,
                                      'audit_compliance_fail_on': 'never', 'audit_compliance_waivers': waivers})
    assert run.rc == 0, run.output
    report, junit, markdown, page = read_reports(folder)
    expected = expected_violations(data, window_start(report))
    valid = ('DBSS-01', waived_id)
    assert valid in expected and ('DBSS-01', expired_id) in expected

    # The valid waiver moved its finding; the expired one did not; the unmatched one changed nothing.
    assert keys(report['violations']) == expected - {valid}
    assert keys(report['waived']) == {valid}
    entry = report['waived'][0]
    assert (entry['state'], entry['waiver_reason'], entry['waiver_owner']) == ('WAIVED', waivers[0]['reason'], 'secops')
    assert entry['waiver_expires'] == waivers[0]['expires'] and entry['severity'] == SEVERITY['DBSS-01']
    summary = report['summary']
    assert summary['violations'] == len(expected) - 1 and summary['waived'] == 1
    assert summary['by_check']['DBSS-01'] == len([key for key in expected if key[0] == 'DBSS-01']) - 1

    # Both other waivers are warned about, in the report and as [WARNING] lines of the play.
    warnings = ['audit_compliance_waivers[1] (DBSS-01 on %s) expired on %s and no longer applies: the finding is a '
                'violation again' % (expired_id, waivers[1]['expires']),
                'audit_compliance_waivers[2] (DBSS-06 on ghost-instance) matches no violation of this run; remove it if '
                'the finding is fixed or the resource is gone']
    assert report['warnings'] == warnings
    for warning in warnings:
        # ansible-core < 2.19 wraps warnings at the terminal width (also inside IDs, at a '-'): compare without
        # any white space.
        assert squeezed('[WARNING]: ' + warning) in squeezed(run.output), run.output

    # Every report shows the waived finding.
    rows = read_csv(folder)
    waived_rows = [row for row in rows if row['result'] == 'WAIVED']
    assert [(row['check'], row['resource_id'], row['waiver_reason'], row['waiver_expires'], row['waiver_owner'])
            for row in waived_rows] == [('DBSS-01', waived_id, waivers[0]['reason'], waivers[0]['expires'], 'secops')]
    assert len(rows) == len(expected) + summary['errors']
    suite = next(item for item in junit.findall('testsuite')
                 if item.find('properties/property[@name="check"]').get('value') == 'DBSS-01')
    case = next(item for item in suite.findall('testcase') if item.get('name').split()[1] == waived_id)
    assert case.find('failure') is None and case.find('skipped').get('message').startswith(
        'waived until %s by secops: %s' % (waivers[0]['expires'], waivers[0]['reason']))
    assert junit.get('failures') == str(len(expected) - 1)
    assert '## Waived findings' in markdown and waived_id in markdown.split('## Waived findings')[1].split('##')[0]
    assert '<h2 id="waived">Waived findings</h2>' in page and '<h2 id="warnings">Warnings</h2>' in page
    ET.fromstring(page.split('\n', 1)[1])


def test_a_waived_high_violation_does_not_fail_the_run(sim, run_playbook, tmp_path):
    data = sim.data.regions[REGION]
    target = stopped_instances(data)[0]
    # Only this audit instance and no MySQL instance in scope: its violations do not depend on the log window.
    expected = expected_violations(data, None, {target}, set())
    high = {key for key in expected if SEVERITY[key[0]] == 'high'}
    assert ('DBSS-01', target) in high
    expires = utc_today() + datetime.timedelta(days=FAR)
    folder = str(tmp_path / 'report')
    variables = {'play_connection': connection(sim), 'audit_compliance_report_dir': folder,
                 'audit_compliance_dbss_instance_ids': [target], 'audit_compliance_rds_instance_ids': [],
                 'audit_compliance_fail_on': 'high'}
    failing = run_playbook('compliance', variables)
    assert failing.rc != 0 and 'database audit compliance FAILED' in failing.output
    waivers = [waiver(check, resource_id, expires) for check, resource_id in sorted(high)]
    run = run_playbook('compliance', dict(variables, audit_compliance_waivers=waivers))
    assert run.rc == 0, run.output
    report = read_reports(folder)[0]
    assert keys(report['waived']) == high and keys(report['violations']) == expected - high
    summary = report['summary']
    assert summary['failed'] is False and summary['failing_violations'] == 0 and summary['by_severity']['high'] == 0
    assert report['warnings'] == [] and '[WARNING]' not in run.output
    assert '%d waived findings not counted (see waived)' % len(high) in run.output
    # The frameworks section shows the check whose only violations are waived as WAIVED.
    statuses = {item['id']: item['status'] for entry in report['frameworks'].values()
                for control in entry['controls'].values() for item in control['checks']}
    assert statuses['DBSS-01'] == 'WAIVED'
    # The first run of this folder is the previous report of the second: the waived findings are not "resolved".
    trend = report['trend']
    assert keys(trend['waived']) == high and trend['resolved'] == [] and trend['new'] == []
    assert keys(trend['persisting']) == expected - high


def test_a_bad_waiver_is_refused_before_any_request(sim, run_playbook, tmp_path):
    folder = str(tmp_path / 'report')
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': folder,
                                      'audit_compliance_waivers': [{'check': 'RDS-02', 'resource_id': 'r1', 'reason': 'x',
                                                                    'expires': '2026-02-30'}]})
    assert run.rc != 0
    assert ("audit_compliance_waivers[0].expires must be a real date written YYYY-MM-DD (quoted, e.g. '2026-12-31'), "
            "got '2026-02-30'" in run.output), run.output
    assert [record for record in sim.requests if record['service'] in ('dbss', 'rds', 'iam')] == []
    assert not os.path.exists(folder)


def test_trend_and_history_over_runs(sim, run_playbook, tmp_path):
    data = sim.data.regions[REGION]
    dbss_all = [inst['id'] for inst in data.instances]
    mysql = mysql_ids(data)
    # Two overlapping selections, so that the second run has new, resolved and persisting violations.
    first_dbss, second_dbss = dbss_all[: len(dbss_all) * 2 // 3], dbss_all[len(dbss_all) // 3:]
    first_rds, second_rds = mysql[: len(mysql) * 2 // 3], mysql[len(mysql) // 3:]
    folder = tmp_path / 'report'
    folder.mkdir(mode=0o750)
    # A corrupt report.json from elsewhere: a warning and no trend, never a failure.
    (folder / 'report.json').write_text('{"summary": oops', encoding='utf-8')
    base = {'play_connection': connection(sim), 'audit_compliance_report_dir': str(folder), 'audit_compliance_fail_on': 'never'}

    first = run_playbook('compliance', dict(base, audit_compliance_dbss_instance_ids=first_dbss,
                                            audit_compliance_rds_instance_ids=first_rds))
    assert first.rc == 0, first.output
    report1 = read_reports(str(folder))[0]
    assert 'trend' not in report1
    assert len(report1['warnings']) == 1 and report1['warnings'][0].startswith('the previous report.json is not valid JSON')
    assert squeezed('[WARNING]: the previous report.json is not valid JSON') in squeezed(first.output)
    expected1 = expected_violations(data, window_start(report1), set(first_dbss), set(first_rds))
    assert keys(report1['violations']) == expected1

    second = run_playbook('compliance', dict(base, audit_compliance_dbss_instance_ids=second_dbss,
                                             audit_compliance_rds_instance_ids=second_rds))
    assert second.rc == 0, second.output
    report2, _junit, markdown, page = read_reports(str(folder))
    expected2 = expected_violations(data, window_start(report2), set(second_dbss), set(second_rds))
    assert keys(report2['violations']) == expected2 and report2['warnings'] == []
    trend = report2['trend']
    assert trend['previous_generated_at'] == report1['summary']['generated_at']
    new, resolved, persisting = expected2 - expected1, expected1 - expected2, expected1 & expected2
    assert new and resolved and persisting
    assert keys(trend['new']) == new and keys(trend['resolved']) == resolved and keys(trend['persisting']) == persisting
    assert trend['waived'] == [] and trend['unknown'] == []
    for key in ('new', 'resolved', 'persisting'):
        assert [(item['check'], item['resource_id']) for item in trend[key]] == sorted(keys(trend[key]))
    assert trend['counts'] == {'new': len(new), 'resolved': len(resolved), 'persisting': len(persisting), 'waived': 0,
                               'unknown': 0}

    # history.json: both runs (the corrupt report was not a usable one to seed it), oldest first.
    history_path = folder / 'history.json'
    history = json.loads(history_path.read_text(encoding='utf-8'))
    assert [(entry['generated_at'], entry['violations']) for entry in history] == [
        (report1['summary']['generated_at'], len(expected1)), (report2['summary']['generated_at'], len(expected2))]
    assert stat.S_IMODE(os.lstat(str(history_path)).st_mode) == 0o640
    assert '## Trend' in markdown and '## History' in markdown
    assert '<h2 id="trend">Trend</h2>' in page and '<h2 id="history">History</h2>' in page
    svg = page.split('<h2 id="history">History</h2>')[1]
    assert '<polyline' in svg and svg.count('<circle') == 2
    assert 'history: history.json' in second.output


def test_check_mode_writes_no_report_shows_no_report_diff_and_says_so(sim, run_playbook, tmp_path):
    folder = str(tmp_path / 'report')
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': folder,
                                      'audit_compliance_fail_on': 'never'}, check=True, diff=True)
    assert run.rc == 0, run.output
    assert not os.path.exists(folder), 'neither the folder nor any report (history.json included)'
    assert 'Check mode: the reports were not written' in run.output and folder in run.output
    assert 'HTML report:' not in run.output
    # The only diff is the test harness's own hand-off of the report fact, outside the role.
    diffs = [line for line in run.output.splitlines() if line.startswith('+++ after')]
    assert len(diffs) == 1 and diffs[0].endswith('compliance.result.json'), diffs
    assert '<html' not in run.output
    assert len(run.result['report']['summary']['generated_at']) == 20 and 'trend' not in run.result['report']
