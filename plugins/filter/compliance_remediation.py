# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the audit_compliance role's remediation: which RDS instances to fix, and the report's remediation
section.

The logic lives in plugins/plugin_utils/compliance/remediation.py; these filters only adapt it to Jinja
(documentation in the adjacent audit_compliance_remediation*.yml files).
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import base as compliance_base
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import remediation as compliance_remediation


def audit_compliance_remediation_plan(facts, min_retention_days=None, profile=None):
    """The RDS instances whose RDS-01/RDS-02 violations remediation fixes, and the retention it sets."""
    if not isinstance(facts, dict):
        raise AnsibleFilterError('audit_compliance_remediation_plan expects a dict of gathered facts, got %s'
                                 % type(facts).__name__)
    try:
        return compliance_remediation.plan(facts, min_retention_days=min_retention_days, profile=profile or None)
    except compliance_base.ComplianceInputError as error:
        raise AnsibleFilterError('audit_compliance_remediation_plan: %s' % to_native(error))


def audit_compliance_remediation(report, remediation_plan=None, result=None, requested=False, check_mode=False):
    """The report with its remediation section."""
    if not isinstance(report, dict) or not all(key in report for key in ('summary', 'violations', 'checks')):
        raise AnsibleFilterError('audit_compliance_remediation expects the dict made by hwcloud.dbaudit.audit_compliance_report')
    try:
        section = compliance_remediation.section(report, remediation_plan, result,
                                                 requested=compliance_base.as_bool('requested', requested),
                                                 check_mode=compliance_base.as_bool('check_mode', check_mode))
    except compliance_base.ComplianceInputError as error:
        raise AnsibleFilterError('audit_compliance_remediation: %s' % to_native(error))
    return compliance_remediation.apply(report, section)


class FilterModule(object):
    """Audit compliance remediation filters."""

    def filters(self):
        return {
            'audit_compliance_remediation_plan': audit_compliance_remediation_plan,
            'audit_compliance_remediation': audit_compliance_remediation,
        }
