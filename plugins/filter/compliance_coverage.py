# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter of the audit_compliance role: which RDS instances to ask for an audit log policy or audit log files.

The logic lives in plugins/plugin_utils/compliance/coverage.py (documentation in the adjacent
audit_compliance_rds_ids.yml).
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import coverage as compliance_coverage


def audit_compliance_rds_ids(instances, capability):
    """IDs of the RDS instances whose engine has ``capability`` (policy, audit_log or any)."""
    if not isinstance(instances, list):
        raise AnsibleFilterError('audit_compliance_rds_ids expects the list of RDS instances, got %s' % type(instances).__name__)
    if capability not in compliance_coverage.CAPABILITIES:
        raise AnsibleFilterError('audit_compliance_rds_ids: capability must be one of %s, got %r'
                                 % (', '.join(compliance_coverage.CAPABILITIES), capability))
    return compliance_coverage.select_ids(instances, capability)


class FilterModule(object):
    """Audit compliance coverage filters."""

    def filters(self):
        return {'audit_compliance_rds_ids': audit_compliance_rds_ids}
