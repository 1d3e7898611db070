# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Targets section of the audit_compliance reports (a report merged by compliance_targets from several accounts
and regions) and the account labels of its findings; nothing for a report of one region. The caller
(compliance_render) passes its format's escaping function."""


TARGET_COLUMNS = ('Account', 'Region', 'Agency', 'Result', 'Resources', 'Violations', 'High', 'Medium', 'Low', 'Errors',
                  'Waived')


def has_targets(report):
    """Whether ``report`` covers several targets (it has a ``targets`` section)."""
    return bool(report.get('targets'))


def where(entry):
    """`` [account region]`` for an entry of a merged report (a finding, a resource), empty otherwise."""
    if not entry.get('account'):
        return ''
    return ' [%s %s]' % (entry['account'], entry.get('region') or '')


def _agency(target):
    if not target.get('agency_name'):
        return 'own credentials'
    return '%s of %s' % (target['agency_name'], target.get('agency_domain') or '')


def _cells(target):
    severities = target['by_severity']
    return (target['account'], target['region'], _agency(target), target['result'],
            str(target['resources_checked'].get('total', 0)), str(target['violations']), str(severities.get('high', 0)),
            str(severities.get('medium', 0)), str(severities.get('low', 0)), str(target['errors']), str(target['waived']))


def markdown_lines(report, md):
    """The Targets section: one row per target (its account label, region, agency, result and counts)."""
    if not has_targets(report):
        return []
    lines = ['## Targets', '', 'The totals above cover every target; each finding below names its account and region.', '',
             '| %s |' % ' | '.join(TARGET_COLUMNS), '| %s |' % ' | '.join(['---'] * 4 + ['---:'] * 7)]
    for target in report['targets']:
        lines.append('| %s |' % ' | '.join(md(cell) for cell in _cells(target)))
        for item in target.get('gather_errors') or []:
            lines.append('')
            lines.append('- %s (%s): %s failed: %s'
                         % (md(target['account']), md(target['region']), md(item['module']), md(item['message'])))
    lines.append('')
    return lines


def html(report, h):
    """The Targets section as HTML (a table; the failed API calls of a target under it)."""
    if not has_targets(report):
        return u''
    out = [u'<h2 id="targets">Targets</h2><p>The totals above cover every target; each finding below names its account '
           u'and region.</p><table><tr>%s</tr>' % u''.join(u'<th>%s</th>' % column for column in TARGET_COLUMNS)]
    failures = []
    for target in report['targets']:
        cells = _cells(target)
        out.append(u'<tr>%s<td><span class="verdict %s">%s</span></td>%s</tr>' % (
            u''.join(u'<td>%s</td>' % h(cell) for cell in cells[:3]), h(cells[3]), h(cells[3]),
            u''.join(u'<td class="n">%s</td>' % h(cell) for cell in cells[4:])))
        failures += [u'<li>%s (%s): %s failed: %s</li>'
                     % (h(target['account']), h(target['region']), h(item['module']), h(item['message']))
                     for item in target.get('gather_errors') or []]
    out.append(u'</table>')
    if failures:
        out.append(u'<ul>%s</ul>' % u''.join(failures))
    return u''.join(out)
