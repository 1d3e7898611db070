"""Acting in another account through an IAM agency: option checks before any request, and the shared, thread-safe
temporary credentials against the simulator's agency API (assumed once, renewed before expiry, never shown)."""

import threading
import time

import pytest

from hostile_server import HostileServer, json_reply
from hwtest_support import sim_requests

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.agency import AGENCY_ENV_VARS, SECURITY_TOKENS_PATH, parse_expires_at
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient, agency_credentials
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import common_argument_spec
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import list_audit_instances
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, HuaweiCloudError, ResponseShapeError

REGION = 'cn-north-4'
MEMBER = 'hwsim-member-1'
AUDITOR = 'dbaudit_auditor'


def settings(sim, **params):
    base = dict(region=REGION, endpoints={'dbss': sim.url, 'rds': sim.url, 'iam': sim.url}, max_retries=2,
                agency_name=AUDITOR, agency_domain_name=MEMBER, agency_duration=900)
    if not any(key in params for key in ('auth_token', 'user_name', 'access_key')):
        base.update(access_key=sim.credentials['access_key'], secret_key=sim.credentials['secret_key'])
    base.update(params)
    return dict((key, value) for key, value in base.items() if value is not None)


def client(sim, **params):
    return HuaweiCloudClient(ClientConfig(settings(sim, **params), environ={}), sleep=lambda seconds: None, pool_size=8)


def member_ids(sim, account=MEMBER, region=REGION):
    return [item['id'] for item in sim.accounts[account].data.regions[region].instances]


def assume_calls(sim):
    return sim.agency_stats['assume_calls']


def issued_secrets(sim, last=1):
    """The temporary access key ID, secret key and security token of the ``last`` credentials the simulator issued."""
    return [value for item in sim.agency_stats['issued'][-last:] for value in (item['access'], item['secret'], item['securitytoken'])]


# Options -----------------------------------------------------------------------------------------------------------

def test_environment_variables_are_the_terraform_providers():
    spec = common_argument_spec()
    for option, variable in AGENCY_ENV_VARS.items():
        assert spec[option]['fallback'][1] == [variable]
    assert spec['agency_duration']['default'] == 3600


@pytest.mark.parametrize('params, expected', [
    ({'agency_duration': 899}, 'agency_duration must be a whole number of seconds from 900 (15 minutes) to 86400 (24 hours), got 899'),
    ({'agency_duration': 86401}, 'agency_duration must be a whole number of seconds from 900'),
    ({'agency_duration': True}, 'agency_duration must be a whole number'),
    ({'agency_duration': '15m'}, 'agency_duration must be a whole number'),
    ({'agency_domain_id': 'abc'}, 'agency_domain_name and agency_domain_id are mutually exclusive'),
    ({'agency_domain_name': None}, 'agency_name needs the account that created the agency: set agency_domain_name '
                                   '(HW_ASSUME_ROLE_DOMAIN_NAME) or agency_domain_id (HW_ASSUME_ROLE_DOMAIN_ID)'),
    ({'agency_name': None}, 'agency_domain_name is set but agency_name is not: set agency_name (HW_ASSUME_ROLE_AGENCY_NAME)'),
    ({'agency_name': None, 'agency_domain_name': None, 'agency_domain_id': 'abc'}, 'agency_domain_id is set but agency_name is not'),
    ({'agency_name': 'a"b'}, "agency_name must be 1 to 64 letters, digits, spaces"),
    ({'agency_name': 'x' * 65}, "agency_name must be 1 to 64"),
    ({'agency_name': ' padded'}, "agency_name must be 1 to 64"),
    ({'agency_name': 'line\nbreak'}, "agency_name must be 1 to 64"),
    ({'agency_domain_name': 'bad name'}, "agency_domain_name must be an account name"),
    ({'agency_domain_name': None, 'agency_domain_id': '../x'}, "agency_domain_id must be an account ID"),
])
def test_bad_agency_options_fail_before_any_request(sim, params, expected):
    with pytest.raises(HuaweiCloudConfigError) as info:
        ClientConfig(settings(sim, **params), environ={})
    assert str(info.value).startswith(expected)
    assert '\n' not in str(info.value)
    assert sim.requests == []


def test_valid_agency_options():
    config = ClientConfig({'region': REGION, 'access_key': 'AK', 'secret_key': 'SKSK', 'agency_name': 'audit team_1.x',
                           'agency_domain_id': '0a1b', 'agency_duration': '86400'}, environ={})
    assert (config.agency.name, config.agency.domain_id, config.agency.duration) == ('audit team_1.x', '0a1b', 86400)
    assert config.agency.request_body() == {'auth': {'identity': {'methods': ['assume_role'], 'assume_role': {
        'agency_name': 'audit team_1.x', 'domain_id': '0a1b', 'duration_seconds': 86400}}}}
    assert ClientConfig({'region': REGION, 'access_key': 'AK', 'secret_key': 'SKSK'}, environ={}).agency is None


@pytest.mark.parametrize('text, valid', [
    ('2026-01-01T00:00:00.000000Z', True), ('2026-01-01T00:00:00Z', True), ('2026-01-01T08:00:00+08:00', True),
    ('2026-01-01T00:00:00.123456789Z', True), ('2026-01-01 00:00:00Z', False), ('2026-01-01T00:00:00', False),
    ('2026-02-30T00:00:00Z', False), (1767225600, False), ('', False),
])
def test_expires_at_is_parsed_strictly(text, valid):
    parsed = parse_expires_at(text)
    assert (parsed is not None) == valid
    if valid:
        assert int(parsed) == 1767225600


# Against the simulator ------------------------------------------------------------------------------------------------

def test_reads_the_member_account_through_the_agency(sim):
    member = sim.accounts[MEMBER]
    api = client(sim)
    assert [item['id'] for item in list_audit_instances(api)] == member_ids(sim)
    assert api.project_id == member.project_ids[REGION]
    assert assume_calls(sim) == {'%s@%s' % (AUDITOR, MEMBER): 1}
    # The project is looked up with the temporary credentials, in the member account.
    assert [record['account'] for record in sim_requests(sim, r'^/v3/projects$')] == [MEMBER]
    assert [record['account'] for record in sim_requests(sim, SECURITY_TOKENS_PATH.replace('.', r'\.'))] == ['main']
    assert sim.agency_stats['requests_by_account'] == {'main': 1, MEMBER: 2}
    # The temporary credentials are secrets of the client from the moment they arrive.
    held = api.secrets.values()
    assert all(value in held for value in issued_secrets(sim))


@pytest.mark.parametrize('base', ['temporary', 'token', 'password'])
def test_every_base_authentication_can_assume(sim, base):
    creds = sim.credentials
    params = {
        'temporary': dict(access_key=creds['temp_access_key'], secret_key=creds['temp_secret_key'],
                          security_token=creds['security_token']),
        'token': dict(auth_token=sim.issue_token(REGION)),
        'password': dict(user_name=creds['user_name'], password=creds['password'], domain_name=creds['domain_name']),
    }[base]
    api = client(sim, agency_domain_name=None, agency_domain_id=sim.accounts['hwsim-member-2'].domain_id, **params)
    assert [item['id'] for item in list_audit_instances(api)] == member_ids(sim, 'hwsim-member-2')
    assert assume_calls(sim) == {'%s@hwsim-member-2' % AUDITOR: 1}


def test_one_provider_shared_by_regions_and_threads_assumes_once(sim):
    configs = dict((region, ClientConfig(settings(sim, region=region), environ={})) for region in ('cn-north-4', 'cn-east-3'))
    shared = agency_credentials(configs['cn-north-4'], sleep=lambda seconds: None)
    clients = dict((region, HuaweiCloudClient(config, credentials=shared, pool_size=8)) for region, config in configs.items())
    barrier = threading.Barrier(8)
    results = {}

    def work(number):
        region = ('cn-north-4', 'cn-east-3')[number % 2]
        barrier.wait()
        results[number] = [item['id'] for item in list_audit_instances(clients[region], max_workers=4)]

    threads = [threading.Thread(target=work, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for number, ids in results.items():
        assert ids == member_ids(sim, region=('cn-north-4', 'cn-east-3')[number % 2])
    assert len(results) == 8
    assert assume_calls(sim) == {'%s@%s' % (AUDITOR, MEMBER): 1}
    assert shared.assume_count == 1
    # Each region's project is looked up once, in the member account.
    assert sorted(record['query']['name'] for record in sim_requests(sim, r'^/v3/projects$')) == ['cn-east-3', 'cn-north-4']
    shared.close()


def test_renewed_before_expiry(sim):
    now = [time.time()]
    config = ClientConfig(settings(sim), environ={})
    shared = agency_credentials(config, clock=lambda: now[0])
    api = HuaweiCloudClient(config, credentials=shared)
    list_audit_instances(api)
    first = shared.current()
    assert assume_calls(sim) == {'%s@%s' % (AUDITOR, MEMBER): 1}
    # Within the renewal margin (a tenth of the 900 s lifetime) of expiry: assumed anew before the next request.
    now[0] = first.expires_at - 80
    list_audit_instances(api)
    second = shared.current()
    assert assume_calls(sim) == {'%s@%s' % (AUDITOR, MEMBER): 2}
    assert second.access_key != first.access_key
    # The new credentials are the ones the requests were signed with (the simulator accepted them).
    assert {record['account'] for record in sim_requests(sim, r'/audit/instances$')} == {MEMBER}
    assert all(value in api.secrets.values() for value in issued_secrets(sim, last=2))


@pytest.mark.parametrize('params, status, code, hint', [
    ({'agency_name': 'dbaudit_untrusted'}, 403, 'IAM.0002', 'no permission to assume this agency'),
    ({'agency_name': 'no_such_agency'}, 404, 'IAM.0006', 'unknown agency or account'),
    ({'agency_domain_name': 'no-such-account'}, 404, 'IAM.0006', 'unknown agency or account'),
])
def test_refusals_name_the_agency_and_account(sim, params, status, code, hint):
    api = client(sim, **params)
    with pytest.raises(HuaweiCloudError) as info:
        list_audit_instances(api)
    error = info.value
    agency = params.get('agency_name', AUDITOR)
    account = params.get('agency_domain_name', MEMBER)
    text = str(error)
    assert text.startswith("agency '%s' of account '%s': POST %s failed: HTTP %d %s: %s" % (
        agency, account, SECURITY_TOKENS_PATH, status, code, hint))
    assert error.request_id and text.endswith('(request id %s)' % error.request_id)
    assert (error.status, error.error_code) == (status, code)
    assert sim_requests(sim, r'/audit/instances$') == []


def test_refused_base_credentials(sim):
    api = client(sim, secret_key='wrong-secret-key')
    with pytest.raises(HuaweiCloudError) as info:
        api.project_id
    assert str(info.value).startswith("agency '%s' of account '%s': POST %s failed: HTTP 401 APIGW.0301: the base "
                                      "credentials were refused" % (AUDITOR, MEMBER, SECURITY_TOKENS_PATH))
    assert 'wrong-secret-key' not in str(info.value)


def test_credentials_that_expire_at_once_are_an_error(sim):
    sim.set_sts_ttl(0)
    try:
        with pytest.raises(HuaweiCloudError) as info:
            client(sim).project_id
    finally:
        sim.set_sts_ttl(None)
    assert "not in the future by this machine's clock" in str(info.value)
    assert "agency '%s' of account '%s'" % (AUDITOR, MEMBER) in str(info.value)


@pytest.mark.parametrize('credential, field', [
    (None, 'credential'),
    ({'secret': 'S' * 40, 'securitytoken': 'T' * 80, 'expires_at': '2099-01-01T00:00:00.000000Z'}, 'credential.access'),
    ({'access': 'HWSTSHOSTILE', 'secret': 'hostile secret', 'securitytoken': 'T' * 80,
      'expires_at': '2099-01-01T00:00:00.000000Z'}, 'credential.secret'),
    ({'access': 'HWSTSHOSTILE', 'secret': 'S' * 40, 'securitytoken': 123456,
      'expires_at': '2099-01-01T00:00:00.000000Z'}, 'credential.securitytoken'),
    ({'access': 'HWSTSHOSTILE', 'secret': 'S' * 40, 'securitytoken': 'T' * 80, 'expires_at': 'tomorrow'},
     'credential.expires_at'),
])
def test_a_wrong_shaped_answer_names_api_field_and_request_id(credential, field):
    with HostileServer() as server:
        server.route('POST', r'/v3\.0/OS-CREDENTIAL/securitytokens$', json_reply({'credential': credential}, status=201))
        config = ClientConfig({'region': REGION, 'access_key': 'HOSTILEAK', 'secret_key': 'hostile-secret-key',
                               'agency_name': AUDITOR, 'agency_domain_name': MEMBER, 'max_retries': 0,
                               'endpoints': {'dbss': server.url, 'rds': server.url, 'iam': server.url}}, environ={})
        api = HuaweiCloudClient(config, sleep=lambda seconds: None)
        with pytest.raises(ResponseShapeError) as info:
            api.project_id
        assert len(server.requests_to(r'securitytokens$')) == 1
    text = str(info.value)
    assert 'field %s is' % field in text
    assert text.startswith("agency '%s' of account '%s': POST %s failed: HTTP 201" % (AUDITOR, MEMBER, SECURITY_TOKENS_PATH))
    assert text.endswith('(request id hostile-request-id)')
    for secret in ('S' * 40, 'T' * 80, 'hostile secret'):
        assert secret not in text
