#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: dbss_scope_info
short_description: List the audit scope policies of DBSS audit instances
version_added: 1.0.0
description:
  - Lists the audit scope policies (which databases, users, addresses and ports are audited) of one or many
    Database Security Service (DBSS) audit instances, every page of them.
  - Many instances are fetched concurrently on a bounded pool (O(concurrency)), so the scopes of a thousand
    instances come back from one task.
author:
  - hwcloud.dbaudit contributors (@hwcloud)
options:
  instance_id:
    description:
      - ID of one audit instance. Exactly one of O(instance_id) and O(instance_ids) is required.
    type: str
  instance_ids:
    description:
      - IDs of several audit instances, for example
        C({{ dbss.instances | map(attribute='id') }}). An empty list returns no scope.
    type: list
    elements: str
  name:
    description:
      - Return only audit scopes with exactly this name.
    type: str
  status:
    description:
      - Return only audit scopes with this status.
    type: str
    choices: ['OFF', 'ON']
extends_documentation_fragment:
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.info_module
  - hwcloud.dbaudit.concurrency
notes:
  - An unknown audit instance fails the task with a message naming it and the service error code
    (C(DBSS.10021004)); the scopes fetched before the failure are still returned in RV(scopes).
'''

EXAMPLES = r'''
- name: Scopes of one audit instance
  hwcloud.dbaudit.dbss_scope_info:
    instance_id: 8c53ed03-8ed7-4ff2-ad97-7b2d6d1dd364
  register: one

- name: Gather every audit instance
  hwcloud.dbaudit.dbss_instance_info:
  register: dbss

- name: Enabled scopes of every audit instance, in one task
  hwcloud.dbaudit.dbss_scope_info:
    instance_ids: "{{ dbss.instances | map(attribute='id') }}"
    status: "ON"
  register: enabled

- name: Instances without any enabled scope
  ansible.builtin.debug:
    msg: "{{ dbss.instances | map(attribute='id') | difference(enabled.scopes | map(attribute='instance_id')) }}"
'''

RETURN = r'''
api_retries:
  description: >-
    One line per retried request, whatever the verbosity. Scrubbed of every credential like every message; each line
    is cut at 500 characters, and after 50 lines one last line counts the retries not listed.
  returned: when a request was retried
  type: list
  elements: str
scopes:
  description: The audit scopes, instance by instance in the order given; an empty list when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    action:
      description: Actions in the audit scope.
      type: str
    all_audit:
      description: Whether the scope audits everything (full audit).
      type: bool
      sample: true
    db_ids:
      description: Database IDs, comma-separated (often empty).
      type: str
    db_names:
      description: Database names, comma-separated (often empty).
      type: str
    db_users:
      description: Database users, comma-separated (often empty).
      type: str
    exception_ips:
      description: Exception IP addresses, comma-separated (often empty).
      type: str
    id:
      description: Audit scope ID.
      type: str
      sample: zX4W2ngBo47GiyUSBuNs
    instance_id:
      description: ID of the audit instance the scope belongs to.
      type: str
    name:
      description: Audit scope name.
      type: str
      sample: Full audit rules
    source_ips:
      description: Source IP addresses, comma-separated (often empty).
      type: str
    source_ports:
      description: Source ports, comma-separated (often empty).
      type: str
    status:
      description: C(ON) or C(OFF).
      type: str
      sample: "ON"
'''

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.base_module import HuaweiCloudModule
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import (
    INSTANCE_SELECTION_KWARGS,
    concurrency_spec,
    instance_selection_spec,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import SWITCH_STATUSES, list_audit_scopes


class DbssScopeInfoModule(HuaweiCloudModule):
    argument_spec = dict(
        instance_selection_spec(),
        name=dict(type='str'),
        status=dict(type='str', choices=list(SWITCH_STATUSES)),
        **concurrency_spec()
    )
    module_kwargs = INSTANCE_SELECTION_KWARGS
    result_key = 'scopes'

    def run(self):
        return {'scopes': list_audit_scopes(self.client, self.selected_instance_ids(), name=self.params['name'],
                                            status=self.params['status'], max_workers=self.concurrency)}


def main():
    DbssScopeInfoModule()()


if __name__ == '__main__':
    main()
