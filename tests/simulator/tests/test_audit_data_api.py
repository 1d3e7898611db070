"""DBSS audit data: audited SQL statements, alarm logs, risk and SQL-injection rules, alarm topics.

Real HTTP against the started simulator (shapes, filters, paging, the 10,000-record window, validation), the seeded
facts tests rely on, determinism and the clean profile. The official SDK's view of the same APIs is in
test_dbss_audit_sdk.py.
"""

import datetime
import json
import re
import time

import pytest
import requests

from dbaudit_simulator import Simulator, SimulatorConfig, auditdata
from dbaudit_simulator.__main__ import build_parser
from dbaudit_simulator.data import generate

NOW = datetime.datetime(2026, 3, 1, 4, 0, tzinfo=datetime.timezone.utc)
FMT = "%Y-%m-%d %H:%M:%S"
DBSS_ERROR_KEYS = {"error_code", "error_msg", "details", "encoded_authorization_message"}
SQL_KEYS = {"id", "sql_statement", "client_ip", "client_name", "db_ip", "db_user", "query_type", "operated_obj_info", "rule_name", "risk_level",
            "start_time", "sql_response", "db_instance"}
OBJ_KEYS = {"column_name", "object_type", "schema_name", "sql_type", "sys_name", "table_name"}
ALARM_KEYS = {"id", "alarm_life", "send_email", "alarm_time", "alarm_type", "alarm_fix_time", "alarm_status", "alarm_risk", "alarm_description"}
RULE_KEYS = {"id", "name", "type", "feature", "status", "rank", "risk_level", "rule_type"}
INJECTION_RULE_KEYS = {"id", "name", "status", "risk_level", "type", "rank", "feature", "regex"}
TOPIC_KEYS = {"alarm_cpu", "alarm_disk", "alarm_memory", "alarm_num", "alarm_risk", "alarm_switch", "alarm_topic_urn", "smn_effective"}
WHOLE = {"start_time": "2025-01-01 00:00:00", "end_time": "2026-03-01 04:00:00"}


def _t(dt):
    return dt.strftime(FMT)


def _sqls_path(api, inst, v1=False):
    return "/v1/%s/%s/audit/sqls" % (api.project_id, inst) if v1 else "/v2/%s/audit/%s/sqls" % (api.project_id, inst)


def _alarms_path(api, inst, v1=False):
    return "/v1/%s/%s/audit/alarm-log" % (api.project_id, inst) if v1 else "/v2/%s/audit/%s/alarm-log" % (api.project_id, inst)


def _sql_body(time_obj=None, page=1, size=100, order="DESC", **filters):
    body = {"time": time_obj or dict(WHOLE), "page": page, "size": size, "time_order": order}
    body.update(filters)
    return body


def _all_sqls(api, inst, **filters):
    """Every statement the API returns for the whole history, walking pages of 100."""
    got, page = [], 1
    while True:
        body = api.post(_sqls_path(api, inst), _sql_body(page=page, **filters)).json()
        got += [item["sql"] for item in body["sqls"]]
        if page * 100 >= body["total"]:
            return body["total"], got
        page += 1


def _assert_dbss_400(resp, code="DBSS.10000001"):
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert set(body) == DBSS_ERROR_KEYS and body["error_code"] == code
    assert body["details"] == [] and body["encoded_authorization_message"] is None


def _by_profile(region, profile):
    return [i for i, p in region.audit_profiles.items() if p == profile]


def _stale_high(alarms, now=NOW):
    limit = _t(now - datetime.timedelta(hours=72))
    return [a for a in alarms if a["alarm_risk"] == "HIGH" and a["alarm_status"] == "UNDO" and a["alarm_time"] < limit]


# Audited SQL statements ------------------------------------------------------------------------------------------------
def test_sqls_answer_shape_newest_first(api, region):
    inst = region.drop_table_instances[0]
    resp = api.post(_sqls_path(api, inst), _sql_body())
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"total", "count", "sqls"}
    assert body["total"] == region.audit_sqls.count(inst) and body["count"] == 100
    assert all(set(item) == {"sql"} and set(item["sql"]) == SQL_KEYS for item in body["sqls"])
    sqls = [item["sql"] for item in body["sqls"]]
    assert sqls == region.audit_sqls[inst][:100]
    times = [s["start_time"] for s in sqls]
    assert times == sorted(times, reverse=True)
    assert all(isinstance(s["operated_obj_info"], list) for s in sqls)
    assert all(set(obj) == OBJ_KEYS for s in sqls for obj in s["operated_obj_info"])
    assert all(s["risk_level"] in auditdata.RISK_LEVELS and s["sql_response"] in ("SUCCESS", "FAILED") for s in sqls)


def test_sqls_asc_order_and_paging_walk_every_statement_once(api, region):
    inst = region.instances[0]["id"]
    day = {"start_time": _t(NOW - datetime.timedelta(days=3)), "end_time": _t(NOW - datetime.timedelta(days=2))}
    expected = [s for s in reversed(region.audit_sqls[inst]) if day["start_time"] <= s["start_time"] <= day["end_time"]]
    assert len(expected) > 100
    got, page = [], 1
    while True:
        body = api.post(_sqls_path(api, inst), _sql_body(day, page=page, size=37, order="ASC")).json()
        assert body["total"] == len(expected) and body["count"] == len(body["sqls"])
        got += [item["sql"] for item in body["sqls"]]
        if not body["sqls"]:
            break
        page += 1
    assert got == expected
    assert len({s["id"] for s in got}) == len(got)


def test_sqls_time_bounds_are_inclusive(api, region):
    inst = region.instances[1]["id"]
    some = region.audit_sqls[inst][50]
    body = api.post(_sqls_path(api, inst), _sql_body({"start_time": some["start_time"], "end_time": some["start_time"]})).json()
    assert some in [item["sql"] for item in body["sqls"]]
    assert all(item["sql"]["start_time"] == some["start_time"] for item in body["sqls"])


@pytest.mark.parametrize("time_range", sorted(auditdata.TIME_RANGES))
def test_sqls_time_range_is_relative_to_the_data_clock(api, region, time_range):
    inst = region.instances[2]["id"]
    since = _t(NOW - datetime.timedelta(seconds=auditdata.TIME_RANGES[time_range]))
    expected = [s for s in region.audit_sqls[inst] if s["start_time"] >= since]
    # time_range wins over start_time/end_time when both are given.
    body = api.post(_sqls_path(api, inst), _sql_body({"time_range": time_range, **WHOLE}, size=10)).json()
    assert body["total"] == len(expected)
    assert [item["sql"] for item in body["sqls"]] == expected[:10]


@pytest.mark.parametrize("filters", [
    {"risk_levels": "HIGH"}, {"risk_levels": "HIGH,MEDIUM"}, {"db_user": "jdoe"}, {"db_user": "admin", "sql_response": "FAILED"},
    {"client_ip": "10.0.2.20"}, {"client_name": "workbench"}, {"query_type": "GRANT"}, {"query_type": "DROP_TABLE"}, {"query_type": "LOGIN"},
    {"rule_name": "login failure"}, {"sql_statement": "drop table"}, {"sql_response": "FAILED"},
    {"query_type": "ALL", "risk_levels": "LOW"}, {"db_user": "", "client_ip": None}, {"db_ip": "@", "risk_levels": "NO_RISK"},
    {"sql_statement": "@EXAMPLE.COM"},
])
def test_sqls_filters(api, region, filters):
    inst = region.drop_table_instances[1]
    everything = region.audit_sqls[inst]
    if filters.get("db_ip") == "@":
        filters = dict(filters, db_ip=everything[10]["db_ip"])
    checks = {
        "risk_levels": lambda s, v: s["risk_level"] in v.split(","),
        "db_user": lambda s, v: s["db_user"] == v, "client_ip": lambda s, v: s["client_ip"] == v, "db_ip": lambda s, v: s["db_ip"] == v,
        "query_type": lambda s, v: v == "ALL" or s["query_type"] == v, "sql_response": lambda s, v: s["sql_response"] == v,
        "client_name": lambda s, v: v.lower() in s["client_name"].lower(), "rule_name": lambda s, v: v.lower() in s["rule_name"].lower(),
        "sql_statement": lambda s, v: v.lower() in s["sql_statement"].lower(),
    }
    expected = [s for s in everything if all(not v or checks[k](s, v) for k, v in filters.items())]
    total, got = _all_sqls(api, inst, **filters)
    assert total == len(expected) and got == expected
    if any(v and v != "ALL" for v in filters.values()):
        assert 0 < len(expected) < len(everything)


def test_drop_table_statements_are_planted_by_one_user_on_two_instances(api, region):
    assert len(region.drop_table_instances) == 2
    for inst in region.audit_sqls:
        events = region.audit_sql_events[inst]["drop_table"]
        total, got = _all_sqls(api, inst, query_type="DROP_TABLE")
        if inst in region.drop_table_instances:
            assert region.audit_profiles[inst] == "normal"
            assert total == 2 and sorted(got, key=lambda s: s["start_time"]) == events
            for sql in got:
                assert sql["db_user"] == auditdata.DROP_TABLE_USER and sql["client_ip"] == auditdata.DROP_TABLE_CLIENT_IP
                assert sql["sql_statement"].startswith("DROP TABLE ") and sql["risk_level"] == "HIGH"
                assert sql["rule_name"] == auditdata.RISK_RULE_DROP_TABLE
                assert NOW - datetime.timedelta(days=45) < datetime.datetime.strptime(sql["start_time"], FMT).replace(tzinfo=datetime.timezone.utc) < NOW
        else:
            assert total == 0 and events == []


def test_injection_attempts_are_flagged_only_where_rules_are_on(api, region):
    normal = region.drop_table_instances[0]
    off = _by_profile(region, auditdata.PROFILE_SQL_INJECTION_RULES_OFF)[0]
    for inst in (normal, off):
        events = region.audit_sql_events[inst]["sql_injection"]
        assert 3 <= len(events) <= 6
        statements = {s["id"]: s for s in _all_sqls(api, inst, db_user="app")[1]}
        assert all(statements[e["id"]] == e for e in events)
    on_rules = {r["name"] for r in region.sql_injection_rules[normal] if r["status"] == "ON"}
    for event in region.audit_sql_events[normal]["sql_injection"]:
        assert (event["risk_level"] == "NO_RISK") == (event["rule_name"] == "")
        assert event["rule_name"] == "" or event["rule_name"] in on_rules
    assert all(e["risk_level"] == "NO_RISK" and e["rule_name"] == "" for e in region.audit_sql_events[off]["sql_injection"])
    flagged = [e for inst in region.audit_sqls for e in region.audit_sql_events[inst]["sql_injection"] if "' OR 1=1" in e["sql_statement"]]
    assert flagged and any(e["risk_level"] == "HIGH" and e["rule_name"] == auditdata.INJECTION_BOOLEAN for e in flagged)


def test_risk_rules_off_means_no_risk_flagged(region):
    inst = _by_profile(region, auditdata.PROFILE_RISK_RULES_OFF)[0]
    injection_ids = {e["id"] for e in region.audit_sql_events[inst]["sql_injection"]}
    assert all(s["risk_level"] == "NO_RISK" for s in region.audit_sqls[inst] if s["id"] not in injection_ids)
    normal = region.audit_sqls[region.drop_table_instances[0]]
    assert {s["risk_level"] for s in normal} == set(auditdata.RISK_LEVELS)


def test_statements_are_realistic(region):
    sqls = region.audit_sqls[region.instances[0]["id"]]
    users = {s["db_user"] for s in sqls}
    assert {"app", "admin", "report"} <= users and len(users) >= 5
    assert {"SELECT", "INSERT", "UPDATE", "DELETE", "LOGIN", "GRANT", "OPERATE"} <= {s["query_type"] for s in sqls}
    assert len({s["client_ip"] for s in sqls}) >= 5 and len({s["client_name"] for s in sqls}) >= 4
    # string and numeric literals for masking tests
    assert any(re.search(r"'[^']+'", s["sql_statement"]) and re.search(r"\(\d+, \d+\.\d\d, '", s["sql_statement"]) for s in sqls)
    assert any(re.search(r"WHERE id = \d+$", s["sql_statement"]) for s in sqls) and any("@example.com'" in s["sql_statement"] for s in sqls)
    databases = {(d["database"]["ip"], d["database"]["instance_name"]) for d in region.databases[region.instances[0]["id"]]}
    assert {(s["db_ip"], s["db_instance"]) for s in sqls} == databases


def test_v1_sqls_path_has_defaults(api, region):
    inst = region.instances[3]["id"]
    body = api.post(_sqls_path(api, inst, v1=True), {"time": dict(WHOLE)}).json()
    assert body["total"] == region.audit_sqls.count(inst) and body["count"] == 10
    assert [item["sql"] for item in body["sqls"]] == region.audit_sqls[inst][:10]
    asc = api.post(_sqls_path(api, inst, v1=True), {"time": dict(WHOLE), "page": 2, "size": 3, "time_order": "ASC"}).json()
    assert [item["sql"] for item in asc["sqls"]] == region.audit_sqls[inst][::-1][3:6]


def test_sql_result_window_of_10000(make_api):
    with Simulator(SimulatorConfig(now=NOW, instances=2, rds_instances=0, sql_per_instance_per_day=400)) as big:
        client = make_api(big)
        region = big.data.regions["cn-north-4"]
        inst = max(region.audit_sqls, key=region.audit_sqls.count)
        total = region.audit_sqls.count(inst)
        assert total > 10000
        path = "/v2/%s/audit/%s/sqls" % (region.project_id, inst)
        last = client.post(path, _sql_body(page=100, size=100)).json()
        assert last["total"] == total and last["count"] == 100
        assert [item["sql"] for item in last["sqls"]] == region.audit_sqls[inst][9900:10000]
        assert client.post(path, _sql_body(page=10, size=1000)).status_code == 400   # size is 1..100 anyway
        for page, size in ((101, 100), (334, 30), (10001, 1)):
            resp = client.post(path, _sql_body(page=page, size=size))
            _assert_dbss_400(resp)
            assert "10000" in resp.json()["error_msg"]
        assert client.post(path, _sql_body(page=333, size=30)).status_code == 200
        assert client.post(path, _sql_body(page=10000, size=1)).json()["sqls"][0]["sql"] == region.audit_sqls[inst][9999]
        # The window applies even when fewer records match; a narrower time range gets the rest.
        _assert_dbss_400(client.post(path, _sql_body(page=101, size=100, db_user="jdoe")))
        day = {"start_time": _t(NOW - datetime.timedelta(days=1)), "end_time": _t(NOW)}
        assert client.post(path, _sql_body(day, page=1, size=100)).json()["total"] < 10000


BAD_SQL_BODIES = [
    {"page": 1, "size": 10, "time_order": "DESC"},
    {"time": "DAY", "page": 1, "size": 10, "time_order": "DESC"},
    {"time": {}, "page": 1, "size": 10, "time_order": "DESC"},
    {"time": {"time_range": "YEAR"}, "page": 1, "size": 10, "time_order": "DESC"},
    {"time": {"start_time": "2026-02-01 00:00:00"}, "page": 1, "size": 10, "time_order": "DESC"},
    {"time": {"end_time": "2026-02-01 00:00:00"}, "page": 1, "size": 10, "time_order": "DESC"},
    {"time": {"start_time": "2026-02-01T00:00:00", "end_time": "2026-02-02 00:00:00"}, "page": 1, "size": 10, "time_order": "DESC"},
    {"time": {"start_time": "2026-02-01 00:00:00", "end_time": "2026-02-02 00:00:00+0800"}, "page": 1, "size": 10, "time_order": "DESC"},
    {"time": {"start_time": "2026-02-30 00:00:00", "end_time": "2026-03-01 00:00:00"}, "page": 1, "size": 10, "time_order": "DESC"},
    {"time": {"start_time": "2026-02-02 00:00:00", "end_time": "2026-02-01 00:00:00"}, "page": 1, "size": 10, "time_order": "DESC"},
    {"time": {"start_time": 1700000000, "end_time": 1700003600}, "page": 1, "size": 10, "time_order": "DESC"},
    _sql_body(page=0), _sql_body(page=-1), _sql_body(page="1"), _sql_body(page=True), _sql_body(page=1.0), _sql_body(size=0), _sql_body(size=101),
    _sql_body(order="NEWEST"), _sql_body(order="desc"),
    {"time": dict(WHOLE), "size": 10, "time_order": "DESC"}, {"time": dict(WHOLE), "page": 1, "time_order": "DESC"},
    {"time": dict(WHOLE), "page": 1, "size": 10},
    _sql_body(risk_levels="CRITICAL"), _sql_body(risk_levels="HIGH,"), _sql_body(query_type="ALTER"), _sql_body(sql_response="OK"),
    _sql_body(db_user=5), _sql_body(client_ip=["10.0.1.11"]),
    [], "time",
]


@pytest.mark.parametrize("body", BAD_SQL_BODIES, ids=range(len(BAD_SQL_BODIES)))
def test_sqls_validation_errors(api, region, body):
    _assert_dbss_400(api.post(_sqls_path(api, region.instances[0]["id"]), body))


@pytest.mark.parametrize("raw", [b"", b"{not json", b"null"])
def test_sqls_body_must_be_a_json_object(api, region, sign, raw):
    url = api.sim.url + _sqls_path(api, region.instances[0]["id"])
    signed_url, headers = sign("POST", url, None, {"Content-Type": "application/json"}, raw, api.ak, api.sk)
    _assert_dbss_400(requests.post(signed_url, data=raw, headers=headers, timeout=10))


def _instance_routes(api, inst):
    p = api.project_id
    return [
        ("POST", "/v2/%s/audit/%s/sqls" % (p, inst), _sql_body()),
        ("POST", "/v1/%s/%s/audit/sqls" % (p, inst), _sql_body()),
        ("POST", "/v2/%s/audit/%s/alarm-log" % (p, inst), {"time": {"time_range": "WEEK"}, "page": 1, "size": 10}),
        ("POST", "/v1/%s/%s/audit/alarm-log" % (p, inst), {"time": {"time_range": "WEEK"}, "page": 1, "size": 10}),
        ("GET", "/v1/%s/audit/%s/rule/risk" % (p, inst), None),
        ("GET", "/v1/%s/%s/dbss/audit/rule/risk" % (p, inst), None),
        ("POST", "/v1/%s/audit/%s/rule/sqls" % (p, inst), {}),
        ("POST", "/v1/%s/%s/dbss/audit/rule/sql-injections" % (p, inst), {}),
        ("GET", "/v2/%s/audit/%s/alarm/topic" % (p, inst), None),
        ("GET", "/v1/%s/%s/audit/alarm/topic" % (p, inst), None),
    ]


def test_every_route_answers_and_unknown_instances_get_10021004(api, sim, region):
    for method, path, body in _instance_routes(api, region.instances[5]["id"]):
        assert api.request(method, path, json_body=body).status_code == 200, path
    for method, path, body in _instance_routes(api, "0" * 36):
        _assert_dbss_400(api.request(method, path, json_body=body), "DBSS.10021004")
    assert {r["service"] for r in sim.requests} == {"dbss"}


def test_routes_are_authenticated_project_checked_faulted_and_throttled(api, sim, region):
    inst = region.instances[0]["id"]
    path = _sqls_path(api, inst)
    assert requests.post(sim.url + path, json=_sql_body(), timeout=10).status_code == 401
    other = api.post("/v2/%s/audit/%s/sqls" % ("f" * 32, inst), _sql_body())
    assert other.status_code == 403 and other.json()["error_code"] == "APIGW.0306"
    token = sim.issue_token("cn-north-4")
    assert api.post(path, _sql_body(size=1), token=token).status_code == 200
    sim.add_fault("status", path="/alarm-log$", status=503, times=1)
    alarm_body = {"time": {"time_range": "WEEK"}, "page": 1, "size": 10}
    assert api.post(_alarms_path(api, inst), alarm_body).status_code == 503
    assert api.post(_alarms_path(api, inst), alarm_body).status_code == 200
    sim.add_fault("ignore_offset", path="/sqls$")
    first = api.post(path, _sql_body(page=1, size=5)).json()
    assert api.post(path, _sql_body(page=3, size=5)).json() == first
    sim.clear_faults()
    sim.set_rate_limit(1, burst=1)
    try:
        statuses = [api.get("/v2/%s/audit/%s/alarm/topic" % (api.project_id, inst)).status_code for _unused in range(3)]
    finally:
        sim.set_rate_limit(0)
    assert 429 in statuses


# Alarm logs -------------------------------------------------------------------------------------------------------------
def test_alarm_log_v2_shape_filters_and_paging(api, region):
    inst = _by_profile(region, auditdata.PROFILE_STALE_HIGH_ALARMS)[0]
    alarms = region.audit_alarms[inst]
    assert alarms and all(set(a) == ALARM_KEYS for a in alarms)
    body = api.post(_alarms_path(api, inst), {"time": dict(WHOLE), "page": 1, "size": 100}).json()
    assert set(body) == {"total_num", "alarm_log"} and body["total_num"] == len(alarms) and body["alarm_log"] == alarms[:100]
    assert [a["alarm_time"] for a in alarms] == sorted((a["alarm_time"] for a in alarms), reverse=True)
    for extra, keep in (({"risk": ["HIGH"]}, lambda a: a["alarm_risk"] == "HIGH"),
                        ({"risk": ["LOW", "MEDIUM"]}, lambda a: a["alarm_risk"] in ("LOW", "MEDIUM")),
                        ({"risk": "HIGH,MEDIUM"}, lambda a: a["alarm_risk"] in ("HIGH", "MEDIUM")),
                        ({"type": "RISK_RULE"}, lambda a: a["alarm_type"] == "RISK_RULE"),
                        ({"status": "UNDO"}, lambda a: a["alarm_status"] == "UNDO"),
                        ({"status": "DONE", "risk": ["HIGH"]}, lambda a: a["alarm_status"] == "DONE" and a["alarm_risk"] == "HIGH")):
        expected = [a for a in alarms if keep(a)]
        got, page = [], 1
        while True:
            answer = api.post(_alarms_path(api, inst), {"time": dict(WHOLE), "page": page, "size": 4, **extra}).json()
            assert answer["total_num"] == len(expected)
            got += answer["alarm_log"]
            if len(answer["alarm_log"]) < 4:
                break
            page += 1
        assert got == expected and expected, extra
    week = api.post(_alarms_path(api, inst), {"time": {"time_range": "WEEK"}, "page": 1, "size": 100}).json()
    assert week["alarm_log"] == [a for a in alarms if a["alarm_time"] >= _t(NOW - datetime.timedelta(days=7))]


def test_alarm_log_v1_uses_camel_case_keys(api, region):
    inst = region.instances[0]["id"]
    body = api.post(_alarms_path(api, inst, v1=True), {"time": dict(WHOLE), "risk": "HIGH"}).json()
    high = [a for a in region.audit_alarms[inst] if a["alarm_risk"] == "HIGH"]
    assert body["total_num"] == len(high) and len(body["alarm_log"]) == min(10, len(high))
    for got, want in zip(body["alarm_log"], high):
        assert set(got) == ALARM_KEYS - {"alarm_life", "send_email"} | {"alarmLife", "sendEmail"}
        assert got["alarmLife"] == want["alarm_life"] and got["sendEmail"] == want["send_email"] and got["id"] == want["id"]


@pytest.mark.parametrize("body", [
    {"page": 1, "size": 10}, {"time": {"time_range": "WEEK"}, "size": 10}, {"time": {"time_range": "WEEK"}, "page": 1},
    {"time": {"time_range": "WEEK"}, "page": 1, "size": 101}, {"time": {"time_range": "WEEK"}, "page": 1, "size": 10, "risk": ["NO_RISK"]},
    {"time": {"time_range": "WEEK"}, "page": 1, "size": 10, "risk": [1]}, {"time": {"time_range": "WEEK"}, "page": 1, "size": 10, "type": "RISK"},
    {"time": {"time_range": "WEEK"}, "page": 1, "size": 10, "status": "ACK"},
    {"time": {"start_time": "2026-02-01 00:00", "end_time": "2026-02-02 00:00"}, "page": 1, "size": 10},
])
def test_alarm_log_validation_errors(api, region, body):
    _assert_dbss_400(api.post(_alarms_path(api, region.instances[0]["id"]), body))


def test_alarm_facts_stale_high_and_send_email(api, region):
    for inst, profile in region.audit_profiles.items():
        stale = _stale_high(region.audit_alarms[inst])
        assert bool(stale) == (profile == auditdata.PROFILE_STALE_HIGH_ALARMS), (inst, profile)
        topic = region.alarm_topics[inst]
        for alarm in region.audit_alarms[inst]:
            assert alarm["send_email"] == (topic["alarm_switch"] == "ON" and alarm["alarm_risk"].lower() in topic["alarm_risk"])
            assert (alarm["alarm_fix_time"] is None) == (alarm["alarm_life"] == "ON")
    inst = _by_profile(region, auditdata.PROFILE_STALE_HIGH_ALARMS)[0]
    undone = api.post(_alarms_path(api, inst), {"time": dict(WHOLE), "page": 1, "size": 100, "risk": ["HIGH"], "status": "UNDO"}).json()
    assert _stale_high(undone["alarm_log"]) == _stale_high(region.audit_alarms[inst])
    ages = [NOW - datetime.datetime.strptime(a["alarm_time"], FMT).replace(tzinfo=datetime.timezone.utc) for a in _stale_high(undone["alarm_log"])]
    assert all(datetime.timedelta(days=4) <= age <= datetime.timedelta(days=10) for age in ages)
    # The DROP TABLE statements raised HIGH risk-rule alarms.
    drop = region.audit_sql_events[region.drop_table_instances[0]]["drop_table"][0]
    assert any(a["alarm_type"] == "RISK_RULE" and a["alarm_risk"] == "HIGH" and auditdata.RISK_RULE_DROP_TABLE in a["alarm_description"]
               and a["alarm_time"] >= drop["start_time"] for a in region.audit_alarms[region.drop_table_instances[0]])
    assert any(a["alarm_status"] == "DONE" for a in region.audit_alarms[inst])


# Rules and topics -------------------------------------------------------------------------------------------------------
def test_risk_rules_v2_paging_and_filters(api, region):
    inst = region.instances[0]["id"]
    rules = region.risk_rules[inst]
    path = "/v1/%s/audit/%s/rule/risk" % (api.project_id, inst)
    body = api.get(path).json()
    assert set(body) == {"rules", "total", "customize_total"} and body["rules"] == rules and body["total"] == len(rules)
    assert body["customize_total"] == sum(1 for r in rules if r["rule_type"] == "CUSTOMIZE")
    assert all(set(r) == RULE_KEYS and isinstance(r["rank"], int) for r in rules)
    assert [r["rank"] for r in rules] == list(range(1, len(rules) + 1))
    assert api.get(path, {"offset": "2", "limit": "3"}).json()["rules"] == rules[2:5]
    assert api.get(path, {"risk_levels": "HIGH"}).json()["rules"] == [r for r in rules if r["risk_level"] == "HIGH"]
    assert [r["name"] for r in api.get(path, {"name": "drop"}).json()["rules"]] == [auditdata.RISK_RULE_DROP_TABLE]
    assert api.get(path, {"support_db_classify_rule": "true", "limit": "1000"}).status_code == 200
    for query in ({"limit": "1001"}, {"limit": "0"}, {"offset": "-1"}, {"risk_levels": "SEVERE"}, {"support_db_classify_rule": "yes"}):
        _assert_dbss_400(api.get(path, query))
    v1 = api.get("/v1/%s/%s/dbss/audit/rule/risk" % (api.project_id, inst), {"offset": "2", "limit": "1"}).json()
    assert v1["rules"] == rules   # no paging on v1


def test_rule_and_topic_profiles(api, region):
    p = api.project_id
    for inst, profile in region.audit_profiles.items():
        risk = api.get("/v1/%s/%s/dbss/audit/rule/risk" % (p, inst)).json()["rules"]
        injection = api.post("/v1/%s/audit/%s/rule/sqls" % (p, inst), {}).json()["rules"]
        topic = api.get("/v2/%s/audit/%s/alarm/topic" % (p, inst)).json()
        assert risk == region.risk_rules[inst] and injection == region.sql_injection_rules[inst] and topic == region.alarm_topics[inst]
        assert set(topic) == TOPIC_KEYS and all(set(r) == INJECTION_RULE_KEYS for r in injection)
        assert all(r["status"] == "OFF" for r in risk) == (profile == auditdata.PROFILE_RISK_RULES_OFF)
        assert all(r["status"] == "OFF" for r in injection) == (profile == auditdata.PROFILE_SQL_INJECTION_RULES_OFF)
        no_topic = topic["alarm_switch"] == "OFF" and topic["alarm_topic_urn"] is None
        assert no_topic == (profile == auditdata.PROFILE_NO_ALARM_TOPIC)
        if profile == "normal":
            assert all(r["status"] == "ON" for r in risk if r["risk_level"] == "HIGH" and r["rule_type"] == "SYSTEM")
        assert api.get("/v1/%s/%s/audit/alarm/topic" % (p, inst)).json() == topic
    for profile in auditdata.MISCONFIGURED_PROFILES:
        inst = _by_profile(region, profile)
        assert inst and region.audit_profiles and all(i in {x["id"] for x in region.instances if x["status"] == "ACTIVE"} for i in inst)


def test_sql_injection_rules_paging_and_filter(api, region):
    inst = region.instances[0]["id"]
    rules = region.sql_injection_rules[inst]
    assert len(rules) == 7 and [r["rank"] for r in rules] == list(range(1, 8))
    for path in ("/v1/%s/audit/%s/rule/sqls" % (api.project_id, inst), "/v1/%s/%s/dbss/audit/rule/sql-injections" % (api.project_id, inst)):
        assert api.post(path).json() == {"rules": rules, "total": 7}
        assert api.post(path, {"page": 2, "size": 3}).json() == {"rules": rules[3:6], "total": 7}
        high = [r for r in rules if r["risk_level"] == "HIGH"]
        assert api.post(path, {"risk_levels": "HIGH"}).json() == {"rules": high, "total": len(high)}
        for body in ({"page": 0}, {"size": 101}, {"risk_levels": "BAD"}, {"page": "1"}):
            _assert_dbss_400(api.post(path, body))


# Control API, determinism, clean profile, CLI, performance ----------------------------------------------------------------
def test_audit_data_over_http(sim, region):
    body = requests.get(sim.url + "/_sim/audit-data", timeout=10).json()
    north = body["regions"]["cn-north-4"]
    assert north == json.loads(json.dumps(region.audit_data_dict()))
    assert north["audit_sql_counts"] == {inst: region.audit_sqls.count(inst) for inst in region.audit_sqls}
    assert set(north) == {"name", "project_id", "audit_profiles", "drop_table_instances", "audit_sql_counts", "risk_rules", "sql_injection_rules",
                          "alarm_topics", "audit_alarms", "audit_sql_events"}
    assert "risk_rules" not in requests.get(sim.url + "/_sim/data", timeout=10).json()["regions"]["cn-north-4"]


def test_audit_data_is_deterministic_and_order_independent():
    one = generate(SimulatorConfig(now=NOW, regions=("cn-north-4", "cn-east-3")), NOW)
    two = generate(SimulatorConfig(now=NOW, regions=("cn-east-3", "cn-north-4")), NOW)
    north_one, north_two = one.regions["cn-north-4"], two.regions["cn-north-4"]
    ids = list(north_one.audit_sqls)
    forward = [north_one.audit_sqls.series(i).dicts(50) for i in ids[:6]]
    backward = [north_two.audit_sqls.series(i).dicts(50) for i in reversed(ids[:6])][::-1]
    assert forward == backward and all(len(page) == 50 for page in forward)
    assert north_one.audit_sqls[ids[0]] == north_two.audit_sqls[ids[0]]
    assert one.audit_data_dict() == two.audit_data_dict()
    other_seed = generate(SimulatorConfig(now=NOW, seed=7), NOW).regions["cn-north-4"]
    assert other_seed.audit_sqls.series(other_seed.instances[0]["id"]).dicts(20) != north_one.audit_sqls.series(ids[0]).dicts(20)
    alone = generate(SimulatorConfig(now=NOW), NOW).regions["cn-north-4"]
    assert alone.audit_data_dict() == north_one.audit_data_dict()
    assert north_one.instances == alone.instances


def test_clean_profile_is_compliant_and_plants_the_same_drops():
    default = generate(SimulatorConfig(now=NOW), NOW).regions["cn-north-4"]
    for instances in (24, 40):
        clean = generate(SimulatorConfig(now=NOW, clean=True, instances=instances), NOW).regions["cn-north-4"]
        assert set(clean.audit_profiles.values()) == {"normal"}
        for inst in clean.audit_profiles:
            assert all(r["status"] == "ON" for r in clean.risk_rules[inst])
            assert all(r["status"] == "ON" for r in clean.sql_injection_rules[inst])
            topic = clean.alarm_topics[inst]
            assert topic["alarm_switch"] == "ON" and topic["alarm_topic_urn"].startswith("urn:smn:cn-north-4:")
            assert not _stale_high(clean.audit_alarms[inst])
    clean = generate(SimulatorConfig(now=NOW, clean=True), NOW).regions["cn-north-4"]
    assert clean.drop_table_instances == default.drop_table_instances
    assert [e["start_time"] for e in clean.audit_sql_events[clean.drop_table_instances[0]]["drop_table"]] == \
        [e["start_time"] for e in default.audit_sql_events[default.drop_table_instances[0]]["drop_table"]]


def test_small_configs_and_short_history():
    region = generate(SimulatorConfig(now=NOW, instances=3, log_days=0), NOW).regions["cn-north-4"]
    assert set(region.audit_profiles.values()) == {"normal"} and region.drop_table_instances == []
    for inst in region.audit_sqls:
        assert region.audit_sqls[inst] == [] and region.audit_sqls.count(inst) == 0 and region.audit_alarms[inst] == []
    region = generate(SimulatorConfig(now=NOW, log_days=10), NOW).regions["cn-north-4"]
    assert auditdata.PROFILE_STALE_HIGH_ALARMS not in region.audit_profiles.values()
    assert not any(_stale_high(region.audit_alarms[inst]) for inst in region.audit_alarms)
    region = generate(SimulatorConfig(now=NOW, instances=5, databases_per_instance=0, sql_per_instance_per_day=0), NOW).regions["cn-north-4"]
    assert len(region.drop_table_instances) == 2
    inst = region.drop_table_instances[0]
    assert [s["query_type"] for s in region.audit_sqls[inst]].count("DROP_TABLE") == 2
    assert region.audit_sqls.count(inst) == len(region.audit_sqls[inst]) == 2 + len(region.audit_sql_events[inst]["sql_injection"])


def test_sql_per_day_flag_and_config():
    assert build_parser().parse_args([]).sql_per_instance_per_day == 200
    assert build_parser().parse_args(["--sql-per-day", "2300"]).sql_per_instance_per_day == 2300
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--sql-per-day", "-1"])
    with pytest.raises(ValueError, match="sql_per_instance_per_day"):
        SimulatorConfig(sql_per_instance_per_day=-1)


def test_100000_statements_are_fast(make_api):
    with Simulator(SimulatorConfig(now=NOW, instances=1, rds_instances=0, sql_per_instance_per_day=2300)) as big:
        client = make_api(big)
        region = big.data.regions["cn-north-4"]
        inst = region.instances[0]["id"]
        started = time.monotonic()
        assert region.audit_sqls.series(inst) is not None
        generated = time.monotonic() - started
        assert region.audit_sqls.count(inst) >= 100000
        path = "/v2/%s/audit/%s/sqls" % (region.project_id, inst)
        started = time.monotonic()
        for hour in range(24):
            window = {"start_time": _t(NOW - datetime.timedelta(hours=hour + 1)), "end_time": _t(NOW - datetime.timedelta(hours=hour))}
            assert client.post(path, _sql_body(window, size=100)).status_code == 200
        filtered = client.post(path, _sql_body(size=100, db_user="jdoe", sql_statement="select"))
        queried = time.monotonic() - started
        assert filtered.status_code == 200 and filtered.json()["total"] > 0
        assert generated < 5 and queried < 5, (generated, queried)
