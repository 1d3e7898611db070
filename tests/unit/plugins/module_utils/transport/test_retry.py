"""The retry decision: which failures, how long, and Retry-After."""

import email.utils

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.retry import RetryPolicy, parse_retry_after


@pytest.mark.parametrize('status', [429, 500, 502, 503, 504, None])
def test_retryable_failures(status):
    assert RetryPolicy(max_retries=2).should_retry(0, status)


@pytest.mark.parametrize('status', [400, 401, 403, 404, 409, 501])
def test_client_errors_are_not_retried(status):
    assert not RetryPolicy(max_retries=2).should_retry(0, status)


def test_stops_after_max_retries_and_never_retries_non_idempotent():
    policy = RetryPolicy(max_retries=2)
    assert policy.should_retry(1, 503)
    assert not policy.should_retry(2, 503)
    assert not policy.should_retry(0, 503, idempotent=False)
    assert not RetryPolicy(max_retries=0).should_retry(0, 429)


def test_backoff_grows_exponentially_is_capped_and_jittered():
    low = RetryPolicy(base_delay=1.0, max_delay=8.0, rand=lambda: 0.0)
    high = RetryPolicy(base_delay=1.0, max_delay=8.0, rand=lambda: 0.999999)
    assert [low.delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert [round(high.delay(n), 3) for n in range(5)] == [1.0, 2.0, 4.0, 8.0, 8.0]


def test_retry_after_wins_but_is_capped():
    policy = RetryPolicy(base_delay=1.0, max_retry_after=60.0, rand=lambda: 0.5)
    assert policy.delay(0, retry_after=7.0) == 7.0
    assert policy.delay(3, retry_after=0.0) == 0.0
    assert policy.delay(0, retry_after=3600.0) == 60.0


def test_parse_retry_after_forms():
    assert parse_retry_after('3') == 3.0
    assert parse_retry_after('1.5') == 1.5
    assert parse_retry_after('-4') == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after('soon') is None
    date = email.utils.formatdate(1000030, usegmt=True)
    assert parse_retry_after(date, now=1000000) == 30.0
