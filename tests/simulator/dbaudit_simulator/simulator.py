"""The Simulator facade used by tests, `make demo` and the CLI."""

import contextlib
import datetime

from .app import ROUTES, SimulatorApp
from .config import DEFAULT_CREDENTIALS, SimulatorConfig, check_sts_ttl
from .data import generate
from . import live
from .server import ServerThread


class Simulator:
    """A local stand-in for Huawei Cloud IAM, DBSS and RDS; one port serves all three, routed by path."""

    def __init__(self, config=None):
        self.config = config if config is not None else SimulatorConfig()
        now = self.config.now or datetime.datetime.now(datetime.timezone.utc)
        self.now = now.replace(second=0, microsecond=0)
        self.data = generate(self.config, self.now)
        self._app = SimulatorApp(self.config, self.data, dict(DEFAULT_CREDENTIALS))
        self._server = None
        if self.config.latency_ms:
            self.add_fault("latency", ms=self.config.latency_ms)

    # lifecycle -------------------------------------------------------------------------------------------
    def start(self, host="127.0.0.1", port=0, tls=None):
        """Serve in a daemon thread; ``tls=(certificate_file, key_file)`` serves HTTPS."""
        if self._server is not None:
            raise RuntimeError("simulator already started")
        self._server = ServerThread(self._app, host, port, tls)
        self._app.url = "%s://%s:%d" % ("https" if tls else "http", host if ":" not in host else "[%s]" % host, self._server.port)
        self._server.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self):
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        return self._app.url

    @property
    def port(self):
        return self._server.port if self._server else None

    # request log and faults --------------------------------------------------------------------------------
    @property
    def requests(self):
        return self._app.log.snapshot()

    @contextlib.contextmanager
    def recording_exchanges(self):
        """Within the block, every API request that reaches a route is kept with its body and the body answered:
        ``[{"route": "GET /v3/...", "method", "path", "query", "request_body", "status", "response_body"}]`` (the
        contract tests check them against the official SDK's models)."""
        exchanges = []
        self._app.exchanges = exchanges
        try:
            yield exchanges
        finally:
            self._app.exchanges = None

    @property
    def routes(self):
        """Every API route the simulator serves, as ``"METHOD pattern"``."""
        return ["%s %s" % (route.method, route.pattern) for route in ROUTES]

    def reset_requests(self):
        """Clear the request log and restart the flow-control and storage counters."""
        self._app.reset_counters()

    def add_fault(self, kind, **opts):
        self._app.faults.add(kind, **opts)

    def clear_faults(self):
        self._app.faults.clear()

    @property
    def faults(self):
        return self._app.faults.describe()

    # behaviour and credentials ---------------------------------------------------------------------------------
    def set_instance_shape(self, shape):
        self._app.set_instance_shape(shape)

    @property
    def instance_shape(self):
        return self._app.instance_shape

    def set_rate_limit(self, rate, burst=0):
        """API Gateway flow control: ``rate`` requests a second per credential (0 = off), burst 0 = the default."""
        self._app.flow_control.configure(rate, burst)

    @property
    def flow_control(self):
        """``{"rate_limit", "rate_limit_burst", "admitted", "throttled"}``; the counters restart with reset_requests()."""
        return self._app.flow_control.describe()

    # audit-log downloads ----------------------------------------------------------------------------------------
    @property
    def storage_stats(self):
        """``{"link_requests", "links_issued", "downloads", "downloads_completed", "downloads_with_api_credentials",
        "bytes_served"}``; they restart with reset_requests()."""
        return self._app.storage_stats.snapshot()

    def set_link_ttl(self, seconds):
        """Lifetime of the links POST .../auditlog-links hands out from now on (0 = already expired)."""
        self._app.set_link_ttl(seconds)

    @property
    def link_ttl_seconds(self):
        return self._app.link_ttl_seconds

    def storage_link(self, instance_id, file_id, ttl_seconds=None):
        """A correctly signed download URL for any object name (even one that does not exist), e.g. to test a 404.

        Unlike the links API it counts nothing; ``ttl_seconds`` defaults to the current link TTL and may be negative.
        """
        if self.url is None:
            raise RuntimeError("start the simulator first: links carry its URL")
        ttl = self._app.link_ttl_seconds if ttl_seconds is None else ttl_seconds
        return self._app.storage_link(instance_id, file_id, int(self._app.clock()) + ttl)

    @property
    def credentials(self):
        return dict(self._app.credentials)

    # new audit data while running (live.py) ----------------------------------------------------------------------
    def raise_alarm(self, instance_id, region=None, **fields):
        """Add an alarm to the instance's alarm log now (an UNDO alarm, HIGH RISK_RULE by default; ``fields`` are
        alarm_type, alarm_risk, alarm_description, alarm_time, alarm_status) and return it as the API answers it."""
        return live.raise_alarm(self._region_data(region), instance_id, clock=self._app.clock, **fields)

    def raise_alarms(self, instance_id, alarms, region=None):
        """Add many alarms at once (each a dict of the fields of raise_alarm); returns them as the API answers them."""
        return live.raise_alarms(self._region_data(region), instance_id, alarms, clock=self._app.clock)

    def add_statement(self, instance_id, region=None, **fields):
        """Add an audited statement to the instance now (a HIGH DROP TABLE by default; ``fields`` as live.add_statement)
        and return it as the API answers it."""
        return live.add_statement(self._region_data(region), instance_id, clock=self._app.clock, **fields)

    def add_statements(self, instance_id, statements, region=None):
        """Add many audited statements at once (each a dict of the fields of add_statement); returns them as the API
        answers them, in the order given."""
        return live.add_statements(self._region_data(region), instance_id, statements, clock=self._app.clock)

    def add_risk_rule(self, instance_id, region=None, **fields):
        """Add a custom risk rule to the instance (ON, MEDIUM by default; ``fields`` name, risk_level, status, feature)."""
        return live.add_risk_rule(self._region_data(region), instance_id, **fields)

    def add_sql_injection_rule(self, instance_id, region=None, **fields):
        """Add a SQL injection rule to the instance (ON, HIGH by default; ``fields`` name, risk_level, status, feature, regex)."""
        return live.add_sql_injection_rule(self._region_data(region), instance_id, **fields)

    def reset_audit_data(self):
        """Forget every alarm, statement and rule added while running, in every account: the seeded data again."""
        self._app.reset_audit_data()

    # the DBSS audit-data lists' limits --------------------------------------------------------------------------------
    def set_clip_audit_totals(self, clip):
        """Totals of the statement and alarm lists clipped at the result window (True), or true (False)."""
        self._app.set_clip_audit_totals(clip)

    @property
    def clip_audit_totals(self):
        return self._app.clip_audit_totals

    def set_sql_result_window(self, records):
        """The most statements one query serves from now on, 1..10000 (10,000 on the real service)."""
        self._app.set_sql_result_window(records)

    @property
    def sql_result_window(self):
        return self._app.sql_result_window

    def _region_data(self, region):
        name = region or self.config.regions[0]
        if name not in self.data.regions:
            raise ValueError("unknown region %r" % (name,))
        return self.data.regions[name]

    # accounts and agencies (accounts.py) -------------------------------------------------------------------------
    @property
    def accounts(self):
        """``{name: Account}``: "main" (the default account, ``sim.data``) and the member accounts; ``.data`` of each."""
        return dict(self._app.accounts.by_name)

    @property
    def agency_stats(self):
        """``{"assume_calls": {"<agency>@<domain name>": n}, "requests_by_account": {name: n}, "sts_ttl_seconds", "issued": [...]}``;
        the counters restart with reset_requests(), the issued temporary credentials stay listed."""
        return self._app.accounts.describe_stats()

    def set_sts_ttl(self, seconds):
        """Lifetime of the temporary credentials issued from now on (None = the duration_seconds asked for; <= 0 = expired)."""
        self._app.accounts.set_sts_ttl(check_sts_ttl(seconds))

    def issue_token(self, region, ttl_seconds=None):
        """A valid IAM token scoped to the region's project; a ttl_seconds <= 0 gives an already expired one."""
        return self._app.issue_token(region, ttl_seconds)
