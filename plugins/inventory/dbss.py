# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
name: dbss
short_description: Database Security Service (DBSS) audit instances as inventory hosts
version_added: 1.0.0
description:
  - One host per DBSS audit instance of one or several regions, with every instance field as a host variable,
    grouped by status, availability zone, VPC and region.
  - Regions are listed side by side; within a region the pages after the first are fetched side by side too.
  - The configuration file name must end with C(dbss.yml) or C(dbss.yaml); a YAML file that names this plugin without
    that suffix is not read, with a warning that says so.
  - Every option is checked, and every region's connection settings are built, before the first request. An option
    this plugin does not know (a typo such as C(filter)) is an error that lists the allowed options.
author:
  - hwcloud.dbaudit contributors (@hwcloud)
options:
  accounts:
    description:
      - List several accounts in one source. Each entry is an account to list, in every region of its own
        C(regions) or else of O(regions) (or O(region)); every account x region is listed side by side on the same
        bounded pool (O(concurrency)).
      - "Keys: C(name) (required) a label of 1 to 64 ASCII letters, digits, C(_) and C(-), starting with a letter
        or digit (C(prod-eu)), unique in the list (labels that differ only in case or in C(-) and C(_) count as the
        same), the rule of the C(name) of the role's C(audit_compliance_targets); C(agency_name),
        C(agency_domain_name) or C(agency_domain_id), and C(agency_duration): the IAM agency to assume in another
        account, with the same meaning and checks as the common options of the same names; C(regions): this
        account's regions. Any other key is an error."
      - An entry without C(agency_name) is the caller's own account (the credentials of this source). Each account
        may appear once; the agency of an account is assumed once per inventory run and shared by its regions.
      - Each host gets C(<prefix>account) (the label) and, with O(default_groups), is in the group
        C(account_<name>), each C(-) of the label becoming C(_) (C(account_prod_eu)); O(compose), O(groups) and O(keyed_groups) can use C(<prefix>account).
      - With O(accounts), the top-level agency options and O(project_id) are errors (each account has its own
        projects, looked up with IAM).
    type: list
    elements: dict
    default: []
    version_added: 1.1.0
  default_groups:
    description:
      - Add the groups C(dbss) (every host), C(status_<status>), C(zone_<zone>), C(vpc_<vpc_id>) and
        C(region_<region>), with names sanitised like every Ansible group name (C(zone_cn_north_4a)); with
        O(accounts), also C(account_<name>).
    type: bool
    default: true
  fail_on_errors:
    description:
      - When a region (with O(accounts), an account x region) cannot be listed (HTTP 403, unreachable endpoint,
        unknown project, an agency that cannot be assumed), fail the inventory with a message that names the account,
        the region and the error code.
      - When V(false), skip that account x region with a warning and keep the others.
    type: bool
    default: true
  filters:
    description:
      - Keep only the audit instances that match every given filter, before any host is added.
      - Keys V(status), V(zone) and V(vpc_id) take lists of strings; V(name) takes a regular expression, matched
        anywhere in the name (Python C(re.search)). Any other key is an error.
      - V(status) values must be among V(ACTIVE), V(BUILD), V(DELETED), V(DELETING), V(ERROR), V(FROZEN), V(HAWAIT),
        V(SHUTOFF) and V(UPGRADING); any other value is an error.
    type: dict
    default: {}
  hostnames:
    description:
      - Where the host name comes from, in order of preference, each one of V(name), V(id) and V(connect_ip).
      - The first value that passes the host name rule, that no other audit instance shares, that is not a host
        yet (also of another inventory source) and that is no group name is used; otherwise the instance's ID under
        the same rule; an instance whose ID fails too is skipped with a warning that names it. No host is ever
        overwritten.
      - "Host name rule for values from the cloud: 1 to 128 ASCII letters, digits, C(.), C(_) and C(-), starting and
        ending with a letter or digit; not C(localhost) or one of its variants (C(localhost.localdomain),
        C(localhost4), C(localhost6), C(ip6-localhost), C(ip6-loopback), C(*.localhost), any case), not C(all) or
        C(ungrouped); an IP address (in any form a resolver reads, such as C(127.1) or C(2130706433)) only when it
        is the instance's own C(connect_ip) written as a dotted quad and not a loopback, unspecified, link-local,
        multicast or broadcast address."
      - A name refused for the rule or for a group collision is a warning; a shared name only shows at C(-vvv).
    type: list
    elements: str
    default: [name, id]
  hostvars_prefix:
    description:
      - Prefix of every host variable taken from an instance (V(dbss_) gives C(dbss_status), C(dbss_zone),
        C(dbss_vpc_id), C(dbss_id), ...). Bare names such as C(name) would collide with reserved variables.
      - C(<prefix>region) and C(<prefix>project_id) are added (and C(<prefix>account) with O(accounts)), and
        C(ansible_host) is the instance's C(connect_ip).
    type: str
    default: dbss_
  plugin:
    description: The name of this plugin; it makes the file a C(hwcloud.dbaudit.dbss) inventory source.
    type: str
    required: true
    choices: [hwcloud.dbaudit.dbss]
  regions:
    description:
      - Regions to list, side by side. Defaults to the one O(region). Each must be a non-empty region name without
        surrounding spaces; a region given twice is listed once.
      - Without O(project_id) (which is only allowed with a single region) each region's project is looked up with IAM.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.common.plugin_env
  - hwcloud.dbaudit.concurrency
notes:
  - The cache stores the listed instances, their account label, region and project ID, never a credential (neither the
    source's nor an agency's temporary one); a cache hit sends no request and assumes no agency.
  - "The cache entry is keyed on every option except the secrets and the cache settings (O(accounts) included), on the
    account x region pairs,
    on each pair's resolved endpoints (environment variables included) and on who asks: the access key ID, or
    O(user_name) and O(domain_name). Never on a secret: a changed secret key alone reads the same entry. With
    O(auth_token) the token is not part of the key; O(project_id), O(user_name) and O(domain_name) are, so tokens of
    the same project and user share an entry (use C(--flush-cache) after switching tokens between users)."
  - A cache entry that cannot be read or does not have the expected shape is a miss, with a warning, and is replaced.
    A run that skipped a failed region (O(fail_on_errors=false)) does not update the cache.
  - A failed region fails this inventory source. With Ansible's default settings a failed source is only a warning;
    set C(ANSIBLE_INVENTORY_UNPARSED_FAILED=true) (as AWX and Automation Platform inventory updates do) to make it
    fatal.
'''

EXAMPLES = r'''
---
# prod.dbss.yml: every audit instance of two regions, credentials from HW_ACCESS_KEY / HW_SECRET_KEY
plugin: hwcloud.dbaudit.dbss
regions:
  - cn-north-4
  - cn-east-3

---
# running.dbss.yml: running instances of one VPC, named by their connection address, cached for an hour
plugin: hwcloud.dbaudit.dbss
region: cn-north-4
hostnames: [connect_ip, id]
filters:
  status: [ACTIVE]
  vpc_id: [76d98391-5abc-46ed-b8a8-f664202cb166]
  name: "^prod-"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/hwcloud-dbaudit
cache_timeout: 3600

---
# accounts.dbss.yml: the own account and two others through IAM agencies, side by side; staging in one region only
plugin: hwcloud.dbaudit.dbss
regions: [cn-north-4, cn-east-3]
accounts:
  - name: security
  - name: production
    agency_name: dbaudit_auditor
    agency_domain_name: acme-production
  - name: staging
    agency_name: dbaudit_auditor
    agency_domain_id: 0123456789abcdef0123456789abcdef
    regions: [cn-north-4]
keyed_groups:
  - key: dbss_account ~ '_' ~ dbss_status
    prefix: audit

---
# constructed.dbss.yml: extra groups and variables from the host variables
plugin: hwcloud.dbaudit.dbss
region: cn-north-4
compose:
  audit_version: dbss_version
groups:
  needs_upgrade: dbss_new_version is not none
keyed_groups:
  - key: dbss_charge_model
    prefix: billing
'''

from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import INSTANCE_STATUSES, list_audit_instances
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.inventory.base import CacheUnusable, HuaweiCloudInventoryBase
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.inventory.accounts import account_group_names, account_variables
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.inventory.hosts import (
    InventoryOptionError,
    assign_hostnames,
    check_hostnames,
    check_prefix,
    compile_filters,
    default_group_names,
    host_variables,
)


class InventoryModule(HuaweiCloudInventoryBase):
    NAME = 'hwcloud.dbaudit.dbss'
    CONFIG_SUFFIXES = ('dbss.yml', 'dbss.yaml')

    def check_options(self):
        try:
            return {
                'keep': compile_filters(self.get_option('filters'), INSTANCE_STATUSES),
                'preferences': check_hostnames(self.get_option('hostnames')),
                'prefix': check_prefix(self.get_option('hostvars_prefix')),
            }
        except InventoryOptionError as error:
            raise AnsibleError('%s: %s' % (self.NAME, error))

    def fetch_region(self, client, region, concurrency):
        return {'instances': list_audit_instances(client, max_workers=concurrency)}

    def check_cached_region(self, data):
        instances = data.get('instances')
        if not isinstance(instances, list) or not all(isinstance(item, dict) for item in instances):
            raise CacheUnusable('region %s: instances is not a list of objects' % data['region'])

    def populate(self, targets_data, settings):
        keep, prefix = settings['keep'], settings['prefix']
        located = [(instance, dict(host_variables(instance, data['region'], data['project_id'], prefix),
                                   **account_variables(prefix, data.get('account'))), data)
                   for data in targets_data for instance in data['instances'] if keep(instance)]
        default_groups = self.get_option('default_groups')
        strict = self.get_option('strict')
        groups = {}  # raw name -> sanitised name; thousands of hosts share a handful of groups
        if default_groups:
            for instance, _variables, data in located:
                for group in self._default_groups(instance, data):
                    if group not in groups:
                        groups[group] = self._sanitize_group_name(group)
        # A host named like a group is read by Ansible as that group (a recursive loop, or hosts moved into the
        # wrong group): every group that exists or that this source may create is a name no host can take.
        group_names = set(self.inventory.groups) | set(groups.values()) | self._constructed_group_names(
            [variables for _instance, variables, _region in located])
        assigned = assign_hostnames([instance for instance, _variables, _region in located], settings['preferences'],
                                    taken=self.inventory.hosts, groups=group_names)
        for (hostname, instance, note, warn), (_instance, variables, data) in zip(assigned, located):
            if note:
                (self.display.warning if warn else self.display.vvv)('%s: %s' % (self.NAME, note))
            if hostname is None:
                continue
            self.inventory.add_host(hostname)
            for name, value in variables.items():
                self.inventory.set_variable(hostname, name, value)
            if default_groups:
                for group in self._default_groups(instance, data):
                    self.inventory.add_group(groups[group])
                    self.inventory.add_child(groups[group], hostname)
            self._set_composite_vars(self.get_option('compose'), variables, hostname, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), variables, hostname, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, hostname, strict=strict)

    @staticmethod
    def _default_groups(instance, data):
        return default_group_names(instance, data['region']) + account_group_names(data.get('account'))

    def _constructed_group_names(self, variables_list):
        """Names of the groups ``groups`` and ``keyed_groups`` may create. Keyed group names depend on the host
        variables, so they are worked out on a scratch inventory with the same constructed code."""
        names = set(self._sanitize_group_name(name) for name in (self.get_option('groups') or {}))
        keyed = self.get_option('keyed_groups')
        if not keyed:
            return names
        inventory = self.inventory
        scratch = InventoryData()
        self.inventory = scratch
        try:
            for number, variables in enumerate(variables_list):
                placeholder = ' scratch host %d' % number  # a name no real host can have
                scratch.add_host(placeholder)
                for name, value in variables.items():
                    scratch.set_variable(placeholder, name, value)
                self._set_composite_vars(self.get_option('compose'), variables, placeholder, strict=False)
                self._add_host_to_keyed_groups(keyed, variables, placeholder, strict=False)
        finally:
            self.inventory = inventory
        return names | (set(scratch.groups) - {'all', 'ungrouped'})
