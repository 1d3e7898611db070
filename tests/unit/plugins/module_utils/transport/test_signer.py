"""AK/SK signing: the published vector, and byte-for-byte agreement with the official SDK's signer."""

import pytest

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport import signer

VECTOR_PATH = '/v1/0123456789abcdef0123456789abcdef/audit/instances'
VECTOR_SIGNATURE = 'eea8e016f652edac3f42709569cd544be5526e13cc228a695571ff83f4f57ccd'


def test_vector_from_api_notes():
    headers = signer.sign_headers('GET', 'dbss.cn-north-4.myhuaweicloud.com', VECTOR_PATH,
                                  {'offset': '0', 'limit': '100'}, {'X-Sdk-Date': '20260101T000000Z'}, b'',
                                  'AKTEST', 'SKTEST')
    assert headers['Authorization'] == (
        'SDK-HMAC-SHA256 Access=AKTEST, SignedHeaders=host;x-sdk-date, Signature=' + VECTOR_SIGNATURE)
    assert signer.canonical_query({'offset': '0', 'limit': '100'}) == 'limit=100&offset=0'


def test_vector_breaks_when_anything_changes():
    base = dict(method='GET', host='dbss.cn-north-4.myhuaweicloud.com', path=VECTOR_PATH,
                params={'offset': '0', 'limit': '100'}, headers={'X-Sdk-Date': '20260101T000000Z'}, body=b'',
                access_key='AKTEST', secret_key='SKTEST')
    for change in ({'secret_key': 'SKTEST2'}, {'params': {'offset': '1', 'limit': '100'}},
                   {'path': VECTOR_PATH + 'x'}, {'headers': {'X-Sdk-Date': '20260101T000001Z'}}):
        headers = signer.sign_headers(**dict(base, **change))
        assert VECTOR_SIGNATURE not in headers['Authorization']


def test_canonical_uri_always_ends_with_slash_and_encodes_segments():
    assert signer.canonical_uri('/v1/p/audit/instances') == '/v1/p/audit/instances/'
    assert signer.canonical_uri('/v1/a b/c+d/e:f') == '/v1/a%20b/c%2Bd/e%3Af/'
    assert signer.canonical_uri('/v1/a%20b/') == '/v1/a%20b/'


def test_signed_headers_skip_underscore_names():
    headers = signer.sign_headers('GET', 'h', '/x', None, {'X-Sdk-Date': '20260101T000000Z', 'X_Custom': 'v'},
                                  b'', 'AK', 'SK')
    assert 'SignedHeaders=host;x-sdk-date,' in headers['Authorization']


def _sdk_sign(method, host, path, query, headers, body, ak, sk, security_token=None):
    request = SdkRequest(method=method, schema='https', host=host, resource_path=path, query_params=list(query),
                         header_params=dict(headers), body=body)
    if security_token:
        request.header_params['X-Security-Token'] = security_token
    Signer(BasicCredentials(ak, sk)).sign(request)
    return request


CASES = [
    ('GET', '/v1/0123456789abcdef/audit/instances', [('offset', '0'), ('limit', '1000')], b'', None),
    ('GET', '/v1/proj/audit/inst+with+plus/rule/scopes', [('name', 'a b+c:d'), ('limit', '10')], b'', None),
    ('GET', '/v3/proj/instances/id:colon/auditlog',
     [('start_time', '2026-11-01T00:00:00+0800'), ('end_time', '2026-11-02T00:00:00+0800'),
      ('offset', '0'), ('limit', '50')], b'', None),
    ('GET', '/v3/proj/instances', [('name', 'db with spaces'), ('datastore_type', 'MySQL'), ('tilde', 'a~b/c')],
     b'', 'temporary-security-token'),
    ('POST', '/v3/auth/tokens', [], b'{"auth": {"identity": {"methods": ["password"]}}}', None),
    ('POST', '/v3/proj/instances/x/auditlog-links', [], b'{"ids": ["a", "b"]}', 'temporary-security-token'),
]


@pytest.mark.parametrize('method,path,query,body,security_token', CASES)
def test_identical_to_official_sdk_signer(method, path, query, body, security_token):
    host = 'rds.cn-north-4.myhuaweicloud.com'
    base_headers = {'X-Sdk-Date': '20261123T101010Z', 'Content-Type': 'application/json;charset=UTF-8',
                    'X-Project-Id': '0123456789abcdef'}
    sdk_request = _sdk_sign(method, host, path, query, base_headers, body, 'AKID', 'SKSECRET', security_token)
    ours = signer.sign_headers(method, host, path, query, base_headers, body, 'AKID', 'SKSECRET', security_token)
    assert ours['Authorization'] == sdk_request.header_params['Authorization']
    # The query we send on the wire is the one the SDK sends (and the one that was signed).
    wire_query = signer.canonical_query(query)
    assert sdk_request.uri == path + ('?' + wire_query if wire_query else '')
    if security_token:
        assert 'x-security-token' in ours['Authorization']
        assert ours['X-Security-Token'] == security_token
