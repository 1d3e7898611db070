"""The official SDK (huaweicloudsdkdbss 3.1.219) against the simulator's DBSS audit-data APIs.

Each call goes through the SDK's own request building (method, path, body) and response parsing (attribute_map), so a
field the simulator names differently from the SDK model would come back as None here.
"""

import datetime

import pytest

from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkdbss.v1 import (AlarmLogRequest, AlarmLogRequestTime, AuditSqlRequest, AuditSqlRequestTime,
                                   ListAlarmTopicConfigInfoNewRequest, ListAlarmTopicConfigInfoRequest, ListAuditAlarmLogNewRequest,
                                   ListAuditAlarmLogRequest, ListAuditRuleRisksNewRequest, ListAuditRuleRisksRequest, ListAuditSqlsNewRequest,
                                   ListAuditSqlsRequest, ListSqlInjectionRulesNewRequest, ListSqlInjectionRulesRequest, SqlRuleRequest)

from dbaudit_simulator import auditdata

WHOLE = AuditSqlRequestTime(start_time="2025-01-01 00:00:00", end_time="2026-03-01 04:00:00")


def _filled(model, allow_none=()):
    """Every attribute the SDK model declares came back (not None), except those listed."""
    missing = [attr for attr in model.openapi_types if getattr(model, attr) is None and attr not in allow_none]
    assert not missing, (type(model).__name__, missing)


def _wire(model):
    """The model as wire-named JSON (attribute_map applied), comparable with the seeded dicts."""
    out = {}
    for attr, key in model.attribute_map.items():
        value = getattr(model, attr)
        if isinstance(value, list):
            value = [_wire(v) if hasattr(v, "attribute_map") else v for v in value]
        elif hasattr(value, "attribute_map"):
            value = _wire(value)
        out[key] = value
    return out


def test_sdk_list_audit_sqls_new(client, region, sim):
    inst = region.drop_table_instances[0]
    resp = client.list_audit_sqls_new(ListAuditSqlsNewRequest(instance_id=inst, body=AuditSqlRequest(time=WHOLE, page=1, size=100,
                                                                                                     time_order="DESC")))
    _filled(resp)
    assert resp.total == region.audit_sqls.count(inst) and resp.count == 100
    for item in resp.sqls:
        _filled(item)
        _filled(item.sql)
        for obj in item.sql.operated_obj_info:
            _filled(obj)
    assert [_wire(item.sql) for item in resp.sqls] == region.audit_sqls[inst][:100]
    assert any(item.sql.operated_obj_info for item in resp.sqls)
    assert sim.requests[-1]["path"] == "/v2/%s/audit/%s/sqls" % (region.project_id, inst) and sim.requests[-1]["method"] == "POST"
    drops = client.list_audit_sqls_new(ListAuditSqlsNewRequest(instance_id=inst, body=AuditSqlRequest(
        time=WHOLE, page=1, size=10, time_order="ASC", query_type="DROP_TABLE", db_user=auditdata.DROP_TABLE_USER, risk_levels="HIGH")))
    assert [_wire(item.sql) for item in drops.sqls] == region.audit_sql_events[inst]["drop_table"]


def test_sdk_list_audit_sqls_v1(client, region, sim):
    inst = region.instances[4]["id"]
    body = AuditSqlRequest(time=AuditSqlRequestTime(time_range="WEEK"), page=2, size=5, time_order="DESC")
    resp = client.list_audit_sqls(ListAuditSqlsRequest(instance_id=inst, body=body))
    assert resp.count == 5 and [_wire(item.sql) for item in resp.sqls] == region.audit_sqls[inst][5:10]
    assert sim.requests[-1]["path"] == "/v1/%s/%s/audit/sqls" % (region.project_id, inst)


def test_sdk_list_audit_alarm_log_new_and_v1(client, region, sim):
    inst = next(i for i, p in region.audit_profiles.items() if p == auditdata.PROFILE_STALE_HIGH_ALARMS)
    alarms = region.audit_alarms[inst]
    new = client.list_audit_alarm_log_new(ListAuditAlarmLogNewRequest(instance_id=inst, body=AlarmLogRequest(
        time=AlarmLogRequestTime(time_range="MONTH"), page=1, size=100)))
    _filled(new)
    month = [a for a in alarms if a["alarm_time"] >= (sim.now - datetime.timedelta(days=30)).strftime("%Y-%m-%d %H:%M:%S")]
    assert new.total_num == len(month) and [_wire(a) for a in new.alarm_log] == month
    for alarm in new.alarm_log:
        _filled(alarm, allow_none=("alarm_fix_time",) if alarm.alarm_life == "ON" else ())
    old = client.list_audit_alarm_log(ListAuditAlarmLogRequest(instance_id=inst, body=AlarmLogRequest(
        time=AlarmLogRequestTime(time_range="MONTH"), page=1, size=100, risk=["HIGH"], status="UNDO")))
    assert old.alarm_log and all(a.alarm_risk == "HIGH" and a.alarm_status == "UNDO" for a in old.alarm_log)
    by_id = {a["id"]: a for a in alarms}
    for alarm in old.alarm_log:   # the v1 model reads alarmLife / sendEmail
        assert alarm.alarm_life == by_id[alarm.id]["alarm_life"] and alarm.send_email == by_id[alarm.id]["send_email"]
        _filled(alarm, allow_none=("alarm_fix_time",) if alarm.alarm_life == "ON" else ())


def test_sdk_risk_rules_new_and_v1(client, region):
    inst = region.instances[0]["id"]
    new = client.list_audit_rule_risks_new(ListAuditRuleRisksNewRequest(instance_id=inst, offset="0", limit="100"))
    _filled(new)
    assert [_wire(r) for r in new.rules] == region.risk_rules[inst]
    for rule in new.rules:
        _filled(rule)
    old = client.list_audit_rule_risks(ListAuditRuleRisksRequest(instance_id=inst, risk_levels="HIGH"))
    assert [r.name for r in old.rules] == [r["name"] for r in region.risk_rules[inst] if r["risk_level"] == "HIGH"]
    assert old.total == len(old.rules) and old.customize_total == 0


def test_sdk_sql_injection_rules_new_and_v1(client, region):
    inst = region.instances[0]["id"]
    new = client.list_sql_injection_rules_new(ListSqlInjectionRulesNewRequest(instance_id=inst, body=SqlRuleRequest(page=1, size=100)))
    _filled(new)
    assert [_wire(r) for r in new.rules] == region.sql_injection_rules[inst]
    for rule in new.rules:
        _filled(rule)
    old = client.list_sql_injection_rules(ListSqlInjectionRulesRequest(instance_id=inst, body=SqlRuleRequest(risk_levels="MEDIUM")))
    assert old.total == len(old.rules) == sum(1 for r in region.sql_injection_rules[inst] if r["risk_level"] == "MEDIUM")


def test_sdk_alarm_topic_new_and_v1(client, region):
    for inst, profile in region.audit_profiles.items():
        new = client.list_alarm_topic_config_info_new(ListAlarmTopicConfigInfoNewRequest(instance_id=inst))
        old = client.list_alarm_topic_config_info(ListAlarmTopicConfigInfoRequest(instance_id=inst))
        assert _wire(new) == _wire(old) == region.alarm_topics[inst]
        if profile == auditdata.PROFILE_NO_ALARM_TOPIC:
            assert new.alarm_switch == "OFF" and new.alarm_topic_urn is None
        else:
            _filled(new)
            assert new.alarm_switch == "ON" and new.alarm_risk and new.smn_effective is True


def test_sdk_sees_dbss_errors(client, region):
    with pytest.raises(ClientRequestException) as caught:
        client.list_audit_sqls_new(ListAuditSqlsNewRequest(instance_id=region.instances[0]["id"], body=AuditSqlRequest(
            time=WHOLE, page=101, size=100, time_order="DESC")))
    assert caught.value.status_code == 400 and caught.value.error_code == "DBSS.10000001"
    with pytest.raises(ClientRequestException) as caught:
        client.list_audit_alarm_log_new(ListAuditAlarmLogNewRequest(instance_id="0" * 36, body=AlarmLogRequest(
            time=AlarmLogRequestTime(time_range="DAY"), page=1, size=10)))
    assert caught.value.status_code == 400 and caught.value.error_code == "DBSS.10021004"
    # The SDK drops None fields from the body: a v2 query without time_order is refused like the API's required field.
    with pytest.raises(ClientRequestException) as caught:
        client.list_audit_sqls_new(ListAuditSqlsNewRequest(instance_id=region.instances[0]["id"], body=AuditSqlRequest(time=WHOLE, page=1, size=10)))
    assert caught.value.error_code == "DBSS.10000001" and "time_order" in caught.value.error_msg
