#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: rds_instance_info
short_description: List RDS DB instances
version_added: 1.0.0
description:
  - Lists the RDS DB instances of a Huawei Cloud project, every page of them (100 per request, the API's
    maximum; the pages after the first are fetched concurrently).
  - By default only RDS for MySQL instances, the engine that has audit logs; O(datastore_type=all) lists every
    engine.
author:
  - hwcloud.dbaudit contributors (@hwcloud)
options:
  datastore_type:
    description:
      - Return only instances of this database engine; V(all) returns the instances of every engine.
      - V(all) added in version 1.1.0.
    type: str
    choices: [MariaDB, MySQL, PostgreSQL, SQLServer, all]
    default: MySQL
  instance_id:
    description:
      - Return only the instance with this ID (an empty list when there is none).
    type: str
  name:
    description:
      - Return only instances with exactly this name.
    type: str
  vpc_id:
    description:
      - Return only instances in this VPC.
    type: str
extends_documentation_fragment:
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.info_module
  - hwcloud.dbaudit.concurrency
'''

EXAMPLES = r'''
- name: Every RDS for MySQL instance of the region
  hwcloud.dbaudit.rds_instance_info:
  register: mysql

- name: PostgreSQL instances of one VPC
  hwcloud.dbaudit.rds_instance_info:
    datastore_type: PostgreSQL
    vpc_id: 76d98391-5abc-46ed-b8a8-f664202cb166
  register: postgres

- name: Every RDS instance of the region, whatever its engine
  hwcloud.dbaudit.rds_instance_info:
    datastore_type: all
  register: every_engine
'''

RETURN = r'''
api_retries:
  description: >-
    One line per retried request, whatever the verbosity. Scrubbed of every credential like every message; each line
    is cut at 500 characters, and after 50 lines one last line counts the retries not listed.
  returned: when a request was retried
  type: list
  elements: str
instances:
  description:
    - The RDS instances, with every field the API returns (snake_case, nested objects kept); an empty list when
      none matches.
  returned: always
  type: list
  elements: dict
  contains:
    datastore:
      description: Engine, with C(type) (for example C(MySQL)) and C(version).
      type: dict
    id:
      description: Instance ID.
      type: str
    name:
      description: Instance name.
      type: str
    private_ips:
      description: Private addresses.
      type: list
      elements: str
    region:
      description: Region.
      type: str
    status:
      description: Instance status, for example C(ACTIVE).
      type: str
    type:
      description: C(Single), C(Ha) or C(Replica).
      type: str
    vpc_id:
      description: VPC ID.
      type: str
'''

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.base_module import HuaweiCloudModule
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import concurrency_spec
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import ALL_ENGINES, DATASTORE_TYPES, list_rds_instances


class RdsInstanceInfoModule(HuaweiCloudModule):
    argument_spec = dict(
        datastore_type=dict(type='str', choices=list(DATASTORE_TYPES) + [ALL_ENGINES], default='MySQL'),
        instance_id=dict(type='str'),
        name=dict(type='str'),
        vpc_id=dict(type='str'),
        **concurrency_spec()
    )
    module_kwargs = dict(supports_check_mode=True)
    result_key = 'instances'

    def run(self):
        return {'instances': list_rds_instances(self.client, instance_id=self.optional_id('instance_id'),
                                                name=self.optional_id('name'),
                                                datastore_type=None if self.params['datastore_type'] == ALL_ENGINES
                                                else self.params['datastore_type'],
                                                vpc_id=self.params['vpc_id'], max_workers=self.concurrency)}


def main():
    RdsInstanceInfoModule()()


if __name__ == '__main__':
    main()
