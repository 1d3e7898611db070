# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Offset/limit listing: every page, each item once, a guaranteed end, and no request beyond the minimum.

``offset`` counts records, not pages. A listing ends on the reported total or on a short page. A full page that
brings nothing new means the server ignores ``offset``: that raises instead of looping forever. Whatever was
fetched before a failure travels with the error as ``partial_results``.

Several listings (the scopes of many instances, the audit logs of many time windows) share one bounded thread
pool: first every listing's first page, which tells its total, then all remaining pages side by side.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.concurrency import run_bounded
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import HuaweiCloudError, PaginationError


class _Listing:
    """One listing's progress: its items in page order, de-duplicated by id."""

    def __init__(self, job, id_key, transform):
        self.job = job
        self.items = []
        self.total = None
        self.next_offset = 0
        self.last_page_size = None
        self._seen = set()
        self._id_key = id_key
        self._transform = transform

    def add_page(self, body, items_key, total_key, page_size):
        page = _page_items(body, items_key)
        self.total = _page_total(body, total_key)
        added = 0
        for raw in page:
            item = self._transform(self.job, raw) if self._transform else raw
            key = item.get(self._id_key) if isinstance(item, dict) else None
            if key is not None:
                if key in self._seen:
                    continue
                self._seen.add(key)
            self.items.append(item)
            added += 1
        self.next_offset += page_size
        self.last_page_size = len(page)
        if len(page) >= page_size and added == 0:
            raise PaginationError(
                'the service returned no new %s at offset %d (it seems to ignore offset); stopped after %d of %s'
                % (items_key, self.next_offset - page_size, len(self.items),
                   'unknown' if self.total is None else self.total))

    def finished(self, page_size):
        return self.last_page_size is not None and (
            self.last_page_size < page_size or (self.total is not None and self.next_offset >= self.total))

    def next_offsets(self, page_size, concurrent):
        if concurrent and self.total is not None:
            return list(range(self.next_offset, self.total, page_size))
        return [self.next_offset]


def _page_items(body, items_key):
    items = body.get(items_key) if isinstance(body, dict) else None
    return items if isinstance(items, list) else []


def _page_total(body, total_key):
    total = body.get(total_key) if isinstance(body, dict) else None
    try:
        return int(total) if total is not None else None
    except (TypeError, ValueError):
        return None


def fetch_many(jobs, fetch_page, page_size, items_key, total_key='total', id_key='id', transform=None, max_workers=1):
    """List every item of several listings; returns ``[(job, items)]`` in the order of ``jobs``.

    ``fetch_page(job, offset, limit)`` returns one decoded page; ``transform(job, raw_item)`` shapes an item.
    """
    listings = [_Listing(job, id_key, transform) for job in jobs]
    try:
        pending = [(listing, 0) for listing in listings]
        while pending:
            outcomes = run_bounded(lambda request: fetch_page(request[0].job, request[1], page_size), pending, max_workers)
            failure = None
            # Pages that did arrive count as fetched data even when another page of the round failed.
            for (listing, _offset), (body, error) in zip(pending, outcomes):
                if error is not None:
                    failure = failure or error
                else:
                    listing.add_page(body, items_key, total_key, page_size)
            if failure is not None:
                raise failure
            pending = [(listing, offset) for listing in listings if not listing.finished(page_size)
                       for offset in listing.next_offsets(page_size, max_workers > 1)]
        return [(listing.job, listing.items) for listing in listings]
    except HuaweiCloudError as error:
        error.partial_results = [item for listing in listings for item in listing.items]
        raise


def fetch_all(fetch_page, page_size, items_key, total_key='total', id_key='id', transform=None, max_workers=1):
    """Every item of one listing. ``fetch_page(offset, limit)``; ``transform(raw_item)``."""
    [(_job, items)] = fetch_many(
        [None], lambda _job, offset, limit: fetch_page(offset, limit), page_size, items_key, total_key, id_key,
        (lambda _job, raw: transform(raw)) if transform else None, max_workers)
    return items


def filtered(fetch, keep):
    """``keep(fetch())``; when ``fetch`` fails, ``keep`` also applies to the partial results the error carries."""
    try:
        return keep(fetch())
    except HuaweiCloudError as error:
        error.partial_results = keep(error.partial_results or [])
        raise
