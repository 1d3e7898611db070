"""The client over real HTTP against the local simulator: every authentication method, retries with injected
faults, error shapes, pooling, and secrets kept out of every message."""

import time

import pytest

from hwtest_support import sim_requests

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient, api_path
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import list_audit_instances
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError, PaginationError

REGION = 'cn-north-4'
INSTANCES = r'/audit/instances$'


class Harness:
    def __init__(self, sim, **params):
        settings = dict(region=REGION, endpoints={'dbss': sim.url, 'rds': sim.url, 'iam': sim.url}, max_retries=3)
        if not any(key in params for key in ('auth_token', 'user_name', 'access_key')):
            settings.update(access_key=sim.credentials['access_key'], secret_key=sim.credentials['secret_key'])
        settings.update(params)
        self.logs = []
        self.delays = []
        self.config = ClientConfig(settings, environ={})
        self.client = HuaweiCloudClient(self.config, log=self.logs.append, sleep=self.delays.append)

    def instances(self):
        return list_audit_instances(self.client)


def expected_ids(sim, region=REGION):
    return [instance['id'] for instance in sim.data.regions[region].instances]


def test_aksk_lists_instances_and_looks_project_up_once(sim):
    harness = Harness(sim)
    for _attempt in range(3):
        assert [item['id'] for item in harness.instances()] == expected_ids(sim)
    assert len(sim_requests(sim, r'^/v3/projects$')) == 1
    assert len(sim_requests(sim, INSTANCES)) == 3
    assert {record['auth'] for record in sim.requests} == {'aksk'}
    assert harness.client.project_id == sim.data.regions[REGION].project_id


def test_given_project_id_skips_iam(sim):
    harness = Harness(sim, project_id=sim.data.regions['cn-east-3'].project_id, region='cn-east-3')
    assert [item['id'] for item in harness.instances()] == expected_ids(sim, 'cn-east-3')
    assert sim_requests(sim, r'^/v3/') == []


def test_temporary_credentials_sign_the_security_token(sim):
    creds = sim.credentials
    harness = Harness(sim, access_key=creds['temp_access_key'], secret_key=creds['temp_secret_key'],
                      security_token=creds['security_token'])
    assert len(harness.instances()) == len(expected_ids(sim))


@pytest.mark.parametrize('override', [
    {'secret_key': 'wrong-secret-value'},
    {'access_key': 'UNKNOWNACCESSKEY'},
    {'security_token': 'not-the-security-token'},
])
def test_bad_aksk_credentials_are_rejected_like_the_gateway(sim, override):
    creds = sim.credentials
    params = {'access_key': creds['temp_access_key'], 'secret_key': creds['temp_secret_key'],
              'security_token': creds['security_token']}
    params.update(override)
    harness = Harness(sim, project_id=sim.data.regions[REGION].project_id, **params)
    with pytest.raises(HuaweiCloudError) as info:
        harness.instances()
    error = info.value
    assert (error.status, error.error_code) == (401, 'APIGW.0301')
    assert error.request_id
    for secret in harness.config.secrets():
        assert secret not in str(error)
    assert len(sim.requests) == 1, '401 must not be retried'


def test_auth_token_is_sent_as_x_auth_token(sim):
    token = sim.issue_token(REGION)
    harness = Harness(sim, auth_token=token)
    assert [item['id'] for item in harness.instances()] == expected_ids(sim)
    assert {record['auth'] for record in sim_requests(sim, INSTANCES)} == {'token'}


def test_bad_auth_token_is_rejected_without_leaking_it(sim):
    harness = Harness(sim, auth_token='forged-token-value', project_id=sim.data.regions[REGION].project_id)
    with pytest.raises(HuaweiCloudError) as info:
        harness.instances()
    assert info.value.error_code == 'APIGW.0301'
    assert 'forged-token-value' not in str(info.value)


def test_password_auth_obtains_one_token_and_uses_its_project(sim):
    creds = sim.credentials
    harness = Harness(sim, user_name=creds['user_name'], password=creds['password'], domain_name=creds['domain_name'])
    for _attempt in range(2):
        assert [item['id'] for item in harness.instances()] == expected_ids(sim)
    assert len(sim_requests(sim, r'^/v3/auth/tokens$', 'POST')) == 1
    assert sim_requests(sim, r'^/v3/projects') == []
    assert {record['auth'] for record in sim_requests(sim, INSTANCES)} == {'token'}


def test_wrong_password_gives_the_iam_error_without_the_password(sim):
    creds = sim.credentials
    harness = Harness(sim, user_name=creds['user_name'], password='not-the-password', domain_name=creds['domain_name'])
    with pytest.raises(HuaweiCloudError) as info:
        harness.instances()
    assert info.value.status == 401
    assert info.value.error_code
    assert 'not-the-password' not in str(info.value)
    assert 'POST /v3/auth/tokens' in str(info.value)


def test_throttling_is_retried_honouring_retry_after(sim):
    harness = Harness(sim, project_id=sim.data.regions[REGION].project_id)
    sim.add_fault('status', path=INSTANCES, status=429, retry_after='2', times=2)
    assert len(harness.instances()) == len(expected_ids(sim))
    assert harness.delays == [2.0, 2.0]
    assert len(sim_requests(sim, INSTANCES)) == 3
    assert len(harness.logs) == 2
    assert 'HTTP 429' in harness.logs[0] and 'APIGW.0308' in harness.logs[0] and 'request id' in harness.logs[0]
    assert 'retry 1 of 3' in harness.logs[0] and 'retry 2 of 3' in harness.logs[1]


@pytest.mark.parametrize('status', [500, 502, 503, 504])
def test_server_errors_are_retried_with_backoff(sim, status):
    harness = Harness(sim, project_id=sim.data.regions[REGION].project_id)
    sim.add_fault('status', path=INSTANCES, status=status, times=2)
    assert len(harness.instances()) == len(expected_ids(sim))
    assert len(harness.delays) == 2
    assert 0 < harness.delays[0] <= harness.config.max_retries * 60
    assert len(sim_requests(sim, INSTANCES)) == 3


def test_gives_up_after_max_retries_with_status_code_and_request_id(sim):
    harness = Harness(sim, project_id=sim.data.regions[REGION].project_id, max_retries=2)
    sim.add_fault('status', path=INSTANCES, status=503)
    with pytest.raises(HuaweiCloudError) as info:
        harness.instances()
    error = info.value
    assert error.status == 503
    assert error.request_id
    assert 'gave up after 2 retries' in str(error)
    assert len(sim_requests(sim, INSTANCES)) == 3


def test_dropped_connections_are_retried_then_reported(sim):
    harness = Harness(sim, project_id=sim.data.regions[REGION].project_id, max_retries=1)
    sim.add_fault('drop', path=INSTANCES, times=1)
    assert len(harness.instances()) == len(expected_ids(sim))
    sim.add_fault('drop', path=INSTANCES)
    with pytest.raises(HuaweiCloudError) as info:
        harness.instances()
    message = str(info.value)
    assert message.startswith('GET /v1/%s/audit/instances failed: connection to 127.0.0.1:' % harness.client.project_id)
    assert 'failed: Remote end closed connection without response (gave up after 1 retries)' in message
    assert info.value.status is None


def test_timeouts_are_retried_then_reported(sim):
    harness = Harness(sim, project_id=sim.data.regions[REGION].project_id, max_retries=1, timeout=0.2)
    sim.add_fault('latency', path=INSTANCES, ms=600)
    with pytest.raises(HuaweiCloudError) as info:
        harness.instances()
    assert 'no complete answer from %s within 0.2 s (timeout) (gave up after 1 retries)' % sim.url.split('//')[1] \
        in str(info.value)
    # The simulator records a request once it has answered it, after the injected latency.
    deadline = time.time() + 5
    while len(sim_requests(sim, INSTANCES)) < 2 and time.time() < deadline:
        time.sleep(0.05)
    assert len(sim_requests(sim, INSTANCES)) == 2


@pytest.mark.parametrize('kind,status,fragment', [
    ('html', 502, 'non-JSON response (text/html'),
    ('empty', 503, 'empty response body'),
    ('html', 200, 'expected a JSON object, got non-JSON response'),
])
def test_non_json_answers_give_a_clear_error(sim, kind, status, fragment):
    harness = Harness(sim, project_id=sim.data.regions[REGION].project_id, max_retries=0)
    sim.add_fault(kind, path=INSTANCES, status=status)
    with pytest.raises(HuaweiCloudError) as info:
        harness.instances()
    assert fragment in str(info.value)
    assert 'HTTP %d' % status in str(info.value)
    assert '\n' not in str(info.value)


@pytest.mark.parametrize('shape', ['flat', 'nested', 'iam'])
def test_error_body_shapes_over_http(sim, shape):
    harness = Harness(sim, project_id=sim.data.regions[REGION].project_id, max_retries=0)
    sim.add_fault('status', path=INSTANCES, status=500, error_code='DBSS.10000500', body_shape=shape)
    with pytest.raises(HuaweiCloudError) as info:
        harness.instances()
    assert info.value.error_code == 'DBSS.10000500'
    assert info.value.request_id


def test_post_is_not_retried_but_the_token_request_is(sim):
    harness = Harness(sim, project_id=sim.data.regions[REGION].project_id)
    rds_id = sim.data.regions[REGION].rds_instances[0]['id']
    path = api_path('v3', harness.client.project_id, 'instances', rds_id, 'auditlog-links')
    sim.add_fault('status', path=r'/auditlog-links$', status=503, times=1)
    with pytest.raises(HuaweiCloudError) as info:
        harness.client.request('POST', 'rds', path, json_body={'ids': ['x']})
    assert info.value.status == 503
    assert len(sim_requests(sim, r'/auditlog-links$')) == 1

    creds = sim.credentials
    password_harness = Harness(sim, user_name=creds['user_name'], password=creds['password'],
                               domain_name=creds['domain_name'])
    sim.add_fault('status', path=r'^/v3/auth/tokens$', status=503, times=1)
    assert len(password_harness.instances()) == len(expected_ids(sim))
    assert len(sim_requests(sim, r'^/v3/auth/tokens$')) == 2


def test_one_pooled_connection_serves_sequential_requests(sim):
    harness = Harness(sim, project_id=sim.data.regions[REGION].project_id)
    for _attempt in range(4):
        harness.instances()
    adapter = harness.client._session.get_adapter(sim.url)
    keys = adapter.poolmanager.pools.keys()
    assert len(keys) == 1
    pool = adapter.poolmanager.pools[next(iter(keys))]
    assert pool.num_connections == 1
    assert pool.num_requests == 4
    assert harness.client.requests_sent == 4


def test_2500_instances_take_exactly_three_list_requests():
    from dbaudit_simulator import Simulator, SimulatorConfig
    with Simulator(SimulatorConfig(regions=(REGION,), instances=2500, scopes_per_instance=0,
                                   databases_per_instance=0, rds_instances=0)) as big:
        harness = Harness(big, project_id=big.data.regions[REGION].project_id)
        instances = harness.instances()
        assert len(instances) == 2500
        assert len({item['id'] for item in instances}) == 2500
        listed = sim_requests(big, INSTANCES)
        assert [(record['query']['offset'], record['query']['limit']) for record in listed] == [
            ('0', '1000'), ('1000', '1000'), ('2000', '1000')]


def test_a_server_ignoring_offset_does_not_loop_forever(sim):
    from dbaudit_simulator import Simulator, SimulatorConfig
    with Simulator(SimulatorConfig(regions=(REGION,), instances=1500, scopes_per_instance=0,
                                   databases_per_instance=0, rds_instances=0)) as big:
        big.add_fault('ignore_offset', path=INSTANCES)
        harness = Harness(big, project_id=big.data.regions[REGION].project_id)
        with pytest.raises(PaginationError) as info:
            harness.instances()
        assert len(info.value.partial_results) == 1000
        assert len(sim_requests(big, INSTANCES)) == 2


def test_failure_mid_listing_keeps_the_pages_already_fetched():
    from dbaudit_simulator import Simulator, SimulatorConfig
    with Simulator(SimulatorConfig(regions=(REGION,), instances=2500, scopes_per_instance=0,
                                   databases_per_instance=0, rds_instances=0)) as big:
        big.add_fault('status', path=INSTANCES, status=500, after=1)
        harness = Harness(big, project_id=big.data.regions[REGION].project_id, max_retries=0)
        with pytest.raises(HuaweiCloudError) as info:
            harness.instances()
        assert [item['id'] for item in info.value.partial_results] == expected_ids(big)[:1000]


def test_both_response_shapes_give_identical_results(sim):
    harness = Harness(sim, project_id=sim.data.regions[REGION].project_id)
    documented = harness.instances()
    sim.set_instance_shape('instances')
    newer = harness.instances()
    assert documented == newer
    assert all('connect_ipv6' in item and 'id' in item and 'instance_id' not in item for item in newer)


def test_refused_connection_says_so_in_one_line(sim):
    harness = Harness(sim, project_id='p' * 32, max_retries=1, endpoints={'dbss': 'http://127.0.0.1:9'})
    with pytest.raises(HuaweiCloudError) as info:
        harness.instances()
    assert str(info.value) == ('GET /v1/%s/audit/instances failed: connection to 127.0.0.1:9 failed: Failed to establish '
                               'a new connection: [Errno 111] Connection refused (gave up after 1 retries)' % ('p' * 32))
    assert len(harness.delays) == 1


@pytest.mark.parametrize('region, hint', [('cn-nort-4', "; did you mean 'cn-north-4'?"),
                                          ('CN-NORTH-4', "; did you mean 'cn-north-4'?"),
                                          ('xx-nowhere-1', '')])
def test_a_region_iam_does_not_know_suggests_the_nearest_known_one(sim, region, hint):
    harness = Harness(sim, region=region)
    with pytest.raises(HuaweiCloudError) as info:
        harness.instances()
    message = str(info.value)
    assert "IAM knows no project named '%s' for these credentials: check region or set project_id%s" % (
        region, hint) in message
    assert '\n' not in message and sim_requests(sim, INSTANCES) == []
