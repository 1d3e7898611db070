# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""When and how long to wait before retrying a Huawei Cloud request.

Only the decision lives here (pure, injectable clock and randomness); the HTTP loop that acts on it is in
``client.py``.
"""

import email.utils
import random
import time

# Throttling (API Gateway APIGW.0308) and transient server or gateway failures.
RETRYABLE_STATUS_CODES = frozenset((429, 500, 502, 503, 504))
IDEMPOTENT_METHODS = frozenset(('GET', 'HEAD', 'OPTIONS'))


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or ``None``."""
    if value is None:
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class RetryPolicy:
    """Capped exponential backoff with jitter; a server's ``Retry-After`` wins, up to ``max_retry_after``."""

    def __init__(self, max_retries=5, base_delay=0.5, max_delay=20.0, max_retry_after=120.0, rand=None):
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self._rand = rand or random.random

    def should_retry(self, attempt, status=None, idempotent=True):
        """``attempt`` counts retries already made; ``status`` is None for a connection error or timeout."""
        if not idempotent or attempt >= self.max_retries:
            return False
        return status is None or status in RETRYABLE_STATUS_CODES

    def delay(self, attempt, retry_after=None):
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        ceiling = min(self.max_delay, self.base_delay * (2 ** attempt))
        # "Equal jitter": never less than half the backoff, so concurrent clients spread out but still back off.
        return ceiling / 2.0 + self._rand() * ceiling / 2.0
