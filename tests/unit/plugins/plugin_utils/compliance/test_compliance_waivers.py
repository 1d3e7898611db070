"""Waivers (plugins/plugin_utils/compliance/waivers.py): validation of audit_compliance_waivers, matching, the expiry
boundary, unknown results never waived, unmatched waivers warned about, and the waived findings in every rendering."""

import csv
import datetime
import io
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import checks as compliance_checks
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import evaluate as compliance
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import junit as compliance_render_junit
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import html_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import markdown_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import findings_csv
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import trend as compliance_render_trend
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import waivers as compliance_waivers

from test_compliance import NOW, POLICY_ERROR, compliant_facts, dbss, evaluate, facts_with_a_failed_policy, good_db, good_scope

TODAY = NOW.date()


def waiver(check='DBSS-01', resource_id='a1', expires=None, **fields):
    entry = {'check': check, 'resource_id': resource_id, 'reason': 'decommissioned next sprint',
             'expires': expires or (TODAY + datetime.timedelta(days=30)).isoformat()}
    entry.update(fields)
    return entry


def two_stopped():
    """Two SHUTOFF audit instances (DBSS-01, high) and one pending upgrade (DBSS-06, low)."""
    facts = compliant_facts()
    facts['dbss_instances'] = [dbss('a1', status='SHUTOFF'), dbss('a2', status='SHUTOFF', new_version='23.10')]
    facts['scopes'] = [good_scope('a1'), good_scope('a2')]
    facts['databases'] = [good_db('a1'), good_db('a2')]
    return facts


def keys(items):
    return sorted((item['check'], item['resource_id']) for item in items)


# ----------------------------------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------------------------------
def test_good_waivers_have_no_problem():
    assert compliance_waivers.waiver_problems([waiver(), waiver('RDS-02', 'r1', owner='dba team'),
                                               waiver('DBSS-06', 'a1', expires=datetime.date(2027, 1, 1))]) == []
    assert compliance_waivers.waiver_problems([]) == [] and compliance_waivers.waiver_problems(None) == []


@pytest.mark.parametrize('value, message', [
    ('DBSS-01', "audit_compliance_waivers must be a list of waivers, each a dict with check, resource_id, reason, expires, owner"),
    (['DBSS-01'], "audit_compliance_waivers[0] must be a dict with check, resource_id, reason, expires, owner"),
    ([waiver(check='DBSS-99')], "audit_compliance_waivers[0].check must be one of DBSS-01, DBSS-02"),
    ([waiver(), waiver(resource_id='')], "audit_compliance_waivers[1].resource_id must be a non-empty string"),
    ([waiver(reason='  ')], "audit_compliance_waivers[0].reason must be a non-empty string"),
    ([waiver(expires='2026-02-30')], "audit_compliance_waivers[0].expires must be a real date written YYYY-MM-DD"),
    ([waiver(expires='31/12/2026')], "audit_compliance_waivers[0].expires must be a real date written YYYY-MM-DD"),
    ([waiver(expires=datetime.datetime(2026, 12, 31, 1, 0))], "audit_compliance_waivers[0].expires must be a real date"),
    ([waiver(owner=7)], "audit_compliance_waivers[0].owner must be a string"),
    ([waiver(ticket='SEC-1')], "audit_compliance_waivers[0] has unknown keys ticket; allowed: check, resource_id, reason, expires, owner"),
    ([{'check': 'DBSS-01', 'resource_id': 'a1'}], "audit_compliance_waivers[0] misses reason, expires"),
    ([waiver(), waiver()], "audit_compliance_waivers[1] waives DBSS-01 on a1 again (already audit_compliance_waivers[0])"),
])
def test_bad_waivers_are_named_one_line_each(value, message):
    problems = compliance_waivers.waiver_problems(value)
    assert len(problems) == 1 and problems[0].startswith(message), problems
    assert '\n' not in problems[0]


def test_check_ids_are_the_catalogue():
    problem = compliance_waivers.waiver_problems([waiver(check='X')])[0]
    assert problem.endswith("got 'X'") and ', '.join(check['id'] for check in compliance_checks.CHECKS) in problem


# ----------------------------------------------------------------------------------------------------------------
# matching and counting
# ----------------------------------------------------------------------------------------------------------------
def test_a_valid_waiver_moves_the_violation_and_stops_fail_on():
    plain = evaluate(two_stopped())
    assert keys(plain['violations']) == [('DBSS-01', 'a1'), ('DBSS-01', 'a2'), ('DBSS-06', 'a2')]
    report = compliance_waivers.apply_waivers(plain, [waiver('DBSS-01', 'a1', owner='ops'), waiver('DBSS-01', 'a2')])
    assert keys(report['violations']) == [('DBSS-06', 'a2')]
    assert keys(report['waived']) == [('DBSS-01', 'a1'), ('DBSS-01', 'a2')]
    entry = report['waived'][0]
    original = next(item for item in plain['violations'] if (item['check'], item['resource_id']) == ('DBSS-01', 'a1'))
    assert entry == dict(original, state='WAIVED', waiver_reason='decommissioned next sprint',
                         waiver_expires=(TODAY + datetime.timedelta(days=30)).isoformat(), waiver_owner='ops')
    summary = report['summary']
    assert summary['violations'] == 1 and summary['waived'] == 2 and summary['warnings'] == 0
    assert summary['by_check']['DBSS-01'] == 0 and summary['by_severity'] == {'high': 0, 'medium': 0, 'low': 1}
    # Only a low violation is left: fail_on high passes, with the waived findings named.
    assert summary['failed'] is False and summary['result'] == 'WARN' and summary['failing_violations'] == 0
    assert summary['message'].endswith('; 2 waived findings not counted (see waived)')
    check = next(item for item in report['checks'] if item['id'] == 'DBSS-01')
    assert (check['failed'], check['waived'], check['passed'], check['checked']) == (0, 2, 0, 2)
    # The input report is left alone.
    assert plain['summary']['violations'] == 3 and 'waived' not in plain


def test_the_waiver_is_valid_through_its_expiry_day_utc():
    report = evaluate(two_stopped())
    today = compliance_waivers.report_day(report)
    assert today == TODAY
    on_the_day = compliance_waivers.apply_waivers(report, [waiver(expires=today.isoformat())])
    assert keys(on_the_day['waived']) == [('DBSS-01', 'a1')] and on_the_day['warnings'] == []
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    expired = compliance_waivers.apply_waivers(report, [waiver(expires=yesterday)])
    assert expired['waived'] == [] and ('DBSS-01', 'a1') in keys(expired['violations'])
    assert expired['warnings'] == ['audit_compliance_waivers[0] (DBSS-01 on a1) expired on %s and no longer applies: the '
                                   'finding is a violation again' % yesterday]
    assert expired['summary']['failed'] is True and expired['summary']['violations'] == 3
    # The report's day is UTC: 23:30 UTC on the expiry day is still that day, whatever the local time zone.
    late = compliance.evaluate(two_stopped(), datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.timezone.utc))
    assert compliance_waivers.apply_waivers(late, [waiver(expires='2026-03-01')])['warnings'] == []


def test_an_unknown_result_is_never_waived():
    report = evaluate(facts_with_a_failed_policy())
    unknown = [(item['check'], item['resource_id']) for item in report['errors']]
    assert ('RDS-01', 'r2') in unknown
    waived = compliance_waivers.apply_waivers(report, [waiver('RDS-01', 'r2')])
    assert waived['waived'] == [] and waived['errors'] == report['errors']
    assert waived['summary']['result'] == 'ERROR' and waived['summary']['failed'] is True
    assert waived['warnings'] == ['audit_compliance_waivers[0] (RDS-01 on r2) did not apply: the result is unknown '
                                  '(ERROR), and an unknown result is never waived']
    assert POLICY_ERROR[:40] in waived['summary']['message']


def test_a_waiver_that_matches_nothing_is_warned_about():
    report = compliance_waivers.apply_waivers(evaluate(compliant_facts()), [waiver('RDS-02', 'r1'), waiver('DBSS-01', 'ghost')])
    assert report['waived'] == [] and report['violations'] == []
    assert report['warnings'] == [
        'audit_compliance_waivers[0] (RDS-02 on r1) matches no violation of this run; remove it if the finding is fixed '
        'or the resource is gone',
        'audit_compliance_waivers[1] (DBSS-01 on ghost) matches no violation of this run; remove it if the finding is '
        'fixed or the resource is gone']
    assert report['summary']['result'] == 'PASS' and report['summary']['warnings'] == 2


def test_no_waiver_changes_nothing_but_adds_the_empty_lists():
    plain = evaluate(two_stopped())
    report = compliance_waivers.apply_waivers(plain, [])
    assert report['waived'] == [] and report['warnings'] == []
    assert report['violations'] == plain['violations'] and report['frameworks'] == plain['frameworks']
    summary = dict(report['summary'])
    assert summary.pop('waived') == 0 and summary.pop('warnings') == 0
    assert summary == plain['summary']


def test_frameworks_show_waived_checks():
    report = compliance_waivers.apply_waivers(evaluate(two_stopped()), [waiver('DBSS-01', 'a1'), waiver('DBSS-01', 'a2'),
                                                                        waiver('DBSS-06', 'a2')])
    assert report['summary']['result'] == 'PASS' and report['summary']['violations'] == 0
    soc2 = report['frameworks']['soc2']['controls']['CC7.2']
    assert {item['id']: item['status'] for item in soc2['checks']}['DBSS-01'] == 'WAIVED'
    assert soc2['status'] == 'WAIVED' and report['frameworks']['soc2']['status'] == 'WAIVED'
    # A control with a failing check stays FAIL: WAIVED ranks below FAIL.
    partial = compliance_waivers.apply_waivers(evaluate(two_stopped()), [waiver('DBSS-01', 'a1')])
    assert partial['frameworks']['soc2']['controls']['CC7.2']['status'] == 'FAIL'


# ----------------------------------------------------------------------------------------------------------------
# renderings
# ----------------------------------------------------------------------------------------------------------------
HOSTILE = 'evil <script>x</script> | `t` =cmd()'


def waived_report():
    return compliance_waivers.apply_waivers(evaluate(two_stopped()), [waiver('DBSS-01', 'a1', reason=HOSTILE, owner='=SUM(A1)')])


def test_csv_has_a_waived_row_with_the_waiver():
    rows = list(csv.reader(io.StringIO(findings_csv.render_csv(waived_report()), newline='')))
    header = rows[0]
    waived = [dict(zip(header, row)) for row in rows[1:] if row[header.index('result')] == 'WAIVED']
    assert len(waived) == 1 and len(rows) == 4
    assert (waived[0]['check'], waived[0]['resource_id'], waived[0]['waiver_reason'], waived[0]['waiver_owner']) == (
        'DBSS-01', 'a1', HOSTILE, "'=SUM(A1)")
    assert waived[0]['waiver_expires'] == (TODAY + datetime.timedelta(days=30)).isoformat()
    waiver_cells = [header.index(name) for name in ('waiver_reason', 'waiver_expires', 'waiver_owner')]
    assert all([row[index] for index in waiver_cells] == ['', '', ''] for row in rows[1:]
               if row[header.index('result')] != 'WAIVED')


def test_junit_skips_the_waived_case_with_the_reason():
    root = ET.fromstring(compliance_render_junit.render_junit(waived_report()).encode())
    suite = next(item for item in root.findall('testsuite') if item.find('properties/property[@name="check"]').get('value') == 'DBSS-01')
    assert suite.get('failures') == '1' and suite.get('skipped') == '1'
    case = next(item for item in suite.findall('testcase') if ' a1 ' in item.get('name'))
    assert case.find('failure') is None
    expected = 'waived until %s by =SUM(A1): %s' % ((TODAY + datetime.timedelta(days=30)).isoformat(), HOSTILE)
    assert case.find('skipped').get('message').startswith(expected)
    assert root.get('failures') == '2'


def test_markdown_and_html_show_the_waived_section_escaped():
    report = waived_report()
    markdown = markdown_page.render_markdown(report, compliance_render_trend.markdown_sections(report))
    assert '## Waived findings' in markdown and '| Waived | 1 (see Waived findings) |' in markdown
    assert '1 waived (see Waived findings): a1.' in markdown
    assert '<script>' not in markdown and 'evil &lt;script&gt;x&lt;/script&gt; \\| \\`t\\` =cmd()' in markdown
    page = html_page.render_html(report, compliance_render_trend.html_sections(report))
    ET.fromstring(page.split('\n', 1)[1])
    assert '<h2 id="waived">Waived findings</h2>' in page and '<script>' not in page
    assert 'evil &lt;script&gt;x&lt;/script&gt;' in page


def test_warnings_are_shown_in_markdown_and_html():
    report = compliance_waivers.apply_waivers(evaluate(compliant_facts()), [waiver('RDS-02', 'r1<b>')])
    markdown = markdown_page.render_markdown(report, compliance_render_trend.markdown_sections(report))
    assert '## Warnings' in markdown and 'RDS-02 on r1&lt;b&gt;' in markdown
    page = html_page.render_html(report, compliance_render_trend.html_sections(report))
    assert '<h2 id="warnings">Warnings</h2>' in page and 'RDS-02 on r1&lt;b&gt;' in page
