# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Downloads from temporary object-storage URLs (RDS audit log links): the second HTTP boundary of the collection.

A link carries its own signature and expires within minutes, so it is a bearer credential: it is fetched with no
API credential at all (no ``Authorization``, ``X-Auth-Token`` or ``X-Security-Token``, no ``~/.netrc`` password),
never followed through a redirect, and never quoted in a message (``describe_link`` names only its host).

Each transfer is bounded in time (``RequestDeadline`` from connect to last byte, and ``timeout`` for any single
wait) and in size, and is streamed chunk by chunk into the caller's ``write`` so memory stays flat whatever the
file size. One attempt either delivers every byte the server declared or raises :class:`TransferFailure`, which says
whether another attempt may succeed and whether that attempt needs a fresh link.
"""

import re
import threading
from urllib.parse import urlsplit

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.bounded_http import (
    RequestDeadline,
    exception_detail,
    new_session,
    send_streamed,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import USER_AGENT
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import clip

try:
    import requests
    from urllib3.exceptions import HTTPError as Urllib3Error
except ImportError:
    # client.py reports the missing library before any download is attempted.
    requests = None
    Urllib3Error = Exception

CHUNK_BYTES = 1024 * 1024
# An error answer from storage is a short XML document; more is not read.
MAX_ERROR_BODY_BYTES = 64 * 1024
MAX_LINK_LENGTH = 8192
STORAGE_REQUEST_ID_HEADERS = ('x-obs-request-id', 'x-amz-request-id', 'x-request-id')
# Statuses that another attempt with the same link may cure; 403 needs a fresh link (see TransferFailure).
RETRYABLE_STATUS = frozenset((408, 429, 500, 502, 503, 504))


class TransferFailure(Exception):
    """One download attempt that did not deliver the whole file.

    ``retryable``: another attempt may succeed; ``link_expired``: only with a fresh link (storage refused the
    signature, which is what an expired link looks like)."""

    def __init__(self, reason, retryable=True, link_expired=False):
        super(TransferFailure, self).__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.link_expired = link_expired

    def __str__(self):
        return self.reason


def link_problem(link, allow_http):
    """Why ``link`` must not be fetched, or None. A link is hostile input like any answer: it must be an absolute
    http(s) URL with a host and no user name or password, and plain http only when the API endpoint is plain http
    too (a test setup), so that a server cannot downgrade the transfer."""
    if not isinstance(link, str) or not link:
        return 'not a non-empty string'
    if len(link) > MAX_LINK_LENGTH:
        return 'longer than %d characters' % MAX_LINK_LENGTH
    if re.search(r'[\x00-\x20\x7f]', link):
        return 'a URL with spaces or control characters'
    try:
        parts = urlsplit(link)
        parts.port
    except ValueError:
        return 'not a valid URL'
    schemes = ('https', 'http') if allow_http else ('https',)
    if parts.scheme not in schemes:
        return 'not an %s URL' % ' or '.join(schemes)
    if not parts.hostname:
        return 'a URL without a host'
    if '@' in parts.netloc:
        return 'a URL with a user name or password'
    return None


def describe_link(link):
    """How a link may be named in a message: its host, never its path or query (which carry the signature)."""
    try:
        return urlsplit(link).netloc.rsplit('@', 1)[-1] or 'object storage'
    except ValueError:
        return 'object storage'


def link_secrets(link):
    """The parts of a link that grant access: its query (signature, expiry, key id), or the whole link when the
    signature is not in a query. They are scrubbed from every message."""
    query = urlsplit(link).query
    return [query] if len(query) >= 16 else [link]


class ObjectStorageSession:
    """A pooled session for storage downloads, separate from the API client's so that no API header can leak in.

    ``timeout`` bounds connecting and every single wait for data; ``transfer_timeout`` the whole transfer."""

    def __init__(self, timeout, transfer_timeout, verify=True, pool_size=8):
        self.timeout = timeout
        self.transfer_timeout = transfer_timeout
        self.verify = verify
        self.requests_sent = 0
        self._lock = threading.Lock()
        self._session = new_session(pool_size)

    @classmethod
    def beside(cls, client, transfer_timeout, pool_size=8):
        """A session with the wait timeout and TLS verification of the API ``client``'s connections."""
        timeout, verify = client.connection_settings()
        return cls(timeout, transfer_timeout, verify, pool_size)

    def close(self):
        self._session.close()

    def download(self, link, write, max_bytes):
        """Stream the object at ``link`` into ``write(chunk)``; return ``(bytes received, bytes declared or None)``.
        Raises :class:`TransferFailure` unless every declared byte arrived, within ``max_bytes`` and the deadline."""
        host = describe_link(link)
        with self._lock:
            self.requests_sent += 1
        received = 0

        def counted(chunk):
            nonlocal received
            received += len(chunk)
            if received > max_bytes:
                raise TransferFailure('%s sent more than the %d bytes this file may have (its listed size and a '
                                      'margin)' % (host, max_bytes), retryable=False)
            write(chunk)

        with RequestDeadline(self.transfer_timeout) as deadline:
            try:
                response = self._send(link, min(self.timeout, deadline.remaining()))
                try:
                    declared = self._receive(response, counted, max_bytes, host)
                finally:
                    response.close()
            except requests.exceptions.SSLError as exc:
                # A certificate that does not verify will not verify on a retry either.
                raise TransferFailure('TLS connection to %s failed: %s' % (host, _exception_reason(exc)),
                                      retryable=False)
            except (requests.exceptions.RequestException, Urllib3Error, OSError) as exc:
                if deadline.expired:
                    raise TransferFailure(self._late(host, received))
                raise TransferFailure('transfer from %s failed after %d bytes: %s'
                                      % (host, received, _exception_reason(exc)))
            if deadline.expired:
                raise TransferFailure(self._late(host, received))
        return received, declared

    def _send(self, link, timeout):
        headers = {'User-Agent': USER_AGENT, 'Accept-Encoding': 'identity'}
        return send_streamed(self._session, 'GET', link, headers, None, (timeout, timeout), self.verify)

    def _receive(self, response, write, max_bytes, host):
        status = response.status_code
        if status != 200:
            raise self._refusal(response, host)
        declared = response.headers.get('Content-Length')
        declared = int(declared) if declared and declared.strip().isdigit() else None
        if declared is not None and declared > max_bytes:
            raise TransferFailure('%s declares %d bytes, more than the %d this file may have (its listed size and a '
                                  'margin)' % (host, declared, max_bytes), retryable=False)
        received = 0
        # The raw stream, undecoded: the file as storage holds it is what gets hashed.
        for chunk in response.raw.stream(CHUNK_BYTES, decode_content=False):
            received += len(chunk)
            write(chunk)
        if declared is not None and received != declared:
            raise TransferFailure('transfer from %s cut short: %d of %d bytes' % (host, received, declared))
        return declared

    @staticmethod
    def _refusal(response, host):
        status = response.status_code
        code, message, body_request_id = _storage_error(response)
        request_id = next((response.headers[name] for name in STORAGE_REQUEST_ID_HEADERS if response.headers.get(name)),
                          body_request_id)
        detail = ' '.join(part for part in ('HTTP %d' % status, code) if part)
        reason = '%s answered %s%s%s' % (host, detail, ': %s' % message if message else '',
                                         ' (request id %s)' % clip(request_id, 80) if request_id else '')
        if 300 <= status < 400:
            return TransferFailure(reason + '; redirects are not followed', retryable=False)
        if status == 403:
            return TransferFailure(reason, link_expired=True)
        return TransferFailure(reason, retryable=status in RETRYABLE_STATUS)

    @staticmethod
    def _late(host, received):
        return 'no complete file from %s within the download timeout (%d bytes received)' % (host, received)


def _storage_error(response):
    """``(code, message, request_id)`` of an object-storage XML error (``<Error><Code>AccessDenied</Code>...``).
    Read with bounded regular expressions, never an XML parser: the body is hostile input (entity expansion)."""
    body = bytearray()
    try:
        for chunk in response.raw.stream(8192, decode_content=True):
            body += chunk
            if len(body) >= MAX_ERROR_BODY_BYTES:
                break
    except (Urllib3Error, OSError):
        pass
    text = bytes(body[:MAX_ERROR_BODY_BYTES]).decode('utf-8', 'replace')

    def element(name):
        match = re.search(r'<%s>([^<]{1,500})</%s>' % (name, name), text)
        return clip(match.group(1), 120) if match else None

    return element('Code'), element('Message'), element('RequestId')


def _exception_reason(exc):
    """The innermost reason of a requests/urllib3 exception, without the URL (which carries the signature)."""
    text = re.sub(r'with url: \S+', 'with url: (not shown)', exception_detail(exc))
    text = re.sub(r'https?://\S+', '(link not shown)', text)
    return clip(text or type(exc).__name__, 200)
