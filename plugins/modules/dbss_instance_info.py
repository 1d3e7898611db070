#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: dbss_instance_info
short_description: List Database Security Service (DBSS) audit instances
version_added: 1.0.0
description:
  - Lists the database audit instances of a Huawei Cloud project, every page of them, optionally narrowed to one
    instance, an exact name or a set of statuses.
  - Accepts both shapes the service answers with (C(servers) with C(id), or C(instances) with C(instance_id) and
    C(connectIpv6)) and returns one normalised shape.
author:
  - hwcloud.dbaudit contributors (@hwcloud)
options:
  instance_id:
    description:
      - Return only the audit instance with this ID (an empty list when there is none).
    type: str
  name:
    description:
      - Return only audit instances with exactly this name.
    type: str
  status:
    description:
      - Return only audit instances in one of these statuses.
    type: list
    elements: str
    choices: [ACTIVE, BUILD, DELETED, DELETING, ERROR, FROZEN, HAWAIT, SHUTOFF, UPGRADING]
extends_documentation_fragment:
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.info_module
'''

EXAMPLES = r'''
- name: List every audit instance of the region (credentials from HW_* environment variables)
  hwcloud.dbaudit.dbss_instance_info:
  register: dbss

- name: Audit instances that are not running
  hwcloud.dbaudit.dbss_instance_info:
    region: cn-north-4
    status: [SHUTOFF, ERROR, FROZEN]
  register: stopped

- name: Set the credentials once for several tasks (they also apply to the other hwcloud.dbaudit modules)
  module_defaults:
    group/hwcloud.dbaudit.huaweicloud:
      region: cn-north-4
      access_key: "{{ lookup('ansible.builtin.env', 'HW_ACCESS_KEY') }}"
      secret_key: "{{ lookup('ansible.builtin.env', 'HW_SECRET_KEY') }}"
  block:
    - name: Look up one instance by ID
      hwcloud.dbaudit.dbss_instance_info:
        instance_id: 8c53ed03-8ed7-4ff2-ad97-7b2d6d1dd364
      register: one

    - name: Look up instances by exact name
      hwcloud.dbaudit.dbss_instance_info:
        name: DBSS-Test
      register: by_name

- name: Against the local simulator (make simulator)
  hwcloud.dbaudit.dbss_instance_info:
    region: cn-north-4
    access_key: HWSIMULATORACCESSKEY
    secret_key: hwsimulator-secret-key
    endpoints:
      dbss: http://127.0.0.1:8080
      iam: http://127.0.0.1:8080
'''

RETURN = r'''
api_retries:
  description: >-
    One line per retried request (throttling, 5xx, connection errors), whatever the verbosity. Scrubbed of every
    credential like every message; each line is cut at 500 characters, and after 50 lines one last line counts the
    retries not listed.
  returned: when a request was retried
  type: list
  elements: str
instances:
  description: The audit instances, in the order the service lists them; an empty list when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    charge_model:
      description: Billing mode, C(Period) (yearly/monthly) or C(Demand) (on demand).
      type: str
      sample: Period
    comment:
      description: Remarks.
      type: str
    config_num:
      description: Number of configured databases.
      type: int
    connect_ip:
      description: Connection address.
      type: str
      sample: 192.168.0.229
    connect_ipv6:
      description: IPv6 connection address (always present, null when the instance has none).
      type: str
    cpu:
      description: Number of CPUs.
      type: int
    created:
      description: Creation time.
      type: str
      sample: "2021-04-21 04:37:54"
    database_limit:
      description: Number of databases the instance supports.
      type: int
    effect:
      description: Frozen state, 1 (frozen, can be released), 2 (frozen, cannot be released), 3 (frozen, unrenewable).
      type: int
    expired:
      description: Expiration time of a yearly/monthly instance.
      type: str
    id:
      description: Instance ID (C(instance_id) in the newer response shape).
      type: str
      sample: 8c53ed03-8ed7-4ff2-ad97-7b2d6d1dd364
    keep_days:
      description: Remaining period in days, as a string.
      type: str
    name:
      description: Instance name.
      type: str
      sample: DBSS-Test
    new_version:
      description: The version to upgrade to; null when no upgrade is available.
      type: str
    port_id:
      description: ID of the port the EIP is bound to.
      type: str
    ram:
      description: Memory.
      type: int
    region:
      description: Region of the instance.
      type: str
    remain_days:
      description: Days to expiry, as a string.
      type: str
    resource_id:
      description: Resource ID.
      type: str
    resource_spec_code:
      description: Instance specification code.
      type: str
      sample: dbss.bypassaudit.low
    scene:
      description: Scene.
      type: str
    security_group_id:
      description: Security group ID.
      type: str
    specification:
      description: Instance specification.
      type: str
    status:
      description: Instance status.
      type: str
      sample: ACTIVE
    subnet_id:
      description: Subnet ID.
      type: str
    task:
      description: Task status, for example C(NO_TASK) or C(powering-on).
      type: str
    version:
      description: Current instance version.
      type: str
    vpc_id:
      description: VPC ID.
      type: str
    zone:
      description: Availability zone.
      type: str
      sample: cn-north-4a
'''

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.base_module import HuaweiCloudModule
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import INSTANCE_STATUSES, list_audit_instances


class DbssInstanceInfoModule(HuaweiCloudModule):
    argument_spec = dict(
        instance_id=dict(type='str'),
        name=dict(type='str'),
        status=dict(type='list', elements='str', choices=list(INSTANCE_STATUSES)),
    )
    module_kwargs = dict(supports_check_mode=True)
    result_key = 'instances'

    def run(self):
        return {'instances': list_audit_instances(self.client, instance_id=self.optional_id('instance_id'),
                                                  name=self.optional_id('name'), statuses=self.params['status'])}


def main():
    DbssInstanceInfoModule()()


if __name__ == '__main__':
    main()
