# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filter of the audit_compliance role: the report as OCSF Compliance Findings (report.ocsf.json).

The logic lives in plugins/plugin_utils/compliance/render/ocsf.py; this filter only adapts it to Jinja (documentation in the
adjacent audit_compliance_ocsf.yml).
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render.ocsf import render_ocsf


def audit_compliance_ocsf(report, product_version=None):
    """The report's findings as an OCSF JSON array, one Compliance Finding (class 2003) per check and resource."""
    if not isinstance(report, dict) or not all(key in report for key in ('summary', 'violations', 'checks')):
        raise AnsibleFilterError('audit_compliance_ocsf expects the dict made by hwcloud.dbaudit.audit_compliance_report')
    if product_version is not None and not isinstance(product_version, str):
        raise AnsibleFilterError('audit_compliance_ocsf: product_version must be a string, got %s'
                                 % type(product_version).__name__)
    return render_ocsf(report, product_version or None)


class FilterModule(object):
    """Audit compliance OCSF filter."""

    def filters(self):
        return {
            'audit_compliance_ocsf': audit_compliance_ocsf,
        }
