"""The compliance report as OCSF Compliance Findings (plugins/plugin_utils/compliance/render/ocsf.py, the filter
audit_compliance_ocsf): valid against the published OCSF 1.5.0 schema (tests/support/ocsf_support.py), one finding per check
and resource, FAIL/ERROR/WAIVED findings one for one with the report's, stable uids, and what each finding names."""

import datetime
import json

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hwcloud.dbaudit.plugins.filter.compliance_ocsf import audit_compliance_ocsf
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import checks as compliance_checks
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import waivers as compliance_waivers
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.frameworks import CHECK_CONTROLS
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import ocsf as compliance_ocsf

from ocsf_support import check_findings, schema_problems
from test_compliance import NOW, compliant_facts, dbss, evaluate, facts_with_a_failed_policy, good_db, good_scope
from test_compliance_targets import MAIN, OTHER, merged


def findings_of(report, **kwargs):
    return json.loads(audit_compliance_ocsf(report, **kwargs))


def failing_report(waivers=None):
    """a1 SHUTOFF (DBSS-01 and every ACTIVE-only check not applicable), a2 with an upgrade pending (DBSS-06)."""
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss('a1', status='SHUTOFF'), dbss('a2', new_version='23.10')]
    facts['scopes'] = [good_scope('a1'), good_scope('a2')]
    facts['databases'] = [good_db('a1'), good_db('a2')]
    report = evaluate(facts)
    return compliance_waivers.apply_waivers(report, waivers) if waivers is not None else report


def by_status(findings, status):
    return sorted((item['compliance']['control'], item['resources'][0]['uid']) for item in findings
                  if item['status_code'] == status)


def test_every_check_and_resource_is_a_valid_finding_failed_and_passed():
    report = failing_report()
    findings = check_findings(findings_of(report), report)
    assert by_status(findings, 'FAIL') == sorted((item['check'], item['resource_id']) for item in report['violations'])
    # One finding per check and resource the check applies to: checked = passed + failed + errors.
    expected = sum(check['checked'] for check in report['checks']
                   if check['id'] != 'DBSS-04' or report['summary']['thresholds']['require_full_audit'])
    assert len(findings) == expected
    assert len(by_status(findings, 'PASS')) == expected - len(report['violations'])
    # a1 is SHUTOFF: the ACTIVE-only checks do not apply to it, so they have no finding on it.
    assert ('DBSS-07', 'a1') not in by_status(findings, 'PASS') + by_status(findings, 'FAIL')


def test_a_finding_names_resource_severity_requirements_remediation_and_product():
    report = failing_report()
    finding = [item for item in findings_of(report, product_version='9.9.9')
               if item['status_code'] == 'FAIL' and item['compliance']['control'] == 'DBSS-01'][0]
    check = compliance_checks.CHECKS_BY_ID['DBSS-01']
    violation = [item for item in report['violations'] if item['check'] == 'DBSS-01'][0]
    assert finding['class_uid'] == 2003 and finding['type_uid'] == 200301 and finding['category_uid'] == 2
    assert finding['resources'] == [{'name': 'dbss-a1', 'region': 'cn-north-4', 'type': 'Huawei Cloud DBSS audit instance',
                                     'uid': 'a1'}]
    assert (finding['severity_id'], finding['severity']) == (4, 'High')
    assert finding['compliance']['status_id'] == 3 and finding['status_id'] == 1
    assert finding['compliance']['status_detail'] == violation['message']
    assert finding['remediation']['desc'] == check['remediation']
    controls = CHECK_CONTROLS['DBSS-01']
    assert len(finding['compliance']['requirements']) == sum(len(items) for items in controls.values())
    assert len(finding['compliance']['standards']) == len(controls)
    assert finding['metadata']['product'] == {'name': compliance_ocsf.PRODUCT_NAME, 'vendor_name': 'hwcloud.dbaudit',
                                              'version': '9.9.9'}
    assert finding['time'] == int(NOW.timestamp() * 1000)
    assert finding['cloud'] == {'provider': 'Huawei Cloud', 'region': 'cn-north-4'}


def test_the_product_version_defaults_to_the_collections():
    version = findings_of(failing_report())[0]['metadata']['product']['version']
    assert version == compliance_ocsf.collection_version() and version != 'unknown'


def test_uids_are_stable_across_runs_and_independent_of_the_result():
    first = dict((item['finding_info']['uid'], item['status_code']) for item in findings_of(failing_report()))
    fixed = evaluate(compliant_facts())
    later = dict((item['finding_info']['uid'], item['status_code']) for item in findings_of(fixed))
    # a1 (failing before) is gone, a2 now passes DBSS-06... the uids of the resources in both runs are equal.
    uid = compliance_ocsf.finding_uid('DBSS-01', None, 'cn-north-4', 'dbss_instance', 'a1')
    assert first[uid] == 'FAIL' and later[uid] == 'PASS'
    assert findings_of(failing_report()) == findings_of(failing_report())


def test_a_waived_violation_is_a_suppressed_fail_with_its_waiver():
    expires = (NOW.date() + datetime.timedelta(days=30)).isoformat()
    waivers = [{'check': 'DBSS-06', 'resource_id': 'a2', 'reason': 'upgrade window in May', 'expires': expires,
                'owner': 'dba team'}]
    report = failing_report(waivers)
    findings = check_findings(findings_of(report), report)
    waived = [item for item in findings if item['status_code'] == 'WAIVED']
    assert len(waived) == 1 and waived[0]['resources'][0]['uid'] == 'a2'
    assert (waived[0]['status_id'], waived[0]['status'], waived[0]['compliance']['status_id']) == (3, 'Suppressed', 3)
    assert waived[0]['unmapped']['waiver'] == {'reason': 'upgrade window in May', 'expires': expires, 'owner': 'dba team'}
    assert 'upgrade window in May' in waived[0]['status_detail']


def test_an_unknown_result_is_an_error_finding_never_a_pass():
    report = evaluate(facts_with_a_failed_policy())
    findings = check_findings(findings_of(report), report)
    errors = [item for item in findings if item['status_code'] == 'ERROR']
    assert len(errors) == len(report['errors']) > 0
    assert all(item['compliance']['status_id'] == 2 for item in errors)
    assert ('RDS-02', 'r2') not in by_status(findings, 'PASS')


def test_a_report_of_several_targets_names_the_account_of_every_finding():
    _reports, report = merged()
    findings = check_findings(findings_of(report), report)
    accounts = set(item['cloud']['account']['name'] for item in findings)
    assert accounts == {MAIN['name'], OTHER['name']}
    assert all(item['resources'][0]['owner']['account']['name'] == item['cloud']['account']['name'] for item in findings)
    regions = set((item['cloud']['account']['name'], item['resources'][0]['region']) for item in findings)
    assert (OTHER['name'], 'cn-east-3') in regions


def test_the_schema_check_catches_a_broken_finding():
    finding = findings_of(failing_report())[0]
    broken = dict(finding, severity_id='High')
    del broken['finding_info']
    problems = schema_problems([broken])
    assert any('finding_info' in line for line in problems) and any('severity_id' in line for line in problems)


def test_the_filter_refuses_what_is_not_a_report():
    with pytest.raises(AnsibleFilterError, match='audit_compliance_report'):
        audit_compliance_ocsf({'violations': []})
    with pytest.raises(AnsibleFilterError, match='product_version'):
        audit_compliance_ocsf(failing_report(), product_version=3)
