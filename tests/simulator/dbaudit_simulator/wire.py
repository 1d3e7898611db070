"""Transport-neutral request/response objects passed between the HTTP handler and the app."""

import dataclasses
import json
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


def json_response(status, obj, headers=None):
    return raw_json_response(status, json.dumps(obj), headers)


def raw_json_response(status, text, headers=None):
    merged = {"Content-Type": JSON_CONTENT_TYPE}
    merged.update(headers or {})
    return Response(status, text.encode("utf-8"), merged)
