"""ansible-playbook and ansible-inventory acting in another account through an IAM agency, against the simulator's
member accounts: the other account's data, one assumption per account and run, errors that name the agency and the
account, and no temporary credential in any output at -vvvv."""

import json
import os
import subprocess

import jinja2
import pytest
import yaml

from hwtest_support import REPO_ROOT, sim_requests

from conftest import BIN_DIR

REGION = 'cn-north-4'
MEMBER = 'hwsim-member-1'
AUDITOR = 'dbaudit_auditor'
STS = r'^/v3\.0/OS-CREDENTIAL/securitytokens$'


def base(sim, **agency):
    creds = sim.credentials
    settings = {'region': REGION, 'access_key': creds['access_key'], 'secret_key': creds['secret_key'],
                'endpoints': {'dbss': sim.url, 'iam': sim.url, 'rds': sim.url}}
    settings.update(agency)
    return settings


def member_data(sim, account=MEMBER, region=REGION):
    return sim.accounts[account].data.regions[region]


def issued_values(sim):
    return [value for item in sim.agency_stats['issued'] for value in (item['secret'], item['securitytoken'])]


@pytest.mark.all_core_lines  # the agency token stays out of -vvvv output on every line
def test_modules_read_the_other_account_and_assume_once_per_run(sim, run_playbook):
    # The base credentials come from the environment: ansible-playbook echoes its -e arguments at -vvvv.
    connection = dict((key, value) for key, value in base(sim, agency_name=AUDITOR, agency_domain_name=MEMBER).items()
                      if key not in ('access_key', 'secret_key'))
    env = {'HW_ACCESS_KEY': sim.credentials['access_key'], 'HW_SECRET_KEY': sim.credentials['secret_key']}
    run = run_playbook('agency', {'connection': connection}, env=env, verbosity=4)
    assert run.rc == 0, run.output
    member = member_data(sim)
    assert run.result['dbss'] == [dict(raw) for raw in member.instances]
    mysql = [item['id'] for item in member.rds_instances if item['datastore']['type'] == 'MySQL']
    assert [item['id'] for item in run.result['rds']] == mysql
    assert not set(item['id'] for item in run.result['dbss']) & set(item['id'] for item in sim.data.regions[REGION].instances)
    database_requests = sim_requests(sim, r'/databases$')
    assert sorted(record['path'].split('/')[4] for record in database_requests) == sorted(item['id'] for item in member.instances)
    assert len(run.result['databases']) == sum(len(member.databases[item['id']]) for item in member.instances)
    # Three module runs: one assumption each (the databases fetched eight at a time notwithstanding), one project
    # look-up each in the member account, and every data request signed as the member account.
    assert sim.agency_stats['assume_calls'] == {'%s@%s' % (AUDITOR, MEMBER): 3}
    assert len(sim_requests(sim, STS)) == 3
    assert [record['account'] for record in sim_requests(sim, r'^/v3/projects$')] == [MEMBER] * 3
    data_requests = [record for record in sim.requests if record['service'] in ('dbss', 'rds')]
    assert data_requests and {record['account'] for record in data_requests} == {MEMBER}
    assert sim.agency_stats['requests_by_account'] == {'main': 3, MEMBER: 3 + len(data_requests)}
    # Nothing of the temporary credentials at -vvvv (module arguments, results, debug lines).
    issued = issued_values(sim)
    assert len(issued) >= 4
    for value in issued + [sim.credentials['secret_key']]:
        assert value not in run.output


def test_environment_variables_of_the_terraform_provider(sim, run_playbook):
    env = {'HW_ACCESS_KEY': sim.credentials['access_key'], 'HW_SECRET_KEY': sim.credentials['secret_key'],
           'HW_ASSUME_ROLE_AGENCY_NAME': AUDITOR, 'HW_ASSUME_ROLE_DOMAIN_ID': sim.accounts['hwsim-member-2'].domain_id,
           'HW_ASSUME_ROLE_DURATION': '900'}
    run = run_playbook('agency', {'connection': {}}, env=env)
    assert run.rc == 0, run.output
    assert run.result['dbss'] == [dict(raw) for raw in member_data(sim, 'hwsim-member-2').instances]
    assert sim.agency_stats['assume_calls'] == {'%s@hwsim-member-2' % AUDITOR: 3}


def failure(sim, run_playbook, module_args, verbosity=0):
    run = run_playbook('failure', {'module_args': module_args}, verbosity=verbosity)
    assert run.rc == 0, run.output
    assert run.result['failed'] is True
    assert '\n' not in run.result['msg']
    assert 'Traceback' not in run.output
    return run


@pytest.mark.parametrize('agency, message', [
    ({'agency_name': AUDITOR, 'agency_domain_name': MEMBER, 'agency_duration': 600},
     'agency_duration must be a whole number of seconds from 900 (15 minutes) to 86400 (24 hours), got 600'),
    ({'agency_name': AUDITOR, 'agency_domain_name': MEMBER, 'agency_domain_id': 'abc'},
     'agency_domain_name and agency_domain_id are mutually exclusive: set only one, the account that created agency '
     + AUDITOR),
    ({'agency_name': AUDITOR}, 'agency_name needs the account that created the agency: set agency_domain_name '
                               '(HW_ASSUME_ROLE_DOMAIN_NAME) or agency_domain_id (HW_ASSUME_ROLE_DOMAIN_ID)'),
    ({'agency_domain_name': MEMBER}, 'agency_domain_name is set but agency_name is not'),
])
def test_bad_agency_options_fail_before_any_request(sim, run_playbook, agency, message):
    run = failure(sim, run_playbook, base(sim, **agency))
    assert run.result['msg'].startswith(message)
    assert sim.requests == []


@pytest.mark.parametrize('agency_name, account, status, code, hint', [
    ('dbaudit_untrusted', MEMBER, 403, 'IAM.0002', 'no permission to assume this agency'),
    ('no_such_agency', MEMBER, 404, 'IAM.0006', 'unknown agency or account'),
    (AUDITOR, 'no-such-account', 404, 'IAM.0006', 'unknown agency or account'),
])
def test_refusals_name_agency_account_status_code_and_request_id(sim, run_playbook, agency_name, account, status, code, hint):
    run = failure(sim, run_playbook, base(sim, agency_name=agency_name, agency_domain_name=account), verbosity=4)
    [record] = sim_requests(sim, STS)
    assert run.result['msg'].startswith("agency '%s' of account '%s': POST /v3.0/OS-CREDENTIAL/securitytokens failed: "
                                        "HTTP %d %s: %s" % (agency_name, account, status, code, hint))
    assert run.result['msg'].endswith('(request id %s)' % record['request_id'])
    assert run.result['error']['status'] == status
    assert run.result['error']['error_code'] == code
    assert run.result['error']['request_id'] == record['request_id']
    assert run.result['instances'] == []
    assert sim_requests(sim, r'/audit/instances$') == []


@pytest.mark.all_core_lines  # the inventory plugin with an agency
def test_inventory_with_an_agency_assumes_once_for_every_region(sim, ansible_env, tmp_path):
    env = dict(ansible_env, HW_ACCESS_KEY=sim.credentials['access_key'], HW_SECRET_KEY=sim.credentials['secret_key'],
               ANSIBLE_INVENTORY_UNPARSED_FAILED='true')
    env.pop('HW_REGION_NAME')
    path = tmp_path / 'member.dbss.yml'
    path.write_text('plugin: hwcloud.dbaudit.dbss\nregions: [cn-north-4, cn-east-3]\nagency_name: %s\n'
                    'agency_domain_name: %s\nagency_duration: 900\nconcurrency: 4\n' % (AUDITOR, MEMBER))
    output = tmp_path / 'inventory.json'
    process = subprocess.run([os.path.join(BIN_DIR, 'ansible-inventory'), '-i', str(path), '--list', '-vvvv',
                              '--output', str(output)], env=env, capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode == 0, process.stdout + process.stderr
    hostvars = json.loads(output.read_text())['_meta']['hostvars']
    expected = set(item['id'] for region in ('cn-north-4', 'cn-east-3') for item in member_data(sim, region=region).instances)
    # --output writes strings as {"__ansible_unsafe": ...} objects (see ../shared/TOOLING.md).
    listed = set(variables['dbss_id'] if isinstance(variables['dbss_id'], str) else variables['dbss_id']['__ansible_unsafe']
                 for variables in hostvars.values())
    assert listed == expected
    assert sim.agency_stats['assume_calls'] == {'%s@%s' % (AUDITOR, MEMBER): 1}
    # One assume request, then a project look-up and one page per region (24 instances each), all in the member account.
    assert len(sim.requests) == 5
    assert [record['account'] for record in sim.requests if record['service'] in ('dbss', 'iam')].count(MEMBER) == 4
    for value in issued_values(sim) + [sim.credentials['secret_key']]:
        assert value not in process.stdout + process.stderr + output.read_text()


@pytest.mark.parametrize('account', [None, MEMBER])
def test_awx_credential_type_injects_the_agency_or_nothing(sim, ansible_env, tmp_path, account):
    """docs/examples/awx/credential_type.yml: optional agency fields; AWX renders an unset field as an empty string."""
    with open(os.path.join(REPO_ROOT, 'docs', 'examples', 'awx', 'credential_type.yml')) as handle:
        credential_type = yaml.safe_load(handle)
    inputs = dict((field['id'], field.get('default', '')) for field in credential_type['inputs']['fields'])
    inputs.update(access_key=sim.credentials['access_key'], secret_key=sim.credentials['secret_key'], region=REGION)
    if account:
        inputs.update(agency_name=AUDITOR, agency_domain_name=account)
    injected = dict((name, jinja2.Template(template).render(**inputs))
                    for name, template in credential_type['injectors']['env'].items())
    env = dict(ansible_env, ANSIBLE_INVENTORY_UNPARSED_FAILED='true', **injected)
    path = tmp_path / 'awx.dbss.yml'
    path.write_text('plugin: hwcloud.dbaudit.dbss\n')
    output = tmp_path / 'inventory.json'
    process = subprocess.run([os.path.join(BIN_DIR, 'ansible-inventory'), '-i', str(path), '--list', '--output', str(output)],
                             env=env, capture_output=True, text=True, timeout=300, check=False)
    assert process.returncode == 0, process.stdout + process.stderr
    hostvars = json.loads(output.read_text())['_meta']['hostvars']
    listed = set(variables['dbss_id'] if isinstance(variables['dbss_id'], str) else variables['dbss_id']['__ansible_unsafe']
                 for variables in hostvars.values())
    expected = sim.accounts[account].data if account else sim.data
    assert listed == set(item['id'] for item in expected.regions[REGION].instances)
    assert sim.agency_stats['assume_calls'] == ({'%s@%s' % (AUDITOR, account): 1} if account else {})
