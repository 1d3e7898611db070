# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Setting the SQL audit policy of RDS instances (``PUT /v3/{project_id}/instances/{id}/auditlog-policy``).

The live policy is read first; an instance is written only when it differs. The write is not idempotent on the
wire, so the client never retries it: after a 5xx, a 429 or a lost answer the policy is read again, and the write
is repeated only when it did not take effect (at most ``max_retries`` times). Every write is recorded.
"""

import re
import threading

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import api_path
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import Subject, map_bounded, run_bounded
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, HuaweiCloudError, with_context
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import RDS_INSTANCES, read_audit_policy

KEEP_DAYS_MIN = 1
KEEP_DAYS_MAX = 732  # the longest retention the read documents (the write's 3660 would not read back)
# What an audit log action looks like (``INSERT``, ``CHANGE_DB``, ``BEGIN/COMMIT/ROLLBACK``): checked before any
# request. Which actions are allowed is the instance's own word (its ``all_audit_log_action``), checked after the policy
# of every instance was read and before anything is written: no fixed list can follow the service's releases.
AUDIT_TYPE_PATTERN = re.compile(r'^[A-Z][A-Z0-9_/]{0,63}$')
SET_POLICY_API = 'RDS PUT /v3/{project_id}/instances/{instance_id}/auditlog-policy'


KEEP_DAYS_MODES = ('exact', 'at_least')


def desired_policy(state, keep_days=None, audit_types=None, reserve_auditlogs=True, keep_days_mode='exact'):
    """The wanted policy from the module's options, refused before any request with a one-line message naming the
    option and what it allows: ``{'keep_days', 'audit_types' (None = leave as is), 'reserve_auditlogs',
    'at_least'}``. ``at_least``: ``keep_days`` is a minimum, a longer retention is never lowered."""
    if keep_days_mode not in KEEP_DAYS_MODES:
        raise HuaweiCloudConfigError('keep_days_mode must be one of %s, got %s' % (', '.join(KEEP_DAYS_MODES), keep_days_mode))
    if state == 'absent' and keep_days_mode != 'exact':
        raise HuaweiCloudConfigError('keep_days_mode=%s is only allowed with state=present (state=absent turns the audit '
                                     'log off)' % keep_days_mode)
    return dict(_desired_policy(state, keep_days, audit_types, reserve_auditlogs), at_least=keep_days_mode == 'at_least')


def _desired_policy(state, keep_days, audit_types, reserve_auditlogs):
    if state == 'absent':
        if keep_days is not None:
            raise HuaweiCloudConfigError('keep_days is not allowed with state=absent (turning the audit log off sets it '
                                         'to 0); with state=present it must be between %d and %d' % (KEEP_DAYS_MIN, KEEP_DAYS_MAX))
        if audit_types is not None:
            raise HuaweiCloudConfigError('audit_types is not allowed with state=absent; it is only allowed with state=present')
        return {'keep_days': 0, 'audit_types': None, 'reserve_auditlogs': bool(reserve_auditlogs)}
    if state != 'present':
        raise HuaweiCloudConfigError('state must be one of present, absent, got %s' % state)
    if keep_days is None:
        raise HuaweiCloudConfigError('keep_days is required with state=present: days to keep audit logs, between %d and %d'
                                     % (KEEP_DAYS_MIN, KEEP_DAYS_MAX))
    if isinstance(keep_days, bool) or not isinstance(keep_days, int) or not KEEP_DAYS_MIN <= keep_days <= KEEP_DAYS_MAX:
        raise HuaweiCloudConfigError('keep_days must be between %d and %d with state=present (use state=absent to turn the '
                                     'audit log off), got %s' % (KEEP_DAYS_MIN, KEEP_DAYS_MAX, keep_days))
    if audit_types is not None:
        malformed = [item for item in audit_types if not isinstance(item, str) or not AUDIT_TYPE_PATTERN.match(item)]
        if malformed:
            raise HuaweiCloudConfigError('audit_types: %s is not an audit log action; allowed values: the actions the instance '
                                         'offers (all_audit_log_action of rds_auditlog_policy_info, upper case such as INSERT, '
                                         'CHANGE_DB; an empty list audits every type)' % ', '.join(repr(item) for item in malformed))
        audit_types = sorted(set(audit_types))
    return {'keep_days': keep_days, 'audit_types': audit_types, 'reserve_auditlogs': None}


def policy_state(policy):
    """What the result shows of a policy: ``keep_days``, ``audit_types`` (sorted) and ``enabled``."""
    return {'keep_days': policy['keep_days'], 'audit_types': sorted(policy['audit_types']),
            'enabled': policy['keep_days'] > 0}


def plan_change(live, desired):
    """``(after, body)`` for one instance: the policy it should have, and the PUT body, or None when it already has
    it. ``live`` is a policy as ``rds.read_audit_policy`` returns it (read just before: with ``at_least``, a live
    retention at or above ``keep_days`` is kept, whatever the caller saw earlier)."""
    before = policy_state(live)
    if desired['keep_days'] == 0:
        if before['keep_days'] == 0:
            return before, None
        return {'keep_days': 0, 'audit_types': [], 'enabled': False}, {
            'keep_days': 0, 'reserve_auditlogs': desired['reserve_auditlogs']}
    audit_types = before['audit_types'] if desired['audit_types'] is None else desired['audit_types']
    keep_days = desired['keep_days']
    if desired.get('at_least') and before['keep_days'] > keep_days:
        # "At least": a retention somebody raised meanwhile is kept; lowering it would delete older audit logs.
        keep_days = before['keep_days']
    after = {'keep_days': keep_days, 'audit_types': audit_types, 'enabled': True}
    if after == before:
        return before, None
    body = {'keep_days': keep_days}
    # Sent again when unchanged, so that changing keep_days never drops the filter; MySQL lists its actions, and
    # only MySQL takes audit_types.
    if desired['audit_types'] is not None or live.get('all_audit_log_action'):
        body['audit_types'] = audit_types
    return after, body


def took_effect(live, after):
    """Whether a policy read back is the one a write asked for."""
    state = policy_state(live)
    if after['keep_days'] == 0:
        return state['keep_days'] == 0
    return state['keep_days'] == after['keep_days'] and state['audit_types'] == after['audit_types']


def diff_entry(instance_id, before, after):
    header = 'RDS instance %s audit log policy' % instance_id
    return {'before_header': header, 'after_header': header, 'before': _diff_text(before), 'after': _diff_text(after)}


def _diff_text(state):
    return 'keep_days: %d\naudit_types: [%s]\nenabled: %s\n' % (
        state['keep_days'], ', '.join(state['audit_types']), 'true' if state['enabled'] else 'false')


def _worth_reading_again(error):
    """A write that may or may not have taken effect: the answer was lost, or the service failed or throttled."""
    return error.status is None or error.status >= 500 or error.status == 429


# The instances of an update, each with the outcome of reading its policy: ``(instance_id, (live, error))``.
_READ_INSTANCES = Subject('RDS instance', 'RDS instances', lambda job: job[0])


def offered_problem(instance_id, live, audit_types):
    """The one-line refusal of ``audit_types`` the instance does not offer, or None. An instance that offers no action
    (PostgreSQL, or a policy without ``all_audit_log_action``) takes no audit type at all."""
    offered = live.get('all_audit_log_action') or []
    missing = [item for item in audit_types or [] if item not in offered]
    if not missing:
        return None
    if not offered:
        return ('audit_types: RDS instance %s offers no audit log action (its all_audit_log_action is empty: audit types '
                'are for RDS for MySQL); allowed values: an empty list, or leave audit_types out' % instance_id)
    return 'audit_types: %s not offered by RDS instance %s; allowed values: %s (its all_audit_log_action)' % (
        ', '.join(missing), instance_id, ', '.join(offered))


class AuditPolicyUpdate:
    """Bring each instance's policy to ``desired``, ``max_workers`` instances at a time. ``run()`` returns
    ``{'changed', 'policies', 'writes', 'diff'}``; a failure names every failed instance and carries all of those
    keys for the instances that were done (``error.result``, ``error.partial_results``)."""

    def __init__(self, client, instance_ids, desired, max_workers=8, check_mode=False, sleep=None):
        self.client = client
        self.instance_ids = list(instance_ids)
        self.desired = desired
        self.max_workers = max_workers
        self.check_mode = check_mode
        self._sleep = sleep or getattr(client, '_sleep', None) or (lambda _seconds: None)
        self._writes = {}
        self._lock = threading.Lock()

    def run(self):
        """Read every policy, refuse audit types an instance does not offer (before any write), then write. An
        instance whose policy could not be read fails alone; the others are still brought to ``desired``."""
        reads = list(zip(self.instance_ids, run_bounded(self._read, self.instance_ids, self.max_workers)))
        problems = [problem for problem in (offered_problem(instance_id, live, self.desired['audit_types'])
                                            for instance_id, (live, error) in reads if error is None) if problem]
        if problems:
            more = ' (and %d more RDS instances)' % (len(problems) - 1) if len(problems) > 1 else ''
            raise HuaweiCloudConfigError(problems[0] + more)
        try:
            policies = map_bounded(self._apply, reads, self.max_workers, _READ_INSTANCES)
        except HuaweiCloudError as error:
            error.result = self._summary(error.partial_results or [])
            raise
        return self._summary(policies)

    def _summary(self, policies):
        writes = [write for instance_id in self.instance_ids for write in self._writes.get(instance_id, [])]
        return {
            'changed': any(policy['changed'] for policy in policies),
            'policies': policies,
            'writes': writes,
            'diff': [diff_entry(policy['instance_id'], policy['before'], policy['after'])
                     for policy in policies if policy['changed']],
        }

    def _path(self, instance_id):
        return api_path('v3', self.client.project_id, 'instances', instance_id, 'auditlog-policy')

    def _read(self, instance_id):
        response = with_context(RDS_INSTANCES.context(instance_id), self.client.request, 'GET', 'rds', self._path(instance_id))
        return read_audit_policy(instance_id, response.body, response.request_id)

    def _apply(self, job):
        instance_id, (live, error) = job
        if error is not None:
            raise error
        after, body = plan_change(live, self.desired)
        record = {'instance_id': instance_id, 'before': policy_state(live), 'after': after, 'changed': body is not None}
        if body is not None and not self.check_mode:
            self._write(instance_id, body, after)
        return record

    def _record(self, instance_id, body, outcome, error=None):
        write = {'instance_id': instance_id, 'body': dict(body), 'outcome': outcome}
        if error is not None:
            write.update(status=error.status, error=str(error))
        with self._lock:
            self._writes.setdefault(instance_id, []).append(write)

    def _write(self, instance_id, body, after):
        """PUT ``body``; after an answer that leaves the outcome open, read the policy again and write again only
        when it did not take effect, at most ``max_retries`` more times."""
        max_retries = self.client.retry_policy.max_retries
        attempt = 0
        while True:
            try:
                response = with_context(RDS_INSTANCES.context(instance_id), self.client.request, 'PUT', 'rds',
                                        self._path(instance_id), None, body, None, True, False)
            except HuaweiCloudError as error:
                if not _worth_reading_again(error):
                    self._record(instance_id, body, 'refused', error)
                    raise
                try:
                    live = self._read(instance_id)
                except HuaweiCloudError:
                    self._record(instance_id, body, 'unknown', error)
                    error.message += ' (whether the policy changed is unknown: reading it again failed too)'
                    raise error
                if took_effect(live, after):
                    self._record(instance_id, body, 'took_effect', error)
                    return
                self._record(instance_id, body, 'not_applied', error)
                if attempt >= max_retries:
                    raise
                self.client.log_retry('PUT %s: %s; the policy did not change; write %d of %d' % (
                    self._path(instance_id), error, attempt + 2, max_retries + 1))
                self._sleep(self.client.retry_policy.delay(attempt))
                attempt += 1
                continue
            status = response.body.get('status')
            self._record(instance_id, body, 'completed' if status in (None, 'COMPLETED') else str(status))
            return
