# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Acting in another account through an IAM agency ("assume role").

With ``agency_name`` and ``agency_domain_name`` or ``agency_domain_id`` set, the client first authenticates with the
base credentials (AK/SK, temporary AK/SK, token or password, as without an agency), asks IAM for temporary credentials
of the agency (``POST /v3.0/OS-CREDENTIAL/securitytokens``, method ``assume_role``) and signs every later request with
the temporary AK/SK and ``X-Security-Token``. Project IDs are then looked up with the temporary credentials: they are
the target account's projects.

Sharing: one :class:`AgencyCredentials` stands for one account. It assumes the agency once (under a lock, whatever
the number of threads), hands the same temporary credentials to every request and every client that holds it, and
assumes again shortly before they expire (``RENEW_MARGIN``). Build it with ``client.agency_credentials(config, log)``
from the ``ClientConfig`` of any region of that account, then give it to each region's client::

    credentials = agency_credentials(configs[first_region], log=display)      # one per account
    clients = [HuaweiCloudClient(configs[region], credentials=credentials) for region in regions]
    ...
    credentials.close()

Each client copies the provider's secrets (the base credentials, an issued password token, and the temporary access
key ID, secret key and security token the moment they arrive) into its own redaction registry, so they are scrubbed
from every message, log line and result; they are never cached or returned.

Environment variables are those of the Huawei Cloud Terraform provider's ``assume_role`` block
(huaweicloud/terraform-provider-huaweicloud, ``huaweicloud/provider.go``): ``HW_ASSUME_ROLE_AGENCY_NAME``,
``HW_ASSUME_ROLE_DOMAIN_NAME``, ``HW_ASSUME_ROLE_DOMAIN_ID`` and ``HW_ASSUME_ROLE_DURATION``.
"""

import datetime
import re
import threading
import time

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport import signer
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import (
    HuaweiCloudConfigError,
    HuaweiCloudError,
    ResponseShapeError,
    clip,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.redaction import Redactor

SECURITY_TOKENS_PATH = '/v3.0/OS-CREDENTIAL/securitytokens'
MIN_DURATION = 900
MAX_DURATION = 86400
DEFAULT_DURATION = 3600
# Temporary credentials are renewed this long before they expire (at most a tenth of their lifetime).
RENEW_MARGIN = 300.0
AGENCY_ENV_VARS = {
    'agency_name': 'HW_ASSUME_ROLE_AGENCY_NAME',
    'agency_domain_name': 'HW_ASSUME_ROLE_DOMAIN_NAME',
    'agency_domain_id': 'HW_ASSUME_ROLE_DOMAIN_ID',
    'agency_duration': 'HW_ASSUME_ROLE_DURATION',
}
# IAM agency names: letters, digits, spaces, '_', '-' and '.', 1 to 64 characters. Nothing that needs escaping in JSON.
_AGENCY_NAME = re.compile(r'^[A-Za-z0-9_.-](?:[A-Za-z0-9_. -]{0,62}[A-Za-z0-9_.-])?$')
_DOMAIN_NAME = re.compile(r'^[A-Za-z0-9_.-]{1,64}$')
_DOMAIN_ID = re.compile(r'^[A-Za-z0-9_-]{1,64}$')
_EXPIRES_AT = re.compile(r'^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)$')
# What goes into a header: the temporary access key ID is checked stricter (it names the key in Authorization).
_ACCESS_KEY = re.compile(r'^[A-Za-z0-9]{1,128}$')
_HEADER_UNSAFE = re.compile(r'[\x00-\x20\x7f]')


class AgencySettings:
    """The validated agency options; nothing secret."""

    def __init__(self, name, domain_name=None, domain_id=None, duration=DEFAULT_DURATION):
        self.name = name
        self.domain_name = domain_name
        self.domain_id = domain_id
        self.duration = duration

    def __repr__(self):
        return 'AgencySettings(%s)' % self.describe()

    def describe(self):
        """How messages name the agency and its account: ``agency 'x' of account 'y'`` or ``... account ID 'z'``."""
        if self.domain_name:
            return "agency '%s' of account '%s'" % (self.name, self.domain_name)
        return "agency '%s' of account ID '%s'" % (self.name, self.domain_id)

    def identity(self):
        """What identifies the assumed identity (for cache keys): no secret."""
        return {'agency_name': self.name, 'domain_name': self.domain_name, 'domain_id': self.domain_id}

    def request_body(self):
        role = {'agency_name': self.name, 'duration_seconds': self.duration}
        if self.domain_name:
            role['domain_name'] = self.domain_name
        else:
            role['domain_id'] = self.domain_id
        return {'auth': {'identity': {'methods': ['assume_role'], 'assume_role': role}}}


def _option(name):
    return '%s (%s)' % (name, AGENCY_ENV_VARS[name])


def agency_settings(params):
    """``AgencySettings`` from the common options, or None without ``agency_name``; raises HuaweiCloudConfigError
    (one line naming the option and what is allowed) before any request."""
    get = params.get
    name, domain_name, domain_id = get('agency_name'), get('agency_domain_name'), get('agency_domain_id')
    if name in (None, ''):
        stray = [option for option in ('agency_domain_name', 'agency_domain_id') if get(option) not in (None, '')]
        if stray:
            raise HuaweiCloudConfigError('%s is set but agency_name is not: set %s to act through an agency of that '
                                         'account, or unset %s' % (stray[0], _option('agency_name'), _option(stray[0])))
        return None
    if not isinstance(name, str) or not _AGENCY_NAME.match(name):
        raise HuaweiCloudConfigError("agency_name must be 1 to 64 letters, digits, spaces, '_', '-' and '.' (no leading "
                                     "or trailing space), got '%s'" % clip(name, 70))
    if domain_name not in (None, '') and domain_id not in (None, ''):
        raise HuaweiCloudConfigError('agency_domain_name and agency_domain_id are mutually exclusive: set only one, the '
                                     'account that created agency %s' % name)
    if domain_name in (None, '') and domain_id in (None, ''):
        raise HuaweiCloudConfigError('agency_name needs the account that created the agency: set %s or %s'
                                     % (_option('agency_domain_name'), _option('agency_domain_id')))
    if domain_name not in (None, '') and (not isinstance(domain_name, str) or not _DOMAIN_NAME.match(domain_name)):
        raise HuaweiCloudConfigError("agency_domain_name must be an account name of 1 to 64 letters, digits, '_', '-' "
                                     "and '.', got '%s'" % clip(domain_name, 70))
    if domain_id not in (None, '') and (not isinstance(domain_id, str) or not _DOMAIN_ID.match(domain_id)):
        raise HuaweiCloudConfigError("agency_domain_id must be an account ID of 1 to 64 letters, digits, '_' and '-', "
                                     "got '%s'" % clip(domain_id, 70))
    return AgencySettings(name, domain_name or None, domain_id or None, check_duration(get('agency_duration')))


def check_duration(value):
    """Seconds the temporary credentials should live: an integer from 900 to 86400 (default 3600)."""
    if value is None:
        return DEFAULT_DURATION
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.match(r'^\s*[0-9]{1,9}\s*$', value):
        number = int(value)
    if number is None or not MIN_DURATION <= number <= MAX_DURATION:
        raise HuaweiCloudConfigError('agency_duration must be a whole number of seconds from %d (15 minutes) to %d '
                                     '(24 hours), got %s' % (MIN_DURATION, MAX_DURATION, clip(value, 40)))
    return number


def parse_expires_at(text):
    """Epoch seconds of an IAM time such as ``2026-01-01T00:00:00.000000Z``; None when it is not one."""
    match = _EXPIRES_AT.match(text) if isinstance(text, str) else None
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        if zone == 'Z':
            tz = datetime.timezone.utc
        else:
            sign = -1 if zone[0] == '-' else 1
            digits = zone[1:].replace(':', '')
            tz = datetime.timezone(sign * datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                                   int((fraction or '0')[:6].ljust(6, '0')), tz)
    except ValueError:
        return None
    return moment.timestamp()


class TemporaryCredential:
    """Temporary AK/SK and security token; never printed."""

    def __init__(self, access_key, secret_key, security_token, expires_at):
        self.access_key = access_key
        self.secret_key = secret_key
        self.security_token = security_token
        self.expires_at = expires_at

    def __repr__(self):
        return 'TemporaryCredential(access_key=********, expires_at=%s)' % self.expires_at


class AgencyCredentials:
    """The temporary credentials of one agency, assumed once and renewed before they expire; thread-safe.

    ``base_client`` is a client with the base credentials and no agency (it sends the assume request, with its own
    authentication, retries and pacing). ``clock`` is injectable for tests (epoch seconds)."""

    def __init__(self, settings, base_client, clock=time.time):
        self.settings = settings
        self.assume_count = 0
        self._base = base_client
        self._clock = clock
        self._lock = threading.Lock()
        self._credential = None
        self._renew_at = None
        # Base secrets (and any token the base client is issued) and, later, the temporary credentials.
        self.secrets = Redactor()
        base_client.secrets.subscribe(self.secrets.add)

    def __repr__(self):
        return 'AgencyCredentials(%s)' % self.settings.describe()

    def close(self):
        self._base.close()

    def current(self):
        """The temporary credentials to sign with now, assumed on first use and again shortly before expiry."""
        with self._lock:
            if self._credential is None or self._clock() >= self._renew_at:
                self._credential = self._assume()
            return self._credential

    def _assume(self):
        settings = self.settings
        try:
            response = self._base.request('POST', 'iam', SECURITY_TOKENS_PATH, json_body=settings.request_body(),
                                          expected_status=(201,), idempotent=True)
        except HuaweiCloudError as error:
            error.context = error.context or settings.describe()
            hint = _HINTS.get(error.status)
            if hint:
                error.message = '%s: %s' % (hint.format(duration=settings.duration), error.message)
            raise
        self.assume_count += 1
        credential = response.body.get('credential')
        if not isinstance(credential, dict):
            raise self._shape_error(response, 'credential', credential, 'an object')
        # Held as secrets before anything else is done with them, so that no later message can show them.
        for field in ('access', 'secret', 'securitytoken'):
            self.secrets.add(credential.get(field))
        access, secret, token = credential.get('access'), credential.get('secret'), credential.get('securitytoken')
        if not isinstance(access, str) or not _ACCESS_KEY.match(access):
            raise self._shape_error(response, 'credential.access', access, 'an access key ID of letters and digits')
        for field, value in (('secret', secret), ('securitytoken', token)):
            if not isinstance(value, str) or not value or _HEADER_UNSAFE.search(value):
                raise self._shape_error(response, 'credential.' + field, value, 'a non-empty string without spaces or '
                                        'control characters')
        raw_expiry = credential.get('expires_at')
        expires_at = parse_expires_at(raw_expiry)
        if expires_at is None:
            raise self._shape_error(response, 'credential.expires_at', raw_expiry,
                                    'a time such as 2026-01-01T00:00:00.000000Z', show=True)
        lifetime = expires_at - self._clock()
        if lifetime <= 0:
            raise HuaweiCloudError('IAM issued temporary credentials that expire at %s, which is not in the future by '
                                   "this machine's clock: check the clock" % clip(raw_expiry, 40), status=response.status,
                                   method='POST', path=SECURITY_TOKENS_PATH, request_id=response.request_id,
                                   context=settings.describe())
        self._renew_at = expires_at - min(RENEW_MARGIN, lifetime / 10.0)
        return TemporaryCredential(access, secret, token, expires_at)

    def _shape_error(self, response, field, value, expected, show=False):
        if value is None:
            found = 'missing'
        elif show:
            found = 'the %s %s' % (type(value).__name__, clip(repr(value), 40))
        else:
            # A credential field is never quoted, even a wrong one.
            found = 'a %s that is not that' % type(value).__name__
        return ResponseShapeError('IAM answer without the documented shape: field %s is %s, expected %s'
                                  % (field, found, expected), status=response.status, method='POST',
                                  path=SECURITY_TOKENS_PATH, request_id=response.request_id,
                                  context=self.settings.describe())


# What a refused assume request most likely means.
_HINTS = {
    400: 'IAM refused the request (agency_duration {duration} s may exceed the maximum duration set on the agency)',
    401: 'the base credentials were refused, before the agency was tried',
    403: ('no permission to assume this agency: it must trust the account of the base credentials, and the user '
          'needs permission to assume agencies'),
    404: 'unknown agency or account: check agency_name and agency_domain_name or agency_domain_id',
}


class AssumedAuth:
    """Signs each request with the agency's current temporary credentials (AK/SK plus ``X-Security-Token``)."""

    def __init__(self, credentials):
        self._credentials = credentials

    def __repr__(self):
        return 'AssumedAuth(%r)' % self._credentials

    def headers_for(self, method, host, path, query, headers, body):
        credential = self._credentials.current()
        return signer.sign_headers(method, host, path, query, headers, body, credential.access_key,
                                   credential.secret_key, credential.security_token)
