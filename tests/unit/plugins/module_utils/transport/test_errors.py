"""Every error body shape the services answer with becomes one readable, single-line error."""

import json

import pytest

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import error_from_response, parse_error_body

CASES = [
    # (status, headers, body, expected code, expected message fragment, expected request id)
    (400, {'X-Request-Id': 'rid-flat'},
     json.dumps({'error_code': 'DBSS.10020001', 'error_msg': 'Invalid limit', 'details': [],
                 'encoded_authorization_message': None}), 'DBSS.10020001', 'Invalid limit', 'rid-flat'),
    (403, {}, json.dumps({'error': {'error_code': 'DBSS.10010003', 'error_msg': 'No permission'}}),
     'DBSS.10010003', 'No permission', None),
    (401, {'X-Request-Id': 'rid-iam'},
     json.dumps({'error': {'code': 401, 'message': 'The username or password is wrong.', 'title': 'Unauthorized'}}),
     '401', 'The username or password is wrong.', 'rid-iam'),
    (404, {}, json.dumps({'error_code': 'DBS.200002', 'error_msg': 'The DB instance does not exist.'}),
     'DBS.200002', 'does not exist', None),
    (401, {}, json.dumps({'error_code': 'APIGW.0301', 'error_msg': 'Incorrect IAM authentication information',
                          'request_id': 'rid-in-body'}), 'APIGW.0301', 'Incorrect IAM', 'rid-in-body'),
    (502, {'Content-Type': 'text/html', 'X-Request-Id': 'rid-html'},
     '<html>\n<head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1></body></html>',
     None, 'non-JSON response (text/html): 502 Bad Gateway', 'rid-html'),
    (503, {}, '', None, 'empty response body', None),
    (500, {'Content-Type': 'text/plain'}, 'upstream connect error\nor disconnect', None,
     'non-JSON response (text/plain): upstream connect error or disconnect', None),
    (418, {}, json.dumps({'unexpected': 'shape'}), None, '"unexpected": "shape"', None),
]


@pytest.mark.parametrize('status,headers,body,code,fragment,request_id', CASES)
def test_error_shapes(status, headers, body, code, fragment, request_id):
    error = error_from_response(status, headers, body, 'GET', '/v1/p/audit/instances')
    text = str(error)
    assert error.status == status
    assert error.error_code == code
    assert error.request_id == request_id
    assert fragment in text
    assert '\n' not in text
    assert text.startswith('GET /v1/p/audit/instances failed: HTTP %d' % status)
    if code:
        assert code in text
    if request_id:
        assert text.endswith('(request id %s)' % request_id)


def test_header_request_id_wins_over_body():
    error = error_from_response(401, {'X-Request-Id': 'from-header'},
                                json.dumps({'error_code': 'APIGW.0301', 'error_msg': 'x', 'request_id': 'from-body'}))
    assert error.request_id == 'from-header'


def test_long_html_is_truncated():
    error = error_from_response(502, {'Content-Type': 'text/html'}, '<p>' + 'x' * 5000 + '</p>')
    assert len(str(error)) < 300


def test_retries_are_mentioned():
    error = error_from_response(429, {}, json.dumps({'error_code': 'APIGW.0308', 'error_msg': 'throttled'}),
                                'GET', '/x', retries=5)
    assert 'gave up after 5 retries' in str(error)


def test_parse_error_body_ignores_non_dicts():
    assert parse_error_body(['a']) == (None, None, None)
    assert parse_error_body(None) == (None, None, None)


def test_to_dict_is_structured():
    error = error_from_response(404, {'X-Request-Id': 'r'}, json.dumps({'error_code': 'DBS.200002', 'error_msg': 'gone'}))
    assert error.to_dict() == {'status': 404, 'error_code': 'DBS.200002', 'message': 'gone', 'request_id': 'r'}


def test_format_leaves_out_what_is_unknown():
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError
    assert str(HuaweiCloudError('boom')) == 'boom'
    assert str(HuaweiCloudError('boom', method='GET', path='/x')) == 'GET /x failed: boom'
    assert str(HuaweiCloudError('boom', status=500, context='RDS instance i')) == 'RDS instance i: HTTP 500: boom'
    assert str(HuaweiCloudError('boom', error_code='X.1', request_id='r')) == 'X.1: boom (request id r)'
    assert str(HuaweiCloudError('a\n b', status=400, error_code='X.1', method='GET', path='/x', context='c')) == (
        'c: GET /x failed: HTTP 400 X.1: a b')
