# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A compliance report (the dict ``evaluate.evaluate()`` returns) as JUnit XML, for CI systems: one testsuite per
check, one testcase per check and resource. Text cleaned by ``common.clean`` of the characters XML cannot carry."""

import xml.etree.ElementTree as ET

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render import targets as compliance_render_targets
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render.common import (
    clean, errors_by_check, stand_ins, violations_by_check)


def render_junit(report):
    """JUnit XML: one testsuite per check, one testcase per check and resource; a violation is a failure."""
    summary = report['summary']
    grouped = violations_by_check(report)
    unknown = errors_by_check(report)
    waived = violations_by_check(report, 'waived')
    resources = report.get('resources') or {}
    evidence = report.get('evidence')
    total = sum(check['checked'] + len(check.get('not_applicable') or []) for check in report['checks']) + (1 if evidence else 0)
    failures = summary['violations'] + (1 if evidence and evidence['failed'] else 0)
    root = ET.Element('testsuites', {'name': 'hwcloud.dbaudit audit compliance', 'tests': str(total),
                                     'failures': str(failures), 'errors': str(summary.get('errors', 0))})
    for check in report['checks']:
        # By account (a report of several targets; None otherwise) and resource ID.
        hits = dict(((violation.get('account'), violation['resource_id']), violation) for violation in grouped.get(check['id'], []))
        errors = dict(((error.get('account'), error['resource_id']), error) for error in unknown.get(check['id'], []))
        skipped = dict(((item.get('account'), item['id']), item) for item in check.get('not_applicable') or [])
        waivers = dict(((item.get('account'), item['resource_id']), item) for item in waived.get(check['id'], []))
        suite = ET.SubElement(root, 'testsuite', {
            'name': clean('%s %s' % (check['id'], check['title'])), 'tests': str(check['checked'] + len(skipped)),
            'failures': str(check['failed']), 'errors': str(check.get('errors', 0)), 'skipped': str(len(skipped) + len(waivers)),
            'timestamp': clean(summary['generated_at'].rstrip('Z')), 'hostname': clean(summary['region'] or 'unknown')})
        properties = ET.SubElement(suite, 'properties')
        for name, value in (('check', check['id']), ('severity', check['severity']),
                            ('resource_type', check['resource_type'])):
            ET.SubElement(properties, 'property', {'name': name, 'value': clean(value)})
        for item in resources.get(check['resource_type'], []) + stand_ins(report, check, resources):
            case = ET.SubElement(suite, 'testcase', {
                'classname': clean('audit_compliance.%s' % check['id']),
                'name': clean('%s %s (%s)%s' % (check['resource_type'], item['id'], item['name'],
                                                compliance_render_targets.where(item))), 'time': '0'})
            key = (item.get('account'), item['id'])
            violation = hits.get(key)
            if violation is not None:
                failure = ET.SubElement(case, 'failure', {'message': clean(violation['message']),
                                                          'type': clean(check['severity'])})
                failure.text = clean('%s: %s\nRemediation: %s' % (check['id'], violation['message'], check['remediation']))
            if key in skipped:
                ET.SubElement(case, 'skipped', {'message': clean('not applicable: %s' % (
                    check.get('not_applicable_reason') or 'the instance is not ACTIVE (see DBSS-01)'))})
            if key in waivers:
                entry = waivers[key]
                ET.SubElement(case, 'skipped', {'message': clean('waived until %s%s: %s (finding: %s)' % (
                    entry['waiver_expires'], ' by %s' % entry['waiver_owner'] if entry['waiver_owner'] else '',
                    entry['waiver_reason'], entry['message']))})
            error = errors.get(key)
            if error is not None:
                element = ET.SubElement(case, 'error', {'message': clean(error['message']), 'type': 'ERROR'})
                element.text = clean('%s: %s\n%s' % (check['id'], error['message'], error['remediation']))
    if evidence:
        _junit_evidence(root, evidence, summary)
    return u'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding='unicode') + u'\n'


def _junit_evidence(root, evidence, summary):
    """One more suite with one testcase, the export: a failure when it failed (not a check: no severity)."""
    suite = ET.SubElement(root, 'testsuite', {
        'name': 'Evidence export', 'tests': '1', 'failures': '1' if evidence['failed'] else '0', 'errors': '0',
        'skipped': '0', 'timestamp': clean(summary['generated_at'].rstrip('Z')),
        'hostname': clean(summary['region'] or 'unknown')})
    properties = ET.SubElement(suite, 'properties')
    for name, value in (('check', 'EVIDENCE'), ('module', evidence['module']), ('manifest', evidence['manifest'] or '')):
        ET.SubElement(properties, 'property', {'name': name, 'value': clean(value)})
    case = ET.SubElement(suite, 'testcase', {'classname': 'audit_compliance.EVIDENCE',
                                             'name': clean('evidence %s' % (evidence['manifest'] or evidence['dir'])),
                                             'time': '0'})
    if evidence['failed']:
        failure = ET.SubElement(case, 'failure', {'message': clean(evidence['message']), 'type': 'ERROR'})
        failure.text = clean('\n'.join([evidence['message']] + [
            'missing: %s/%s (id %s): %s' % (item['instance_id'], item['name'], item['id'], item['reason'])
            for item in evidence['missing']]))
    else:
        output = ET.SubElement(case, 'system-out')
        output.text = clean(evidence['message'])
