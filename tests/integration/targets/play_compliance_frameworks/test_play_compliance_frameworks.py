"""The audit_compliance role with framework controls, a profile and report.csv, run by ansible-playbook against the
simulator: report.csv holds exactly the findings of report.json, report.json maps every check it reports to framework
controls, the pci_dss profile raises the retention threshold, and an unknown profile is refused before any request."""

import csv
import os
import stat

from test_play_compliance import REGION, connection, read_reports

CSV_COLUMNS = ['check', 'severity', 'result', 'resource_type', 'resource_id', 'resource_name', 'region', 'message',
               'remediation', 'waiver_reason', 'waiver_expires', 'waiver_owner', 'generated_at', 'account']
FORMULA_STARTS = ('=', '+', '-', '@', '\t', '\r')


def read_csv(folder):
    with open(os.path.join(folder, 'report.csv'), encoding='utf-8', newline='') as handle:
        return list(csv.reader(handle))


def as_cell(value):
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def test_pci_profile_frameworks_and_csv(sim, run_playbook, tmp_path):
    folder = str(tmp_path / 'report')
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': folder,
                                      'audit_compliance_fail_on': 'never', 'audit_compliance_profile': 'pci_dss'})
    assert run.rc == 0, run.output
    report, _junit, markdown, page = read_reports(folder)
    summary = report['summary']
    assert summary['region'] == REGION

    # The profile raised the 180-day default to PCI DSS's 12 months, and RDS-02 flags exactly the retentions below.
    assert summary['profile'] == 'pci_dss' and summary['profile_raised'] == ['min_retention_days']
    assert summary['thresholds']['min_retention_days'] == 365
    data = sim.data.regions[REGION]
    # RDS for MySQL and PostgreSQL: both have the audit log policy.
    policy_ids = [rds['id'] for rds in data.rds_instances if rds['datastore']['type'] in ('MySQL', 'PostgreSQL')]
    short = {rid for rid in policy_ids if 0 < data.audit_policies[rid]['keep_days'] < 365}
    assert short and {item['resource_id'] for item in report['violations'] if item['check'] == 'RDS-02'} == short

    # Every check of the report is mapped, each control has the worst status of its checks.
    check_ids = [check['id'] for check in report['checks']]
    mapped = {item['id'] for entry in report['frameworks'].values() for control in entry['controls'].values()
              for item in control['checks']}
    assert mapped == set(check_ids)
    assert set(report['frameworks']) == {'mlps_level3', 'iso27001', 'pci_dss', 'soc2'}
    rank = {'PASS': 0, 'NOT_EVALUATED': 1, 'FAIL': 2, 'ERROR': 3}
    failed = {check['id'] for check in report['checks'] if check['failed']}
    for entry in report['frameworks'].values():
        for control in entry['controls'].values():
            assert control['status'] == max((item['status'] for item in control['checks']), key=rank.get)
            assert all((item['status'] == 'FAIL') == (item['id'] in failed) for item in control['checks'])
    assert report['frameworks']['pci_dss']['controls']['10.5.1']['status'] == 'FAIL'
    assert '## Frameworks' in markdown and '<h2 id="frameworks">Frameworks</h2>' in page
    assert 'framework profile pci\\_dss (raised: min\\_retention\\_days)' in markdown

    # report.csv: a header and exactly the findings of report.json, in its order, with formulas defused.
    rows = read_csv(folder)
    assert rows[0] == CSV_COLUMNS
    expected = [[as_cell(dict(item, result=result, generated_at=summary['generated_at']).get(column, ''))
                 for column in CSV_COLUMNS]
                for result, key in (('VIOLATION', 'violations'), ('ERROR', 'errors'), ('WAIVED', 'waived')) for item in report[key]]
    assert rows[1:] == expected and len(rows) - 1 == summary['violations'] + summary['errors'] > 0
    assert stat.S_IMODE(os.lstat(os.path.join(folder, 'report.csv')).st_mode) == 0o640
    assert 'findings: report.csv' in run.output


def test_an_unknown_profile_is_refused_before_any_request(sim, run_playbook, tmp_path):
    folder = str(tmp_path / 'report')
    run = run_playbook('compliance', {'play_connection': connection(sim), 'audit_compliance_report_dir': folder,
                                      'audit_compliance_profile': 'hipaa'})
    assert run.rc != 0
    assert ("audit_compliance_profile must be one of mlps_level3, iso27001, pci_dss, soc2, or empty for none, got 'hipaa'"
            in run.output), run.output
    assert [record for record in sim.requests if record['service'] in ('dbss', 'rds', 'iam')] == []
    assert not os.path.exists(folder)
