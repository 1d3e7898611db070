"""RDS SetAuditlogPolicy (PUT .../auditlog-policy): validation, and a following GET sees the write.

Each test writes to an instance of its own module-scoped simulator (see conftest.shared_sim), picked by what the test
needs, and restores the policy it changed."""

import copy

import pytest


def _path(api, rds_id):
    return "/v3/%s/instances/%s/auditlog-policy" % (api.project_id, rds_id)


def _put(api, rds_id, body):
    return api.request("PUT", _path(api, rds_id), json_body=body)


def _engine_ids(region, engine):
    return {rds["id"] for rds in region.rds_instances if rds["datastore"]["type"] == engine}


def _mysql(region, enabled):
    mysql = _engine_ids(region, "MySQL")
    return next(rid for rid, policy in sorted(region.audit_policies.items()) if rid in mysql and (policy["keep_days"] > 0) == enabled)


@pytest.fixture
def restore(region):
    saved = copy.deepcopy(region.audit_policies)
    yield
    for rds_id, policy in saved.items():
        region.audit_policies[rds_id].clear()
        region.audit_policies[rds_id].update(policy)


def test_turning_on_sets_keep_days_and_types_and_the_get_sees_it(api, region, sim, restore):
    rds_id = _mysql(region, enabled=False)
    resp = _put(api, rds_id, {"keep_days": 400, "audit_types": ["INSERT", "DELETE"]})
    assert resp.status_code == 200
    assert resp.json() == {"status": "COMPLETED"}
    policy = api.get(_path(api, rds_id)).json()
    assert policy["keep_days"] == 400 and policy["audit_types"] == ["INSERT", "DELETE"]
    assert policy["all_audit_log_action"] == region.audit_policies[rds_id]["all_audit_log_action"]
    assert [record["method"] for record in sim.requests if record["path"] == _path(api, rds_id)] == ["PUT", "GET"]


def test_keep_days_alone_keeps_the_audit_types(api, region, restore):
    rds_id = next(rid for rid, policy in sorted(region.audit_policies.items()) if policy["audit_types"] and rid in _engine_ids(region, "MySQL"))
    types = list(region.audit_policies[rds_id]["audit_types"])
    assert _put(api, rds_id, {"keep_days": 732}).status_code == 200
    assert api.get(_path(api, rds_id)).json()["audit_types"] == types
    assert region.audit_policies[rds_id]["keep_days"] == 732


def test_turning_off_with_reserve_auditlogs(api, region, restore):
    rds_id = _mysql(region, enabled=True)
    assert _put(api, rds_id, {"keep_days": 0, "reserve_auditlogs": False}).status_code == 200
    assert api.get(_path(api, rds_id)).json()["keep_days"] == 0
    assert region.audit_policies[rds_id]["audit_types"] == []


@pytest.mark.parametrize("body, field", [
    ({"keep_days": 733}, "keep_days"),
    ({"keep_days": -1}, "keep_days"),
    ({"keep_days": "30"}, "keep_days"),
    ({"keep_days": True}, "keep_days"),
    ({}, "keep_days"),
    ({"keep_days": 30, "reserve_auditlogs": "yes"}, "reserve_auditlogs"),
    ({"keep_days": 30, "audit_types": "INSERT"}, "audit_types"),
    ({"keep_days": 30, "audit_types": ["INSERT", "OTHERS"]}, "audit_types"),
    ({"keep_days": 30, "databases": ["db1"]}, "databases"),
    ([30], "JSON object"),
])
def test_invalid_bodies_are_refused_and_change_nothing(api, region, body, field):
    rds_id = _mysql(region, enabled=True)
    before = copy.deepcopy(region.audit_policies[rds_id])
    resp = _put(api, rds_id, body)
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "DBS.200001"
    assert field in resp.json()["error_msg"]
    assert region.audit_policies[rds_id] == before


def test_a_body_that_is_not_json_is_refused(api, region, sim, sign):
    rds_id = _mysql(region, enabled=True)
    before = copy.deepcopy(region.audit_policies[rds_id])
    url, headers = sign("PUT", sim.url + _path(api, rds_id), headers={"Content-Type": "application/json"}, body=b"{keep_days: 1",
                        ak=api.ak, sk=api.sk)
    resp = api.session.put(url, data=b"{keep_days: 1", headers=headers, timeout=10)
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "DBS.200001"
    assert region.audit_policies[rds_id] == before


def test_unknown_and_sql_server_instances(api, region):
    resp = _put(api, "nope", {"keep_days": 30})
    assert resp.status_code == 404
    assert resp.json()["error_code"] == "DBS.200002"
    sql_server = next(i["id"] for i in region.rds_instances if i["datastore"]["type"] == "SQLServer")
    before = copy.deepcopy(region.audit_policies)
    for resp in (_put(api, sql_server, {"keep_days": 30}), api.get(_path(api, sql_server))):
        assert resp.status_code == 400
        assert resp.json()["error_code"] == "DBS.200040" and "MySQL and PostgreSQL" in resp.json()["error_msg"]
    assert region.audit_policies == before and sql_server not in region.audit_policies


def test_postgresql_takes_databases_not_audit_types(api, region, restore):
    pg = sorted(_engine_ids(region, "PostgreSQL"))[0]
    before = copy.deepcopy(region.audit_policies[pg])
    resp = _put(api, pg, {"keep_days": 200, "audit_types": ["INSERT"]})
    assert resp.status_code == 400 and "audit_types" in resp.json()["error_msg"]
    assert _put(api, pg, {"keep_days": 200, "databases": [""]}).status_code == 400
    assert region.audit_policies[pg] == before
    assert _put(api, pg, {"keep_days": 200, "databases": ["orders"]}).json() == {"status": "COMPLETED"}
    assert api.get(_path(api, pg)).json() == {"keep_days": 200, "audit_types": [], "all_audit_log_action": "{}"}
    mysql = _mysql(region, enabled=True)
    assert _put(api, mysql, {"keep_days": 200, "databases": ["orders"]}).status_code == 400


def test_a_5xx_fault_answers_before_the_write(api, region, sim):
    rds_id = _mysql(region, enabled=False)
    sim.add_fault("status", path=_path(api, rds_id), method="PUT", status=503, times=1)
    assert _put(api, rds_id, {"keep_days": 30}).status_code == 503
    assert region.audit_policies[rds_id]["keep_days"] == 0
