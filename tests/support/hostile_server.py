"""A small hostile HTTP server for the tests: it answers what a broken proxy, a compromised endpoint or a confused
service might send (wrong shapes, HTML, truncated or endless bodies, slow drips, redirects, headers echoed back).

It speaks raw HTTP/1.1 on a socket so that a route can misbehave at the byte level; every request is recorded
(method, path, query, headers, body) so that tests can count requests and look for leaked secrets.

    with HostileServer() as server:
        server.route('GET', r'/audit/instances$', json_reply({'servers': 'oops', 'total': 1}))
        ... endpoints={'dbss': server.url, ...}
        assert len(server.requests_to(r'/audit/instances$')) == 1

A route is ``handler(request, send)``: ``request`` is a dict, ``send(bytes)`` writes to the client socket (it
returns False once the client has gone). Ready-made handlers: ``json_reply``, ``raw_reply``, ``endless_body``,
``drip``, ``echo_headers``, ``redirect``, ``project_lookup``. Unrouted requests get a 404 JSON error.
"""

import json
import re
import socket
import threading
import time
from urllib.parse import parse_qsl, urlsplit


def _status_line(status):
    reasons = {200: 'OK', 201: 'Created', 301: 'Moved Permanently', 302: 'Found', 307: 'Temporary Redirect',
               400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests',
               500: 'Internal Server Error', 503: 'Service Unavailable'}
    return 'HTTP/1.1 %d %s\r\n' % (status, reasons.get(status, 'Status'))


def head(status=200, headers=None, length=None):
    """The status line and headers; ``length`` None means no Content-Length (the body ends when we close)."""
    lines = [_status_line(status)]
    merged = {'Content-Type': 'application/json', 'Connection': 'close', 'X-Request-Id': 'hostile-request-id'}
    merged.update(headers or {})
    if length is not None:
        merged['Content-Length'] = str(length)
    lines.extend('%s: %s\r\n' % (name, value) for name, value in merged.items())
    lines.append('\r\n')
    return ''.join(lines).encode('latin-1')


def raw_reply(body, status=200, headers=None, declared_length=None):
    """``body`` (bytes or str) as is; ``declared_length`` may lie (a truncated body) or be None for no header."""
    data = body.encode('utf-8', 'surrogatepass') if isinstance(body, str) else body

    def handler(_request, send):
        send(head(status, headers, len(data) if declared_length == 'auto' else declared_length) + data)
    return handler


def json_reply(document, status=200, headers=None):
    """A well-formed JSON answer with a correct Content-Length."""
    return raw_reply(json.dumps(document), status, headers, declared_length='auto')


def endless_body(chunk=b'{"servers": [' + b' ' * 65536, seconds=30.0):
    """A 200 whose body never ends (until ``seconds`` pass or the client hangs up)."""
    def handler(_request, send):
        if not send(head(200)):
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and send(chunk):
            pass
    return handler


def drip(interval=1.0, seconds=30.0, prefix=b'{"servers": ['):
    """A 200 that sends one byte every ``interval`` seconds: every read succeeds, the body never completes."""
    def handler(_request, send):
        if not send(head(200) + prefix):
            return
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(interval)
            if not send(b' '):
                return
    return handler


def echo_headers(status=500):
    """An error whose body and headers reflect every request header back (a debugging proxy does this)."""
    def handler(request, send):
        reflected = dict(request['headers'])
        body = json.dumps({'error_code': 'HOSTILE.0001', 'error_msg': 'echo %s' % json.dumps(reflected),
                           'request_headers': reflected})
        echoed = dict(('X-Echo-%s' % name.replace('_', '-'), value) for name, value in reflected.items())
        send(head(status, echoed, len(body.encode('utf-8'))) + body.encode('utf-8'))
    return handler


def redirect(location, status=302):
    def handler(_request, send):
        body = b'{"error_msg": "moved"}'
        send(head(status, {'Location': location}, len(body)) + body)
    return handler


def project_lookup(project_id='0' * 32):
    """IAM's ``GET /v3/projects`` for any region name: one project with ``project_id``."""
    def handler(request, send):
        name = request['query'].get('name', 'region')
        json_reply({'projects': [{'id': project_id, 'name': name}]})(request, send)
    return handler


class HostileServer:
    def __init__(self, host='127.0.0.1'):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self._listener.listen(64)
        self.host, self.port = self._listener.getsockname()[:2]
        self.url = 'http://%s:%d' % (self.host, self.port)
        self.requests = []
        self._routes = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, name='hostile-server', daemon=True)

    def route(self, method, path_pattern, handler):
        """Later routes win over earlier ones for the same request."""
        with self._lock:
            self._routes.insert(0, (method.upper(), re.compile(path_pattern), handler))
        return self

    def requests_to(self, path_pattern, method=None):
        with self._lock:
            return [request for request in self.requests if re.search(path_pattern, request['path'])
                    and (method is None or request['method'] == method.upper())]

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stopped.set()
        try:
            self._listener.close()
        except OSError:
            pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _serve(self):
        while not self._stopped.is_set():
            try:
                connection, _address = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection):
        connection.settimeout(10)
        try:
            request = self._read_request(connection)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
                handler = next((route_handler for method, pattern, route_handler in self._routes
                                if method == request['method'] and pattern.search(request['path'])), None)
            handler = handler or json_reply({'error_code': 'APIGW.0101', 'error_msg': 'no route'}, status=404)

            def send(data):
                try:
                    connection.sendall(data)
                    return True
                except OSError:
                    return False
            handler(request, send)
        finally:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            connection.close()

    @staticmethod
    def _read_request(connection):
        data = b''
        while b'\r\n\r\n' not in data:
            try:
                chunk = connection.recv(65536)
            except OSError:
                return None
            if not chunk:
                return None
            data += chunk
        header_block, _separator, body = data.partition(b'\r\n\r\n')
        lines = header_block.decode('latin-1').split('\r\n')
        method, target, _version = lines[0].split(' ', 2)
        headers = {}
        for line in lines[1:]:
            name, _colon, value = line.partition(':')
            headers[name.strip()] = value.strip()
        length = int(headers.get('Content-Length') or headers.get('content-length') or 0)
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                break
            body += chunk
        parts = urlsplit(target)
        return {'method': method.upper(), 'path': parts.path, 'query': dict(parse_qsl(parts.query)),
                'target': target, 'headers': headers, 'body': body.decode('utf-8', 'replace')}
