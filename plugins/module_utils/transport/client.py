# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP boundary of the collection: every Huawei Cloud request goes through ``HuaweiCloudClient``.

It owns the pooled ``requests.Session``, endpoint resolution, authentication (including the lazy password
token and project id lookup), retries and the translation of failed answers into ``HuaweiCloudError``.
"""

import json
import threading
import time
import traceback
from urllib.parse import quote, urlsplit

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport import iam
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.agency import AgencyCredentials, AssumedAuth
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.auth import AkSkAuth, TokenAuth
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.bounded_http import (
    MAX_RESPONSE_BYTES,
    RequestDeadline,
    ResponseTooLarge,
    exception_detail,
    new_session,
    read_body,
    send_streamed,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import AUTH_AKSK, AUTH_PASSWORD, check_id, without_userinfo
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import (
    HuaweiCloudError,
    clip,
    decode_json,
    error_from_response,
    request_id_from_headers,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.ratelimit import FlowControl, is_throttled
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.redaction import Redactor
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.retry import IDEMPOTENT_METHODS, RetryPolicy, parse_retry_after
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.signer import canonical_query

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

USER_AGENT = 'hwcloud.dbaudit-ansible-collection/1.0.0'


def api_path(*segments):
    """``/seg1/seg2/...`` with each segment percent-encoded, so ids can never inject path or query syntax.

    An empty segment, ``.`` or ``..`` is refused (``config.check_id``): the last line of defence, after modules
    have checked their ID options by name."""
    for segment in segments:
        check_id(segment, 'an ID in the request path /%s' % '/'.join(clip(part, 40) for part in segments))
    return '/' + '/'.join(quote(str(segment), safe='~') for segment in segments)


class ApiResponse:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def request_id(self):
        return request_id_from_headers(self.headers)


class HuaweiCloudClient:
    """A thread-safe client: pages and instances may be fetched concurrently through one pooled session."""

    def __init__(self, config, session=None, log=None, retry_policy=None, sleep=time.sleep, pool_size=10,
                 flow_control=None, credentials=None):
        self.config = config
        # Adaptive pacing, one limiter per endpoint shared by every thread of this run (ratelimit.py).
        self.flow_control = flow_control or FlowControl(getattr(config, 'max_requests_per_second', None))
        self.retry_policy = retry_policy or RetryPolicy(max_retries=config.max_retries)
        self.requests_sent = 0
        self._log = log or (lambda message: None)
        self._sleep = sleep
        # Every credential held at run time: configured ones now, issued tokens as they arrive.
        self.secrets = Redactor(config.secrets())
        self._session = session or new_session(pool_size)
        self._lock = threading.RLock()
        self._auth = None
        self._project_id = config.project_id
        # An agency's temporary credentials (agency.py): given (shared by the clients of one account), or built here
        # from config.agency and closed with this client.
        self._owns_credentials = credentials is None and getattr(config, 'agency', None) is not None
        if self._owns_credentials:
            credentials = agency_credentials(config, log=self._log, sleep=sleep)
        self._credentials = credentials
        if credentials is not None:
            credentials.secrets.subscribe(self.secrets.add)

    def connection_settings(self):
        """``(timeout, verify)``: the wait timeout in seconds and the TLS verification of this client's connections,
        for the sessions a run opens beside it (storage downloads): the same limits and trust, none of its headers."""
        return self.config.timeout, self.config.verify

    def serves_plain_http(self, service):
        """Whether the configured endpoint of ``service`` is plain ``http:`` (a local simulator or test server): the
        only case in which links that service hands out may be plain http too."""
        return self.config.endpoints[service].startswith('http:')

    def close(self):
        self._session.close()
        if self._owns_credentials:
            self._credentials.close()

    @property
    def project_id(self):
        """The configured project id, else the password token's project, else IAM's project for the region."""
        with self._lock:
            if self._project_id is None:
                self._authenticator()
            if self._project_id is None:
                self._project_id = iam.lookup_project_id(self, self.config.region)
            return self._project_id

    def _authenticator(self):
        with self._lock:
            if self._auth is None:
                config = self.config
                if self._credentials is not None:
                    self._auth = AssumedAuth(self._credentials)
                elif config.auth_method == AUTH_AKSK:
                    self._auth = AkSkAuth(config.access_key, config.secret_key, config.security_token)
                elif config.auth_method == AUTH_PASSWORD:
                    token, token_project = iam.issue_password_token(
                        self, config.user_name, config.password, config.domain_name, config.region, config.project_id)
                    self.secrets.add(token)
                    self._project_id = self._project_id or token_project
                    self._auth = TokenAuth(token)
                else:
                    self._auth = TokenAuth(config.auth_token)
            return self._auth

    def get(self, service, path, query=None):
        """GET a JSON document; ``query`` is a dict or list of pairs (values are sent as strings)."""
        return self.request('GET', service, path, query=query).body

    def request(self, method, service, path, query=None, json_body=None, expected_status=None, authenticate=True,
                idempotent=None):
        method = method.upper()
        idempotent = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        base = self.config.endpoints[service]
        base_parts = urlsplit(base)
        full_path = base_parts.path + path
        query_string = canonical_query(query)
        url = base + path + ('?' + query_string if query_string else '')
        body = json.dumps(json_body).encode('utf-8') if json_body is not None else b''
        auth = self._authenticator() if authenticate else None
        label = '%s %s' % (method, path)
        limiter = self.flow_control.limiter_for(base_parts.netloc)

        attempt = 0
        while True:
            send_ticket = limiter.acquire()
            headers = {'Content-Type': 'application/json;charset=UTF-8', 'User-Agent': USER_AGENT}
            if authenticate and self._project_id:
                headers['X-Project-Id'] = self._project_id
            if auth is not None:
                # Signed anew on every attempt: a retry after a long Retry-After must carry a fresh X-Sdk-Date.
                headers = auth.headers_for(method, base_parts.netloc, full_path, query, headers, body)
            with self._lock:
                self.requests_sent += 1
            try:
                status, response_headers, text = self._exchange(method, url, headers, body, base_parts.netloc)
            except _RetryableFailure as failure:
                reason = self._scrub(str(failure))
                if self.retry_policy.should_retry(attempt, None, idempotent):
                    attempt = self._wait_before_retry(label, attempt, reason, None)
                    continue
                raise HuaweiCloudError('%s%s' % (reason, self._gave_up(attempt)), method=method, path=path)

            limiter.record(send_ticket, is_throttled(status))
            ok = status in expected_status if expected_status else 200 <= status < 300
            if not ok:
                if self.retry_policy.should_retry(attempt, status, idempotent):
                    error = error_from_response(status, response_headers, text)
                    retry_after = parse_retry_after(response_headers.get('Retry-After'))
                    attempt = self._wait_before_retry(label, attempt, self._scrub(str(error)), retry_after)
                    continue
                error = error_from_response(status, response_headers, text, method, path, retries=attempt)
                if 300 <= status < 400:
                    # Never followed: a redirect would carry the signature or token to wherever it points.
                    error.message = 'redirect to %s not followed; set the endpoint to the URL that answers (%s)' % (
                        clip(without_userinfo(response_headers.get('Location') or 'nowhere'), 200), error.message)
                error.message = self._scrub(error.message)
                raise error
            document = decode_json(text)
            if not isinstance(document, dict):
                error = error_from_response(status, response_headers, text, method, path)
                error.message = 'expected a JSON object, got ' + self._scrub(error.message)
                raise error
            return ApiResponse(status, response_headers, document)

    def _exchange(self, method, url, headers, body, netloc):
        """``(status, headers, text)`` of one request, bounded in time (connect to last byte) and size.

        Raises ``_RetryableFailure`` for what another attempt may cure (connection failures, the deadline) and
        ``HuaweiCloudError`` for what it cannot (a certificate, an oversized answer)."""
        timeout = self.config.timeout
        try:
            with RequestDeadline(timeout) as deadline:
                try:
                    response = send_streamed(self._session, method, url, headers, body,
                                             (deadline.remaining(), deadline.remaining()), self.config.verify)
                    try:
                        content = read_body(response)
                    finally:
                        response.close()
                except (requests.exceptions.RequestException, OSError) as exc:
                    if deadline.expired or isinstance(exc, requests.exceptions.ReadTimeout):
                        raise _RetryableFailure(_late(netloc, timeout))
                    raise
                if deadline.expired:
                    # The watchdog cut the body short; what arrived is not the answer.
                    raise _RetryableFailure(_late(netloc, timeout))
        except ResponseTooLarge as exc:
            raise HuaweiCloudError('response too large: %s, more than the %d MiB this collection accepts'
                                   % (exc, MAX_RESPONSE_BYTES // (1024 * 1024)), method=method,
                                   path=urlsplit(url).path)
        except requests.exceptions.SSLError as exc:
            # A certificate that does not verify will not verify on a retry either.
            raise HuaweiCloudError(self._scrub(self._describe_tls_failure(exc, netloc)), method=method,
                                   path=urlsplit(url).path)
        except (requests.exceptions.InvalidHeader, requests.exceptions.InvalidURL) as exc:
            # requests quotes the offending value, which may be a credential: named by its kind only.
            raise HuaweiCloudError('request refused before sending (%s): a header or the URL holds characters HTTP '
                                   'does not allow' % type(exc).__name__, method=method, path=urlsplit(url).path)
        except (requests.exceptions.RequestException, OSError) as exc:
            raise _RetryableFailure(self._describe_exception(exc, netloc))
        return response.status_code, response.headers, _sanitised_text(content)

    def _describe_tls_failure(self, exc, netloc):
        detail = exception_detail(exc)
        if 'wrong version number' in detail.lower() or 'record layer failure' in detail.lower():
            return ('TLS connection to %s failed: %s; the endpoint answers plain HTTP, not HTTPS: use an http:// '
                    'endpoint or the port that serves HTTPS' % (netloc, detail))
        return ('TLS connection to %s failed: %s; set ca_path to the CA bundle that signed its certificate, or '
                'validate_certs to false for a test endpoint' % (netloc, detail))

    def log_retry(self, message):
        """Report a retry made on the client's behalf (a download) where the client reports its own."""
        self._log(self._scrub(message))

    def _wait_before_retry(self, label, attempt, reason, retry_after):
        delay = self.retry_policy.delay(attempt, retry_after)
        self._log('%s: %s; retry %d of %d in %.1f s%s' % (
            label, reason, attempt + 1, self.retry_policy.max_retries, delay,
            ' (Retry-After)' if retry_after is not None else ''))
        self._sleep(delay)
        return attempt + 1

    @staticmethod
    def _gave_up(attempt):
        return ' (gave up after %d retries)' % attempt if attempt else ''

    def _describe_exception(self, exc, netloc):
        kind = 'timed out' if isinstance(exc, requests.Timeout) else 'failed'
        return 'connection to %s %s: %s' % (netloc, kind, exception_detail(exc))

    def _scrub(self, text):
        return self.secrets.scrub(text)


def agency_credentials(config, log=None, sleep=time.sleep, clock=time.time):
    """The ``AgencyCredentials`` of ``config.agency``, assumed with ``config``'s base credentials: build one per
    account and pass it as ``credentials=`` to the client of each of that account's regions (see agency.py)."""
    base = HuaweiCloudClient(config.without_agency(), log=log, sleep=sleep, pool_size=1)
    return AgencyCredentials(config.agency, base, clock=clock)


class _RetryableFailure(Exception):
    """A request that got no usable answer (connection failure, deadline): another attempt may get one."""


def _late(netloc, timeout):
    return 'no complete answer from %s within %g s (timeout)' % (netloc, timeout)


def _sanitised_text(content):
    """The body as text. Undecodable bytes become U+FFFD here; lone surrogate escapes such as ``\\ud800`` are
    replaced after JSON decoding (``errors.decode_json``), so one bad string never loses the whole answer."""
    return content.decode('utf-8', 'replace')
