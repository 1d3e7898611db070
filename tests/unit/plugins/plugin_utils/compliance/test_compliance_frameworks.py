"""Frameworks, profiles and CSV of the compliance report (plugins/plugin_utils/compliance/frameworks.py and the
renderers): every check maps to a control, a control has the worst status of its checks, profiles only tighten,
the Frameworks sections are escaped, and report.csv parses back to exactly the findings, with formulas defused."""

import copy
import csv
import io
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import base as compliance_base
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import checks as compliance_checks
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import role_variables as compliance_role_variables
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import frameworks as compliance_frameworks
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import html_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import markdown_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import findings_csv
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import common

from test_compliance import (HOSTILE, MARKDOWN_HOSTILE, _cell_texts_and_syntax, compliant_facts, dbss, evaluate,
                             facts_with_a_failed_policy, good_db, good_scope, seeded_mix)

FRAMEWORK_IDS = ('mlps_level3', 'iso27001', 'pci_dss', 'soc2')
RANK = {'PASS': 0, 'NOT_EVALUATED': 1, 'FAIL': 2, 'ERROR': 3}


# -- the mapping ------------------------------------------------------------------------------------------------
def test_every_check_is_mapped_to_known_controls():
    known = dict((framework, set(control for control, _title in controls))
                 for framework, controls in compliance_frameworks.CONTROLS.items())
    assert set(known) == set(FRAMEWORK_IDS) == set(compliance_frameworks.FRAMEWORK_NAMES)
    assert set(compliance_frameworks.CHECK_CONTROLS) == set(check['id'] for check in compliance_checks.CHECKS)
    for check_id, mapping in compliance_frameworks.CHECK_CONTROLS.items():
        assert mapping and all(mapping.values()), check_id
        for framework, controls in mapping.items():
            assert set(controls) <= known[framework], (check_id, framework)
    # Every control is evidenced by some check, and titles are short (a number and a title, no control text).
    used = dict((framework, set()) for framework in FRAMEWORK_IDS)
    for mapping in compliance_frameworks.CHECK_CONTROLS.values():
        for framework, controls in mapping.items():
            used[framework].update(controls)
    assert used == known
    assert all(len(title) <= 110 for controls in compliance_frameworks.CONTROLS.values() for _control, title in controls)


def test_the_required_controls_are_cited():
    controls = dict((framework, dict(items)) for framework, items in compliance_frameworks.CONTROLS.items())
    assert {'8.15', '8.16'} <= set(controls['iso27001'])
    assert controls['iso27001']['8.15'] == 'Logging' and controls['iso27001']['8.16'] == 'Monitoring activities'
    assert {'10.2.1', '10.4.1', '10.5.1'} <= set(controls['pci_dss'])
    assert 'CC7.2' in controls['soc2']
    assert [control for control in controls['mlps_level3'] if control.startswith('8.1.4.3')]
    assert all('安全审计' in title for control, title in controls['mlps_level3'].items() if control.startswith('8.1.4.3'))
    mapping = compliance_frameworks.CHECK_CONTROLS
    assert mapping['RDS-02']['pci_dss'] == ('10.5.1',)
    assert '10.2.1' in mapping['RDS-01']['pci_dss'] and '8.15' in mapping['RDS-01']['iso27001']


def test_a_compliant_report_covers_every_check_in_every_framework_it_maps_to():
    report = evaluate(compliant_facts())
    frameworks = report['frameworks']
    assert list(frameworks) == list(FRAMEWORK_IDS)
    covered = set()
    for framework, entry in frameworks.items():
        assert entry['name'] == compliance_frameworks.FRAMEWORK_NAMES[framework] and entry['status'] == 'PASS'
        for control, item in entry['controls'].items():
            assert item['status'] == 'PASS' and item['title']
            for check in item['checks']:
                assert check['status'] == 'PASS'
                assert control in compliance_frameworks.CHECK_CONTROLS[check['id']][framework]
                covered.add(check['id'])
    assert covered == set(check['id'] for check in report['checks'])


def _expected_status(check, evaluated=True):
    if check['errors']:
        return 'ERROR'
    if check['failed']:
        return 'FAIL'
    return 'PASS' if evaluated and check['checked'] else 'NOT_EVALUATED'


def _assert_worst(report, off=()):
    statuses = dict((check['id'], _expected_status(check, check['id'] not in off)) for check in report['checks'])
    for framework, entry in report['frameworks'].items():
        for control, item in entry['controls'].items():
            assert [check['id'] for check in item['checks']] == [
                check_id for check_id in statuses if control in compliance_frameworks.CHECK_CONTROLS[check_id].get(framework, ())]
            assert all(check['status'] == statuses[check['id']] for check in item['checks'])
            assert item['status'] == max((check['status'] for check in item['checks']), key=RANK.get)
        assert entry['status'] == max((item['status'] for item in entry['controls'].values()), key=RANK.get)


def test_control_status_is_the_worst_of_its_checks():
    report = evaluate(seeded_mix())                      # DBSS-01 high, DBSS-06 low, RDS-02 high
    _assert_worst(report)
    frameworks = report['frameworks']
    assert frameworks['pci_dss']['controls']['10.5.1']['status'] == 'FAIL'          # RDS-02
    assert frameworks['pci_dss']['controls']['6.3.3']['status'] == 'FAIL'           # DBSS-06
    assert frameworks['iso27001']['controls']['8.16']['status'] == 'PASS'
    control = frameworks['pci_dss']['controls']['10.2.1']                              # DBSS-01 fails, the rest pass
    assert control['status'] == 'FAIL' and {'PASS', 'FAIL'} == set(check['status'] for check in control['checks'])

    failed = evaluate(facts_with_a_failed_policy())      # RDS-01/02 unknown for r2: ERROR beats PASS and FAIL
    _assert_worst(failed)
    assert failed['frameworks']['pci_dss']['controls']['10.5.1']['status'] == 'ERROR'
    assert failed['frameworks']['pci_dss']['status'] == 'ERROR'


def test_checks_switched_off_or_without_resources_are_not_evaluated():
    report = evaluate(compliant_facts(), require_full_audit=False)
    _assert_worst(report, off=('DBSS-04',))
    mlps = report['frameworks']['mlps_level3']['controls']['8.1.4.3 a']
    assert {'id': 'DBSS-04', 'status': 'NOT_EVALUATED'} in mlps['checks'] and mlps['status'] == 'NOT_EVALUATED'

    facts = compliant_facts()
    facts['dbss_instances'] = [dbss('a1', status='SHUTOFF')]             # DBSS-07..10 do not apply
    report = evaluate(facts)
    _assert_worst(report)
    statuses = dict((check['id'], check['status']) for check in report['frameworks']['iso27001']['controls']['8.16']['checks'])
    assert statuses == dict((check_id, 'NOT_EVALUATED') for check_id in ('DBSS-07', 'DBSS-08', 'DBSS-09', 'DBSS-10'))

    empty = evaluate({'audit_rules': {}})
    assert all(entry['status'] == 'NOT_EVALUATED' for entry in empty['frameworks'].values())


def test_worst_and_check_status_helpers():
    assert compliance_frameworks.worst([]) == 'NOT_EVALUATED'
    assert compliance_frameworks.worst(['PASS', 'NOT_EVALUATED']) == 'NOT_EVALUATED'
    assert compliance_frameworks.worst(['FAIL', 'PASS', 'ERROR']) == 'ERROR'
    assert compliance_frameworks.check_status({'checked': 2, 'failed': 1, 'errors': 1}) == 'ERROR'
    assert compliance_frameworks.check_status({'checked': 2, 'failed': 0, 'errors': 0}, evaluated=False) == 'NOT_EVALUATED'


# -- renderings of the section ------------------------------------------------------------------------------------
def hostile_frameworks_report():
    report = evaluate(seeded_mix())
    report = copy.deepcopy(report)
    control = report['frameworks']['pci_dss']['controls']['10.5.1']
    control['title'] = HOSTILE
    report['frameworks']['soc2']['name'] = MARKDOWN_HOSTILE
    return report


def test_html_frameworks_section_is_escaped():
    report = hostile_frameworks_report()
    page = html_page.render_html(report)
    ET.fromstring(page.split('\n', 1)[1])
    assert '<h2 id="frameworks">Frameworks</h2>' in page
    assert '<script>' not in page and 'evil &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27;' in page
    for entry in report['frameworks'].values():
        for control, item in entry['controls'].items():
            assert '<td>%s</td>' % control in page
    assert 'DBSS-01 FAIL' in page and 'RDS-02 FAIL' in page


def test_markdown_frameworks_section_is_escaped():
    report = hostile_frameworks_report()
    markdown = markdown_page.render_markdown(report)
    assert '## Frameworks' in markdown and '### PCI DSS v4.0: FAIL' in markdown
    assert '<script>' not in markdown and '| 10.5.1 |' in markdown
    cells = _cell_texts_and_syntax(markdown)
    assert HOSTILE.replace('\x07', '\ufffd') in cells and cells[HOSTILE.replace('\x07', '\ufffd')] == set()
    assert '### %s: %s' % (common.md(MARKDOWN_HOSTILE), report['frameworks']['soc2']['status']) in markdown


def test_reports_without_frameworks_still_render():
    report = evaluate(seeded_mix())
    del report['frameworks']
    del report['summary']['profile']
    assert 'Frameworks' not in markdown_page.render_markdown(report)
    assert 'id="frameworks"' not in html_page.render_html(report)


# -- profiles -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('profile, options, retention, raised', [
    (None, {}, 180, []),
    ('', {}, 180, []),
    ('pci_dss', {}, 365, ['min_retention_days']),
    ('PCI_DSS', {'min_retention_days': 90}, 365, ['min_retention_days']),
    ('pci_dss', {'min_retention_days': 400}, 400, []),             # set stricter: kept
    ('mlps_level3', {'min_retention_days': 30}, 180, ['min_retention_days']),
    ('mlps_level3', {}, 180, []),
    ('iso27001', {'min_retention_days': 30}, 30, []),
    ('soc2', {'min_retention_days': 30}, 30, []),
])
def test_profiles_only_raise_thresholds(profile, options, retention, raised):
    facts = compliant_facts()
    facts['policies'] = [{'instance_id': 'r1', 'keep_days': 200}]
    report = evaluate(facts, profile=profile, **options)
    summary = report['summary']
    assert summary['thresholds']['min_retention_days'] == retention
    assert summary['profile'] == (profile.lower() if profile else None) and summary['profile_raised'] == raised
    assert [item['check'] for item in report['violations']] == (['RDS-02'] if retention > 200 else [])
    others = dict((key, value) for key, value in summary['thresholds'].items() if key != 'min_retention_days')
    assert others == {'expiry_warning_days': 30, 'log_freshness_hours': 24, 'require_full_audit': True, 'alarm_ack_hours': 72}
    if profile:
        assert 'framework profile %s' % common.md(profile.lower()) in markdown_page.render_markdown(report)
        assert '<li>framework profile %s' % profile.lower() in html_page.render_html(report)


def test_an_unknown_profile_is_refused():
    with pytest.raises(compliance_base.ComplianceInputError, match="profile must be one of mlps_level3, iso27001, pci_dss, soc2"):
        evaluate(compliant_facts(), profile='hipaa')


@pytest.mark.parametrize('value', ['hipaa', 'pci', 3, ['pci_dss'], True])
def test_profile_role_variable_is_checked(value):
    problems = compliance_role_variables.role_variable_problems({'audit_compliance_profile': value})
    assert problems == ['audit_compliance_profile must be one of mlps_level3, iso27001, pci_dss, soc2, or empty for none, '
                        'got %r' % (value,)]


@pytest.mark.parametrize('value', [None, '', 'pci_dss', 'mlps_level3', 'iso27001', 'soc2', ' SOC2 '])
def test_profile_role_variable_accepts(value):
    assert compliance_role_variables.role_variable_problems({'audit_compliance_profile': value}) == []


# -- CSV ------------------------------------------------------------------------------------------------------------
def parse_csv(text):
    return list(csv.reader(io.StringIO(text, newline='')))


def test_csv_has_one_row_per_violation_and_error():
    facts = facts_with_a_failed_policy()
    facts['dbss_instances'] = [dbss('a1', status='ERROR', name='line one\nline "two", three')]
    facts['scopes'], facts['databases'] = [good_scope('a1')], [good_db('a1')]
    report = evaluate(facts)
    assert report['violations'] and report['errors']
    text = findings_csv.render_csv(report)
    assert text.endswith('\r\n')
    rows = parse_csv(text)
    header = list(findings_csv.CSV_COLUMNS)
    assert rows[0] == header
    assert 'waived' not in header
    # The waiver columns, empty for violations and unknown results (test_compliance_waivers.py), then the report's
    # time and the finding's account (empty: one target).
    assert header[-5:] == ['waiver_reason', 'waiver_expires', 'waiver_owner', 'generated_at', 'account']
    expected = [[dict(item, result=result, generated_at=report['summary']['generated_at']).get(column, '')
                 for column in header]
                for result, key in (('VIOLATION', 'violations'), ('ERROR', 'errors')) for item in report[key]]
    assert rows[1:] == expected
    assert ['DBSS-01', 'high', 'VIOLATION', 'dbss_instance', 'a1', 'line one\nline "two", three'] == rows[1][:6]
    assert len(rows) - 1 == len(report['violations']) + len(report['errors'])


def test_csv_of_a_clean_report_is_only_the_header():
    assert parse_csv(findings_csv.render_csv(evaluate(compliant_facts()))) == [list(findings_csv.CSV_COLUMNS)]


@pytest.mark.parametrize('name', ['=HYPERLINK("http://e.x","x")', '+1+2', '-2+3', '@SUM(A1)', '\tx', '\rx', "=cmd|' /C calc'!A0"])
def test_csv_defuses_formula_injection(name):
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss('a1', status='ERROR', name=name)]
    facts['scopes'], facts['databases'] = [good_scope('a1')], [good_db('a1')]
    report = evaluate(facts)
    rows = parse_csv(findings_csv.render_csv(report))
    assert len(rows) == 2
    cell = rows[1][list(findings_csv.CSV_COLUMNS).index('resource_name')]
    assert cell == "'" + name
    assert all(not value.startswith(('=', '+', '-', '@', '\t', '\r')) for row in rows for value in row)


def test_csv_keeps_safe_values_as_they_are():
    assert findings_csv._csv_cell('a=b') == 'a=b' and findings_csv._csv_cell(None) == ''
    assert findings_csv._csv_cell("'already") == "'already"


def test_the_documented_mapping_is_the_code():
    """docs/compliance.md's table of checks and controls says what compliance_frameworks.py does."""
    import os
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', '..'))
    with open(os.path.join(root, 'docs', 'compliance.md'), encoding='utf-8') as handle:
        text = handle.read()
    section = text.split('## Frameworks and profiles', 1)[1].split('\n## ', 1)[0]
    rows = [[cell.strip() for cell in line.strip('|').split('|')] for line in section.splitlines()
            if line.startswith(('| DBSS-', '| RDS-', '| COV-'))]
    documented = dict((row[0], dict((framework, tuple(item.strip() for item in cell.split(',')))
                                    for framework, cell in zip(FRAMEWORK_IDS, row[1:]) if cell)) for row in rows)
    assert documented == compliance_frameworks.CHECK_CONTROLS
