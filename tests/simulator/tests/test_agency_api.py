"""Several accounts and IAM agencies: POST /v3.0/OS-CREDENTIAL/securitytokens, temporary keys, cross-account refusal."""

import datetime

import pytest
import requests

from dbaudit_simulator import Simulator, SimulatorConfig

STS_PATH = "/v3.0/OS-CREDENTIAL/securitytokens"
MEMBER = "hwsim-member-1"
REGION = "cn-north-4"


def assume_body(agency="dbaudit_auditor", duration=900, **domain):
    role = {"agency_name": agency, "duration_seconds": duration}
    role.update(domain or {"domain_name": MEMBER})
    return {"auth": {"identity": {"methods": ["assume_role"], "assume_role": role}}}


def assume(api, **kwargs):
    return api.post(STS_PATH, assume_body(**kwargs))


def temporary(api, **kwargs):
    answer = assume(api, **kwargs)
    assert answer.status_code == 201, answer.text
    return answer.json()["credential"]


def with_temporary(api, credential, method, path, query=None, token=None):
    headers = {"X-Security-Token": credential["securitytoken"] if token is None else token}
    return api.request(method, path, query=query, ak=credential["access"], sk=credential["secret"], headers=headers)


def test_default_account_data_is_unchanged_by_member_accounts():
    now = datetime.datetime(2026, 3, 1, 4, 0, tzinfo=datetime.timezone.utc)
    alone = Simulator(SimulatorConfig(now=now, member_accounts=()))
    both = Simulator(SimulatorConfig(now=now))
    assert alone.data.to_dict() == both.data.to_dict()
    assert list(alone.accounts) == ["main"]
    assert list(both.accounts) == ["main", "hwsim-member-1", "hwsim-member-2"]


def test_member_accounts_have_their_own_domains_projects_and_data(sim):
    main, member = sim.accounts["main"], sim.accounts[MEMBER]
    other = sim.accounts["hwsim-member-2"]
    assert len({main.domain_id, member.domain_id, other.domain_id}) == 3
    assert main.data is sim.data
    ids = [{item["id"] for item in account.data.regions[REGION].instances} for account in (main, member, other)]
    assert not ids[0] & ids[1] and not ids[1] & ids[2] and not ids[0] & ids[2]
    assert member.data.regions[REGION].project_id == member.project_ids[REGION] != main.project_ids[REGION]


def test_assume_issues_temporary_keys_that_read_the_target_account(sim, api):
    member = sim.accounts[MEMBER]
    answer = assume(api)
    assert answer.status_code == 201
    credential = answer.json()["credential"]
    assert set(credential) == {"access", "secret", "securitytoken", "expires_at"}
    expires = datetime.datetime.strptime(credential["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    remaining = (expires - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    assert 800 < remaining <= 900
    projects = with_temporary(api, credential, "GET", "/v3/projects", {"name": REGION})
    assert projects.status_code == 200
    assert [project["id"] for project in projects.json()["projects"]] == [member.project_ids[REGION]]
    assert projects.json()["projects"][0]["domain_id"] == member.domain_id
    project_id = member.project_ids[REGION]
    listed = with_temporary(api, credential, "GET", "/v1/%s/audit/instances" % project_id, {"offset": "0", "limit": "1000"})
    assert listed.status_code == 200
    assert listed.json()["servers"] == member.data.regions[REGION].instances
    stats = sim.agency_stats
    assert stats["assume_calls"] == {"dbaudit_auditor@%s" % MEMBER: 1}
    assert stats["requests_by_account"] == {"main": 1, MEMBER: 2}
    assert [(item["access"], item["account"]) for item in stats["issued"] if item["access"] == credential["access"]] == [
        (credential["access"], MEMBER)]


def test_assume_by_domain_id(sim, api):
    credential = temporary(api, domain_id=sim.accounts["hwsim-member-2"].domain_id)
    projects = with_temporary(api, credential, "GET", "/v3/projects")
    assert {item["domain_id"] for item in projects.json()["projects"]} == {sim.accounts["hwsim-member-2"].domain_id}


def test_cross_account_project_is_refused(sim, api):
    credential = temporary(api)
    main_project = sim.accounts["main"].project_ids[REGION]
    other_project = sim.accounts["hwsim-member-2"].project_ids[REGION]
    for project_id in (main_project, other_project):
        answer = with_temporary(api, credential, "GET", "/v1/%s/audit/instances" % project_id)
        assert answer.status_code == 403
        assert answer.json()["error_code"] == "APIGW.0306"
    # The main account's own keys cannot read a member account's project either.
    answer = api.get("/v1/%s/audit/instances" % sim.accounts[MEMBER].project_ids[REGION])
    assert answer.status_code == 403


def test_member_permanent_keys_read_their_own_account(sim, api):
    member = sim.accounts[MEMBER]
    answer = api.get("/v3/projects", ak=member.access_key, sk=member.secret_key)
    assert [item["id"] for item in answer.json()["projects"]] == [member.project_ids[region] for region in member.data.regions]


def test_security_token_is_required_signed_and_exact(api):
    credential = temporary(api)
    wrong = with_temporary(api, credential, "GET", "/v3/projects", token=credential["securitytoken"] + "x")
    assert wrong.status_code == 401 and "invalid security token" in wrong.json()["error_msg"]
    missing = api.request("GET", "/v3/projects", ak=credential["access"], sk=credential["secret"])
    assert missing.status_code == 401 and "X-Security-Token" in missing.json()["error_msg"]


def test_expired_temporary_keys_are_refused(sim, api):
    sim.set_sts_ttl(0)
    try:
        credential = temporary(api)
    finally:
        sim.set_sts_ttl(None)
    answer = with_temporary(api, credential, "GET", "/v3/projects")
    assert answer.status_code == 401
    assert answer.json()["error_code"] == "APIGW.0301"
    assert "expired" in answer.json()["error_msg"]


@pytest.mark.parametrize("duration", [899, 86401, "3600", True, 1.5])
def test_bad_duration_is_400(api, duration):
    answer = assume(api, duration=duration)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "IAM.0011"
    assert "duration_seconds" in answer.json()["error"]["message"]


@pytest.mark.parametrize("body", [
    {"auth": {"identity": {"methods": ["password"], "assume_role": {"agency_name": "a", "domain_name": MEMBER}}}},
    {"auth": {"identity": {"methods": ["assume_role"]}}},
    {"auth": {"identity": {"methods": ["assume_role"], "assume_role": {"agency_name": "a"}}}},
    {"auth": {"identity": {"methods": ["assume_role"], "assume_role": {"agency_name": "a", "domain_name": MEMBER, "domain_id": "x"}}}},
    [],
])
def test_malformed_body_is_400(api, body):
    answer = api.post(STS_PATH, body)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "IAM.0011"


def test_unknown_agency_or_account_is_404_and_untrusted_is_403(sim, api):
    for kwargs in ({"agency": "no_such_agency"}, {"domain_name": "no-such-account"}):
        answer = assume(api, **kwargs)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "IAM.0006"
    answer = assume(api, agency="dbaudit_untrusted")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "IAM.0002"
    assert sim.agency_stats["assume_calls"] == {}


def test_assume_with_a_token_and_unauthenticated(sim, api):
    token = sim.issue_token(REGION)
    assert api.post(STS_PATH, assume_body(), token=token).status_code == 201
    bare = requests.post(sim.url + STS_PATH, json=assume_body(), timeout=10)
    assert bare.status_code == 401


def test_control_routes(sim, api):
    temporary(api)
    accounts = requests.get(sim.url + "/_sim/accounts", timeout=10).json()["accounts"]
    assert [item["name"] for item in accounts] == list(sim.accounts)
    member = next(item for item in accounts if item["name"] == MEMBER)
    assert member["agencies"][0] == {"name": "dbaudit_auditor", "trusted_domain_id": sim.accounts["main"].domain_id}
    data = requests.get(sim.url + "/_sim/data", params={"account": MEMBER}, timeout=10).json()
    assert data["regions"][REGION]["instances"] == sim.accounts[MEMBER].data.regions[REGION].instances
    assert requests.get(sim.url + "/_sim/data", params={"account": "nobody"}, timeout=10).status_code == 400
    stats = requests.get(sim.url + "/_sim/agency", timeout=10).json()
    assert stats["assume_calls"] == {"dbaudit_auditor@%s" % MEMBER: 1}
    assert requests.post(sim.url + "/_sim/config", json={"sts_ttl_seconds": 5}, timeout=10).json()["sts_ttl_seconds"] == 5
    assert sim.agency_stats["sts_ttl_seconds"] == 5
    requests.post(sim.url + "/_sim/config", json={"sts_ttl_seconds": None}, timeout=10)
    assert sim.agency_stats["sts_ttl_seconds"] is None
    requests.delete(sim.url + "/_sim/requests", timeout=10)
    assert sim.agency_stats["assume_calls"] == {}


def test_config_checks():
    with pytest.raises(ValueError):
        SimulatorConfig(member_accounts=("main",))
    with pytest.raises(ValueError):
        SimulatorConfig(member_accounts=("dup-account", "dup-account"))
    with pytest.raises(ValueError):
        SimulatorConfig(sts_ttl_seconds="10")
    assert SimulatorConfig(member_accounts="acct-a, acct-b").member_accounts == ("acct-a", "acct-b")
