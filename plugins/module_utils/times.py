# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Time options as people write them, turned into what the RDS audit log API accepts; and the one reader of the
times the APIs report (the compliance evaluation reads them here too).

Accepted: the API's own form (``2026-11-01T00:00:00+0800``), ISO 8601 (``Z``, ``+08:00``, optional seconds and
fractions), a plain date (midnight UTC), ``now``, and relative times (``-30m``, ``-24h``, ``-7d``, ``-2w``).
Zone offsets run from -12:00 to +14:00 (the ones in use on Earth); a time must stay within the years 1 to 9999
once moved to UTC. Anything else is a one-line ``HuaweiCloudConfigError`` naming the option, never a traceback.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import re

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import HuaweiCloudConfigError, clip

UTC = datetime.timezone.utc
API_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S%z'
ACCEPTED_FORMS = ('2026-11-01T00:00:00+0800 (the API form), ISO 8601 such as 2026-11-01T00:00:00Z or '
                  '2026-11-01T08:00:00+08:00, a date such as 2026-11-01 (midnight UTC), now, or a relative time '
                  'such as -30m, -24h, -7d, -2w')
# The RDS service keeps audit log files at most 732 days (the audit log policy's keep_days is 0..732): a period that
# starts earlier, or is longer, asks for files that cannot exist and costs one request per 30 days.
AUDIT_LOG_RETENTION_DAYS = 732
_RELATIVE = re.compile(r'^-(\d+)\s*([smhdw])$')
_UNIT_SECONDS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400, 'w': 604800}
# Far more than any retention, far less than what overflows a datetime: a relative time beyond it is refused.
_MAX_RELATIVE_SECONDS = 100 * 366 * 86400
_MIN_ZONE_OFFSET = datetime.timedelta(hours=-12)
_MAX_ZONE_OFFSET = datetime.timedelta(hours=14)
_ABSOLUTE = re.compile(
    r'^(?P<date>\d{4}-\d{2}-\d{2})'
    r'(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?'
    r'(?P<zone>Z|[+-]\d{2}:?\d{2})?)?$', re.IGNORECASE)


def now_utc():
    return datetime.datetime.now(UTC)


def _fail(option, value, reason=None):
    return HuaweiCloudConfigError("%s: '%s' is not a valid time%s; accepted forms: %s"
                                  % (option, clip(value), ' (%s)' % reason if reason else '', ACCEPTED_FORMS))


def _zone(text):
    """The tzinfo of ``Z``, ``+0800`` or ``+08:00``; ValueError with the reason for an offset no zone has."""
    if text.upper() == 'Z':
        return UTC
    digits = text.replace(':', '')
    hours, minutes = int(digits[1:3]), int(digits[3:5])
    offset = datetime.timedelta(hours=hours, minutes=minutes)
    if digits[0] == '-':
        offset = -offset
    if minutes > 59 or not _MIN_ZONE_OFFSET <= offset <= _MAX_ZONE_OFFSET:
        raise ValueError('the zone offset %s is out of range: offsets run from -12:00 to +14:00' % text)
    return datetime.timezone(offset)


def _absolute(match, default_zone):
    """The aware datetime of an ``_ABSOLUTE`` match; ValueError with a reason a person can act on."""
    zone = match.group('zone')
    tzinfo = _zone(zone) if zone else default_zone
    day = datetime.datetime.strptime(match.group('date'), '%Y-%m-%d')
    moment = day.replace(hour=int(match.group('hour') or 0), minute=int(match.group('minute') or 0),
                         second=int(match.group('second') or 0),
                         microsecond=int((match.group('fraction') or '0').ljust(6, '0')[:6]), tzinfo=tzinfo)
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError('it falls outside the years 1 to 9999 in UTC')
    return moment


def parse_time(value, option, now):
    """An aware datetime for ``value``; ``now`` anchors ``now`` and relative times."""
    text = str(value).strip() if value is not None else ''
    if text.lower() == 'now':
        return now
    relative = _RELATIVE.match(text)
    if relative:
        amount = relative.group(1)
        seconds = int(amount) * _UNIT_SECONDS[relative.group(2)] if len(amount) <= 12 else None
        if seconds is None or seconds > _MAX_RELATIVE_SECONDS:
            raise _fail(option, value, 'a relative time reaches at most 100 years back')
        try:
            return now - datetime.timedelta(seconds=seconds)
        except OverflowError:
            raise _fail(option, value, 'it falls before the year 1')
    match = _ABSOLUTE.match(text)
    if not match:
        raise _fail(option, value)
    if match.group('hour') is not None and match.group('zone') is None:
        raise _fail(option, value, 'a time of day needs a time zone, for example Z or +08:00')
    try:
        return _absolute(match, UTC)
    except ValueError as error:
        raise _fail(option, value, str(error))


def parse_reported_time(value):
    """An aware datetime for a time an API reported (``2026-11-06T09:03:34+0800``, DBSS's zone-less
    ``2026-12-01 00:00:00``, which is UTC, ISO 8601, a date); ``None`` when it cannot be read. Never raises: a
    time the cloud sends is data, and the caller decides what an unreadable one means."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    match = _ABSOLUTE.match(str(value).strip())
    if not match:
        return None
    try:
        return _absolute(match, UTC)
    except ValueError:
        return None


def parse_time_range(start_value, end_value, now=None, start_option='start_time', end_option='end_time',
                     retention_days=None):
    """``(start, end)`` in whole seconds, end after start. With ``retention_days``, the period must also start at
    most that many days before ``now`` and last at most that many days: files older than the retention cannot
    exist, and every 30 days of period costs one request per instance."""
    now = (now or now_utc()).replace(microsecond=0)
    # The API takes whole seconds; compare what will actually be sent.
    start = parse_time(start_value, start_option, now).replace(microsecond=0)
    end = parse_time(end_value, end_option, now).replace(microsecond=0)
    if end <= start:
        raise HuaweiCloudConfigError('%s (%s) must be after %s (%s)' % (end_option, format_api_time(end),
                                                                        start_option, format_api_time(start)))
    if retention_days is not None:
        retention = datetime.timedelta(days=retention_days)
        if start < now - retention:
            raise HuaweiCloudConfigError(
                '%s (%s) is more than %d days before now (%s): the service keeps audit logs at most %d days; '
                'use a later %s, for example -%dd' % (
                    start_option, format_api_time(start), retention_days, format_api_time(now), retention_days,
                    start_option, retention_days))
        if end - start > retention:
            raise HuaweiCloudConfigError(
                '%s (%s) is more than %d days after %s (%s): a period lasts at most %d days, the longest '
                'retention of the service' % (end_option, format_api_time(end), retention_days, start_option,
                                              format_api_time(start), retention_days))
    return start, end


def format_api_time(moment):
    """``yyyy-mm-ddThh:mm:ss+hhmm``, the only form the audit log API takes; sub-second precision is dropped.
    Built by hand: ``strftime('%Y')`` writes the year 1 as ``1``, not ``0001``, on glibc."""
    utc = moment.astimezone(UTC)
    return '%04d-%02d-%02dT%02d:%02d:%02d+0000' % (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


def parse_api_time(text):
    """A datetime from a time the API returned, for sorting; ``None`` when it cannot be read."""
    if not text:
        return None
    match = _ABSOLUTE.match(str(text).strip())
    if not match or match.group('hour') is None or match.group('zone') is None:
        return None
    return parse_time(text, 'time', now_utc())


def split_windows(start, end, max_span):
    """Consecutive ``(start, end)`` windows covering ``start..end``, none longer than ``max_span``."""
    windows = []
    cursor = start
    while cursor < end:
        window_end = min(cursor + max_span, end)
        windows.append((cursor, window_end))
        cursor = window_end
    return windows
