# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the audit_compliance role: evaluate gathered facts and render the report.

The logic lives in plugins/plugin_utils/compliance/evaluate.py; these filters only adapt it to Jinja (documentation in the
adjacent audit_compliance_*.yml files).
"""

import datetime

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native
from ansible.utils.display import Display

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import base as compliance_base
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import role_variables as compliance_role_variables
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import evaluate as compliance
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import findings_csv as compliance_render_csv
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import html_page as compliance_render_html
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import junit as compliance_render_junit
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import markdown_page as compliance_render_markdown
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import trend as compliance_render_trend
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import targets as compliance_targets
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import trend as compliance_trend
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance import waivers as compliance_waivers
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_reported_time
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import as_int_or_none


def _require_report(report, name):
    if not isinstance(report, dict) or not all(key in report for key in ('summary', 'violations', 'checks')):
        raise AnsibleFilterError('%s expects the dict made by hwcloud.dbaudit.audit_compliance_report' % name)
    return report


def audit_compliance_report(facts, expiry_warning_days=None, min_retention_days=None, log_freshness_hours=None,
                            require_full_audit=None, fail_on=None, alarm_ack_hours=None, region=None, log_window_start=None,
                            generated_at=None, evidence_dir=None, profile=None, waivers=None, account=None):
    """The compliance report (summary, violations, checks, resources) for the gathered facts; with ``waivers`` (a
    list, even empty) also ``waived`` and ``warnings``."""
    if not isinstance(facts, dict):
        raise AnsibleFilterError('audit_compliance_report expects a dict of gathered facts, got %s' % type(facts).__name__)
    if account is not None and not isinstance(account, str):
        raise AnsibleFilterError('audit_compliance_report: account must be a string, got %s' % type(account).__name__)
    if generated_at:
        now = parse_reported_time(generated_at)
        if now is None:
            raise AnsibleFilterError('audit_compliance_report: generated_at %r is not a valid time' % (generated_at,))
    else:
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    problems = compliance_waivers.waiver_problems(waivers)
    if problems:
        raise AnsibleFilterError('audit_compliance_report: waivers: %s' % '; '.join(problems))
    try:
        report = compliance.evaluate(facts, now, region=region or None, log_window_start=log_window_start or None,
                                     evidence_dir=evidence_dir, expiry_warning_days=expiry_warning_days, min_retention_days=min_retention_days,
                                     log_freshness_hours=log_freshness_hours, require_full_audit=require_full_audit,
                                     alarm_ack_hours=alarm_ack_hours, fail_on=fail_on, profile=profile)
    except compliance_base.ComplianceInputError as error:
        raise AnsibleFilterError('audit_compliance_report: %s' % to_native(error))
    # Named by the caller (the role: from its connection), for the reports' header; none when it cannot say.
    report['summary']['account'] = (account.strip() or None) if account else None
    if waivers is None:
        return report
    return compliance_waivers.apply_waivers(report, waivers)


def audit_compliance_check_vars(values):
    """Problems with the audit_compliance role's variables: a list of one-line messages, empty when all are fine."""
    if not isinstance(values, dict):
        raise AnsibleFilterError('audit_compliance_check_vars expects a dict of role variables, got %s' % type(values).__name__)
    # audit_compliance_waivers is checked by compliance_waivers (its own file), audit_compliance_targets by
    # compliance_targets, the others by compliance.
    own = (compliance_waivers.VARIABLE, compliance_targets.VARIABLE)
    others = dict((name, value) for name, value in values.items() if name not in own)
    problems = compliance_role_variables.role_variable_problems(others)
    if compliance_waivers.VARIABLE in values:
        problems += compliance_waivers.waiver_problems(values[compliance_waivers.VARIABLE])
    if compliance_targets.VARIABLE in values:
        problems += compliance_targets.target_problems(values[compliance_targets.VARIABLE], values)
    return problems


def audit_compliance_trend(report, previous=None, history=None, history_limit=compliance_trend.HISTORY_LIMIT):
    """{report, history}: the report with its trend against the previous report.json, and history.json with this run."""
    _require_report(report, 'audit_compliance_trend')
    limit = as_int_or_none(history_limit)
    if limit is None or limit < 1 or limit > 10000:
        raise AnsibleFilterError('audit_compliance_trend: history_limit must be an integer from 1 to 10000, got %r' % (history_limit,))
    return compliance_trend.compare(report, previous, history, limit)


def audit_compliance_warn(messages):
    """Show each message as an Ansible warning ([WARNING] in the play's output); returns them."""
    if not isinstance(messages, (list, tuple)):
        raise AnsibleFilterError('audit_compliance_warn expects a list of messages, got %s' % type(messages).__name__)
    display = Display()
    for message in messages:
        display.warning(to_native(message))
    return list(messages)


def _history(history, name):
    if history is not None and (not isinstance(history, list) or not all(isinstance(item, dict) for item in history)):
        raise AnsibleFilterError('%s: history must be the list made by hwcloud.dbaudit.audit_compliance_trend' % name)
    return history


def audit_compliance_markdown(report, history=None):
    """The report as Markdown (with the history of past runs when given)."""
    _require_report(report, 'audit_compliance_markdown')
    return compliance_render_markdown.render_markdown(report, compliance_render_trend.markdown_sections(
        report, _history(history, 'audit_compliance_markdown')))


def audit_compliance_html(report, history=None):
    """The report as one self-contained HTML page (with a chart of the history of past runs when given)."""
    _require_report(report, 'audit_compliance_html')
    return compliance_render_html.render_html(report, compliance_render_trend.html_sections(
        report, _history(history, 'audit_compliance_html')))


def audit_compliance_junit(report):
    """The report as JUnit XML."""
    return compliance_render_junit.render_junit(_require_report(report, 'audit_compliance_junit'))


def audit_compliance_csv(report):
    """The report's findings as CSV, one row per violation or unknown result."""
    return compliance_render_csv.render_csv(_require_report(report, 'audit_compliance_csv'))


class FilterModule(object):
    """Audit compliance filters."""

    def filters(self):
        return {
            'audit_compliance_check_vars': audit_compliance_check_vars,
            'audit_compliance_report': audit_compliance_report,
            'audit_compliance_markdown': audit_compliance_markdown,
            'audit_compliance_html': audit_compliance_html,
            'audit_compliance_junit': audit_compliance_junit,
            'audit_compliance_csv': audit_compliance_csv,
            'audit_compliance_trend': audit_compliance_trend,
            'audit_compliance_warn': audit_compliance_warn,
        }
