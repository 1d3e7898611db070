"""Several accounts and regions in one report (plugins/plugin_utils/compliance/targets.py): validation of
audit_compliance_targets, the connection of a target, the merge arithmetic, the labels of every entry, the frameworks
made again from the merged checks, the waivers applied after the merge, and the renderings of a merged report."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import remediation as compliance_remediation
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import junit as compliance_render_junit
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import html_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import markdown_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import findings_csv
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import targets as compliance_targets
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.frameworks import frameworks_section

from test_compliance import compliant_facts, dbss, evaluate, facts_with_a_failed_policy, good_db, good_scope, rds
from test_compliance_waivers import waiver

MAIN = {'name': 'main', 'region': 'cn-north-4'}
OTHER = {'name': 'other', 'region': 'cn-east-3', 'agency_name': 'dbaudit_auditor', 'agency_domain_name': 'member-1'}


# ----------------------------------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('targets', [None, [], [MAIN], [MAIN, OTHER], [dict(OTHER, agency_domain_name=None, agency_domain_id='d1')]])
def test_good_targets(targets):
    assert compliance_targets.target_problems(targets) == []


@pytest.mark.parametrize('targets, problem', [
    ('main', 'audit_compliance_targets must be a list of targets'),
    (['main'], 'audit_compliance_targets[0] must be a dict {name, region'),
    ([MAIN, dict(OTHER, name='main')], 'audit_compliance_targets[1].name is main again (already audit_compliance_targets[0].name)'),
    ([dict(MAIN, account='x', zone=1)], 'audit_compliance_targets[0] has unknown key(s) account, zone; allowed: name, region, '
                                        'agency_name, agency_domain_name, agency_domain_id'),
    ([{'name': 'a b', 'region': 'cn-north-4'}], 'audit_compliance_targets[0].name must be a label of 1 to 64 ASCII letters'),
    ([{'name': '-ab', 'region': 'cn-north-4'}], 'audit_compliance_targets[0].name must be a label of 1 to 64 ASCII letters'),
    ([{'name': 'x' * 65, 'region': 'cn-north-4'}], 'audit_compliance_targets[0].name must be a label'),
    ([{'name': 'a', 'region': 'cn north'}], "audit_compliance_targets[0].region must be a region name of letters, digits and '-' "
                                            "such as cn-north-4, got 'cn north'"),
    ([{'name': 'a', 'region': 4}], 'audit_compliance_targets[0].region must be a region name'),
    ([{'name': 'a'}], "audit_compliance_targets[0].region must be a region name of letters, digits and '-' such as cn-north-4, "
                      "got 'None'"),
    ([dict(MAIN, agency_domain_id='d1')], 'audit_compliance_targets[0].agency_domain_id is set but agency_name is not'),
    ([dict(OTHER, agency_domain_id='d1')], 'audit_compliance_targets[0].agency_domain_name and agency_domain_id are mutually '
                                           'exclusive'),
    ([dict(MAIN, agency_name='dbaudit_auditor')], 'audit_compliance_targets[0].agency_name needs the account that created '
                                                  'the agency'),
    ([dict(OTHER, agency_name='')], 'audit_compliance_targets[0].agency_name must be a non-empty string, or left out'),
    ([dict(OTHER, agency_domain_name=['x'])], 'audit_compliance_targets[0].agency_domain_name must be an account name'),
])
def test_bad_targets_name_the_field_and_what_it_accepts(targets, problem):
    problems = compliance_targets.target_problems(targets)
    assert [line for line in problems if line.startswith(problem)], problems
    assert all('\n' not in line for line in problems)


@pytest.mark.parametrize('others, problem', [
    ({'audit_compliance_dbss_instance_ids': ['a1']}, 'audit_compliance_dbss_instance_ids cannot go with audit_compliance_targets'),
    ({'audit_compliance_rds_instance_ids': []}, 'audit_compliance_rds_instance_ids cannot go with audit_compliance_targets'),
    ({'audit_compliance_export_logs': True}, 'audit_compliance_export_logs cannot go with audit_compliance_targets'),
    ({'audit_compliance_export_logs': 'yes'}, 'audit_compliance_export_logs cannot go with audit_compliance_targets'),
    ({'audit_compliance_connection': {'project_id': 'p' * 32}}, 'audit_compliance_connection.project_id cannot go with'),
])
def test_variables_that_cannot_go_with_targets(others, problem):
    assert [line for line in compliance_targets.target_problems([MAIN], others) if line.startswith(problem)]
    # Without targets they are fine.
    assert compliance_targets.target_problems([], others) == []


def test_variables_that_go_with_targets():
    others = {'audit_compliance_dbss_instance_ids': None, 'audit_compliance_export_logs': False,
              'audit_compliance_connection': {'region': 'cn-north-4', 'access_key': 'AK'}}
    assert compliance_targets.target_problems([MAIN], others) == []


def test_target_connection():
    base = {'region': 'cn-north-4', 'access_key': 'AK', 'agency_domain_id': 'set-in-the-connection', 'timeout': 5}
    assert compliance_targets.target_connection(base, MAIN) == dict(base, region='cn-north-4')
    assert compliance_targets.target_connection(base, OTHER) == {
        'region': 'cn-east-3', 'access_key': 'AK', 'timeout': 5, 'agency_name': 'dbaudit_auditor',
        'agency_domain_name': 'member-1', 'agency_domain_id': None}
    assert base['region'] == 'cn-north-4'             # not changed
    assert compliance_targets.target_connection({}, MAIN) == {'region': 'cn-north-4'}


# ----------------------------------------------------------------------------------------------------------------
# merge
# ----------------------------------------------------------------------------------------------------------------
def main_facts():
    """a1 SHUTOFF (DBSS-01 high), a2 with an upgrade pending (DBSS-06 low); r1 compliant."""
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss('a1', status='SHUTOFF'), dbss('a2', new_version='23.10')]
    facts['scopes'] = [good_scope('a1'), good_scope('a2')]
    facts['databases'] = [good_db('a1'), good_db('a2')]
    return facts


def other_facts():
    """b1 SHUTOFF (DBSS-01); x1 with the audit log off (RDS-01), in cn-east-3."""
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss('b1', status='SHUTOFF', region='cn-east-3')]
    facts['scopes'] = [good_scope('b1')]
    facts['databases'] = [good_db('b1', rds_id='x1')]
    facts['rds_instances'] = [rds('x1', region='cn-east-3', datastore={'type': 'MySQL'})]
    facts['policies'] = [{'instance_id': 'x1', 'keep_days': 0}]
    facts['audit_logs'] = [dict(item, instance_id='x1') for item in facts['audit_logs']]
    return facts


def evaluated(facts, target, **options):
    report = evaluate(facts, region=target['region'], **options)
    return compliance_remediation.apply(report, compliance_remediation.section(report, requested=False))


def merged(waivers=None, **options):
    reports = [evaluated(main_facts(), MAIN, **options), evaluated(other_facts(), OTHER, **options)]
    return reports, compliance_targets.merge(reports, [MAIN, OTHER], waivers)


def findings(items):
    return sorted((item['account'], item['region'], item['check'], item['resource_id']) for item in items)


def test_merge_sums_every_count_and_labels_every_entry():
    (first, second), report = merged()
    assert findings(report['violations']) == sorted(
        [('main', 'cn-north-4', item['check'], item['resource_id']) for item in first['violations']]
        + [('other', 'cn-east-3', item['check'], item['resource_id']) for item in second['violations']])
    assert ('main', 'cn-north-4', 'DBSS-01', 'a1') in findings(report['violations'])
    assert ('other', 'cn-east-3', 'DBSS-01', 'b1') in findings(report['violations'])
    summary = report['summary']
    assert summary['violations'] == first['summary']['violations'] + second['summary']['violations']
    for severity in ('high', 'medium', 'low'):
        assert summary['by_severity'][severity] == first['summary']['by_severity'][severity] + second['summary']['by_severity'][severity]
    for check, count in summary['by_check'].items():
        assert count == first['summary']['by_check'][check] + second['summary']['by_check'][check]
    assert summary['resources_checked'] == {'dbss_instance': 3, 'rds_instance': 2, 'total': 5}
    assert summary['failing_violations'] == first['summary']['failing_violations'] + second['summary']['failing_violations']
    assert summary['result'] == 'FAIL' and summary['failed'] is True and summary['errors'] == 0
    assert summary['region'] == 'cn-north-4, cn-east-3' and summary['targets'] == 2
    assert summary['coverage']['rds_instance'] == 2
    assert summary['message'].startswith('database audit compliance FAILED: %d of %d violations'
                                         % (summary['failing_violations'], summary['violations']))
    for position, check in enumerate(report['checks']):
        for key in ('checked', 'passed', 'failed', 'errors'):
            assert check[key] == first['checks'][position][key] + second['checks'][position][key]
        assert check['not_applicable'] == (
            [dict(item, account='main', region='cn-north-4') for item in first['checks'][position]['not_applicable']]
            + [dict(item, account='other', region='cn-east-3') for item in second['checks'][position]['not_applicable']])
    assert [check['not_applicable'] for check in report['checks'] if check['id'] == 'DBSS-07'] == [
        [{'id': 'a1', 'name': 'dbss-a1', 'account': 'main', 'region': 'cn-north-4'},
         {'id': 'b1', 'name': 'dbss-b1', 'account': 'other', 'region': 'cn-east-3'}]]
    assert sorted((item['account'], item['region'], item['id']) for item in report['resources']['dbss_instance']) == [
        ('main', 'cn-north-4', 'a1'), ('main', 'cn-north-4', 'a2'), ('other', 'cn-east-3', 'b1')]
    assert sorted((row['account'], row['region'], row['resource_id']) for row in report['coverage']) == [
        ('main', 'cn-north-4', 'r1'), ('other', 'cn-east-3', 'x1')]
    assert [(entry['account'], entry['region'], entry['violations'], entry['result']) for entry in report['targets']] == [
        ('main', 'cn-north-4', first['summary']['violations'], 'FAIL'), ('other', 'cn-east-3', second['summary']['violations'], 'FAIL')]
    assert report['targets'][1]['agency_name'] == 'dbaudit_auditor' and report['targets'][1]['agency_domain'] == 'member-1'
    assert report['remediation']['result'] == 'NOT_REQUESTED' and 'remediation' not in summary


def test_frameworks_are_made_again_from_the_merged_checks():
    (first, second), report = merged()
    assert report['frameworks'] == frameworks_section(report['checks'])
    # RDS-01 fails in the other account alone, so its controls fail in the merged report.
    assert not first['summary']['by_check']['RDS-01'] and second['summary']['by_check']['RDS-01'] == 1
    statuses = [check['status'] for framework in report['frameworks'].values() for control in framework['controls'].values()
                for check in control['checks'] if check['id'] == 'RDS-01']
    assert statuses and set(statuses) == {'FAIL'}


def test_the_merge_does_not_change_its_input():
    reports, _report = merged()
    again = [evaluated(main_facts(), MAIN), evaluated(other_facts(), OTHER)]
    assert reports == again and 'account' not in reports[0]['violations'][0]


def test_waivers_apply_after_the_merge():
    # A waiver of each target: neither is "unmatched" in the other one.
    waivers = [waiver('DBSS-01', 'a1'), waiver('RDS-01', 'x1', owner='dba')]
    (_first, _second), report = merged(waivers)
    assert findings(report['waived']) == [('main', 'cn-north-4', 'DBSS-01', 'a1'), ('other', 'cn-east-3', 'RDS-01', 'x1')]
    assert report['warnings'] == []
    assert ('main', 'cn-north-4', 'DBSS-01', 'a1') not in findings(report['violations'])
    _reports, unwaived = merged()
    summary = report['summary']
    assert summary['waived'] == 2 and summary['violations'] == unwaived['summary']['violations'] - 2
    assert summary['by_check']['RDS-01'] == 0 and summary['message'].endswith('; 2 waived findings not counted (see waived)')
    entries = dict((entry['name'], entry) for entry in report['targets'])
    assert entries['main']['waived'] == 1 and entries['other']['waived'] == 1
    assert entries['other']['violations'] == unwaived['targets'][1]['violations'] - 1
    # A waiver that matches nothing in any target is still warned about.
    _reports, report = merged([waiver('DBSS-01', 'nowhere')])
    assert len(report['warnings']) == 1 and 'matches no violation' in report['warnings'][0]


def test_a_target_whose_gathering_failed_is_an_error_named_by_its_target():
    refused = {'name': 'refused', 'region': 'cn-north-4', 'agency_name': 'x', 'agency_domain_name': 'y'}
    facts = facts_with_a_failed_policy()
    reports = [evaluated(compliant_facts(), MAIN), evaluated(facts, refused)]
    report = compliance_targets.merge(reports, [MAIN, refused])
    assert {item['account'] for item in report['errors']} == {'refused'}
    assert report['summary']['result'] == 'ERROR' and report['summary']['failed'] is True
    assert [entry['result'] for entry in report['targets']] == ['PASS', 'ERROR']
    assert report['summary']['gather_errors'][0]['account'] == 'refused'
    assert 'rds_auditlog_policy_info of refused (cn-north-4)' in report['summary']['message']


def test_remediation_sections_are_merged_worst_first():
    reports = [evaluated(main_facts(), MAIN), evaluated(other_facts(), OTHER)]
    fixed = dict(compliance_remediation.section(reports[0], requested=False), requested=True, result='FIXED',
                 message='remediation: 1 fixed', changed=[{'resource_id': 'r1'}], instances=1)
    failed = dict(fixed, result='ERROR', failed=True, message='remediation: FAILED', changed=[],
                  failed_instances=[{'resource_id': 'x1', 'resource_name': '', 'message': 'HTTP 403'}])
    reports = [dict(reports[0], remediation=fixed), dict(reports[1], remediation=failed)]
    report = compliance_targets.merge(reports, [MAIN, OTHER])
    section = report['remediation']
    assert section['result'] == 'ERROR' and section['failed'] is True and section['instances'] == 2
    assert section['changed'] == [{'resource_id': 'r1', 'account': 'main', 'region': 'cn-north-4'}]
    assert section['failed_instances'][0]['account'] == 'other'
    assert report['summary']['remediation'] == 'ERROR'
    assert report['summary']['message'].endswith('; main (cn-north-4): remediation: 1 fixed; other (cn-east-3): remediation: FAILED')


def test_merge_refuses_reports_that_do_not_match_the_targets():
    with pytest.raises(ValueError, match='one evaluated report per target'):
        compliance_targets.merge([evaluated(main_facts(), MAIN)], [MAIN, OTHER])


# ----------------------------------------------------------------------------------------------------------------
# renderings
# ----------------------------------------------------------------------------------------------------------------
def test_renderings_of_a_merged_report_name_the_account_and_region():
    _reports, report = merged([waiver('DBSS-06', 'a2')])
    markdown = markdown_page.render_markdown(report)
    assert '## Targets' in markdown and '| other | cn-east-3 | dbaudit\\_auditor of member-1 | FAIL |' in markdown
    assert '| Account | Region | Resource ID | Name | Finding |' in markdown
    assert '| other | cn-east-3 | b1 | dbss-b1 |' in markdown
    page = html_page.render_html(report)
    assert '<h2 id="targets">Targets</h2>' in page and '<th>Account</th><th>Resource ID</th>' in page
    ET.fromstring(page.split('\n', 1)[1])
    rows = list(csv.reader(io.StringIO(findings_csv.render_csv(report))))
    assert rows[0] == list(findings_csv.CSV_COLUMNS) and rows[0][-1] == 'account'
    assert sorted((row[-1], row[6], row[0], row[4]) for row in rows[1:]) == findings(report['violations'] + report['waived'])
    junit = ET.fromstring(compliance_render_junit.render_junit(report).split('\n', 1)[1])
    failed = sorted(case.get('name') for case in junit.iter('testcase') if case.find('failure') is not None)
    assert 'dbss_instance b1 (dbss-b1) [other cn-east-3]' in failed and 'dbss_instance a1 (dbss-a1) [main cn-north-4]' in failed
    assert len(failed) == report['summary']['violations'] == int(junit.get('failures'))
    waived = [case.get('name') for case in junit.iter('testcase') if case.find('skipped') is not None
              and 'waived' in case.find('skipped').get('message')]
    assert waived == ['dbss_instance a2 (dbss-a2) [main cn-north-4]']


def test_a_report_of_one_region_renders_as_before():
    report = evaluate(main_facts())
    assert 'Targets' not in markdown_page.render_markdown(report)
    assert 'id="targets"' not in html_page.render_html(report)
    assert '<th>Account</th><th>Resource ID</th>' not in html_page.render_html(report)
    assert next(csv.reader(io.StringIO(findings_csv.render_csv(report)))) == list(findings_csv.CSV_COLUMNS)
    assert '[' not in ''.join(case.get('name') for case in ET.fromstring(
        compliance_render_junit.render_junit(report).split('\n', 1)[1]).iter('testcase'))
