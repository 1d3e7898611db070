# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Database audit compliance: facts gathered by the info modules plus thresholds -> a report, and its renderings.

Pure functions, no I/O and no knowledge of modules or plugins: ``evaluate()`` builds the report dict (the content of
``report.json``); ``compliance_render.py`` turns it into Markdown, HTML and JUnit XML. The role
``hwcloud.dbaudit.audit_compliance`` reaches them through the filter plugin ``plugins/filter/compliance.py``.

Every check applies to every resource in scope, whatever its status, with two exceptions: RDS-02 (retention) only
makes sense when the audit log is on (RDS-01 covers "off"), and DBSS-07..10 (risk rules, SQL injection rules, alarm
notification, unacknowledged HIGH alarms: what a running instance does with what it audits) apply to ACTIVE audit
instances only. A non-ACTIVE instance already fails DBSS-01; for DBSS-07..10 it is "not applicable", listed in the
check's ``not_applicable`` and counted neither as checked nor as passed (a JUnit ``skipped`` case). Likewise
RDS-01/02 apply to the engines with an SQL audit policy (MySQL, PostgreSQL) and RDS-03 to MySQL alone; every RDS
instance, of any engine, gets COV-01 (audited by something) and every DBSS audit instance COV-02
(``compliance_coverage.py``, which also makes the report's ``coverage`` table).

When the role also exported the audit log files of the period it checked (``rds_auditlog_download``), the report
gets an ``evidence`` section (``evidence_section()``). An export that failed is not a check result: it leaves the
verdict alone, but it is an ``ERROR`` in that section and is named in the summary's message.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import re

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import coverage as compliance_coverage
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.frameworks import (
    PROFILE_NAMES, frameworks_section, profile_settings)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import clip
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_reported_time
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import as_int_or_none

SEVERITIES = ('high', 'medium', 'low')
SEVERITY_RANK = {'low': 1, 'medium': 2, 'high': 3}
FAIL_ON_CHOICES = ('low', 'medium', 'high', 'never')
RESOURCE_TYPES = ('dbss_instance', 'rds_instance')
RESOURCE_LABELS = {'dbss_instance': 'DBSS audit instance', 'rds_instance': 'RDS instance'}

# The gathered facts, each with the module that fetches it. When a module fails, ``facts['errors']`` maps its fact
# to the module's one-line message and the fact holds what was fetched before the failure.
FACT_SOURCES = (
    ('dbss_instances', 'dbss_instance_info'),
    ('scopes', 'dbss_scope_info'),
    ('databases', 'dbss_database_info'),
    ('rds_instances', 'rds_instance_info'),
    ('policies', 'rds_auditlog_policy_info'),
    ('audit_logs', 'rds_auditlog_info'),
    ('audit_rules', 'dbss_rule_info'),
    ('audit_alarms', 'dbss_alarm_info'),
)
SOURCE_MODULES = dict(FACT_SOURCES)
# The fact a check reads besides the resource's own record. Every such check passes on positive evidence (an ON
# scope, an ON database, a fresh file, a policy), so what was fetched before a failure still proves a pass; a would-be
# violation read from an incomplete fact is unknown: an ERROR, never a pass and never a claimed violation.
#
# DBSS-07, DBSS-08 and DBSS-10 pass on a universal claim instead ("every built-in HIGH/MEDIUM rule is ON", "no HIGH
# alarm is left unacknowledged"), which a partial list cannot prove: when their source failed, every ACTIVE instance
# gets an ERROR for them, would-be violation or would-be pass alike. DBSS-09 reads one answer per instance: one that
# arrived is complete (as an RDS-01 policy is).
CHECK_SOURCES = {'DBSS-03': 'scopes', 'DBSS-04': 'scopes', 'DBSS-05': 'databases',
                 'DBSS-07': 'audit_rules', 'DBSS-08': 'audit_rules', 'DBSS-09': 'audit_rules', 'DBSS-10': 'audit_alarms',
                 'RDS-01': 'policies', 'RDS-02': 'policies', 'RDS-03': 'audit_logs'}
UNIVERSAL_CHECKS = ('DBSS-07', 'DBSS-08', 'DBSS-10')
# The checks of what a running audit instance does with what it records: ACTIVE instances only.
ACTIVE_ONLY_CHECKS = ('DBSS-07', 'DBSS-08', 'DBSS-09', 'DBSS-10')
# The built-in rules an audit instance must keep ON (DBSS-07, DBSS-08): every one at these risk levels.
REQUIRED_RULE_LEVELS = ('HIGH', 'MEDIUM')
# How far back dbss_alarm_info reads the alarm log for DBSS-10: the module's longest period.
ALARM_LOOKBACK_DAYS = 366
LIST_SOURCES = {'dbss_instance': 'dbss_instances', 'rds_instance': 'rds_instances'}
# An unknown result is reported at the highest severity: it fails the run whatever fail_on says, unless never.
ERROR_SEVERITY = 'high'
UNLISTED = '*'

DEFAULTS = {
    'expiry_warning_days': 30,
    'min_retention_days': 180,
    'log_freshness_hours': 24,
    'require_full_audit': True,
    'alarm_ack_hours': 72,
    'fail_on': 'high',
    # A framework profile (compliance_frameworks.PROFILES) raises thresholds to what it requires; None: none.
    'profile': None,
}


class ComplianceInputError(ValueError):
    """Input the evaluation cannot work with (a bad threshold, an unknown ``fail_on``...)."""


def _check(check_id, severity, resource_type, title, description, remediation):
    return {'id': check_id, 'severity': severity, 'resource_type': resource_type, 'title': title,
            'description': description, 'remediation': remediation}


CHECKS = (
    _check('DBSS-01', 'high', 'dbss_instance', 'Audit instance is running',
           'The DBSS audit instance has status ACTIVE; any other status (SHUTOFF, ERROR, FROZEN, BUILD...) '
           'means database activity is not being audited.',
           'Start the instance (DBSS console: Instances > Start) or resolve the error/freeze (renew a frozen '
           'instance); delete instances that are no longer needed and remove them from the audit scope.'),
    _check('DBSS-02', 'medium', 'dbss_instance', 'Yearly/monthly audit instance is not about to expire',
           'A yearly/monthly (Period) audit instance has more than expiry_warning_days days left; an expired '
           'instance is frozen and stops auditing. On-demand instances never expire.',
           'Renew the instance (Billing Center > Renewal) or enable auto-renewal for it.'),
    _check('DBSS-03', 'high', 'dbss_instance', 'An audit scope is enabled',
           'The audit instance has at least one audit scope with status ON; without one nothing is recorded.',
           'DBSS console: Audit Rules > Audit Scope: enable the scope (or add one) that covers the databases.'),
    _check('DBSS-04', 'medium', 'dbss_instance', 'Full audit is enabled',
           'When full audit is required, at least one enabled (ON) audit scope has all_audit true, so every '
           'statement of every database is recorded rather than a subset.',
           'DBSS console: Audit Rules > Audit Scope: enable the built-in "Full audit rules" scope, or set '
           'audit_compliance_require_full_audit to false if partial audit is the accepted policy.'),
    _check('DBSS-05', 'high', 'dbss_instance', 'A database is under audit',
           'At least one database added to the audit instance has audit status ON.',
           'DBSS console: Databases: add the databases to audit and switch their audit on (install the agent '
           'for self-built databases).'),
    _check('DBSS-06', 'low', 'dbss_instance', 'Audit instance runs the latest version',
           'No upgrade is pending for the audit instance (new_version is empty).',
           'Upgrade the instance in a maintenance window (DBSS console: Instances > Upgrade).'),
    _check('DBSS-07', 'high', 'dbss_instance', 'Risk rules are enabled',
           'On an ACTIVE audit instance, every built-in (SYSTEM) risk rule of risk level HIGH or MEDIUM is ON (DROP '
           'TABLE, database dump, mass deletion, privilege change, login failure...) and at least one risk rule is '
           'ON. Without them dangerous statements are recorded but never flagged as risks and never raise an alarm. '
           'LOW built-in rules (slow SQL) and custom rules are the owner\'s choice. Not applicable to instances that '
           'are not ACTIVE (see DBSS-01).',
           'DBSS console: Audit Rules > Risky Operations: enable the listed built-in rules.'),
    _check('DBSS-08', 'medium', 'dbss_instance', 'SQL injection detection is enabled',
           'On an ACTIVE audit instance, every built-in (SYSTEM) SQL injection rule of risk level HIGH or MEDIUM is '
           'ON and at least one SQL injection rule is ON, so injection attempts that reach the database are '
           'detected. Not applicable to instances that are not ACTIVE (see DBSS-01).',
           'DBSS console: Audit Rules > SQL Injection: enable the listed built-in rules.'),
    _check('DBSS-09', 'medium', 'dbss_instance', 'Alarm notification is configured',
           'On an ACTIVE audit instance, alarm notification is ON (alarm_switch ON), an SMN topic is set '
           '(alarm_topic_urn) and HIGH alarms are among the risk levels notified, so somebody is told when a risk '
           'is detected. Not applicable to instances that are not ACTIVE (see DBSS-01).',
           'DBSS console: Settings > Alarm Notification: switch notification on, pick an SMN topic with subscribed '
           'security staff and select at least the high risk level.'),
    _check('DBSS-10', 'high', 'dbss_instance', 'No HIGH alarm is left unacknowledged',
           'On an ACTIVE audit instance, no HIGH alarm raised more than alarm_ack_hours hours ago is still '
           'unacknowledged (UNDO), over the alarm log of the last 366 days. Not applicable to instances that are '
           'not ACTIVE (see DBSS-01).',
           'Investigate each listed alarm, then acknowledge it (DBSS console: Alarm Notification > alarm records: '
           'Confirm), and make sure the on-call process reviews HIGH alarms within alarm_ack_hours hours.'),
    _check('RDS-01', 'high', 'rds_instance', 'RDS audit log is on',
           'The RDS for MySQL or PostgreSQL instance has its audit log enabled (audit log policy keep_days greater '
           'than 0). Not applicable to engines without an SQL audit policy (SQL Server...: see COV-01).',
           'RDS console: instance > SQL Audit > Set SQL Audit: enable it with a retention of at least '
           'min_retention_days days (API: PUT /v3/{project_id}/instances/{instance_id}/auditlog-policy).'),
    _check('RDS-02', 'high', 'rds_instance', 'Audit log retention is long enough',
           'With the audit log on, audit log files are kept for at least min_retention_days days '
           '(180 days satisfies MLPS 2.0 and most ISO 27001 retention policies). Not evaluated when the audit log '
           'is off (see RDS-01). RDS for MySQL and PostgreSQL only.',
           'RDS console: instance > SQL Audit > Set SQL Audit: raise the retention period to at least '
           'min_retention_days days (at most 732).'),
    _check('RDS-03', 'medium', 'rds_instance', 'Audit log is being written',
           'At least one audit log file began within the last log_freshness_hours hours, so the audit log is '
           'actually being produced. Instances with the audit log off have no files and fail this check too. '
           'RDS for MySQL only (the audit log file list serves no other engine).',
           'Check that SQL audit is on (RDS-01), that the instance is running and that the audited operation '
           'types are not empty; open a support ticket if the log stays empty while the database is in use.'),
)
# Coverage, database by database (compliance_coverage.py).
CHECKS += tuple(dict(check) for check in compliance_coverage.COVERAGE_CHECKS)
CHECKS_BY_ID = dict((check['id'], check) for check in CHECKS)

UTC = datetime.timezone.utc


# ---------------------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------------------
def format_time(value):
    return value.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


def _threshold(name, value, minimum=0):
    number = as_int_or_none(value)
    if number is None or number < minimum or str(value).strip() != str(number):
        raise ComplianceInputError('%s must be an integer >= %d, got %r' % (name, minimum, value))
    return number


def as_bool(name, value):
    """A boolean given as Jinja may give it (a bool, or true/false/yes/no/on/off/1/0 as text)."""
    if isinstance(value, bool):
        return value
    text = as_text(value).strip().lower()
    if text in ('true', 'yes', 'on', '1'):
        return True
    if text in ('false', 'no', 'off', '0'):
        return False
    raise ComplianceInputError('%s must be a boolean, got %r' % (name, value))


def _fail_on(value):
    text = str(value if value is not None else '').strip().lower()
    if text not in FAIL_ON_CHOICES:
        raise ComplianceInputError('fail_on must be one of %s, got %r' % (', '.join(FAIL_ON_CHOICES), value))
    return text


def _profile(value):
    text = as_text(value).strip().lower()
    if not text:
        return None
    if text not in PROFILE_NAMES:
        raise ComplianceInputError('profile must be one of %s (or empty for none), got %r' % (', '.join(PROFILE_NAMES), value))
    return text


def at_or_above(severity, fail_on):
    """Whether a violation of ``severity`` fails the run under ``fail_on`` (``never`` fails nothing)."""
    if fail_on == 'never':
        return False
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[fail_on]


def _group(records, key='instance_id'):
    grouped = {}
    for record in records or []:
        grouped.setdefault(record.get(key), []).append(record)
    return grouped


def as_text(value):
    """A value as text; None as the empty string."""
    return '' if value is None else str(value)


# ---------------------------------------------------------------------------------------------------------------
# role variables
# ---------------------------------------------------------------------------------------------------------------
# (variable, kind, allowed): checked before the role's first request, so that a mistake is reported under the name the
# user set (not as the module option it would have turned into) and never costs a request.
ROLE_VARIABLES = (
    ('audit_compliance_connection', 'dict', None),
    ('audit_compliance_dbss_instance_ids', 'ids', None),
    ('audit_compliance_rds_instance_ids', 'ids', None),
    ('audit_compliance_expiry_warning_days', 'int', (0, 3650)),
    ('audit_compliance_min_retention_days', 'int', (0, 732)),
    ('audit_compliance_remediate', 'bool', None),
    ('audit_compliance_log_freshness_hours', 'int', (1, 732 * 24)),
    ('audit_compliance_require_full_audit', 'bool', None),
    ('audit_compliance_alarm_ack_hours', 'int', (0, 365 * 24)),
    ('audit_compliance_fail_on', 'choice', FAIL_ON_CHOICES),
    ('audit_compliance_profile', 'profile', PROFILE_NAMES),
    ('audit_compliance_report_dir', 'path', None),
    ('audit_compliance_report_mode', 'mode', None),
    ('audit_compliance_concurrency', 'int', (1, 64)),
    ('audit_compliance_export_logs', 'bool', None),
)
_DIGITS = re.compile(r'^[+-]?\d{1,12}$')
_MODE = re.compile(r'^0?[0-7]{3}$')


def _role_variable_problem(name, kind, allowed, value):
    got = clip(repr(value), 60)
    if kind == 'dict':
        return None if isinstance(value, dict) else '%s must be a dict of connection options, got %s' % (name, got)
    if kind == 'ids':
        if value is None:
            return None
        if not isinstance(value, (list, tuple)):
            return ('%s must be a list of IDs (or null for all), got %s; write a YAML list, even for one ID'
                    % (name, got))
        if not all(isinstance(item, str) and item.strip() for item in value):
            return '%s must contain only non-empty ID strings, got %s' % (name, got)
        return None
    if kind == 'int':
        minimum, maximum = allowed
        text = str(value).strip()
        if isinstance(value, bool) or not _DIGITS.match(text) or not minimum <= int(text) <= maximum:
            return '%s must be an integer from %d to %d, got %s' % (name, minimum, maximum, got)
        return None
    if kind == 'bool':
        try:
            as_bool(name, value)
        except ComplianceInputError:
            return '%s must be true or false, got %s' % (name, got)
        return None
    if kind == 'choice':
        if str(value if value is not None else '').strip().lower() not in allowed:
            return '%s must be one of %s, got %s' % (name, ', '.join(allowed), got)
        return None
    if kind == 'profile':
        if value is not None and (not isinstance(value, str) or value.strip().lower() not in allowed + ('',)):
            return '%s must be one of %s, or empty for none, got %s' % (name, ', '.join(allowed), got)
        return None
    if kind == 'path':
        if not isinstance(value, str) or not value.strip() or '\x00' in value:
            return '%s must be a directory path, got %s' % (name, got)
        return None
    if not isinstance(value, str) or not _MODE.match(value):
        return ("%s must be a quoted octal file mode such as '0640' or '0600', got %s" % (name, got))
    return None


def role_variable_problems(values):
    """One line per role variable in ``values`` (name -> value) that the role cannot work with, naming the
    variable and its allowed values; an empty list when all are fine. Variables not in ``values`` are not checked."""
    problems = []
    for name, kind, allowed in ROLE_VARIABLES:
        if name in values:
            problem = _role_variable_problem(name, kind, allowed, values[name])
            if problem:
                problems.append(problem)
    unknown = sorted(set(values) - set(name for name, _kind, _allowed in ROLE_VARIABLES))
    if unknown:
        problems.append('unknown role variable(s): %s' % ', '.join(unknown))
    return problems


# ---------------------------------------------------------------------------------------------------------------
# evidence export
# ---------------------------------------------------------------------------------------------------------------
EVIDENCE_MODULE = 'rds_auditlog_download'
# Where the role writes the export, relative to the report directory; the reports link to it from there.
EVIDENCE_DIR = 'evidence'
# The names rds_auditlog_download gives them at the top of its dest.
EVIDENCE_MANIFEST = 'manifest.json'
EVIDENCE_CHECKSUMS = 'SHA256SUMS'
VERIFIED_STATUSES = ('present', 'downloaded', 'replaced')
FETCHED_STATUSES = ('downloaded', 'replaced')
PENDING_STATUSES = ('would_download', 'would_replace')
EVIDENCE_STATUSES = VERIFIED_STATUSES + ('failed',) + PENDING_STATUSES
# The longest module message kept in the section (one line), and quoted in the summary's message.
EVIDENCE_ERROR_CHARS = 4000
SUMMARY_ERROR_CHARS = 300


def _relative_dir(value):
    """The export folder as the reports link to it: a relative path inside the report directory."""
    text = as_text(value).strip()
    parts = text.split('/')
    if not text or text.startswith('/') or '\\' in text or '\x00' in text or any(part in ('', '.', '..') for part in parts):
        raise ComplianceInputError('evidence_dir must be a relative path inside the report directory, such as %r, '
                                   'got %r' % (EVIDENCE_DIR, value))
    return text


def _count(value):
    number = as_int_or_none(value)
    return number if number is not None and number >= 0 else 0


def _evidence_counts(result, files):
    """The module's ``counts``; counted from ``files`` when a failure left them out; None when neither came."""
    counts = result.get('counts')
    if isinstance(counts, dict):
        return dict((key, _count(counts.get(key))) for key in EVIDENCE_STATUSES + ('listed', 'bytes_downloaded'))
    if not files:
        return None
    counted = dict((status, len([item for item in files if item.get('status') == status])) for status in EVIDENCE_STATUSES)
    counted['listed'] = len(files)
    counted['bytes_downloaded'] = sum(_count(item.get('bytes')) for item in files if item.get('status') in FETCHED_STATUSES)
    return counted


def evidence_section(result, evidence_dir=EVIDENCE_DIR, incomplete=None):
    """The report's ``evidence`` section for the result of ``rds_auditlog_download`` (as registered, including a
    cloud failure that carries ``error``), or None when the export did not run (no result, or a skipped task).

    ``incomplete`` is a reason the selection itself was incomplete (an instance list that failed): the export is
    then an error too, since files of instances nobody listed are missing and nobody can say which.
    """
    if result is None:
        return None
    if not isinstance(result, dict):
        raise ComplianceInputError('evidence must be the result of %s, got %s' % (EVIDENCE_MODULE, type(result).__name__))
    if result.get('skipped'):
        return None
    folder = _relative_dir(evidence_dir)
    files = [item for item in result.get('files') or [] if isinstance(item, dict)]
    counts = _evidence_counts(result, files)

    def total(*statuses):
        return None if counts is None else sum(counts[status] for status in statuses)

    errors = []
    # A failure the role let through carries ``error``; ``failed`` is false there (failed_when decided).
    if result.get('error') is not None or result.get('failed'):
        errors.append('%s: %s' % (EVIDENCE_MODULE, clip(result.get('msg') or 'failed', EVIDENCE_ERROR_CHARS)))
    if incomplete:
        errors.append(clip(incomplete, EVIDENCE_ERROR_CHARS))
    failed_files = total('failed')
    pending = total(*PENDING_STATUSES) or 0
    failed = bool(errors) or bool(failed_files)
    if failed and not errors:
        errors.append('%s: %d audit log files failed' % (EVIDENCE_MODULE, failed_files))
    section = {
        'result': 'ERROR' if failed else ('PENDING' if pending else 'OK'),
        'failed': failed,
        'module': EVIDENCE_MODULE,
        'dir': folder,
        # Linked only when this run wrote them (a failure before the first file leaves none, or an older one).
        'manifest': '%s/%s' % (folder, EVIDENCE_MANIFEST) if result.get('manifest') else None,
        'sha256sums': '%s/%s' % (folder, EVIDENCE_CHECKSUMS) if result.get('sha256sums') else None,
        'start_time': clip(result.get('start_time'), 100) if result.get('start_time') else None,
        'end_time': clip(result.get('end_time'), 100) if result.get('end_time') else None,
        'files_listed': None if counts is None else counts['listed'],
        'files_verified': total(*VERIFIED_STATUSES),
        'files_failed': failed_files,
        'files_fetched': total(*FETCHED_STATUSES),
        'files_pending': pending,
        'bytes': None if counts is None else sum(_count(item.get('bytes')) for item in files
                                                 if item.get('status') in VERIFIED_STATUSES),
        'bytes_downloaded': None if counts is None else counts['bytes_downloaded'],
        'missing': [dict((key, as_text(item.get(key))) for key in ('instance_id', 'id', 'name', 'path', 'reason'))
                    for item in files if item.get('status') == 'failed'],
        'error': '; '.join(errors) or None,
    }
    section['message'] = evidence_message(section)
    return section


def evidence_message(section, error_chars=EVIDENCE_ERROR_CHARS):
    """One line on the export, e.g. for the play's failure message."""
    manifest = ', manifest %s' % section['manifest'] if section['manifest'] else ', no manifest written'
    period = ' of %s to %s' % (section['start_time'], section['end_time']) if section['start_time'] else ''
    if section['files_listed'] is None:
        files = 'audit log files unknown'
    else:
        files = '%d of %d audit log files%s verified' % (section['files_verified'], section['files_listed'], period)
    if section['failed']:
        failed = ', %d failed' % section['files_failed'] if section['files_failed'] else ''
        return 'audit log evidence export FAILED: %s%s%s; %s' % (files, failed, manifest, clip(section['error'], error_chars))
    if section['result'] == 'PENDING':
        return 'audit log evidence (check mode): %s, %d would be fetched' % (files, section['files_pending'])
    return 'audit log evidence exported: %s (%d fetched now)%s' % (files, section['files_fetched'], manifest)


# ---------------------------------------------------------------------------------------------------------------
# evaluation
# ---------------------------------------------------------------------------------------------------------------
def _dbss_findings(instance, scopes, databases, settings, now):
    """(check id, message) for each DBSS check the instance violates."""
    findings = []
    status = as_text(instance.get('status')) or 'unknown'
    if status != 'ACTIVE':
        findings.append(('DBSS-01', 'status is %s, not ACTIVE' % status))

    if as_text(instance.get('charge_model')).lower() == 'period':
        remain = as_int_or_none(instance.get('remain_days'))
        expired = parse_reported_time(instance.get('expired'))
        if remain is not None:
            if remain <= settings['expiry_warning_days']:
                when = ' (%s)' % format_time(expired) if expired else ''
                findings.append(('DBSS-02', 'yearly/monthly instance expires in %d days%s, within the %d-day warning period'
                                 % (remain, when, settings['expiry_warning_days'])))
        elif expired is not None:
            left = (expired - now).total_seconds() / 86400.0
            if left <= settings['expiry_warning_days']:
                findings.append(('DBSS-02', 'yearly/monthly instance expires on %s, within the %d-day warning period'
                                 % (format_time(expired), settings['expiry_warning_days'])))

    enabled = [scope for scope in scopes if scope.get('status') == 'ON']
    if not enabled:
        findings.append(('DBSS-03', 'no audit scope is ON (%d scopes, all OFF)' % len(scopes) if scopes else 'the instance has no audit scope'))
    if settings['require_full_audit'] and not any(scope.get('all_audit') is True for scope in enabled):
        findings.append(('DBSS-04', 'no enabled audit scope has full audit (all_audit) on (%d of %d scopes ON)'
                         % (len(enabled), len(scopes))))

    if not any(database.get('status') == 'ON' for database in databases):
        findings.append(('DBSS-05', 'no database is under audit (%d databases, none ON)' % len(databases) if databases
                         else 'no database has been added to the instance'))

    if instance.get('new_version'):
        current = as_text(instance.get('version')) or 'current version'
        findings.append(('DBSS-06', 'upgrade available: %s -> %s' % (current, instance.get('new_version'))))
    return findings


def _is_on(rule):
    if 'enabled' in rule:
        return rule.get('enabled') is True
    return rule.get('status') == 'ON'


def _rule_findings(check_id, what, rules, kind_key):
    """DBSS-07/08: every built-in rule at a REQUIRED_RULE_LEVELS risk level ON, and at least one rule ON."""
    if not rules:
        return [(check_id, 'the instance has no %s' % what)]
    if not any(_is_on(rule) for rule in rules):
        return [(check_id, 'every %s is OFF (%d rules)' % (what, len(rules)))]
    required = [rule for rule in rules if as_text(rule.get(kind_key)).upper() == 'SYSTEM'
                and as_text(rule.get('risk_level')).upper() in REQUIRED_RULE_LEVELS]
    off = [rule for rule in required if not _is_on(rule)]
    if off:
        names = ', '.join('%s (%s)' % (as_text(rule.get('name')) or as_text(rule.get('id')), as_text(rule.get('risk_level')))
                          for rule in off)
        return [(check_id, '%d of %d built-in HIGH/MEDIUM %ss are OFF: %s' % (len(off), len(required), what, clip(names, 500)))]
    return []


def _topic_findings(topic):
    """DBSS-09: notification ON, an SMN topic, HIGH alarms notified."""
    if topic is None:
        return [('DBSS-09', 'no alarm notification setting was returned for the instance')]
    problems = []
    switch = topic.get('alarm_switch')
    if switch != 'ON':
        problems.append('alarm notification is %s' % ('OFF' if switch == 'OFF' else 'not configured'))
    if not as_text(topic.get('alarm_topic_urn')).strip():
        problems.append('no SMN topic is set')
    levels = [as_text(level).lower() for level in topic.get('alarm_risk') or []]
    if 'high' not in levels:
        problems.append('HIGH alarms are not notified (levels notified: %s)' % (', '.join(levels) or 'none'))
    return [('DBSS-09', '; '.join(problems))] if problems else []


def _alarm_findings(alarms, settings, now):
    """DBSS-10: HIGH alarms still UNDO after alarm_ack_hours (an alarm whose time cannot be read counts: its age is
    not known to be within the limit)."""
    limit = now - datetime.timedelta(hours=settings['alarm_ack_hours'])
    stale = []
    for alarm in alarms:
        unacknowledged = (alarm.get('acknowledged') is False if 'acknowledged' in alarm
                          else alarm.get('alarm_status') == 'UNDO')
        if as_text(alarm.get('alarm_risk')).upper() != 'HIGH' or not unacknowledged:
            continue
        raised = parse_reported_time(alarm.get('alarm_time'))
        if raised is None or raised < limit:
            stale.append((raised, alarm))
    if not stale:
        return []
    known = [raised for raised, _alarm in stale if raised is not None]
    oldest = ' (the oldest raised %s)' % format_time(min(known)) if known else ''
    ids = ', '.join(as_text(alarm.get('id')) for _raised, alarm in stale)
    return [('DBSS-10', '%d HIGH alarms unacknowledged for more than %d hours%s: %s'
             % (len(stale), settings['alarm_ack_hours'], oldest, clip(ids, 500)))]


def _audit_data_findings(risk_rules, injection_rules, topic, alarms, settings, now):
    """(check id, message) for each of DBSS-07..10 an ACTIVE instance violates."""
    return (_rule_findings('DBSS-07', 'risk rule', risk_rules, 'rule_type')
            + _rule_findings('DBSS-08', 'SQL injection rule', injection_rules, 'type')
            + _topic_findings(topic) + _alarm_findings(alarms, settings, now))


def _rds_findings(policy, logs, settings, fresh_since):
    findings = []
    keep_days = as_int_or_none(policy.get('keep_days')) if policy else None
    if keep_days is None:
        findings.append(('RDS-01', 'no audit log policy was returned for the instance'))
    elif keep_days <= 0:
        findings.append(('RDS-01', 'audit log is off (keep_days 0)'))
    elif keep_days < settings['min_retention_days']:
        findings.append(('RDS-02', 'audit log retention is %d days, below the required %d days'
                         % (keep_days, settings['min_retention_days'])))

    begins = [parse_reported_time(item.get('begin_time')) for item in logs]
    begins = [begin for begin in begins if begin is not None]
    if not any(begin >= fresh_since for begin in begins):
        last = ' (the last one began %s)' % format_time(max(begins)) if begins else ''
        findings.append(('RDS-03', 'no audit log file began since %s, the last %d hours%s'
                         % (format_time(fresh_since), settings['log_freshness_hours'], last)))
    return findings


def _settings(options):
    merged = dict(DEFAULTS)
    merged.update(dict((key, value) for key, value in (options or {}).items() if value is not None))
    unknown = sorted(set(merged) - set(DEFAULTS))
    if unknown:
        raise ComplianceInputError('unknown option(s): %s' % ', '.join(unknown))
    settings = {
        'expiry_warning_days': _threshold('expiry_warning_days', merged['expiry_warning_days']),
        'min_retention_days': _threshold('min_retention_days', merged['min_retention_days']),
        'log_freshness_hours': _threshold('log_freshness_hours', merged['log_freshness_hours'], minimum=1),
        'require_full_audit': as_bool('require_full_audit', merged['require_full_audit']),
        'alarm_ack_hours': _threshold('alarm_ack_hours', merged['alarm_ack_hours']),
        'fail_on': _fail_on(merged['fail_on']),
        'profile': _profile(merged['profile']),
    }
    settings, raised = profile_settings(settings['profile'], settings)
    settings['profile_raised'] = raised
    return settings


def _gather_errors(facts):
    errors = facts.get('errors') or {}
    if not isinstance(errors, dict) or set(errors) - set(SOURCE_MODULES):
        raise ComplianceInputError('errors must map some of %s to error messages, got %r'
                                   % (', '.join(SOURCE_MODULES), errors))
    return dict((key, as_text(message) or 'failed') for key, message in errors.items() if message)


def _alarm_gap(facts):
    """Why the alarm log that was read may miss alarms although dbss_alarm_info succeeded: its limit was reached, or
    the service could not return every alarm of some windows. None when it is complete."""
    truncated = facts.get('audit_alarms_truncated_windows') or []
    if facts.get('audit_alarms_limit_reached'):
        return ('the alarm log is incomplete: %d alarms were returned, the most one run reads, and older ones may be '
                'missing' % len(facts.get('audit_alarms') or []))
    if truncated:
        return ('the alarm log is incomplete: the service could not return every alarm of %d time windows'
                % len(truncated))
    return None


def _unknown(message, source, errors):
    return '%s; result unknown: %s failed: %s' % (message, SOURCE_MODULES[source], errors[source])


def _unlisted(resource_type, facts, errors):
    """Stand-ins for the resources an incomplete instance list may have left out: the requested IDs it did not
    return, else one ``*`` for "any instance of the region"."""
    source = LIST_SOURCES[resource_type]
    if source not in errors:
        return []
    wanted = facts.get('%s_unlisted_ids' % resource_type.split('_')[0])
    if wanted:
        return [{'id': as_text(item), 'name': ''} for item in wanted]
    return [{'id': UNLISTED, 'name': 'any %s the incomplete list did not return' % RESOURCE_LABELS[resource_type]}]


def _resource(record):
    return {'id': as_text(record.get('id')), 'name': as_text(record.get('name'))}


def evaluate(facts, now, region=None, log_window_start=None, evidence_dir=None, **options):
    """The compliance report for ``facts``.

    ``facts`` holds the info modules' results for the resources in scope: ``dbss_instances`` (dbss_instance_info
    ``instances``), ``scopes`` (dbss_scope_info), ``databases`` (dbss_database_info), ``rds_instances``
    (rds_instance_info ``instances``, any engine), ``policies`` (rds_auditlog_policy_info) and ``audit_logs``
    (rds_auditlog_info), ``audit_rules`` (dbss_rule_info's ``risk_rules``, ``sql_injection_rules`` and
    ``alarm_topics``, as a dict) and ``audit_alarms`` (dbss_alarm_info ``alarms``: the HIGH unacknowledged alarms),
    with ``audit_alarms_limit_reached`` and ``audit_alarms_truncated_windows`` (either makes the alarm log incomplete,
    as a failure would); optionally ``evidence``, the result of rds_auditlog_download when the audit log files
    were exported (into ``evidence_dir``, relative to the report directory, default ``evidence``).
    ``now`` is an aware datetime (the report time); ``log_window_start`` is the time the
    freshness window opens (rds_auditlog_info's resolved ``start_time``), default ``now - log_freshness_hours``.
    ``options`` are the thresholds of ``DEFAULTS`` and ``profile``, a framework profile that raises them (see
    ``compliance_frameworks``). The report's ``frameworks`` maps the checks to framework controls.
    Raises ComplianceInputError on bad options.
    """
    if now is None or now.tzinfo is None:
        raise ComplianceInputError('now must be a timezone-aware datetime')
    settings = _settings(options)
    facts = facts or {}
    fresh_since = parse_reported_time(log_window_start) if log_window_start else None
    if log_window_start and fresh_since is None:
        raise ComplianceInputError('log_window_start: %r is not a valid time' % (log_window_start,))
    if fresh_since is None:
        fresh_since = now - datetime.timedelta(hours=settings['log_freshness_hours'])

    dbss = list(facts.get('dbss_instances') or [])
    audit_rules = facts.get('audit_rules') or {}
    if not isinstance(audit_rules, dict):
        raise ComplianceInputError('audit_rules must be the result of dbss_rule_info, got %s' % type(audit_rules).__name__)
    risk_rules = _group(audit_rules.get('risk_rules'))
    injection_rules = _group(audit_rules.get('sql_injection_rules'))
    topics = dict((topic.get('instance_id'), topic) for topic in audit_rules.get('alarm_topics') or [])
    alarms = _group(facts.get('audit_alarms'))
    rds = list(facts.get('rds_instances') or [])
    scopes = _group(facts.get('scopes'))
    databases = _group(facts.get('databases'))
    policies = dict((policy.get('instance_id'), policy) for policy in facts.get('policies') or [])
    logs = _group(facts.get('audit_logs'))
    if not region:
        region = next((as_text(item.get('region')) for item in dbss + rds if item.get('region')), '')

    errors = _gather_errors(facts)
    alarm_gap = _alarm_gap(facts)
    if alarm_gap and 'audit_alarms' not in errors:
        errors['audit_alarms'] = alarm_gap
    evidence = evidence_section(facts.get('evidence'), EVIDENCE_DIR if evidence_dir is None else evidence_dir,
                                _incomplete_selection(facts, errors))
    found = {}
    not_applicable = {}

    def record(check_id, instance, message):
        source = CHECK_SOURCES.get(check_id)
        incomplete = source in errors
        if source == 'policies':
            # A policy is one request: one that arrived is complete, whatever happened to the others.
            incomplete = incomplete and instance.get('id') not in policies
        elif check_id == 'DBSS-09':
            # So is an alarm notification setting.
            incomplete = incomplete and instance.get('id') not in topics
        state = 'ERROR' if incomplete else 'FAIL'
        found.setdefault(check_id, []).append((instance, _unknown(message, source, errors) if state == 'ERROR' else message,
                                               state, source))

    for instance in dbss:
        key = instance.get('id')
        for check_id, message in _dbss_findings(instance, scopes.get(key, []), databases.get(key, []), settings, now):
            record(check_id, instance, message)
        if instance.get('status') != 'ACTIVE':
            for check_id in ACTIVE_ONLY_CHECKS:
                not_applicable.setdefault(check_id, []).append(instance)
            continue
        hits = _audit_data_findings(risk_rules.get(key, []), injection_rules.get(key, []), topics.get(key),
                                    alarms.get(key, []), settings, now)
        for check_id, message in hits:
            record(check_id, instance, message)
        for check_id in UNIVERSAL_CHECKS:
            if CHECK_SOURCES[check_id] in errors and check_id not in [hit[0] for hit in hits]:
                record(check_id, instance, 'no violation in what was read, which may be incomplete')
    for instance in rds:
        key = instance.get('id')
        # RDS-01/02 apply to the engines with an SQL audit policy (MySQL, PostgreSQL), RDS-03 to MySQL alone.
        skipped = compliance_coverage.not_applicable_checks(instance)
        for check_id in skipped:
            not_applicable.setdefault(check_id, []).append(instance)
        for check_id, message in _rds_findings(policies.get(key), logs.get(key, []), settings, fresh_since):
            if check_id not in skipped:
                record(check_id, instance, message)
        if 'policies' in errors and key not in policies and 'RDS-02' not in skipped:
            # Without its policy the retention is unknown too (RDS-02 is only evaluated on a known policy).
            record('RDS-02', instance, 'no audit log policy was returned for the instance')
    unlisted = dict((resource_type, _unlisted(resource_type, facts, errors)) for resource_type in RESOURCE_TYPES)
    coverage, coverage_findings = compliance_coverage.coverage(
        rds, dbss, facts.get('scopes'), facts.get('databases'), dict((as_text(key), value) for key, value in policies.items()),
        errors, settings['min_retention_days'], unlisted['rds_instance'])
    for check_id, instance, message, state, source in coverage_findings:
        found.setdefault(check_id, []).append((instance, _unknown(message, source, errors) if state == 'ERROR' else message,
                                               state, source or 'rds_instances'))
    for check in CHECKS:
        if check['id'] == 'DBSS-04' and not settings['require_full_audit']:
            continue
        source = LIST_SOURCES[check['resource_type']]
        for stand_in in unlisted[check['resource_type']]:
            found.setdefault(check['id'], []).append(
                (stand_in, _unknown('not evaluated: the resource is missing from the instance list', source, errors),
                 'ERROR', source))

    resources = {'dbss_instance': [_resource(item) for item in dbss], 'rds_instance': [_resource(item) for item in rds]}
    violations = []
    error_findings = []
    checks = []
    by_check = {}
    by_severity = dict((severity, 0) for severity in SEVERITIES)
    for check in CHECKS:
        hits = [hit for hit in found.get(check['id'], []) if hit[2] == 'FAIL']
        unknown = [hit for hit in found.get(check['id'], []) if hit[2] == 'ERROR']
        skipped = [_resource(item) for item in not_applicable.get(check['id'], [])]
        checked = len(resources[check['resource_type']]) + len(unlisted[check['resource_type']]) - len(skipped)
        checks.append(dict(check, checked=checked, passed=checked - len(hits) - len(unknown), failed=len(hits),
                           errors=len(unknown), not_applicable=skipped))
        if check['id'] in compliance_coverage.NOT_APPLICABLE_REASONS:
            checks[-1]['not_applicable_reason'] = compliance_coverage.NOT_APPLICABLE_REASONS[check['id']]
        by_check[check['id']] = len(hits)
        by_severity[check['severity']] += len(hits)
        for instance, message, _state, _source in hits:
            violations.append({
                'check': check['id'],
                'severity': check['severity'],
                'resource_type': check['resource_type'],
                'resource_id': as_text(instance.get('id')),
                'resource_name': as_text(instance.get('name')),
                'region': as_text(instance.get('region')) or region,
                'message': message,
                'remediation': check['remediation'],
            })
        for instance, message, _state, source in unknown:
            error_findings.append({
                'check': check['id'],
                'state': 'ERROR',
                'severity': ERROR_SEVERITY,
                'resource_type': check['resource_type'],
                'resource_id': as_text(instance.get('id')),
                'resource_name': as_text(instance.get('name')),
                'region': as_text(instance.get('region')) or region,
                'source': SOURCE_MODULES[source],
                'message': message,
                'remediation': 'Fix the cause of the %s failure (see the message) and run the checks again.'
                               % SOURCE_MODULES[source],
            })

    fail_on = settings['fail_on']
    failing = sum(count for severity, count in by_severity.items() if at_or_above(severity, fail_on))
    summary = {
        'generated_at': format_time(now),
        'region': region,
        'resources_checked': {'dbss_instance': len(dbss), 'rds_instance': len(rds), 'total': len(dbss) + len(rds)},
        'checks': len(CHECKS),
        'violations': len(violations),
        'by_severity': by_severity,
        'by_check': by_check,
        'fail_on': fail_on,
        'failing_violations': failing,
        'errors': len(error_findings),
        'gather_errors': [{'module': SOURCE_MODULES[key], 'message': errors[key]}
                          for key, _module in FACT_SOURCES if key in errors],
        # Unknown is never a pass: any error fails the run, unless fail_on is never (report only).
        'failed': failing > 0 or (bool(error_findings) and fail_on != 'never'),
        'result': 'ERROR' if error_findings else ('FAIL' if failing else ('WARN' if violations else 'PASS')),
        'log_window_start': format_time(fresh_since),
        'thresholds': dict((key, settings[key])
                           for key in ('expiry_warning_days', 'min_retention_days', 'log_freshness_hours', 'require_full_audit',
                                       'alarm_ack_hours')),
        # The framework profile, and the thresholds above it raised from the values asked for.
        'profile': settings['profile'],
        'profile_raised': settings['profile_raised'],
        # The coverage table's counts (report['coverage']): RDS instances audited, audited by nothing, unknown.
        'coverage': compliance_coverage.coverage_summary(coverage),
    }
    if evidence is not None:
        summary['evidence'] = evidence['result']
    summary['message'] = verdict_message(summary, evidence)
    report = {'summary': summary, 'violations': violations, 'errors': error_findings, 'checks': checks,
              'resources': resources, 'coverage': coverage,
              'frameworks': frameworks_section(checks, () if settings['require_full_audit'] else ('DBSS-04',))}
    if evidence is not None:
        report['evidence'] = evidence
    return report


def _incomplete_selection(facts, errors):
    """Why the export cannot be complete whatever it fetched: the MySQL instance list it was given failed."""
    if 'rds_instances' not in errors:
        return None
    wanted = facts.get('rds_unlisted_ids')
    which = ('instances %s' % ', '.join(as_text(item) for item in wanted)) if wanted else 'any instance it did not return'
    return ('the RDS for MySQL instance list is incomplete (%s failed), so the audit log files of %s are not exported'
            % (SOURCE_MODULES['rds_instances'], which))


def verdict_message(summary, evidence=None):
    """One line naming the counts, e.g. for the play's failure message; and the evidence export when it ran."""
    message = _verdict(summary)
    if evidence is not None:
        message += '; ' + evidence_message(evidence, SUMMARY_ERROR_CHARS)
    return message


def _verdict(summary):
    counts = ', '.join('%s %d' % (severity, summary['by_severity'][severity]) for severity in SEVERITIES)
    scope = '%d resources checked%s' % (summary['resources_checked']['total'],
                                        ' in %s' % summary['region'] if summary.get('region') else '')
    fail_on = summary['fail_on']
    if summary.get('errors'):
        failures = '; '.join('%s: %s' % (item['module'], clip(item['message'], 300)) for item in summary['gather_errors'])
        return ('database audit compliance ERROR: %d check results unknown because %d API calls failed (%s); '
                '%d violations (%s; %s)%s' % (summary['errors'], len(summary['gather_errors']), failures,
                                              summary['violations'], counts, scope,
                                              '; fail_on is never, reporting only' if fail_on == 'never' else ''))
    if summary['failed']:
        return ('database audit compliance FAILED: %d of %d violations at or above severity %s (%s; %s)'
                % (summary['failing_violations'], summary['violations'], fail_on, counts, scope))
    if not summary['violations']:
        return 'database audit compliance PASSED: no violations (%s)' % scope
    if fail_on == 'never':
        return 'database audit compliance: %d violations (%s; %s); fail_on is never, reporting only' % (
            summary['violations'], counts, scope)
    return 'database audit compliance PASSED: %d violations, none at or above severity %s (%s; %s)' % (
        summary['violations'], fail_on, counts, scope)
