# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The bound on parallel requests that modules and plugins expose as the ``concurrency`` option, and how the
failures of a fan-out (many instances, one request or listing each) become one error that names each of them."""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, HuaweiCloudError

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64
# Failures told in full in a combined message; beyond these, the message still names every one, without detail.
FAILURES_IN_DETAIL = 10


def check_concurrency(value, option='concurrency'):
    if value is None:
        return DEFAULT_CONCURRENCY
    if not 1 <= int(value) <= MAX_CONCURRENCY:
        raise HuaweiCloudConfigError('%s must be between 1 and %d, got %s' % (option, MAX_CONCURRENCY, value))
    return int(value)


class Subject:
    """What the items of a fan-out are, to name them in messages: ``Subject('audit instance', 'audit instances')``.
    ``name_of(item)`` is the name of one item (default: the item itself, e.g. an instance id)."""

    def __init__(self, singular, plural, name_of=None):
        self.singular = singular
        self.plural = plural
        self._name_of = name_of or (lambda item: item)

    def name(self, item):
        return str(self._name_of(item))

    def context(self, item):
        return '%s %s' % (self.singular, self.name(item))


class FanOutError(HuaweiCloudError):
    """Several items of a fan-out failed. ``failures`` is ``[(name, error)]``, one per item; ``status``,
    ``error_code`` and ``request_id`` are the first failure's, and the message tells each failure."""

    def __init__(self, message, failures, partial_results=None):
        first = failures[0][1]
        super(FanOutError, self).__init__(message, status=first.status, error_code=first.error_code,
                                          request_id=first.request_id, partial_results=partial_results)
        self.failures = failures

    def __str__(self):
        # Each failure already carries its own status, code and request id in the message.
        return self.message


def _without_context(error):
    context, error.context = error.context, None
    try:
        return str(error)
    finally:
        error.context = context


def failure_of(failures, partial_results, subject=None):
    """The error to raise for ``failures``, ``[(item, HuaweiCloudError)]`` in item order, carrying
    ``partial_results``. One failed item: its own error. Several: ``3 audit instances failed: a: HTTP 404 ...;
    b: ...; c: ...``. An item that failed more than once (several pages, several time windows) is told once."""
    by_name = []
    named = set()
    for item, error in failures:
        if subject is not None:
            name, detail = subject.name(item), _without_context(error)
        else:
            name, detail = error.context, _without_context(error) if error.context else str(error)
        if name is not None and name in named:
            continue
        named.add(name)
        by_name.append((name, detail, error))
    if len(by_name) == 1:
        error = by_name[0][2]
        error.partial_results = partial_results
        return error
    told = ['%s: %s' % (name, detail) if name is not None else detail for name, detail, _error in by_name[:FAILURES_IN_DETAIL]]
    rest = [name or '?' for name, _detail, _error in by_name[FAILURES_IN_DETAIL:]]
    if rest:
        told.append('and %d more: %s' % (len(rest), ', '.join(rest)))
    message = '%d %s failed: %s' % (len(by_name), subject.plural if subject else 'requests', '; '.join(told))
    return FanOutError(message, [(name, error) for name, _detail, error in by_name], partial_results)


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


def map_bounded(func, items, max_workers, subject=None):
    """``[func(item)]`` in order. Failures are raised once every call has finished, as one error that names each
    failed item (see :func:`failure_of`) and carries the results that did arrive as ``partial_results``."""
    items = list(items)
    outcomes = run_bounded(func, items, max_workers)
    failures = [(item, error) for item, (_result, error) in zip(items, outcomes) if error is not None]
    if failures:
        raise failure_of(failures, [result for result, error in outcomes if error is None], subject)
    return [result for result, _error in outcomes]
