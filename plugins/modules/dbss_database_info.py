#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: dbss_database_info
short_description: List the databases under audit of DBSS audit instances
version_added: 1.0.0
description:
  - Lists the databases added to one or many Database Security Service (DBSS) audit instances, with their audit
    switch (C(status) C(ON) or C(OFF)), every page of them, many instances concurrently.
author:
  - hwcloud.dbaudit contributors (@hwcloud)
options:
  instance_id:
    description:
      - ID of one audit instance. Exactly one of O(instance_id) and O(instance_ids) is required.
    type: str
  instance_ids:
    description:
      - IDs of several audit instances. An empty list returns no database.
    type: list
    elements: str
  status:
    description:
      - Return only databases whose audit is switched on (V(ON)) or off (V(OFF)).
    type: str
    choices: ['OFF', 'ON']
extends_documentation_fragment:
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.info_module
  - hwcloud.dbaudit.concurrency
notes:
  - An unknown audit instance fails the task with a message naming it and the service error code
    (C(DBSS.10021004)); the databases fetched before the failure are still returned in RV(databases).
'''

EXAMPLES = r'''
- name: Databases of one audit instance
  hwcloud.dbaudit.dbss_database_info:
    instance_id: 8c53ed03-8ed7-4ff2-ad97-7b2d6d1dd364
  register: audited

- name: Databases whose audit is switched on, for every audit instance
  hwcloud.dbaudit.dbss_database_info:
    instance_ids: "{{ dbss.instances | map(attribute='id') }}"
    status: "ON"
  register: audited_on
'''

RETURN = r'''
api_retries:
  description: >-
    One line per retried request, whatever the verbosity. Scrubbed of every credential like every message; each line
    is cut at 500 characters, and after 50 lines one last line counts the retries not listed.
  returned: when a request was retried
  type: list
  elements: str
databases:
  description:
    - The databases, instance by instance in the order given; each is the API's C(database) object, flattened,
      with every field it has (snake_case) plus RV(databases[].instance_id). An empty list when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    audit_status:
      description: Audit state reported by the agent.
      type: str
    charset:
      description: Character set.
      type: str
    db_classification:
      description: C(RDS) for an RDS instance, C(ECS) for a self-built database (when the service reports it).
      type: str
    id:
      description: Database ID.
      type: str
    instance_id:
      description: ID of the audit instance the database is added to.
      type: str
    instance_name:
      description: Name of the database instance.
      type: str
    ip:
      description: Database address.
      type: str
    name:
      description: Database name.
      type: str
    port:
      description: Database port.
      type: str
    rds_audit_switch_mismatch:
      description:
        - True when DBSS audit is on but the RDS side does not upload its logs, so nothing is really recorded
          (when the service reports it).
      type: bool
    rds_id:
      description: ID of the RDS instance the database is, for an RDS database (when the service reports it).
      type: str
    status:
      description: Whether audit is switched on for the database, C(ON) or C(OFF).
      type: str
      sample: "ON"
    type:
      description: Database type, for example C(MYSQL).
      type: str
    version:
      description: Database version.
      type: str
'''

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.base_module import HuaweiCloudModule
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import (
    INSTANCE_SELECTION_KWARGS,
    concurrency_spec,
    instance_selection_spec,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import SWITCH_STATUSES, list_audit_databases


class DbssDatabaseInfoModule(HuaweiCloudModule):
    argument_spec = dict(
        instance_selection_spec(),
        status=dict(type='str', choices=list(SWITCH_STATUSES)),
        **concurrency_spec()
    )
    module_kwargs = INSTANCE_SELECTION_KWARGS
    result_key = 'databases'

    def run(self):
        return {'databases': list_audit_databases(self.client, self.selected_instance_ids(),
                                                  status=self.params['status'], max_workers=self.concurrency)}


def main():
    DbssDatabaseInfoModule()()


if __name__ == '__main__':
    main()
