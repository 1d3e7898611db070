# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The check catalogue: every check with its severity, the resource type it applies to, what it means and how to fix
a violation; and the fact source each check reads. Pure data; the checks themselves are in ``finders.py`` (one
finder per fact source) and ``coverage.py`` (COV-01, COV-02)."""

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import coverage

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


# A check's definition; the evaluation adds its counts (checked, passed, failed, errors, not_applicable).
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
# Coverage, database by database (coverage.py).
CHECKS += tuple(dict(check) for check in coverage.COVERAGE_CHECKS)
CHECKS_BY_ID = dict((check['id'], check) for check in CHECKS)


def at_or_above(severity, fail_on):
    """Whether a violation of ``severity`` fails the run under ``fail_on`` (``never`` fails nothing)."""
    if fail_on == 'never':
        return False
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[fail_on]
