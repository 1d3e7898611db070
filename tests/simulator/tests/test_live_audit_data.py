"""Alarms and statements raised while the simulator runs (live.py, POST /_sim/alarms and /_sim/sqls): answered by the
same routes as the seeded data, in the official SDK's shapes (read back through huaweicloudsdkdbss)."""


import pytest
import requests

from huaweicloudsdkdbss.v1 import (AlarmLogRequest, AlarmLogRequestTime, AuditSqlRequest, AuditSqlRequestTime,
                                   ListAuditAlarmLogNewRequest, ListAuditSqlsNewRequest)

from dbaudit_simulator import auditdata


def _missing(model, allow_none=()):
    return [attr for attr in model.openapi_types if getattr(model, attr) is None and attr not in allow_none]


def test_a_raised_alarm_is_in_the_alarm_log_in_the_sdk_shape(sim, region, client):
    inst = region.instances[0]["id"]
    body = {"instance_id": inst, "alarm_risk": "MEDIUM", "alarm_type": "RISK_CPU", "alarm_time": "2026-03-01 05:00:00"}
    answer = requests.post(sim.url + "/_sim/alarms", json=body, timeout=10)
    assert answer.status_code == 201
    alarm = answer.json()["alarm"]
    assert (alarm["alarm_risk"], alarm["alarm_type"], alarm["alarm_status"], alarm["alarm_time"]) == (
        "MEDIUM", "RISK_CPU", "UNDO", "2026-03-01 05:00:00")
    body = AlarmLogRequest(time=AlarmLogRequestTime(start_time="2026-03-01 04:30:00", end_time="2026-03-01 05:30:00"), page=1, size=10)
    resp = client.list_audit_alarm_log_new(ListAuditAlarmLogNewRequest(instance_id=inst, body=body))
    assert resp.total_num == 1 and resp.alarm_log[0].id == alarm["id"]
    assert _missing(resp.alarm_log[0], allow_none=("alarm_fix_time",)) == []
    second = sim.raise_alarm(inst, alarm_time="2026-03-01 05:00:00")
    assert second["id"] != alarm["id"] and second["alarm_risk"] == "HIGH"
    assert [item["id"] for item in region.audit_alarms[inst][:2]] == sorted([alarm["id"], second["id"]], reverse=True)


def test_an_added_statement_is_answered_by_the_statement_api(sim, region, client):
    inst = region.instances[1]["id"]
    statement = sim.add_statement(inst, start_time="2026-03-01 05:10:00", sql_statement="DROP TABLE orders_2024")
    body = AuditSqlRequest(time=AuditSqlRequestTime(start_time="2026-03-01 05:00:00", end_time="2026-03-01 05:30:00"), page=1,
                           size=10, time_order="DESC", risk_levels="HIGH")
    resp = client.list_audit_sqls_new(ListAuditSqlsNewRequest(instance_id=inst, body=body))
    assert resp.total == 1 and resp.sqls[0].sql.id == statement["id"]
    assert resp.sqls[0].sql.sql_statement == "DROP TABLE orders_2024" and _missing(resp.sqls[0].sql) == []
    assert statement["rule_name"] == auditdata.RISK_RULE_DROP_TABLE


@pytest.mark.parametrize("path, body, reason", [
    ("/_sim/alarms", {"instance_id": "nope"}, "unknown audit instance"),
    ("/_sim/alarms", {"alarm_risk": "CRITICAL"}, "alarm_risk"),
    ("/_sim/alarms", {"colour": "red"}, "unsupported keys"),
    ("/_sim/sqls", {"start_time": "yesterday"}, "start_time"),
    ("/_sim/sqls", {"region": "mars-1"}, "unknown region"),
])
def test_bad_requests_are_refused_and_change_nothing(sim, region, path, body, reason):
    before = list(region.audit_alarms[region.instances[0]["id"]])
    body = dict({"instance_id": region.instances[0]["id"]}, **body) if "instance_id" not in body else body
    answer = requests.post(sim.url + path, json=body, timeout=10)
    assert answer.status_code == 400 and reason in answer.json()["error"]
    assert region.audit_alarms[region.instances[0]["id"]] == before
