# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The checks, one finder per fact source: each takes the records of one source for one instance and returns
``(check id, message)`` for each violation it finds there. The evaluation (``evaluate.py``) decides whether a
finding is a violation or, read from an incomplete fact, an unknown result."""

import datetime

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import as_int_or_none
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_reported_time
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import clip
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.base import as_text, format_time
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.checks import REQUIRED_RULE_LEVELS


def instance_findings(instance, settings, now):
    """DBSS-01 (status), DBSS-02 (expiry) and DBSS-06 (pending upgrade): the audit instance's own record."""
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
    if instance.get('new_version'):
        current = as_text(instance.get('version')) or 'current version'
        findings.append(('DBSS-06', 'upgrade available: %s -> %s' % (current, instance.get('new_version'))))
    return findings


def scope_findings(scopes, settings):
    """DBSS-03 (a scope ON) and DBSS-04 (full audit): the instance's audit scopes."""
    findings = []
    enabled = [scope for scope in scopes if scope.get('status') == 'ON']
    if not enabled:
        findings.append(('DBSS-03', 'no audit scope is ON (%d scopes, all OFF)' % len(scopes) if scopes else 'the instance has no audit scope'))
    if settings['require_full_audit'] and not any(scope.get('all_audit') is True for scope in enabled):
        findings.append(('DBSS-04', 'no enabled audit scope has full audit (all_audit) on (%d of %d scopes ON)'
                         % (len(enabled), len(scopes))))
    return findings


def database_findings(databases):
    """DBSS-05: the databases added to the instance."""
    if not any(database.get('status') == 'ON' for database in databases):
        return [('DBSS-05', 'no database is under audit (%d databases, none ON)' % len(databases) if databases
                 else 'no database has been added to the instance')]
    return []


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


def alarm_findings(alarms, settings, now):
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


def audit_rule_findings(risk_rules, injection_rules, topic):
    """DBSS-07..09: what dbss_rule_info returned for an ACTIVE instance (its rules and its alarm notification)."""
    return (_rule_findings('DBSS-07', 'risk rule', risk_rules, 'rule_type')
            + _rule_findings('DBSS-08', 'SQL injection rule', injection_rules, 'type')
            + _topic_findings(topic))


def policy_findings(policy, settings):
    """RDS-01 (audit log on) and RDS-02 (retention): the instance's audit log policy."""
    keep_days = as_int_or_none(policy.get('keep_days')) if policy else None
    if keep_days is None:
        return [('RDS-01', 'no audit log policy was returned for the instance')]
    if keep_days <= 0:
        return [('RDS-01', 'audit log is off (keep_days 0)')]
    if keep_days < settings['min_retention_days']:
        return [('RDS-02', 'audit log retention is %d days, below the required %d days'
                 % (keep_days, settings['min_retention_days']))]
    return []


def log_findings(logs, settings, fresh_since):
    """RDS-03: the instance's audit log files."""
    begins = [parse_reported_time(item.get('begin_time')) for item in logs]
    begins = [begin for begin in begins if begin is not None]
    if any(begin >= fresh_since for begin in begins):
        return []
    last = ' (the last one began %s)' % format_time(max(begins)) if begins else ''
    return [('RDS-03', 'no audit log file began since %s, the last %d hours%s'
             % (format_time(fresh_since), settings['log_freshness_hours'], last))]
