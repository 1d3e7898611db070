"""The audit_compliance role over several accounts and regions (audit_compliance_targets) against the simulator: the
main account in cn-north-4 and the member account hwsim-member-1 through the agency dbaudit_auditor in cn-east-3, in
ONE report whose findings name their account and region; the expected results are computed from each account's
seeded data."""

import collections
import csv
import datetime
import io
import os

import pytest

from hwtest_support import sim_requests

from test_play_compliance import (MODULE_TASKS, SEVERITY, collection_version, connection, expected_violations, module_task_runs,
                                  read_reports, report_header)

MAIN = {'name': 'main', 'region': 'cn-north-4'}
MEMBER_ACCOUNT = 'hwsim-member-1'
AUDITOR = 'dbaudit_auditor'
MEMBER = {'name': 'member_1', 'region': 'cn-east-3', 'agency_name': AUDITOR, 'agency_domain_name': MEMBER_ACCOUNT}
DATA_SERVICES = ('dbss', 'rds')


def account_data(sim, account, region):
    return sim.accounts[account].data.regions[region]


def start_of(entry):
    return datetime.datetime.strptime(entry['log_window_start'], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)


def run_targets(sim, run_playbook, tmp_path, targets, **variables):
    folder = str(tmp_path / 'report')
    extra = {'play_connection': connection(sim), 'audit_compliance_report_dir': folder, 'audit_compliance_targets': targets}
    extra.update(variables)
    return folder, run_playbook('compliance', extra)


def test_two_targets_in_two_accounts_one_report(sim, run_playbook, tmp_path):
    folder, run = run_targets(sim, run_playbook, tmp_path, [MAIN, MEMBER])
    assert os.path.exists(os.path.join(folder, 'report.json')), run.output
    report, junit, markdown, page = read_reports(folder)
    assert sorted(os.listdir(folder)) == ['history.json', 'junit.xml', 'report.csv', 'report.html', 'report.json',
                                          'report.md', 'report.ocsf.json']
    entries = dict((entry['name'], entry) for entry in report['targets'])
    assert [entry['name'] for entry in report['targets']] == ['main', 'member_1']

    data = {'main': account_data(sim, 'main', 'cn-north-4'), 'member_1': account_data(sim, MEMBER_ACCOUNT, 'cn-east-3')}
    region = {'main': 'cn-north-4', 'member_1': 'cn-east-3'}
    expected = set()
    for name, seeded in data.items():
        expected |= {(name, region[name], check, resource_id)
                     for check, resource_id in expected_violations(seeded, start_of(entries[name]))}
    # Each account's own instances, nothing of the other account, and each finding names its account and region.
    member_ids = {item['id'] for item in data['member_1'].instances} | {item['id'] for item in data['member_1'].rds_instances}
    main_ids = {item['id'] for item in data['main'].instances} | {item['id'] for item in data['main'].rds_instances}
    assert member_ids and main_ids and not member_ids & main_ids
    for kind, key in (('dbss_instance', 'instances'), ('rds_instance', 'rds_instances')):
        assert sorted((item['account'], item['region'], item['id']) for item in report['resources'][kind]) == sorted(
            (name, region[name], item['id']) for name, seeded in data.items() for item in getattr(seeded, key))
    got = {(item['account'], item['region'], item['check'], item['resource_id']) for item in report['violations']}
    assert got == expected and len(report['violations']) == len(expected)
    assert not report['errors'] and all(item['severity'] == SEVERITY[item['check']] for item in report['violations'])
    # At least a DBSS-01 failure per account: its non-ACTIVE audit instances.
    for name, seeded in data.items():
        stopped = {item['id'] for item in seeded.instances if item['status'] != 'ACTIVE'}
        assert {item['resource_id'] for item in report['violations'] if item['account'] == name and item['check'] == 'DBSS-01'} == stopped

    # The totals over both targets, then per target.
    summary = report['summary']
    assert summary['targets'] == 2 and summary['region'] == 'cn-north-4, cn-east-3'
    assert summary['violations'] == len(expected)
    assert summary['by_check'] == dict((check['id'], len([item for item in expected if item[2] == check['id']])) for check in report['checks'])
    assert summary['by_severity'] == dict((level, len([item for item in expected if SEVERITY[item[2]] == level]))
                                          for level in ('high', 'medium', 'low'))
    assert summary['resources_checked']['total'] == len(main_ids) + len(member_ids)
    assert summary['result'] == 'FAIL' and summary['failed'] is True and run.rc != 0
    for name, entry in entries.items():
        assert entry['account'] == name and entry['region'] == region[name] and entry['result'] == 'FAIL'
        assert entry['violations'] == len([item for item in expected if item[0] == name])
        assert entry['resources_checked']['total'] == len(data[name].instances) + len(data[name].rds_instances)
    assert entries['member_1']['agency_name'] == AUDITOR and entries['main']['agency_name'] is None
    for check in report['checks']:
        assert check['failed'] == summary['by_check'][check['id']]
        assert check['checked'] + len(check['not_applicable']) == len(report['resources'][check['resource_type']])
    assert all(item['status'] == 'FAIL' for item in report['frameworks'].values())
    assert sorted((row['account'], row['resource_id']) for row in report['coverage']) == sorted(
        (name, item['id']) for name, seeded in data.items() for item in seeded.rds_instances)

    # The header names every account with its region, every region, and the installed collection's version.
    targets = [MAIN, MEMBER]
    assert summary['account'] == ', '.join(target['name'] for target in targets)
    assert report_header(page, markdown) == [
        ('Accounts', ', '.join('%s (%s)' % (target['name'], target['region']) for target in targets)),
        ('Regions', ', '.join(target['region'] for target in targets)),
        ('Generated at', summary['generated_at']), ('Collection', 'hwcloud.dbaudit %s' % collection_version())]

    # The other reports: the targets section, the account column and test cases per account.
    assert '## Targets' in markdown
    assert 'member\\_1' in markdown         # escaped in Markdown
    assert 'Targets</h2>' in page
    rows = list(csv.DictReader(io.StringIO(open(os.path.join(folder, 'report.csv'), encoding='utf-8').read())))
    assert {(row['account'], row['region'], row['check'], row['resource_id']) for row in rows} == expected
    failed_cases = {case.get('name') for suite in junit.findall('testsuite') for case in suite.findall('testcase')
                    if case.find('failure') is not None}
    assert len(failed_cases) <= len(expected) and all(case.endswith('[%s %s]' % (name, region[name]))
                                                      for case in failed_cases for name in [case.rsplit('[', 1)[1].split()[0]])
    assert junit.get('failures') == str(len(expected))

    # The same six module runs per target, never one per instance; the member account's agency assumed once per
    # module run of its target, its data read only in its own project, the main account's only in its own.
    # (Each module task is shown three times: skipped on the single-region path, then once per target.)
    assert module_task_runs(run.output) == collections.Counter(dict((name, 3) for name in MODULE_TASKS))
    assert run.output.count('TASK [hwcloud.dbaudit.audit_compliance : Keep the report of the target for the merge]') == 2
    assert sim.agency_stats['assume_calls'] == {'%s@%s' % (AUDITOR, MEMBER_ACCOUNT): len(MODULE_TASKS)}
    projects = {sim.accounts['main'].data.regions['cn-north-4'].project_id: 'main',
                sim.accounts[MEMBER_ACCOUNT].data.regions['cn-east-3'].project_id: MEMBER_ACCOUNT}
    requests = [record for record in sim.requests if record['service'] in DATA_SERVICES]
    assert requests
    for record in requests:
        project = next((project for project in projects if '/%s/' % project in record['path']), None)
        assert project is not None, record['path']
        assert record['account'] == projects[project], record['path']
    assert {record['account'] for record in requests} == {'main', MEMBER_ACCOUNT}


def test_a_single_connection_through_an_agency_names_that_account_in_the_header(sim, run_playbook, tmp_path):
    folder = str(tmp_path / 'report')
    role = dict(connection(sim), region=MEMBER['region'], agency_name=AUDITOR, agency_domain_name=MEMBER_ACCOUNT)
    run = run_playbook('compliance', {'audit_compliance_connection': role, 'audit_compliance_report_dir': folder,
                                      'audit_compliance_fail_on': 'never'})
    assert run.rc == 0, run.output
    report, _junit, markdown, page = read_reports(folder)
    data = account_data(sim, MEMBER_ACCOUNT, MEMBER['region'])
    assert sorted(item['id'] for item in report['resources']['dbss_instance']) == sorted(item['id'] for item in data.instances)
    account = '%s (agency %s)' % (MEMBER_ACCOUNT, AUDITOR)
    assert report['summary']['account'] == account
    assert report_header(page, markdown) == [
        ('Account', account), ('Region', MEMBER['region']), ('Generated at', report['summary']['generated_at']),
        ('Collection', 'hwcloud.dbaudit %s' % collection_version())]


def test_a_target_whose_agency_is_refused_is_an_error_of_that_target(sim, run_playbook, tmp_path):
    refused = {'name': 'untrusted', 'region': 'cn-north-4', 'agency_name': 'dbaudit_untrusted',
               'agency_domain_name': MEMBER_ACCOUNT}
    folder, run = run_targets(sim, run_playbook, tmp_path, [refused, MAIN], audit_compliance_fail_on='never')
    assert os.path.exists(os.path.join(folder, 'report.json')), run.output
    report = read_reports(folder)[0]
    entries = dict((entry['name'], entry) for entry in report['targets'])
    # The main account is still checked in full.
    main = account_data(sim, 'main', 'cn-north-4')
    expected = {('main', check, resource_id) for check, resource_id in expected_violations(main, start_of(entries['main']))}
    assert {(item['account'], item['check'], item['resource_id']) for item in report['violations']} == expected
    assert entries['main']['result'] != 'ERROR' and entries['main']['errors'] == 0
    # The refused one is unknown, never a pass, and named.
    assert entries['untrusted']['result'] == 'ERROR' and entries['untrusted']['resources_checked']['total'] == 0
    failures = entries['untrusted']['gather_errors']
    assert failures and all('403' in item['message'] and 'IAM.0002' in item['message'] for item in failures)
    assert report['errors'] and {item['account'] for item in report['errors']} == {'untrusted'}
    summary = report['summary']
    assert summary['result'] == 'ERROR' and summary['failed'] is False      # fail_on never: report only
    assert 'dbss_instance_info of untrusted (cn-north-4)' in summary['message']
    assert {item['account'] for item in summary['gather_errors']} == {'untrusted'}
    assert run.rc == 0, run.output


@pytest.mark.parametrize('targets, variables, message', [
    ([MAIN, dict(MAIN, region='cn-east-3')], {}, 'audit_compliance_targets[1].name is main again (already audit_compliance_targets[0].name)'),
    ([dict(MAIN, account='x')], {}, 'audit_compliance_targets[0] has unknown key(s) account; allowed: name, region, agency_name'),
    ([{'name': 'a b', 'region': 'cn-north-4'}], {}, 'audit_compliance_targets[0].name must be a label of 1 to 64 ASCII letters'),
    ([{'name': 'a'}], {}, "audit_compliance_targets[0].region must be a region name of letters, digits and '-' such as cn-north-4, got 'None'"),
    ([dict(MAIN, agency_domain_name=MEMBER_ACCOUNT)], {}, 'audit_compliance_targets[0].agency_domain_name is set but agency_name is not'),
    ([dict(MEMBER, agency_domain_id='abc')], {}, 'audit_compliance_targets[0].agency_domain_name and agency_domain_id are mutually exclusive'),
    ([MAIN], {'audit_compliance_rds_instance_ids': ['x']}, 'audit_compliance_rds_instance_ids cannot go with audit_compliance_targets'),
    ([MAIN], {'audit_compliance_export_logs': True}, 'audit_compliance_export_logs cannot go with audit_compliance_targets'),
    # argument_specs refuses what is not a list of dicts.
    # ansible-core 2.19 says "of type str", older lines "of type <class 'str'>".
    pytest.param('main', {}, "Elements value for option 'audit_compliance_targets' is of type ", marks=pytest.mark.all_core_lines),
])
def test_bad_targets_are_refused_before_any_request(sim, run_playbook, tmp_path, targets, variables, message):
    folder, run = run_targets(sim, run_playbook, tmp_path, targets, **variables)
    assert run.rc != 0 and message in run.output, run.output
    assert 'Traceback' not in run.output
    assert not sim_requests(sim) and not os.path.exists(folder)
