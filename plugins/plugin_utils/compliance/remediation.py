# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Remediation of the audit log findings (``RDS-01`` audit log off, ``RDS-02`` retention too short) by the
``audit_compliance`` role, and the report's ``remediation`` section.

Pure functions, no I/O. The role:

1. gathers the facts, then asks ``plan()`` which RDS instances to fix: ``plan()`` evaluates the RDS facts with
   ``compliance.evaluate()`` and takes the instances of its ``RDS-01``/``RDS-02`` *violations* (whatever the engine),
   and only those whose policy was read (an ``ERROR`` finding, an instance whose state is unknown, is never touched);
2. runs ``rds_auditlog_policy`` once for all of them with ``keep_days`` = the minimum retention (the threshold the
   checks used, after a profile raised it) and ``keep_days_mode: at_least``: the module reads each policy again just
   before writing, and an instance whose retention is already at or above the target (somebody raised it since the
   gather) is "already compliant" and not written; remediation only ever raises a retention and turns the audit log
   on, never lowers one; the module keeps each instance's audit types;
3. reads the policies again (not in check mode) and evaluates everything on the state after the fix;
4. adds the ``remediation`` section (``section()`` and ``apply()``) to that report.
"""

import datetime

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.base import ComplianceInputError, as_text
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.evaluate import evaluate
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import clip
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import as_int_or_none, unique

REMEDIATED_CHECKS = ('RDS-01', 'RDS-02')
REMEDIATION_MODULE = 'rds_auditlog_policy'
# The facts the RDS-01/RDS-02 evaluation reads; the others are not needed to select what to fix.
PLAN_FACTS = ('rds_instances', 'policies', 'rds_unlisted_ids')
PLAN_ERRORS = ('rds_instances', 'policies')
# The shortest retention the write accepts when it turns the audit log on (a minimum retention of 0 still needs it on).
MIN_KEEP_DAYS = 1
MESSAGE_CHARS = 1000
RESULTS = ('NOT_REQUESTED', 'NOTHING_TO_FIX', 'WOULD_FIX', 'FIXED', 'ERROR')
# The colour of each result in report.html: the classes compliance_render's stylesheet defines.
_VERDICT_CLASSES = {'NOT_REQUESTED': 'NOT_EVALUATED', 'NOTHING_TO_FIX': 'PASS', 'WOULD_FIX': 'PENDING', 'FIXED': 'OK',
                    'ERROR': 'ERROR'}


def target_keep_days(min_retention_days):
    """The retention remediation sets: the minimum retention, at least 1 day (the audit log must be on)."""
    return max(MIN_KEEP_DAYS, min_retention_days)


def _known_keep_days(policy):
    return as_int_or_none(policy.get('keep_days')) if isinstance(policy, dict) else None


def _finding(item):
    return {'check': as_text(item.get('check')), 'resource_id': as_text(item.get('resource_id')),
            'resource_name': as_text(item.get('resource_name')), 'message': clip(as_text(item.get('message')), MESSAGE_CHARS)}


def plan(facts, now=None, min_retention_days=None, profile=None):
    """What remediation fixes, from the RDS facts the role gathered (``rds_instances``, ``policies``,
    ``rds_unlisted_ids`` and ``errors`` as ``compliance.evaluate()`` takes them).

    Returns ``{'keep_days', 'instance_ids', 'findings', 'not_remediated'}``: the retention to set, the instances to
    fix (in instance-list order, each once), their ``RDS-01``/``RDS-02`` violations, and the findings of those checks
    left alone with the reason (a state that is unknown, an instance that is not in scope)."""
    facts = facts or {}
    if not isinstance(facts, dict):
        raise ComplianceInputError('facts must be a dict of gathered facts, got %s' % type(facts).__name__)
    subset = dict((key, facts.get(key)) for key in PLAN_FACTS if facts.get(key) is not None)
    errors = facts.get('errors') or {}
    if not isinstance(errors, dict):
        raise ComplianceInputError('errors must map gathered facts to error messages, got %r' % (errors,))
    subset['errors'] = dict((key, errors[key]) for key in PLAN_ERRORS if errors.get(key))
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    report = evaluate(subset, now, min_retention_days=min_retention_days, profile=profile)
    keep_days = target_keep_days(report['summary']['thresholds']['min_retention_days'])

    instances = [item for item in subset.get('rds_instances') or [] if isinstance(item, dict)]
    in_scope = [as_text(item.get('id')) for item in instances]
    policies = dict((as_text(item.get('instance_id')), item) for item in subset.get('policies') or [] if isinstance(item, dict))
    findings = []
    not_remediated = []
    for violation in report['violations']:
        if violation['check'] not in REMEDIATED_CHECKS:
            continue
        finding = _finding(violation)
        current = _known_keep_days(policies.get(finding['resource_id']))
        if finding['resource_id'] not in in_scope:
            not_remediated.append(dict(finding, reason='not an RDS instance in scope'))
        elif current is None:
            not_remediated.append(dict(finding, reason='its audit log policy is unknown: nothing is changed on an unknown state'))
        elif current >= keep_days:
            not_remediated.append(dict(finding, reason='its retention (%d days) is not below %d days' % (current, keep_days)))
        else:
            findings.append(finding)
    for error in report['errors']:
        if error['check'] in REMEDIATED_CHECKS:
            not_remediated.append(dict(_finding(error), reason='the result is unknown (ERROR): nothing is changed on an '
                                                               'unknown state'))
    selected = set(finding['resource_id'] for finding in findings)
    return {'keep_days': keep_days, 'instance_ids': [item for item in unique(in_scope) if item in selected],
            'findings': findings, 'not_remediated': not_remediated}


def _policy_state(value):
    """The before/after of one instance as the module returns it: keep_days, audit_types, enabled."""
    value = value if isinstance(value, dict) else {}
    keep_days = as_int_or_none(value.get('keep_days'))
    types = value.get('audit_types') if isinstance(value.get('audit_types'), list) else []
    return {'keep_days': keep_days, 'audit_types': [as_text(item) for item in types],
            'enabled': bool(keep_days and keep_days > 0)}


def _failure_message(instance_id, result):
    """The error of an instance the module did not finish: its last failed write, else the module's message (which
    names every failed instance)."""
    writes = [write for write in result.get('writes') or []
              if isinstance(write, dict) and as_text(write.get('instance_id')) == instance_id and write.get('error')]
    if writes:
        return clip(as_text(writes[-1]['error']), MESSAGE_CHARS)
    return clip(as_text(result.get('msg')) or '%s failed' % REMEDIATION_MODULE, MESSAGE_CHARS)


def _empty(requested, check_mode, keep_days=None):
    return {'requested': requested, 'check_mode': check_mode, 'result': 'NOT_REQUESTED', 'failed': False,
            'module': REMEDIATION_MODULE, 'keep_days': keep_days, 'instances': 0, 'changed': [], 'would_change': [],
            'unchanged': [], 'failed_instances': [], 'findings': [], 'fixed_findings': [], 'unresolved_findings': [],
            'not_remediated': [], 'message': 'remediation not requested (audit_compliance_remediate is false)'}


def section(report, remediation_plan=None, result=None, requested=True, check_mode=False):
    """The report's ``remediation`` section.

    ``report`` is the evaluation of the state after the fix (in check mode: before it, nothing was changed);
    ``remediation_plan`` what ``plan()`` returned; ``result`` the registered result of the ``rds_auditlog_policy``
    run (also one that failed with a cloud error; None or skipped when it did not run)."""
    if not requested:
        return _empty(False, bool(check_mode))
    if not isinstance(remediation_plan, dict):
        raise ComplianceInputError('remediation_plan must be the result of audit_compliance_remediation_plan, got %r'
                                   % (remediation_plan,))
    out = _empty(True, bool(check_mode), remediation_plan.get('keep_days'))
    out['findings'] = list(remediation_plan.get('findings') or [])
    out['not_remediated'] = list(remediation_plan.get('not_remediated') or [])
    selected = list(remediation_plan.get('instance_ids') or [])
    out['instances'] = len(selected)
    if not selected:
        out['result'] = 'NOTHING_TO_FIX'
        out['message'] = _message(out)
        return out
    result = result if isinstance(result, dict) and not result.get('skipped') else {}
    names = dict((item['resource_id'], item['resource_name']) for item in out['findings'])
    checks = {}
    for item in out['findings']:
        checks.setdefault(item['resource_id'], []).append(item['check'])
    done = {}
    for policy in result.get('policies') or []:
        if isinstance(policy, dict) and as_text(policy.get('instance_id')) in selected:
            done[as_text(policy['instance_id'])] = policy
    for instance_id in selected:
        policy = done.get(instance_id)
        if policy is None:
            out['failed_instances'].append({'resource_id': instance_id, 'resource_name': names.get(instance_id, ''),
                                            'message': _failure_message(instance_id, result)})
            continue
        entry = {'resource_id': instance_id, 'resource_name': names.get(instance_id, ''), 'checks': checks.get(instance_id, []),
                 'before': _policy_state(policy.get('before')), 'after': _policy_state(policy.get('after'))}
        if not policy.get('changed'):
            out['unchanged'].append(entry)
        elif check_mode:
            out['would_change'].append(entry)
        else:
            out['changed'].append(entry)
    if not check_mode:
        still = set((item.get('check'), item.get('resource_id')) for item in (report.get('violations') or []) + (report.get('errors') or []))
        for finding in out['findings']:
            key = (finding['check'], finding['resource_id'])
            (out['unresolved_findings'] if key in still else out['fixed_findings']).append(
                {'check': finding['check'], 'resource_id': finding['resource_id'], 'resource_name': finding['resource_name']})
    out['failed'] = bool(out['failed_instances'] or out['unresolved_findings'])
    if out['failed']:
        out['result'] = 'ERROR'
    elif not (out['would_change'] if check_mode else out['changed']):
        # Every selected instance was already compliant when the module read it: nothing was (or would be) written.
        out['result'] = 'NOTHING_TO_FIX'
    else:
        out['result'] = 'WOULD_FIX' if check_mode else 'FIXED'
    out['message'] = _message(out)
    return out


def _message(out):
    """One line on the remediation, e.g. for the play's failure message."""
    if out['result'] == 'NOT_REQUESTED':
        return out['message']
    if out['result'] == 'NOTHING_TO_FIX' and out['unchanged']:
        return ('remediation: nothing written; %d RDS instances were already compliant when read again (audit log on, '
                'keep_days at least %d)' % (len(out['unchanged']), out['keep_days']))
    if out['result'] == 'NOTHING_TO_FIX':
        left = len(out['not_remediated'])
        return 'remediation: no RDS-01/RDS-02 finding to fix%s' % (
            ' (%d left alone: state unknown or out of scope)' % left if left else '')
    if out['check_mode']:
        text = ('remediation (check mode): %d RDS instances would be changed to keep_days %d (%d findings), nothing '
                'written' % (len(out['would_change']), out['keep_days'], len(out['findings'])))
    else:
        text = ('remediation: %d RDS instances changed to keep_days %d, %d of %d findings fixed'
                % (len(out['changed']), out['keep_days'], len(out['fixed_findings']), len(out['findings'])))
    if out['unchanged']:
        text += '; %d already compliant when read again (not changed)' % len(out['unchanged'])
    if out['failed_instances']:
        text += '; FAILED for %d: %s' % (len(out['failed_instances']), '; '.join(
            '%s: %s' % (item['resource_id'], clip(item['message'], 300)) for item in out['failed_instances'][:5]))
    if out['unresolved_findings']:
        text += '; %d findings still open after the fix: %s' % (len(out['unresolved_findings']), ', '.join(
            '%s %s' % (item['check'], item['resource_id']) for item in out['unresolved_findings'][:10]))
    return clip(text, 2000)


def apply(report, remediation):
    """The report with its ``remediation`` section; when remediation was requested the summary says its result and
    its message is appended to the summary's message."""
    report = dict(report)
    report['remediation'] = remediation
    if remediation['requested']:
        summary = dict(report['summary'])
        summary['remediation'] = remediation['result']
        summary['message'] = '%s; %s' % (summary['message'], remediation['message'])
        report['summary'] = summary
    return report


# ---------------------------------------------------------------------------------------------------------------
# renderings (the escape function of the format is given by compliance_render)
# ---------------------------------------------------------------------------------------------------------------
def _state_text(state):
    if state['keep_days'] is None:
        return 'unknown'
    if not state['keep_days']:
        return 'audit log off'
    return 'on, keep_days %d' % state['keep_days']


def _change_rows(remediation):
    """(label, entries) of the instance tables, the same in every format."""
    return [(label, remediation.get(key) or []) for key, label in (
        ('changed', 'Changed'), ('would_change', 'Would change (check mode, nothing written)'),
        ('unchanged', 'Already compliant when read again (not changed)'))]


def markdown_lines(remediation, md):
    """The Markdown lines of the section (none when remediation was not requested); ``md`` escapes cloud text."""
    if not remediation or not remediation.get('requested'):
        return []
    lines = ['## Remediation', '',
             'RDS-01/RDS-02 findings fixed with %s (keep\\_days %s); the checks above show the state %s.'
             % (md(remediation['module']), md(remediation['keep_days']),
                'before any change (check mode)' if remediation['check_mode'] else 'after the fix'), '',
             '| | |', '| --- | --- |', '| Result | **%s** |' % md(remediation['result']),
             '| Instances to fix | %d |' % remediation['instances'],
             '| Findings | %d (%d fixed) |' % (len(remediation['findings']), len(remediation['fixed_findings'])), '',
             md(remediation['message']), '']
    for label, entries in _change_rows(remediation):
        if entries:
            lines += ['%s:' % label, '', '| RDS instance | Name | Findings | Before | After |', '| --- | --- | --- | --- | --- |']
            lines += ['| %s | %s | %s | %s | %s |' % (
                md(item['resource_id']), md(item['resource_name']), md(', '.join(item['checks'])),
                md(_state_text(item['before'])), md(_state_text(item['after']))) for item in entries]
            lines.append('')
    if remediation['failed_instances']:
        lines += ['Failed (the findings stay open):', '', '| RDS instance | Name | Error |', '| --- | --- | --- |']
        lines += ['| %s | %s | %s |' % (md(item['resource_id']), md(item['resource_name']), md(item['message']))
                  for item in remediation['failed_instances']]
        lines.append('')
    if remediation['not_remediated']:
        lines += ['Left alone:', '', '| Check | RDS instance | Reason |', '| --- | --- | --- |']
        lines += ['| %s | %s | %s |' % (md(item['check']), md(item['resource_id']), md(item['reason']))
                  for item in remediation['not_remediated']]
        lines.append('')
    return lines


def html(remediation, h):
    """The HTML of the section (empty when remediation was not requested); ``h`` escapes cloud text."""
    if not remediation or not remediation.get('requested'):
        return u''
    out = [u'<h2 id="remediation">Remediation</h2>',
           u'<p><span class="verdict %s">%s</span> %s</p>' % (
               h(_VERDICT_CLASSES.get(remediation['result'], 'ERROR')), h(remediation['result']), h(remediation['message'])),
           u'<p>RDS-01/RDS-02 findings fixed with <code>%s</code> (keep_days %s); the checks show the state %s.</p>'
           % (h(remediation['module']), h(remediation['keep_days']),
              'before any change (check mode)' if remediation['check_mode'] else 'after the fix')]
    for label, entries in _change_rows(remediation):
        if entries:
            out.append(u'<p>%s:</p><table><tr><th>RDS instance</th><th>Name</th><th>Findings</th><th>Before</th>'
                       u'<th>After</th></tr>' % h(label))
            out += [u'<tr><td><code>%s</code></td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>'
                    % (h(item['resource_id']), h(item['resource_name']), h(', '.join(item['checks'])),
                       h(_state_text(item['before'])), h(_state_text(item['after']))) for item in entries]
            out.append(u'</table>')
    if remediation['failed_instances']:
        out.append(u'<p>Failed (the findings stay open):</p><table><tr><th>RDS instance</th><th>Name</th><th>Error</th></tr>')
        out += [u'<tr><td><code>%s</code></td><td>%s</td><td>%s</td></tr>'
                % (h(item['resource_id']), h(item['resource_name']), h(item['message']))
                for item in remediation['failed_instances']]
        out.append(u'</table>')
    if remediation['not_remediated']:
        out.append(u'<p>Left alone:</p><table><tr><th>Check</th><th>RDS instance</th><th>Reason</th></tr>')
        out += [u'<tr><td>%s</td><td><code>%s</code></td><td>%s</td></tr>'
                % (h(item['check']), h(item['resource_id']), h(item['reason'])) for item in remediation['not_remediated']]
        out.append(u'</table>')
    return u''.join(out)
