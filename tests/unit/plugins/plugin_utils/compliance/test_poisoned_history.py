"""Issue 20 item 5: a poisoned history.json never breaks a later run.

``1e400`` (infinity once parsed), a 401-digit integer, NaN: an entry holding one is dropped with a warning, the
usable entries are kept, and every rendering (Markdown, HTML with its SVG chart) is still made. Before the fix
``as_int_or_none`` raised OverflowError and the chart divided by a 401-digit peak."""

import json
import xml.etree.ElementTree as ET

import pytest

from test_compliance import compliant_facts, evaluate
from test_compliance_trend import slurped

from ansible_collections.hwcloud.dbaudit.plugins.filter.compliance import audit_compliance_html, audit_compliance_markdown
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import html_page
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import trend as compliance_render_trend
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import trend as compliance_trend
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import as_int_or_none

HUGE = '9' * 401
GOOD = [{'generated_at': '2026-03-0%dT04:00:00Z' % day, 'result': 'FAIL', 'violations': day} for day in (1, 2)]


def poisoned(count_text, key='violations'):
    """history.json text with the two good entries around one whose ``key`` is ``count_text`` (raw JSON)."""
    bad = '{"generated_at": "2026-03-01T12:00:00Z", "result": "FAIL", "violations": 1, "%s": %s}' % (key, count_text)
    if key == 'violations':
        bad = '{"generated_at": "2026-03-01T12:00:00Z", "result": "FAIL", "violations": %s}' % count_text
    return ('[%s, %s, %s]' % (json.dumps(GOOD[0]), bad, json.dumps(GOOD[1]))).encode()


@pytest.mark.parametrize('value', [float('inf'), float('-inf'), float('nan'), '1e400', 'inf', 10 ** 400, HUGE])
def test_item5_as_int_or_none_never_raises_on_huge_or_infinite_numbers(value):
    number = as_int_or_none(value)
    assert number is None or number == int(HUGE) or number == 10 ** 400


@pytest.mark.parametrize('count_text, key', [('1e400', 'violations'), (HUGE, 'violations'), ('-1e400', 'violations'),
                                             ('1e400', 'errors'), (HUGE, 'waived'), ('"1e400"', 'violations'),
                                             ('1000000001', 'violations'), ('NaN', 'violations'), ('Infinity', 'errors')])
def test_item5_a_poisoned_history_entry_is_dropped_with_a_warning_and_every_report_is_made(count_text, key):
    report = evaluate(compliant_facts())
    result = compliance_trend.compare(report, None, slurped(poisoned(count_text, key)))
    history = result['history']
    assert [entry['generated_at'] for entry in history[:2]] == [GOOD[0]['generated_at'], GOOD[1]['generated_at']]
    assert len(history) == 3 and all(0 <= entry['violations'] <= compliance_trend.MAX_COUNT for entry in history)
    warnings = result['report']['warnings']
    assert len(warnings) == 1 and 'history.json held 1 unreadable entries or entries with a count out of range' in warnings[0]
    assert json.loads(json.dumps(history, allow_nan=False)) == history, 'the history written is plain JSON'

    markdown = audit_compliance_markdown(result['report'], history)
    page = audit_compliance_html(result['report'], history)
    assert '## History' in markdown and '<h2 id="history">History</h2>' in page
    svg = ET.fromstring(page.split('<h2 id="history">History</h2><p>')[1].split('</p>', 1)[1].split('</svg>')[0] + '</svg>')
    assert len(svg.findall('{http://www.w3.org/2000/svg}circle')) == 3


def test_item5_a_history_of_only_poisoned_entries_starts_a_new_one():
    text = ('[{"generated_at": "a", "violations": 1e400}, {"generated_at": "b", "violations": %s}]' % HUGE).encode()
    result = compliance_trend.compare(evaluate(compliant_facts()), None, slurped(text))
    assert len(result['history']) == 1
    assert result['report']['warnings'] == ['the previous history.json has no usable entry (2 unreadable or with a count '
                                            'out of range, dropped); a new history is started']


def test_item5_the_renderings_survive_a_poisoned_history_given_to_the_filters():
    report = evaluate(compliant_facts())
    history = GOOD + [{'generated_at': 'x', 'result': 'FAIL', 'violations': int(HUGE)},
                      {'generated_at': 'y', 'result': 'FAIL', 'violations': float('inf')}]
    page = html_page.render_html(report, compliance_render_trend.html_sections(report, history))
    assert page.count('<circle') == 2
    lines = compliance_render_trend.markdown_sections(report, history)
    assert not [line for line in lines if HUGE in line]
