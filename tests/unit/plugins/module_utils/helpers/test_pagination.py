"""Offset/limit paging against an in-memory fake service: totals, short pages, duplicates, broken servers."""

import threading

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError, PaginationError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.pagination import fetch_all, fetch_many


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
    assert len(fetch_all(listing, 1000, 'servers', total_key=None)) == 2500
    assert [offset for offset, _limit in listing.calls] == [0, 1000, 2000]


def test_without_total_an_exact_multiple_needs_one_empty_page():
    listing = FakeListing(2000, with_total=False)
    assert len(fetch_all(listing, 1000, 'servers', total_key=None, max_workers=4)) == 2000
    assert [offset for offset, _limit in listing.calls] == [0, 1000, 2000]


@pytest.mark.parametrize('with_total', [True, False])
@pytest.mark.parametrize('workers', [1, 4])
def test_server_ignoring_offset_stops_with_what_it_had(with_total, workers):
    listing = FakeListing(2500, with_total=with_total, ignore_offset=True)
    with pytest.raises(PaginationError) as info:
        fetch_all(listing, 1000, 'servers', total_key='total' if with_total else None, max_workers=workers)
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


# The scheduler: later pages as soon as a listing's first page arrives, bounded fan-out, every failure named.

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import Subject, map_bounded  # noqa: E402
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import ResponseShapeError  # noqa: E402
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.pagination import MAX_PAGES_PER_LISTING  # noqa: E402

INSTANCES = Subject('audit instance', 'audit instances')


def test_a_listings_second_page_does_not_wait_for_another_listings_slow_first_page():
    """'slow' answers its first page only once 'fast' has asked for its second page (or after 5 s, which the old
    round-by-round scheduler needed: it asked for no second page before every first page had answered)."""
    fast = FakeListing(150)
    second_page_asked = threading.Event()
    log = []
    lock = threading.Lock()

    def fetch_page(job, offset, limit):
        with lock:
            log.append(('asked', job, offset))
        if job == 'fast':
            if offset > 0:
                second_page_asked.set()
            return fast(offset, limit)
        released_by_fast = second_page_asked.wait(5)
        with lock:
            log.append(('answered', job, offset, released_by_fast))
        return {'servers': [{'id': 'slow-1', 'n': 0}], 'total': 1}

    results = fetch_many(['slow', 'fast'], fetch_page, 50, 'servers', max_workers=2)
    assert [(job, len(items)) for job, items in results] == [('slow', 1), ('fast', 150)]
    answered = [entry for entry in log if entry[0] == 'answered']
    assert answered == [('answered', 'slow', 0, True)]
    assert log.index(('asked', 'fast', 50)) < log.index(answered[0])
    assert sorted(offset for offset, _limit in fast.calls) == [0, 50, 100]


@pytest.mark.parametrize('workers', [1, 3, 8])
def test_a_huge_total_with_empty_pages_schedules_a_bounded_number_of_pages(workers):
    """A total of 30,000 and then empty pages: the old scheduler sent 599 requests in one round and returned the
    first page as if it were everything. Now: at most `workers` pages ahead, stop, and say so."""
    calls = []
    lock = threading.Lock()

    def fetch_page(offset, limit):
        with lock:
            calls.append(offset)
        records = [{'id': 'id-%d' % n} for n in range(50)] if offset == 0 else []
        return {'servers': records, 'total': 30000}

    with pytest.raises(PaginationError) as info:
        fetch_all(fetch_page, 50, 'servers', max_workers=workers)
    assert 'the page at offset 50 has 0 servers although the service reports 30000 in all' in str(info.value)
    assert [item['id'] for item in info.value.partial_results] == ['id-%d' % n for n in range(50)]
    assert 2 <= len(calls) <= 1 + workers


def test_a_short_page_that_contradicts_the_total_is_reported():
    def fetch_page(offset, limit):
        return {'servers': [{'id': 'id-%d' % n} for n in range(offset, offset + (limit if offset == 0 else 3))],
                'total': 500}

    with pytest.raises(PaginationError) as info:
        fetch_all(fetch_page, 100, 'servers')
    assert 'the page at offset 100 has 3 servers although the service reports 500 in all; stopped after 103' \
        in str(info.value)
    assert len(info.value.partial_results) == 103


def test_a_listing_that_never_ends_stops_at_the_page_cap():
    calls = []

    def fetch_page(offset, limit):
        calls.append(offset)
        return {'servers': [{'id': 'id-%d' % (offset + n)} for n in range(limit)], 'total': 10 ** 12}

    with pytest.raises(PaginationError) as info:
        fetch_all(fetch_page, 1, 'servers', max_workers=4)
    assert 'beyond %d pages' % MAX_PAGES_PER_LISTING in str(info.value)
    assert len(calls) == MAX_PAGES_PER_LISTING
    assert len(info.value.partial_results) == MAX_PAGES_PER_LISTING


@pytest.mark.parametrize('workers', [1, 8])
def test_pages_arriving_out_of_order_keep_page_order_and_dedup(workers):
    """Later pages answer faster than earlier ones; items still come in job and page order, each once."""
    records = [{'id': 'id-%03d' % (n // 2), 'n': n} for n in range(400)]  # every id twice, on the same or next page

    def fetch_page(job, offset, limit):
        threading.Event().wait(0.001 * (400 - offset) / 50.0)
        return {'servers': records[offset:offset + limit], 'total': len(records)}

    results = fetch_many(['a', 'b', 'c'], fetch_page, 25, 'servers', max_workers=workers)
    for _job, items in results:
        assert [item['id'] for item in items] == ['id-%03d' % n for n in range(200)]
        assert [item['n'] for item in items] == list(range(0, 400, 2))


@pytest.mark.parametrize('workers', [1, 4])
def test_every_failed_listing_is_named_and_the_others_complete(workers):
    service = ManyListings({'a': 120, 'b': 3, 'c': 75, 'd': 1, 'e': 2}, unknown={'b', 'd', 'e'})
    with pytest.raises(HuaweiCloudError) as info:
        fetch_many(['a', 'b', 'c', 'd', 'e'], service, 50, 'servers', max_workers=workers, subject=INSTANCES)
    message = str(info.value)
    assert message == ('3 audit instances failed: b: HTTP 400 DBSS.10021004: no such instance; '
                       'd: HTTP 400 DBSS.10021004: no such instance; e: HTTP 400 DBSS.10021004: no such instance')
    assert (info.value.status, info.value.error_code) == (400, 'DBSS.10021004')
    # The listings that work are complete, beyond their first page.
    assert [item['n'] for item in info.value.partial_results] == list(range(120)) + list(range(75))


def test_many_failures_name_every_one_and_detail_the_first_ten():
    def check(instance_id):
        raise HuaweiCloudError('not found', status=404, error_code='DBS.200002', request_id='rid-%s' % instance_id)

    ids = ['i%02d' % n for n in range(25)]
    with pytest.raises(HuaweiCloudError) as info:
        map_bounded(check, ids, 4, Subject('RDS instance', 'RDS instances'))
    message = str(info.value)
    assert message.startswith('25 RDS instances failed: i00: HTTP 404 DBS.200002: not found (request id rid-i00); ')
    assert message.count('not found') == 10
    assert message.endswith('; and 15 more: ' + ', '.join(ids[10:]))
    assert info.value.request_id == 'rid-i00'
    assert info.value.to_dict()['request_id'] == 'rid-i00'


def test_map_bounded_keeps_the_results_of_the_others():
    def check(item):
        if item % 3 == 0:
            raise HuaweiCloudError('bad %d' % item, status=500)
        return item * 10

    with pytest.raises(HuaweiCloudError) as info:
        map_bounded(check, range(7), 3, Subject('thing', 'things'))
    assert str(info.value) == '3 things failed: 0: HTTP 500: bad 0; 3: HTTP 500: bad 3; 6: HTTP 500: bad 6'
    assert info.value.partial_results == [10, 20, 40, 50]


class Response:
    """What client.request returns: the body and the request id."""

    def __init__(self, body, request_id='req-1'):
        self.body = body
        self.request_id = request_id


API = 'DBSS GET /v1/{project_id}/audit/instances'


@pytest.mark.parametrize('body,message', [
    ({'servers': 'oops', 'total': 1}, "field 'servers' is a string ('oops'), expected a list"),
    ({'servers': None, 'total': 0}, "field 'servers' is null, expected a list"),
    ({'total': 0}, "field 'servers' is missing, expected a list"),
    ({'servers': [{'id': 'a'}, 'b'], 'total': 2}, "field 'servers[1]' is a string ('b'), expected an object"),
    ({'servers': [[1]], 'total': 1}, "field 'servers[0]' is a list, expected an object"),
    ({'servers': [{'id': 'a'}], 'total': 'many'}, "field 'total' is a string ('many'), expected a non-negative integer"),
    ({'servers': [{'id': 'a'}]}, "field 'total' is missing, expected a non-negative integer"),
    ({'servers': [{'id': 'a'}], 'total': -1}, "field 'total' is a number (-1), expected a non-negative integer"),
    ({'servers': [{'id': 'a'}], 'total': True}, "field 'total' is a boolean (true), expected a non-negative integer"),
    ({'servers': [{'name': 'a'}], 'total': 1}, "field 'servers[0].id' is missing, expected a non-empty string"),
    ({'servers': [{'id': 7}], 'total': 1}, "field 'servers[0].id' is a number (7), expected a non-empty string"),
    (['servers'], "field '(body)' is a list, expected an object"),
])
def test_a_page_without_the_documented_shape_is_an_error_never_an_empty_result(body, message):
    with pytest.raises(ResponseShapeError) as info:
        fetch_all(lambda offset, limit: Response(body), 100, 'servers', api=API)
    assert str(info.value) == '%s: %s (request id req-1)' % (API, message)
    assert info.value.request_id == 'req-1'


def test_an_empty_list_with_total_zero_is_an_empty_result():
    assert fetch_all(lambda offset, limit: Response({'servers': [], 'total': 0}), 100, 'servers', api=API) == []
    assert fetch_all(lambda offset, limit: Response({'servers': [], 'total': '0'}), 100, 'servers', api=API) == []


def test_either_documented_list_key_is_read_and_a_wrong_one_is_named():
    read = fetch_all(lambda offset, limit: Response({'instances': [{'id': 'x'}], 'total': 1}), 100,
                     ('servers', 'instances'), api=API)
    assert read == [{'id': 'x'}]
    with pytest.raises(ResponseShapeError) as info:
        fetch_all(lambda offset, limit: Response({'instances': 'oops', 'total': 1}), 100, ('servers', 'instances'),
                  api=API)
    assert "field 'instances' is a string ('oops')" in str(info.value)


def test_a_shape_error_in_one_listing_names_it_and_keeps_the_others():
    def fetch_page(job, offset, limit):
        if job == 'bad':
            return Response({'scopes': {'id': 'x'}, 'total': 1}, 'rid-bad')
        return Response({'scopes': [{'id': job + '-s'}], 'total': 1})

    with pytest.raises(ResponseShapeError) as info:
        fetch_many(['a', 'bad', 'c'], fetch_page, 10, 'scopes', max_workers=2,
                   api='DBSS GET /v1/{project_id}/audit/{instance_id}/rule/scopes', subject=INSTANCES)
    assert str(info.value) == ("audit instance bad: DBSS GET /v1/{project_id}/audit/{instance_id}/rule/scopes: "
                               "field 'scopes' is an object, expected a list (request id rid-bad)")
    assert [item['id'] for item in info.value.partial_results] == ['a-s', 'c-s']
