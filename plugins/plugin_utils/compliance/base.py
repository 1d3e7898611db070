# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every part of the compliance engine shares: the error for input it cannot work with, and how fact records
are read (text, booleans as Jinja gives them, times, records grouped by instance). Imports nothing of the engine,
so that every other file of it can import this one."""

import datetime

UTC = datetime.timezone.utc


class ComplianceInputError(ValueError):
    """Input the evaluation cannot work with (a bad threshold, an unknown ``fail_on``...)."""


def as_text(value):
    """A value as text; None as the empty string."""
    return '' if value is None else str(value)


def as_bool(name, value):
    """A boolean given as Jinja may give it (a bool, or true/false/yes/no/on/off/1/0 as text)."""
    if isinstance(value, bool):
        return value
    text = as_text(value).strip().lower()
    if text in ('true', 'yes', 'on', '1'):
        return True
    if text in ('false', 'no', 'off', '0'):
        return False
    raise ComplianceInputError('%s must be a boolean, got %r' % (name, value))


def format_time(value):
    return value.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


def group_by(records, key='instance_id'):
    """The dict records of ``records`` by the text of their ``key`` (anything else in the list is ignored)."""
    grouped = {}
    for record in records or []:
        if isinstance(record, dict):
            grouped.setdefault(as_text(record.get(key)), []).append(record)
    return grouped
