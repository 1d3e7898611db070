# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Renderings of a compliance report (the dict ``compliance.evaluate()`` returns): Markdown, one self-contained HTML
page and CSV (JUnit XML: ``junit.py``). Everything taken from the report is escaped for its format."""

import csv
import io
import re

from html import escape as _html_escape
from urllib.parse import quote as _url_quote

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import remediation as compliance_remediation
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import targets as compliance_render_targets
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.base import as_text
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.checks import ERROR_SEVERITY, RESOURCE_LABELS, SEVERITIES
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.coverage import html_section, markdown_section

_XML_INVALID = re.compile(u'[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def _clean(value):
    """Text without the control characters XML 1.0 cannot carry, even escaped."""
    return _XML_INVALID.sub(u'\ufffd', as_text(value))


def _h(value):
    return _html_escape(_clean(value), True)


# Characters that start Markdown syntax inside a line (emphasis, code, links, tables, strike-through, headings,
# images): escaped with a backslash, which CommonMark allows before any ASCII punctuation.
_MD_SPECIAL = re.compile(r'([\\`*_\[\]|~#!])')


def _md(value):
    """Cloud text as literal Markdown: one line, no syntax, no HTML (``&``, ``<`` and ``>`` as entities)."""
    text = _clean(value).replace('\r', ' ').replace('\n', ' ')
    text = text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    return _MD_SPECIAL.sub(r'\\\1', text)


def _violations_by_check(report, key='violations'):
    grouped = dict((check['id'], []) for check in report['checks'])
    for violation in report.get(key) or []:
        grouped.setdefault(violation['check'], []).append(violation)
    return grouped


def _errors_by_check(report):
    """ERROR findings (results that could not be determined) by check; reports made before they existed have none."""
    return _violations_by_check(report, 'errors')


def _stand_ins(report, check, resources):
    """Resources of ERROR findings that are not among the listed resources (the ``*`` of an incomplete list)."""
    listed = set((item.get('account'), item['id']) for item in resources.get(check['resource_type'], []))
    stand_ins = []
    for item in _errors_by_check(report).get(check['id'], []):
        if (item.get('account'), item['resource_id']) not in listed:
            stand_in = {'id': item['resource_id'], 'name': item['resource_name']}
            if item.get('account'):         # a report of several targets
                stand_in.update(account=item['account'], region=item['region'])
            stand_ins.append(stand_in)
    return stand_ins


def _not_applicable_clause(check, count=2):
    """Why a check skips resources, after "Not applicable to N <resources>"."""
    reason = check.get('not_applicable_reason')
    return '(%s)' % reason if reason else 'that %s not ACTIVE (see DBSS-01)' % ('is' if count == 1 else 'are')


def _href(path):
    """A relative path as a link target: percent-encoded, so no character can end the link or start a scheme."""
    return _url_quote(as_text(path), safe='/')


def _number(value):
    return 'unknown' if value is None else '%d' % value


def _evidence_rows(evidence):
    """(label, text) rows of the evidence section, the same in every format."""
    period = ('%s to %s' % (evidence['start_time'], evidence['end_time'] or 'unknown') if evidence['start_time']
              else 'unknown')
    verified = _number(evidence['files_verified'])
    if evidence['files_fetched'] is not None:
        verified += ' (%d fetched by this run)' % evidence['files_fetched']
    rows = [('Period', period),
            ('Files listed', _number(evidence['files_listed'])),
            ('Files verified', verified),
            ('Files failed', _number(evidence['files_failed']))]
    if evidence.get('files_pending'):
        rows.append(('Files to fetch (check mode)', '%d' % evidence['files_pending']))
    rows.append(('Bytes', '%s (%s downloaded by this run)' % (_number(evidence['bytes']),
                                                              _number(evidence['bytes_downloaded']))))
    return rows


def _markdown_evidence(report):
    evidence = report.get('evidence')
    if not evidence:
        return []
    lines = ['## Evidence', '',
             'The audit log files of the period checked, exported by %s. Check them with `sha256sum -c SHA256SUMS` '
             'in that folder.' % _md(evidence['module']), '',
             '| | |', '| --- | --- |',
             '| Result | **%s** |' % _md(evidence['result'])]
    for label, path in (('Manifest', evidence['manifest']), ('Checksums', evidence['sha256sums'])):
        lines.append('| %s | %s |' % (label, '[%s](%s)' % (_md(path), _href(path)) if path else 'not written'))
    lines += ['| %s | %s |' % (_md(label), _md(text)) for label, text in _evidence_rows(evidence)]
    if evidence['error']:
        lines += ['', 'Error: ' + _md(evidence['error'])]
    if evidence['missing']:
        lines += ['', 'Missing (not fetched, not in the manifest):', '',
                  '| RDS instance | File | File ID | Reason |', '| --- | --- | --- | --- |']
        lines += ['| %s | %s | %s | %s |' % (_md(item['instance_id']), _md(item['name']), _md(item['id']),
                                             _md(item['reason'])) for item in evidence['missing']]
    lines.append('')
    return lines


def _framework_rows(report):
    """(framework id, name, status, [(control id, title, status, 'DBSS-01 PASS, ...')]) of the report's frameworks
    section; none for reports made before it existed."""
    rows = []
    for framework, entry in (report.get('frameworks') or {}).items():
        controls = [(control, item['title'], item['status'],
                     ', '.join('%s %s' % (check['id'], check['status']) for check in item['checks']))
                    for control, item in entry['controls'].items()]
        rows.append((framework, entry['name'], entry['status'], controls))
    return rows


def _markdown_frameworks(report):
    rows = _framework_rows(report)
    if not rows:
        return []
    lines = ['', '## Frameworks', '',
             'The controls each check provides evidence for (not a certification: an assessor decides). A control '
             'has the worst status of its checks: ERROR, FAIL, WAIVED, NOT\\_EVALUATED, PASS.', '']
    for _framework, name, status, controls in rows:
        lines += ['### %s: %s' % (_md(name), _md(status)), '',
                  '| Control | Title | Status | Checks |', '| --- | --- | --- | --- |']
        lines += ['| %s | %s | %s | %s |' % (_md(control), _md(title), _md(state), _md(checks))
                  for control, title, state, checks in controls]
        lines.append('')
    return lines[:-1]


def _profile_line(summary):
    """The framework profile and what it raised; None for reports without one."""
    if not summary.get('profile'):
        return None
    raised = summary.get('profile_raised') or []
    return 'profile %s%s' % (summary['profile'], ' (raised: %s)' % ', '.join(raised) if raised else ' (no threshold raised)')


def _md_where(entry):
    """The account and region cells of a finding of a report of several targets; empty otherwise."""
    return '%s | %s | ' % (_md(entry['account']), _md(entry['region'])) if entry.get('account') else ''


def render_markdown(report, sections=None):
    """The report as Markdown; ``sections`` (lines, see compliance_render_trend) come after the summary."""
    summary = report['summary']
    grouped = _violations_by_check(report)
    unknown = _errors_by_check(report)
    waived = _violations_by_check(report, 'waived')
    # A report of several targets: the findings' account and region columns first.
    located = 'Account | Region | ' if compliance_render_targets.has_targets(report) else ''
    lines = [
        '# Database audit compliance report',
        '',
        '| | |',
        '| --- | --- |',
        '| Result | **%s** |' % _md(summary['result']),
        '| Region | %s |' % _md(summary['region'] or 'unknown'),
        '| Generated at | %s |' % _md(summary['generated_at']),
        '| Resources checked | %d DBSS audit instances, %d RDS instances |' % (
            summary['resources_checked']['dbss_instance'], summary['resources_checked']['rds_instance']),
        '| Violations | %d (high %d, medium %d, low %d) |' % (
            summary['violations'], summary['by_severity']['high'], summary['by_severity']['medium'],
            summary['by_severity']['low']),
        '| Fails on | %s |' % _md(summary['fail_on']),
    ]
    if summary.get('errors'):
        lines.append('| Unknown results (ERROR) | %d |' % summary['errors'])
    if summary.get('waived'):
        lines.append('| Waived | %d (see Waived findings) |' % summary['waived'])
    if report.get('evidence'):
        lines.append('| Evidence | %s (see Evidence) |' % _md(report['evidence']['result']))
    lines += [
        '',
        _md(summary['message']),
        '',
    ]
    if summary.get('gather_errors'):
        lines += ['## Errors while gathering', '', 'These results are unknown, never a pass:', '']
        lines += ['- %s: %s' % (_md(item['module']), _md(item['message'])) for item in summary['gather_errors']]
        lines.append('')
    lines += compliance_render_targets.markdown_lines(report, _md)
    lines += list(sections or [])
    lines += _markdown_evidence(report)
    lines += compliance_remediation.markdown_lines(report.get('remediation'), _md)
    lines += markdown_section(report, _md)
    lines += [
        '## Checks',
        '',
        '| Check | Severity | Title | Checked | Passed | Failed |',
        '| --- | --- | --- | ---: | ---: | ---: |',
    ]
    for check in report['checks']:
        lines.append('| %s | %s | %s | %d | %d | %d |' % (
            _md(check['id']), _md(check['severity']), _md(check['title']), check['checked'], check['passed'], check['failed']))
    lines += _markdown_frameworks(report)
    for check in report['checks']:
        hits = grouped.get(check['id'], [])
        errors = unknown.get(check['id'], [])
        lines += ['', '## %s %s (%s)' % (_md(check['id']), _md(check['title']), _md(check['severity'])), '',
                  _md(check['description']), '', 'Fix: ' + _md(check['remediation']), '']
        skipped = check.get('not_applicable') or []
        if skipped:
            lines += ['Not applicable to %s %s: %s.'
                      % (_counted(len(skipped), RESOURCE_LABELS[check['resource_type']]), _md(_not_applicable_clause(check, len(skipped))),
                         ', '.join(_md(item['id']) for item in skipped)), '']
        if waived.get(check['id']):
            lines += ['%d waived (see Waived findings): %s.' % (len(waived[check['id']]), ', '.join(
                _md(item['resource_id']) for item in waived[check['id']])), '']
        if not hits and not errors:
            if not waived.get(check['id']):
                lines.append('All %s pass.' % _counted(check['checked'], RESOURCE_LABELS[check['resource_type']])
                             if check['checked'] != 1 else 'The %s passes.' % RESOURCE_LABELS[check['resource_type']])
            continue
        if hits:
            lines += ['%d of %d fail:' % (len(hits), check['checked']), '',
                      '| %sResource ID | Name | Finding |' % located, '| %s--- | --- | --- |' % ('--- | --- | ' if located else '')]
            for violation in hits:
                lines.append('| %s%s | %s | %s |' % (_md_where(violation), _md(violation['resource_id']), _md(violation['resource_name']),
                                                     _md(violation['message'])))
        if errors:
            if hits:
                lines.append('')
            lines += ['%d of %d unknown (ERROR, severity %s):' % (len(errors), check['checked'], ERROR_SEVERITY),
                      '', '| %sResource ID | Name | Error |' % located, '| %s--- | --- | --- |' % ('--- | --- | ' if located else '')]
            for error in errors:
                lines.append('| %s%s | %s | %s |' % (_md_where(error), _md(error['resource_id']), _md(error['resource_name']),
                                                     _md(error['message'])))
    thresholds = summary['thresholds']
    lines += ['', '## Thresholds', '',
              '- expiry warning: %d days' % thresholds['expiry_warning_days'],
              '- minimum audit log retention: %d days' % thresholds['min_retention_days'],
              '- audit log freshness: %d hours (files that began since %s)' % (thresholds['log_freshness_hours'],
                                                                               _md(summary['log_window_start'])),
              '- full audit required: %s' % ('yes' if thresholds['require_full_audit'] else 'no')]
    if 'alarm_ack_hours' in thresholds:
        lines.append('- HIGH alarms acknowledged within: %d hours' % thresholds['alarm_ack_hours'])
    if _profile_line(summary):
        lines.append('- framework ' + _md(_profile_line(summary)))
    lines.append('')
    return '\n'.join(lines)


_SEVERITY_COLOURS = {'high': '#c62828', 'medium': '#ef6c00', 'low': '#1565c0'}
_CSS = u'''
body{font-family:-apple-system,"Segoe UI",Roboto,Helvetica,Arial,"PingFang SC","Hiragino Sans GB","Microsoft YaHei",
"Noto Sans CJK SC","Source Han Sans SC",sans-serif;margin:2em auto;max-width:70em;
padding:0 1em;color:#1f2328;line-height:1.45}
h1{margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0;width:100%}th,td{border:1px solid #d0d7de;padding:.3em .6em;
text-align:left;vertical-align:top}th{background:#f6f8fa}td.n{text-align:right}
.verdict{display:inline-block;padding:.2em .8em;border-radius:.3em;color:#fff;font-weight:bold}
.PASS,.OK{background:#2e7d32}.NOT_EVALUATED{background:#59636e}.FAIL{background:#c62828}.PENDING{background:#1565c0}.WAIVED{background:#8250df}.WARN{background:#ef6c00}.ERROR{background:#6a1b9a}
.sev{display:inline-block;padding:0 .5em;border-radius:.3em;color:#fff;font-size:.85em}
.high{background:#c62828}.medium{background:#ef6c00}.low{background:#1565c0}
td.name{white-space:nowrap}td code{overflow-wrap:anywhere}
.ok{color:#2e7d32}.muted{color:#59636e}code{font-size:.9em}
@media print{details{display:block}}
'''


def _svg_chart(by_severity):
    """An inline SVG bar chart of violations by severity."""
    width, bar_height, gap, label_width = 520, 26, 10, 80
    top = max([by_severity[severity] for severity in SEVERITIES] + [1])
    height = len(SEVERITIES) * (bar_height + gap) + gap
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d">'
             % (width, height, width, height),
             '<title>Violations by severity: %s</title>' % _h(', '.join(
                 '%s %d' % (severity, by_severity[severity]) for severity in SEVERITIES))]
    for index, severity in enumerate(SEVERITIES):
        count = by_severity[severity]
        y = gap + index * (bar_height + gap)
        length = int(round((width - label_width - 60) * count / float(top)))
        parts.append('<text x="0" y="%d" font-size="14" dominant-baseline="middle">%s</text>'
                     % (y + bar_height // 2, _h(severity)))
        parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>'
                     % (label_width, y, max(length, 1), bar_height, _SEVERITY_COLOURS[severity]))
        parts.append('<text x="%d" y="%d" font-size="14" dominant-baseline="middle">%d</text>'
                     % (label_width + max(length, 1) + 6, y + bar_height // 2, count))
    parts.append('</svg>')
    return ''.join(parts)


def _gather_errors_html(summary):
    if not summary.get('gather_errors'):
        return u''
    items = u''.join(u'<li><code>%s</code>: %s</li>' % (_h(item['module']), _h(item['message']))
                     for item in summary['gather_errors'])
    return u'<h2 id="errors">Errors while gathering</h2><p>These results are unknown, never a pass:</p><ul>%s</ul>' % items


def _html_link(path):
    if not path:
        return u'not written'
    return u'<a href="%s"><code>%s</code></a>' % (_h(_href(path)), _h(path))


def _evidence_html(report):
    evidence = report.get('evidence')
    if not evidence:
        return u''
    out = [u'<h2 id="evidence">Evidence</h2>',
           u'<p><span class="verdict %s">%s</span> %s</p>' % (_h(evidence['result']), _h(evidence['result']), _h(evidence['message'])),
           u'<p>The audit log files of the period checked, exported by <code>%s</code>. Check them with '
           u'<code>sha256sum -c SHA256SUMS</code> in that folder.</p><table>' % _h(evidence['module']),
           u'<tr><th>Manifest</th><td>%s</td></tr>' % _html_link(evidence['manifest']),
           u'<tr><th>Checksums</th><td>%s</td></tr>' % _html_link(evidence['sha256sums'])]
    out += [u'<tr><th>%s</th><td>%s</td></tr>' % (_h(label), _h(text)) for label, text in _evidence_rows(evidence)]
    if evidence['error']:
        out.append(u'<tr><th>Error</th><td>%s</td></tr>' % _h(evidence['error']))
    out.append(u'</table>')
    if evidence['missing']:
        out.append(u'<p>%d files missing (not fetched, not in the manifest):</p><table><tr><th>RDS instance</th>'
                   u'<th>File</th><th>File ID</th><th>Reason</th></tr>' % len(evidence['missing']))
        out += [u'<tr><td><code>%s</code></td><td><code>%s</code></td><td><code>%s</code></td><td>%s</td></tr>'
                % (_h(item['instance_id']), _h(item['name']), _h(item['id']), _h(item['reason']))
                for item in evidence['missing']]
        out.append(u'</table>')
    return u''.join(out)


def _counted(count, label):
    """``1 RDS instance``, ``2 RDS instances``, HTML-escaped."""
    return u'%d %s%s' % (count, _h(label), u'' if count == 1 else u's')


def _html_resource_table(entries, message_header):
    """Violations or error findings of one check: (the account of a report of several targets,) resource, name, region
    and the message."""
    located = any(entry.get('account') for entry in entries)
    rows = [u'<table><tr>%s<th>Resource ID</th><th>Name</th><th>Region</th><th>%s</th></tr>'
            % (u'<th>Account</th>' if located else u'', message_header)]
    for entry in entries:
        rows.append(u'<tr>%s<td><code>%s</code></td><td class="name">%s</td><td>%s</td><td>%s</td></tr>'
                    % (u'<td>%s</td>' % _h(entry.get('account')) if located else u'',
                       _h(entry['resource_id']), _h(entry['resource_name']), _h(entry['region']), _h(entry['message'])))
    rows.append(u'</table>')
    return u''.join(rows)


def _frameworks_html(report):
    rows = _framework_rows(report)
    if not rows:
        return u''
    out = [u'<h2 id="frameworks">Frameworks</h2><p>The controls each check provides evidence for (not a certification: '
           u'an assessor decides). A control has the worst status of its checks: ERROR, FAIL, WAIVED, NOT_EVALUATED, PASS.</p>']
    for framework, name, status, controls in rows:
        out.append(u'<h3 id="framework-%s">%s <span class="verdict %s">%s</span></h3>'
                   % (_h(framework), _h(name), _h(status), _h(status)))
        out.append(u'<table><tr><th>Control</th><th>Title</th><th>Status</th><th>Checks</th></tr>')
        out += [u'<tr><td>%s</td><td>%s</td><td><span class="verdict %s">%s</span></td><td>%s</td></tr>'
                % (_h(control), _h(title), _h(state), _h(state), _h(checks)) for control, title, state, checks in controls]
        out.append(u'</table>')
    return u''.join(out)


def render_html(report, sections=None):
    """One self-contained page: inline CSS and SVG, no script, no external reference. ``sections`` (HTML, see
    compliance_render_trend) come after the summary."""
    summary = report['summary']
    grouped = _violations_by_check(report)
    unknown = _errors_by_check(report)
    waived = _violations_by_check(report, 'waived')
    resources = report.get('resources') or {}
    title = 'Database audit compliance report - %s - %s' % (summary['region'] or 'unknown region', summary['generated_at'])
    out = [u'<!DOCTYPE html>', u'<html lang="en"><head><meta charset="utf-8"/>',
           u'<meta name="viewport" content="width=device-width, initial-scale=1"/>',
           u'<title>%s</title><style>%s</style></head><body>' % (_h(title), _CSS),
           u'<h1>Database audit compliance report</h1>',
           u'<p><span class="verdict %s">%s</span> %s</p>' % (_h(summary['result']), _h(summary['result']), _h(summary['message'])),
           u'<h2 id="summary">Summary</h2><table>',
           u'<tr><th>Region</th><td>%s</td></tr>' % _h(summary['region'] or 'unknown'),
           u'<tr><th>Generated at</th><td>%s</td></tr>' % _h(summary['generated_at']),
           u'<tr><th>Resources checked</th><td>%s, %s</td></tr>' % (
               _counted(summary['resources_checked']['dbss_instance'], 'DBSS audit instance'),
               _counted(summary['resources_checked']['rds_instance'], 'RDS instance')),
           u'<tr><th>Violations</th><td>%d</td></tr>' % summary['violations'],
           u'<tr><th>Fails on</th><td>%s</td></tr>' % _h(summary['fail_on']),
           u'<tr><th>Unknown results (ERROR)</th><td>%d</td></tr>' % summary['errors'] if summary.get('errors') else u'',
           u'<tr><th>Waived</th><td><a href="#waived">%d</a></td></tr>' % summary['waived'] if summary.get('waived') else u'',
           u'<tr><th>Evidence</th><td><a href="#evidence">%s</a></td></tr>' % _h(report['evidence']['result'])
           if report.get('evidence') else u'',
           u'</table>',
           _gather_errors_html(summary),
           compliance_render_targets.html(report, _h),
           sections or u'',
           _evidence_html(report),
           compliance_remediation.html(report.get('remediation'), _h),
           u'<h3>Violations by severity</h3>', _svg_chart(summary['by_severity']),
           u'<h2 id="checks">Checks</h2><table><tr><th>Check</th><th>Severity</th><th>Title</th><th>Checked</th>'
           u'<th>Passed</th><th>Failed</th></tr>']
    for check in report['checks']:
        out.append(u'<tr><td><a href="#%s">%s</a></td><td><span class="sev %s">%s</span></td><td>%s</td>'
                   u'<td class="n">%d</td><td class="n">%d</td><td class="n">%d</td></tr>'
                   % (_h(check['id']), _h(check['id']), _h(check['severity']), _h(check['severity']), _h(check['title']),
                      check['checked'], check['passed'], check['failed']))
    out.append(u'</table>')
    out.append(html_section(report, _h))
    out.append(_frameworks_html(report))
    for check in report['checks']:
        hits = grouped.get(check['id'], [])
        label = RESOURCE_LABELS[check['resource_type']]
        out.append(u'<h2 id="%s">%s %s <span class="sev %s">%s</span></h2>'
                   % (_h(check['id']), _h(check['id']), _h(check['title']), _h(check['severity']), _h(check['severity'])))
        out.append(u'<p>%s</p><p><strong>Fix:</strong> %s</p>' % (_h(check['description']), _h(check['remediation'])))
        if hits:
            out.append(u'<p>%d of %s %s.</p>' % (len(hits), _counted(check['checked'], label),
                                                 'fails' if check['checked'] == 1 else 'fail'))
            out.append(_html_resource_table(hits, 'Finding'))
        errors = unknown.get(check['id'], [])
        if errors:
            out.append(u'<p>%d of %d unknown (<span class="sev ERROR">ERROR</span>, severity %s).</p>'
                       % (len(errors), check['checked'], _h(ERROR_SEVERITY)))
            out.append(_html_resource_table(errors, 'Error'))
        skipped = check.get('not_applicable') or []
        if skipped:
            out.append(u'<p class="muted">Not applicable to %s %s: %s.</p>'
                       % (_counted(len(skipped), label), _h(_not_applicable_clause(check, len(skipped))),
                          u', '.join(u'<code>%s</code>' % _h(item['id']) for item in skipped)))
        if waived.get(check['id']):
            out.append(u'<p>%d waived (<a href="#waived">see Waived findings</a>): %s.</p>' % (len(waived[check['id']]), u', '.join(
                u'<code>%s</code>' % _h(item['resource_id']) for item in waived[check['id']])))
        if not hits and not errors and not waived.get(check['id']):
            out.append(u'<p class="ok">%s.</p>' % (u'The %s passes' % _h(label) if check['checked'] == 1 else
                                                   u'All %s pass' % _counted(check['checked'], label)))
        failed_ids = set(violation['resource_id'] for violation in hits + errors + waived.get(check['id'], []))
        failed_ids.update(item['id'] for item in skipped)
        passing = [item for item in resources.get(check['resource_type'], []) if item['id'] not in failed_ids]
        if passing:
            out.append(u'<details><summary>%d passing</summary><table><tr><th>Resource ID</th><th>Name</th></tr>'
                       % len(passing))
            for item in passing:
                out.append(u'<tr><td><code>%s</code></td><td class="name">%s</td></tr>' % (_h(item['id']), _h(item['name'])))
            out.append(u'</table></details>')
    thresholds = summary['thresholds']
    out.append(u'<h2 id="thresholds">Thresholds</h2><ul>'
               u'<li>expiry warning: %d days</li><li>minimum audit log retention: %d days</li>'
               u'<li>audit log freshness: %d hours (files that began since %s)</li><li>full audit required: %s</li>%s%s</ul>'
               % (thresholds['expiry_warning_days'], thresholds['min_retention_days'], thresholds['log_freshness_hours'],
                  _h(summary['log_window_start']), 'yes' if thresholds['require_full_audit'] else 'no',
                  u'<li>HIGH alarms acknowledged within: %d hours</li>' % thresholds['alarm_ack_hours']
                  if 'alarm_ack_hours' in thresholds else u'',
                  u'<li>framework %s</li>' % _h(_profile_line(summary)) if _profile_line(summary) else u''))
    out.append(u'<p class="muted">Generated by the hwcloud.dbaudit.audit_compliance role.</p></body></html>')
    return u'\n'.join(out) + u'\n'


# ---------------------------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------------------------
# generated_at and account last, added after the others (account is empty in a report of one target).
CSV_COLUMNS = ('check', 'severity', 'result', 'resource_type', 'resource_id', 'resource_name', 'region', 'message',
               'remediation', 'waiver_reason', 'waiver_expires', 'waiver_owner', 'generated_at', 'account')
# A cell starting with one of these is read as a formula by spreadsheet programs (CSV/formula injection).
_FORMULA_START = ('=', '+', '-', '@', '\t', '\r')


def _csv_cell(value):
    """A value as a CSV cell that a spreadsheet shows as text: a leading apostrophe before a formula start."""
    text = as_text(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(report):
    """One row per finding, violations (result VIOLATION), unknown results (ERROR), then waived violations (WAIVED,
    with the waiver's reason, expiry and owner; empty for the others), under a header of CSV_COLUMNS; RFC 4180
    quoting and CRLF line ends. Cells that would start a formula get a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect='excel', quoting=csv.QUOTE_MINIMAL, lineterminator='\r\n')
    writer.writerow(CSV_COLUMNS)
    generated_at = report['summary'].get('generated_at')
    for result, key in (('VIOLATION', 'violations'), ('ERROR', 'errors'), ('WAIVED', 'waived')):
        for finding in report.get(key) or []:
            row = dict(finding, result=result, generated_at=generated_at)
            writer.writerow([_csv_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()
