"""The simulator's own control API under /_sim/: unauthenticated, never faulted, never recorded."""

from ..config import check_flag, check_link_ttl, check_sql_result_window, check_sts_ttl
from ..flow_control import check_rate_limit
from .. import live
from ..wire import json_response, Response


def _body(request):
    try:
        body = request.json() if request.body else {}
    except ValueError as exc:
        raise ValueError("request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ValueError("request body must be a JSON object")
    return body


def _health(app, _request):
    return json_response(200, {"status": "ok", "url": app.url})


def _get_requests(app, _request):
    return json_response(200, {"requests": app.log.snapshot()})


def _clear_requests(app, _request):
    app.reset_counters()
    return Response(204)


def _get_faults(app, _request):
    return json_response(200, {"faults": app.faults.describe()})


def _add_fault(app, request):
    body = _body(request)
    kind = body.pop("kind", None)
    if not isinstance(kind, str):
        raise ValueError("a fault needs a 'kind'")
    try:
        rule = app.faults.add(kind, **body)
    except TypeError as exc:
        raise ValueError(str(exc)) from exc
    return json_response(201, {"fault": rule.describe()})


def _clear_faults(app, _request):
    app.faults.clear()
    return Response(204)


def _set_config(app, request):
    body = _body(request)
    unknown = set(body) - {"instance_shape", "rate_limit", "rate_limit_burst", "link_ttl_seconds", "sts_ttl_seconds", "clip_audit_totals",
                           "sql_result_window"}
    if unknown:
        raise ValueError("unsupported config keys: %s" % ", ".join(sorted(unknown)))
    if "rate_limit_burst" in body and "rate_limit" not in body:
        raise ValueError("rate_limit_burst goes with rate_limit")
    # Validated before anything changes, so a refused request changes nothing.
    rate_limit = check_rate_limit(body["rate_limit"], body.get("rate_limit_burst", 0)) if "rate_limit" in body else None
    link_ttl = check_link_ttl(body["link_ttl_seconds"]) if "link_ttl_seconds" in body else None
    sts_ttl = check_sts_ttl(body["sts_ttl_seconds"]) if "sts_ttl_seconds" in body else None
    clip = check_flag(body["clip_audit_totals"], "clip_audit_totals") if "clip_audit_totals" in body else None
    window = check_sql_result_window(body["sql_result_window"]) if "sql_result_window" in body else None
    if "instance_shape" in body:
        app.set_instance_shape(body["instance_shape"])
    answer = {"instance_shape": app.instance_shape}
    if link_ttl is not None:
        app.set_link_ttl(link_ttl)
        answer["link_ttl_seconds"] = app.link_ttl_seconds
    if "sts_ttl_seconds" in body:
        app.accounts.set_sts_ttl(sts_ttl)
        answer["sts_ttl_seconds"] = sts_ttl
    if clip is not None:
        app.set_clip_audit_totals(clip)
        answer["clip_audit_totals"] = clip
    if window is not None:
        app.set_sql_result_window(window)
        answer["sql_result_window"] = window
    if rate_limit is not None:
        app.flow_control.configure(*rate_limit)
        flow = app.flow_control.describe()
        answer.update(rate_limit=flow["rate_limit"], rate_limit_burst=flow["rate_limit_burst"])
    return json_response(200, answer)


def _get_flow_control(app, _request):
    return json_response(200, app.flow_control.describe())


def _get_storage(app, _request):
    return json_response(200, app.storage_stats.snapshot())


def _account_data(app, request):
    """``?account=NAME`` selects a member account's data; without it, the default account's (unchanged)."""
    name = request.query.get("account")
    if name is None:
        return app.data
    if name not in app.accounts.by_name:
        raise ValueError("unknown account %r (known: %s)" % (name, ", ".join(app.accounts.by_name)))
    return app.accounts.by_name[name].data


def _get_data(app, request):
    return json_response(200, _account_data(app, request).to_dict())


def _get_audit_data(app, request):
    return json_response(200, _account_data(app, request).audit_data_dict())


def _get_accounts(app, _request):
    return json_response(200, app.accounts.describe())


def _get_agency(app, _request):
    return json_response(200, app.accounts.describe_stats())


def _get_credentials(app, _request):
    return json_response(200, dict(app.credentials))


def _issue_token(app, request):
    body = _body(request)
    region = body.get("region")
    if region not in app.data.regions:
        raise ValueError("unknown region %r" % (region,))
    return json_response(201, {"token": app.issue_token(region, body.get("ttl_seconds")), "project_id": app.data.regions[region].project_id})


def _live_body(app, request, allowed):
    body = _body(request)
    unknown = set(body) - {"instance_id", "region"} - set(allowed)
    if unknown:
        raise ValueError("unsupported keys: %s (allowed: instance_id, region, %s)" % (", ".join(sorted(unknown)), ", ".join(allowed)))
    region = body.pop("region", None) or next(iter(app.data.regions))
    if region not in app.data.regions:
        raise ValueError("unknown region %r" % (region,))
    return app.data.regions[region], body.pop("instance_id", None), body


def _raise_alarm(app, request):
    region, instance_id, fields = _live_body(app, request, live.ALARM_KEYS)
    return json_response(201, {"alarm": live.raise_alarm(region, instance_id, clock=app.clock, **fields)})


def _add_statement(app, request):
    region, instance_id, fields = _live_body(app, request, live.STATEMENT_KEYS)
    return json_response(201, {"sql": live.add_statement(region, instance_id, clock=app.clock, **fields)})


def _add_risk_rule(app, request):
    region, instance_id, fields = _live_body(app, request, live.RISK_RULE_KEYS)
    return json_response(201, {"rule": live.add_risk_rule(region, instance_id, **fields)})


def _add_sql_injection_rule(app, request):
    region, instance_id, fields = _live_body(app, request, live.SQL_INJECTION_RULE_KEYS)
    return json_response(201, {"rule": live.add_sql_injection_rule(region, instance_id, **fields)})


def _reset_audit_data(app, _request):
    app.reset_audit_data()
    return Response(204)


_ROUTES = {
    ("GET", "/_sim/health"): _health,
    ("GET", "/_sim/requests"): _get_requests,
    ("DELETE", "/_sim/requests"): _clear_requests,
    ("GET", "/_sim/faults"): _get_faults,
    ("POST", "/_sim/faults"): _add_fault,
    ("DELETE", "/_sim/faults"): _clear_faults,
    ("POST", "/_sim/config"): _set_config,
    ("GET", "/_sim/flow-control"): _get_flow_control,
    ("GET", "/_sim/storage"): _get_storage,
    ("GET", "/_sim/data"): _get_data,
    ("GET", "/_sim/audit-data"): _get_audit_data,
    ("GET", "/_sim/credentials"): _get_credentials,
    ("GET", "/_sim/accounts"): _get_accounts,
    ("GET", "/_sim/agency"): _get_agency,
    ("POST", "/_sim/tokens"): _issue_token,
    ("POST", "/_sim/alarms"): _raise_alarm,
    ("POST", "/_sim/sqls"): _add_statement,
    ("POST", "/_sim/risk-rules"): _add_risk_rule,
    ("POST", "/_sim/sql-injection-rules"): _add_sql_injection_rule,
    ("DELETE", "/_sim/audit-data"): _reset_audit_data,
}


def handle(app, request):
    handler = _ROUTES.get((request.method, request.path.rstrip("/")))
    if handler is None:
        return json_response(404, {"error": "unknown control endpoint %s %s" % (request.method, request.path)})
    try:
        return handler(app, request)
    except ValueError as exc:
        return json_response(400, {"error": str(exc)})
