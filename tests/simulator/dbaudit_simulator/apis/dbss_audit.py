"""DBSS audit data APIs: audited SQL statements, alarm logs, risk and SQL-injection rules, alarm notification topic.

Paths, methods, request fields and answer keys follow huaweicloudsdkdbss 3.1.219 (`_<name>_http_info` and the model
classes' attribute_map). Where the SDK and the docs say nothing about a limit, the simulator picks one and the README
says which (page numbers start at 1, sizes are 1..100).
"""

import re

from .. import auditdata, errors
from ..wire import json_response
from .common import paging
from .dbss import instance_or_error

# page*size beyond the result window is refused: "A maximum of 10,000 records can be retrieved in a query" (DBSS user
# guide). The window is SimulatorConfig.sql_result_window (10,000 unless a test narrows it), read at each request.
PAGE_SIZE_MAX = 100
RISK_RULE_LIMIT_MAX = 1000     # ListAuditRuleRisksNewRequest.limit: 1..1000, default 100
V1_DEFAULT_PAGE_SIZE = 10      # the v1 bodies make page/size optional
_TIME_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
_ORDERS = ("DESC", "ASC")


def _invalid(msg):
    return errors.dbss_invalid(msg)


def _body(ctx, required=True):
    raw = ctx.request.body
    if not raw or not raw.strip():
        if required:
            raise _invalid("The request body is mandatory")
        return {}
    try:
        body = ctx.request.json()
    except ValueError as exc:
        raise _invalid("The request body is not valid JSON") from exc
    if body is None and not required:
        return {}
    if not isinstance(body, dict):
        raise _invalid("The request body must be a JSON object")
    return body


def _int(body, name, minimum, maximum, required, default=None):
    value = body.get(name)
    if value is None:
        if required:
            raise _invalid("Missing mandatory parameter %s" % name)
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid("Invalid parameter %s: %r is not an integer" % (name, value))
    if value < minimum or (maximum is not None and value > maximum):
        bound = "between %d and %d" % (minimum, maximum) if maximum is not None else ">= %d" % minimum
        raise _invalid("Invalid parameter %s: %d is not %s" % (name, value, bound))
    return value


def _string(body, name):
    """An optional string filter; null or "" means no filter."""
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _invalid("Invalid parameter %s: %r is not a string" % (name, value))
    return value


def _enum(body, name, allowed):
    value = _string(body, name)
    if value is not None and value not in allowed:
        raise _invalid("Invalid parameter %s: %r is not one of %s" % (name, value, ", ".join(allowed)))
    return value


def _levels(value, name, allowed):
    """A list of levels from a comma-separated string or a JSON list of strings (None = no filter)."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",")]
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = [item.strip() for item in value]
    else:
        raise _invalid("Invalid parameter %s: %r is not a string or a list of strings" % (name, value))
    bad = [item for item in items if item not in allowed]
    if bad:
        raise _invalid("Invalid parameter %s: %r is not one of %s" % (name, bad[0], ", ".join(allowed)))
    return items


def _parse_time(value, name):
    if not isinstance(value, str) or not _TIME_RE.match(value):
        raise _invalid("Invalid parameter time.%s: %r is not in yyyy-MM-dd HH:mm:ss format" % (name, value))
    try:
        return auditdata.parse_time(value)
    except ValueError as exc:
        raise _invalid("Invalid parameter time.%s: %r is not a valid time" % (name, value)) from exc


def _time_window(ctx, body):
    """(start_ts, end_ts) from the mandatory `time` object: time_range (relative to the data clock) wins over start/end."""
    time = body.get("time")
    if time is None:
        raise _invalid("Missing mandatory parameter time")
    if not isinstance(time, dict):
        raise _invalid("Invalid parameter time: must be an object")
    time_range = time.get("time_range")
    if time_range not in (None, ""):
        if time_range not in auditdata.TIME_RANGES:
            raise _invalid("Invalid parameter time.time_range: %r is not one of %s" % (time_range, ", ".join(auditdata.TIME_RANGES)))
        now = int(ctx.app.data.now.timestamp())
        return now - auditdata.TIME_RANGES[time_range], now
    start, end = time.get("start_time"), time.get("end_time")
    if start in (None, "") and end in (None, ""):
        raise _invalid("Invalid parameter time: time_range or start_time and end_time are mandatory")
    if start in (None, "") or end in (None, ""):
        raise _invalid("Invalid parameter time: start_time and end_time must be given together")
    start_ts, end_ts = _parse_time(start, "start_time"), _parse_time(end, "end_time")
    if end_ts < start_ts:
        raise _invalid("Invalid parameter time: end_time must not be earlier than start_time")
    return start_ts, end_ts


def _reported_total(ctx, total):
    """The total as answered: clipped at the result window in the --clip-audit-totals mode (what the console shows)."""
    return min(total, ctx.app.sql_result_window) if ctx.app.clip_audit_totals else total


def _store(ctx):
    return ctx.region.audit_data


# Audited SQL statements --------------------------------------------------------------------------------------------------
def _list_sqls(ctx, v2):
    instance_id = instance_or_error(ctx)
    body = _body(ctx)
    start_ts, end_ts = _time_window(ctx, body)
    page = _int(body, "page", 1, None, v2, 1)
    size = _int(body, "size", 1, PAGE_SIZE_MAX, v2, V1_DEFAULT_PAGE_SIZE)
    order = _enum(body, "time_order", _ORDERS)
    if order is None:
        if v2:
            raise _invalid("Missing mandatory parameter time_order")
        order = "DESC"
    query_type = _enum(body, "query_type", auditdata.QUERY_TYPES)
    predicate = auditdata.sql_predicate(
        risk_levels=_levels(body.get("risk_levels"), "risk_levels", auditdata.RISK_LEVELS),
        client_ip=_string(body, "client_ip"), client_name=_string(body, "client_name"), db_ip=_string(body, "db_ip"),
        db_user=_string(body, "db_user"), query_type=None if query_type == "ALL" else query_type, rule_name=_string(body, "rule_name"),
        sql_statement=_string(body, "sql_statement"), sql_response=_enum(body, "sql_response", auditdata.SQL_RESPONSES))
    window = ctx.app.sql_result_window
    if page * size > window:
        raise _invalid("Invalid parameter: page * size must not exceed %d, a query retrieves at most %d records; narrow the time range"
                       % (window, window))
    offset = 0 if ctx.ignore_offset else (page - 1) * size
    if ctx.ignore_filters:
        # A broken server: every statement of the instance, whatever the time range and the filters.
        start_ts, end_ts, predicate = float("-inf"), float("inf"), None
    total, sqls = _store(ctx).series(instance_id).select(start_ts, end_ts, predicate, order == "DESC", offset, size)
    return json_response(200, {"total": _reported_total(ctx, total), "count": len(sqls), "sqls": [{"sql": sql} for sql in sqls]})


def list_audit_sqls(ctx):
    """POST /v2/{project_id}/audit/{instance_id}/sqls (ListAuditSqlsNew): time, page, size and time_order mandatory."""
    return _list_sqls(ctx, v2=True)


def list_audit_sqls_v1(ctx):
    """POST /v1/{project_id}/{instance_id}/audit/sqls (ListAuditSqls, being taken offline): page/size/time_order optional."""
    return _list_sqls(ctx, v2=False)


# Alarm logs ---------------------------------------------------------------------------------------------------------------
_V1_ALARM_KEYS = {"alarm_life": "alarmLife", "send_email": "sendEmail"}


def _list_alarms(ctx, v2):
    instance_id = instance_or_error(ctx)
    body = _body(ctx)
    start_ts, end_ts = _time_window(ctx, body)
    page = _int(body, "page", 1, None, v2, 1)
    size = _int(body, "size", 1, PAGE_SIZE_MAX, v2, V1_DEFAULT_PAGE_SIZE)
    risks = _levels(body.get("risk"), "risk", auditdata.ALARM_RISKS)
    kind = _enum(body, "type", auditdata.ALARM_TYPES)
    status = _enum(body, "status", auditdata.ALARM_STATUSES)
    start_text, end_text = auditdata.format_time(start_ts), auditdata.format_time(end_ts)
    alarms = [a for a in _store(ctx).bundle(instance_id).alarms
              if ctx.ignore_filters or (start_text <= a["alarm_time"] <= end_text and (risks is None or a["alarm_risk"] in risks)
                                        and (kind is None or a["alarm_type"] == kind) and (status is None or a["alarm_status"] == status))]
    offset = 0 if ctx.ignore_offset else (page - 1) * size
    items = alarms[offset:offset + size]
    if not v2:
        items = [{_V1_ALARM_KEYS.get(k, k): v for k, v in alarm.items()} for alarm in items]
    return json_response(200, {"total_num": _reported_total(ctx, len(alarms)), "alarm_log": items})


def list_audit_alarm_log(ctx):
    """POST /v2/{project_id}/audit/{instance_id}/alarm-log (ListAuditAlarmLogNew): snake_case items."""
    return _list_alarms(ctx, v2=True)


def list_audit_alarm_log_v1(ctx):
    """POST /v1/{project_id}/{instance_id}/audit/alarm-log (ListAuditAlarmLog): items say alarmLife and sendEmail."""
    return _list_alarms(ctx, v2=False)


# Risk rules ---------------------------------------------------------------------------------------------------------------
def _list_risk_rules(ctx, v2):
    instance_id = instance_or_error(ctx)
    query = ctx.query
    if v2:
        offset, limit = paging(ctx, RISK_RULE_LIMIT_MAX, errors.dbss_invalid)
        flag = query.get("support_db_classify_rule")
        if flag is not None and flag not in ("true", "false"):
            raise _invalid("Invalid parameter support_db_classify_rule: %r is not true or false" % flag)
    else:
        offset, limit = 0, None
    levels = _levels(query.get("risk_levels"), "risk_levels", auditdata.RISK_LEVELS)
    name = query.get("name") or None
    rules = [r for r in _store(ctx).bundle(instance_id).risk_rules
             if (levels is None or r["risk_level"] in levels) and (name is None or name.lower() in r["name"].lower())]
    page = rules[offset:] if limit is None else rules[offset:offset + limit]
    return json_response(200, {"rules": page, "total": len(rules), "customize_total": sum(1 for r in rules if r["rule_type"] == "CUSTOMIZE")})


def list_risk_rules(ctx):
    """GET /v1/{project_id}/audit/{instance_id}/rule/risk (ListAuditRuleRisksNew): name, risk_levels, offset, limit."""
    return _list_risk_rules(ctx, v2=True)


def list_risk_rules_v1(ctx):
    """GET /v1/{project_id}/{instance_id}/dbss/audit/rule/risk (ListAuditRuleRisks): name, risk_levels; every rule."""
    return _list_risk_rules(ctx, v2=False)


# SQL injection rules (v1 and "new" paths answer the same shape) -----------------------------------------------------------
def list_sql_injection_rules(ctx):
    """POST /v1/{project_id}/audit/{instance_id}/rule/sqls and POST /v1/{project_id}/{instance_id}/dbss/audit/rule/sql-injections."""
    instance_id = instance_or_error(ctx)
    body = _body(ctx, required=False)
    page = _int(body, "page", 1, None, False, 1)
    size = _int(body, "size", 1, PAGE_SIZE_MAX, False, PAGE_SIZE_MAX)
    levels = _levels(body.get("risk_levels"), "risk_levels", auditdata.RISK_LEVELS)
    rules = [r for r in _store(ctx).bundle(instance_id).sql_injection_rules if levels is None or r["risk_level"] in levels]
    offset = 0 if ctx.ignore_offset else (page - 1) * size
    return json_response(200, {"rules": rules[offset:offset + size], "total": len(rules)})


# Alarm notification topic -------------------------------------------------------------------------------------------------
def show_alarm_topic(ctx):
    """GET /v2/{project_id}/audit/{instance_id}/alarm/topic and GET /v1/{project_id}/{instance_id}/audit/alarm/topic."""
    instance_id = instance_or_error(ctx)
    return json_response(200, _store(ctx).bundle(instance_id).alarm_topic)
