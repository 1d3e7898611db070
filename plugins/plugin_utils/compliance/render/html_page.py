# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The compliance report (the dict ``compliance.evaluate()`` returns) as one self-contained HTML page (report.html):
inline CSS and SVG, no script, no external reference. Everything taken from the report is escaped (``common.h``)."""

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import remediation as compliance_remediation
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import targets as compliance_render_targets
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render.common import (
    counted, errors_by_check, evidence_rows, framework_rows, h, header_rows, href, not_applicable_clause, profile_line,
    violations_by_check)
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.checks import ERROR_SEVERITY, RESOURCE_LABELS, SEVERITIES
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.coverage import html_section


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
             '<title>Violations by severity: %s</title>' % h(', '.join(
                 '%s %d' % (severity, by_severity[severity]) for severity in SEVERITIES))]
    for index, severity in enumerate(SEVERITIES):
        count = by_severity[severity]
        y = gap + index * (bar_height + gap)
        length = int(round((width - label_width - 60) * count / float(top)))
        parts.append('<text x="0" y="%d" font-size="14" dominant-baseline="middle">%s</text>'
                     % (y + bar_height // 2, h(severity)))
        parts.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>'
                     % (label_width, y, max(length, 1), bar_height, _SEVERITY_COLOURS[severity]))
        parts.append('<text x="%d" y="%d" font-size="14" dominant-baseline="middle">%d</text>'
                     % (label_width + max(length, 1) + 6, y + bar_height // 2, count))
    parts.append('</svg>')
    return ''.join(parts)


def _gather_errors_html(summary):
    if not summary.get('gather_errors'):
        return u''
    items = u''.join(u'<li><code>%s</code>: %s</li>' % (h(item['module']), h(item['message']))
                     for item in summary['gather_errors'])
    return u'<h2 id="errors">Errors while gathering</h2><p>These results are unknown, never a pass:</p><ul>%s</ul>' % items


def _html_link(path):
    if not path:
        return u'not written'
    return u'<a href="%s"><code>%s</code></a>' % (h(href(path)), h(path))


def _evidence_html(report):
    evidence = report.get('evidence')
    if not evidence:
        return u''
    out = [u'<h2 id="evidence">Evidence</h2>',
           u'<p><span class="verdict %s">%s</span> %s</p>' % (h(evidence['result']), h(evidence['result']), h(evidence['message'])),
           u'<p>The audit log files of the period checked, exported by <code>%s</code>. Check them with '
           u'<code>sha256sum -c SHA256SUMS</code> in that folder.</p><table>' % h(evidence['module']),
           u'<tr><th>Manifest</th><td>%s</td></tr>' % _html_link(evidence['manifest']),
           u'<tr><th>Checksums</th><td>%s</td></tr>' % _html_link(evidence['sha256sums'])]
    out += [u'<tr><th>%s</th><td>%s</td></tr>' % (h(label), h(text)) for label, text in evidence_rows(evidence)]
    if evidence['error']:
        out.append(u'<tr><th>Error</th><td>%s</td></tr>' % h(evidence['error']))
    out.append(u'</table>')
    if evidence['missing']:
        out.append(u'<p>%d files missing (not fetched, not in the manifest):</p><table><tr><th>RDS instance</th>'
                   u'<th>File</th><th>File ID</th><th>Reason</th></tr>' % len(evidence['missing']))
        out += [u'<tr><td><code>%s</code></td><td><code>%s</code></td><td><code>%s</code></td><td>%s</td></tr>'
                % (h(item['instance_id']), h(item['name']), h(item['id']), h(item['reason']))
                for item in evidence['missing']]
        out.append(u'</table>')
    return u''.join(out)


def _html_resource_table(entries, message_header):
    """Violations or error findings of one check: (the account of a report of several targets,) resource, name, region
    and the message."""
    located = any(entry.get('account') for entry in entries)
    rows = [u'<table><tr>%s<th>Resource ID</th><th>Name</th><th>Region</th><th>%s</th></tr>'
            % (u'<th>Account</th>' if located else u'', message_header)]
    for entry in entries:
        rows.append(u'<tr>%s<td><code>%s</code></td><td class="name">%s</td><td>%s</td><td>%s</td></tr>'
                    % (u'<td>%s</td>' % h(entry.get('account')) if located else u'',
                       h(entry['resource_id']), h(entry['resource_name']), h(entry['region']), h(entry['message'])))
    rows.append(u'</table>')
    return u''.join(rows)


def _frameworks_html(report):
    rows = framework_rows(report)
    if not rows:
        return u''
    out = [u'<h2 id="frameworks">Frameworks</h2><p>The controls each check provides evidence for (not a certification: '
           u'an assessor decides). A control has the worst status of its checks: ERROR, FAIL, WAIVED, NOT_EVALUATED, PASS.</p>']
    for framework, name, status, controls in rows:
        out.append(u'<h3 id="framework-%s">%s <span class="verdict %s">%s</span></h3>'
                   % (h(framework), h(name), h(status), h(status)))
        out.append(u'<table><tr><th>Control</th><th>Title</th><th>Status</th><th>Checks</th></tr>')
        out += [u'<tr><td>%s</td><td>%s</td><td><span class="verdict %s">%s</span></td><td>%s</td></tr>'
                % (h(control), h(title), h(state), h(state), h(checks)) for control, title, state, checks in controls]
        out.append(u'</table>')
    return u''.join(out)


def render_html(report, sections=None, collection_version=None):
    """One self-contained page: inline CSS and SVG, no script, no external reference. ``sections`` (HTML, see
    compliance_render_trend) come after the summary. The header names the account(s), region(s) and
    ``collection_version`` (default: the installed collection's)."""
    summary = report['summary']
    grouped = violations_by_check(report)
    unknown = errors_by_check(report)
    waived = violations_by_check(report, 'waived')
    resources = report.get('resources') or {}
    header = header_rows(report, collection_version)
    scope = dict(header)
    title = 'Database audit compliance report - %s - %s' % (
        scope.get('Regions') or scope.get('Region'), summary['generated_at'])
    out = [u'<!DOCTYPE html>', u'<html lang="en"><head><meta charset="utf-8"/>',
           u'<meta name="viewport" content="width=device-width, initial-scale=1"/>',
           u'<title>%s</title><style>%s</style></head><body>' % (h(title), _CSS),
           u'<h1>Database audit compliance report</h1>',
           u'<p><span class="verdict %s">%s</span> %s</p>' % (h(summary['result']), h(summary['result']), h(summary['message'])),
           u'<h2 id="summary">Summary</h2><table>',
           u''.join(u'<tr><th>%s</th><td>%s</td></tr>' % (h(label), h(text)) for label, text in header),
           u'<tr><th>Resources checked</th><td>%s, %s</td></tr>' % (
               counted(summary['resources_checked']['dbss_instance'], 'DBSS audit instance'),
               counted(summary['resources_checked']['rds_instance'], 'RDS instance')),
           u'<tr><th>Violations</th><td>%d</td></tr>' % summary['violations'],
           u'<tr><th>Fails on</th><td>%s</td></tr>' % h(summary['fail_on']),
           u'<tr><th>Unknown results (ERROR)</th><td>%d</td></tr>' % summary['errors'] if summary.get('errors') else u'',
           u'<tr><th>Waived</th><td><a href="#waived">%d</a></td></tr>' % summary['waived'] if summary.get('waived') else u'',
           u'<tr><th>Evidence</th><td><a href="#evidence">%s</a></td></tr>' % h(report['evidence']['result'])
           if report.get('evidence') else u'',
           u'</table>',
           _gather_errors_html(summary),
           compliance_render_targets.html(report, h),
           sections or u'',
           _evidence_html(report),
           compliance_remediation.html(report.get('remediation'), h),
           u'<h3>Violations by severity</h3>', _svg_chart(summary['by_severity']),
           u'<h2 id="checks">Checks</h2><table><tr><th>Check</th><th>Severity</th><th>Title</th><th>Checked</th>'
           u'<th>Passed</th><th>Failed</th></tr>']
    for check in report['checks']:
        out.append(u'<tr><td><a href="#%s">%s</a></td><td><span class="sev %s">%s</span></td><td>%s</td>'
                   u'<td class="n">%d</td><td class="n">%d</td><td class="n">%d</td></tr>'
                   % (h(check['id']), h(check['id']), h(check['severity']), h(check['severity']), h(check['title']),
                      check['checked'], check['passed'], check['failed']))
    out.append(u'</table>')
    out.append(html_section(report, h))
    out.append(_frameworks_html(report))
    for check in report['checks']:
        hits = grouped.get(check['id'], [])
        label = RESOURCE_LABELS[check['resource_type']]
        out.append(u'<h2 id="%s">%s %s <span class="sev %s">%s</span></h2>'
                   % (h(check['id']), h(check['id']), h(check['title']), h(check['severity']), h(check['severity'])))
        out.append(u'<p>%s</p><p><strong>Fix:</strong> %s</p>' % (h(check['description']), h(check['remediation'])))
        if hits:
            out.append(u'<p>%d of %s %s.</p>' % (len(hits), counted(check['checked'], label),
                                                 'fails' if check['checked'] == 1 else 'fail'))
            out.append(_html_resource_table(hits, 'Finding'))
        errors = unknown.get(check['id'], [])
        if errors:
            out.append(u'<p>%d of %d unknown (<span class="sev ERROR">ERROR</span>, severity %s).</p>'
                       % (len(errors), check['checked'], h(ERROR_SEVERITY)))
            out.append(_html_resource_table(errors, 'Error'))
        skipped = check.get('not_applicable') or []
        if skipped:
            out.append(u'<p class="muted">Not applicable to %s %s: %s.</p>'
                       % (counted(len(skipped), label), h(not_applicable_clause(check, len(skipped))),
                          u', '.join(u'<code>%s</code>' % h(item['id']) for item in skipped)))
        if waived.get(check['id']):
            out.append(u'<p>%d waived (<a href="#waived">see Waived findings</a>): %s.</p>' % (len(waived[check['id']]), u', '.join(
                u'<code>%s</code>' % h(item['resource_id']) for item in waived[check['id']])))
        if not hits and not errors and not waived.get(check['id']):
            out.append(u'<p class="ok">%s.</p>' % (u'The %s passes' % h(label) if check['checked'] == 1 else
                                                   u'All %s pass' % counted(check['checked'], label)))
        failed_ids = set(violation['resource_id'] for violation in hits + errors + waived.get(check['id'], []))
        failed_ids.update(item['id'] for item in skipped)
        passing = [item for item in resources.get(check['resource_type'], []) if item['id'] not in failed_ids]
        if passing:
            out.append(u'<details><summary>%d passing</summary><table><tr><th>Resource ID</th><th>Name</th></tr>'
                       % len(passing))
            for item in passing:
                out.append(u'<tr><td><code>%s</code></td><td class="name">%s</td></tr>' % (h(item['id']), h(item['name'])))
            out.append(u'</table></details>')
    thresholds = summary['thresholds']
    out.append(u'<h2 id="thresholds">Thresholds</h2><ul>'
               u'<li>expiry warning: %d days</li><li>minimum audit log retention: %d days</li>'
               u'<li>audit log freshness: %d hours (files that began since %s)</li><li>full audit required: %s</li>%s%s</ul>'
               % (thresholds['expiry_warning_days'], thresholds['min_retention_days'], thresholds['log_freshness_hours'],
                  h(summary['log_window_start']), 'yes' if thresholds['require_full_audit'] else 'no',
                  u'<li>HIGH alarms acknowledged within: %d hours</li>' % thresholds['alarm_ack_hours']
                  if 'alarm_ack_hours' in thresholds else u'',
                  u'<li>framework %s</li>' % h(profile_line(summary)) if profile_line(summary) else u''))
    out.append(u'<p class="muted">Generated by the hwcloud.dbaudit.audit_compliance role (%s).</p></body></html>'
               % h(scope['Collection']))
    return u'\n'.join(out) + u'\n'
