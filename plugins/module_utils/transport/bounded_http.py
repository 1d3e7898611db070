# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bounds on one HTTP exchange: a deadline for the whole request and a cap on the size of the answer.

``requests`` bounds the connect and each single socket read, not the request: a server that drips one byte every
few seconds, or a body that never ends, keeps a read alive forever. Here a watchdog cuts the connection when the
request's deadline passes (whether it is sending, waiting for headers or reading the body), and the body is read
in chunks and refused beyond ``MAX_RESPONSE_BYTES``, so memory stays bounded whatever the server sends.

Used by ``client.py`` (the APIs) and ``object_storage.py`` (download links); it knows nothing of Huawei Cloud.
"""

import re
import socket
import threading
import time
from urllib.parse import urlsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
except ImportError:
    # client.py reports the missing library; these names are only used once it is there.
    requests = None
    HTTPAdapter = HTTPConnection = HTTPSConnection = HTTPConnectionPool = HTTPSConnectionPool = object

# No answer of the APIs this collection reads comes near this (a page of 1,000 audit instances is ~2 MiB).
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024
# "HTTPConnectionPool(host='h', port=1): " and the like, which urllib3 puts before every reason.
_CONNECTION_PREFIX = re.compile(r'^\w*HTTPS?Connection(?:Pool)?\([^)]*\):\s*')
_current = threading.local()


class ResponseTooLarge(Exception):
    pass


class RequestDeadline:
    """The moment one request must be complete by. Use as a context manager around the request and the reading of
    its body; at the deadline the watchdog shuts the request's socket down, which ends any blocked read at once."""

    def __init__(self, seconds):
        self.seconds = seconds
        self._expires = time.monotonic() + seconds
        self.expired = False
        self._socket = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def remaining(self):
        return max(0.001, self._expires - time.monotonic())

    def watch(self, sock):
        with self._lock:
            self._socket = sock
            if self.expired:
                _shut_down(sock)

    def _expire(self):
        with self._lock:
            self.expired = True
            if self._socket is not None:
                _shut_down(self._socket)

    def __enter__(self):
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        self._timer.cancel()
        _current.deadline = None


def _shut_down(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _WatchedConnectionMixin:
    """Hands the socket a request runs on to that request's deadline (the pool picks the connection, new or
    reused). The socket itself is kept: http.client drops ``sock`` from a connection whose response reads to close."""

    def _watch(self):
        deadline = getattr(_current, 'deadline', None)
        if deadline is not None and getattr(self, 'sock', None) is not None:
            deadline.watch(self.sock)

    def connect(self):
        super(_WatchedConnectionMixin, self).connect()
        self._watch()

    def request(self, *args, **kwargs):
        self._watch()
        return super(_WatchedConnectionMixin, self).request(*args, **kwargs)


class _WatchedHTTPConnection(_WatchedConnectionMixin, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_WatchedConnectionMixin, HTTPSConnection):
    pass


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {'http': _WatchedHTTPConnectionPool, 'https': _WatchedHTTPSConnectionPool}


class DeadlineAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections (direct or through a proxy) obey the current ``RequestDeadline``."""

    def init_poolmanager(self, *args, **kwargs):
        super(DeadlineAdapter, self).init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)

    def proxy_manager_for(self, *args, **kwargs):
        manager = super(DeadlineAdapter, self).proxy_manager_for(*args, **kwargs)
        manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
        return manager


def new_session(pool_size):
    """A pooled ``requests.Session`` whose connections obey the current ``RequestDeadline``; urllib3 retries nothing
    (retries are decided by the caller)."""
    session = requests.Session()
    adapter = DeadlineAdapter(pool_connections=4, pool_maxsize=max(10, pool_size), max_retries=0)
    session.mount('https://', adapter)
    session.mount('http://', adapter)
    return session


def _environment_settings(session, url, verify):
    """``session.merge_environment_settings`` for ``url``, worked out once per scheme, host and ``verify`` of a session:
    requests reads the proxy variables and matches ``no_proxy`` on every request (a twentieth of a listing's CPU),
    and the environment of one run does not change."""
    parts = urlsplit(url)
    key = (parts.scheme, parts.netloc, verify if isinstance(verify, (bool, str)) else repr(verify))
    known = session.__dict__.setdefault('_hwcloud_environment_settings', {})
    settings = known.get(key)
    if settings is None:
        settings = known[key] = session.merge_environment_settings(url, {}, True, verify, None)
    return settings


def send_streamed(session, method, url, headers, body, timeout, verify):
    """The response of one request, its body not read yet. Sent through the session's adapter, not
    ``Session.request``: requests reads a redirect's whole body (without any bound) to resolve it, and redirects are
    never followed here. Proxy and CA bundle settings of the environment still apply, as with ``Session.request``."""
    # auth=_no_added_auth: requests would otherwise add a ~/.netrc password for the host.
    prepared = session.prepare_request(requests.Request(method, url, headers=headers, data=body or None,
                                                        auth=_no_added_auth))
    settings = _environment_settings(session, prepared.url, verify)
    adapter = session.get_adapter(prepared.url)
    return adapter.send(prepared, stream=True, timeout=timeout, verify=settings['verify'], cert=settings['cert'],
                        proxies=settings['proxies'])


def _no_added_auth(prepared):
    """A requests auth hook that adds nothing: the caller's headers are all the request carries."""
    return prepared


def exception_detail(exc):
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


def read_body(response, limit=MAX_RESPONSE_BYTES):
    """The whole body of a streamed ``requests`` response, refused (``ResponseTooLarge``) beyond ``limit`` bytes:
    declared or actual, after content decoding, so a compressed bomb is stopped too."""
    declared = response.headers.get('Content-Length')
    if declared and declared.strip().isdigit() and int(declared) > limit:
        raise ResponseTooLarge('the answer declares %s bytes' % declared.strip())
    body = bytearray()
    for chunk in response.iter_content(_CHUNK_BYTES):
        body += chunk
        if len(body) > limit:
            raise ResponseTooLarge('the answer went on beyond %d bytes' % limit)
    return bytes(body)
