"""New DBSS audit data while the simulator runs: alarms and audited statements raised by a test (``Simulator.raise_alarm``
and ``Simulator.add_statement``, or ``POST /_sim/alarms`` and ``POST /_sim/sqls``), as the audit would record them, and
custom risk and SQL-injection rules a user created (``Simulator.add_risk_rule``, ``Simulator.add_sql_injection_rule``,
or ``POST /_sim/risk-rules`` and ``POST /_sim/sql-injection-rules``). ``Simulator.reset_audit_data()`` (``DELETE
/_sim/audit-data``) forgets them all and serves the seeded data again.

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
ALARM_KEYS = ("alarm_type", "alarm_risk", "alarm_description", "alarm_time", "alarm_status")
STATEMENT_KEYS = ("sql_statement", "risk_level", "rule_name", "db_user", "client_ip", "client_name", "query_type", "sql_response",
                  "start_time", "table_name")
RISK_RULE_KEYS = ("name", "risk_level", "status", "feature")
SQL_INJECTION_RULE_KEYS = ("name", "risk_level", "status", "feature", "regex")
RULE_STATUSES = ("ON", "OFF")
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


def raise_alarm(region_data, instance_id, clock=time.time, **fields):
    """Add one alarm to the instance's alarm log and return it (the API's dict)."""
    return raise_alarms(region_data, instance_id, [fields], clock=clock)[0]


def raise_alarms(region_data, instance_id, alarms, clock=time.time):
    """Add alarms to the instance's alarm log at once and return them (the API's dicts, in the order given). Each is a
    dict of ALARM_KEYS, all optional: an ongoing HIGH RISK_RULE alarm now, UNDO (DONE: already acknowledged)."""
    store = _store(region_data, instance_id)
    bundle = store.bundle(instance_id)
    made = []
    for fields in alarms:
        unknown = set(fields) - set(ALARM_KEYS)
        if unknown:
            raise ValueError("unsupported alarm keys: %s (allowed: %s)" % (", ".join(sorted(unknown)), ", ".join(ALARM_KEYS)))
        made.append((_choice(fields.get("alarm_type"), "alarm_type", auditdata.ALARM_TYPES, "RISK_RULE"),
                     _choice(fields.get("alarm_risk"), "alarm_risk", auditdata.ALARM_RISKS, "HIGH"),
                     _text(fields.get("alarm_description"), "alarm_description", "Risk rule %s hit" % auditdata.RISK_RULE_DROP_TABLE),
                     _timestamp(fields.get("alarm_time"), "alarm_time", clock),
                     _choice(fields.get("alarm_status"), "alarm_status", auditdata.ALARM_STATUSES, "UNDO")))
    send = bool(bundle.alarm_topic.get("alarm_switch") == "ON" and bundle.alarm_topic.get("alarm_topic_urn"))
    added = []
    with _LOCK:
        for kind, risk, description, moment, status in made:
            serial = getattr(bundle, "live_alarms", 0) + 1
            bundle.live_alarms = serial
            alarm_id = hashlib.sha256(("%s:%s:live-alarm:%d" % (region_data.name, instance_id, serial)).encode("utf-8")).hexdigest()[:32]
            added.append({"id": alarm_id, "alarm_life": "ON", "send_email": send, "alarm_time": auditdata.format_time(moment), "alarm_type": kind,
                          "alarm_fix_time": None, "alarm_status": status, "alarm_risk": risk, "alarm_description": description})
        # A new list, newest first like the seeded log, swapped in whole: a request being answered keeps the old one.
        merged = list(bundle.alarms) + added
        merged.sort(key=lambda item: (item["alarm_time"], item["id"]), reverse=True)
        bundle.alarms = merged
    return [dict(alarm) for alarm in added]


def add_statement(region_data, instance_id, clock=time.time, **fields):
    """Add one audited statement to the instance's series and return it (the API's ``sql`` dict)."""
    return add_statements(region_data, instance_id, [fields], clock=clock)[0]


def add_statements(region_data, instance_id, statements, clock=time.time):
    """Add audited statements to the instance's series at once and return them (the API's ``sql`` dicts, in the order
    given). Each is a dict of STATEMENT_KEYS, all optional: a HIGH DROP TABLE of ``jdoe`` now by default."""
    store = _store(region_data, instance_id)
    series = store.series(instance_id)
    bundle = store.bundle(instance_id)
    db_ip, db_inst = bundle.databases[0]
    made = []
    for fields in statements:
        unknown = set(fields) - set(STATEMENT_KEYS)
        if unknown:
            raise ValueError("unsupported statement keys: %s (allowed: %s)" % (", ".join(sorted(unknown)), ", ".join(STATEMENT_KEYS)))
        risk = _choice(fields.get("risk_level"), "risk_level", auditdata.RISK_LEVELS, "HIGH")
        made.append((
            _timestamp(fields.get("start_time"), "start_time", clock), _text(fields.get("sql_statement"), "sql_statement", "DROP TABLE customers_backup"),
            _text(fields.get("db_user"), "db_user", auditdata.DROP_TABLE_USER), _text(fields.get("client_ip"), "client_ip", auditdata.DROP_TABLE_CLIENT_IP),
            _text(fields.get("client_name"), "client_name", auditdata.DROP_TABLE_CLIENT_NAME),
            _choice(fields.get("query_type"), "query_type", auditdata.QUERY_TYPES[:-1], "DROP_TABLE"),
            _text(fields.get("table_name"), "table_name", ""),
            _text(fields.get("rule_name"), "rule_name", auditdata.RISK_RULE_DROP_TABLE) if risk != "NO_RISK" else "", risk,
            _choice(fields.get("sql_response"), "sql_response", auditdata.SQL_RESPONSES, "SUCCESS")))
    with _LOCK:
        ordinal = max((record[1] for record in series.records), default=0)
        added = []
        for moment, statement, user, ip, name, qtype, table, rule, risk, response in made:
            ordinal += 1
            added.append((moment, ordinal, statement, user, ip, name, db_ip, db_inst, qtype, table, rule, risk, response))
        records = sorted(series.records + added, key=lambda item: (item[0], item[1]))
        # Both lists replaced: a request being answered bisects the old pair.
        series.records, series.times = records, [item[0] for item in records]
    return [auditdata.sql_dict(record, series.id_prefix) for record in added]


def _rule_id(kind, region_data, instance_id, serial):
    return hashlib.sha256(("%s:%s:live-%s:%d" % (region_data.name, instance_id, kind, serial)).encode("utf-8")).hexdigest()[:20]


def add_risk_rule(region_data, instance_id, name=None, risk_level=None, status=None, feature=None):
    """Add a custom risk rule (``rule_type`` CUSTOMIZE, ranked last) to the instance and return it (the API's dict)."""
    store = _store(region_data, instance_id)
    bundle = store.bundle(instance_id)
    level = _choice(risk_level, "risk_level", auditdata.RISK_LEVELS, "MEDIUM")
    state = _choice(status, "status", RULE_STATUSES, "ON")
    with _LOCK:
        serial = len(bundle.risk_rules) + 1
        rule = {"id": _rule_id("risk-rule", region_data, instance_id, serial), "name": _text(name, "name", "Custom rule %d" % serial),
                "type": "OPERATE", "feature": _text(feature, "feature", "Operated object: shop.*"), "status": state, "rank": serial,
                "risk_level": level, "rule_type": "CUSTOMIZE"}
        bundle.risk_rules = bundle.risk_rules + [rule]
    return dict(rule)


def add_sql_injection_rule(region_data, instance_id, name=None, risk_level=None, status=None, feature=None, regex=None):
    """Add a SQL injection rule (ranked last) to the instance and return it (the API's dict)."""
    store = _store(region_data, instance_id)
    bundle = store.bundle(instance_id)
    level = _choice(risk_level, "risk_level", auditdata.RISK_LEVELS, "HIGH")
    state = _choice(status, "status", RULE_STATUSES, "ON")
    with _LOCK:
        serial = len(bundle.sql_injection_rules) + 1
        rule = {"id": _rule_id("sql-injection-rule", region_data, instance_id, serial), "name": _text(name, "name", "Custom injection rule %d" % serial),
                "status": state, "risk_level": level, "type": "CUSTOMIZE", "rank": serial, "feature": _text(feature, "feature", "UNION SELECT"),
                "regex": _text(regex, "regex", r"(?i)\bunion\s+select\b")}
        bundle.sql_injection_rules = bundle.sql_injection_rules + [rule]
    return dict(rule)
