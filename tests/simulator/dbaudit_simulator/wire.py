"""Transport-neutral request/response objects passed between the HTTP handler and the app."""

import dataclasses
import json
import typing
from urllib.parse import unquote

from .auth import parse_query_pairs

JSON_CONTENT_TYPE = "application/json;charset=UTF-8"


@dataclasses.dataclass
class Request:
    method: str
    raw_path: str
    raw_query: str
    headers: dict          # lower-cased names
    body: bytes
    request_id: str

    @property
    def path(self):
        return unquote(self.raw_path)

    @property
    def query(self):
        """Decoded query parameters; a repeated key keeps its last value."""
        return dict(parse_query_pairs(self.raw_query))

    def json(self):
        """The body parsed as JSON, or raise ValueError."""
        return json.loads(self.body.decode("utf-8") if self.body else "")


@dataclasses.dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict = dataclasses.field(default_factory=dict)
    drop: bool = False
    # A large body is streamed: `stream` yields its chunks, `length` (the Content-Length) is declared up front, and the
    # server writes chunk by chunk, so serving a 200 MB file never holds it in memory. `body` is ignored then.
    stream: typing.Iterable[bytes] | None = None
    length: int | None = None
    # Called once by the server, after the body went out or the transfer stopped: on_sent(body_bytes_sent, completed).
    on_sent: typing.Callable[[int, bool], None] | None = None
    # Transfer faults, applied by the server to the bytes it writes (see faults.py):
    # truncate_at: stop after this many body bytes (Content-Length still announces the whole body), then close;
    # reset_at: after this many body bytes abort with a TCP RST (0 = before the status line, i.e. send nothing).
    truncate_at: int | None = None
    reset_at: int | None = None

    @property
    def content_length(self):
        return self.length if self.stream is not None else len(self.body)

    def chunks(self):
        """The body as an iterable of bytes, streamed or not."""
        if self.stream is not None:
            return self.stream
        return (self.body,) if self.body else ()


def json_response(status, obj, headers=None):
    return raw_json_response(status, json.dumps(obj), headers)


def raw_json_response(status, text, headers=None):
    merged = {"Content-Type": JSON_CONTENT_TYPE}
    merged.update(headers or {})
    return Response(status, text.encode("utf-8"), merged)
