# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The collection's error types, and how a failed HTTP answer of any Huawei Cloud service becomes one.

Every message is a single line and carries what a user needs to act (HTTP status, service error code, request
id) and nothing secret: request headers and bodies are never copied into an error.
"""

import json
import re

REQUEST_ID_HEADERS = ('X-Request-Id', 'X-Openstack-Request-Id', 'X-Compute-Request-Id')
_SNIPPET_LENGTH = 160


class HuaweiCloudConfigError(ValueError):
    """Invalid or incomplete options: raised before any request is sent."""


class HuaweiCloudError(Exception):
    """A Huawei Cloud API call that failed, after any retries.

    ``partial_results`` holds what had already been fetched (normalised) when a paginated listing failed, so
    that callers can hand it to the user instead of losing it.
    """

    def __init__(self, message, status=None, error_code=None, request_id=None, method=None, path=None,
                 partial_results=None, context=None):
        super(HuaweiCloudError, self).__init__(message)
        # What the request was about, in the user's words (for example "audit instance 8c53..."), said first.
        self.context = context
        self.message = _one_line(message)
        self.status = status
        self.error_code = error_code
        self.request_id = request_id
        self.method = method
        self.path = path
        self.partial_results = partial_results

    def __str__(self):
        """``[context: ]METHOD path failed: HTTP status code: message (request id id)``, leaving out what is unknown."""
        # Context and path may quote IDs the user gave: cut, so that a 10,000-character ID cannot flood the line
        # (320: room for an audit log file's name, file ID and instance ID, each cut on its own).
        parts = [clip(self.context, 320)] if self.context else []
        if self.method and self.path:
            parts.append('%s %s failed' % (self.method, clip(self.path, 240)))
        http_status = 'HTTP %s' % self.status if self.status is not None else None
        status = ' '.join(str(part) for part in (http_status, self.error_code) if part)
        if status:
            parts.append(status)
        parts.append(self.message)
        text = ': '.join(parts)
        if self.request_id:
            text += ' (request id %s)' % self.request_id
        return text

    def to_dict(self):
        return {
            'status': self.status,
            'error_code': self.error_code,
            'message': self.message,
            'request_id': self.request_id,
        }


def with_context(context, func, *args):
    """Call ``func``; a ``HuaweiCloudError`` it raises is labelled with ``context`` (kept if already set)."""
    try:
        return func(*args)
    except HuaweiCloudError as error:
        error.context = error.context or context
        raise


class PaginationError(HuaweiCloudError):
    """The service paged inconsistently (for example it ignores ``offset``): stop rather than loop forever."""


class ResponseShapeError(HuaweiCloudError):
    """A successful answer without the documented shape (a list that is not a list, a total that is not a number):
    never read as an empty result. The message names the API and the field."""


def clip(value, limit=80):
    """Text from a user or the cloud echoed in a message, on one line and cut, so that a 10,000-character value
    cannot flood the message it is quoted in."""
    text = _one_line(value)
    if len(text) <= limit:
        return text
    return '%s...(%d characters)' % (text[:limit], len(text))


def _one_line(text):
    return re.sub(r'\s+', ' ', str(text)).strip()


def _first(mapping, *keys):
    for key in keys:
        value = mapping.get(key)
        if value not in (None, ''):
            return value
    return None


def parse_error_body(body):
    """Return ``(error_code, message, request_id)`` from any known error body shape, or Nones.

    Shapes: flat DBSS/RDS/API Gateway ``{"error_code", "error_msg", "request_id"}``, nested DBSS
    ``{"error": {"error_code", "error_msg"}}`` and IAM ``{"error": {"code", "message", "title"}}``.
    """
    if not isinstance(body, dict):
        return None, None, None
    request_id = _first(body, 'request_id', 'requestId')
    nested = body.get('error')
    if isinstance(nested, dict):
        code = _first(nested, 'error_code', 'code')
        message = _first(nested, 'error_msg', 'message', 'title')
        request_id = request_id or _first(nested, 'request_id')
    else:
        code = _first(body, 'error_code', 'code')
        message = _first(body, 'error_msg', 'message', 'errorMessage')
    return (str(code) if code is not None else None), message, request_id


def describe_non_json(content_type, text):
    """A short, readable stand-in for a body that is not JSON (a proxy's HTML page, an empty answer)."""
    if not text or not text.strip():
        return 'empty response body'
    title = re.search(r'<title[^>]*>(.*?)</title>', text, re.IGNORECASE | re.DOTALL)
    snippet = title.group(1) if title else re.sub(r'<[^>]+>', ' ', text)
    snippet = _one_line(snippet)
    if len(snippet) > _SNIPPET_LENGTH:
        snippet = snippet[:_SNIPPET_LENGTH] + '...'
    return 'non-JSON response (%s): %s' % (content_type or 'no content type', snippet)


def decode_json(text):
    """Parse a body as JSON; ``None`` when it is not JSON at all. Lone surrogates (``"\\ud800"``), which JSON allows
    but no output encoding does, become U+FFFD, so that one bad string cannot lose the whole result."""
    if not text or not text.strip():
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    if _SURROGATE_ESCAPE.search(text):
        document = _without_surrogates(document)
    return document


# Only an escape can bring a surrogate in: undecodable bytes were already replaced when the body became text.
_SURROGATE_ESCAPE = re.compile(r'\\u[dD][89a-fA-F]')
_SURROGATE = re.compile('[\ud800-\udfff]')


def _without_surrogates(value):
    if isinstance(value, str):
        return _SURROGATE.sub('\ufffd', value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return dict((_without_surrogates(key), _without_surrogates(item)) for key, item in value.items())
    return value


def request_id_from_headers(headers):
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def error_from_response(status, headers, text, method=None, path=None, retries=0):
    """Build the :class:`HuaweiCloudError` for an HTTP answer that is not a success."""
    body = decode_json(text)
    code, message, body_request_id = parse_error_body(body)
    if message is None:
        if body is None:
            message = describe_non_json(headers.get('Content-Type'), text)
        else:
            message = _one_line(json.dumps(body, sort_keys=True))[:_SNIPPET_LENGTH]
    if retries:
        message = '%s (gave up after %d retries)' % (message, retries)
    return HuaweiCloudError(
        message,
        status=status,
        error_code=code,
        request_id=request_id_from_headers(headers) or body_request_id,
        method=method,
        path=path,
    )
