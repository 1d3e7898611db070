# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Time options as people write them, turned into what the RDS audit log API accepts.

Accepted: the API's own form (``2026-11-01T00:00:00+0800``), ISO 8601 (``Z``, ``+08:00``, optional seconds and
fractions), a plain date (midnight UTC), ``now``, and relative times (``-30m``, ``-24h``, ``-7d``, ``-2w``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import re

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import HuaweiCloudConfigError

UTC = datetime.timezone.utc
API_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S%z'
ACCEPTED_FORMS = ('2026-11-01T00:00:00+0800 (the API form), ISO 8601 such as 2026-11-01T00:00:00Z or '
                  '2026-11-01T08:00:00+08:00, a date such as 2026-11-01 (midnight UTC), now, or a relative time '
                  'such as -30m, -24h, -7d, -2w')
_RELATIVE = re.compile(r'^-(\d+)\s*([smhdw])$')
_UNIT_SECONDS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
_ABSOLUTE = re.compile(
    r'^(?P<date>\d{4}-\d{2}-\d{2})'
    r'(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?'
    r'(?P<zone>Z|[+-]\d{2}:?\d{2})?)?$', re.IGNORECASE)


def now_utc():
    return datetime.datetime.now(UTC)


def _fail(option, value, reason=None):
    return HuaweiCloudConfigError("%s: '%s' is not a valid time%s; accepted forms: %s"
                                  % (option, value, ' (%s)' % reason if reason else '', ACCEPTED_FORMS))


def parse_time(value, option, now):
    """An aware datetime for ``value``; ``now`` anchors ``now`` and relative times."""
    text = str(value).strip() if value is not None else ''
    if text.lower() == 'now':
        return now
    relative = _RELATIVE.match(text)
    if relative:
        return now - datetime.timedelta(seconds=int(relative.group(1)) * _UNIT_SECONDS[relative.group(2)])
    match = _ABSOLUTE.match(text)
    if not match:
        raise _fail(option, value)
    if match.group('hour') is not None and match.group('zone') is None:
        raise _fail(option, value, 'a time of day needs a time zone, for example Z or +08:00')
    zone = match.group('zone') or 'Z'
    if zone.upper() == 'Z':
        tzinfo = UTC
    else:
        digits = zone.replace(':', '')
        offset = datetime.timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
        tzinfo = datetime.timezone(offset if digits[0] == '+' else -offset)
    try:
        day = datetime.datetime.strptime(match.group('date'), '%Y-%m-%d')
        return day.replace(hour=int(match.group('hour') or 0), minute=int(match.group('minute') or 0),
                           second=int(match.group('second') or 0),
                           microsecond=int((match.group('fraction') or '0').ljust(6, '0')[:6]), tzinfo=tzinfo)
    except ValueError as error:
        raise _fail(option, value, str(error))


def parse_time_range(start_value, end_value, now=None, start_option='start_time', end_option='end_time'):
    now = (now or now_utc()).replace(microsecond=0)
    # The API takes whole seconds; compare what will actually be sent.
    start = parse_time(start_value, start_option, now).replace(microsecond=0)
    end = parse_time(end_value, end_option, now).replace(microsecond=0)
    if end <= start:
        raise HuaweiCloudConfigError('%s (%s) must be after %s (%s)' % (end_option, format_api_time(end),
                                                                        start_option, format_api_time(start)))
    return start, end


def format_api_time(moment):
    """``yyyy-mm-ddThh:mm:ss+hhmm``, the only form the audit log API takes; sub-second precision is dropped."""
    return moment.astimezone(UTC).strftime(API_TIME_FORMAT)


def parse_api_time(text):
    """A datetime from a time the API returned; ``None`` when it cannot be read. The API's own fixed form
    (``2026-11-01T00:00:00+0800``) is read directly, any other ISO 8601 time with a zone the long way."""
    if not text:
        return None
    text = str(text).strip()
    seconds = api_time_sort_key(text)
    if seconds is not None:
        offset = datetime.timedelta(hours=int(text[20:22]), minutes=int(text[22:24]))
        zone = datetime.timezone(offset if text[19] == '+' else -offset)
        return datetime.datetime(int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]),
                                 int(text[17:19]), tzinfo=zone)
    match = _ABSOLUTE.match(text)
    if not match or match.group('hour') is None or match.group('zone') is None:
        return None
    try:
        return parse_time(text, 'time', now_utc())
    except HuaweiCloudConfigError:
        return None


_API_FORM = re.compile(r'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{4}\Z')


def api_time_sort_key(text):
    """Seconds since the epoch of a time in the API's fixed form ``2026-11-01T00:00:00+0800``, None for anything
    else. Several times cheaper than a datetime: a year of audit log files is sorted on it."""
    if not isinstance(text, str) or not _API_FORM.match(text):
        return None
    hour, minute, second = int(text[11:13]), int(text[14:16]), int(text[17:19])
    zone_hours, zone_minutes = int(text[20:22]), int(text[22:24])
    if hour > 23 or minute > 59 or second > 59 or zone_hours > 23 or zone_minutes > 59:
        return None
    try:
        day = datetime.date(int(text[0:4]), int(text[5:7]), int(text[8:10])).toordinal()
    except ValueError:
        return None
    offset = (zone_hours * 3600 + zone_minutes * 60) * (1 if text[19] == '+' else -1)
    return day * 86400 + hour * 3600 + minute * 60 + second - offset - _EPOCH_ORDINAL_SECONDS


_EPOCH_ORDINAL_SECONDS = datetime.date(1970, 1, 1).toordinal() * 86400


def split_windows(start, end, max_span):
    """Consecutive ``(start, end)`` windows covering ``start..end``, none longer than ``max_span``."""
    windows = []
    cursor = start
    while cursor < end:
        window_end = min(cursor + max_span, end)
        windows.append((cursor, window_end))
        cursor = window_end
    return windows
