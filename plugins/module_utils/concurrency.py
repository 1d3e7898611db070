# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The bound on parallel requests that modules and plugins expose as the ``concurrency`` option."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import HuaweiCloudConfigError, HuaweiCloudError

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64


def check_concurrency(value, option='concurrency'):
    if value is None:
        return DEFAULT_CONCURRENCY
    if not 1 <= int(value) <= MAX_CONCURRENCY:
        raise HuaweiCloudConfigError('%s must be between 1 and %d, got %s' % (option, MAX_CONCURRENCY, value))
    return int(value)


def run_bounded(func, items, max_workers):
    """``[(func(item), None) or (None, HuaweiCloudError)]`` in the order of ``items``, at most ``max_workers``
    calls at a time; a failed call never cancels the others, so nothing already fetched is lost."""
    items = list(items)

    def call(item):
        try:
            return func(item), None
        except HuaweiCloudError as error:
            return None, error

    if max_workers <= 1 or len(items) <= 1:
        return [call(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items))) as pool:
        return list(pool.map(call, items))


def map_bounded(func, items, max_workers):
    """``[func(item)]`` in order; the first ``HuaweiCloudError`` is raised once every call has finished,
    carrying the results that did arrive as ``partial_results``."""
    outcomes = run_bounded(func, items, max_workers)
    failures = [error for _result, error in outcomes if error is not None]
    if failures:
        failures[0].partial_results = [result for result, error in outcomes if error is None]
        raise failures[0]
    return [result for result, _error in outcomes]
