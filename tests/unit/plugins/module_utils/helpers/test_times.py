"""Time options: every accepted form, clear refusals, and 30-day windows that tile a period exactly."""

import datetime

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import (
    format_api_time,
    parse_api_time,
    parse_time,
    parse_time_range,
    split_windows,
)

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize('text,expected', [
    ('2026-11-01T00:00:00+0800', datetime.datetime(2026, 10, 31, 16, 0, tzinfo=UTC)),
    ('2026-11-01T00:00:00Z', datetime.datetime(2026, 11, 1, tzinfo=UTC)),
    ('2026-11-01T08:00:00+08:00', datetime.datetime(2026, 11, 1, tzinfo=UTC)),
    ('2026-11-01T00:00:00-0530', datetime.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    ('2026-11-01T10:15Z', datetime.datetime(2026, 11, 1, 10, 15, tzinfo=UTC)),
    ('2026-11-01 10:15:30.250Z', datetime.datetime(2026, 11, 1, 10, 15, 30, 250000, tzinfo=UTC)),
    ('2026-11-01', datetime.datetime(2026, 11, 1, tzinfo=UTC)),
    ('now', NOW),
    ('NOW', NOW),
    ('-30m', NOW - datetime.timedelta(minutes=30)),
    ('-24h', NOW - DAY),
    ('-7d', NOW - 7 * DAY),
    ('-90d', NOW - 90 * DAY),
    ('-2w', NOW - 14 * DAY),
    ('-45s', NOW - datetime.timedelta(seconds=45)),
])
def test_accepted_forms(text, expected):
    assert parse_time(text, 'start_time', NOW) == expected


@pytest.mark.parametrize('text', ['yesterday', '', '24h', '+1d', '-1y', '2026-13-01', '2026-02-30', '2026-11-01T25:00:00Z',
                                  '2026-11-01T00:00:00', '01/11/2026', '-d', '2026-11-01T00:00:00+8'])
def test_refused_forms_name_the_option_and_the_accepted_forms(text):
    with pytest.raises(HuaweiCloudConfigError) as info:
        parse_time(text, 'end_time', NOW)
    message = str(info.value)
    assert message.startswith("end_time: '%s' is not a valid time" % text)
    assert 'accepted forms: 2026-11-01T00:00:00+0800' in message and '-24h' in message and 'now' in message
    assert '\n' not in message


@pytest.mark.parametrize('start,end', [('now', '-1h'), ('-1d', '-1d'), ('2026-11-02', '2026-11-01')])
def test_end_must_be_after_start(start, end):
    with pytest.raises(HuaweiCloudConfigError) as info:
        parse_time_range(start, end, NOW)
    assert str(info.value).startswith('end_time (')
    assert 'must be after start_time (' in str(info.value)


def test_range_is_in_whole_seconds():
    start, end = parse_time_range('2026-11-01T00:00:00.900Z', '2026-11-01T00:00:01.100Z', NOW)
    assert (start.microsecond, end.microsecond) == (0, 0)


def test_api_format_round_trip():
    moment = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    assert format_api_time(moment) == '2026-11-01T00:00:00+0000'
    assert parse_api_time('2026-11-06T09:03:34+0800') == datetime.datetime(2026, 11, 6, 1, 3, 34, tzinfo=UTC)
    assert parse_api_time('garbage') is None
    assert parse_api_time(None) is None


@pytest.mark.parametrize('days,windows', [(1, 1), (30, 1), (31, 2), (90, 3), (365, 13), (0.5, 1)])
def test_windows_tile_the_period_without_gaps_or_overlap(days, windows):
    start = NOW - datetime.timedelta(days=days)
    tiles = split_windows(start, NOW, 30 * DAY)
    assert len(tiles) == windows
    assert tiles[0][0] == start and tiles[-1][1] == NOW
    for (_first_start, first_end), (second_start, _second_end) in zip(tiles, tiles[1:]):
        assert first_end == second_start
    assert all(end - begin <= 30 * DAY for begin, end in tiles)
