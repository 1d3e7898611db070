# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection settings shared by every module and plugin: validated once, before any request is sent.

Input is a plain dict of the common options (see ``common_options.py``), whether it comes from a module's
parameters or from an inventory source, so both validate and resolve endpoints the same way.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
from urllib.parse import urlsplit

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.errors import HuaweiCloudConfigError
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.ratelimit import check_max_requests_per_second

SERVICES = ('dbss', 'iam', 'rds')
DEFAULT_CLOUD = 'myhuaweicloud.com'
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 5
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


def _normalise_endpoint(service, url, source):
    parsed = urlsplit(url.strip())
    if parsed.scheme not in ('http', 'https') or not parsed.netloc:
        raise HuaweiCloudConfigError(
            "%s: the %s endpoint must be a full URL such as https://%s.cn-north-4.myhuaweicloud.com, got '%s'"
            % (source, service, service, url))
    path = parsed.path.rstrip('/')
    if service == 'iam' and path.endswith('/v3'):
        # Terraform's HW_AUTH_URL carries the API version; request paths in this collection add it themselves.
        path = path[:-3]
    return '%s://%s%s' % (parsed.scheme, parsed.netloc, path)


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
        self.project_id = get('project_id') or None
        self.cloud = get('cloud') or DEFAULT_CLOUD
        self.access_key = get('access_key') or None
        self.secret_key = get('secret_key') or None
        self.security_token = get('security_token') or None
        self.auth_token = get('auth_token') or None
        self.user_name = get('user_name') or None
        self.password = get('password') or None
        self.domain_name = get('domain_name') or None
        self.validate_certs = get('validate_certs') is not False
        self.ca_path = get('ca_path') or None
        self.timeout = self._positive('timeout', get('timeout'), DEFAULT_TIMEOUT)
        self.max_retries = self._non_negative_int('max_retries', get('max_retries'), DEFAULT_MAX_RETRIES)
        self.max_requests_per_second = check_max_requests_per_second(get('max_requests_per_second'))
        self.auth_method = self._choose_auth_method()
        self.endpoints = resolve_endpoints(get('endpoints'), self.region, self.cloud, environ)

    @staticmethod
    def _positive(name, value, default):
        if value is None:
            return default
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = 0
        if number <= 0:
            raise HuaweiCloudConfigError('%s must be a number of seconds greater than 0, got %s' % (name, value))
        return number

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

    def secrets(self):
        """Every secret value, so that callers can scrub them from anything they display."""
        return [value for value in (self.secret_key, self.security_token, self.auth_token, self.password) if value]
