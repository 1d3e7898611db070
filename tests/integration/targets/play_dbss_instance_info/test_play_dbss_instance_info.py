"""ansible-playbook runs of dbss_instance_info against the simulator over real HTTP."""

import pytest

from hwtest_support import sim_requests

REGION = 'cn-north-4'
INSTANCES = r'/audit/instances$'


def seeded(sim, region=REGION):
    """The simulator's records in the module's shape (the documented shape is already snake_case)."""
    return [dict(raw) for raw in sim.data.regions[region].instances]


def aksk_env(sim):
    return {'HW_ACCESS_KEY': sim.credentials['access_key'], 'HW_SECRET_KEY': sim.credentials['secret_key']}


@pytest.mark.all_core_lines  # dbss_instance_info, and check mode
def test_lists_filters_and_check_mode(sim, run_playbook):
    run = run_playbook('dbss_instance_info', {'wanted_statuses': ['ACTIVE', 'FROZEN']}, env=aksk_env(sim))
    assert run.rc == 0, run.output
    instances = seeded(sim)
    assert [item['id'] for item in run.result['all']] == [item['id'] for item in instances]
    assert run.result['all'] == instances
    assert run.result['by_status'] == [item for item in instances if item['status'] in ('ACTIVE', 'FROZEN')]
    assert run.result['by_id'] == [instances[3]]
    assert run.result['by_name'] == [item for item in instances if item['name'] == instances[3]['name']]
    assert run.result['check_mode'] == instances
    # Six module runs, one page each, and the project looked up once per run.
    assert len(sim_requests(sim, INSTANCES)) == 6
    assert len(sim_requests(sim, r'^/v3/projects$')) == 6


def test_newer_response_shape_gives_the_same_output(sim, run_playbook):
    sim.set_instance_shape('instances')
    run = run_playbook('dbss_instance_info', {'wanted_statuses': ['ACTIVE']}, env=aksk_env(sim))
    assert run.rc == 0, run.output
    assert run.result['all'] == seeded(sim)


def connection(sim, method):
    creds = sim.credentials
    base = {'region': REGION, 'endpoints': {'dbss': sim.url, 'iam': sim.url, 'rds': sim.url}}
    if method == 'aksk':
        base.update(access_key=creds['access_key'], secret_key=creds['secret_key'])
    elif method == 'temporary':
        base.update(access_key=creds['temp_access_key'], secret_key=creds['temp_secret_key'],
                    security_token=creds['security_token'])
    elif method == 'token':
        base.update(auth_token=sim.issue_token(REGION))
    else:
        base.update(user_name=creds['user_name'], password=creds['password'], domain_name=creds['domain_name'])
    return base


# The action group in module_defaults (meta/runtime.yml) on every line, with one authentication method.
@pytest.mark.parametrize('method', [pytest.param('aksk', marks=pytest.mark.all_core_lines), 'temporary', 'token', 'password'])
def test_module_defaults_group_with_each_authentication_method(sim, run_playbook, method):
    settings = connection(sim, method)
    run = run_playbook('module_defaults_group', {'connection': settings}, verbosity=3)
    assert run.rc == 0, run.output
    assert run.result == seeded(sim)
    expected_auth = 'aksk' if method in ('aksk', 'temporary') else 'token'
    assert {record['auth'] for record in sim_requests(sim, INSTANCES)} == {expected_auth}
    for key in ('secret_key', 'security_token', 'auth_token', 'password'):
        if key in settings:
            assert settings[key] not in run.output, '%s leaked at -vvv' % key


def failure(sim, run_playbook, module_args, env=None, verbosity=0):
    run = run_playbook('failure', {'module_args': module_args}, env=env, verbosity=verbosity)
    assert run.rc == 0, run.output
    assert run.result['failed'] is True
    assert '\n' not in run.result['msg']
    assert 'Traceback' not in run.output
    return run


@pytest.mark.all_core_lines  # the argument spec's message comes from each line's ansible-core
def test_bad_choice_names_option_and_allowed_values(sim, run_playbook):
    run = failure(sim, run_playbook, {'status': ['RUNNING']}, env=aksk_env(sim))
    assert 'status' in run.result['msg']
    for allowed in ('ACTIVE', 'SHUTOFF', 'UPGRADING'):
        assert allowed in run.result['msg']
    assert sim.requests == []


def test_missing_credentials_name_the_three_ways(sim, run_playbook):
    run = failure(sim, run_playbook, {})
    assert run.result['msg'].startswith('no credentials: set auth_token (HW_AUTH_TOKEN), or access_key and secret_key')
    assert sim.requests == []


@pytest.mark.all_core_lines  # the secret stays out of -vvv output through no_log on every line
def test_wrong_secret_gives_gateway_error_and_never_shows_the_secret(sim, run_playbook):
    env = dict(aksk_env(sim), HW_SECRET_KEY='wrong-secret-key-value')
    run = failure(sim, run_playbook, {}, env=env, verbosity=3)
    assert 'HTTP 401 APIGW.0301' in run.result['msg']
    assert '(request id ' in run.result['msg']
    assert 'wrong-secret-key-value' not in run.output


@pytest.mark.all_core_lines  # what -vvv shows differs between lines
def test_retries_are_visible_at_vvv(sim, run_playbook):
    sim.add_fault('status', path=INSTANCES, status=429, retry_after='0', times=2)
    run = run_playbook('module_defaults_group', {'connection': connection(sim, 'aksk')}, verbosity=3)
    assert run.rc == 0, run.output
    assert run.result == seeded(sim)
    assert run.output.count('HTTP 429 APIGW.0308') >= 2
    assert 'retry 1 of 5' in run.output and 'retry 2 of 5' in run.output
    assert len(sim_requests(sim, INSTANCES)) == 3


def test_2500_instances_in_three_requests(run_playbook, ansible_env):
    from dbaudit_simulator import Simulator, SimulatorConfig
    with Simulator(SimulatorConfig(regions=(REGION,), instances=2500, scopes_per_instance=0,
                                   databases_per_instance=0, rds_instances=0)) as big:
        settings = connection(big, 'aksk')
        run = run_playbook('module_defaults_group', {'connection': settings})
        assert run.rc == 0, run.output
        assert len(run.result) == 2500
        assert [item['id'] for item in run.result] == [item['id'] for item in big.data.regions[REGION].instances]
        listed = sim_requests(big, INSTANCES)
        assert [(record['query']['offset'], record['query']['limit']) for record in listed] == [
            ('0', '1000'), ('1000', '1000'), ('2000', '1000')]
