"""IAM token issue and use, and project lookup."""

import datetime

import pytest
import requests

from dbaudit_simulator import Simulator, SimulatorConfig

TWO_REGIONS = ("cn-north-4", "cn-east-3")


def _token_body(sim, project=None, **overrides):
    creds = sim.credentials
    user = {"name": creds["user_name"], "password": creds["password"], "domain": {"name": creds["domain_name"]}}
    user.update(overrides)
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": user}},
                     "scope": {"project": project if project is not None else {"name": "cn-north-4"}}}}


@pytest.fixture(scope="module")
def two_region_sim():
    with Simulator(SimulatorConfig(regions=TWO_REGIONS, instances=3, rds_instances=2, log_days=2)) as sim:
        yield sim


def test_token_issue_returns_201_and_subject_token(sim, region):
    resp = requests.post(sim.url + "/v3/auth/tokens", json=_token_body(sim), timeout=10)
    assert resp.status_code == 201
    assert resp.headers["X-Subject-Token"].startswith("MII")
    token = resp.json()["token"]
    assert token["project"]["id"] == region.project_id
    assert token["project"]["name"] == "cn-north-4"
    assert token["methods"] == ["password"]
    assert token["user"]["name"] == sim.credentials["user_name"]
    expires = datetime.datetime.strptime(token["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    issued = datetime.datetime.strptime(token["issued_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert abs((expires - issued) - datetime.timedelta(hours=24)) < datetime.timedelta(seconds=1)
    assert resp.headers["X-Request-Id"]


def test_token_scope_by_project_id(sim, region):
    resp = requests.post(sim.url + "/v3/auth/tokens", json=_token_body(sim, project={"id": region.project_id}), timeout=10)
    assert resp.status_code == 201
    assert resp.json()["token"]["project"]["name"] == "cn-north-4"


def test_issued_token_authenticates_dbss_call(sim, api, region):
    token = requests.post(sim.url + "/v3/auth/tokens", json=_token_body(sim), timeout=10).headers["X-Subject-Token"]
    resp = api.get("/v1/%s/audit/instances" % region.project_id, token=token)
    assert resp.status_code == 200
    assert resp.json()["total"] == len(region.instances)
    assert sim.requests[-1]["auth"] == "token"
    assert sim.requests[0]["service"] == "iam" and sim.requests[0]["status"] == 201


@pytest.mark.parametrize("override", [{"password": "wrong"}, {"name": "someone-else"}, {"domain": {"name": "other-domain"}}])
def test_wrong_credentials_give_iam_401(sim, override):
    resp = requests.post(sim.url + "/v3/auth/tokens", json=_token_body(sim, **override), timeout=10)
    assert resp.status_code == 401
    assert resp.json() == {"error": {"code": "IAM.0001", "message": "The username or password is wrong.", "title": "Unauthorized"}}
    assert "X-Subject-Token" not in resp.headers


def test_unknown_scope_project_gives_400(sim):
    resp = requests.post(sim.url + "/v3/auth/tokens", json=_token_body(sim, project={"name": "xx-nowhere-1"}), timeout=10)
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "IAM.0004"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"auth": {}}',
                                  b'{"auth": {"identity": {"methods": ["token"], "password": {}}, "scope": {"project": {"name": "cn-north-4"}}}}'])
def test_malformed_token_request_gives_400(sim, body):
    resp = requests.post(sim.url + "/v3/auth/tokens", data=body, headers={"Content-Type": "application/json"}, timeout=10)
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "IAM.0011"


def test_unknown_and_expired_tokens_are_rejected(sim, api, region):
    path = "/v1/%s/audit/instances" % region.project_id
    for token in ("MIIforged", sim.issue_token("cn-north-4", ttl_seconds=-1)):
        resp = api.get(path, token=token)
        assert resp.status_code == 401
        assert resp.json()["error_code"] == "APIGW.0301"
    assert api.get(path, token=sim.issue_token("cn-north-4")).status_code == 200


def test_token_is_scoped_to_its_project(two_region_sim):
    north = two_region_sim.data.regions["cn-north-4"].project_id
    east = two_region_sim.data.regions["cn-east-3"].project_id
    token = two_region_sim.issue_token("cn-north-4")
    ok = requests.get(two_region_sim.url + "/v1/%s/audit/instances" % north, headers={"X-Auth-Token": token}, timeout=10)
    assert ok.status_code == 200
    denied = requests.get(two_region_sim.url + "/v1/%s/audit/instances" % east, headers={"X-Auth-Token": token}, timeout=10)
    assert denied.status_code == 403
    assert denied.json()["error_code"] == "APIGW.0306"
    assert "project" in denied.json()["error_msg"]


def test_aksk_reaches_every_region(two_region_sim, sign):
    creds = two_region_sim.credentials
    for region in two_region_sim.data.regions.values():
        url, headers = sign("GET", two_region_sim.url + "/v3/%s/instances" % region.project_id, ak=creds["access_key"], sk=creds["secret_key"])
        resp = requests.get(url, headers=headers, timeout=10)
        assert resp.status_code == 200
        assert {i["region"] for i in resp.json()["instances"]} == {region.name}


def test_project_lookup_by_name(two_region_sim, sign):
    creds = two_region_sim.credentials
    url, headers = sign("GET", two_region_sim.url + "/v3/projects", {"name": "cn-east-3"}, ak=creds["access_key"], sk=creds["secret_key"])
    body = requests.get(url, headers=headers, timeout=10).json()
    assert [p["id"] for p in body["projects"]] == [two_region_sim.data.regions["cn-east-3"].project_id]
    assert body["projects"][0]["name"] == "cn-east-3" and body["projects"][0]["enabled"] is True
    assert "links" in body


def test_project_lookup_with_token_and_unknown_name(sim, api):
    token = sim.issue_token("cn-north-4")
    assert api.get("/v3/projects", {"name": "cn-north-4"}, token=token).json()["projects"][0]["id"] == api.project_id
    assert api.get("/v3/projects", {"name": "xx-unknown-9"}).json()["projects"] == []


def test_project_lookup_needs_authentication(sim):
    resp = requests.get(sim.url + "/v3/projects?name=cn-north-4", timeout=10)
    assert resp.status_code == 401
    assert resp.json()["error_code"] == "APIGW.0301"


def test_project_id_is_deterministic_hex(two_region_sim):
    ids = [r.project_id for r in two_region_sim.data.regions.values()]
    assert all(len(i) == 32 and int(i, 16) >= 0 and i == i.lower() for i in ids)
    assert len(set(ids)) == 2
    again = Simulator(SimulatorConfig(regions=TWO_REGIONS, instances=3, rds_instances=2, log_days=2))
    assert [r.project_id for r in again.data.regions.values()] == ids
