"""HTTP transport: a ThreadingHTTPServer whose handler hands every request to the app."""

import http.server
import secrets
import socket
import ssl
import threading

from .wire import Request


class _Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 keep-alive, as SDKs reuse pooled connections; every response therefore sets Content-Length.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without TCP_NODELAY, Nagle plus delayed ACKs add ~40 ms per keep-alive response.
    disable_nagle_algorithm = True
    server_version = "dbaudit-simulator"
    # Idle keep-alive connections are closed after this many seconds so handler threads do not pile up.
    timeout = 30

    def _dispatch(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        raw_path, _sep, raw_query = self.path.partition("?")
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.command, raw_path, raw_query, headers, body, secrets.token_hex(16))
        response = self.server.app.handle(request)
        if response.drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.body:
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        # Quiet: sim.requests is the record of what happened.
        return


class SimulatorHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The default listen backlog of 5 refuses connections when parallel tests or benchmarks burst.
    request_queue_size = 128

    def __init__(self, address, app):
        super().__init__(address, _Handler)
        self.app = app


class ServerThread:
    """Runs the server's serve_forever loop in a daemon thread."""

    def __init__(self, app, host, port, tls=None):
        self.httpd = SimulatorHTTPServer((host, port), app)
        if tls:
            # HTTPS with the given (certificate, key) files, so that clients' certificate checks can be tested.
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="dbaudit-simulator", daemon=True)

    @property
    def port(self):
        return self.httpd.server_address[1]

    def start(self):
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
