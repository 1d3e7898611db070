# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The compliance report (the dict ``compliance.evaluate()`` returns) as Markdown (report.md). Everything taken from
the report is escaped (``common.md``)."""

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import remediation as compliance_remediation
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import targets as compliance_render_targets
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render.common import (
    counted, errors_by_check, evidence_rows, framework_rows, header_rows, href, md, not_applicable_clause, profile_line,
    violations_by_check)
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.checks import ERROR_SEVERITY, RESOURCE_LABELS
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.coverage import markdown_section


def _markdown_evidence(report):
    evidence = report.get('evidence')
    if not evidence:
        return []
    lines = ['## Evidence', '',
             'The audit log files of the period checked, exported by %s. Check them with `sha256sum -c SHA256SUMS` '
             'in that folder.' % md(evidence['module']), '',
             '| | |', '| --- | --- |',
             '| Result | **%s** |' % md(evidence['result'])]
    for label, path in (('Manifest', evidence['manifest']), ('Checksums', evidence['sha256sums'])):
        lines.append('| %s | %s |' % (label, '[%s](%s)' % (md(path), href(path)) if path else 'not written'))
    lines += ['| %s | %s |' % (md(label), md(text)) for label, text in evidence_rows(evidence)]
    if evidence['error']:
        lines += ['', 'Error: ' + md(evidence['error'])]
    if evidence['missing']:
        lines += ['', 'Missing (not fetched, not in the manifest):', '',
                  '| RDS instance | File | File ID | Reason |', '| --- | --- | --- | --- |']
        lines += ['| %s | %s | %s | %s |' % (md(item['instance_id']), md(item['name']), md(item['id']),
                                             md(item['reason'])) for item in evidence['missing']]
    lines.append('')
    return lines


def _markdown_frameworks(report):
    rows = framework_rows(report)
    if not rows:
        return []
    lines = ['', '## Frameworks', '',
             'The controls each check provides evidence for (not a certification: an assessor decides). A control '
             'has the worst status of its checks: ERROR, FAIL, WAIVED, NOT\\_EVALUATED, PASS.', '']
    for _framework, name, status, controls in rows:
        lines += ['### %s: %s' % (md(name), md(status)), '',
                  '| Control | Title | Status | Checks |', '| --- | --- | --- | --- |']
        lines += ['| %s | %s | %s | %s |' % (md(control), md(title), md(state), md(checks))
                  for control, title, state, checks in controls]
        lines.append('')
    return lines[:-1]


def _md_where(entry):
    """The account and region cells of a finding of a report of several targets; empty otherwise."""
    return '%s | %s | ' % (md(entry['account']), md(entry['region'])) if entry.get('account') else ''


def render_markdown(report, sections=None, collection_version=None):
    """The report as Markdown; ``sections`` (lines, see compliance_render_trend) come after the summary. The header
    names the account(s), region(s) and ``collection_version`` (default: the installed collection's)."""
    summary = report['summary']
    grouped = violations_by_check(report)
    unknown = errors_by_check(report)
    waived = violations_by_check(report, 'waived')
    # A report of several targets: the findings' account and region columns first.
    located = 'Account | Region | ' if compliance_render_targets.has_targets(report) else ''
    lines = [
        '# Database audit compliance report',
        '',
        '| | |',
        '| --- | --- |',
        '| Result | **%s** |' % md(summary['result']),
    ] + ['| %s | %s |' % (md(label), md(text)) for label, text in header_rows(report, collection_version)] + [
        '| Resources checked | %s, %s |' % (counted(summary['resources_checked']['dbss_instance'], 'DBSS audit instance'),
                                            counted(summary['resources_checked']['rds_instance'], 'RDS instance')),
        '| Violations | %d (high %d, medium %d, low %d) |' % (
            summary['violations'], summary['by_severity']['high'], summary['by_severity']['medium'],
            summary['by_severity']['low']),
        '| Fails on | %s |' % md(summary['fail_on']),
    ]
    if summary.get('errors'):
        lines.append('| Unknown results (ERROR) | %d |' % summary['errors'])
    if summary.get('waived'):
        lines.append('| Waived | %d (see Waived findings) |' % summary['waived'])
    if report.get('evidence'):
        lines.append('| Evidence | %s (see Evidence) |' % md(report['evidence']['result']))
    lines += [
        '',
        md(summary['message']),
        '',
    ]
    if summary.get('gather_errors'):
        lines += ['## Errors while gathering', '', 'These results are unknown, never a pass:', '']
        lines += ['- %s: %s' % (md(item['module']), md(item['message'])) for item in summary['gather_errors']]
        lines.append('')
    lines += compliance_render_targets.markdown_lines(report, md)
    lines += list(sections or [])
    lines += _markdown_evidence(report)
    lines += compliance_remediation.markdown_lines(report.get('remediation'), md)
    lines += markdown_section(report, md)
    lines += [
        '## Checks',
        '',
        '| Check | Severity | Title | Checked | Passed | Failed |',
        '| --- | --- | --- | ---: | ---: | ---: |',
    ]
    for check in report['checks']:
        lines.append('| %s | %s | %s | %d | %d | %d |' % (
            md(check['id']), md(check['severity']), md(check['title']), check['checked'], check['passed'], check['failed']))
    lines += _markdown_frameworks(report)
    for check in report['checks']:
        hits = grouped.get(check['id'], [])
        errors = unknown.get(check['id'], [])
        lines += ['', '## %s %s (%s)' % (md(check['id']), md(check['title']), md(check['severity'])), '',
                  md(check['description']), '', 'Fix: ' + md(check['remediation']), '']
        skipped = check.get('not_applicable') or []
        if skipped:
            lines += ['Not applicable to %s %s: %s.'
                      % (counted(len(skipped), RESOURCE_LABELS[check['resource_type']]), md(not_applicable_clause(check, len(skipped))),
                         ', '.join(md(item['id']) for item in skipped)), '']
        if waived.get(check['id']):
            lines += ['%d waived (see Waived findings): %s.' % (len(waived[check['id']]), ', '.join(
                md(item['resource_id']) for item in waived[check['id']])), '']
        if not hits and not errors:
            if not waived.get(check['id']):
                lines.append('All %s pass.' % counted(check['checked'], RESOURCE_LABELS[check['resource_type']])
                             if check['checked'] != 1 else 'The %s passes.' % RESOURCE_LABELS[check['resource_type']])
            continue
        if hits:
            lines += ['%d of %d fail:' % (len(hits), check['checked']), '',
                      '| %sResource ID | Name | Finding |' % located, '| %s--- | --- | --- |' % ('--- | --- | ' if located else '')]
            for violation in hits:
                lines.append('| %s%s | %s | %s |' % (_md_where(violation), md(violation['resource_id']), md(violation['resource_name']),
                                                     md(violation['message'])))
        if errors:
            if hits:
                lines.append('')
            lines += ['%d of %d unknown (ERROR, severity %s):' % (len(errors), check['checked'], ERROR_SEVERITY),
                      '', '| %sResource ID | Name | Error |' % located, '| %s--- | --- | --- |' % ('--- | --- | ' if located else '')]
            for error in errors:
                lines.append('| %s%s | %s | %s |' % (_md_where(error), md(error['resource_id']), md(error['resource_name']),
                                                     md(error['message'])))
    thresholds = summary['thresholds']
    lines += ['', '## Thresholds', '',
              '- expiry warning: %d days' % thresholds['expiry_warning_days'],
              '- minimum audit log retention: %d days' % thresholds['min_retention_days'],
              '- audit log freshness: %d hours (files that began since %s)' % (thresholds['log_freshness_hours'],
                                                                               md(summary['log_window_start'])),
              '- full audit required: %s' % ('yes' if thresholds['require_full_audit'] else 'no')]
    if 'alarm_ack_hours' in thresholds:
        lines.append('- HIGH alarms acknowledged within: %d hours' % thresholds['alarm_ack_hours'])
    if profile_line(summary):
        lines.append('- framework ' + md(profile_line(summary)))
    lines.append('')
    return '\n'.join(lines)
