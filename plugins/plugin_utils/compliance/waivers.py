# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Waivers: accepted violations, each for one check on one resource until a date.

Pure functions, no I/O. ``waiver_problems()`` checks the role variable ``audit_compliance_waivers`` before any
request; ``apply_waivers()`` moves the violations a valid waiver covers from the report's ``violations`` to its
``waived`` list and recounts the summary, the checks and the frameworks section.

The rules:

- A waiver is valid through the day its ``expires`` names (UTC): on the report's day (the UTC date of
  ``summary.generated_at``) it still applies, the day after it has expired. An expired waiver no longer applies: the
  finding is a violation again, and the report warns.
- A waiver covers a violation (a ``FAIL`` finding) only. An unknown result (an ``ERROR`` finding) is never waived
  into a pass: the waiver does not apply, and the report warns.
- A waiver that matches no finding of the run is warned about (the resource is fixed, out of scope, or misspelt).
- A waived finding is not a violation: it does not count toward ``fail_on``, ``summary.violations`` or a check's
  ``failed``; it is counted in ``summary.waived`` and the check's ``waived``, and a control whose worst check has only
  waived findings has the status ``WAIVED``.
"""

import datetime
import re

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.base import as_text
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.checks import CHECKS_BY_ID, SEVERITIES, at_or_above
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.evaluate import verdict_message
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.export_section import SUMMARY_ERROR_CHARS, evidence_message
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.frameworks import worst
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import clip

VARIABLE = 'audit_compliance_waivers'
REQUIRED_KEYS = ('check', 'resource_id', 'reason', 'expires')
OPTIONAL_KEYS = ('owner',)
WAIVER_KEYS = REQUIRED_KEYS + OPTIONAL_KEYS
_DATE = re.compile(r'^\d{4}-\d{2}-\d{2}$')
# The longest reason and owner kept (one line each in every report).
TEXT_CHARS = 1000


def parse_date(value):
    """A ``YYYY-MM-DD`` string (or a date, as YAML reads an unquoted one) as a date; None when it is not a real date
    in that format."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        return None
    try:
        return datetime.datetime.strptime(value, '%Y-%m-%d').date()
    except ValueError:
        return None


def _text_problem(where, value, what):
    if not isinstance(value, str) or not value.strip():
        return '%s must be a non-empty string (%s), got %s' % (where, what, clip(repr(value), 60))
    return None


def waiver_problems(value, check_ids=None):
    """One line per problem with ``audit_compliance_waivers`` (a list of dicts), naming ``[index].field`` and what it
    accepts; an empty list when it is fine. ``check_ids`` are the known checks (default: every check)."""
    known = tuple(check_ids if check_ids is not None else CHECKS_BY_ID)
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        return ['%s must be a list of waivers, each a dict with %s (owner optional), got %s'
                % (VARIABLE, ', '.join(WAIVER_KEYS), clip(repr(value), 60))]
    problems = []
    seen = {}
    for index, waiver in enumerate(value):
        where = '%s[%d]' % (VARIABLE, index)
        if not isinstance(waiver, dict):
            problems.append('%s must be a dict with %s (owner optional), got %s'
                            % (where, ', '.join(WAIVER_KEYS), clip(repr(waiver), 60)))
            continue
        unknown = sorted(as_text(key) for key in waiver if key not in WAIVER_KEYS)
        if unknown:
            problems.append('%s has unknown keys %s; allowed: %s' % (where, ', '.join(unknown), ', '.join(WAIVER_KEYS)))
        missing = [key for key in REQUIRED_KEYS if key not in waiver]
        if missing:
            problems.append('%s misses %s; a waiver needs %s (owner optional)'
                            % (where, ', '.join(missing), ', '.join(REQUIRED_KEYS)))
        check = waiver.get('check')
        if 'check' in waiver and check not in known:
            problems.append('%s.check must be one of %s, got %s' % (where, ', '.join(known), clip(repr(check), 60)))
        for key, what in (('resource_id', 'the ID of the resource the finding names'), ('reason', 'why it is accepted')):
            if key in waiver:
                problem = _text_problem('%s.%s' % (where, key), waiver[key], what)
                if problem:
                    problems.append(problem)
        if 'expires' in waiver and parse_date(waiver['expires']) is None:
            problems.append("%s.expires must be a real date written YYYY-MM-DD (quoted, e.g. '2026-12-31'), got %s"
                            % (where, clip(repr(waiver['expires']), 60)))
        if 'owner' in waiver and waiver['owner'] is not None and not isinstance(waiver['owner'], str):
            problems.append('%s.owner must be a string (who accepted the risk), got %s' % (where, clip(repr(waiver['owner']), 60)))
        key = (check, waiver.get('resource_id'))
        if isinstance(check, str) and isinstance(key[1], str):
            if key in seen:
                problems.append('%s waives %s on %s again (already %s[%d]); keep one waiver per check and resource'
                                % (where, check, clip(key[1], 60), VARIABLE, seen[key]))
            else:
                seen[key] = index
    return problems


def report_day(report):
    """The UTC date of the report (``summary.generated_at``, ``YYYY-MM-DDTHH:MM:SSZ``)."""
    return datetime.datetime.strptime(report['summary']['generated_at'], '%Y-%m-%dT%H:%M:%SZ').date()


def is_expired(expires, today):
    """Whether a waiver expiring on ``expires`` (a date) no longer applies on ``today``: valid through that day."""
    return expires < today


def _label(index, waiver):
    return '%s[%d] (%s on %s)' % (VARIABLE, index, waiver['check'], clip(as_text(waiver['resource_id']), 100))


def apply_waivers(report, waivers, today=None):
    """The report with the violations valid ``waivers`` cover moved to ``waived``, and a ``warnings`` list (expired
    waivers, waivers on unknown results, waivers that match nothing). ``today`` defaults to the report's UTC date.
    The waivers must have passed ``waiver_problems()``; the input report is not changed."""
    today = today or report_day(report)
    report = dict(report)
    violations = list(report['violations'])
    warnings = list(report.get('warnings') or [])
    waived = list(report.get('waived') or [])
    errors = set((item['check'], item['resource_id']) for item in report.get('errors') or [])
    for index, waiver in enumerate(waivers or []):
        key = (waiver['check'], waiver['resource_id'])
        position = next((number for number, item in enumerate(violations) if (item['check'], item['resource_id']) == key), None)
        expires = parse_date(waiver['expires'])
        if is_expired(expires, today):
            warnings.append('%s expired on %s and no longer applies%s' % (
                _label(index, waiver), expires.isoformat(),
                ': the finding is a violation again' if position is not None else ' (it matches no violation either)'))
            continue
        if position is None:
            if key in errors:
                warnings.append('%s did not apply: the result is unknown (ERROR), and an unknown result is never waived'
                                % _label(index, waiver))
            else:
                warnings.append('%s matches no violation of this run; remove it if the finding is fixed or the '
                                'resource is gone' % _label(index, waiver))
            continue
        finding = violations.pop(position)
        waived.append(dict(finding, state='WAIVED', waiver_reason=clip(waiver['reason'], TEXT_CHARS),
                           waiver_expires=expires.isoformat(), waiver_owner=clip(as_text(waiver.get('owner')), TEXT_CHARS)))
    report['violations'] = violations
    report['waived'] = waived
    report['warnings'] = warnings
    return recount(report)


def recount(report):
    """The summary, the checks' counts and the frameworks section of ``report`` after findings moved to ``waived``."""
    summary = dict(report['summary'])
    violations = report['violations']
    waived_by_check = {}
    for item in report.get('waived') or []:
        waived_by_check[item['check']] = waived_by_check.get(item['check'], 0) + 1
    by_check = dict((check, 0) for check in summary['by_check'])
    by_severity = dict((severity, 0) for severity in SEVERITIES)
    for item in violations:
        by_check[item['check']] = by_check.get(item['check'], 0) + 1
        by_severity[item['severity']] += 1
    checks = []
    for check in report['checks']:
        count = waived_by_check.get(check['id'], 0)
        checks.append(dict(check, failed=by_check.get(check['id'], 0), waived=count))
    fail_on = summary['fail_on']
    failing = sum(count for severity, count in by_severity.items() if at_or_above(severity, fail_on))
    summary.update(violations=len(violations), by_severity=by_severity, by_check=by_check, failing_violations=failing,
                   waived=len(report.get('waived') or []), warnings=len(report.get('warnings') or []),
                   failed=failing > 0 or (bool(summary.get('errors')) and fail_on != 'never'))
    summary['result'] = 'ERROR' if summary.get('errors') else ('FAIL' if failing else ('WARN' if violations else 'PASS'))
    message = verdict_message(summary)
    if summary['waived']:
        message += '; %d waived findings not counted (see waived)' % summary['waived']
    if report.get('evidence') is not None:
        message += '; ' + evidence_message(report['evidence'], SUMMARY_ERROR_CHARS)
    summary['message'] = message
    report = dict(report, summary=summary, checks=checks)
    if report.get('frameworks'):
        report['frameworks'] = _waived_frameworks(report['frameworks'], checks)
    return report


def _waived_frameworks(section, checks):
    """The frameworks section with each check that failed only on waived findings as WAIVED, and the controls' and
    frameworks' statuses (the worst of theirs) again. Every other status stays as the evaluation set it."""
    waived = set(check['id'] for check in checks if check.get('waived') and not check.get('failed') and not check.get('errors'))
    result = {}
    for framework, entry in section.items():
        controls = {}
        for control, item in entry['controls'].items():
            mapped = [dict(check, status='WAIVED') if check['id'] in waived and check['status'] == 'FAIL' else check
                      for check in item['checks']]
            controls[control] = dict(item, checks=mapped, status=worst([check['status'] for check in mapped]))
        result[framework] = dict(entry, controls=controls, status=worst([item['status'] for item in controls.values()]))
    return result
