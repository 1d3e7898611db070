# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the renderings of a compliance report share: the escaping of each format (everything taken from the report
is escaped for its format), the findings grouped by check, the rows of the evidence and frameworks sections, and the
header rows (account, region, collection version), the same in every format."""

import json
import os
import re

from html import escape as _html_escape
from urllib.parse import quote as _url_quote

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.base import as_text

COLLECTION = 'hwcloud.dbaudit'
# What a single-target report says of its account when the connection does not name it (AK/SK of the account itself).
UNNAMED_ACCOUNT = 'the account of the credentials (not named by the connection)'

_XML_INVALID = re.compile(u'[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def clean(value):
    """Text without the control characters XML 1.0 cannot carry, even escaped."""
    return _XML_INVALID.sub(u'\ufffd', as_text(value))


def h(value):
    """Text as HTML (the escaping function of the HTML report)."""
    return _html_escape(clean(value), True)


# Characters that start Markdown syntax inside a line (emphasis, code, links, tables, strike-through, headings,
# images): escaped with a backslash, which CommonMark allows before any ASCII punctuation.
_MD_SPECIAL = re.compile(r'([\\`*_\[\]|~#!])')


def md(value):
    """Cloud text as literal Markdown: one line, no syntax, no HTML (``&``, ``<`` and ``>`` as entities)."""
    text = clean(value).replace('\r', ' ').replace('\n', ' ')
    text = text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    return _MD_SPECIAL.sub(r'\\\1', text)


def href(path):
    """A relative path as a link target: percent-encoded, so no character can end the link or start a scheme."""
    return _url_quote(as_text(path), safe='/')


def number(value):
    return 'unknown' if value is None else '%d' % value


def counted(count, label):
    """``1 RDS instance``, ``2 RDS instances`` (``label`` is one of the collection's own resource labels)."""
    return u'%d %s%s' % (count, label, u'' if count == 1 else u's')


def violations_by_check(report, key='violations'):
    grouped = dict((check['id'], []) for check in report['checks'])
    for violation in report.get(key) or []:
        grouped.setdefault(violation['check'], []).append(violation)
    return grouped


def errors_by_check(report):
    """ERROR findings (results that could not be determined) by check; reports made before they existed have none."""
    return violations_by_check(report, 'errors')


def stand_ins(report, check, resources):
    """Resources of ERROR findings that are not among the listed resources (the ``*`` of an incomplete list)."""
    listed = set((item.get('account'), item['id']) for item in resources.get(check['resource_type'], []))
    found = []
    for item in errors_by_check(report).get(check['id'], []):
        if (item.get('account'), item['resource_id']) not in listed:
            stand_in = {'id': item['resource_id'], 'name': item['resource_name']}
            if item.get('account'):         # a report of several targets
                stand_in.update(account=item['account'], region=item['region'])
            found.append(stand_in)
    return found


def not_applicable_clause(check, count=2):
    """Why a check skips resources, after "Not applicable to N <resources>"."""
    reason = check.get('not_applicable_reason')
    return '(%s)' % reason if reason else 'that %s not ACTIVE (see DBSS-01)' % ('is' if count == 1 else 'are')


def evidence_rows(evidence):
    """(label, text) rows of the evidence section, the same in every format."""
    period = ('%s to %s' % (evidence['start_time'], evidence['end_time'] or 'unknown') if evidence['start_time']
              else 'unknown')
    verified = number(evidence['files_verified'])
    if evidence['files_fetched'] is not None:
        verified += ' (%d fetched by this run)' % evidence['files_fetched']
    rows = [('Period', period),
            ('Files listed', number(evidence['files_listed'])),
            ('Files verified', verified),
            ('Files failed', number(evidence['files_failed']))]
    if evidence.get('files_pending'):
        rows.append(('Files to fetch (check mode)', '%d' % evidence['files_pending']))
    rows.append(('Bytes', '%s (%s downloaded by this run)' % (number(evidence['bytes']),
                                                              number(evidence['bytes_downloaded']))))
    return rows


def framework_rows(report):
    """(framework id, name, status, [(control id, title, status, 'DBSS-01 PASS, ...')]) of the report's frameworks
    section; none for reports made before it existed."""
    rows = []
    for framework, entry in (report.get('frameworks') or {}).items():
        controls = [(control, item['title'], item['status'],
                     ', '.join('%s %s' % (check['id'], check['status']) for check in item['checks']))
                    for control, item in entry['controls'].items()]
        rows.append((framework, entry['name'], entry['status'], controls))
    return rows


def profile_line(summary):
    """The framework profile and what it raised; None for reports without one."""
    if not summary.get('profile'):
        return None
    raised = summary.get('profile_raised') or []
    return 'profile %s%s' % (summary['profile'], ' (raised: %s)' % ', '.join(raised) if raised else ' (no threshold raised)')


def collection_version(default='unknown'):
    """The version of the collection this file belongs to, read on the controller: MANIFEST.json of an installed
    collection (the one the role runs from), else galaxy.yml of a checkout."""
    # This file is plugins/plugin_utils/compliance/render/common.py of the collection.
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, os.pardir, os.pardir))
    try:
        with open(os.path.join(root, 'MANIFEST.json'), 'rb') as handle:
            return as_text(json.loads(handle.read(1024 * 1024).decode('utf-8'))['collection_info']['version'])
    except (IOError, OSError, ValueError, KeyError, TypeError):
        pass
    try:
        with open(os.path.join(root, 'galaxy.yml'), 'rb') as handle:
            for line in handle.read(1024 * 1024).decode('utf-8', 'replace').splitlines():
                if line.startswith('version:'):
                    return line.split(':', 1)[1].strip().strip('\'"') or default
    except (IOError, OSError):
        pass
    return default


def _regions_by_account(targets):
    """{account label: [regions]} of a report of several targets, in the order of the targets."""
    found = {}
    for target in targets:
        regions = found.setdefault(as_text(target['account']), [])
        if as_text(target['region']) not in regions:
            regions.append(as_text(target['region']))
    return found


def header_rows(report, version=None):
    """(label, text) rows that say what the report covers and what wrote it: the account(s), the region(s), the time
    and the collection version (``version``, default the installed collection's). A report of several targets names
    every account with its regions, and every region."""
    summary = report['summary']
    targets = report.get('targets') or []
    if targets:
        accounts = _regions_by_account(targets)
        regions = []
        for account_regions in accounts.values():
            regions += [region for region in account_regions if region not in regions]
        rows = [('Accounts' if len(accounts) > 1 else 'Account',
                 ', '.join('%s (%s)' % (account, ', '.join(found)) for account, found in accounts.items())),
                ('Regions' if len(regions) > 1 else 'Region', ', '.join(regions))]
    else:
        rows = [('Account', as_text(summary.get('account')) or UNNAMED_ACCOUNT),
                ('Region', as_text(summary.get('region')) or 'unknown')]
    rows += [('Generated at', as_text(summary['generated_at'])),
             ('Collection', '%s %s' % (COLLECTION, version or collection_version()))]
    return rows
