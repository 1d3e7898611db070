# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the audit_compliance role's targets (several accounts and regions in one run): the connection of one
target, and the one report merged from the targets' reports.

The logic lives in plugins/plugin_utils/compliance/targets.py; these filters only adapt it to Jinja (documentation in
the adjacent audit_compliance_target*.yml files).
"""

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import targets as compliance_targets
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import waivers as compliance_waivers


def audit_compliance_target_connection(connection, target):
    """The module options of one target: the connection with the target's region and agency."""
    if not isinstance(connection, dict):
        raise AnsibleFilterError('audit_compliance_target_connection expects the dict audit_compliance_connection, got %s'
                                 % type(connection).__name__)
    problems = compliance_targets.target_problems([target])
    if problems:
        raise AnsibleFilterError('audit_compliance_target_connection: %s' % '; '.join(problems))
    return compliance_targets.target_connection(connection, target)


def audit_compliance_merge_targets(reports, targets, waivers=None):
    """ONE report from the evaluated reports of the targets (same order), waivers applied after the merge."""
    if not isinstance(reports, list) or not all(isinstance(report, dict) and 'summary' in report and 'checks' in report
                                                for report in reports):
        raise AnsibleFilterError('audit_compliance_merge_targets expects the list of reports made by '
                                 'hwcloud.dbaudit.audit_compliance_report, one per target')
    problems = compliance_targets.target_problems(targets) or compliance_waivers.waiver_problems(waivers)
    if problems:
        raise AnsibleFilterError('audit_compliance_merge_targets: %s' % '; '.join(problems))
    try:
        return compliance_targets.merge(reports, targets, waivers)
    except ValueError as error:
        raise AnsibleFilterError('audit_compliance_merge_targets: %s' % to_native(error))


class FilterModule(object):
    """Audit compliance target filters."""

    def filters(self):
        return {
            'audit_compliance_target_connection': audit_compliance_target_connection,
            'audit_compliance_merge_targets': audit_compliance_merge_targets,
        }
