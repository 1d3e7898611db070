# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection settings shared by every module and plugin: validated once, before any request is sent.

Input is a plain dict of the common options (see ``common_options.py``), whether it comes from a module's
parameters or from an inventory source, so both validate and resolve endpoints the same way.
"""

import copy
import difflib
import ipaddress
import math
import os
import re
from urllib.parse import urlsplit

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.agency import agency_settings
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, clip
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.ratelimit import check_max_requests_per_second

SERVICES = ('dbss', 'iam', 'rds')
DEFAULT_CLOUD = 'myhuaweicloud.com'
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 5
# A request that takes longer than an hour is a hung request, whatever the user asked for.
MAX_TIMEOUT = 3600.0
_REGION = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?$')
_CLOUD = re.compile(r'^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$')
_PROJECT_ID = re.compile(r'^[A-Za-z0-9_-]{1,64}$')
_HOST = re.compile(r'^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_-]{1,63})*\.?$')
_PATH = re.compile(r'^[A-Za-z0-9._~/-]*$')
# Credentials travel in HTTP headers: a line break or control character would make requests refuse the request
# with a message that quotes the whole value.
_UNSAFE_HEADER_TEXT = re.compile(r'[\x00-\x1f\x7f]|^\s|\s$')
_USERINFO = re.compile(r'(^[A-Za-z][A-Za-z0-9+.-]*:(?://)?)[^/?#]*@')
INSECURE_WARNING = ('validate_certs is false: TLS certificates are not verified, so anyone on the network path can '
                    'read and change the audit data and capture the credentials; use ca_path for a private CA instead')
# Per-service endpoint overrides from the environment; HW_AUTH_URL is Terraform's name for the IAM endpoint.
ENDPOINT_ENV_VARS = {
    'dbss': ('HW_DBSS_ENDPOINT',),
    'iam': ('HW_IAM_ENDPOINT', 'HW_AUTH_URL'),
    'rds': ('HW_RDS_ENDPOINT',),
}

AUTH_TOKEN = 'token'
AUTH_AKSK = 'aksk'
AUTH_PASSWORD = 'password'
AUTH_HELP = ('set auth_token (HW_AUTH_TOKEN), or access_key and secret_key (HW_ACCESS_KEY, HW_SECRET_KEY), '
             'or user_name, password and domain_name (HW_USER_NAME, HW_USER_PASSWORD, HW_DOMAIN_NAME)')


def without_userinfo(url):
    """``url`` with any ``user:password@`` replaced by ``****@``, so that a refused endpoint can be quoted."""
    return _USERINFO.sub(r'\1****@', str(url))


def _endpoint_error(source, service, url, reason):
    return HuaweiCloudConfigError(
        "%s: %s; the %s endpoint must be a URL such as https://%s.cn-north-4.myhuaweicloud.com (http or https, a host "
        "name or IP address, an optional port and path), got '%s'"
        % (source, reason, service, service, clip(without_userinfo(url), 120)))


def _normalise_endpoint(service, url, source):
    """A validated base URL: scheme, host and port, and a path; never credentials, a query or a fragment."""
    text = str(url).strip()
    try:
        parsed = urlsplit(text)
        port = parsed.port
    except ValueError as error:
        # urlsplit: "Invalid IPv6 URL"; .port: "Port out of range 0-65535" or "Port could not be cast to integer".
        raise _endpoint_error(source, service, text, str(error).lower())
    if parsed.scheme not in ('http', 'https') or not parsed.netloc:
        raise _endpoint_error(source, service, text, 'not an http or https URL')
    if '@' in parsed.netloc:
        # requests would send user:password as Basic auth instead of the signature, and print it in errors.
        raise _endpoint_error(source, service, text, 'a user name or password in an endpoint is not allowed')
    if parsed.query or parsed.fragment or text.endswith(('?', '#')):
        raise _endpoint_error(source, service, text, 'a query or fragment in an endpoint is not allowed')
    host = parsed.hostname or ''
    if not _valid_host(host):
        raise _endpoint_error(source, service, text, "'%s' is not a host name or IP address" % clip(host, 60))
    if port == 0:
        raise _endpoint_error(source, service, text, 'port 0 is not a port')
    path = parsed.path.rstrip('/')
    if not _PATH.match(path):
        raise _endpoint_error(source, service, text, 'the path may only hold letters, digits and - . _ ~ /')
    if service == 'iam' and path.endswith('/v3'):
        # Terraform's HW_AUTH_URL carries the API version; request paths in this collection add it themselves.
        path = path[:-3]
    return '%s://%s%s' % (parsed.scheme, parsed.netloc.lower(), path)


def _valid_host(host):
    if ':' in host:
        try:
            ipaddress.IPv6Address(host.split('%', 1)[0])
            return True
        except ValueError:
            return False
    return bool(_HOST.match(host))


# The regions where DBSS or RDS are offered (the Huawei Cloud SDK's region lists, 3.1.x): only for suggesting the
# nearest one after a typing mistake; a region missing here is still used as given (new regions, custom endpoints).
KNOWN_REGIONS = (
    'ae-ad-1', 'af-north-1', 'af-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
    'ap-southeast-5', 'cn-east-2', 'cn-east-3', 'cn-east-4', 'cn-east-5', 'cn-north-1', 'cn-north-11', 'cn-north-12',
    'cn-north-2', 'cn-north-4', 'cn-north-9', 'cn-south-1', 'cn-south-2', 'cn-south-4', 'cn-southwest-2',
    'cn-southwest-3', 'eu-west-0', 'eu-west-101', 'la-north-2', 'la-south-2', 'me-east-1', 'my-kualalumpur-1',
    'na-mexico-1', 'ru-moscow-1', 'ru-northwest-2', 'sa-brazil-1', 'tr-west-1',
)


def region_hint(region):
    """``"; did you mean 'cn-north-4'?"`` for a region that is not known but close to one, else ``''``."""
    text = str(region).strip().lower().replace('_', '-')
    if region in KNOWN_REGIONS:
        return ''
    if text in KNOWN_REGIONS:
        return "; did you mean '%s'?" % text
    nearest = difflib.get_close_matches(text, KNOWN_REGIONS, n=1, cutoff=0.75)
    return "; did you mean '%s'?" % nearest[0] if nearest else ''


def check_region(region, option='region'):
    """A region name as it goes into default endpoints and IAM lookups: letters, digits and ``-`` only."""
    if not isinstance(region, str) or not _REGION.match(region):
        raise HuaweiCloudConfigError("%s must be a region name of letters, digits and '-' such as cn-north-4, got '%s'%s"
                                     % (option, clip(region), region_hint(region) if isinstance(region, str) else ''))
    return region


def check_cloud(cloud):
    if not isinstance(cloud, str) or not _CLOUD.match(cloud):
        raise HuaweiCloudConfigError("cloud must be a domain name of letters, digits, '-' and dots such as "
                                     "myhuaweicloud.com, got '%s'" % clip(cloud))
    return cloud.lower()


def check_id(value, option):
    """An ID or name that goes into a request: not empty, not ``.`` or ``..`` (servers and proxies normalise those
    away in a path: ``/audit/../rule/scopes`` is ``/rule/scopes``)."""
    if str(value).strip() in ('', '.', '..'):
        raise HuaweiCloudConfigError("%s must not be empty, '.' or '..', got '%s'" % (option, clip(value)))
    return value


def check_project_id(project_id, option='project_id'):
    """A project ID goes into every request path: letters, digits, ``-`` and ``_`` only."""
    if not isinstance(project_id, str) or not _PROJECT_ID.match(project_id):
        raise HuaweiCloudConfigError("%s must be a project ID of letters, digits, '-' and '_' such as "
                                     "0123456789abcdef0123456789abcdef, got '%s'" % (option, clip(project_id)))
    return project_id


def resolve_endpoints(endpoints, region, cloud, environ):
    """The base URL of each service: option ``endpoints``, then its env var, then the public default."""
    endpoints = endpoints or {}
    if not isinstance(endpoints, dict):
        raise HuaweiCloudConfigError('endpoints must be a dictionary with keys %s' % ', '.join(SERVICES))
    unknown = sorted(set(endpoints) - set(SERVICES))
    if unknown:
        raise HuaweiCloudConfigError('endpoints: unknown key(s) %s; allowed keys are %s'
                                     % (', '.join(unknown), ', '.join(SERVICES)))
    resolved = {}
    for service in SERVICES:
        if endpoints.get(service):
            resolved[service] = _normalise_endpoint(service, endpoints[service], 'endpoints.%s' % service)
            continue
        for var in ENDPOINT_ENV_VARS[service]:
            if environ.get(var):
                resolved[service] = _normalise_endpoint(service, environ[var], var)
                break
        else:
            # Only validated parts (check_region, check_cloud) ever form a default endpoint.
            resolved[service] = 'https://%s.%s.%s' % (service, region, cloud)
    return resolved


class ClientConfig:
    """Validated connection settings; holds secrets, so it is never logged or returned."""

    def __init__(self, params, environ=None):
        environ = os.environ if environ is None else environ
        get = params.get
        self.region = get('region')
        if not self.region:
            raise HuaweiCloudConfigError('region is required: set the region option or HW_REGION_NAME (for example cn-north-4)')
        check_region(self.region)
        self.project_id = check_project_id(get('project_id')) if get('project_id') else None
        self.cloud = check_cloud(get('cloud') or DEFAULT_CLOUD)
        self.access_key = get('access_key') or None
        self.secret_key = get('secret_key') or None
        self.security_token = get('security_token') or None
        self.auth_token = get('auth_token') or None
        self.user_name = get('user_name') or None
        self.password = get('password') or None
        self.domain_name = get('domain_name') or None
        self.validate_certs = get('validate_certs') is not False
        self.ca_path = self._existing_path('ca_path', get('ca_path')) if self.validate_certs else None
        self.timeout = self._seconds('timeout', get('timeout'), DEFAULT_TIMEOUT, MAX_TIMEOUT)
        self.max_retries = self._non_negative_int('max_retries', get('max_retries'), DEFAULT_MAX_RETRIES)
        self.max_requests_per_second = check_max_requests_per_second(get('max_requests_per_second'))
        self._check_header_safe()
        self.auth_method = self._choose_auth_method()
        # Another account's agency to act through (agency.py), or None.
        self.agency = agency_settings(params)
        self.endpoints = resolve_endpoints(get('endpoints'), self.region, self.cloud, environ)

    def without_agency(self):
        """These settings for the base credentials alone: what assumes the agency. ``project_id`` belongs to the
        agency's account, so it is left out (a password token is scoped by the region's name instead)."""
        base = copy.copy(self)
        base.agency = None
        base.project_id = None
        return base

    @staticmethod
    def _seconds(name, value, default, maximum):
        if value is None:
            return default
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float('nan')
        if isinstance(value, bool) or not math.isfinite(number) or not 0 < number <= maximum:
            raise HuaweiCloudConfigError('%s must be a number of seconds greater than 0 and at most %d, got %s'
                                         % (name, maximum, clip(value)))
        return number

    @staticmethod
    def _existing_path(name, value):
        if not value:
            return None
        if not os.path.exists(value):
            raise HuaweiCloudConfigError("%s: '%s' does not exist; give the path of a CA bundle file (PEM) or of a "
                                         "directory of CA certificates" % (name, clip(value, 200)))
        return value

    @staticmethod
    def _non_negative_int(name, value, default):
        if value is None:
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if number < 0:
            raise HuaweiCloudConfigError('%s must be an integer of 0 or more, got %s' % (name, value))
        return number

    def _check_header_safe(self):
        for name in ('access_key', 'secret_key', 'security_token', 'auth_token'):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or _UNSAFE_HEADER_TEXT.search(value)):
                # Never echo the value: it is (or sits beside) a secret.
                raise HuaweiCloudConfigError('%s contains a line break, a control character or surrounding spaces; '
                                             'remove them (check the file or variable it comes from)' % name)

    def _choose_auth_method(self):
        # Precedence: an explicit token, then AK/SK, then user/password.
        if self.auth_token:
            return AUTH_TOKEN
        if self.access_key or self.secret_key:
            if not (self.access_key and self.secret_key):
                missing = 'secret_key (HW_SECRET_KEY)' if self.access_key else 'access_key (HW_ACCESS_KEY)'
                raise HuaweiCloudConfigError('access_key and secret_key go together: %s is missing' % missing)
            return AUTH_AKSK
        if self.user_name or self.password:
            missing = [name for name, value in (('user_name', self.user_name), ('password', self.password),
                                                ('domain_name', self.domain_name)) if not value]
            if missing:
                raise HuaweiCloudConfigError('password authentication needs user_name, password and domain_name: '
                                             '%s missing' % ', '.join(missing))
            return AUTH_PASSWORD
        raise HuaweiCloudConfigError('no credentials: ' + AUTH_HELP)

    @property
    def verify(self):
        """The ``verify`` setting of a requests call: False, the CA bundle, or True (the system's)."""
        if not self.validate_certs:
            return False
        return self.ca_path or True

    def warnings(self):
        """What a person must be told once per run about these settings."""
        return [] if self.validate_certs else [INSECURE_WARNING]

    def secrets(self):
        """Every secret value, so that callers can scrub them from anything they display."""
        return [value for value in (self.secret_key, self.security_token, self.auth_token, self.password) if value]
