"""Offset/limit paging against an in-memory fake service: totals, short pages, duplicates, broken servers."""

import threading

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import HuaweiCloudError, PaginationError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.pagination import fetch_all, fetch_many


class FakeListing:
    """Serves ``count`` records like the DBSS list APIs; records every (offset, limit) asked for."""

    def __init__(self, count, with_total=True, ignore_offset=False, fail_at=None, duplicate_ids=False):
        self.records = [{'id': 'id-%05d' % (n // 2 if duplicate_ids else n), 'n': n} for n in range(count)]
        self.with_total = with_total
        self.ignore_offset = ignore_offset
        self.fail_at = fail_at
        self.calls = []
        self._lock = threading.Lock()

    def __call__(self, offset, limit):
        with self._lock:
            self.calls.append((offset, limit))
        if self.fail_at is not None and offset == self.fail_at:
            raise HuaweiCloudError('boom', status=500, error_code='SYS.500', request_id='rid')
        start = 0 if self.ignore_offset else offset
        body = {'servers': self.records[start:start + limit]}
        if self.with_total:
            body['total'] = len(self.records)
        return body


@pytest.mark.parametrize('workers', [1, 4])
@pytest.mark.parametrize('count,page,expected_calls', [
    (0, 1000, 1), (1, 1000, 1), (999, 1000, 1), (1000, 1000, 1), (1001, 1000, 2), (2000, 1000, 2),
    (2500, 1000, 3), (10000, 1000, 10), (123, 50, 3),
])
def test_every_record_once_in_the_minimum_of_requests(count, page, expected_calls, workers):
    listing = FakeListing(count)
    items = fetch_all(listing, page, 'servers', max_workers=workers)
    assert [item['n'] for item in items] == list(range(count))
    assert len(listing.calls) == expected_calls
    assert sorted(offset for offset, _limit in listing.calls) == [n * page for n in range(expected_calls)]
    assert all(limit == page for _offset, limit in listing.calls)


def test_without_total_a_short_page_ends_the_listing():
    listing = FakeListing(2500, with_total=False)
    assert len(fetch_all(listing, 1000, 'servers')) == 2500
    assert [offset for offset, _limit in listing.calls] == [0, 1000, 2000]


def test_without_total_an_exact_multiple_needs_one_empty_page():
    listing = FakeListing(2000, with_total=False)
    assert len(fetch_all(listing, 1000, 'servers', max_workers=4)) == 2000
    assert [offset for offset, _limit in listing.calls] == [0, 1000, 2000]


@pytest.mark.parametrize('with_total', [True, False])
@pytest.mark.parametrize('workers', [1, 4])
def test_server_ignoring_offset_stops_with_what_it_had(with_total, workers):
    listing = FakeListing(2500, with_total=with_total, ignore_offset=True)
    with pytest.raises(PaginationError) as info:
        fetch_all(listing, 1000, 'servers', max_workers=workers)
    assert 'ignore offset' in str(info.value)
    assert len(info.value.partial_results) == 1000
    assert len(listing.calls) <= 3


def test_duplicates_are_dropped_by_id():
    listing = FakeListing(10, duplicate_ids=True)
    items = fetch_all(listing, 4, 'servers')
    assert [item['id'] for item in items] == ['id-%05d' % n for n in range(5)]


@pytest.mark.parametrize('workers', [1, 4])
def test_failure_keeps_what_was_fetched(workers):
    listing = FakeListing(2500, fail_at=1000)
    with pytest.raises(HuaweiCloudError) as info:
        fetch_all(listing, 1000, 'servers', max_workers=workers)
    partial = [item['n'] for item in info.value.partial_results]
    # Sequentially the third page is never asked for; concurrently it may have arrived and is kept.
    assert partial[:1000] == list(range(1000))
    assert partial in (list(range(1000)), list(range(1000)) + list(range(2000, 2500)))
    assert info.value.status == 500


def test_transform_is_applied_and_its_id_is_used():
    listing = FakeListing(3)
    items = fetch_all(listing, 10, 'servers', transform=lambda raw: {'id': raw['id'].upper(), 'n': raw['n']})
    assert [item['id'] for item in items] == ['ID-00000', 'ID-00001', 'ID-00002']


def test_listing_that_grows_while_read_is_followed():
    listing = FakeListing(1500)

    def growing(offset, limit):
        body = listing(offset, limit)
        if offset == 0:
            listing.records.extend({'id': 'late-%d' % n, 'n': 1500 + n} for n in range(700))
        return body

    items = fetch_all(growing, 1000, 'servers', max_workers=4)
    assert len(items) == 2200


class ManyListings:
    """Several fake listings keyed by job; tracks how many requests were in flight at once."""

    def __init__(self, sizes, unknown=()):
        self.listings = dict((job, FakeListing(size)) for job, size in sizes.items())
        self.unknown = set(unknown)
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, job, offset, limit):
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            # Give other workers the chance to overlap; correctness does not depend on it.
            threading.Event().wait(0.002)
            if job in self.unknown:
                raise HuaweiCloudError('no such instance', status=400, error_code='DBSS.10021004')
            return self.listings[job](offset, limit)
        finally:
            with self._lock:
                self.in_flight -= 1

    def calls(self):
        return sum(len(listing.calls) for listing in self.listings.values())


@pytest.mark.parametrize('workers', [1, 8])
def test_many_listings_each_complete_in_the_minimum_of_requests(workers):
    sizes = dict(('job-%d' % n, n * 7) for n in range(30))
    service = ManyListings(sizes)
    results = fetch_many(list(sizes), service, 50, 'servers', max_workers=workers)
    assert [job for job, _items in results] == list(sizes)
    for job, items in results:
        assert [item['n'] for item in items] == list(range(sizes[job]))
    assert service.calls() == sum(max(1, -(-size // 50)) for size in sizes.values())
    if workers == 1:
        assert service.max_in_flight == 1
    else:
        assert 1 < service.max_in_flight <= workers


def test_transform_sees_its_job():
    service = ManyListings({'a': 2, 'b': 1})
    results = fetch_many(['a', 'b'], service, 10, 'servers', transform=lambda job, raw: dict(raw, job=job))
    assert [(item['job'], item['n']) for _job, items in results for item in items] == [('a', 0), ('a', 1), ('b', 0)]


@pytest.mark.parametrize('workers', [1, 4])
def test_one_failing_listing_keeps_the_others_data(workers):
    service = ManyListings({'a': 3, 'bad': 3, 'c': 2}, unknown={'bad'})
    with pytest.raises(HuaweiCloudError) as info:
        fetch_many(['a', 'bad', 'c'], service, 10, 'servers', max_workers=workers)
    assert info.value.error_code == 'DBSS.10021004'
    assert [item['n'] for item in info.value.partial_results] == [0, 1, 2, 0, 1]
