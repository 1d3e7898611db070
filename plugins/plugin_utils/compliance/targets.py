# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Several accounts and regions in one run of the audit_compliance role (``audit_compliance_targets``).

Each target is ``{name, region, agency_name?, agency_domain_name? | agency_domain_id?, agency_duration?}`` (the rules
of ``account_targets.py``, shared with the inventory's ``accounts``): the role gathers and
evaluates every target with the connection of that target (``target_connection()``: the role's connection with the
target's region and agency), then ``merge()`` makes ONE report of the evaluated reports: the totals over every
target, a ``targets`` section (each target's label, region and counts) and every finding, coverage row, resource and
not-applicable entry labelled with ``account`` (the target's name) and ``region``. Waivers apply after the merge
(a waiver for one target is not "unmatched" in another); they match on check and resource ID, which are unique across
accounts (the cloud's IDs are UUIDs).
"""

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.account_targets import (
    AGENCY_KEYS, LABEL, LABEL_RULE, account_identity, agency_of, agency_problem, is_label, label_key)
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.checks import SEVERITIES, at_or_above
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.evaluate import verdict_message
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.coverage import coverage_summary
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.frameworks import frameworks_section
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.remediation import apply as apply_remediation
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.waivers import apply_waivers
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import check_region
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, clip

VARIABLE = 'audit_compliance_targets'
KEYS = ('name', 'region') + AGENCY_KEYS
_SHAPE = '{name, region, agency_name, agency_domain_name | agency_domain_id, agency_duration}'
# Role variables that cannot go with targets, and why.
CONFLICTS = (
    ('audit_compliance_dbss_instance_ids', 'instance IDs belong to one account and region; leave it null with '
                                           'audit_compliance_targets (every instance of every target is checked)'),
    ('audit_compliance_rds_instance_ids', 'instance IDs belong to one account and region; leave it null with '
                                          'audit_compliance_targets (every instance of every target is checked)'),
)
# What a remediation section's result says, best first (the merged section has the worst).
_REMEDIATION_RANK = ('NOT_REQUESTED', 'NOTHING_TO_FIX', 'WOULD_FIX', 'FIXED', 'ERROR')


def is_set(targets):
    """Whether the role runs per target: a non-empty list (null or [] is the single region of the connection)."""
    return bool(targets)


def _where(index, key=None):
    return '%s[%d]%s' % (VARIABLE, index, '.' + key if key else '')


def _string_problem(where, value, pattern, what):
    if not isinstance(value, str) or not pattern.match(value):
        return '%s must be %s, got %s' % (where, what, clip(repr(value), 60))
    return None


def target_problems(targets, others=None):
    """One line per problem with ``audit_compliance_targets`` (and with the role variables in ``others``, name ->
    value, that cannot go with targets); empty when fine. Nothing is checked against the cloud."""
    if targets is None or targets == []:
        return []
    if not isinstance(targets, (list, tuple)):
        return ['%s must be a list of targets %s, or [] for the region of audit_compliance_connection, got %s'
                % (VARIABLE, _SHAPE, clip(repr(targets), 60))]
    problems = []
    seen = {}
    reached = {}
    for index, target in enumerate(targets):
        if not isinstance(target, dict):
            problems.append('%s must be a dict %s, got %s' % (_where(index), _SHAPE, clip(repr(target), 60)))
            continue
        unknown = sorted(str(key) for key in target if key not in KEYS)
        if unknown:
            problems.append('%s has unknown key(s) %s; allowed: %s' % (_where(index), ', '.join(unknown), ', '.join(KEYS)))
        problem = _string_problem(_where(index, 'name'), target.get('name'), LABEL,
                                  '%s (the account label of its findings)' % LABEL_RULE)
        problems += [problem] if problem else []
        client_problems = _client_problems(index, target)
        problems += client_problems
        if not client_problems:
            # Checked values only: they are strings, and the same pair twice would be gathered and counted twice.
            pair = (account_identity(agency_of(target)), target.get('region'))
            if pair in reached:
                problems.append('%s reaches the same account and region as %s; list each account x region once'
                                % (_where(index), _where(reached[pair])))
            reached.setdefault(pair, index)
        name = target.get('name')
        if is_label(name):
            if label_key(name) in seen:
                other, other_name = seen[label_key(name)]
                if other_name == name:
                    problems.append('%s is %s again (already %s); give every target its own name'
                                    % (_where(index, 'name'), name, _where(other, 'name')))
                else:
                    problems.append('%s is %s, the same label as %s (%s: labels that differ only in case or in - and _ '
                                    'are the same); give every target its own name'
                                    % (_where(index, 'name'), name, _where(other, 'name'), other_name))
            else:
                seen[label_key(name)] = (index, name)
    others = others or {}
    for name, why in CONFLICTS:
        if others.get(name) is not None:
            problems.append('%s cannot go with %s: %s' % (name, VARIABLE, why))
    if others.get('audit_compliance_export_logs') not in (None, False) and \
            str(others.get('audit_compliance_export_logs')).strip().lower() not in ('false', 'no', 'off', '0', 'n', 'f'):
        problems.append('audit_compliance_export_logs cannot go with %s: the evidence export covers one account and '
                        'region; set it to false (or run the role once per target to export)' % VARIABLE)
    connection = others.get('audit_compliance_connection')
    if isinstance(connection, dict) and connection.get('project_id') not in (None, ''):
        problems.append('audit_compliance_connection.project_id cannot go with %s: a project belongs to one account and '
                        'region; leave it out (each target\'s project is looked up)' % VARIABLE)
    return problems


def _client_problems(index, target):
    """The region and agency of a target, checked by the client's own rules (config.py, agency.py), so that the role
    refuses exactly what the modules would refuse, before any request."""
    problems = []
    try:
        check_region(target.get('region'), option=_where(index, 'region'))
    except HuaweiCloudConfigError as error:
        problems.append(str(error))
    problem = agency_problem(_where(index), agency_of(target))
    return problems + ([problem] if problem else [])


def target_connection(connection, target):
    """The module options of one target: ``connection`` (the role's audit_compliance_connection) with the target's
    region and, when it names one, its agency (the other agency account key cleared, so that the target's wins)."""
    result = dict(connection or {})
    result['region'] = target['region']
    if target.get('agency_name'):
        result['agency_name'] = target['agency_name']
        result['agency_domain_name'] = target.get('agency_domain_name') or None
        result['agency_domain_id'] = target.get('agency_domain_id') or None
        if target.get('agency_duration') is not None:
            result['agency_duration'] = target['agency_duration']
    return result


# ---------------------------------------------------------------------------------------------------------------
# merge
# ---------------------------------------------------------------------------------------------------------------
def _label(items, account, region, keep_region=True):
    out = []
    for item in items or []:
        entry = dict(item, account=account)
        if not keep_region or not entry.get('region'):
            entry['region'] = region
        out.append(entry)
    return out


def _first_of(values):
    return next((value for value in values if value), None)


def _merge_checks(reports, targets):
    merged = []
    for position, check in enumerate(reports[0]['checks']):
        entry = dict(check, checked=0, passed=0, failed=0, errors=0, not_applicable=[])
        for report, target in zip(reports, targets):
            other = report['checks'][position]
            if other['id'] != check['id']:
                raise ValueError('the reports of the targets list different checks')
            for key in ('checked', 'passed', 'failed', 'errors'):
                entry[key] += other.get(key) or 0
            entry['not_applicable'] += _label(other.get('not_applicable'), target['name'], target['region'], False)
        merged.append(entry)
    return merged


def _merge_remediation(sections, targets):
    """One remediation section: the lists concatenated with account and region, the counts summed, the worst result."""
    sections = [(section, target) for section, target in zip(sections, targets) if isinstance(section, dict)]
    if not sections:
        return None
    first = sections[0][0]
    out = dict(first)
    for key in ('changed', 'would_change', 'unchanged', 'failed_instances', 'findings', 'fixed_findings',
                'unresolved_findings', 'not_remediated'):
        out[key] = []
        for section, target in sections:
            out[key] += _label(section.get(key), target['name'], target['region'], False)
    out['instances'] = sum(section.get('instances') or 0 for section, _target in sections)
    out['failed'] = any(section.get('failed') for section, _target in sections)
    out['result'] = max((section.get('result') for section, _target in sections),
                        key=lambda result: _REMEDIATION_RANK.index(result) if result in _REMEDIATION_RANK else len(_REMEDIATION_RANK))
    out['keep_days'] = _first_of(section.get('keep_days') for section, _target in sections)
    if out['requested']:
        out['message'] = clip('; '.join('%s (%s): %s' % (target['name'], target['region'], section['message'])
                                        for section, target in sections), 2000)
    return out


def _target_entry(target, report, violations, errors, waived, fail_on):
    """The ``targets`` entry of one target: its label, region, agency and counts (after the waivers)."""
    by_severity = dict((severity, 0) for severity in SEVERITIES)
    for item in violations:
        by_severity[item['severity']] += 1
    failing = sum(count for severity, count in by_severity.items() if at_or_above(severity, fail_on))
    entry = {'name': target['name'], 'account': target['name'], 'region': target['region'],
             'agency_name': target.get('agency_name') or None,
             'agency_domain': target.get('agency_domain_name') or target.get('agency_domain_id') or None,
             'resources_checked': dict(report['summary']['resources_checked']),
             'log_window_start': report['summary']['log_window_start'],
             'violations': len(violations), 'by_severity': by_severity, 'failing_violations': failing,
             'errors': len(errors), 'waived': len(waived),
             'gather_errors': [dict(item) for item in report['summary'].get('gather_errors') or []],
             'result': 'ERROR' if errors else ('FAIL' if failing else ('WARN' if violations else 'PASS'))}
    return entry


def _message(summary):
    """The verdict over every target; a failed API call names its target."""
    labelled = dict(summary, gather_errors=[dict(item, module='%s of %s (%s)' % (item['module'], item['account'], item['region']))
                                            for item in summary.get('gather_errors') or []])
    message = verdict_message(labelled)
    if summary.get('waived'):
        message += '; %d waived findings not counted (see waived)' % summary['waived']
    return message


def merge(reports, targets, waivers=None):
    """ONE report of the evaluated ``reports`` of ``targets`` (same order, each a report of compliance.evaluate with
    its remediation section, without waivers): totals over every target, ``targets``, and every entry labelled with
    ``account`` and ``region``; ``waivers`` (a list that passed waiver_problems, or None) applied after the merge."""
    reports = list(reports or [])
    targets = list(targets or [])
    if not reports or len(reports) != len(targets):
        raise ValueError('one evaluated report per target is needed, got %d reports for %d targets' % (len(reports), len(targets)))
    first = reports[0]['summary']
    violations, errors, coverage, gather_errors = [], [], [], []
    resources = {}
    for report, target in zip(reports, targets):
        name, region = target['name'], target['region']
        violations += _label(report['violations'], name, region)
        errors += _label(report.get('errors'), name, region)
        coverage += _label(report.get('coverage'), name, region, False)
        gather_errors += _label(report['summary'].get('gather_errors'), name, region, False)
        for kind, items in (report.get('resources') or {}).items():
            resources.setdefault(kind, [])
            resources[kind] += _label(items, name, region, False)
    checks = _merge_checks(reports, targets)
    by_severity = dict((severity, 0) for severity in SEVERITIES)
    by_check = dict((check['id'], 0) for check in checks)
    for item in violations:
        by_severity[item['severity']] += 1
        by_check[item['check']] = by_check.get(item['check'], 0) + 1
    fail_on = first['fail_on']
    failing = sum(count for severity, count in by_severity.items() if at_or_above(severity, fail_on))
    counted = {}
    for report in reports:
        for kind, count in report['summary']['resources_checked'].items():
            counted[kind] = counted.get(kind, 0) + count
    regions = []
    for target in targets:
        if target['region'] not in regions:
            regions.append(target['region'])
    summary = dict(first)
    summary.pop('remediation', None)
    summary.update({
        'generated_at': max(report['summary']['generated_at'] for report in reports),
        'region': ', '.join(regions),
        # The targets' labels (each target's own report named its connection's account, which the merge replaces).
        'account': ', '.join(dict.fromkeys(target['name'] for target in targets)),
        'targets': len(targets),
        'resources_checked': counted,
        'violations': len(violations),
        'by_severity': by_severity,
        'by_check': by_check,
        'failing_violations': failing,
        'errors': len(errors),
        'gather_errors': gather_errors,
        'failed': failing > 0 or (bool(errors) and fail_on != 'never'),
        'result': 'ERROR' if errors else ('FAIL' if failing else ('WARN' if violations else 'PASS')),
        'log_window_start': min(report['summary']['log_window_start'] for report in reports),
        'coverage': coverage_summary(coverage),
    })
    not_evaluated = () if first['thresholds'].get('require_full_audit', True) else ('DBSS-04',)
    merged = {'summary': summary, 'violations': violations, 'errors': errors, 'checks': checks, 'resources': resources,
              'coverage': coverage, 'frameworks': frameworks_section(checks, not_evaluated)}
    if waivers is not None:
        merged = apply_waivers(merged, waivers)
    summary = merged['summary']
    merged['targets'] = [
        _target_entry(target, report,
                      [item for item in merged['violations'] if item['account'] == target['name']],
                      [item for item in merged['errors'] if item['account'] == target['name']],
                      [item for item in merged.get('waived') or [] if item['account'] == target['name']], fail_on)
        for report, target in zip(reports, targets)]
    summary['message'] = _message(summary)
    merged['summary'] = summary
    remediation = _merge_remediation([report.get('remediation') for report in reports], targets)
    if remediation is not None:
        merged = apply_remediation(merged, remediation)
    return merged
