#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: rds_auditlog_policy
short_description: Turn the SQL audit log of RDS instances on or off, and set how long it is kept
version_added: 1.1.0
description:
  - Sets the SQL audit log policy of one or many RDS for MySQL instances, concurrently
    (C(PUT /v3/{project_id}/instances/{instance_id}/auditlog-policy)).
  - Reads the current policy first, as M(hwcloud.dbaudit.rds_auditlog_policy_info) does, and writes only to the
    instances whose policy differs; a second run with the same arguments writes nothing and reports C(changed=false).
  - The write is not idempotent on the wire and is never repeated blindly. When it fails with HTTP 5xx or 429, or
    its answer is lost (timeout, reset connection), the policy is read again; the write is repeated only when it did
    not take effect, at most O(max_retries) more times. Every write sent is listed in RV(writes).
author:
  - hwcloud.dbaudit contributors (@hwcloud)
options:
  audit_types:
    description:
      - The SQL operation types to audit (RDS for MySQL only), with O(state=present). An empty list audits every
        type. Not given, the instance's current audit types are kept.
      - "Allowed values: the actions each instance offers, listed by M(hwcloud.dbaudit.rds_auditlog_policy_info) as
        RV(hwcloud.dbaudit.rds_auditlog_policy_info#module:policies[].all_audit_log_action) (RDS for MySQL documents
        for example V(CREATE_USER), V(GRANT), V(CREATE), V(DROP), V(INSERT), V(UPDATE), V(DELETE), V(SELECT),
        V(BEGIN/COMMIT/ROLLBACK), V(CHANGE_DB)). A value that is not an upper-case action name is refused before any
        request."
      - The policy of every instance is read first; a type one of them does not offer fails the task, naming the
        instance and the types it offers, before anything is written to any instance. An instance that offers no
        action (RDS for PostgreSQL) takes no audit type.
      - Compared as a set (order and repeats do not matter).
    type: list
    elements: str
  instance_id:
    description:
      - ID of one RDS instance. Exactly one of O(instance_id) and O(instance_ids) is required.
    type: str
  instance_ids:
    description:
      - IDs of several RDS instances. An empty list changes nothing.
    type: list
    elements: str
  keep_days:
    description:
      - Days audit log files are kept, from 1 to 732. Required with O(state=present), not allowed with
        O(state=absent).
    type: int
  keep_days_mode:
    description:
      - How O(keep_days) is applied, with O(state=present).
      - V(exact) sets the retention to O(keep_days), also when the instance keeps its audit logs longer (RDS then
        deletes the older files).
      - V(at_least) never lowers a retention; O(keep_days) is a minimum. An instance whose audit log is on and kept
        for O(keep_days) days or longer, when this module reads it just before writing, is left as it is (no write,
        C(changed=false)); one kept shorter, or with the audit log off, gets O(keep_days). When only O(audit_types)
        differ, the longer retention is sent again unchanged. This is what remediation uses (the
        C(hwcloud.dbaudit.audit_compliance) role), so that a retention somebody raised since the policies were
        gathered is never lowered.
      - The API has no conditional write; a change made in the moment between this module's read and its write
        cannot be seen.
    type: str
    choices: [exact, at_least]
    default: exact
  reserve_auditlogs:
    description:
      - With O(state=absent), whether the audit log files already written are kept for a while (V(true)) or deleted
        at once (V(false)). Ignored with O(state=present).
    type: bool
    default: true
  state:
    description:
      - V(present) turns the audit log on (or keeps it on) with O(keep_days) and O(audit_types).
      - V(absent) turns it off (C(keep_days) 0).
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.concurrency
attributes:
  check_mode:
    support: full
    description: Reads the policies and reports what would change (RV(policies), RV(diff)); writes nothing.
  diff_mode:
    support: full
    description: Shows C(keep_days), C(audit_types) and C(enabled) before and after, for every instance that changes.
notes:
  - Bad values (O(keep_days) out of range, an unknown audit type, O(keep_days) with O(state=absent), no O(keep_days)
    with O(state=present)) fail before any request, with a message naming the option and what it allows.
  - A failed instance does not stop the others. The message names every failed instance; RV(policies) lists the
    instances that were done and RV(writes) every write sent, also on failure.
  - The C(databases) field of the API (RDS for PostgreSQL databases where C(pg_audit) is installed automatically) is
    not supported; the policy is read and set as the API serves it for RDS for MySQL.
  - When only O(keep_days) changes, the current audit types are sent again with it, so that the filter is kept.
seealso:
  - module: hwcloud.dbaudit.rds_auditlog_policy_info
'''

EXAMPLES = r'''
- name: Keep the SQL audit log of every MySQL instance for 180 days
  hwcloud.dbaudit.rds_auditlog_policy:
    instance_ids: "{{ mysql.instances | map(attribute='id') }}"
    keep_days: 180

- name: Audit only data changes and privilege grants on one instance, for a year
  hwcloud.dbaudit.rds_auditlog_policy:
    instance_id: 7a1bd9e4a12a4d4f9a4f1f4bbd0f8a2din01
    keep_days: 365
    audit_types: [INSERT, UPDATE, DELETE, GRANT, REVOKE]

- name: Make sure every instance keeps its audit log at least 180 days (a longer retention is never lowered)
  hwcloud.dbaudit.rds_auditlog_policy:
    instance_ids: "{{ mysql.instances | map(attribute='id') }}"
    keep_days: 180
    keep_days_mode: at_least

- name: What would change (reads only), with the before and after of each instance
  hwcloud.dbaudit.rds_auditlog_policy:
    instance_ids: "{{ mysql.instances | map(attribute='id') }}"
    keep_days: 180
  check_mode: true
  diff: true
  register: plan

- name: Turn the audit log off and delete the files written so far
  hwcloud.dbaudit.rds_auditlog_policy:
    instance_id: 7a1bd9e4a12a4d4f9a4f1f4bbd0f8a2din01
    state: absent
    reserve_auditlogs: false
'''

RETURN = r'''
api_retries:
  description: >-
    One line per retried request or repeated write, whatever the verbosity. Scrubbed of every credential like every
    message; each line is cut at 500 characters, and after 50 lines one last line counts the retries not listed.
  returned: when a request was retried
  type: list
  elements: str
diff:
  description: One before/after entry for every instance that changes (or would change, in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    after:
      description: The policy after, as text.
      type: str
    after_header:
      description: Names the instance.
      type: str
    before:
      description: The policy before, as text.
      type: str
    before_header:
      description: Names the instance.
      type: str
policies:
  description: One entry per instance done, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    after:
      description: The policy after this run (in check mode, the policy a real run would set).
      type: dict
      contains:
        audit_types:
          description: The audited operation types, sorted; empty means every type.
          type: list
          elements: str
        enabled:
          description: Whether the audit log is on.
          type: bool
        keep_days:
          description: Days audit log files are kept; 0 means the audit log is off.
          type: int
    before:
      description: The policy read before any change, same keys as RV(policies[].after).
      type: dict
    changed:
      description: Whether the instance's policy was changed (would be, in check mode).
      type: bool
    instance_id:
      description: ID of the RDS instance.
      type: str
  sample: [{"instance_id": "7a1bd9e4a12a4d4f9a4f1f4bbd0f8a2din01", "changed": true,
            "before": {"keep_days": 0, "audit_types": [], "enabled": false},
            "after": {"keep_days": 180, "audit_types": [], "enabled": true}}]
writes:
  description: Every write sent (none in check mode), in instance order.
  returned: always
  type: list
  elements: dict
  contains:
    body:
      description: The request body sent.
      type: dict
    error:
      description: The error the write got.
      type: str
      returned: when the write did not get a success answer
    instance_id:
      description: ID of the RDS instance.
      type: str
    outcome:
      description:
        - V(completed) the API confirmed it; V(took_effect) its answer was an error or lost but the policy read
          again shows it; V(not_applied) it failed and the policy did not change (repeated while retries are left);
          V(refused) the API refused it (HTTP 4xx); V(unknown) it failed and the policy could not be read again.
      type: str
    status:
      description: HTTP status of the failed write; null when its answer was lost.
      type: int
      returned: when the write did not get a success answer
  sample: [{"instance_id": "7a1bd9e4a12a4d4f9a4f1f4bbd0f8a2din01", "body": {"keep_days": 180, "audit_types": []},
            "outcome": "completed"}]
'''

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.base_module import HuaweiCloudModule
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import (
    INSTANCE_SELECTION_KWARGS,
    concurrency_spec,
    instance_selection_spec,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds_audit_policy import AuditPolicyUpdate, desired_policy


class RdsAuditlogPolicyModule(HuaweiCloudModule):
    argument_spec = dict(
        instance_selection_spec(),
        audit_types=dict(type='list', elements='str'),
        keep_days=dict(type='int'),
        keep_days_mode=dict(type='str', choices=['exact', 'at_least'], default='exact'),
        reserve_auditlogs=dict(type='bool', default=True),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        **concurrency_spec()
    )
    module_kwargs = INSTANCE_SELECTION_KWARGS
    result_key = 'policies'

    def run(self):
        desired = desired_policy(self.params['state'], self.params['keep_days'], self.params['audit_types'],
                                 self.params['reserve_auditlogs'], self.params['keep_days_mode'])
        update = AuditPolicyUpdate(self.client, self.selected_instance_ids(), desired, max_workers=self.concurrency,
                                   check_mode=self.ansible.check_mode)
        return update.run()


def main():
    RdsAuditlogPolicyModule()()


if __name__ == '__main__':
    main()
