# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Database audit compliance: facts gathered by the info modules plus thresholds -> a report, and its renderings.

Pure functions, no I/O and no knowledge of modules or plugins: ``evaluate()`` builds the report dict (the content of
``report.json``) from the check catalogue (``checks.py``) and the finders (``finders.py``, one per fact source);
``render/`` turns it into Markdown, HTML, JUnit XML, CSV and OCSF. The role ``hwcloud.dbaudit.audit_compliance``
reaches them through the filter plugin ``plugins/filter/compliance.py``.

Every check applies to every resource in scope, whatever its status, with two exceptions: RDS-02 (retention) only
makes sense when the audit log is on (RDS-01 covers "off"), and DBSS-07..10 (risk rules, SQL injection rules, alarm
notification, unacknowledged HIGH alarms: what a running instance does with what it audits) apply to ACTIVE audit
instances only. A non-ACTIVE instance already fails DBSS-01; for DBSS-07..10 it is "not applicable", listed in the
check's ``not_applicable`` and counted neither as checked nor as passed (a JUnit ``skipped`` case). Likewise
RDS-01/02 apply to the engines with an SQL audit policy (MySQL, PostgreSQL) and RDS-03 to MySQL alone; every RDS
instance, of any engine, gets COV-01 (audited by something) and every DBSS audit instance COV-02
(``coverage.py``, which also makes the report's ``coverage`` table).

When the role also exported the audit log files of the period it checked (``rds_auditlog_download``), the report
gets an ``evidence`` section (``export_section.py``). An export that failed is not a check result: it leaves the
verdict alone, but it is an ``ERROR`` in that section and is named in the summary's message.
"""

import datetime

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import as_int_or_none
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_reported_time
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import clip
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import coverage as compliance_coverage
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import finders
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.base import ComplianceInputError, as_bool, as_text, format_time, group_by
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.checks import (
    ACTIVE_ONLY_CHECKS, CHECK_SOURCES, CHECKS, ERROR_SEVERITY, FACT_SOURCES, FAIL_ON_CHOICES, LIST_SOURCES, RESOURCE_LABELS,
    RESOURCE_TYPES, SEVERITIES, SOURCE_MODULES, UNIVERSAL_CHECKS, UNLISTED, at_or_above)
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.export_section import (
    EVIDENCE_DIR, SUMMARY_ERROR_CHARS, evidence_message, evidence_section, incomplete_selection)
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.frameworks import PROFILE_NAMES, frameworks_section, profile_settings

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


def _threshold(name, value, minimum=0):
    number = as_int_or_none(value)
    if number is None or number < minimum or str(value).strip() != str(number):
        raise ComplianceInputError('%s must be an integer >= %d, got %r' % (name, minimum, value))
    return number


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


class _Facts:
    """The gathered facts as the finders read them: records grouped by instance, the failed sources."""

    def __init__(self, facts, region):
        self.raw = facts
        self.dbss = list(facts.get('dbss_instances') or [])
        audit_rules = facts.get('audit_rules') or {}
        if not isinstance(audit_rules, dict):
            raise ComplianceInputError('audit_rules must be the result of dbss_rule_info, got %s' % type(audit_rules).__name__)
        self.risk_rules = group_by(audit_rules.get('risk_rules'))
        self.injection_rules = group_by(audit_rules.get('sql_injection_rules'))
        self.topics = dict((as_text(topic.get('instance_id')), topic) for topic in audit_rules.get('alarm_topics') or [])
        self.alarms = group_by(facts.get('audit_alarms'))
        self.rds = list(facts.get('rds_instances') or [])
        self.scopes = group_by(facts.get('scopes'))
        self.databases = group_by(facts.get('databases'))
        self.policies = dict((as_text(policy.get('instance_id')), policy) for policy in facts.get('policies') or [])
        self.logs = group_by(facts.get('audit_logs'))
        self.region = region or next((as_text(item.get('region')) for item in self.dbss + self.rds if item.get('region')), '')
        self.errors = _gather_errors(facts)
        alarm_gap = _alarm_gap(facts)
        if alarm_gap and 'audit_alarms' not in self.errors:
            self.errors['audit_alarms'] = alarm_gap
        self.unlisted = dict((resource_type, _unlisted(resource_type, facts, self.errors)) for resource_type in RESOURCE_TYPES)


def _findings(facts, settings, now, fresh_since):
    """(found, not_applicable): check id -> [(resource, message, FAIL or ERROR, source)], check id -> [resource]."""
    errors = facts.errors
    found = {}
    not_applicable = {}

    def record(check_id, instance, message):
        source = CHECK_SOURCES.get(check_id)
        incomplete = source in errors
        if source == 'policies':
            # A policy is one request: one that arrived is complete, whatever happened to the others.
            incomplete = incomplete and as_text(instance.get('id')) not in facts.policies
        elif check_id == 'DBSS-09':
            # So is an alarm notification setting.
            incomplete = incomplete and as_text(instance.get('id')) not in facts.topics
        state = 'ERROR' if incomplete else 'FAIL'
        found.setdefault(check_id, []).append((instance, _unknown(message, source, errors) if state == 'ERROR' else message,
                                               state, source))

    for instance in facts.dbss:
        key = as_text(instance.get('id'))
        for check_id, message in (finders.instance_findings(instance, settings, now)
                                  + finders.scope_findings(facts.scopes.get(key, []), settings)
                                  + finders.database_findings(facts.databases.get(key, []))):
            record(check_id, instance, message)
        if instance.get('status') != 'ACTIVE':
            for check_id in ACTIVE_ONLY_CHECKS:
                not_applicable.setdefault(check_id, []).append(instance)
            continue
        hits = (finders.audit_rule_findings(facts.risk_rules.get(key, []), facts.injection_rules.get(key, []),
                                            facts.topics.get(key))
                + finders.alarm_findings(facts.alarms.get(key, []), settings, now))
        for check_id, message in hits:
            record(check_id, instance, message)
        for check_id in UNIVERSAL_CHECKS:
            if CHECK_SOURCES[check_id] in errors and check_id not in [hit[0] for hit in hits]:
                record(check_id, instance, 'no violation in what was read, which may be incomplete')
    for instance in facts.rds:
        key = as_text(instance.get('id'))
        # RDS-01/02 apply to the engines with an SQL audit policy (MySQL, PostgreSQL), RDS-03 to MySQL alone.
        skipped = compliance_coverage.not_applicable_checks(instance)
        for check_id in skipped:
            not_applicable.setdefault(check_id, []).append(instance)
        for check_id, message in (finders.policy_findings(facts.policies.get(key), settings)
                                  + finders.log_findings(facts.logs.get(key, []), settings, fresh_since)):
            if check_id not in skipped:
                record(check_id, instance, message)
        if 'policies' in errors and key not in facts.policies and 'RDS-02' not in skipped:
            # Without its policy the retention is unknown too (RDS-02 is only evaluated on a known policy).
            record('RDS-02', instance, 'no audit log policy was returned for the instance')
    return found, not_applicable


def _stand_in_findings(found, facts, settings):
    """Every check gets an ERROR for each resource an incomplete instance list may have left out."""
    for check in CHECKS:
        if check['id'] == 'DBSS-04' and not settings['require_full_audit']:
            continue
        source = LIST_SOURCES[check['resource_type']]
        for stand_in in facts.unlisted[check['resource_type']]:
            found.setdefault(check['id'], []).append(
                (stand_in, _unknown('not evaluated: the resource is missing from the instance list', source, facts.errors),
                 'ERROR', source))


def _finding(check, instance, region, message):
    return {
        'check': check['id'],
        'severity': check['severity'],
        'resource_type': check['resource_type'],
        'resource_id': as_text(instance.get('id')),
        'resource_name': as_text(instance.get('name')),
        'region': as_text(instance.get('region')) or region,
        'message': message,
    }


def _check_results(found, not_applicable, resources, facts):
    """(checks, violations, errors, by_check, by_severity) over the whole catalogue."""
    violations = []
    error_findings = []
    checks = []
    by_check = {}
    by_severity = dict((severity, 0) for severity in SEVERITIES)
    for check in CHECKS:
        hits = [hit for hit in found.get(check['id'], []) if hit[2] == 'FAIL']
        unknown = [hit for hit in found.get(check['id'], []) if hit[2] == 'ERROR']
        skipped = [_resource(item) for item in not_applicable.get(check['id'], [])]
        checked = len(resources[check['resource_type']]) + len(facts.unlisted[check['resource_type']]) - len(skipped)
        checks.append(dict(check, checked=checked, passed=checked - len(hits) - len(unknown), failed=len(hits),
                           errors=len(unknown), not_applicable=skipped))
        if check['id'] in compliance_coverage.NOT_APPLICABLE_REASONS:
            checks[-1]['not_applicable_reason'] = compliance_coverage.NOT_APPLICABLE_REASONS[check['id']]
        by_check[check['id']] = len(hits)
        by_severity[check['severity']] += len(hits)
        for instance, message, _state, _source in hits:
            violations.append(dict(_finding(check, instance, facts.region, message), remediation=check['remediation']))
        for instance, message, _state, source in unknown:
            finding = _finding(check, instance, facts.region, message)
            finding.update(state='ERROR', severity=ERROR_SEVERITY, source=SOURCE_MODULES[source],
                           remediation='Fix the cause of the %s failure (see the message) and run the checks again.'
                                       % SOURCE_MODULES[source])
            error_findings.append(finding)
    return checks, violations, error_findings, by_check, by_severity


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
    fresh_since = parse_reported_time(log_window_start) if log_window_start else None
    if log_window_start and fresh_since is None:
        raise ComplianceInputError('log_window_start: %r is not a valid time' % (log_window_start,))
    if fresh_since is None:
        fresh_since = now - datetime.timedelta(hours=settings['log_freshness_hours'])
    gathered = _Facts(facts or {}, region)
    errors = gathered.errors
    evidence = evidence_section(gathered.raw.get('evidence'), EVIDENCE_DIR if evidence_dir is None else evidence_dir,
                                incomplete_selection(gathered.raw, errors))
    found, not_applicable = _findings(gathered, settings, now, fresh_since)
    coverage, coverage_findings = compliance_coverage.coverage(
        gathered.rds, gathered.dbss, gathered.raw.get('scopes'), gathered.raw.get('databases'), gathered.policies,
        errors, settings['min_retention_days'], gathered.unlisted['rds_instance'])
    for check_id, instance, message, state, source in coverage_findings:
        found.setdefault(check_id, []).append((instance, _unknown(message, source, errors) if state == 'ERROR' else message,
                                               state, source or 'rds_instances'))
    _stand_in_findings(found, gathered, settings)

    resources = {'dbss_instance': [_resource(item) for item in gathered.dbss],
                 'rds_instance': [_resource(item) for item in gathered.rds]}
    checks, violations, error_findings, by_check, by_severity = _check_results(found, not_applicable, resources, gathered)
    fail_on = settings['fail_on']
    failing = sum(count for severity, count in by_severity.items() if at_or_above(severity, fail_on))
    dbss, rds = gathered.dbss, gathered.rds
    summary = {
        'generated_at': format_time(now),
        'region': gathered.region,
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
