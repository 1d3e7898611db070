# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Time options as people write them, turned into what the RDS audit log API and the DBSS audit data APIs accept;
and the one reader of the times the APIs report (the compliance evaluation reads them here too).

Accepted: the API's own form (``2026-11-01T00:00:00+0800``), ISO 8601 (``Z``, ``+08:00``, optional seconds and
fractions), a plain date (midnight UTC), ``now``, and relative times (``-30m``, ``-24h``, ``-7d``, ``-2w``).
Zone offsets run from -12:00 to +14:00 (the ones in use on Earth); a time must stay within the years 1 to 9999
once moved to UTC. Anything else is a one-line ``HuaweiCloudConfigError`` naming the option, never a traceback.
"""

import datetime
import re

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, clip

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
                'use a later %s, for example -%dd'
                % (start_option, format_api_time(start), retention_days, format_api_time(now), retention_days,
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


def check_span(start, end, max_days, start_option='start_time', end_option='end_time', reason=''):
    """Refuse a period longer than ``max_days`` (before any request), naming both options."""
    if end - start > datetime.timedelta(days=max_days):
        raise HuaweiCloudConfigError('%s (%s) is more than %d days after %s (%s): a period lasts at most %d days%s'
                                     % (end_option, format_api_time(end), max_days, start_option,
                                        format_api_time(start), max_days, reason))


def format_dbss_time(moment):
    """``yyyy-MM-dd HH:mm:ss`` in UTC, the form the DBSS audit data APIs take (``time.start_time``/``end_time``);
    sub-second precision is dropped. Built by hand for the same reason as :func:`format_api_time`."""
    utc = moment.astimezone(UTC)
    return '%04d-%02d-%02d %02d:%02d:%02d' % (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)


# Epoch times in seconds (10 digits) or milliseconds (13 digits), as some DBSS answers carry them.
_EPOCH = re.compile(r'^\d{9,10}$|^\d{12,13}$')
# DBSS's own form, read without strptime: a listing of 100,000 statements parses each time twice.
_DBSS_TIME = re.compile(r'^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)$')


def parse_record_time(value):
    """An aware datetime for the time of a DBSS audit record (a statement's ``start_time``, an alarm's
    ``alarm_time``): DBSS's zone-less ``2026-12-01 00:00:00`` (UTC), ISO 8601, or epoch seconds or milliseconds
    (a number or a string of digits). ``None`` when it cannot be read; never raises."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and _EPOCH.match(value.strip())):
        number = float(value)
        if number >= 1e11:
            number /= 1000.0
        try:
            return datetime.datetime.fromtimestamp(number, UTC) if number >= 0 else None
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    match = _DBSS_TIME.match(value)
    if match:
        try:
            return datetime.datetime(*[int(part) for part in match.groups()], tzinfo=UTC)
        except ValueError:
            return None
    return parse_reported_time(value)


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
