"""dbss_instance_info run in-process (real AnsibleModule, real HTTP to the simulator): options, filters, every
authentication method, check mode, failures as one-line messages, and no secret in any output."""

import pytest

from hwtest_support import run_module, sim_requests

from ansible_collections.hwcloud.dbaudit.plugins.module_utils import base_module
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import normalize_audit_instance
from ansible_collections.hwcloud.dbaudit.plugins.modules import dbss_instance_info

REGION = 'cn-north-4'


def run(args, environ=None):
    return run_module(dbss_instance_info, args, environ)


def base_args(sim, **extra):
    args = {'region': REGION, 'endpoints': {'dbss': sim.url, 'iam': sim.url, 'rds': sim.url},
            'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key']}
    args.update(extra)
    return args


def seeded(sim, region=REGION):
    return [normalize_audit_instance(raw) for raw in sim.data.regions[region].instances]


def test_lists_every_instance_normalised(sim):
    outcome = run(base_args(sim))
    code, result = outcome.rc, outcome.result
    assert code == 0
    assert result['changed'] is False
    assert result['instances'] == seeded(sim)
    assert 'api_retries' not in result


def test_filters(sim):
    instances = seeded(sim)
    wanted = ['ERROR', 'SHUTOFF']
    result = run(base_args(sim, status=wanted)).result
    assert result['instances'] == [item for item in instances if item['status'] in wanted]
    assert {item['status'] for item in result['instances']} == set(wanted)

    target = instances[5]
    result = run(base_args(sim, instance_id=target['id'])).result
    assert result['instances'] == [target]

    result = run(base_args(sim, name=target['name'])).result
    assert result['instances'] == [item for item in instances if item['name'] == target['name']]

    result = run(base_args(sim, instance_id='no-such-instance')).result
    assert result['instances'] == []

    result = run(base_args(sim, name=target['name'], status=['DELETED'])).result
    assert result['instances'] == [item for item in instances
                                   if item['name'] == target['name'] and item['status'] == 'DELETED']


def test_check_mode_reads_the_same(sim):
    result = run(base_args(sim, _ansible_check_mode=True)).result
    assert result['instances'] == seeded(sim)
    assert result['changed'] is False


def _auth_variants(sim):
    creds = sim.credentials
    endpoints = {'dbss': sim.url, 'iam': sim.url}
    return {
        'aksk options': ({'region': REGION, 'endpoints': endpoints, 'access_key': creds['access_key'],
                          'secret_key': creds['secret_key']}, {}),
        'aksk HW_ env': ({}, {'HW_REGION_NAME': REGION, 'HW_ACCESS_KEY': creds['access_key'],
                              'HW_SECRET_KEY': creds['secret_key'], 'HW_DBSS_ENDPOINT': sim.url,
                              'HW_IAM_ENDPOINT': sim.url}),
        'aksk SDK env': ({'endpoints': endpoints}, {'HW_REGION_NAME': REGION, 'HUAWEICLOUD_SDK_AK': creds['access_key'],
                                                    'HUAWEICLOUD_SDK_SK': creds['secret_key'],
                                                    'HUAWEICLOUD_SDK_PROJECT_ID': sim.data.regions[REGION].project_id}),
        'temporary aksk': ({'region': REGION, 'endpoints': endpoints, 'access_key': creds['temp_access_key'],
                            'secret_key': creds['temp_secret_key'], 'security_token': creds['security_token']}, {}),
        'auth token': ({'region': REGION, 'endpoints': endpoints, 'auth_token': sim.issue_token(REGION)}, {}),
        'auth token env': ({}, {'HW_REGION_NAME': REGION, 'HW_AUTH_TOKEN': sim.issue_token(REGION),
                                'HW_DBSS_ENDPOINT': sim.url, 'HW_AUTH_URL': sim.url + '/v3'}),
        'password': ({'region': REGION, 'endpoints': endpoints, 'user_name': creds['user_name'],
                      'password': creds['password'], 'domain_name': creds['domain_name']}, {}),
        'password env': ({}, {'HW_REGION_NAME': REGION, 'HW_USER_NAME': creds['user_name'],
                              'HW_USER_PASSWORD': creds['password'], 'HW_DOMAIN_NAME': creds['domain_name'],
                              'HW_DBSS_ENDPOINT': sim.url, 'HW_IAM_ENDPOINT': sim.url}),
    }


@pytest.mark.parametrize('variant', ['aksk options', 'aksk HW_ env', 'aksk SDK env', 'temporary aksk', 'auth token',
                                     'auth token env', 'password', 'password env'])
def test_every_authentication_method(sim, variant):
    args, environ = _auth_variants(sim)[variant]
    outcome = run(args, environ)
    code, result, output = outcome.rc, outcome.result, outcome.output
    assert code == 0, result.get('msg')
    assert result['instances'] == seeded(sim)
    for secret in [value for key, value in sim.credentials.items() if 'secret' in key or key in ('password', 'security_token')]:
        assert secret not in output


def test_no_credentials_fail_with_one_line_naming_the_three_ways(sim):
    outcome = run({'region': REGION, 'endpoints': {'dbss': sim.url}})
    code, result = outcome.rc, outcome.result
    assert code == 1
    assert result['failed'] is True
    assert result['msg'].startswith('no credentials: set auth_token')
    assert '\n' not in result['msg']
    assert sim.requests == []


def test_bad_status_choice_names_the_allowed_values(sim):
    outcome = run(base_args(sim, status=['RUNNING']))
    code, result = outcome.rc, outcome.result
    assert code == 1
    assert 'status' in result['msg'] and 'ACTIVE' in result['msg'] and 'RUNNING' in result['msg']
    assert sim.requests == []


def test_unknown_endpoint_key_is_rejected_before_any_request(sim):
    outcome = run(base_args(sim, endpoints={'dbs': sim.url}))
    code, result = outcome.rc, outcome.result
    assert code == 1
    assert result['msg'] == 'endpoints: unknown key(s) dbs; allowed keys are dbss, iam, rds'
    assert sim.requests == []


def test_cloud_error_is_one_line_with_status_code_and_request_id(sim):
    outcome = run(base_args(sim, secret_key='definitely-wrong-secret'))
    code, result, output = outcome.rc, outcome.result, outcome.output
    assert code == 1
    assert 'HTTP 401 APIGW.0301' in result['msg']
    assert '(request id ' in result['msg']
    assert result['error']['error_code'] == 'APIGW.0301'
    assert result['error']['request_id']
    assert result['instances'] == []
    assert 'definitely-wrong-secret' not in output


def test_retries_are_reported_whatever_the_verbosity(sim):
    project_id = sim.data.regions[REGION].project_id
    sim.add_fault('status', path=r'/audit/instances$', status=429, retry_after='0', times=1)
    quiet = run(base_args(sim, project_id=project_id)).result
    assert len(quiet['api_retries']) == 1 and 'HTTP 429 APIGW.0308' in quiet['api_retries'][0]
    assert quiet['instances'] == seeded(sim)
    sim.add_fault('status', path=r'/audit/instances$', status=503, times=1)
    verbose = run(base_args(sim, project_id=project_id, _ansible_verbosity=3)).result
    assert len(verbose['api_retries']) == 1
    assert 'HTTP 503' in verbose['api_retries'][0]
    assert verbose['instances'] == seeded(sim)
    assert len(sim_requests(sim, r'/audit/instances$')) == 4


def test_retry_lines_are_bounded_and_scrubbed(sim):
    """A long outage cannot flood the result: at most MAX_RETRY_LINES lines, each cut, and one line counting the rest;
    a secret reflected into an error message never shows, not even in part."""
    secret = sim.credentials['secret_key']
    retries = base_module.MAX_RETRY_LINES + 5
    sim.add_fault('status', path=r'/audit/instances$', status=503, retry_after='0', times=retries,
                  error_msg='echo %s %s' % (secret, 'x' * 2000))
    outcome = run(base_args(sim, max_retries=retries))
    lines = outcome.result['api_retries']
    assert outcome.rc == 0 and outcome.result['instances'] == seeded(sim)
    assert len(lines) == base_module.MAX_RETRY_LINES + 1
    assert lines[-1] == '... and 5 more retries, not listed'
    assert all(len(line) <= base_module.RETRY_LINE_CHARACTERS + len('...(9999 characters)') for line in lines)
    assert all(line.endswith('characters)') for line in lines[:-1])
    assert secret not in outcome.output and secret[:8] not in outcome.output
    assert len(sim_requests(sim, r'/audit/instances$')) == retries + 1


def test_partial_results_survive_a_failure():
    from dbaudit_simulator import Simulator, SimulatorConfig
    with Simulator(SimulatorConfig(regions=(REGION,), instances=1500, scopes_per_instance=0,
                                   databases_per_instance=0, rds_instances=0)) as big:
        big.add_fault('html', path=r'/audit/instances$', status=502, after=1)
        outcome = run(base_args(big, max_retries=1))
        code, result = outcome.rc, outcome.result
    assert code == 1
    assert 'HTTP 502' in result['msg'] and 'non-JSON response (text/html' in result['msg']
    assert len(result['instances']) == 1000


def test_missing_requests_gives_the_standard_message(sim, monkeypatch):
    from ansible_collections.hwcloud.dbaudit.plugins.module_utils import base_module
    monkeypatch.setattr(base_module, 'HAS_REQUESTS', False)
    monkeypatch.setattr(base_module, 'REQUESTS_IMPORT_ERROR', 'Traceback: No module named requests')
    outcome = run(base_args(sim))
    assert outcome.rc == 1
    assert outcome.result['msg'].startswith('Failed to import the required Python library (requests) on ')
    assert sim.requests == []
