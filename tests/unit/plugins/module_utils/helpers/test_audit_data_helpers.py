"""The pure helpers behind the DBSS audit data modules: page-number paging and bounded listings, DBSS times, window
splitting and literal masking."""

import datetime

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_audit_data import split_window, windows_newest_first
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, PaginationError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.pagination import PAGE_NUMBERS, fetch_many, run_listings
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.sql_literals import mask_literals
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import (
    check_span,
    format_dbss_time,
    parse_record_time,
)

UTC = datetime.timezone.utc


class PagedService:
    """``count`` records served by page number (from 1) and size; records every page asked for."""

    def __init__(self, count, ignore_page=False):
        self.records = [{'id': 'id-%05d' % n, 'n': n} for n in range(count)]
        self.ignore_page = ignore_page
        self.pages = []

    def __call__(self, _job, page, size):
        self.pages.append((page, size))
        first = 0 if self.ignore_page else (page - 1) * size
        return {'rules': self.records[first:first + size], 'total': len(self.records)}


@pytest.mark.parametrize('workers', [1, 4])
def test_page_numbers_start_at_one(workers):
    service = PagedService(250)
    [(_job, items)] = fetch_many(['a'], service, 100, 'rules', paging=PAGE_NUMBERS, max_workers=workers)
    assert [item['n'] for item in items] == list(range(250))
    assert sorted(service.pages) == [(1, 100), (2, 100), (3, 100)]


def test_a_server_ignoring_page_is_caught():
    with pytest.raises(PaginationError) as info:
        fetch_many(['a'], PagedService(250, ignore_page=True), 100, 'rules', paging=PAGE_NUMBERS)
    assert 'no new rules on page 2 (it seems to ignore page); stopped after 100 of 250' in str(info.value)


@pytest.mark.parametrize('workers', [1, 8])
@pytest.mark.parametrize('budget,pages', [(0, 1), (1, 1), (100, 1), (101, 2), (450, 5), (None, 10)])
def test_the_budget_bounds_the_pages_requested(workers, budget, pages):
    service = PagedService(1000)
    [listing] = run_listings(['a'], service, 100, 'rules', paging=PAGE_NUMBERS, max_workers=workers,
                             budget=lambda _job, total: budget)
    assert len(listing.items) == (1000 if budget is None else budget)
    assert len(service.pages) == pages
    assert listing.error is None and listing.capped is False


def test_max_offset_caps_a_listing_and_says_so():
    service = PagedService(1000)
    [listing] = run_listings(['a'], service, 100, 'rules', paging=PAGE_NUMBERS, max_workers=4, max_offset=300)
    assert len(listing.items) == 300 and listing.capped is True and listing.total == 1000
    assert sorted(page for page, _size in service.pages) == [1, 2, 3]
    [whole] = run_listings(['a'], PagedService(300), 100, 'rules', paging=PAGE_NUMBERS, max_offset=300)
    assert len(whole.items) == 300 and whole.capped is False


def test_records_left_out_by_keep_do_not_count_towards_the_budget():
    service = PagedService(1000)
    [listing] = run_listings(['a'], service, 100, 'rules', paging=PAGE_NUMBERS, budget=lambda _job, total: 150,
                             keep=lambda _job, item: item['n'] % 2 == 0)
    assert [item['n'] for item in listing.items] == list(range(0, 300, 2))
    assert len(service.pages) == 3


def test_a_failed_listing_is_an_outcome_not_an_exception():
    def fetch(job, page, size):
        if job == 'bad':
            from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError
            raise HuaweiCloudError('boom', status=500)
        return {'rules': [{'id': '%s-%d' % (job, page)}] if page == 1 else [], 'total': 1}
    good, bad = run_listings(['good', 'bad'], fetch, 10, 'rules', paging=PAGE_NUMBERS)
    assert good.error is None and [item['id'] for item in good.items] == ['good-1']
    assert bad.error is not None and bad.items == []


def test_dbss_times():
    moment = datetime.datetime(2026, 11, 1, 8, 30, 5, 999999, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    assert format_dbss_time(moment) == '2026-11-01 00:30:05'
    assert format_dbss_time(datetime.datetime(1, 1, 1, tzinfo=UTC)) == '0001-01-01 00:00:00'
    expected = datetime.datetime(2026, 11, 1, 0, 30, 5, tzinfo=UTC)
    for value in ('2026-11-01 00:30:05', '2026-11-01T08:30:05+08:00', 1793493005, '1793493005', 1793493005000,
                  '1793493005000'):
        assert parse_record_time(value) == expected, value
    for value in (None, '', 'yesterday', True, '12345', [], {}, -5, '2026-13-01 00:00:00'):
        assert parse_record_time(value) is None, value


def test_check_span():
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    check_span(start, start + datetime.timedelta(days=366), 366)
    with pytest.raises(HuaweiCloudConfigError) as info:
        check_span(start, start + datetime.timedelta(days=366, seconds=1), 366, reason=' (why)')
    assert str(info.value) == ('end_time (2027-01-02T00:00:01+0000) is more than 366 days after start_time '
                               '(2026-01-01T00:00:00+0000): a period lasts at most 366 days (why)')


def test_windows_are_counted_back_from_the_end():
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    day = datetime.timedelta(days=1)
    assert windows_newest_first(start, start + 70 * day, 30 * day) == [
        (start + 40 * day, start + 70 * day), (start + 10 * day, start + 40 * day), (start, start + 10 * day)]
    assert windows_newest_first(start, start + day, 30 * day) == [(start, start + day)]


def test_split_window():
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    hour = datetime.timedelta(hours=1)
    parts = split_window(start, start + hour, 25000)
    assert len(parts) == 5 and parts[0][0] == start and parts[-1][1] == start + hour
    assert all(left[1] == right[0] for left, right in zip(parts, parts[1:]))
    assert len(split_window(start, start + hour, 10001)) == 3
    assert len(split_window(start, start + hour, 10 ** 9)) == 16
    assert split_window(start, start + datetime.timedelta(seconds=3), 10 ** 9) == [
        (start + datetime.timedelta(seconds=n), start + datetime.timedelta(seconds=n + 1)) for n in range(3)]
    assert split_window(start, start + datetime.timedelta(seconds=1), 10 ** 9) is None


@pytest.mark.parametrize('statement,masked', [
    ("SELECT * FROM t1 WHERE name='O''Brien' AND id=42", 'SELECT * FROM t1 WHERE name=? AND id=?'),
    ("CREATE USER bob IDENTIFIED BY 'pa\\'ss'", 'CREATE USER bob IDENTIFIED BY ?'),
    ('INSERT INTO `tbl_2024` VALUES (0x1F, N\'abc\', "dq", .5, -3.5e10)', 'INSERT INTO `tbl_2024` VALUES (?, ?, ?, ?, -?)'),
    ('SELECT $$secret$$, $tag$x$tag$, $1 FROM s.t2', 'SELECT ?, ?, $1 FROM s.t2'),
    ("UPDATE t SET a='cut short by the audit", 'UPDATE t SET a=?'),
    ('DROP TABLE orders_2024', 'DROP TABLE orders_2024'),
    ('', ''),
])
def test_mask_literals(statement, masked):
    assert mask_literals(statement) == masked


def test_mask_literals_leaves_non_strings_alone():
    assert mask_literals(None) is None
