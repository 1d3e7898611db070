# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Offset/limit listing: every page, each item once, and a guaranteed end.

``offset`` counts records, not pages. Listing stops on the reported total or on a short page. A full page that
brings nothing new means the server ignores ``offset``: that raises instead of looping forever. Whatever was
fetched before a failure travels with the error as ``partial_results``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import HuaweiCloudError, PaginationError


class _Collector:
    """Accumulates items in page order, de-duplicated by id."""

    def __init__(self, id_key, transform):
        self.items = []
        self._seen = set()
        self._id_key = id_key
        self._transform = transform

    def add_page(self, raw_items):
        added = 0
        for raw in raw_items:
            item = self._transform(raw) if self._transform else raw
            key = item.get(self._id_key) if isinstance(item, dict) else None
            if key is not None:
                if key in self._seen:
                    continue
                self._seen.add(key)
            self.items.append(item)
            added += 1
        return added


def _page_items(body, items_key):
    items = body.get(items_key) if isinstance(body, dict) else None
    return items if isinstance(items, list) else []


def _page_total(body, total_key):
    total = body.get(total_key) if isinstance(body, dict) else None
    try:
        return int(total) if total is not None else None
    except (TypeError, ValueError):
        return None


def fetch_all(fetch_page, page_size, items_key, total_key='total', id_key='id', transform=None, max_workers=1):
    """Return every item of a listing.

    ``fetch_page(offset, limit)`` returns one decoded page. With ``max_workers`` > 1 the pages after the first
    (which tells the total) are fetched concurrently, one request each.
    """
    collector = _Collector(id_key, transform)
    offset = 0
    total = None
    try:
        while True:
            if max_workers > 1 and total is not None and offset < total:
                bodies = _fetch_concurrently(fetch_page, page_size, range(offset, total, page_size), max_workers,
                                             collector, items_key)
            else:
                bodies = [fetch_page(offset, page_size)]
            for body in bodies:
                page = _page_items(body, items_key)
                total = _page_total(body, total_key)
                added = collector.add_page(page)
                offset += page_size
                if len(page) >= page_size and added == 0:
                    raise PaginationError(
                        'the service returned no new %s at offset %d (it seems to ignore offset); stopped after %d of %s'
                        % (items_key, offset - page_size, len(collector.items), 'unknown' if total is None else total))
            if len(page) < page_size or (total is not None and offset >= total):
                return collector.items
    except HuaweiCloudError as error:
        error.partial_results = list(collector.items)
        raise


def _fetch_concurrently(fetch_page, page_size, offsets, max_workers, collector, items_key):
    """The pages at ``offsets``, in order. On a failure, the pages that did arrive are kept before raising."""
    offsets = list(offsets)
    with ThreadPoolExecutor(max_workers=min(max_workers, len(offsets))) as pool:
        futures = [pool.submit(fetch_page, page_offset, page_size) for page_offset in offsets]
        outcomes = []
        for future in futures:
            try:
                outcomes.append((future.result(), None))
            except HuaweiCloudError as error:
                outcomes.append((None, error))
    failures = [error for body, error in outcomes if error is not None]
    if failures:
        for body, error in outcomes:
            if body is not None:
                collector.add_page(_page_items(body, items_key))
        raise failures[0]
    return [body for body, error in outcomes]
