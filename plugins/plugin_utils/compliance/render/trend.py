# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The waived, trend and history sections of the Markdown and HTML reports (``compliance_waivers.py``,
``compliance_trend.py``). ``compliance_render.render_markdown()`` and ``render_html()`` take them as ``sections``,
placed after the summary; the filter plugin builds them. Everything from the report or the history is escaped."""

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render.common import h, md
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.trend import TREND_KEYS, usable_history

TREND_LABELS = {
    'new': 'New violations (not in the previous report)',
    'resolved': 'Resolved (violations in the previous report, no longer violations)',
    'persisting': 'Persisting violations',
    'waived': 'Waived since the previous report (an accepted risk, not a fix)',
    'unknown': 'Unknown now (violations in the previous report whose result is unknown now, never resolved)',
}
# History rows shown in Markdown (the chart in HTML shows them all).
MARKDOWN_HISTORY_ROWS = 20


def _warnings_markdown(report):
    warnings = report.get('warnings') or []
    if not warnings:
        return []
    return ['## Warnings', ''] + ['- ' + md(item) for item in warnings] + ['']


def _waived_markdown(report):
    waived = report.get('waived') or []
    if not waived:
        return []
    lines = ['## Waived findings', '',
             '%d violations are covered by a waiver (audit\\_compliance\\_waivers): not counted toward fail\\_on, '
             'shown here until the waiver expires.' % len(waived), '',
             '| Check | Severity | Resource ID | Name | Finding | Reason | Expires | Owner |',
             '| --- | --- | --- | --- | --- | --- | --- | --- |']
    lines += ['| %s | %s | %s | %s | %s | %s | %s | %s |' % tuple(
        md(item.get(key)) for key in ('check', 'severity', 'resource_id', 'resource_name', 'message', 'waiver_reason',
                                      'waiver_expires', 'waiver_owner')) for item in waived]
    return lines + ['']


def _trend_markdown(report):
    trend = report.get('trend')
    if not trend:
        return []
    lines = ['## Trend', '', 'Compared with the previous report of %s: %s.' % (
        md(trend['previous_generated_at']),
        ', '.join('%s %d' % (key, len(trend[key])) for key in TREND_KEYS)), '']
    for key in TREND_KEYS:
        if trend[key]:
            lines += ['### ' + md(TREND_LABELS[key]), '', '| Check | Resource ID |', '| --- | --- |']
            lines += ['| %s | %s |' % (md(item['check']), md(item['resource_id'])) for item in trend[key]]
            lines.append('')
    return lines


def _history_markdown(history):
    if not history or len(history) < 2:
        return []
    lines = ['## History', '', 'Violations of the last %d runs (history.json keeps more):' % min(len(history), MARKDOWN_HISTORY_ROWS)
             if len(history) > MARKDOWN_HISTORY_ROWS else 'Violations of every run in history.json:', '',
             '| Generated at | Result | Violations | Waived | Unknown |', '| --- | --- | ---: | ---: | ---: |']
    for item in history[-MARKDOWN_HISTORY_ROWS:]:
        counts = (item['violations'], item.get('waived', 0), item.get('errors', 0))
        lines.append('| %s | %s | %d | %d | %d |' % ((md(item['generated_at']), md(item['result'])) + counts))
    return lines + ['']


def _drawable(history):
    """The entries of ``history`` that can be shown: a history given to the filters is re-read as hostile input (an
    entry with an unreadable or out-of-range count is left out, never a failure)."""
    return usable_history(history)[0] if history else history


def markdown_sections(report, history=None):
    """The warnings, waived findings, trend and history as Markdown lines (none when the report has none)."""
    history = _drawable(history)
    return _warnings_markdown(report) + _waived_markdown(report) + _trend_markdown(report) + _history_markdown(history)


def _warnings_html(report):
    warnings = report.get('warnings') or []
    if not warnings:
        return u''
    return u'<h2 id="warnings">Warnings</h2><ul>%s</ul>' % u''.join(u'<li>%s</li>' % h(item) for item in warnings)


def _waived_html(report):
    waived = report.get('waived') or []
    if not waived:
        return u''
    out = [u'<h2 id="waived">Waived findings</h2><p>%d violations are covered by a waiver '
           u'(<code>audit_compliance_waivers</code>): not counted toward <code>fail_on</code>, shown here until the '
           u'waiver expires.</p>' % len(waived),
           u'<table><tr><th>Check</th><th>Severity</th><th>Resource ID</th><th>Name</th><th>Finding</th><th>Reason</th>'
           u'<th>Expires</th><th>Owner</th></tr>']
    out += [u'<tr><td><a href="#%s">%s</a></td><td><span class="sev %s">%s</span></td><td><code>%s</code></td><td>%s</td>'
            u'<td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>'
            % (h(item['check']), h(item['check']), h(item['severity']), h(item['severity']), h(item['resource_id']),
               h(item['resource_name']), h(item['message']), h(item['waiver_reason']), h(item['waiver_expires']),
               h(item['waiver_owner'])) for item in waived]
    out.append(u'</table>')
    return u''.join(out)


def _trend_html(report):
    trend = report.get('trend')
    if not trend:
        return u''
    out = [u'<h2 id="trend">Trend</h2><p>Compared with the previous report of %s.</p><table>'
           % h(trend['previous_generated_at'])]
    out += [u'<tr><th>%s</th><td class="n">%d</td></tr>' % (h(TREND_LABELS[key]), len(trend[key])) for key in TREND_KEYS]
    out.append(u'</table>')
    for key in TREND_KEYS:
        if trend[key]:
            out.append(u'<details%s><summary>%s: %d</summary><table><tr><th>Check</th><th>Resource ID</th></tr>%s</table>'
                       u'</details>' % (u' open="open"' if key == 'new' else u'', h(TREND_LABELS[key]), len(trend[key]), u''.join(
                           u'<tr><td>%s</td><td><code>%s</code></td></tr>' % (h(item['check']), h(item['resource_id']))
                           for item in trend[key])))
    return u''.join(out)


def history_svg(history):
    """An inline SVG line chart of the violation count of each run in ``history`` (oldest left)."""
    width, height, left, right, top, bottom = 640, 220, 48, 16, 16, 40
    counts = [item['violations'] for item in history]
    peak = max(counts + [1])
    span = max(len(counts) - 1, 1)
    plot_w, plot_h = width - left - right, height - top - bottom

    def point(index, count):
        return (left + plot_w * index / float(span), top + plot_h * (1 - count / float(peak)))

    points = [point(index, count) for index, count in enumerate(counts)]
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d">'
             % (width, height, width, height),
             '<title>Violations per run: %s</title>' % h(', '.join(
                 '%s %d' % (item['generated_at'], item['violations']) for item in history)),
             '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#59636e"/>' % (left, top + plot_h, width - right, top + plot_h),
             '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#59636e"/>' % (left, top, left, top + plot_h),
             '<text x="%d" y="%d" font-size="12" text-anchor="end" dominant-baseline="middle">%d</text>' % (left - 6, top, peak),
             '<text x="%d" y="%d" font-size="12" text-anchor="end" dominant-baseline="middle">0</text>' % (left - 6, top + plot_h),
             '<polyline fill="none" stroke="#c62828" stroke-width="2" points="%s"/>'
             % ' '.join('%.1f,%.1f' % xy for xy in points)]
    for (x, y), item in zip(points, history):
        parts.append('<circle cx="%.1f" cy="%.1f" r="3.5" fill="#c62828"><title>%s: %d violations (%s)</title></circle>'
                     % (x, y, h(item['generated_at']), item['violations'], h(item['result'])))
    for index in sorted(set([0, len(history) - 1])):
        x, _y = points[index]
        parts.append('<text x="%.1f" y="%d" font-size="12" text-anchor="%s">%s</text>'
                     % (x, height - bottom + 18, 'start' if index == 0 and len(history) > 1 else 'end',
                        h(history[index]['generated_at'])))
    parts.append('</svg>')
    return ''.join(parts)


def _history_html(history):
    if not history or len(history) < 2:
        return u''
    return (u'<h2 id="history">History</h2><p>Violations of the last %d runs (history.json, oldest first).</p>%s'
            % (len(history), history_svg(history)))


def html_sections(report, history=None):
    """The warnings, waived findings, trend and history chart as HTML (empty when the report has none)."""
    history = _drawable(history)
    return _warnings_html(report) + _waived_html(report) + _trend_html(report) + _history_html(history)
