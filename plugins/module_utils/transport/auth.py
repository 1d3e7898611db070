# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""How a request proves who sends it: AK/SK signing or an IAM token header.

Each strategy only decorates headers; obtaining a token with a password is an IAM call and lives in ``iam.py``.
"""

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport import signer

AUTH_TOKEN_HEADER = 'X-Auth-Token'


class AkSkAuth:
    """Permanent (AK/SK) or temporary (AK/SK plus security token) credentials, signed per request."""

    def __init__(self, access_key, secret_key, security_token=None):
        self._access_key = access_key
        self._secret_key = secret_key
        self._security_token = security_token

    def __repr__(self):
        return 'AkSkAuth(access_key=%r, temporary=%s)' % (self._access_key, bool(self._security_token))

    def headers_for(self, method, host, path, query, headers, body):
        return signer.sign_headers(method, host, path, query, headers, body,
                                   self._access_key, self._secret_key, self._security_token)


class TokenAuth:
    """An IAM token (given by the user, or issued for a user name and password)."""

    def __init__(self, token):
        self._token = token

    def __repr__(self):
        return 'TokenAuth(token=********)'

    def headers_for(self, method, host, path, query, headers, body):
        decorated = dict(headers)
        decorated[AUTH_TOKEN_HEADER] = self._token
        return decorated
