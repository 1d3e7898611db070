"""The request pipeline: control API, fault injection, routing, gateway authentication, handlers, request log.

Requests under /obs/ go to the object storage behind the audit-log download links instead: faults and the
request log apply to them too, the gateway's authentication and flow control do not.
"""

import re
import sys
import threading
import time
import traceback
from http import HTTPStatus
from urllib.parse import quote

from . import errors
from .accounts import Accounts
from .apis import control, dbss, dbss_audit, iam, obs, rds, sts
from .apis.common import HandlerContext
from .auth import AuthFailure, SignatureVerifier, TokenStore
from .config import INSTANCE_SHAPES, check_flag, check_link_ttl, check_sql_result_window
from .faults import TRANSFER_KINDS, FaultInjector, RequestLog
from .flow_control import FlowControl, credential_key
from .storage import LinkSigner, StorageStats, object_path
from .wire import Response, json_response

_HTML_PAGE = "<html><head><title>{status} {phrase}</title></head><body><center><h1>{status} {phrase}</h1></center><hr><center>nginx</center></body></html>"


class Route:
    def __init__(self, method, pattern, service, handler, authenticated=True):
        self.method = method
        self.pattern = pattern
        self.regex = re.compile("^" + pattern + "/?$")
        self.service = service
        self.handler = handler
        self.authenticated = authenticated


_PROJECT = r"/(?P<project_id>[0-9A-Za-z_-]{1,64})"
_INSTANCE = r"/(?P<instance_id>[0-9A-Za-z_.-]{1,128})"
ROUTES = (
    Route("POST", r"/v3/auth/tokens", "iam", iam.create_token, authenticated=False),
    Route("GET", r"/v3/projects", "iam", iam.list_projects),
    Route("POST", r"/v3\.0/OS-CREDENTIAL/securitytokens", "iam", sts.create_temporary_credentials),
    Route("GET", r"/v1" + _PROJECT + r"/audit/instances", "dbss", dbss.list_instances),
    Route("GET", r"/v1" + _PROJECT + r"/dbss/audit/instances", "dbss", dbss.list_instances_legacy),
    Route("GET", r"/v1" + _PROJECT + r"/audit" + _INSTANCE + r"/rule/scopes", "dbss", dbss.list_scopes),
    Route("GET", r"/v2" + _PROJECT + r"/audit" + _INSTANCE + r"/databases", "dbss", dbss.list_databases),
    # DBSS audit data (apis/dbss_audit.py): the SDK's "New" paths first, then the v1 paths being taken offline.
    Route("POST", r"/v2" + _PROJECT + r"/audit" + _INSTANCE + r"/sqls", "dbss", dbss_audit.list_audit_sqls),
    Route("POST", r"/v1" + _PROJECT + _INSTANCE + r"/audit/sqls", "dbss", dbss_audit.list_audit_sqls_v1),
    Route("POST", r"/v2" + _PROJECT + r"/audit" + _INSTANCE + r"/alarm-log", "dbss", dbss_audit.list_audit_alarm_log),
    Route("POST", r"/v1" + _PROJECT + _INSTANCE + r"/audit/alarm-log", "dbss", dbss_audit.list_audit_alarm_log_v1),
    Route("GET", r"/v1" + _PROJECT + r"/audit" + _INSTANCE + r"/rule/risk", "dbss", dbss_audit.list_risk_rules),
    Route("GET", r"/v1" + _PROJECT + _INSTANCE + r"/dbss/audit/rule/risk", "dbss", dbss_audit.list_risk_rules_v1),
    Route("POST", r"/v1" + _PROJECT + r"/audit" + _INSTANCE + r"/rule/sqls", "dbss", dbss_audit.list_sql_injection_rules),
    Route("POST", r"/v1" + _PROJECT + _INSTANCE + r"/dbss/audit/rule/sql-injections", "dbss", dbss_audit.list_sql_injection_rules),
    Route("GET", r"/v2" + _PROJECT + r"/audit" + _INSTANCE + r"/alarm/topic", "dbss", dbss_audit.show_alarm_topic),
    Route("GET", r"/v1" + _PROJECT + _INSTANCE + r"/audit/alarm/topic", "dbss", dbss_audit.show_alarm_topic),
    Route("GET", r"/v3" + _PROJECT + r"/instances", "rds", rds.list_instances),
    Route("GET", r"/v3" + _PROJECT + r"/instances" + _INSTANCE + r"/auditlog", "rds", rds.list_auditlogs),
    Route("GET", r"/v3" + _PROJECT + r"/instances" + _INSTANCE + r"/auditlog-policy", "rds", rds.show_auditlog_policy),
    Route("PUT", r"/v3" + _PROJECT + r"/instances" + _INSTANCE + r"/auditlog-policy", "rds", rds.set_auditlog_policy),
    Route("POST", r"/v3" + _PROJECT + r"/instances" + _INSTANCE + r"/auditlog-links", "rds", rds.create_auditlog_links),
)


# Headers that carry API credentials; a download from object storage should send none of them.
API_CREDENTIAL_HEADERS = ("authorization", "x-auth-token", "x-security-token", "x-sdk-date")
# Fault kinds after which the request is still handled normally.
_PASS_THROUGH_KINDS = ("ignore_offset", "ignore_filters") + TRANSFER_KINDS


def _auth_scheme(headers):
    if "authorization" in headers:
        return "aksk"
    if "x-auth-token" in headers:
        return "token"
    return "none"


def _phrase(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class SimulatorApp:
    """Turns a wire.Request into a wire.Response; shared, thread-safe state lives here."""

    def __init__(self, config, data, credentials, clock=time.time, accounts=None):
        self.config = config
        self.data = data
        self.credentials = credentials
        self.clock = clock
        # The default account (data, credentials) and the member accounts with their agencies (accounts.py).
        self.accounts = accounts if accounts is not None else Accounts(config, data, credentials, data.now, clock)
        self.url = None
        self.faults = FaultInjector()
        self.log = RequestLog()
        self.flow_control = FlowControl(config.rate_limit, config.rate_limit_burst)
        self.tokens = TokenStore(clock)
        self.verifier = SignatureVerifier(credentials, clock, self.accounts)
        self.signer = LinkSigner()
        self.storage_stats = StorageStats()
        self._shape_lock = threading.Lock()
        self._instance_shape = config.instance_shape
        self._link_ttl = config.link_ttl_seconds
        self._clip_audit_totals = config.clip_audit_totals
        self._sql_result_window = config.sql_result_window
        # A list while the contract tests record what is exchanged (Simulator.recording_exchanges), else None.
        self.exchanges = None

    @property
    def instance_shape(self):
        with self._shape_lock:
            return self._instance_shape

    def set_instance_shape(self, shape):
        if shape not in INSTANCE_SHAPES:
            raise ValueError("instance_shape must be one of %s" % ", ".join(INSTANCE_SHAPES))
        with self._shape_lock:
            self._instance_shape = shape

    @property
    def link_ttl_seconds(self):
        with self._shape_lock:
            return self._link_ttl

    def set_link_ttl(self, seconds):
        seconds = check_link_ttl(seconds)
        with self._shape_lock:
            self._link_ttl = seconds

    @property
    def clip_audit_totals(self):
        with self._shape_lock:
            return self._clip_audit_totals

    def set_clip_audit_totals(self, clip):
        clip = check_flag(clip, "clip_audit_totals")
        with self._shape_lock:
            self._clip_audit_totals = clip

    @property
    def sql_result_window(self):
        with self._shape_lock:
            return self._sql_result_window

    def set_sql_result_window(self, records):
        records = check_sql_result_window(records)
        with self._shape_lock:
            self._sql_result_window = records

    def reset_audit_data(self):
        """Forget every alarm, statement and rule added while running (live.py), in every account generated so far."""
        datas = [self.data] + [account.generated_data() for account in self.accounts.by_name.values() if account is not self.accounts.main]
        for data in datas:
            for region_data in (data.regions.values() if data is not None else ()):
                region_data.audit_data.reset()

    def reset_counters(self):
        """What DELETE /_sim/requests and Simulator.reset_requests() restart: the log and every counter."""
        self.log.clear()
        self.flow_control.reset_counters()
        self.storage_stats.reset()
        self.accounts.reset_counters()

    def storage_link(self, instance_id, file_id, expires):
        """A signed download URL for this object, valid until `expires` (epoch seconds); the object need not exist."""
        path = object_path(quote(instance_id, safe=""), quote(file_id, safe=""))
        return "%s%s?Expires=%d&Signature=%s" % (self.url, path, expires, self.signer.sign(instance_id, file_id, expires))

    def download_links(self, instance_id, file_ids):
        """The links POST .../auditlog-links answers with: one per id, in order, expiring link_ttl_seconds from now."""
        expires = int(self.clock()) + self.link_ttl_seconds
        links = [self.storage_link(instance_id, file_id, expires) for file_id in file_ids]
        self.storage_stats.links_answered(len(links))
        return links

    def find_audit_log(self, instance_id, file_id):
        """The listed audit-log file with this id on this RDS instance (any region), or None."""
        for region in self.data.regions.values():
            if instance_id in region.rds_by_id:
                return region.audit_logs.find(instance_id, file_id)
        for account in self.accounts.by_name.values():
            if account is not self.accounts.main:
                for region in account.data.regions.values():
                    if instance_id in region.rds_by_id:
                        return region.audit_logs.find(instance_id, file_id)
        return None

    def find_region(self, project_id=None, name=None):
        if project_id is not None:
            return self.data.regions_by_project.get(project_id)
        return self.data.regions.get(name)

    def issue_token(self, region, ttl_seconds=None):
        return self.tokens.issue(self.data.regions[region].project_id, ttl_seconds)[0]

    def handle(self, request):
        if request.path == "/_sim" or request.path.startswith("/_sim/"):
            response = control.handle(self, request)
        elif obs.is_storage_path(request.path):
            api_credentials = any(name in request.headers for name in API_CREDENTIAL_HEADERS)
            record = {"method": request.method, "path": request.path, "query": request.query, "status": None,
                      "auth": _auth_scheme(request.headers), "fault": None, "service": "obs", "request_id": request.request_id,
                      "throttled": False, "api_credentials": api_credentials}
            response = self._handle_storage(request, record)
            record["status"] = None if response.drop or response.reset_at == 0 else response.status
            self.log.append(record)
            response.headers.setdefault("x-obs-request-id", request.request_id)
        else:
            record = {"method": request.method, "path": request.path, "query": request.query, "status": None,
                      "auth": _auth_scheme(request.headers), "fault": None, "service": "sim", "request_id": request.request_id,
                      "throttled": False, "account": None}
            response = self._handle_service(request, record)
            record["status"] = None if response.drop or response.reset_at == 0 else response.status
            self.log.append(record)
            self._record_exchange(request, record, response)
        response.headers.setdefault("X-Request-Id", request.request_id)
        return response

    def _record_exchange(self, request, record, response):
        """With exchanges recorded (Simulator.recording_exchanges, for the contract tests): every API request that
        reached a route, with its body and the body the simulator answered."""
        exchanges = self.exchanges
        route = self._route(request.method, request.path)[0] if exchanges is not None else None
        if route is None:
            return
        exchanges.append({"route": "%s %s" % (route.method, route.pattern), "account": record.get("account"),
                          "method": request.method, "path": request.path, "query": request.query, "request_headers": dict(request.headers),
                          "request_body": request.body, "status": response.status,
                          "response_body": b"".join(response.chunks()) if response.stream is None else None})

    def _handle_service(self, request, record):
        latency_ms, latency_hit, rule = self.faults.select(request.method, request.path)
        if latency_hit:
            record["fault"] = "latency"
            time.sleep(latency_ms / 1000.0)
        route, params = self._route(request.method, request.path)
        if route is not None:
            record["service"] = route.service
        if rule is not None:
            record["fault"] = rule.kind
            if rule.kind not in _PASS_THROUGH_KINDS:
                return self._fault_response(rule, request)
        response = self._serve_api(request, record, route, params, rule)
        if rule is not None and rule.kind in TRANSFER_KINDS:
            self._spoil_transfer(rule, response)
        return response

    def _serve_api(self, request, record, route, params, rule):
        """Flow control, authentication, project check, then the API's handler."""
        if route is not None and not self.flow_control.admit(credential_key(request.headers)):
            # The gateway throttles before it authenticates; like Huawei Cloud's, it sends no Retry-After.
            record["throttled"] = True
            return json_response(429, errors.gateway_body(errors.APIGW_THROTTLED, self._throttle_message(), request.request_id))
        try:
            if route is None:
                raise errors.gateway_error(404, errors.APIGW_API_NOT_FOUND, "The API does not exist or has not been published in the environment",
                                           request.request_id)
            account, token_project = self._authenticate(request) if route.authenticated else (self.accounts.main, None)
            record["account"] = account.name
            self.accounts.count_request(account.name)
            region = self._region_for(params, account, token_project, request.request_id)
            ctx = HandlerContext(self, request, params, region)
            ctx.account = account
            ctx.ignore_offset = rule is not None and rule.kind == "ignore_offset"
            ctx.ignore_filters = rule is not None and rule.kind == "ignore_filters"
            return route.handler(ctx)
        except errors.ApiError as err:
            return json_response(err.status, err.body, err.headers)
        except Exception:  # pylint: disable=broad-exception-caught
            # A simulator bug must surface as a visible 500 with a traceback, not as a dropped connection.
            traceback.print_exc(file=sys.stderr)
            return json_response(500, errors.gateway_body(errors.SERVER_ERROR, "Simulator internal error", request.request_id))

    def _handle_storage(self, request, record):
        """Object storage: latency and fault rules, then the link's own checks; no gateway in between."""
        if request.method == "GET":
            self.storage_stats.download_started(record["api_credentials"])
        latency_ms, latency_hit, rule = self.faults.select(request.method, request.path, storage=True)
        if latency_hit:
            record["fault"] = "latency"
            time.sleep(latency_ms / 1000.0)
        if rule is not None:
            record["fault"] = rule.kind
            if rule.kind == "expire":
                return obs.expired(request.request_id)
            if rule.kind not in _PASS_THROUGH_KINDS:
                return self._fault_response(rule, request, storage=True)
        try:
            response = obs.get_object(self, request)
        except Exception:  # pylint: disable=broad-exception-caught
            traceback.print_exc(file=sys.stderr)
            return obs.xml_error(500, "InternalError", "Simulator internal error", request.request_id)
        if rule is not None and rule.kind in TRANSFER_KINDS:
            self._spoil_transfer(rule, response)
        return response

    @staticmethod
    def _spoil_transfer(rule, response):
        """Turn a handled answer into a truncated or reset transfer; the server does the cutting."""
        wanted = rule.opts["bytes"]
        if rule.kind == "truncate":
            response.truncate_at = response.content_length // 2 if wanted is None else wanted
        else:
            response.reset_at = wanted

    @staticmethod
    def _route(method, path):
        for route in ROUTES:
            if route.method != method:
                continue
            match = route.regex.match(path)
            if match:
                return route, match.groupdict()
        return None, {}

    def _authenticate(self, request):
        """Return ``(account, token's project id)`` (project None for AK/SK, which may use every project of its account) or
        raise a 401 ApiError."""
        headers = request.headers
        try:
            if "authorization" in headers:
                access_key = self.verifier.verify(request.method, request.raw_path, request.raw_query, headers, request.body)
                return self._account_of(access_key), None
            if "x-auth-token" in headers:
                return self.accounts.main, self.tokens.verify(headers["x-auth-token"].strip())
            raise AuthFailure("no Authorization or X-Auth-Token header")
        except AuthFailure as exc:
            raise errors.auth_failed(str(exc), request.request_id) from exc

    def _account_of(self, access_key):
        """The account a verified access key acts as: its own, or for temporary keys of an agency the agency's account."""
        accounts = self.accounts
        account = accounts.permanent_key(access_key)
        if account is not None:
            return account
        temporary = accounts.temporary_key(access_key)
        return accounts.by_name[temporary.account] if temporary is not None else accounts.main

    def _region_for(self, params, account, token_project, request_id):
        project_id = params.get("project_id")
        if project_id is None:
            return None
        owner, region = self.accounts.region_for_project(project_id)
        if region is None or owner is not account or (token_project is not None and token_project != project_id):
            raise errors.gateway_error(403, errors.APIGW_PROJECT_FORBIDDEN,
                                       "The token or credentials are not authorized for project %s" % project_id, request_id)
        return region

    def _throttle_message(self):
        return "The throttling threshold has been reached: policy user over ratelimit,limit:%g,time:1 second" % self.flow_control.rate

    @staticmethod
    def _fault_response(rule, request, storage=False):
        opts = rule.opts
        headers = {}
        if opts.get("retry_after") is not None:
            headers["Retry-After"] = str(opts["retry_after"])
        if rule.kind == "drop":
            return Response(0, drop=True)
        status = opts["status"]
        if rule.kind == "empty":
            return Response(status, b"", headers)
        if rule.kind == "html":
            headers["Content-Type"] = "text/html"
            return Response(status, _HTML_PAGE.format(status=status, phrase=_phrase(status)).encode("utf-8"), headers)
        if storage:
            # Object storage is not behind the gateway: its errors are OBS XML whatever body_shape says.
            code = opts.get("error_code") or errors.default_obs_fault_code(status)
            return obs.xml_error(status, code, opts.get("error_msg") or "Simulated fault: %d %s" % (status, _phrase(status)), request.request_id, headers)
        code = opts.get("error_code") or errors.default_fault_code(status)
        if status == 429:
            default_msg = "The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute"
        else:
            default_msg = "Simulated fault: %d %s" % (status, _phrase(status))
        msg = opts.get("error_msg") or default_msg
        shape = opts.get("body_shape", "flat")
        if shape == "nested":
            body = errors.nested_body(code, msg, request.request_id)
        elif shape == "iam":
            body = errors.iam_body(code, msg, _phrase(status))
        else:
            body = errors.gateway_body(code, msg, request.request_id)
        return json_response(status, body, headers)
