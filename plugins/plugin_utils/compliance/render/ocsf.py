# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The compliance report (``compliance.evaluate()``, merged and waived) as OCSF Compliance Findings (class 2003), the
form SIEMs and security data lakes ingest (report.ocsf.json, written by the audit_compliance role).

One finding per check and resource, failed and passed alike, targeting OCSF ``OCSF_VERSION`` with the ``cloud``
profile:
- ``status_code`` FAIL (a violation), PASS, ERROR (unknown: the data could not be read) or WAIVED (a violation a valid
  waiver covers); ``compliance.status_id`` Fail (3), Pass (1) or Warning (2, "did not yield a result due to missing
  information") for ERROR; a waived finding is a Fail whose finding ``status_id`` is Suppressed (3), the waiver in
  ``status_detail`` and ``unmapped.waiver``. Checks switched off (DBSS-04 without full audit) and resources a check
  does not apply to give no finding.
- ``finding_info.uid`` is derived from the check, the account, the region, the resource type and ID only, so the same
  finding keeps its uid from one run to the next and tools de-duplicate it.
- ``compliance.standards`` / ``requirements`` are the frameworks and controls the check maps to
  (``compliance_frameworks``), ``remediation.desc`` the check's remediation text.
"""

import hashlib
import json

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.base import as_text
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.checks import RESOURCE_LABELS
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.frameworks import CHECK_CONTROLS, CONTROLS, FRAMEWORKS
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.render.common import collection_version
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_reported_time

OCSF_VERSION = '1.5.0'
PROFILES = ('cloud',)
CLASS_UID = 2003
CATEGORY_UID = 2
ACTIVITY_CREATE = 1
PRODUCT_NAME = 'hwcloud.dbaudit audit_compliance'
VENDOR_NAME = 'hwcloud.dbaudit'
PROVIDER = 'Huawei Cloud'
RESOURCE_TYPES = {'dbss_instance': 'Huawei Cloud DBSS audit instance', 'rds_instance': 'Huawei Cloud RDS instance'}
SEVERITY_IDS = {'low': (2, 'Low'), 'medium': (3, 'Medium'), 'high': (4, 'High'), 'critical': (5, 'Critical')}
# status_code -> (compliance status_id, compliance status, finding status_id, finding status)
STATUSES = {
    'PASS': (1, 'Pass', 1, 'New'),
    'FAIL': (3, 'Fail', 1, 'New'),
    'ERROR': (2, 'Warning', 1, 'New'),
    'WAIVED': (3, 'Fail', 3, 'Suppressed'),
}
_CONTROL_TITLES = dict(((framework, control), title) for framework, controls in CONTROLS.items() for control, title in controls)
_FRAMEWORK_NAMES = dict(FRAMEWORKS)


def finding_uid(check_id, account, region, resource_type, resource_id):
    """Stable across runs: nothing of the run (time, status, message) goes in."""
    key = '\x1f'.join(as_text(part) for part in (check_id, account, region, resource_type, resource_id))
    return 'hwcloud-dbaudit-%s-%s' % (as_text(check_id).lower(), hashlib.sha256(key.encode('utf-8')).hexdigest()[:32])


def _requirements(check_id):
    standards, requirements = [], []
    for framework, controls in sorted(CHECK_CONTROLS.get(check_id, {}).items()):
        name = _FRAMEWORK_NAMES.get(framework, framework)
        standards.append(name)
        requirements.extend('%s %s: %s' % (name, control, _CONTROL_TITLES.get((framework, control), ''))
                            for control in controls)
    return standards, requirements


def _time_ms(report):
    moment = parse_reported_time((report.get('summary') or {}).get('generated_at'))
    return int(moment.timestamp() * 1000) if moment is not None else 0


def _key(item, id_key):
    return (as_text(item.get('account')), as_text(item.get(id_key)))


def _outcomes(report, check, region):
    """``[(status_code, resource, finding)]`` of one check: every finding of the report, then every resource it
    passed on. ``resource`` is ``{id, name, account, region}``."""
    outcomes = []
    touched = set()
    for status, key in (('FAIL', 'violations'), ('ERROR', 'errors'), ('WAIVED', 'waived')):
        for finding in report.get(key) or []:
            if finding.get('check') != check['id']:
                continue
            resource = {'id': finding.get('resource_id'), 'name': finding.get('resource_name'),
                        'account': finding.get('account'), 'region': finding.get('region') or region}
            touched.add(_key(resource, 'id'))
            outcomes.append((status, resource, finding))
    skipped = set(_key(item, 'id') for item in check.get('not_applicable') or [])
    for item in (report.get('resources') or {}).get(check['resource_type']) or []:
        if _key(item, 'id') in touched or _key(item, 'id') in skipped:
            continue
        resource = {'id': item.get('id'), 'name': item.get('name'), 'account': item.get('account'),
                    'region': item.get('region') or region}
        outcomes.append(('PASS', resource, None))
    return outcomes


def _message(status, check, resource, finding):
    what = '%s %s' % (RESOURCE_LABELS.get(check['resource_type'], check['resource_type']), as_text(resource['id']))
    if status == 'PASS':
        return '%s %s: %s passes' % (check['id'], check['title'], what)
    return '%s %s: %s: %s' % (check['id'], check['title'], what, as_text(finding.get('message')))


def ocsf_findings(report, product_version=None):
    """The report's OCSF Compliance Findings, a list (sorted by check, then account, region and resource)."""
    summary = report.get('summary') or {}
    region = as_text(summary.get('region'))
    time_ms = _time_ms(report)
    version = product_version or collection_version()
    switched_off = set() if (summary.get('thresholds') or {}).get('require_full_audit', True) else set(['DBSS-04'])
    findings = []
    for check in report.get('checks') or []:
        if check['id'] in switched_off:
            continue
        standards, requirements = _requirements(check['id'])
        severity_id, severity = SEVERITY_IDS.get(as_text(check.get('severity')).lower(), (0, 'Unknown'))
        seen = {}
        outcomes = _outcomes(report, check, region)
        outcomes.sort(key=lambda outcome: (as_text(outcome[1]['account']), as_text(outcome[1]['region']),
                                           as_text(outcome[1]['id'])))
        for status, resource, finding in outcomes:
            compliance_status_id, compliance_status, status_id, status_name = STATUSES[status]
            uid = finding_uid(check['id'], resource['account'], resource['region'], check['resource_type'], resource['id'])
            # Two findings of one check on one resource (never in practice): the second keeps a distinct, stable uid.
            seen[uid] = seen.get(uid, 0) + 1
            if seen[uid] > 1:
                uid = '%s-%d' % (uid, seen[uid])
            message = _message(status, check, resource, finding)
            detail = as_text(finding.get('message')) if finding else 'passed'
            entry = {
                'activity_id': ACTIVITY_CREATE,
                'activity_name': 'Create',
                'category_name': 'Findings',
                'category_uid': CATEGORY_UID,
                'class_name': 'Compliance Finding',
                'class_uid': CLASS_UID,
                'cloud': {'provider': PROVIDER, 'region': as_text(resource['region'])},
                'compliance': {
                    'control': check['id'],
                    'desc': as_text(check.get('description')),
                    'requirements': requirements,
                    'standards': standards,
                    'status': compliance_status,
                    'status_detail': detail,
                    'status_id': compliance_status_id,
                },
                'finding_info': {
                    'desc': as_text(check.get('description')),
                    'title': '%s %s' % (check['id'], check['title']),
                    'types': ['Compliance'],
                    'uid': uid,
                },
                'message': message,
                'metadata': {
                    'log_name': 'report.ocsf.json',
                    'product': {'name': PRODUCT_NAME, 'vendor_name': VENDOR_NAME, 'version': version},
                    'profiles': list(PROFILES),
                    'version': OCSF_VERSION,
                },
                'remediation': {'desc': as_text(finding.get('remediation') if finding else check.get('remediation'))
                                or as_text(check.get('remediation'))},
                'resources': [{
                    'name': as_text(resource['name']),
                    'region': as_text(resource['region']),
                    'type': RESOURCE_TYPES.get(check['resource_type'], check['resource_type']),
                    'uid': as_text(resource['id']),
                }],
                'severity': severity,
                'severity_id': severity_id,
                'status': status_name,
                'status_code': status,
                'status_detail': detail,
                'status_id': status_id,
                'time': time_ms,
                'type_name': 'Compliance Finding: Create',
                'type_uid': CLASS_UID * 100 + ACTIVITY_CREATE,
            }
            if resource['account']:
                # A report of several targets: the account label of the target (audit_compliance_targets[].name).
                entry['cloud']['account'] = {'name': as_text(resource['account']), 'uid': as_text(resource['account'])}
                entry['resources'][0]['owner'] = {'account': {'name': as_text(resource['account']),
                                                              'uid': as_text(resource['account'])}}
            if status == 'WAIVED':
                waiver = {'reason': as_text(finding.get('waiver_reason')), 'expires': as_text(finding.get('waiver_expires')),
                          'owner': as_text(finding.get('waiver_owner'))}
                entry['status_detail'] = 'waived until %s%s: %s' % (
                    waiver['expires'], ' by %s' % waiver['owner'] if waiver['owner'] else '', waiver['reason'])
                entry['unmapped'] = {'waiver': waiver}
            findings.append(entry)
    return findings


def render_ocsf(report, product_version=None):
    """report.ocsf.json: the findings as one JSON array (``jq -c '.[]'`` turns it into one finding a line)."""
    return json.dumps(ocsf_findings(report, product_version), indent=2, sort_keys=True, ensure_ascii=False) + '\n'
