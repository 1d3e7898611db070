# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Trend and history: what changed since the previous report, and the counts of past runs.

Pure functions, no I/O: the role reads the previous ``report.json`` and ``history.json`` of the report directory
(``slurp``) and hands their registered results to ``compare()``, which returns the report with a ``trend`` key and the
new history. The previous files are hostile input: a file that cannot be read, is not JSON or is not a report of this
role is a warning (in the report's ``warnings``) and no trend, never a failure.

The trend compares violations, keyed by ``(check, resource_id)``:

- ``new``: a violation now, not in the previous report;
- ``resolved``: a violation in the previous report, neither a violation, waived nor unknown now (fixed, or the
  resource is no longer in scope);
- ``persisting``: a violation in both;
- ``waived``: a violation in the previous report, waived now (an accepted risk, not a fix);
- ``unknown``: a violation in the previous report whose result is unknown now (an ``ERROR`` finding): never counted
  as resolved.

A finding waived in the previous report is not a previous violation: when its waiver expires, it shows as ``new``.
"""

import base64
import binascii
import json
import math

from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.base import as_text
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.compliance.checks import SEVERITIES
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import clip
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import as_int_or_none

# The most entries history.json keeps (the oldest are dropped), and the largest previous file read.
HISTORY_LIMIT = 100
MAX_FILE_BYTES = 64 * 1024 * 1024
TREND_KEYS = ('new', 'resolved', 'persisting', 'waived', 'unknown')
# The counts of a history entry, besides generated_at and result.
HISTORY_COUNTS = ('violations', 'failing_violations', 'waived', 'errors')
RESULTS = ('PASS', 'WARN', 'FAIL', 'ERROR')
KEY_CHARS = 200
# The largest count a history entry may hold: far beyond any real run, small enough to draw and to compute with. An
# entry with a larger (or infinite, or unreadable) count is dropped with a warning.
MAX_COUNT = 10 ** 9


def _read(registered, name):
    """(text, warning) of a registered ``slurp`` result: (None, None) when there was no file to read."""
    if registered is None or not isinstance(registered, dict) or registered.get('skipped'):
        return None, None
    if 'content' not in registered:
        if registered.get('failed') or registered.get('msg'):
            return None, 'the previous %s could not be read (%s)' % (name, clip(as_text(registered.get('msg')) or 'failed', 300))
        return None, None
    try:
        raw = base64.b64decode(as_text(registered['content']), validate=True)
    except (binascii.Error, ValueError):
        return None, 'the previous %s could not be read (not base64 content)' % name
    if len(raw) > MAX_FILE_BYTES:
        return None, 'the previous %s is larger than %d bytes and was not read' % (name, MAX_FILE_BYTES)
    try:
        return raw.decode('utf-8'), None
    except UnicodeDecodeError:
        return None, 'the previous %s is not UTF-8 text' % name


def _load(text, name):
    try:
        return json.loads(text), None
    except ValueError as error:
        return None, 'the previous %s is not valid JSON (%s)' % (name, clip(as_text(error), 200))


def _keys(items):
    """{(check, resource_id)} of a list of findings; None when it is not a list of findings."""
    if not isinstance(items, list):
        return None
    keys = set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get('check'), str) or not isinstance(item.get('resource_id'), str):
            return None
        keys.add((clip(item['check'], KEY_CHARS), clip(item['resource_id'], KEY_CHARS)))
    return keys


def previous_report(registered, name='report.json'):
    """(summary generated_at, violation keys, warning) of the previous report; (None, None, warning or None) when
    there is none, or it is not usable."""
    text, warning = _read(registered, name)
    if text is None:
        return None, None, warning
    data, warning = _load(text, name)
    if warning:
        return None, None, warning + '; no trend this run'
    summary = data.get('summary') if isinstance(data, dict) else None
    violations = _keys(data.get('violations')) if isinstance(data, dict) else None
    if not isinstance(summary, dict) or not isinstance(summary.get('generated_at'), str) or violations is None:
        return None, None, 'the previous %s is not a report of the audit_compliance role; no trend this run' % name
    return clip(summary['generated_at'], 40), violations, None


def _listed(keys):
    return [{'check': check, 'resource_id': resource_id} for check, resource_id in sorted(keys)]


def trend_section(report, previous_generated_at, previous_violations):
    """The report's ``trend`` against the previous report's violation keys."""
    now = _keys(report['violations'])
    waived = _keys(report.get('waived') or [])
    unknown = _keys(report.get('errors') or [])
    gone = previous_violations - now
    section = {'previous_generated_at': previous_generated_at,
               'new': _listed(now - previous_violations),
               'resolved': _listed(gone - waived - unknown),
               'persisting': _listed(now & previous_violations),
               'waived': _listed(gone & waived),
               'unknown': _listed(gone & unknown - waived)}
    section['counts'] = dict((key, len(section[key])) for key in TREND_KEYS)
    return section


def history_entry(summary):
    """The summary counts one run leaves in history.json."""
    entry = {'generated_at': summary['generated_at'], 'result': summary['result']}
    for key in HISTORY_COUNTS:
        entry[key] = summary.get(key) or 0
    entry['by_severity'] = dict((severity, summary['by_severity'].get(severity, 0)) for severity in SEVERITIES)
    return entry


def _count(value):
    """A count of a previous history entry: an int from 0 to ``MAX_COUNT``, None when missing, negative, too large
    or not a number."""
    number = as_int_or_none(value)
    return number if number is not None and 0 <= number <= MAX_COUNT else None


def _history_entry_or_none(item):
    """A previous history entry re-read as hostile input: only its known keys, of the right types; None when unusable
    (no ``generated_at``, no usable ``violations``, or any count beyond ``MAX_COUNT``)."""
    if not isinstance(item, dict) or not isinstance(item.get('generated_at'), str):
        return None
    entry = {'generated_at': clip(item['generated_at'], 40),
             'result': item.get('result') if item.get('result') in RESULTS else 'unknown'}
    for key in HISTORY_COUNTS:
        number = _count(item.get(key))
        if number is None and (key == 'violations' or _out_of_range(item.get(key))):
            return None
        entry[key] = number or 0
    severities = item.get('by_severity') if isinstance(item.get('by_severity'), dict) else {}
    if any(_out_of_range(severities.get(severity)) for severity in SEVERITIES):
        return None
    entry['by_severity'] = dict((severity, _count(severities.get(severity)) or 0) for severity in SEVERITIES)
    return entry


def _out_of_range(value):
    """A number too large to be a count (``1e400``, 401 digits): the entry holding it is dropped."""
    if isinstance(value, float) and math.isnan(value):
        return True
    number = as_int_or_none(value)
    if number is None:
        return isinstance(value, (int, float, str)) and not isinstance(value, bool) and _looks_numeric(value)
    return number > MAX_COUNT


def _looks_numeric(value):
    try:
        float(value)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def usable_history(items):
    """``(entries, dropped)``: the usable entries of a history (each re-read by ``_history_entry_or_none``) and how
    many were dropped; ``items`` that is not a list gives ``(None, 0)``."""
    if not isinstance(items, list):
        return None, 0
    entries = [_history_entry_or_none(item) for item in items]
    usable = [entry for entry in entries if entry is not None]
    return usable, len(entries) - len(usable)


def previous_history(registered, name='history.json'):
    """(entries, warning) of the previous history.json: entries None when there is none or it is unusable; an
    unreadable or out-of-range entry is dropped, and the warning says how many."""
    text, warning = _read(registered, name)
    if text is None:
        return None, warning and warning + '; a new history is started'
    data, warning = _load(text, name)
    if warning:
        return None, warning + '; a new history is started'
    entries, dropped = usable_history(data)
    if entries is None:
        return None, 'the previous %s is not a history of the audit_compliance role; a new history is started' % name
    if dropped and not entries:
        return None, ('the previous %s has no usable entry (%d unreadable or with a count out of range, dropped); a new '
                      'history is started' % (name, dropped))
    if dropped:
        return entries, ('the previous %s held %d unreadable entries or entries with a count out of range (above %d); '
                         'they are dropped from the history' % (name, dropped, MAX_COUNT))
    return entries, None


def compare(report, previous=None, history=None, limit=HISTORY_LIMIT):
    """{report, history}: the report with ``trend`` (when the previous report is usable) and the warnings about the
    previous files appended to its ``warnings``; the history with this run appended, at most ``limit`` entries.

    ``previous`` and ``history`` are the registered results of ``slurp`` on the previous report.json and
    history.json (None, or a skipped result, when there was no file). Without a history.json, the history starts
    with the previous report's summary when it is usable.
    """
    report = dict(report)
    warnings = list(report.get('warnings') or [])
    generated_at, violations, warning = previous_report(previous)
    if warning:
        warnings.append(warning)
    if violations is not None:
        report['trend'] = trend_section(report, generated_at, violations)
    entries, warning = previous_history(history)
    if warning:
        warnings.append(warning)
    if entries is None:
        entries = []
        if generated_at is not None and history_missing(history):
            summary = json.loads(_read(previous, 'report.json')[0])['summary']
            seeded = _history_entry_or_none(dict(summary, violations=len(violations)))
            entries = [seeded] if seeded else []
    entries.append(history_entry(report['summary']))
    report['warnings'] = warnings
    if 'summary' in report:
        report['summary'] = dict(report['summary'], warnings=len(warnings))
    return {'report': report, 'history': entries[-limit:] if limit > 0 else []}


def history_missing(registered):
    """Whether the history.json slurp found no file (as opposed to one it could not read)."""
    return _read(registered, 'history.json') == (None, None)
