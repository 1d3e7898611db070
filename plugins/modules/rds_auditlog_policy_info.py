#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: rds_auditlog_policy_info
short_description: Read the audit log policy of RDS for MySQL and PostgreSQL instances
version_added: 1.0.0
description:
  - Reads whether audit logging is on, and for how many days files are kept, for one or many RDS for MySQL or
    RDS for PostgreSQL instances, concurrently. Other engines (SQL Server) have no such policy and the service
    answers C(DBS.200040).
author:
  - hwcloud.dbaudit contributors (@hwcloud)
options:
  instance_id:
    description:
      - ID of one RDS for MySQL or PostgreSQL instance. Exactly one of O(instance_id) and O(instance_ids) is required.
    type: str
  instance_ids:
    description:
      - IDs of several RDS for MySQL or PostgreSQL instances. An empty list returns no policy.
    type: list
    elements: str
extends_documentation_fragment:
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.info_module
  - hwcloud.dbaudit.concurrency
notes:
  - An unknown instance fails the task with a message naming it and the service error code (C(DBS.200002)).
'''

EXAMPLES = r'''
- name: Audit log policy of every MySQL instance
  hwcloud.dbaudit.rds_auditlog_policy_info:
    instance_ids: "{{ mysql.instances | map(attribute='id') }}"
  register: policies

- name: Instances keeping audit logs for less than 180 days
  ansible.builtin.debug:
    msg: "{{ policies.policies | selectattr('keep_days', 'lt', 180) | map(attribute='instance_id') }}"
'''

RETURN = r'''
api_retries:
  description: >-
    One line per retried request, whatever the verbosity. Scrubbed of every credential like every message; each line
    is cut at 500 characters, and after 50 lines one last line counts the retries not listed.
  returned: when a request was retried
  type: list
  elements: str
policies:
  description: One policy per instance, in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    all_audit_log_action:
      description:
        - Every action the instance can audit, each once, in the order the service lists them. The service sends
          them as JSON text of categories; this is the flat list (empty for RDS for PostgreSQL).
        - These are the values O(hwcloud.dbaudit.rds_auditlog_policy#module:audit_types) allows for this instance.
      type: list
      elements: str
      sample: [CREATE_USER, DROP_USER, GRANT, CREATE, ALTER, INSERT, DELETE, SELECT, BEGIN/COMMIT/ROLLBACK, CHANGE_DB]
    audit_log_action_categories:
      description:
        - The same actions by category, as the service groups them (C(DCL), C(DDL), C(DML), C(OTHER) on RDS for
          MySQL). Empty when the service lists no categories (RDS for PostgreSQL, or a service that sends a plain
          list).
      type: dict
      sample: {"DCL": [CREATE_USER, DROP_USER, GRANT, REVOKE], "DDL": [CREATE, ALTER, DROP], "DML": [INSERT, SELECT],
               "OTHER": [BEGIN/COMMIT/ROLLBACK, CHANGE_DB]}
    audit_types:
      description: The audited action types.
      type: list
      elements: str
    enabled:
      description: Whether audit logging is on (RV(policies[].keep_days) greater than 0).
      type: bool
    instance_id:
      description: ID of the RDS instance.
      type: str
    keep_days:
      description: Days audit log files are kept; 0 means audit logging is off.
      type: int
      sample: 180
'''

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.base_module import HuaweiCloudModule
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import (
    INSTANCE_SELECTION_KWARGS,
    concurrency_spec,
    instance_selection_spec,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import get_audit_policies


class RdsAuditlogPolicyInfoModule(HuaweiCloudModule):
    argument_spec = dict(instance_selection_spec(), **concurrency_spec())
    module_kwargs = INSTANCE_SELECTION_KWARGS
    result_key = 'policies'

    def run(self):
        return {'policies': get_audit_policies(self.client, self.selected_instance_ids(), max_workers=self.concurrency)}


def main():
    RdsAuditlogPolicyInfoModule()()


if __name__ == '__main__':
    main()
