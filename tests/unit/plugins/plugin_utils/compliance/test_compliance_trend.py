"""Trend and history (plugins/plugin_utils/compliance/trend.py): new/resolved/persisting from two reports, waived and
unknown findings never counted as resolved, the history cap, and previous files that are corrupt, foreign or unreadable
(a warning and no trend, never a failure); the trend and history sections of the renderings."""

import base64
import datetime
import json
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import evaluate as compliance
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import html_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import markdown_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import trend as compliance_render_trend
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import trend as compliance_trend
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import waivers as compliance_waivers

from test_compliance import NOW, compliant_facts, dbss, evaluate, facts_with_a_failed_policy, good_db, good_scope, rds


def slurped(value):
    """What ansible.builtin.slurp registers for a file holding ``value`` (bytes, text or JSON data)."""
    if not isinstance(value, bytes):
        value = (value if isinstance(value, str) else json.dumps(value)).encode('utf-8')
    return {'changed': False, 'content': base64.b64encode(value).decode('ascii'), 'encoding': 'base64', 'source': '/r/x'}


def keys(items):
    return sorted((item['check'], item['resource_id']) for item in items)


def facts_with(stopped=(), running=()):
    """Audit instances: ``stopped`` ones fail DBSS-01 only, ``running`` ones pass everything."""
    facts = compliant_facts()
    ids = list(stopped) + list(running)
    facts['dbss_instances'] = [dbss(item, status='SHUTOFF' if item in stopped else 'ACTIVE') for item in ids]
    facts['scopes'] = [good_scope(item) for item in ids]
    facts['databases'] = [good_db(item) for item in ids]
    return facts


def test_new_resolved_persisting():
    before = evaluate(facts_with(stopped=('a1', 'a2'), running=('a3',)))
    after = evaluate(facts_with(stopped=('a2', 'a3'), running=('a1',)))
    result = compliance_trend.compare(after, slurped(before), None)
    trend = result['report']['trend']
    assert trend['previous_generated_at'] == before['summary']['generated_at']
    assert keys(trend['new']) == [('DBSS-01', 'a3')]
    assert keys(trend['resolved']) == [('DBSS-01', 'a1')]
    assert keys(trend['persisting']) == [('DBSS-01', 'a2')]
    assert trend['waived'] == [] and trend['unknown'] == []
    assert trend['counts'] == {'new': 1, 'resolved': 1, 'persisting': 1, 'waived': 0, 'unknown': 0}
    assert all(set(item) == {'check', 'resource_id'} for key in compliance_trend.TREND_KEYS for item in trend[key])
    assert result['report']['warnings'] == []


def test_sets_are_sorted_by_check_then_resource():
    before = evaluate(compliant_facts())
    after = evaluate(facts_with(stopped=('b2', 'a9', 'b1')))
    trend = compliance_trend.compare(after, slurped(before), None)['report']['trend']
    assert [(item['check'], item['resource_id']) for item in trend['new']] == [('DBSS-01', 'a9'), ('DBSS-01', 'b1'), ('DBSS-01', 'b2')]


def test_a_waived_finding_is_not_resolved_and_an_expired_waiver_makes_it_new():
    before = evaluate(facts_with(stopped=('a1', 'a2')))
    waiver = {'check': 'DBSS-01', 'resource_id': 'a1', 'reason': 'accepted', 'expires': '2026-12-31'}
    after = compliance_waivers.apply_waivers(evaluate(facts_with(stopped=('a1', 'a2'))), [waiver])
    trend = compliance_trend.compare(after, slurped(before), None)['report']['trend']
    assert keys(trend['waived']) == [('DBSS-01', 'a1')] and trend['resolved'] == []
    assert keys(trend['persisting']) == [('DBSS-01', 'a2')]
    # The waiver expired: the finding waived in the previous report is a violation again, new to the trend.
    expired = evaluate(facts_with(stopped=('a1', 'a2')))
    trend = compliance_trend.compare(expired, slurped(after), None)['report']['trend']
    assert keys(trend['new']) == [('DBSS-01', 'a1')] and keys(trend['persisting']) == [('DBSS-01', 'a2')]


def test_an_unknown_result_is_never_resolved():
    facts = facts_with_a_failed_policy()
    before_facts = dict(facts, errors={}, policies=[{'instance_id': 'r1', 'keep_days': 180}, {'instance_id': 'r2', 'keep_days': 0}])
    before = evaluate(before_facts)
    assert ('RDS-01', 'r2') in keys(before['violations'])
    after = evaluate(facts)
    trend = compliance_trend.compare(after, slurped(before), None)['report']['trend']
    assert ('RDS-01', 'r2') in keys(trend['unknown'])
    assert ('RDS-01', 'r2') not in keys(trend['resolved'])


@pytest.mark.parametrize('previous, warning', [
    (slurped(b'{"summary": '), 'the previous report.json is not valid JSON ('),
    (slurped(b'\xff\xfe\x00'), 'the previous report.json is not UTF-8 text'),
    (slurped([1, 2]), 'the previous report.json is not a report of the audit_compliance role; no trend this run'),
    (slurped({'summary': {'generated_at': 'x'}, 'violations': [{'check': 'DBSS-01', 'resource_id': 7}]}),
     'the previous report.json is not a report of the audit_compliance role'),
    (slurped({'summary': 'FAIL', 'violations': []}), 'the previous report.json is not a report of the audit_compliance role'),
    ({'content': '***', 'encoding': 'base64'}, 'the previous report.json could not be read (not base64 content)'),
    ({'failed': False, 'msg': 'file is not readable: /r/report.json'},
     'the previous report.json could not be read (file is not readable: /r/report.json)'),
])
def test_an_unusable_previous_report_is_a_warning_and_no_trend(previous, warning):
    report = evaluate(facts_with(stopped=('a1',)))
    result = compliance_trend.compare(report, previous, None)
    assert 'trend' not in result['report']
    assert len(result['report']['warnings']) == 1 and result['report']['warnings'][0].startswith(warning)
    assert result['report']['summary']['warnings'] == 1
    assert [entry['generated_at'] for entry in result['history']] == [report['summary']['generated_at']]


def test_no_previous_report_is_no_trend_and_no_warning():
    report = evaluate(compliant_facts())
    for previous in (None, {'skipped': True, 'changed': False}):
        result = compliance_trend.compare(report, previous, previous)
        assert 'trend' not in result['report'] and result['report']['warnings'] == []
        assert len(result['history']) == 1


def test_history_appends_caps_and_is_seeded_from_the_previous_report():
    before = evaluate(facts_with(stopped=('a1', 'a2')))
    first = compliance_trend.compare(before, None, None)['history']
    assert first == [compliance_trend.history_entry(before['summary'])]
    assert first[0]['violations'] == 2 and first[0]['result'] == 'FAIL'
    # A previous report without history.json (e.g. made before the history existed) seeds the history.
    after = evaluate(facts_with(stopped=('a1',)))
    assert [entry['violations'] for entry in compliance_trend.compare(after, slurped(before), None)['history']] == [2, 1]
    # With a history, it is appended to, and the oldest entries are dropped past the limit.
    old = [dict(first[0], generated_at='2026-01-%02dT00:00:00Z' % day, violations=day) for day in range(1, 6)]
    history = compliance_trend.compare(after, slurped(before), slurped(old), limit=4)['history']
    assert [entry['violations'] for entry in history] == [3, 4, 5, 1]
    assert len(compliance_trend.compare(after, None, slurped(old * 30))['history']) == compliance_trend.HISTORY_LIMIT


@pytest.mark.parametrize('content', [b'not json', b'{"a": 1}', b'[{"generated_at": "x"}]', b'[{"violations": 1}]'])
def test_an_unusable_history_is_a_warning_and_a_new_history(content):
    report = evaluate(compliant_facts())
    result = compliance_trend.compare(report, None, slurped(content))
    assert len(result['history']) == 1
    assert result['report']['warnings'][0].startswith('the previous history.json')
    assert result['report']['warnings'][0].endswith('a new history is started')


def test_history_entries_are_re_read_as_hostile_input():
    entry = {'generated_at': 'x' * 500, 'result': '<b>', 'violations': '3', 'errors': -1, 'by_severity': {'high': 'lots'},
             'extra': 'dropped'}
    history = compliance_trend.compare(evaluate(compliant_facts()), None, slurped([entry]))['history']
    assert history[0] == {'generated_at': history[0]['generated_at'], 'result': 'unknown', 'violations': 3,
                          'failing_violations': 0, 'waived': 0, 'errors': 0, 'by_severity': {'high': 0, 'medium': 0, 'low': 0}}
    assert history[0]['generated_at'].startswith('x' * 40) and len(history[0]['generated_at']) < 100


def test_trend_and_history_in_markdown_and_html():
    before = evaluate(facts_with(stopped=('a1', 'a2')))
    after = evaluate(facts_with(stopped=('a2', 'a<3>')))
    result = compliance_trend.compare(after, slurped(before), slurped([compliance_trend.history_entry(before['summary'])]))
    report, history = result['report'], result['history']
    markdown = markdown_page.render_markdown(report, compliance_render_trend.markdown_sections(report, history))
    assert '## Trend' in markdown and '## History' in markdown
    assert 'new 1, resolved 1, persisting 1, waived 0, unknown 0' in markdown
    assert '| DBSS-01 | a&lt;3&gt; |' in markdown
    page = html_page.render_html(report, compliance_render_trend.html_sections(report, history))
    ET.fromstring(page.split('\n', 1)[1])
    assert '<h2 id="trend">Trend</h2>' in page and '<h2 id="history">History</h2>' in page
    assert '<code>a&lt;3&gt;</code>' in page and 'a<3>' not in page
    svg = ET.fromstring(compliance_render_trend.history_svg(history))
    points = svg.find('{http://www.w3.org/2000/svg}polyline').get('points').split()
    assert len(points) == 2
    # Oldest left, and the higher count drawn higher (a smaller y).
    (x1, y1), (x2, y2) = [tuple(float(value) for value in point.split(',')) for point in points]
    assert x1 < x2 and (y1 < y2) == (history[0]['violations'] > history[1]['violations'])
    # One run alone: no chart.
    single = compliance_trend.compare(after, None, None)
    assert 'id="history"' not in compliance_render_trend.html_sections(single['report'], single['history'])


def test_a_report_of_another_day_keeps_its_utc_generated_at():
    later = compliance.evaluate(compliant_facts(), NOW + datetime.timedelta(days=1))
    result = compliance_trend.compare(later, slurped(evaluate(compliant_facts())), None)
    assert result['report']['trend']['previous_generated_at'] == '2026-03-01T04:00:00Z'
    assert [entry['generated_at'] for entry in result['history']] == ['2026-03-01T04:00:00Z', '2026-03-02T04:00:00Z']


def test_rds_findings_count_too():
    facts = compliant_facts()
    facts['rds_instances'] = [rds('r1')]
    facts['policies'] = [{'instance_id': 'r1', 'keep_days': 7}]
    after = evaluate(facts)
    trend = compliance_trend.compare(after, slurped(evaluate(compliant_facts())), None)['report']['trend']
    assert keys(trend['new']) == [('RDS-02', 'r1')]
