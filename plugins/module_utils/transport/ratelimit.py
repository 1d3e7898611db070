# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Adaptive client-side flow control: send no faster than the API gateway accepts.

Huawei Cloud's API gateway refuses requests beyond a per-user rate with ``429 APIGW.0308`` and no
``Retry-After``. Retrying alone wastes requests, and those refused requests also eat the share of every other tool
using the same account. The idea is botocore's "adaptive" retry mode: a client-side token bucket whose rate

* is unbounded (no pacing at all) until the first throttling answer, or the user's ceiling if one is set;
* falls multiplicatively on a throttling answer, to ``beta`` times the rate the gateway was accepting (or the
  client sending, if lower);
* then grows back along a CUBIC curve while no throttling comes: quickly up to the rate that was refused, then
  slowly around it, then faster again, so it follows a limit that rises.

One limiter serves one service endpoint for one client run and is shared by every thread of the pool.
"""

import collections
import math
import threading
import time

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError

THROTTLED_STATUS = 429
# TCP CUBIC's constants, as botocore uses them: the multiplicative decrease and the growth scale.
BETA = 0.7
SCALE = 0.4
# Never pace slower than this (requests a second), whatever the answers say.
MIN_RATE = 0.5
# The send rate is measured over this many seconds of recent requests.
MEASURE_WINDOW = 1.0
# A rate may not grow beyond this multiple of what the client really sends: a rate reached while demand was
# low must not turn into a burst of refused requests when demand returns.
MAX_GROWTH_OVER_MEASURED = 2.0


def check_max_requests_per_second(value, option='max_requests_per_second'):
    """The ceiling as a float, or None for none; a clear one-line error for anything but a finite number > 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float('nan')
    if isinstance(value, bool) or not math.isfinite(number) or number <= 0:
        raise HuaweiCloudConfigError('%s must be a finite number of requests a second greater than 0, got %s'
                                     % (option, value))
    return number


def is_throttled(status):
    return status == THROTTLED_STATUS


class SendTicket:
    """When a request may be sent, and how many times the rate had been cut when its slot was given."""

    __slots__ = ('send_at', 'cuts')

    def __init__(self, send_at, cuts):
        self.send_at = send_at
        self.cuts = cuts


class AdaptiveRateLimiter:
    """Paces requests (a token bucket without burst: one slot every ``1 / rate`` seconds) at a rate that adapts
    to throttling answers; thread-safe.

    ``acquire()`` blocks the calling thread until it may send and returns a :class:`SendTicket`;
    ``record(ticket, throttled)`` reports how that request was answered.
    """

    def __init__(self, max_rate=None, clock=time.monotonic, sleep=time.sleep, beta=BETA, scale=SCALE,
                 min_rate=MIN_RATE, window=MEASURE_WINDOW):
        self.max_rate = check_max_requests_per_second(max_rate)
        self._clock = clock
        self._sleep = sleep
        self._beta = beta
        self._scale = scale
        self._min_rate = min(min_rate, self.max_rate) if self.max_rate else min_rate
        self._window = window
        self._lock = threading.Lock()
        # None: unbounded, no pacing (until the first throttling answer, when no ceiling is set).
        self._rate = self.max_rate
        self._next_send = None
        # Send times, and times of answers that were not refused, over the last measuring window.
        self._sends = collections.deque()
        self._accepted = collections.deque()
        # CUBIC state: the rate that was refused and when the rate was last cut.
        self._refused_rate = None
        self._last_cut = None
        self.throttles = 0
        self.decreases = 0

    @property
    def rate(self):
        """The current pace in requests a second, or None while unbounded."""
        with self._lock:
            return self._rate

    def acquire(self):
        """Wait for this request's turn; return its ticket for ``record()``."""
        with self._lock:
            now = self._clock()
            send_at = now
            if self._rate is not None:
                # Slots are reserved under the lock and waited for outside it, so threads never queue on the lock
                # and each gets its own slot; no credit builds up while idle (no burst after a pause).
                if self._next_send is not None and self._next_send > now:
                    send_at = self._next_send
                self._next_send = send_at + 1.0 / self._rate
            self._forget_before(now - self._window)
            self._sends.append(send_at)
            ticket = SendTicket(send_at, self.decreases)
        if send_at > now:
            self._sleep(send_at - now)
        return ticket

    def record(self, ticket, throttled):
        """Adapt the rate to the answer of the request that ``acquire()`` gave ``ticket``."""
        with self._lock:
            now = self._clock()
            self._forget_before(now - self._window)
            if throttled:
                self.throttles += 1
                # A request whose slot was given before the last cut was paced at the old rate, even if it left
                # after the cut: its refusal is no news.
                if ticket.cuts == self.decreases:
                    self._decrease(now)
            else:
                self._accepted.append(now)
                if self._rate is not None and self._last_cut is not None:
                    self._grow(now)

    def _measured_rates(self, now):
        """Requests a second sent, and answered without refusal, over the recent window (or since the first of them
        if sooner); ``(None, None)`` before any request."""
        self._forget_before(now - self._window)
        if not self._sends:
            return None, None
        # A tenth of the window at least: requests sent at the same instant are not an infinite rate.
        span = min(self._window, max(now - self._sends[0], self._window / 10.0))
        return len(self._sends) / span, (len(self._accepted) / span if self._accepted else None)

    def _forget_before(self, moment):
        # Bounded memory: only the window's times are kept, however long the run.
        for times in (self._sends, self._accepted):
            while times and times[0] < moment:
                times.popleft()

    def _decrease(self, now):
        # The gateway's limit is at most what it accepted: cutting from there (not from the rate that overshot it)
        # brings the pace under the limit at once, where cutting from the overshoot takes a cascade of refusals.
        sent, accepted = self._measured_rates(now)
        candidates = [rate for rate in (sent, accepted, self._rate) if rate is not None]
        refused = min(candidates) if candidates else self._min_rate
        self._refused_rate = refused
        self._rate = self._bounded(refused * self._beta)
        self._last_cut = now
        self.decreases += 1
        # The gateway has just refused: the next request waits one interval of the new, slower pace.
        self._next_send = max(self._next_send or now, now + 1.0 / self._rate)

    def _grow(self, now):
        # CUBIC: W(t) = C (t - K)^3 + W_max, K = cbrt(W_max (1 - beta) / C); W(0) = beta W_max.
        elapsed = now - self._last_cut
        refused = self._refused_rate
        k = (refused * (1.0 - self._beta) / self._scale) ** (1.0 / 3.0)
        cubic = self._scale * (elapsed - k) ** 3 + refused
        sent, _accepted = self._measured_rates(now)
        if sent is not None:
            cubic = min(cubic, MAX_GROWTH_OVER_MEASURED * sent)
        # Growth only: a slow spell of demand never lowers the rate, only a throttling answer does.
        self._rate = self._bounded(max(self._rate, cubic))

    def _bounded(self, rate):
        rate = max(self._min_rate, rate)
        return min(rate, self.max_rate) if self.max_rate else rate


class FlowControl:
    """One adaptive limiter per service endpoint for one client run, created on first use, shared by threads."""

    def __init__(self, max_rate=None, clock=time.monotonic, sleep=time.sleep):
        self.max_rate = check_max_requests_per_second(max_rate)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._limiters = {}

    def limiter_for(self, endpoint):
        with self._lock:
            limiter = self._limiters.get(endpoint)
            if limiter is None:
                limiter = self._limiters[endpoint] = AdaptiveRateLimiter(self.max_rate, self._clock, self._sleep)
            return limiter

    def limiters(self):
        with self._lock:
            return dict(self._limiters)
