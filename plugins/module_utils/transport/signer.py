# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""AK/SK request signing ("SDK-HMAC-SHA256"), byte for byte as the official Huawei Cloud SDK signs.

Pure functions: no I/O, no clock unless the caller asks for one, so that the published test vector and the
official SDK's own signer can be compared with this one in unit tests.
"""

import datetime
import hashlib
import hmac

from urllib.parse import quote, unquote

ALGORITHM = 'SDK-HMAC-SHA256'
DATE_HEADER = 'X-Sdk-Date'
DATE_FORMAT = '%Y%m%dT%H%M%SZ'
SECURITY_TOKEN_HEADER = 'X-Security-Token'


def _encode(value):
    return quote(value, safe='~')


def _text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def canonical_query(params):
    """Return the canonical query string, which is also the exact query to send on the wire.

    ``params`` is a dict or a list of ``(key, value)`` pairs; a list value expands to one pair per element.
    """
    items = params.items() if isinstance(params, dict) else params or []
    pairs = []
    for key, value in items:
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for single in values:
            pairs.append((_text(key), _text(single)))
    pairs.sort()
    return '&'.join('%s=%s' % (_encode(key), _encode(value)) for key, value in pairs)


def canonical_uri(path):
    """Each path segment percent-encoded, and always a trailing slash (the wire path has none)."""
    uri = '/'.join(_encode(segment) for segment in unquote(path).split('/'))
    return uri if uri.endswith('/') else uri + '/'


def signed_header_names(headers):
    # The gateway ignores headers whose name contains an underscore, so the SDK never signs them.
    return sorted(name.lower() for name in headers if '_' not in name)


def canonical_request(method, path, params, headers, body):
    names = signed_header_names(headers)
    lowered = dict((name.lower(), str(value).strip()) for name, value in headers.items())
    canonical_headers = ''.join('%s:%s\n' % (name, lowered[name]) for name in names)
    payload = body if isinstance(body, bytes) else (body or '').encode('utf-8')
    return '\n'.join([
        method.upper(),
        canonical_uri(path),
        canonical_query(params),
        canonical_headers,
        ';'.join(names),
        hashlib.sha256(payload).hexdigest(),
    ])


def string_to_sign(canonical, sdk_date):
    return '%s\n%s\n%s' % (ALGORITHM, sdk_date, hashlib.sha256(canonical.encode('utf-8')).hexdigest())


def signature(secret_key, text):
    return hmac.new(secret_key.encode('utf-8'), text.encode('utf-8'), hashlib.sha256).hexdigest()


def sdk_date(now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.strftime(DATE_FORMAT)


def sign_headers(method, host, path, params, headers, body, access_key, secret_key, security_token=None, now=None):
    """Return a copy of ``headers`` with ``Host``, ``X-Sdk-Date``, the security token and ``Authorization`` added.

    ``host`` is the netloc the request goes to (``host[:port]``); ``path`` the wire path without query.
    """
    signed = dict(headers)
    if not any(name.lower() == 'host' for name in signed):
        signed['Host'] = host
    if not any(name.lower() == DATE_HEADER.lower() for name in signed):
        signed[DATE_HEADER] = sdk_date(now)
    if security_token:
        signed[SECURITY_TOKEN_HEADER] = security_token
    date_value = next(value for name, value in signed.items() if name.lower() == DATE_HEADER.lower())
    canonical = canonical_request(method, path, params, signed, body)
    sig = signature(secret_key, string_to_sign(canonical, date_value))
    signed['Authorization'] = '%s Access=%s, SignedHeaders=%s, Signature=%s' % (
        ALGORITHM, access_key, ';'.join(signed_header_names(signed)), sig)
    return signed
