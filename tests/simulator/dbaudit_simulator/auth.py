"""Request authentication as the API gateway does it: SDK-HMAC-SHA256 signatures and IAM tokens.

Written from the signing description in /work/shared/api/NOTES.md, independently of any client code,
so that a client bug cannot be mirrored by the verifier.
"""

import datetime
import hashlib
import hmac
import re
import secrets
import threading
import time
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_CLOCK_SKEW = datetime.timedelta(minutes=15)
TOKEN_LIFETIME = datetime.timedelta(hours=24)
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"

_AUTH_RE = re.compile(r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$")


class AuthFailure(Exception):
    """Authentication failed; str() is the reason shown after 'Incorrect IAM authentication information: '."""


def canonical_uri(raw_path):
    segments = [quote(unquote(seg), safe="~") for seg in raw_path.split("/")]
    uri = "/".join(segments)
    return uri if uri.endswith("/") else uri + "/"


def parse_query_pairs(raw_query):
    pairs = []
    for part in raw_query.split("&") if raw_query else []:
        if not part:
            continue
        key, _sep, value = part.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


def canonical_query(raw_query):
    return "&".join("%s=%s" % (quote(k, safe="~"), quote(v, safe="~")) for k, v in sorted(parse_query_pairs(raw_query)))


def canonical_request(method, raw_path, raw_query, headers, signed_headers, body):
    """headers: mapping of lower-cased header name -> value as received."""
    lines = "".join("%s:%s\n" % (name, headers[name].strip()) for name in signed_headers)
    payload_hash = headers.get("x-sdk-content-sha256")
    if payload_hash != UNSIGNED_PAYLOAD:
        payload_hash = hashlib.sha256(body or b"").hexdigest()
    return "\n".join([method.upper(), canonical_uri(raw_path), canonical_query(raw_query), lines, ";".join(signed_headers), payload_hash])


def string_to_sign(sdk_date, canonical):
    return "%s\n%s\n%s" % (ALGORITHM, sdk_date, hashlib.sha256(canonical.encode("utf-8")).hexdigest())


def signature(secret_key, method, raw_path, raw_query, headers, signed_headers, body, sdk_date):
    canonical = canonical_request(method, raw_path, raw_query, headers, signed_headers, body)
    return hmac.new(secret_key.encode("utf-8"), string_to_sign(sdk_date, canonical).encode("utf-8"), hashlib.sha256).hexdigest()


class SignatureVerifier:
    """Checks an Authorization: SDK-HMAC-SHA256 header against the simulator's key pairs."""

    def __init__(self, credentials, clock=time.time, accounts=None):
        self._secrets = {credentials["access_key"]: credentials["secret_key"], credentials["temp_access_key"]: credentials["temp_secret_key"]}
        self._temp_ak = credentials["temp_access_key"]
        self._security_token = credentials["security_token"]
        self._clock = clock
        # Other accounts' permanent keys and the temporary keys agencies issued (accounts.py), when there are any.
        self._accounts = accounts

    def _key(self, access_key):
        """``(secret key, security token it needs or None, expiry or None)``, or raise AuthFailure."""
        if access_key in self._secrets:
            return self._secrets[access_key], (self._security_token if access_key == self._temp_ak else None), None
        if self._accounts is not None:
            account = self._accounts.permanent_key(access_key)
            if account is not None:
                return account.secret_key, None, None
            temporary = self._accounts.temporary_key(access_key)
            if temporary is not None:
                return temporary.secret, temporary.securitytoken, temporary.expires_at
        raise AuthFailure("Get secretKey failed,ak:%s,err:ak not exist" % access_key)

    def verify(self, method, raw_path, raw_query, headers, body):
        """headers: mapping of lower-cased names. Returns the access key on success, raises AuthFailure."""
        match = _AUTH_RE.match(headers.get("authorization", ""))
        if not match:
            raise AuthFailure("malformed Authorization header")
        access_key, signed_list, received_sig = match.groups()
        # The canonical headers follow the order the client listed, as the gateway does.
        signed_headers = [name.lower() for name in signed_list.split(";")]
        for required in ("host", "x-sdk-date"):
            if required not in signed_headers:
                raise AuthFailure("header %s must be signed" % required)
        missing = [h for h in signed_headers if h not in headers]
        if missing:
            raise AuthFailure("signed header %s is missing" % missing[0])
        secret_key, security_token, expires = self._key(access_key)
        sdk_date = headers["x-sdk-date"].strip()
        try:
            signed_at = datetime.datetime.strptime(sdk_date, DATE_FORMAT).replace(tzinfo=datetime.timezone.utc)
        except ValueError as exc:
            raise AuthFailure("X-Sdk-Date is not in YYYYMMDDTHHMMSSZ format") from exc
        now = datetime.datetime.fromtimestamp(self._clock(), datetime.timezone.utc)
        if abs(now - signed_at) > MAX_CLOCK_SKEW:
            raise AuthFailure("request expired: X-Sdk-Date is more than 15 minutes from server time")
        if security_token is not None:
            if "x-security-token" not in signed_headers:
                raise AuthFailure("temporary credentials need a signed X-Security-Token header")
            if not hmac.compare_digest(headers["x-security-token"].strip().encode("utf-8"), security_token.encode("utf-8")):
                raise AuthFailure("invalid security token")
            if expires is not None and self._clock() >= expires:
                raise AuthFailure("the security token has expired")
        expected = signature(secret_key, method, raw_path, raw_query, headers, signed_headers, body, sdk_date)
        if not hmac.compare_digest(expected, received_sig.lower()):
            raise AuthFailure("verify aksk signature fail")
        return access_key


class TokenStore:
    """IAM tokens the simulator issued; each is scoped to one project and lives 24 hours."""

    def __init__(self, clock=time.time):
        self._lock = threading.Lock()
        self._tokens = {}
        self._clock = clock

    def issue(self, project_id, ttl_seconds=None):
        lifetime = TOKEN_LIFETIME.total_seconds() if ttl_seconds is None else ttl_seconds
        issued = self._clock()
        # Real tokens are long opaque base64 strings starting with MII; callers must not parse them.
        token = "MIIsim" + secrets.token_urlsafe(96)
        with self._lock:
            self._tokens[token] = (project_id, issued + lifetime)
        return token, issued, issued + lifetime

    def verify(self, token):
        """Return the token's project id, or raise AuthFailure."""
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None:
            raise AuthFailure("decrypt token fail")
        project_id, expires = entry
        if self._clock() >= expires:
            raise AuthFailure("token expired")
        return project_id
