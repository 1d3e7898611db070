# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Offset/limit and page-number listing: every page, each item once, a guaranteed end, and no request beyond the
minimum.

``offset`` counts records, not pages; APIs that take a page number instead (``page`` from 1, ``size``) are paged
the same way (``paging=PAGE_NUMBERS``), and a server that ignores ``page`` is caught like one that ignores
``offset``. A listing ends on the reported total or on a short page. A full page that
brings nothing new means the server ignores ``offset``, and an empty or short page while the reported total says
more means it contradicts itself: both raise a :class:`PaginationError` instead of looping or under-reporting.
Every page is checked against its documented shape (the list key a list, every item an object with its id, the
total a non-negative integer): anything else is a :class:`ResponseShapeError`, never an empty result. Whatever
was fetched before a failure travels with the error as ``partial_results``.

Several listings (the scopes of many instances, the audit logs of many time windows) share one bounded thread
pool driven by one scheduler: a listing's later pages are queued, ahead of the first pages of listings not yet
started, as soon as its own first page has told its total. So no slot idles behind the slowest first page of
another listing. A listing never has more than ``max_workers`` pages requested ahead of what it has read,
whatever total the server reports, and never more than ``MAX_PAGES_PER_LISTING`` pages in all.

A listing may also be bounded: ``max_offset`` (a service that serves at most that many records of one query: no
page beyond is asked for, and the listing says it was ``capped``), and ``budget(job, total)``, asked once the first
page has told the total, for how many items are wanted at most (``0``: none, stop now). No page is requested that
the budget cannot need.
"""

from collections import deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import failure_of
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError, PaginationError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import (
    ShapeProblem,
    require_count,
    require_list,
    require_text,
    shape_error,
)

# 10,000 pages are 10 million audit instances or half a million audit log files in one 30-day window: a listing
# longer than that is a server that keeps inventing pages.
MAX_PAGES_PER_LISTING = 10000


class _Paging:
    """How a page is addressed: by the offset of its first record (``offset``/``limit``), or by its number
    (``page`` from 1, ``size``). Listings count offsets either way; this names them as the API does."""

    def __init__(self, parameter, first_page=None):
        self.parameter = parameter
        self.first_page = first_page

    def argument(self, offset, page_size):
        return offset if self.first_page is None else offset // page_size + self.first_page

    def where(self, offset, page_size):
        if self.first_page is None:
            return 'at offset %d' % offset
        return 'on page %d' % self.argument(offset, page_size)

    def page(self, offset, page_size):
        if self.first_page is None:
            return 'the page at offset %d' % offset
        return 'page %d' % self.argument(offset, page_size)


# The number of the first page of the DBSS page/size APIs (audited SQL statements, alarm log, SQL injection rules).
# Neither the SDK's models nor the API reference say whether ``page`` counts from 0 or from 1; Huawei's Terraform
# provider pages a sibling DBSS API (the operation log, data_source_huaweicloud_dbss_operation_logs.go) from 1.
# This is the one place that assumption lives (docs/api-fidelity.md); tests/live/ checks it against a real account
# (page 1 of size 1 and page 1 of size 2 start with the same record).
FIRST_PAGE = 1

OFFSETS = _Paging('offset')
PAGE_NUMBERS = _Paging('page', first_page=FIRST_PAGE)


class _Page:
    """One page as read and checked in a worker: its items already shaped."""

    __slots__ = ('offset', 'items', 'size', 'total', 'request_id')

    def __init__(self, offset, items, size, total, request_id):
        self.offset = offset
        self.items = items
        self.size = size
        self.total = total
        self.request_id = request_id


class _Listing:
    """One listing's progress: what to request next, and its items in page order, de-duplicated by id."""

    def __init__(self, job, context, page_size, pages_ahead, paging=OFFSETS, max_offset=None, budget=None):
        self.job = job
        self.context = context
        self.items = []
        self.total = None
        self.error = None
        self.done = False
        # Stopped at max_offset while the service reports more (or does not tell).
        self.capped = False
        # How many items are wanted at most (None: all), as the budget told once the first page arrived.
        self.max_items = None
        self._paging = paging
        self._max_offset = max_offset
        self._budget = budget
        self._page_size = page_size
        self._pages_ahead = max(1, pages_ahead)
        self._seen = set()
        self._arrived = {}
        self._next_to_read = 0
        self._next_to_request = 0

    @property
    def stopped(self):
        return self.done or self.error is not None

    def requests_due(self):
        """The offsets to request now: the first page; then, once a total is known, up to ``pages_ahead`` pages
        beyond what has been read (and never beyond the total); without a total, one page after the other."""
        if self.stopped:
            return []
        due = []
        if self._next_to_request == 0:
            due.append(0)
        elif self._next_to_read == self._next_to_request and self.total is None:
            due.append(self._next_to_request)
        elif self.total is not None:
            limit = min(self.total, self._next_to_read + self._pages_ahead * self._page_size)
            if self.max_items is not None:
                # The pages in flight count as if every record in them were wanted: never more than can be needed.
                limit = min(limit, self._next_to_read + self.max_items - len(self.items))
            due.extend(range(self._next_to_request, limit, self._page_size))
        if self._max_offset is not None:
            due = [offset for offset in due if offset < self._max_offset]
        allowed = [offset for offset in due if offset // self._page_size < MAX_PAGES_PER_LISTING]
        if due and not allowed and self._next_to_read >= MAX_PAGES_PER_LISTING * self._page_size:
            # Only once every page up to the cap has been read, so that the error carries all of them.
            self.fail(PaginationError('the listing goes on beyond %d pages (%d items read, the service reports %s); '
                                      'stopped' % (MAX_PAGES_PER_LISTING, len(self.items), self._reported())))
            return []
        if allowed:
            self._next_to_request = allowed[-1] + self._page_size
        return allowed

    def fail(self, error):
        error.context = error.context or self.context
        self.error = self.error or error

    def receive(self, page, error, what):
        """Take one page (or its failure) and read every page now in sequence."""
        if error is not None:
            self.fail(error)
            return
        if self.done:
            return
        self._arrived[page.offset] = page
        if self.error is not None:
            return
        try:
            while not self.done and self._next_to_read in self._arrived:
                self._read(self._arrived.pop(self._next_to_read), what)
        except HuaweiCloudError as failure:
            self.fail(failure)
        if self.done:
            self._arrived.clear()

    def _read(self, page, what):
        if page.total is not None:
            self.total = page.total
        if page.offset == 0 and self._budget is not None:
            self.max_items = self._budget(self.job, self.total)
            if self.max_items is not None and self.max_items <= 0:
                self.done = True
                return
        added = self._add(page.items)
        self._next_to_read += self._page_size
        paging, size = self._paging, self._page_size
        if page.size >= self._page_size and added == 0:
            raise PaginationError(
                'the service returned no new %s %s (it seems to ignore %s); stopped after %d of %s'
                % (what, paging.where(page.offset, size), paging.parameter, len(self.items), self._reported()),
                request_id=page.request_id)
        if page.size < self._page_size:
            if page.total is not None and page.offset + page.size < page.total:
                raise PaginationError(
                    '%s has %d %s although the service reports %d in all; stopped after %d'
                    % (paging.page(page.offset, size), page.size, what, page.total, len(self.items)),
                    request_id=page.request_id)
            self.done = True
        elif self.total is not None and self._next_to_read >= self.total:
            self.done = True
        if self.max_items is not None and len(self.items) >= self.max_items:
            del self.items[self.max_items:]
            self.done = True
        elif not self.done and self._max_offset is not None and self._next_to_read >= self._max_offset:
            self.done = True
            self.capped = self.total is None or self.total > self._next_to_read

    def _add(self, items):
        """Items new by their key; those not kept (filtered out) count as new but are not listed."""
        added = 0
        for item, key, kept in items:
            if key is not None:
                if key in self._seen:
                    continue
                self._seen.add(key)
            if kept:
                self.items.append(item)
            added += 1
        return added

    def _reported(self):
        return 'unknown' if self.total is None else self.total

    def partial_items(self):
        """What was read, then pages that arrived after a gap (a failed page): nothing fetched is dropped."""
        for offset in sorted(self._arrived):
            self._add(self._arrived[offset].items)
        self._arrived.clear()
        return self.items


class _PageReader:
    """Fetches one page and checks its shape; runs in the pool's workers."""

    def __init__(self, fetch_page, page_size, items_key, total_key, id_key, transform, api, paging=OFFSETS,
                 keep=None):
        self.fetch_page = fetch_page
        self.paging = paging
        self.keep = keep
        self.page_size = page_size
        self.items_keys = (items_key,) if isinstance(items_key, str) else tuple(items_key)
        self.total_key = total_key
        self.id_key = id_key
        self.transform = transform
        self.api = api

    def __call__(self, listing, offset):
        try:
            response = self.fetch_page(listing.job, self.paging.argument(offset, self.page_size), self.page_size)
            return self.read(listing.job, offset, response), None
        except HuaweiCloudError as error:
            return None, error

    def read(self, job, offset, response):
        # A fetch_page may hand over the whole ApiResponse (for its request id) or just the decoded body; an answer
        # that names its API (one of two paths of the same API answered) is named so in shape errors.
        body = getattr(response, 'body', response)
        request_id = getattr(response, 'request_id', None)
        api = getattr(response, 'api', None) or self.api
        try:
            if not isinstance(body, dict):
                raise ShapeProblem('(body)', body, 'an object')
            key = next((name for name in self.items_keys if name in body), self.items_keys[0])
            raw_items = require_list(body, key)
            total = require_count(body, self.total_key) if self.total_key else None
            items = [self._item(job, key, index, raw) for index, raw in enumerate(raw_items)]
        except ShapeProblem as problem:
            raise shape_error(api, problem, request_id)
        return _Page(offset, items, len(raw_items), total, request_id)

    def _item(self, job, key, index, raw):
        where = '%s[%d]' % (key, index)
        if not isinstance(raw, dict):
            raise ShapeProblem(where, raw, 'an object')
        try:
            item = self.transform(job, raw) if self.transform else raw
            key = require_text(item, self.id_key) if self.id_key else None
        except ShapeProblem as problem:
            raise problem.within(where)
        return item, key, self.keep is None or bool(self.keep(job, item))


def fetch_many(jobs, fetch_page, page_size, items_key, total_key='total', id_key='id', transform=None, max_workers=1,
               api='the listing', subject=None, paging=OFFSETS):
    """List every item of several listings; returns ``[(job, items)]`` in the order of ``jobs``.

    ``fetch_page(job, offset, limit)`` returns one page (``fetch_page(job, page, size)`` with
    ``paging=PAGE_NUMBERS``): an ``ApiResponse`` (its request id then names a bad answer) or the decoded body.
    ``items_key`` is the list's key, or a tuple of the keys the API may use (the first present is read).
    ``total_key`` is None when the API documents no total. ``transform(job, raw_item)`` shapes an item and may
    raise a ``ShapeProblem``; the shaped item must carry ``id_key`` (None: no id, no de-dup). ``api`` names the API
    in shape errors (``DBSS GET /v1/{project_id}/audit/instances``); ``subject`` (a ``concurrency.Subject``) names
    the jobs in messages. When listings fail, the others still complete, and one error names every failed job and
    carries every item fetched as ``partial_results``.
    """
    listings = run_listings(jobs, fetch_page, page_size, items_key, total_key, id_key, transform, max_workers, api,
                            subject, paging)
    failures = [(listing.job, listing.error) for listing in listings if listing.error is not None]
    if failures:
        raise failure_of(failures, [item for listing in listings for item in listing.items], subject)
    return [(listing.job, listing.items) for listing in listings]


def run_listings(jobs, fetch_page, page_size, items_key, total_key='total', id_key='id', transform=None,
                 max_workers=1, api='the listing', subject=None, paging=OFFSETS, max_offset=None, budget=None,
                 keep=None):
    """Run every listing of ``jobs`` (see :func:`fetch_many`) to its end and raise nothing: one outcome per job, in
    order, each with ``job``, ``items`` (on a failure, every item that did arrive), ``total``, ``error`` (a
    ``HuaweiCloudError`` or None) and ``capped``.

    ``max_offset``: no record at or beyond it is asked for (a service that serves at most that many records of
    one query); a listing stopped there while the service reports more is ``capped``. ``budget(job, total)`` is
    asked once the first page is read: how many items are wanted at most (None: all; 0: none, stop now).
    ``keep(job, item)``: items it refuses are checked and de-duplicated like any other, then left out (and do
    not count towards the budget); a page of only refused items is still a page of new items.
    """
    reader = _PageReader(fetch_page, page_size, items_key, total_key, id_key, transform, api, paging, keep)
    what = reader.items_keys[0]
    listings = [_Listing(job, subject.context(job) if subject else None, page_size, max_workers, paging, max_offset,
                         budget) for job in jobs]
    _schedule(listings, reader, what, max_workers)
    for listing in listings:
        if listing.error is not None:
            listing.items = listing.partial_items()
    return listings


def _schedule(listings, reader, what, max_workers):
    """Run every listing's requests on at most ``max_workers`` threads. Later pages of a listing go to the front of
    the queue: a listing started is finished first, and its pages never wait for other listings' first pages."""
    queue = deque((listing, offset) for listing in listings for offset in listing.requests_due())

    def follow_up(listing):
        queue.extendleft(reversed([(listing, offset) for offset in listing.requests_due()]))

    if max_workers <= 1 or len(queue) == 0:
        while queue:
            listing, offset = queue.popleft()
            if listing.stopped:
                continue
            page, error = reader(listing, offset)
            listing.receive(page, error, what)
            follow_up(listing)
        return
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        in_flight = {}
        while queue or in_flight:
            while queue and len(in_flight) < max_workers:
                listing, offset = queue.popleft()
                if not listing.stopped:
                    in_flight[pool.submit(reader, listing, offset)] = listing
            if not in_flight:
                continue
            done, _pending = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                listing = in_flight.pop(future)
                page, error = future.result()
                listing.receive(page, error, what)
                follow_up(listing)


def fetch_all(fetch_page, page_size, items_key, total_key='total', id_key='id', transform=None, max_workers=1,
              api='the listing'):
    """Every item of one listing. ``fetch_page(offset, limit)``; ``transform(raw_item)``."""
    [(_job, items)] = fetch_many(
        [None], lambda _job, offset, limit: fetch_page(offset, limit), page_size, items_key, total_key, id_key,
        (lambda _job, raw: transform(raw)) if transform else None, max_workers, api)
    return items


def filtered(fetch, keep):
    """``keep(fetch())``; when ``fetch`` fails, ``keep`` also applies to the partial results the error carries."""
    try:
        return keep(fetch())
    except HuaweiCloudError as error:
        error.partial_results = keep(error.partial_results or [])
        raise
