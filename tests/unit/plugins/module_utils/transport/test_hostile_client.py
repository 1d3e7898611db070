"""The shared client against hostile input and hostile servers (issue "Hardening", client items).

Each test names the item of the threat list it covers. Servers are real: the small raw-socket server of
tests/support/hostile_server.py on 127.0.0.1, or the simulator. Nothing here mocks the HTTP layer.
"""

import json
import socket
import threading
import time
import tracemalloc
import warnings

import pytest

from hostile_server import (
    HostileServer,
    drip,
    echo_headers,
    endless_body,
    head,
    json_reply,
    project_lookup,
    raw_reply,
    redirect,
)

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.bounded_http import MAX_RESPONSE_BYTES
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient, api_path
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import list_audit_instances
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import (
    HuaweiCloudConfigError,
    HuaweiCloudError,
    ResponseShapeError,
)

PROJECT = '0' * 32
INSTANCES = r'/audit/instances$'
AKSK = dict(access_key='AKHOSTILETEST', secret_key='SK-very-secret-value-123')


@pytest.fixture
def hostile():
    server = HostileServer().start()
    yield server
    server.stop()


def client_for(server, sleep=None, **params):
    settings = dict(region='cn-north-4', project_id=PROJECT, max_retries=0,
                    endpoints={'dbss': server.url, 'rds': server.url, 'iam': server.url})
    settings.update(AKSK if not any(key in params for key in ('user_name', 'auth_token')) else {})
    settings.update(params)
    config = ClientConfig(settings, environ={})
    return HuaweiCloudClient(config, sleep=sleep or (lambda _seconds: None))


def config_error(**params):
    settings = dict(AKSK, region='cn-north-4')
    settings.update(params)
    with pytest.raises(HuaweiCloudConfigError) as info:
        ClientConfig(settings, environ={})
    message = str(info.value)
    assert '\n' not in message
    return message


# Item 2: endpoints with userinfo, a query or a fragment are refused; the password is never printed.
@pytest.mark.parametrize('url,fragment', [
    ('http://admin:hunter2-password@127.0.0.1:9', 'a user name or password in an endpoint is not allowed'),
    ('https://token-only@dbss.example.com', 'a user name or password in an endpoint is not allowed'),
    ('https://dbss.example.com/?x=1', 'a query or fragment in an endpoint is not allowed'),
    ('https://dbss.example.com/#top', 'a query or fragment in an endpoint is not allowed'),
    ('https://dbss.example.com?', 'a query or fragment in an endpoint is not allowed'),
])
def test_item2_endpoint_credentials_query_and_fragment_are_refused(url, fragment):
    message = config_error(endpoints={'dbss': url})
    assert message.startswith('endpoints.dbss: ' + fragment)
    assert 'hunter2-password' not in message and 'token-only' not in message


def test_item2_endpoint_from_the_environment_is_checked_too():
    with pytest.raises(HuaweiCloudConfigError) as info:
        ClientConfig(dict(AKSK, region='cn-north-4'), environ={'HW_AUTH_URL': 'https://u:secret-pw@iam.example.com/v3'})
    assert str(info.value).startswith('HW_AUTH_URL: a user name or password')
    assert 'secret-pw' not in str(info.value)


# Item 3: a credential with a line break is refused without being echoed (requests would quote it).
@pytest.mark.parametrize('name', ['secret_key', 'auth_token', 'security_token', 'access_key'])
def test_item3_credentials_unfit_for_a_header_are_refused_unechoed(name):
    value = 'line-one-secret\nline-two'
    params = dict(AKSK, security_token='a-security-token') if name != 'auth_token' else {}
    params[name] = value
    message = config_error(**params)
    assert message.startswith('%s contains a line break, a control character or surrounding spaces' % name)
    assert 'line-one-secret' not in message


# Item 4: region and cloud are validated before any request; default endpoints only from validated parts.
@pytest.mark.parametrize('params,fragment', [
    ({'region': 'x@127.0.0.1:18444#'}, "region must be a region name of letters, digits and '-'"),
    ({'region': 'cn-north-4/../evil'}, "region must be a region name"),
    ({'region': 'cn north 4'}, "region must be a region name"),
    ({'cloud': 'evil.com:8443'}, "cloud must be a domain name of letters, digits, '-' and dots"),
    ({'cloud': 'x@evil.com'}, "cloud must be a domain name"),
    ({'cloud': 'localhost'}, "cloud must be a domain name"),
    ({'project_id': '../../v3/auth'}, "project_id must be a project ID"),
])
def test_item4_region_cloud_and_project_are_strict(params, fragment):
    assert fragment in config_error(**params)


def test_item4_a_hostile_region_sends_nothing_anywhere(hostile):
    hostile.route('POST', r'/v3/auth/tokens', json_reply({}, status=201))
    settings = dict(region='x@127.0.0.1:%d#' % hostile.port, user_name='u', password='p4ssw0rd-value',
                    domain_name='d')
    with pytest.raises(HuaweiCloudConfigError):
        ClientConfig(settings, environ={})
    assert hostile.requests == []


def test_item4_default_endpoints_are_built_from_the_region_and_cloud():
    config = ClientConfig(dict(AKSK, region='eu-west-101', cloud='MyHuaweiCloud.EU'), environ={})
    assert config.endpoints == {'dbss': 'https://dbss.eu-west-101.myhuaweicloud.eu',
                                'iam': 'https://iam.eu-west-101.myhuaweicloud.eu',
                                'rds': 'https://rds.eu-west-101.myhuaweicloud.eu'}


# Item 3: a credential obtained at run time (a password token) is scrubbed when a server echoes headers.
def test_item3_an_issued_token_is_scrubbed_when_headers_are_reflected(hostile):
    token = 'MIIissued-token-' + 'x' * 40
    hostile.route('POST', r'^/v3/auth/tokens$', raw_reply(json.dumps({'token': {'project': {'id': PROJECT}}}),
                                                          status=201, headers={'X-Subject-Token': token},
                                                          declared_length='auto'))
    hostile.route('GET', INSTANCES, echo_headers(status=500))
    logs = []
    client = client_for(hostile, user_name='auditor', password='p4ssw0rd-value', domain_name='acme', project_id=None,
                        max_retries=1)
    client._log = logs.append  # pylint: disable=protected-access
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_instances(client)
    reflected = hostile.requests_to(INSTANCES)[0]['headers']
    assert reflected['X-Auth-Token'] == token, 'the hostile server did receive the token'
    assert 'echo' in str(info.value)
    for text in [str(info.value)] + logs:
        assert token not in text and 'p4ssw0rd-value' not in text
        assert '********' in text
    assert token in client.secrets.values()


def test_item3_listeners_learn_secrets_obtained_later():
    seen = []
    config = ClientConfig(dict(region='cn-north-4', auth_token='configured-token-value'), environ={})
    client = HuaweiCloudClient(config)
    client.secrets.subscribe(seen.append)
    client.secrets.add('assumed-security-token')
    assert seen == ['configured-token-value', 'assumed-security-token']


# Item 5: '.', '..' and empty IDs never reach the wire.
@pytest.mark.parametrize('segment', ['..', '.', '', ' '])
def test_item5_dot_segments_and_empty_ids_are_refused(segment):
    with pytest.raises(HuaweiCloudConfigError) as info:
        api_path('v1', PROJECT, 'audit', segment, 'rule', 'scopes')
    assert "must not be empty, '.' or '..'" in str(info.value)


def test_item5_ids_are_percent_encoded_not_interpreted():
    assert api_path('v1', 'a/../b', '%2e%2e', '?x=1') == '/v1/a%2F..%2Fb/%252e%252e/%3Fx%3D1'


# Item 7: validate_certs false warns once per run and leaves the warning filters of the process alone.
def test_item7_validate_certs_false_is_a_warning_and_filters_are_untouched():
    before = list(warnings.filters)
    config = ClientConfig(dict(AKSK, region='cn-north-4', validate_certs=False), environ={})
    HuaweiCloudClient(config)
    assert warnings.filters == before
    assert len(config.warnings()) == 1 and 'validate_certs is false' in config.warnings()[0]
    assert ClientConfig(dict(AKSK, region='cn-north-4'), environ={}).warnings() == []


# Item 11: a lone surrogate in one field keeps everything else.
def test_item11_lone_surrogates_become_replacement_characters(hostile):
    body = '{"servers": [{"id": "i-1", "name": "bad\\ud800name", "status": "ACTIVE"}], "total": 1}'
    hostile.route('GET', INSTANCES, raw_reply(body, declared_length='auto'))
    [instance] = list_audit_instances(client_for(hostile))
    assert instance['name'] == 'bad\ufffdname' and instance['status'] == 'ACTIVE'
    json.dumps(instance).encode('utf-8')


# Items 12 and 13: timeout bounds the whole request; the body has a size cap; memory stays bounded.
@pytest.mark.parametrize('handler', [endless_body(seconds=20), drip(interval=0.3, seconds=20)],
                         ids=['endless body', 'slow drip'])
def test_item12_13_timeout_bounds_the_whole_request(hostile, handler):
    hostile.route('GET', INSTANCES, handler)
    started = time.monotonic()
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_instances(client_for(hostile, timeout=1.5))
    elapsed = time.monotonic() - started
    # The bug was "runs forever" (20 s here); the slack is generous for a loaded machine.
    assert elapsed < 10, elapsed
    message = str(info.value)
    assert 'no complete answer from 127.0.0.1:%d within 1.5 s (timeout)' % hostile.port in message or \
        'response too large' in message, message


def test_item13_headers_that_drip_are_bounded_too(hostile):
    def slow_headers(_request, send):
        for byte in head(200).decode('latin-1'):
            if not send(byte.encode('latin-1')):
                return
            time.sleep(0.3)
    hostile.route('GET', INSTANCES, slow_headers)
    started = time.monotonic()
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_instances(client_for(hostile, timeout=1))
    assert time.monotonic() - started < 10
    assert 'within 1 s (timeout)' in str(info.value)


def test_item12_a_timed_out_request_is_retried_like_any_timeout(hostile):
    hostile.route('GET', INSTANCES, drip(interval=0.2, seconds=5))
    delays = []
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_instances(client_for(hostile, sleep=delays.append, timeout=0.5, max_retries=2))
    assert len(hostile.requests_to(INSTANCES)) == 3 and len(delays) == 2
    assert '(gave up after 2 retries)' in str(info.value)


def test_item12_an_endless_body_is_cut_at_the_size_cap_with_bounded_memory(hostile):
    hostile.route('GET', INSTANCES, endless_body(chunk=b' ' * 262144, seconds=60))
    tracemalloc.start()
    try:
        with pytest.raises(HuaweiCloudError) as info:
            list_audit_instances(client_for(hostile, timeout=120))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 'response too large: the answer went on beyond %d bytes' % MAX_RESPONSE_BYTES in str(info.value)
    assert peak < 3 * MAX_RESPONSE_BYTES, peak
    assert len(hostile.requests_to(INSTANCES)) == 1, 'an oversized answer is not retried'


def test_item12_a_truncated_body_is_retried_then_reported(hostile):
    hostile.route('GET', INSTANCES, raw_reply('{"servers": [{"id": "i-1"', declared_length=4096))
    delays = []
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_instances(client_for(hostile, sleep=delays.append, max_retries=2))
    assert len(hostile.requests_to(INSTANCES)) == 3 and len(delays) == 2
    message = str(info.value)
    assert message.startswith('GET /v1/%s/audit/instances failed: connection to 127.0.0.1:%d failed: '
                              % (PROJECT, hostile.port)), message
    assert message.endswith('(gave up after 2 retries)') and '\n' not in message


def test_item12_a_declared_oversize_is_refused_before_reading(hostile):
    hostile.route('GET', INSTANCES, raw_reply('{}', declared_length=MAX_RESPONSE_BYTES + 1))
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_instances(client_for(hostile))
    assert 'response too large: the answer declares %d bytes' % (MAX_RESPONSE_BYTES + 1) in str(info.value)


# Item 18: timeout must be finite, positive and sane.
@pytest.mark.parametrize('value', ['nan', 'inf', float('nan'), float('inf'), -1, 0, 86400, 'soon', True])
def test_item18_timeout_must_be_a_sane_number(value):
    assert config_error(timeout=value).startswith('timeout must be a number of seconds greater than 0 and at most 3600')


# Item 19: ports and IPv6 literals.
@pytest.mark.parametrize('url,fragment', [
    ('https://dbss.example.com:99999', 'port out of range'),
    ('https://dbss.example.com:http', 'port could not be cast to integer'),
    ('https://dbss.example.com:0', 'port 0 is not a port'),
    ('https://[::1', 'invalid ipv6 url'),
    ('https://[fe80::zz]:8443', "does not appear to be an ipv4 or ipv6 address"),
    ('https://exa mple.com', "is not a host name or IP address"),
    ('https://:8443', "is not a host name or IP address"),
])
def test_item19_bad_ports_and_ipv6_literals_are_one_line_errors(url, fragment):
    message = config_error(endpoints={'rds': url})
    assert message.startswith('endpoints.rds: ') and fragment in message, message


def test_item19_good_ipv6_and_ports_are_kept():
    config = ClientConfig(dict(AKSK, region='cn-north-4', endpoints={'rds': 'http://[::1]:8080/', 'iam': 'https://IAM.Example.com/v3'}),
                          environ={})
    assert config.endpoints['rds'] == 'http://[::1]:8080'
    assert config.endpoints['iam'] == 'https://iam.example.com'


# Item 20: a ca_path that does not exist.
def test_item20_missing_ca_path_is_named(tmp_path):
    message = config_error(ca_path=str(tmp_path / 'nope.pem'))
    assert message.startswith("ca_path: '%s' does not exist" % (tmp_path / 'nope.pem'))


def test_item20_ca_path_is_ignored_when_verification_is_off(tmp_path):
    config = ClientConfig(dict(AKSK, region='cn-north-4', ca_path=str(tmp_path / 'nope.pem'), validate_certs=False),
                          environ={})
    assert config.ca_path is None


# Item 21: IAM answers of the wrong shape name the API, the field and the request id.
@pytest.mark.parametrize('document,fragment', [
    ({'projects': [{'name': 'cn-north-4'}]}, 'field projects[0].id is missing'),
    ({'projects': 'oops'}, "field projects is the str 'oops', expected a list"),
    ({'projects': ['x']}, "field projects[0] is the str 'x', expected an object"),
    ({'projects': [{'id': '../../evil'}]}, "field projects[0].id is the str '../../evil', expected a project ID"),
])
def test_item21_iam_projects_of_the_wrong_shape(hostile, document, fragment):
    hostile.route('GET', r'^/v3/projects$', json_reply(document))
    with pytest.raises(ResponseShapeError) as info:
        list_audit_instances(client_for(hostile, project_id=None))
    message = str(info.value)
    assert message.startswith('GET /v3/projects failed: HTTP 200: IAM answer without the documented shape: ')
    assert fragment in message and message.endswith('(request id hostile-request-id)')
    assert hostile.requests_to(INSTANCES) == []


# Item 26: Location on a 3xx, clipped echoes, http-vs-https.
def test_item26_a_redirect_names_its_location_without_credentials(hostile):
    hostile.route('GET', INSTANCES, redirect('http://user:pw-secret@elsewhere.example.com/v1/x', status=302))
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_instances(client_for(hostile))
    message = str(info.value)
    assert 'HTTP 302: redirect to http://****@elsewhere.example.com/v1/x not followed' in message
    assert 'pw-secret' not in message
    assert len(hostile.requests) == 1


def test_item26_a_redirect_with_an_endless_body_is_not_read(hostile):
    def endless_redirect(_request, send):
        if send(head(302, {'Location': 'http://elsewhere.example.com/'})):
            while send(b' ' * 65536):
                pass
    hostile.route('GET', INSTANCES, endless_redirect)
    tracemalloc.start()
    try:
        with pytest.raises(HuaweiCloudError) as info:
            list_audit_instances(client_for(hostile, timeout=60))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # requests' own redirect handling would read the whole (endless) body before anything else happens.
    assert 'HTTP 302: redirect to http://elsewhere.example.com/ not followed' in str(info.value) or \
        'response too large' in str(info.value)
    assert peak < 3 * MAX_RESPONSE_BYTES


def test_item2_a_netrc_password_is_never_sent(hostile, tmp_path, monkeypatch):
    netrc = tmp_path / 'netrc'
    netrc.write_text('machine 127.0.0.1 login someone password netrc-password-value\n')
    netrc.chmod(0o600)
    monkeypatch.setenv('NETRC', str(netrc))
    hostile.route('GET', INSTANCES, json_reply({'servers': [], 'total': 0}))
    assert list_audit_instances(client_for(hostile, auth_token='a-token-value')) == []
    [request] = hostile.requests_to(INSTANCES)
    assert 'Authorization' not in request['headers'] and request['headers']['X-Auth-Token'] == 'a-token-value'


def test_item26_a_huge_id_is_clipped_in_messages(hostile):
    hostile.route('GET', r'/rule/scopes$', json_reply({'error_code': 'DBSS.1', 'error_msg': 'no'}, status=404))
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import list_audit_scopes
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_scopes(client_for(hostile), ['i' * 10000])
    assert len(str(info.value)) < 1000
    assert 'characters) failed: HTTP 404 DBSS.1: no (request id hostile-request-id)' in str(info.value)


def test_item26_https_to_a_plain_http_port_says_so():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(4)
    port = listener.getsockname()[1]

    def answer_plain_http():
        connection, _address = listener.accept()
        connection.recv(4096)
        connection.sendall(b'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')
        connection.close()
    threading.Thread(target=answer_plain_http, daemon=True).start()
    config = ClientConfig(dict(AKSK, region='cn-north-4', project_id=PROJECT, max_retries=0,
                               endpoints={'dbss': 'https://127.0.0.1:%d' % port}), environ={})
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_instances(HuaweiCloudClient(config))
    listener.close()
    assert 'the endpoint answers plain HTTP, not HTTPS: use an http:// endpoint' in str(info.value)


def test_iam_project_lookup_still_works(hostile):
    hostile.route('GET', r'^/v3/projects$', project_lookup(PROJECT))
    hostile.route('GET', INSTANCES, json_reply({'servers': [], 'total': 0}))
    assert list_audit_instances(client_for(hostile, project_id=None)) == []
    assert hostile.requests_to(INSTANCES)[0]['path'] == '/v1/%s/audit/instances' % PROJECT
