# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP boundary of the collection: every Huawei Cloud request goes through ``HuaweiCloudClient``.

It owns the pooled ``requests.Session``, endpoint resolution, authentication (including the lazy password
token and project id lookup), retries and the translation of failed answers into ``HuaweiCloudError``.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import re
import threading
import time
import traceback
from urllib.parse import quote, urlsplit

from ansible_collections.hwcloud.dbaudit.plugins.module_utils import iam
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.auth import AkSkAuth, TokenAuth
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.config import AUTH_AKSK, AUTH_PASSWORD
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import (
    HuaweiCloudError,
    decode_json,
    error_from_response,
    request_id_from_headers,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.ratelimit import FlowControl, is_throttled
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.retry import IDEMPOTENT_METHODS, RetryPolicy, parse_retry_after
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.signer import canonical_query

try:
    import requests
    import urllib3
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

USER_AGENT = 'hwcloud.dbaudit-ansible-collection/1.0.0'
# "HTTPConnectionPool(host='h', port=1): " and the like, which urllib3 puts before every reason.
_CONNECTION_PREFIX = re.compile(r'^HTTPS?Connection(?:Pool)?\([^)]*\):\s*')
REDACTED = '********'


def api_path(*segments):
    """``/seg1/seg2/...`` with each segment percent-encoded, so ids can never inject path or query syntax."""
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
                 flow_control=None):
        self.config = config
        # Adaptive pacing, one limiter per endpoint shared by every thread of this run (ratelimit.py).
        self.flow_control = flow_control or FlowControl(getattr(config, 'max_requests_per_second', None))
        self.retry_policy = retry_policy or RetryPolicy(max_retries=config.max_retries)
        self.requests_sent = 0
        self._log = log or (lambda message: None)
        self._sleep = sleep
        self._session = session or self._new_session(pool_size)
        if not config.validate_certs:
            # The user chose not to verify; urllib3 would otherwise warn on every single request.
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self._lock = threading.RLock()
        self._auth = None
        self._project_id = config.project_id

    @staticmethod
    def _new_session(pool_size):
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=max(10, pool_size), max_retries=0)
        session.mount('https://', adapter)
        session.mount('http://', adapter)
        return session

    def close(self):
        self._session.close()

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
                if config.auth_method == AUTH_AKSK:
                    self._auth = AkSkAuth(config.access_key, config.secret_key, config.security_token)
                elif config.auth_method == AUTH_PASSWORD:
                    token, token_project = iam.issue_password_token(
                        self, config.user_name, config.password, config.domain_name, config.region, config.project_id)
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
                response = self._session.request(method, url, headers=headers, data=body or None,
                                                 timeout=self.config.timeout, allow_redirects=False,
                                                 verify=self._verify())
            except requests.exceptions.SSLError as exc:
                # A certificate that does not verify will not verify on a retry either.
                raise HuaweiCloudError(self._scrub(
                    'TLS connection to %s failed: %s; set ca_path to the CA bundle that signed its certificate, or '
                    'validate_certs to false for a test endpoint' % (base_parts.netloc, self._exception_detail(exc))),
                    method=method, path=path)
            except (requests.ConnectionError, requests.Timeout) as exc:
                reason = self._describe_exception(exc, base_parts.netloc)
                if self.retry_policy.should_retry(attempt, None, idempotent):
                    attempt = self._wait_before_retry(label, attempt, reason, None)
                    continue
                raise HuaweiCloudError(self._scrub('%s%s' % (reason, self._gave_up(attempt))), method=method, path=path)

            text = response.content.decode('utf-8', 'replace')
            status = response.status_code
            limiter.record(send_ticket, is_throttled(status))
            ok = status in expected_status if expected_status else 200 <= status < 300
            if not ok:
                if self.retry_policy.should_retry(attempt, status, idempotent):
                    error = error_from_response(status, response.headers, text)
                    retry_after = parse_retry_after(response.headers.get('Retry-After'))
                    attempt = self._wait_before_retry(label, attempt, self._scrub(str(error)), retry_after)
                    continue
                error = error_from_response(status, response.headers, text, method, path, retries=attempt)
                error.message = self._scrub(error.message)
                raise error
            document = decode_json(text)
            if not isinstance(document, dict):
                error = error_from_response(status, response.headers, text, method, path)
                error.message = 'expected a JSON object, got ' + self._scrub(error.message)
                raise error
            return ApiResponse(status, response.headers, document)

    def _verify(self):
        if not self.config.validate_certs:
            return False
        return self.config.ca_path or True

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

    @staticmethod
    def _exception_detail(exc):
        """The innermost reason of a requests/urllib3 exception, e.g. ``[Errno 111] Connection refused``.

        Their messages nest pool descriptions, object reprs and wrapper exceptions around the one sentence a user
        can act on."""
        text = re.sub(r'<[^<>]*object at 0x[0-9a-fA-F]+>:?\s*', '', str(exc))
        caused = re.search(r'\(Caused by (.*)\)\s*$', text)
        if caused:
            text = caused.group(1)
        text = _CONNECTION_PREFIX.sub('', text)
        if re.match(r'^[\w.]*\(', text):
            messages = [single or double for single, double in re.findall(r"'([^']{8,})'|\"([^\"]{8,})\"", text)]
            if messages:
                text = _CONNECTION_PREFIX.sub('', max(messages, key=len))
        return re.sub(r'\s+', ' ', text).strip()[:300]

    def _describe_exception(self, exc, netloc):
        kind = 'timed out' if isinstance(exc, requests.Timeout) else 'failed'
        return 'connection to %s %s: %s' % (netloc, kind, self._exception_detail(exc))

    def _scrub(self, text):
        for secret in self.config.secrets():
            text = text.replace(secret, REDACTED)
        return text
