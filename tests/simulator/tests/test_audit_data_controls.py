"""The DBSS audit-data knobs the unit tests of the collection use (tests/support/audit_data_sim.py): statements, alarms
and rules added at once, forgotten again by reset_audit_data(); the result window and the clipping of totals, at start
and while running; the ignore_filters fault; and the request headers in the recorded exchanges."""

import pytest
import requests

from dbaudit_simulator import Simulator, SimulatorConfig
from dbaudit_simulator.__main__ import build_parser

WINDOW = {"start_time": "2026-03-02 00:00:00", "end_time": "2026-03-02 23:59:59"}   # after the data clock: nothing seeded


def _sqls(api, inst, page=1, size=100, **extra):
    body = dict({"time": dict(WINDOW), "page": page, "size": size, "time_order": "DESC"}, **extra)
    return api.post("/v2/%s/audit/%s/sqls" % (api.project_id, inst), body)


def _alarms(api, inst, **extra):
    body = dict({"time": dict(WINDOW), "page": 1, "size": 100}, **extra)
    return api.post("/v2/%s/audit/%s/alarm-log" % (api.project_id, inst), body)


@pytest.fixture
def inst(sim, region):
    sim.reset_audit_data()
    yield sorted(region.audit_data.ids())[0]
    sim.reset_audit_data()
    sim.set_clip_audit_totals(False)
    sim.set_sql_result_window(10000)


def test_statements_added_at_once_are_answered_in_order_and_reset_forgets_them(sim, api, region, inst):
    seeded = list(region.audit_sqls[inst])
    added = sim.add_statements(inst, [{"start_time": "2026-03-02 10:00:%02d" % n, "risk_level": "NO_RISK", "query_type": "SELECT",
                                       "sql_statement": "SELECT %d" % n, "table_name": "orders"} for n in range(30)])
    body = _sqls(api, inst).json()
    assert body["total"] == 30 and [item["sql"] for item in body["sqls"]] == list(reversed(added))
    assert added[0]["rule_name"] == "" and added[0]["operated_obj_info"][0]["table_name"] == "orders"
    assert len({sql["id"] for sql in added} | {sql["id"] for sql in seeded}) == 30 + len(seeded)
    with pytest.raises(ValueError, match="unsupported statement keys: rows"):
        sim.add_statements(inst, [{"rows": 1}])
    sim.reset_audit_data()
    assert _sqls(api, inst).json()["total"] == 0
    assert list(region.audit_sqls[inst]) == seeded


def test_alarms_may_be_acknowledged_and_rules_added(sim, api, region, inst):
    alarms = sim.raise_alarms(inst, [{"alarm_time": "2026-03-02 08:00:00", "alarm_status": "DONE"}, {"alarm_time": "2026-03-02 09:00:00"}])
    assert [alarm["alarm_status"] for alarm in alarms] == ["DONE", "UNDO"]
    assert [alarm["id"] for alarm in _alarms(api, inst, status="DONE").json()["alarm_log"]] == [alarms[0]["id"]]
    with pytest.raises(ValueError, match="alarm_status must be one of DONE, UNDO"):
        sim.raise_alarm(inst, alarm_status="ACKED")
    before = len(region.risk_rules[inst])
    rule = sim.add_risk_rule(inst, status="OFF", risk_level="LOW")
    assert (rule["rule_type"], rule["rank"], rule["status"]) == ("CUSTOMIZE", before + 1, "OFF")
    answered = api.get("/v1/%s/audit/%s/rule/risk" % (api.project_id, inst), {"offset": str(before), "limit": "10"}).json()
    assert answered["rules"] == [rule] and answered["customize_total"] >= 1
    injection = requests.post(sim.url + "/_sim/sql-injection-rules", json={"instance_id": inst, "status": "OFF"}, timeout=10)
    assert injection.status_code == 201 and region.sql_injection_rules[inst][-1] == injection.json()["rule"]
    assert requests.delete(sim.url + "/_sim/audit-data", timeout=10).status_code == 204
    assert len(region.risk_rules[inst]) == before and _alarms(api, inst).json()["total_num"] == 0


def test_the_result_window_refuses_pages_beyond_it_and_clips_totals(sim, api, inst):
    sim.add_statements(inst, [{"start_time": "2026-03-02 %02d:%02d:00" % (n // 60, n % 60)} for n in range(450)])
    sim.set_sql_result_window(300)
    assert _sqls(api, inst, page=3).status_code == 200
    refused = _sqls(api, inst, page=4)
    assert refused.status_code == 400 and "page * size must not exceed 300" in refused.json()["error_msg"]
    assert _sqls(api, inst).json()["total"] == 450
    sim.set_clip_audit_totals(True)
    assert _sqls(api, inst).json()["total"] == 300
    answer = requests.post(sim.url + "/_sim/config", json={"clip_audit_totals": False, "sql_result_window": 10000}, timeout=10)
    assert answer.json() == {"instance_shape": "servers", "clip_audit_totals": False, "sql_result_window": 10000}
    assert (sim.clip_audit_totals, sim.sql_result_window) == (False, 10000)
    for bad in ({"sql_result_window": 10001}, {"sql_result_window": 0}, {"clip_audit_totals": "yes"}):
        assert requests.post(sim.url + "/_sim/config", json=bad, timeout=10).status_code == 400
    with pytest.raises(ValueError, match="between 1 and 10000"):
        sim.set_sql_result_window(20000)


def test_the_window_and_the_clipping_at_start():
    config = SimulatorConfig(instances=1, rds_instances=0, member_accounts=(), sql_result_window=500, clip_audit_totals=True)
    with Simulator(config) as other:
        assert (other.sql_result_window, other.clip_audit_totals) == (500, True)
    args = build_parser().parse_args(["--sql-result-window", "250", "--clip-audit-totals"])
    assert (args.sql_result_window, args.clip_audit_totals) == (250, True)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--sql-result-window", "10001"])
    with pytest.raises(ValueError, match="sql_result_window"):
        SimulatorConfig(sql_result_window=10001)


def test_the_ignore_filters_fault_answers_everything_and_exchanges_keep_the_headers(sim, api, inst):
    sim.add_statements(inst, [{"start_time": "2026-03-02 10:00:00", "db_user": "app"}, {"start_time": "2026-03-03 10:00:00", "db_user": "admin"}])
    assert _sqls(api, inst, db_user="app").json()["total"] == 1
    sim.add_fault("ignore_filters", path=r"/sqls$", times=1)
    with sim.recording_exchanges() as exchanges:
        everything = _sqls(api, inst, db_user="app").json()
    assert everything["total"] == len(sim.data.regions["cn-north-4"].audit_sqls[inst])
    assert exchanges[0]["request_headers"]["content-type"] == "application/json"
    assert sim.requests[-1]["fault"] == "ignore_filters"
    assert _sqls(api, inst, db_user="app").json()["total"] == 1
