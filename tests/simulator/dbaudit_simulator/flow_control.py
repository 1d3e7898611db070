"""API Gateway flow control: a token bucket per credential that answers 429 APIGW.0308 beyond the allowed rate.

Huawei Cloud's gateway limits each user to a number of requests a second and refuses the excess with
``429 APIGW.0308`` and no ``Retry-After``. Off unless a rate is configured (``--rate-limit``).
"""

import hashlib
import math
import re
import threading
import time

_ACCESS_KEY = re.compile(r"Access=([^,\s]+)")


def default_burst(rate):
    """A small burst: about 200 ms worth of requests, at least one."""
    return max(1, int(math.ceil(rate / 5.0)))


def check_rate_limit(rate, burst):
    """The validated ``(rate, burst)``; a rate of 0 (or None) turns flow control off."""
    if rate is None or rate == 0:
        return 0.0, 0
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not math.isfinite(rate) or rate < 0:
        raise ValueError("rate_limit must be a finite number of requests a second >= 0 (0 = off), got %r" % (rate,))
    if burst is None or burst == 0:
        burst = default_burst(rate)
    if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        raise ValueError("rate_limit_burst must be an integer >= 1 (0 = default), got %r" % (burst,))
    return float(rate), burst


def credential_key(headers):
    """Whom the gateway counts a request against: the AK it claims, else its token (hashed), else anonymous."""
    match = _ACCESS_KEY.search(headers.get("authorization", ""))
    if match:
        return "ak:" + match.group(1)
    token = headers.get("x-auth-token")
    if token:
        return "token:" + hashlib.sha256(token.strip().encode("utf-8")).hexdigest()[:16]
    return "anonymous"


class _Bucket:
    __slots__ = ("tokens", "updated")

    def __init__(self, tokens, updated):
        self.tokens = tokens
        self.updated = updated


class FlowControl:
    """Token buckets (``rate`` tokens a second, at most ``burst``) keyed by credential; thread-safe."""

    def __init__(self, rate=0.0, burst=0, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets = {}
        self.rate, self.burst = check_rate_limit(rate, burst)
        self.admitted = 0
        self.throttled = 0

    @property
    def enabled(self):
        return self.rate > 0

    def configure(self, rate, burst=0):
        rate, burst = check_rate_limit(rate, burst)
        with self._lock:
            self.rate, self.burst = rate, burst
            self._buckets = {}

    def reset_counters(self):
        with self._lock:
            self.admitted = 0
            self.throttled = 0

    def admit(self, key):
        """True when the request may pass (a token is taken), False when it is throttled."""
        with self._lock:
            if self.rate <= 0:
                return True
            now = self._clock()
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(float(self.burst), now)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                self.admitted += 1
                return True
            self.throttled += 1
            return False

    def describe(self):
        with self._lock:
            return {"rate_limit": self.rate, "rate_limit_burst": self.burst, "admitted": self.admitted,
                    "throttled": self.throttled}
