"""New DBSS audit data while the simulator runs: alarms and audited statements raised by a test (``Simulator.raise_alarm``
and ``Simulator.add_statement``, or ``POST /_sim/alarms`` and ``POST /_sim/sqls``), as the audit would record them.

What they add is answered by the same routes as the seeded data, in the same SDK shapes (AlarmLogResponseNewAlarmLog,
AuditSqlResponseSql): a raised alarm is an UNDO alarm that is still going on (``alarm_life`` ON, no fix time) and a
statement gets an id from the instance's own series. Their time is the wall clock (whole seconds, as the API reports
it) unless given, so that a poller that asks for "since the last poll" finds them.
"""

import hashlib
import threading
import time

from . import auditdata

_LOCK = threading.Lock()
ALARM_KEYS = ("alarm_type", "alarm_risk", "alarm_description", "alarm_time")
STATEMENT_KEYS = ("sql_statement", "risk_level", "rule_name", "db_user", "client_ip", "client_name", "query_type", "sql_response",
                  "start_time")
_MAX_TEXT = 4096


def _text(value, name, default):
    if value is None:
        return default
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise ValueError("%s must be a non-empty string of at most %d characters" % (name, _MAX_TEXT))
    return value


def _choice(value, name, allowed, default):
    value = default if value is None else value
    if value not in allowed:
        raise ValueError("%s must be one of %s, got %r" % (name, ", ".join(allowed), value))
    return value


def _timestamp(value, name, clock):
    if value is None:
        return int(clock())
    try:
        return auditdata.parse_time(value)
    except (TypeError, ValueError):
        raise ValueError("%s must be a time such as 2026-11-01 08:00:00 (UTC), got %r" % (name, value)) from None


def _store(region_data, instance_id):
    store = region_data.audit_data
    if not isinstance(instance_id, str) or instance_id not in store:
        raise ValueError("unknown audit instance %r in region %s" % (instance_id, region_data.name))
    return store


def raise_alarm(region_data, instance_id, alarm_type=None, alarm_risk=None, alarm_description=None, alarm_time=None,
                clock=time.time):
    """Add one alarm to the instance's alarm log and return it (the API's dict)."""
    store = _store(region_data, instance_id)
    kind = _choice(alarm_type, "alarm_type", auditdata.ALARM_TYPES, "RISK_RULE")
    risk = _choice(alarm_risk, "alarm_risk", auditdata.ALARM_RISKS, "HIGH")
    description = _text(alarm_description, "alarm_description", "Risk rule %s hit" % auditdata.RISK_RULE_DROP_TABLE)
    moment = _timestamp(alarm_time, "alarm_time", clock)
    bundle = store.bundle(instance_id)
    with _LOCK:
        serial = getattr(bundle, "live_alarms", 0) + 1
        bundle.live_alarms = serial
        alarm_id = hashlib.sha256(("%s:%s:live-alarm:%d" % (region_data.name, instance_id, serial)).encode("utf-8")).hexdigest()[:32]
        alarm = {"id": alarm_id, "alarm_life": "ON",
                 "send_email": bool(bundle.alarm_topic.get("alarm_switch") == "ON" and bundle.alarm_topic.get("alarm_topic_urn")),
                 "alarm_time": auditdata.format_time(moment), "alarm_type": kind, "alarm_fix_time": None, "alarm_status": "UNDO",
                 "alarm_risk": risk, "alarm_description": description}
        # A new list, newest first like the seeded log, swapped in whole: a request being answered keeps the old one.
        alarms = list(bundle.alarms) + [alarm]
        alarms.sort(key=lambda item: (item["alarm_time"], item["id"]), reverse=True)
        bundle.alarms = alarms
    return dict(alarm)


def add_statement(region_data, instance_id, sql_statement=None, risk_level=None, rule_name=None, db_user=None, client_ip=None,
                  client_name=None, query_type=None, sql_response=None, start_time=None, clock=time.time):
    """Add one audited statement to the instance's series and return it (the API's ``sql`` dict)."""
    store = _store(region_data, instance_id)
    statement = _text(sql_statement, "sql_statement", "DROP TABLE customers_backup")
    risk = _choice(risk_level, "risk_level", auditdata.RISK_LEVELS, "HIGH")
    qtype = _choice(query_type, "query_type", auditdata.QUERY_TYPES[:-1], "DROP_TABLE")
    response = _choice(sql_response, "sql_response", auditdata.SQL_RESPONSES, "SUCCESS")
    rule = _text(rule_name, "rule_name", auditdata.RISK_RULE_DROP_TABLE) if risk != "NO_RISK" else ""
    user = _text(db_user, "db_user", auditdata.DROP_TABLE_USER)
    ip = _text(client_ip, "client_ip", auditdata.DROP_TABLE_CLIENT_IP)
    name = _text(client_name, "client_name", auditdata.DROP_TABLE_CLIENT_NAME)
    moment = _timestamp(start_time, "start_time", clock)
    series = store.series(instance_id)
    bundle = store.bundle(instance_id)
    db_ip, db_inst = bundle.databases[0]
    with _LOCK:
        ordinal = max((record[1] for record in series.records), default=0) + 1
        record = (moment, ordinal, statement, user, ip, name, db_ip, db_inst, qtype, "", rule, risk, response)
        records = sorted(series.records + [record], key=lambda item: (item[0], item[1]))
        # Both lists replaced: a request being answered bisects the old pair.
        series.records, series.times = records, [item[0] for item in records]
    return auditdata.sql_dict(record, series.id_prefix)
