"""HTTP transport: a ThreadingHTTPServer whose handler hands every request to the app."""

import http.server
import secrets
import socket
import ssl
import struct
import sys
import threading
import traceback

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
        if response.reset_at == 0:
            self._report(response, 0, False)
            self._reset()
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(response.content_length))
        self.end_headers()
        if self.command == "HEAD":
            self._report(response, 0, False)
        else:
            self._write_body(response)
        if response.reset_at is not None:
            self._reset()

    def _write_body(self, response):
        """Write the body chunk by chunk, stopping where a transfer fault says; report what was sent.

        The report is made just before the write that ends the transfer, so a client that has read the whole body
        (or seen the connection end) always finds the counters updated.
        """
        length = response.content_length
        limit = length
        for cut in (response.truncate_at, response.reset_at):
            if cut is not None:
                limit = min(limit, cut)
        chunks = response.chunks()
        sent = 0
        reported = False
        try:
            for chunk in chunks:
                if sent >= limit:
                    break
                if len(chunk) > limit - sent:
                    chunk = chunk[:limit - sent]
                if sent + len(chunk) >= limit:
                    reported = self._report(response, sent + len(chunk), sent + len(chunk) == length)
                # send() rather than sendall(), so that when the client goes away the count is what the kernel took.
                view = memoryview(chunk)
                while view:
                    count = self.connection.send(view)
                    sent += count
                    view = view[count:]
        except OSError:
            # The client went away mid-body: nothing to answer, and nothing worth a traceback.
            pass
        except Exception:  # pylint: disable=broad-exception-caught
            # A bug in a body generator: the status line is already out, so all that is left is to close the connection.
            traceback.print_exc(file=sys.stderr)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        if not reported:
            self._report(response, sent, sent == length)
        if sent < length:
            # A short body leaves the connection unusable for another response.
            self.close_connection = True

    @staticmethod
    def _report(response, sent, completed):
        if response.on_sent is not None:
            response.on_sent(sent, completed)
        return True

    def _reset(self):
        """Abort the connection with a TCP RST: SO_LINGER on with a 0 s timeout, then close (the client sees ECONNRESET)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # rfile holds a reference to the socket; the descriptor (and so the RST) only goes when both are closed.
            self.rfile.close()
            self.connection.close()
        except OSError:
            pass

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
