"""Validation of report.ocsf.json against the published OCSF schema, shared by the unit and integration tests.

The schema is OCSF's own export of version 1.5.0 as the PyPI package ocsf-json-schema ships it (a test dependency;
its ``ocsf_json_schema/ocsf/1.5.0.json`` is the document schema.ocsf.io serves at /1.5.0/export/schema), turned into
a JSON Schema (draft 2020-12) for the Compliance Finding class with the ``cloud`` profile by the same package, and
applied with jsonschema. Besides the schema: every finding is class 2003 of OCSF 1.5.0, uids are unique, and the
report has exactly one FAIL finding per violation, one ERROR per unknown result and one WAIVED per waived violation.
"""

import functools
import json
import os

OCSF_VERSION = '1.5.0'
PROFILES = ['cloud']
REPORT = 'report.ocsf.json'


@functools.lru_cache(maxsize=1)
def compliance_finding_validator():
    from jsonschema import Draft202012Validator
    from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

    schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(version=OCSF_VERSION))
    class_schema = schema.get_class_schema(class_name=schema.lookup_class_name_from_uid(class_uid=2003), profiles=PROFILES)
    Draft202012Validator.check_schema(class_schema)
    return Draft202012Validator(class_schema)


def schema_problems(findings):
    """Every schema violation of every finding, as 'finding N: path: message' lines."""
    validator = compliance_finding_validator()
    problems = []
    for index, finding in enumerate(findings):
        for error in validator.iter_errors(finding):
            problems.append('finding %d: %s: %s' % (index, '/'.join(str(part) for part in error.absolute_path), error.message))
    return problems


def check_findings(findings, report):
    """Assert that ``findings`` (report.ocsf.json, parsed) are valid OCSF 1.5.0 Compliance Findings of ``report``."""
    assert isinstance(findings, list), 'report.ocsf.json must be a JSON array'
    problems = schema_problems(findings)
    assert not problems, '\n'.join(problems[:20])
    assert all(item['class_uid'] == 2003 and item['metadata']['version'] == OCSF_VERSION for item in findings)
    uids = [item['finding_info']['uid'] for item in findings]
    assert len(uids) == len(set(uids)), 'finding_info.uid repeats'
    codes = [item['status_code'] for item in findings]
    assert codes.count('FAIL') == len(report.get('violations') or []), (codes.count('FAIL'), len(report['violations']))
    assert codes.count('ERROR') == len(report.get('errors') or [])
    assert codes.count('WAIVED') == len(report.get('waived') or [])
    # The findings of a failed compliance status that are not suppressed are the violations, one for one.
    failing = [item for item in findings if item['compliance']['status_id'] == 3 and item['status_id'] != 3]
    assert len(failing) == len(report.get('violations') or [])
    return findings


def check_report_dir(folder):
    """Validate report.ocsf.json of a report directory against its report.json; returns the findings."""
    with open(os.path.join(folder, 'report.json'), encoding='utf-8') as handle:
        report = json.load(handle)
    with open(os.path.join(folder, REPORT), encoding='utf-8') as handle:
        findings = json.load(handle)
    return check_findings(findings, report)


def _is_role_report(path):
    try:
        with open(path, encoding='utf-8') as handle:
            report = json.load(handle)
    except (OSError, ValueError):
        return False
    return isinstance(report, dict) and all(key in report for key in ('summary', 'violations', 'checks'))


def check_every_report_under(*roots):
    """Every report directory under ``roots`` (a report.json written by the role): report.ocsf.json beside it, valid
    and consistent with it. Returns how many were checked."""
    checked = set()
    for root in roots:
        if not root or not os.path.isdir(str(root)):
            continue
        for folder, _dirs, files in os.walk(str(root)):
            real = os.path.realpath(folder)
            if real in checked or 'report.json' not in files or os.path.islink(os.path.join(folder, 'report.json')) \
                    or not _is_role_report(os.path.join(folder, 'report.json')):
                continue
            assert REPORT in files, '%s: report.json without %s' % (folder, REPORT)
            check_report_dir(folder)
            checked.add(real)
    return len(checked)
