"""Hostile time options: out-of-range zone offsets, huge relative times, the edges of the calendar and periods the
service cannot serve are one-line errors naming the option, never a traceback and never a request."""

import datetime

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import AUDIT_LOG_MAX_SPAN
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import (
    AUDIT_LOG_RETENTION_DAYS,
    format_api_time,
    parse_reported_time,
    parse_time,
    parse_time_range,
    split_windows,
)

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
DAY = datetime.timedelta(days=1)


def refusal(value, option='start_time'):
    with pytest.raises(HuaweiCloudConfigError) as info:
        parse_time(value, option, NOW)
    message = str(info.value)
    assert message.startswith('%s: ' % option) and 'is not a valid time' in message
    assert '\n' not in message and len(message) < 600
    return message


@pytest.mark.parametrize('value', ['2026-11-01T00:00:00+25:00', '2026-11-01T00:00:00+14:61', '2026-11-01T00:00:00+1461',
                                   '2026-11-01T00:00:00-12:01', '2026-11-01T00:00:00+14:01', '2026-11-01T00:00:00+99:99',
                                   '2026-11-01T00:00:00-2400'])
def test_zone_offsets_outside_the_earth_are_refused(value):
    assert 'zone offset' in refusal(value) and '-12:00 to +14:00' in refusal(value)


@pytest.mark.parametrize('value, expected_hours', [('2026-11-01T00:00:00+14:00', 14), ('2026-11-01T00:00:00-12:00', -12),
                                                   ('2026-11-01T00:00:00+0545', 5.75)])
def test_zone_offsets_at_the_edges_are_accepted(value, expected_hours):
    moment = parse_time(value, 'start_time', NOW)
    assert moment.utcoffset() == datetime.timedelta(hours=expected_hours)


@pytest.mark.parametrize('value', ['-99999999999999w', '-1000000d', '-99999999999999999999999999999999s',
                                   '-' + '9' * 5000 + 'd', '-5300w'])
def test_huge_relative_times_are_refused(value):
    message = refusal(value)
    assert 'at most 100 years back' in message
    assert len(message) < 600          # a 5,000-digit value is clipped in the message


@pytest.mark.parametrize('value', ['9999-12-31T23:59:59-12:00', '0001-01-01T00:00:00+14:00'])
def test_times_beyond_the_calendar_in_utc_are_refused(value):
    assert 'outside the years 1 to 9999 in UTC' in refusal(value, 'end_time')


def test_year_one_is_written_with_four_digits():
    moment = parse_time('0001-01-01T00:00:00Z', 'start_time', NOW)
    assert format_api_time(moment) == '0001-01-01T00:00:00+0000'
    assert format_api_time(datetime.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)) == '9999-12-31T23:59:59+0000'


@pytest.mark.parametrize('start, end, option', [
    ('0001-01-01T00:00:00Z', 'now', 'start_time'),
    ('-%dd' % (AUDIT_LOG_RETENTION_DAYS + 1), 'now', 'start_time'),
    ('-417w', 'now', 'start_time'),                 # 10000000 hours is what the role produced: far beyond
    ('-1d', '9999-12-31T23:59:59Z', 'end_time'),
    ('-1d', '%s' % (NOW + 732 * DAY).strftime('%Y-%m-%dT%H:%M:%SZ'), 'end_time'),
])
def test_periods_the_service_cannot_serve_are_refused_naming_the_option(start, end, option):
    with pytest.raises(HuaweiCloudConfigError) as info:
        parse_time_range(start, end, NOW, retention_days=AUDIT_LOG_RETENTION_DAYS)
    message = str(info.value)
    assert message.startswith('%s (' % option) and '732 days' in message and '\n' not in message


def test_the_longest_period_allowed_costs_a_bounded_number_of_windows():
    start, end = parse_time_range('-%dd' % AUDIT_LOG_RETENTION_DAYS, 'now', NOW, retention_days=AUDIT_LOG_RETENTION_DAYS)
    assert end - start == AUDIT_LOG_RETENTION_DAYS * DAY
    assert len(split_windows(start, end, AUDIT_LOG_MAX_SPAN)) == 25      # 732 / 30, rounded up


def test_without_a_retention_any_valid_period_is_kept():
    start, end = parse_time_range('2001-01-01', 'now', NOW)
    assert start.year == 2001 and end == NOW


@pytest.mark.parametrize('text', ['2026-11-01T00:00:00+2500', '9999-12-31T23:59:59-12:00', '2026-02-30 00:00:00', 'junk',
                                  '', '2026-11-01T00:00:00+14:61'])
def test_reported_times_out_of_range_are_unreadable_not_a_crash(text):
    assert parse_reported_time(text) is None


def test_reported_times_without_zone_are_utc():
    assert parse_reported_time('2026-12-01 00:00:00') == datetime.datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_reported_time('2026-11-06T09:03:34+0800') == datetime.datetime(2026, 11, 6, 1, 3, 34, tzinfo=UTC)
