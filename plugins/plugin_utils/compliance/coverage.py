# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Audit coverage, database by database: which RDS instance is audited by what (COV-01), and DBSS databases whose
audit records nothing because the RDS side does not upload its logs (COV-02).

Pure functions, no I/O, no import of ``checks.py`` (which imports this file and merges these checks into its
catalogue). ``coverage()`` reads the facts the role gathered and returns the report's ``coverage`` table and the
COV findings; ``markdown_section()`` and ``html_section()`` render the table with the escaping function they are given.

An RDS instance is *audited* when at least one of these holds:

* its own SQL audit: the engine has the audit log policy API (RDS for MySQL and RDS for PostgreSQL) and the policy's
  ``keep_days`` is greater than 0 and at least ``min_retention_days`` (the threshold of RDS-02);
* a DBSS audit instance in scope (one the role gathered) that is ``ACTIVE``, has at least one audit scope whose
  ``status`` is ``ON``, and lists the RDS instance among its databases (``rds_id``) with the database's audit
  ``status`` ``ON`` and ``rds_audit_switch_mismatch`` not true (with the mismatch, DBSS audit is on while the RDS side
  does not upload its logs: nothing is really recorded).

Anything else is *audited by nothing* (COV-01, high). When a fact that could have proved coverage failed to be
fetched (the instance's audit log policy, the DBSS instance, scope or database lists), and nothing fetched proves it,
the coverage is *unknown*: an ERROR, never a pass and never a claimed violation.
"""

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import clip
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import as_int_or_none
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.base import as_text, group_by

# Engines (lower case) of the RDS audit log policy API (RDS-01, RDS-02 and the own SQL audit of COV-01), and of the
# audit log file listing (RDS-03). An instance whose engine is not reported is asked for both: unknown is never
# assumed to be "not applicable".
POLICY_ENGINES = ('mysql', 'postgresql')
LOG_ENGINES = ('mysql',)
CAPABILITIES = ('policy', 'audit_log', 'any')
POLICY_CHECKS = ('RDS-01', 'RDS-02')
LOG_CHECKS = ('RDS-03',)
NOT_APPLICABLE_REASONS = {
    'RDS-01': 'the engine has no SQL audit policy: only RDS for MySQL and PostgreSQL have one (see COV-01)',
    'RDS-02': 'the engine has no SQL audit policy: only RDS for MySQL and PostgreSQL have one (see COV-01)',
    'RDS-03': 'the engine has no audit log files to list: only RDS for MySQL has them',
}

AUDITED = 'AUDITED'
UNAUDITED = 'UNAUDITED'
UNKNOWN = 'UNKNOWN'
STATUSES = (AUDITED, UNAUDITED, UNKNOWN)

COVERAGE_CHECKS = (
    {'id': 'COV-01', 'severity': 'high', 'resource_type': 'rds_instance', 'title': 'RDS instance is audited by something',
     'description': 'Every RDS instance in scope, of any engine, is audited: by its own SQL audit (RDS for MySQL and '
                    'PostgreSQL: audit log on with at least min_retention_days days of retention), or by an ACTIVE DBSS '
                    'audit instance in scope that has an audit scope ON and lists the RDS instance among its databases '
                    '(rds_id) with the database\'s audit ON and no rds_audit_switch_mismatch. An instance audited by '
                    'nothing leaves no record of what was done on it. Only the DBSS audit instances in scope count.',
     'remediation': 'Turn on the instance\'s SQL audit with enough retention (RDS console: instance > SQL Audit; '
                    'rds_auditlog_policy), or add it to a running DBSS audit instance and switch its audit on (DBSS '
                    'console: Databases > Add database > RDS), with an audit scope enabled. SQL Server and other engines '
                    'without an SQL audit policy can only be audited by DBSS.'},
    {'id': 'COV-02', 'severity': 'high', 'resource_type': 'dbss_instance',
     'title': 'DBSS audit of RDS databases is really recorded',
     'description': 'No database of the DBSS audit instance has rds_audit_switch_mismatch true: DBSS audit on while the '
                    'RDS side does not upload its logs, so nothing is really recorded although the console shows the '
                    'audit on.',
     'remediation': 'For each listed database, switch the RDS side back on (RDS console: instance > SQL Audit, or the '
                    'DBSS console: Databases > the database > Enable RDS audit log upload), or switch the database\'s '
                    'audit off in DBSS and audit it by its own SQL audit.'},
)
COVERAGE_CHECK_IDS = tuple(check['id'] for check in COVERAGE_CHECKS)


def engine_of(instance):
    """The engine an RDS instance reports (``datastore.type``, e.g. ``MySQL``), or '' when it reports none."""
    datastore = instance.get('datastore') if isinstance(instance, dict) else None
    if isinstance(datastore, dict):
        return clip(datastore.get('type'), 40).strip() if datastore.get('type') is not None else ''
    return ''


def has_capability(instance, capability):
    """Whether the role asks an RDS instance for its audit log ``policy``, its ``audit_log`` files, or (``any``)
    lists it at all. An engine that is not reported is asked (its answer, or its failure, decides)."""
    if capability not in CAPABILITIES:
        raise ValueError('capability must be one of %s, got %r' % (', '.join(CAPABILITIES), capability))
    engine = engine_of(instance).lower()
    if capability == 'any' or not engine:
        return True
    return engine in (POLICY_ENGINES if capability == 'policy' else LOG_ENGINES)


def select_ids(instances, capability):
    """IDs of the RDS instances of ``instances`` that have ``capability`` (see ``has_capability``), in order."""
    return [as_text(item.get('id')) for item in instances or [] if isinstance(item, dict) and has_capability(item, capability)]


def not_applicable_checks(instance):
    """The RDS checks that do not apply to the instance's engine."""
    skipped = []
    if not has_capability(instance, 'policy'):
        skipped += list(POLICY_CHECKS)
    if not has_capability(instance, 'audit_log'):
        skipped += list(LOG_CHECKS)
    return skipped


def _is_true(value):
    return value is True or as_text(value).strip().lower() == 'true'


def _own_audit(instance, policy, errors, min_retention_days):
    """(entry or None, note or None, unknown source or None) for the instance's own SQL audit."""
    engine = engine_of(instance)
    if not has_capability(instance, 'policy'):
        return None, '%s has no SQL audit policy (only DBSS can audit it)' % engine, None
    keep_days = as_int_or_none(policy.get('keep_days')) if isinstance(policy, dict) else None
    if keep_days is None:
        if 'policies' in errors:
            return None, 'its SQL audit policy is unknown', 'policies'
        return None, 'no SQL audit policy was returned', None
    if keep_days <= 0:
        return None, 'its SQL audit is off', None
    if keep_days < min_retention_days:
        return None, 'its SQL audit keeps %d days, below the required %d' % (keep_days, min_retention_days), None
    return {'kind': 'sql_audit', 'keep_days': keep_days}, None, None


def _dbss_audit(database, audit_instance, instance_scopes, errors):
    """(reasons it does not count, unknown source or None) for one DBSS database that references the RDS instance."""
    reasons = []
    status = as_text(audit_instance.get('status')) or 'unknown'
    if status != 'ACTIVE':
        reasons.append('the audit instance is %s, not ACTIVE' % clip(status, 40))
    if database.get('status') != 'ON':
        reasons.append('the database\'s audit is %s' % (clip(database.get('status'), 40) or 'not ON'))
    if _is_true(database.get('rds_audit_switch_mismatch')):
        reasons.append('rds_audit_switch_mismatch: the RDS side does not upload its logs')
    unknown = None
    if not any(scope.get('status') == 'ON' for scope in instance_scopes):
        if 'scopes' in errors:
            unknown = 'scopes'
        else:
            reasons.append('no audit scope of the audit instance is ON')
    return reasons, unknown


def _dbss_entry(database, audit_instance):
    return {'kind': 'dbss', 'instance_id': as_text(audit_instance.get('id')), 'instance_name': as_text(audit_instance.get('name')),
            'database_id': as_text(database.get('id')), 'database_name': as_text(database.get('name'))}


def describe(entry):
    """One line for an entry of a coverage row's ``audited_by`` or ``not_counted``."""
    if entry.get('kind') == 'sql_audit':
        text = 'own SQL audit (%s days)' % entry.get('keep_days')
    else:
        text = 'DBSS %s (%s), database %s' % (
            entry.get('instance_name') or entry.get('instance_id'), entry.get('instance_id'),
            entry.get('database_name') or entry.get('database_id'))
    if entry.get('reason'):
        text += ': %s' % entry['reason']
    return text


def coverage(rds_instances, dbss_instances, scopes, databases, policies, errors, min_retention_days, stand_ins=()):
    """``(rows, findings)``: the report's coverage table, one row per RDS instance in ``rds_instances`` and per
    ``stand_ins`` (the ``*`` or IDs an incomplete instance list may have left out), and the COV findings as
    ``(check id, resource record, message, state, source)`` with state ``FAIL`` or ``ERROR`` (source: the fact whose
    failure made it unknown; None for a FAIL).

    ``scopes`` and ``databases`` are lists (each item with ``instance_id``), ``policies`` maps an RDS instance ID to
    its policy, ``errors`` holds the facts that failed to be fetched (keys as in ``compliance.FACT_SOURCES``).
    """
    errors = errors or {}
    audit_instances = dict((as_text(item.get('id')), item) for item in dbss_instances or [] if isinstance(item, dict))
    scopes_by_instance = group_by(scopes)
    references = group_by([item for item in databases or []
                           if isinstance(item, dict) and as_text(item.get('instance_id')) in audit_instances], 'rds_id')
    rows = []
    findings = []
    for instance in rds_instances or []:
        key = as_text(instance.get('id'))
        audited_by, not_counted, unknown, notes = [], [], [], []
        entry, note, source = _own_audit(instance, policies.get(key), errors, min_retention_days)
        if entry:
            audited_by.append(entry)
        if note:
            notes.append(note)
        if source:
            unknown.append(source)
        for database in references.get(key, []):
            audit_instance = audit_instances[as_text(database.get('instance_id'))]
            reasons, source = _dbss_audit(database, audit_instance, scopes_by_instance.get(as_text(audit_instance.get('id')), []), errors)
            entry = _dbss_entry(database, audit_instance)
            if reasons:
                not_counted.append(dict(entry, reason='; '.join(reasons)))
            elif source:
                not_counted.append(dict(entry, reason='its audit scopes are unknown'))
                unknown.append(source)
            else:
                audited_by.append(entry)
        if not audited_by:
            # What was not read may hold the DBSS database that audits it.
            unknown += [source for source in ('dbss_instances', 'databases') if source in errors]
        status = AUDITED if audited_by else (UNKNOWN if unknown else UNAUDITED)
        why = notes + [describe(item) for item in not_counted]
        if not references.get(key):
            why.append('no DBSS audit instance in scope lists it')
        message = 'audited by nothing: %s' % clip('; '.join(why), 1000)
        rows.append({'resource_id': key, 'name': as_text(instance.get('name')), 'engine': engine_of(instance),
                     'status': status, 'audited_by': audited_by, 'not_counted': not_counted,
                     'message': '' if status == AUDITED else message})
        if status == UNAUDITED:
            findings.append(('COV-01', instance, message, 'FAIL', None))
        elif status == UNKNOWN:
            findings.append(('COV-01', instance, 'nothing known audits it (%s)' % clip('; '.join(why), 1000), 'ERROR', unknown[0]))
    for stand_in in stand_ins:
        rows.append({'resource_id': as_text(stand_in.get('id')), 'name': as_text(stand_in.get('name')), 'engine': '',
                     'status': UNKNOWN, 'audited_by': [], 'not_counted': [],
                     'message': 'missing from the incomplete RDS instance list'})
    findings += _mismatch_findings(dbss_instances, databases, errors)
    return rows, findings


def _mismatch_findings(dbss_instances, databases, errors):
    """COV-02: the DBSS databases with rds_audit_switch_mismatch true, by audit instance."""
    findings = []
    by_instance = group_by(databases)
    for audit_instance in dbss_instances or []:
        mismatched = [item for item in by_instance.get(as_text(audit_instance.get('id')), [])
                      if _is_true(item.get('rds_audit_switch_mismatch'))]
        if mismatched:
            names = ', '.join('%s (RDS instance %s)' % (as_text(item.get('name')) or as_text(item.get('id')), as_text(item.get('rds_id')) or 'unknown')
                              for item in mismatched)
            findings.append(('COV-02', audit_instance, '%d databases have DBSS audit on while the RDS side does not upload '
                             'its logs (rds_audit_switch_mismatch): %s' % (len(mismatched), clip(names, 500)), 'FAIL', None))
        elif 'databases' in errors:
            findings.append(('COV-02', audit_instance, 'no mismatch in what was read, which may be incomplete', 'ERROR', 'databases'))
    return findings


def coverage_summary(rows):
    """Counts of the coverage table: {'rds_instance': N, 'audited', 'unaudited', 'unknown'}."""
    counts = dict((status.lower(), len([row for row in rows if row['status'] == status])) for status in STATUSES)
    counts['rds_instance'] = len(rows)
    return counts


# ---------------------------------------------------------------------------------------------------------------
# rendering (the caller passes its format's escaping function)
# ---------------------------------------------------------------------------------------------------------------
COVERAGE_INTRO = ('Every RDS instance in scope and what audits it: its own SQL audit (with at least the minimum '
                  'retention) or an ACTIVE DBSS audit instance in scope with an audit scope ON that lists it with its '
                  'audit ON and no rds_audit_switch_mismatch. UNAUDITED fails COV-01; UNKNOWN is an ERROR.')


def _cells(row):
    audited = '; '.join(describe(item) for item in row.get('audited_by') or []) or 'nothing'
    others = '; '.join(describe(item) for item in row.get('not_counted') or [])
    return audited, others


def markdown_section(report, md):
    """Markdown lines of the coverage section; none for reports without one."""
    rows = report.get('coverage')
    if rows is None:
        return []
    lines = ['## Coverage', '', md(COVERAGE_INTRO), '']
    if not rows:
        return lines + ['No RDS instance in scope.', '']
    lines += ['| RDS instance | Name | Engine | Status | Audited by | Not counted |', '| --- | --- | --- | --- | --- | --- |']
    for row in rows:
        audited, others = _cells(row)
        cells = (row['resource_id'], row['name'], row['engine'] or 'unknown', row['status'], audited, others or '-')
        lines.append('| %s |' % ' | '.join(md(cell) for cell in cells))
    lines.append('')
    return lines


_HTML_STATUS_CLASS = {AUDITED: 'PASS', UNAUDITED: 'FAIL', UNKNOWN: 'ERROR'}


def html_section(report, h):
    """The HTML of the coverage section; '' for reports without one."""
    rows = report.get('coverage')
    if rows is None:
        return u''
    out = [u'<h2 id="coverage">Coverage</h2><p>%s</p>' % h(COVERAGE_INTRO)]
    if not rows:
        return u''.join(out + [u'<p class="muted">No RDS instance in scope.</p>'])
    out.append(u'<table><tr><th>RDS instance</th><th>Name</th><th>Engine</th><th>Status</th><th>Audited by</th>'
               u'<th>Not counted</th></tr>')
    for row in rows:
        audited, others = _cells(row)
        out.append(u'<tr><td><code>%s</code></td><td>%s</td><td>%s</td><td><span class="verdict %s">%s</span></td><td>%s</td>'
                   u'<td>%s</td></tr>' % (h(row['resource_id']), h(row['name']), h(row['engine'] or 'unknown'),
                                          _HTML_STATUS_CLASS.get(row['status'], 'ERROR'), h(row['status']), h(audited), h(others or '-')))
    out.append(u'</table>')
    return u''.join(out)
