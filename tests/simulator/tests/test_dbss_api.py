"""DBSS audit instance, scope and database APIs: shapes, pagination and validation."""


import pytest
import requests

from dbaudit_simulator import Simulator, SimulatorConfig

DBSS_ERROR_KEYS = {"error_code", "error_msg", "details", "encoded_authorization_message"}


def _instances_path(api):
    return "/v1/%s/audit/instances" % api.project_id


def test_servers_shape_matches_seeded_data(api, region):
    resp = api.get(_instances_path(api), {"offset": "0", "limit": "100"})
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"servers", "total"}
    assert body["total"] == len(region.instances)
    assert body["servers"] == region.instances
    assert "id" in body["servers"][0] and "connect_ipv6" in body["servers"][0]


def test_instances_shape_renames_id_and_ipv6(api, sim, region):
    sim.set_instance_shape("instances")
    body = api.get(_instances_path(api)).json()
    assert set(body) == {"instances", "total"}
    first = body["instances"][0]
    assert first["instance_id"] == region.instances[0]["id"]
    assert first["connectIpv6"] == region.instances[0]["connect_ipv6"]
    assert "id" not in first and "connect_ipv6" not in first
    assert len(first) == len(region.instances[0])


def test_legacy_sdk_path_always_answers_servers(api, sim, region):
    sim.set_instance_shape("instances")
    body = api.get("/v1/%s/dbss/audit/instances" % api.project_id).json()
    assert [s["id"] for s in body["servers"]] == [i["id"] for i in region.instances]


def test_instances_are_sorted_by_created_then_id(region):
    keys = [(i["created"], i["id"]) for i in region.instances]
    assert keys == sorted(keys)


def test_pagination_walks_every_instance_once(api, region):
    seen = []
    offset = 0
    while True:
        body = api.get(_instances_path(api), {"offset": str(offset), "limit": "7"}).json()
        assert body["total"] == len(region.instances)
        seen += [s["id"] for s in body["servers"]]
        if len(body["servers"]) < 7:
            break
        offset += 7
    assert seen == [i["id"] for i in region.instances]


def test_default_limit_is_100(make_api):
    with Simulator(SimulatorConfig(instances=130, rds_instances=0)) as big:
        client = make_api(big)
        body = client.get("/v1/%s/audit/instances" % big.data.regions["cn-north-4"].project_id).json()
        assert len(body["servers"]) == 100 and body["total"] == 130
        body = client.get("/v1/%s/audit/instances" % big.data.regions["cn-north-4"].project_id, {"offset": "120"}).json()
        assert len(body["servers"]) == 10


def test_offset_past_the_end_gives_empty_page(api, region):
    body = api.get(_instances_path(api), {"offset": "1000"}).json()
    assert body == {"servers": [], "total": len(region.instances)}


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "1001"}, {"limit": "-1"}, {"limit": "abc"}, {"limit": ""}, {"offset": "-1"},
                                   {"offset": "1.5"}])
def test_invalid_instance_paging_gives_flat_dbss_400(api, query):
    resp = api.get(_instances_path(api), query)
    assert resp.status_code == 400
    body = resp.json()
    assert set(body) == DBSS_ERROR_KEYS
    assert body["error_code"] == "DBSS.10000001"
    assert body["details"] == [] and body["encoded_authorization_message"] is None


def test_limit_1000_is_accepted(api):
    assert api.get(_instances_path(api), {"limit": "1000"}).status_code == 200


def test_scopes_of_an_instance(api, region):
    inst = region.instances[0]["id"]
    body = api.get("/v1/%s/audit/%s/rule/scopes" % (api.project_id, inst), {"offset": "0", "limit": "1000"}).json()
    assert body == {"scopes": region.scopes[inst], "total": len(region.scopes[inst])}
    page = api.get("/v1/%s/audit/%s/rule/scopes" % (api.project_id, inst), {"offset": "1", "limit": "1"}).json()
    assert page["scopes"] == region.scopes[inst][1:2] and page["total"] == len(region.scopes[inst])


def test_scope_limit_above_1000_is_rejected(api, region):
    resp = api.get("/v1/%s/audit/%s/rule/scopes" % (api.project_id, region.instances[0]["id"]), {"limit": "1001"})
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "DBSS.10000001"


@pytest.mark.parametrize("suffix", ["rule/scopes", "databases"])
def test_unknown_instance_gives_dbss_10021004(api, suffix):
    version = "v1" if suffix == "rule/scopes" else "v2"
    resp = api.get("/%s/%s/audit/%s/%s" % (version, api.project_id, "0" * 36, suffix))
    assert resp.status_code == 400
    body = resp.json()
    assert body["error_code"] == "DBSS.10021004"
    assert set(body) == DBSS_ERROR_KEYS


def test_databases_of_an_instance(api, region):
    inst = region.instances[3]["id"]
    body = api.get("/v2/%s/audit/%s/databases" % (api.project_id, inst)).json()
    assert body == {"databases": region.databases[inst], "total": len(region.databases[inst])}
    database = body["databases"][0]["database"]
    for key in ("id", "name", "type", "version", "ip", "port", "os", "instance_name", "charset", "status", "audit_status", "agent_url",
                "db_classification", "rds_obj_info"):
        assert key in database
    assert database["status"] in ("ON", "OFF")


def test_database_limit_range_follows_sdk(api, region):
    path = "/v2/%s/audit/%s/databases" % (api.project_id, region.instances[0]["id"])
    assert api.get(path, {"limit": "10000"}).status_code == 200
    assert api.get(path, {"limit": "10001"}).json()["error_code"] == "DBSS.10000001"


def test_unknown_project_is_forbidden(api):
    resp = api.get("/v1/%s/audit/instances" % ("f" * 32))
    assert resp.status_code == 403
    assert resp.json()["error_code"] == "APIGW.0306"


def test_unknown_path_is_apigw_404(api, sim):
    for path in ("/v1/%s/audit/nothing" % api.project_id, "/v9/whatever", "/"):
        resp = api.get(path)
        assert resp.status_code == 404
        body = resp.json()
        assert body["error_code"] == "APIGW.0101"
        assert body["request_id"] == resp.headers["X-Request-Id"]
    assert {r["service"] for r in sim.requests} == {"sim"}


def test_wrong_method_is_apigw_404(api):
    assert api.post(_instances_path(api), {}).json()["error_code"] == "APIGW.0101"


def test_every_response_has_a_random_request_id(api):
    ids = set()
    for query in ({"limit": "1"}, {"limit": "0"}):
        resp = api.get(_instances_path(api), query)
        assert len(resp.headers["X-Request-Id"]) == 32
        int(resp.headers["X-Request-Id"], 16)
        ids.add(resp.headers["X-Request-Id"])
    assert len(ids) == 2


def test_large_page_is_served_fast(sign):
    with Simulator(SimulatorConfig(instances=3000, scopes_per_instance=0, databases_per_instance=0, rds_instances=0)) as big:
        creds = big.credentials
        url, headers = sign("GET", big.url + "/v1/%s/audit/instances" % big.data.regions["cn-north-4"].project_id, {"offset": "1000", "limit": "1000"},
                            ak=creds["access_key"], sk=creds["secret_key"])
        requests.get(url, headers=headers, timeout=10)  # warm the per-shape cache
        url, headers = sign("GET", url.split("?")[0], {"offset": "2000", "limit": "1000"}, ak=creds["access_key"], sk=creds["secret_key"])
        body = requests.get(url, headers=headers, timeout=10).json()
        assert len(body["servers"]) == 1000 and body["total"] == 3000
        assert body["servers"][0]["id"] == big.data.regions["cn-north-4"].instances[2000]["id"]
