"""The DBSS audit data of the simulator, as the unit tests of the audit-data client and modules use it: statements,
alarms and rules added to a simulator instance, and every exchange with it recorded.

The simulator (tests/simulator) seeds no statements here and its data clock is ``SIM_NOW``, months before the periods
the tests read, so a period holds what a test adds and nothing else; the expectations are still read back from the
simulator (``sqls_in``, ``alarms_in``, ``risk_rules``, ...), never copied. Between tests the fixture resets the added
data, the faults, the request log, the totals clipping and the result window.

    audit.add_sqls(audit.a, 250, START + SECOND)          # Simulator.add_statements
    expected = audit.sqls_in(audit.a, START, END)          # what the simulator holds, newest first
    result = list_audit_sqls(audit.client(), [audit.a], START, END)
    assert len(audit.sql_requests()) == 3                  # with their JSON bodies and headers

Misbehaviour comes from the simulator's faults: ``ignore_offset`` (pages ignored), ``ignore_filters`` (time range and
filters ignored), ``status`` 404 ``APIGW.0101`` on the v2 paths (a gateway that does not know them).
"""

import datetime
import json
import re

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig

UTC = datetime.timezone.utc
REGION = 'cn-north-4'
SIM_NOW = datetime.datetime(2026, 8, 1, tzinfo=UTC)
DBSS_FORMAT = '%Y-%m-%d %H:%M:%S'
# Paths of the audit-data APIs (v2 / "New" and the v1 ones being taken offline), for faults and recorded requests.
SQLS = r'^/v2/[^/]+/audit/[^/]+/sqls$'
ALARMS_V2 = r'^/v2/[^/]+/audit/[^/]+/alarm-log$'
ALARMS_V1 = r'^/v1/[^/]+/[^/]+/audit/alarm-log$'
RISK_RULES = r'^/v1/[^/]+/audit/[^/]+/rule/risk$'
RISK_RULES_V1 = r'^/v1/[^/]+/[^/]+/dbss/audit/rule/risk$'
INJECTION_RULES = r'^/v1/[^/]+/audit/[^/]+/rule/sqls$'
INJECTION_RULES_V1 = r'^/v1/[^/]+/[^/]+/dbss/audit/rule/sql-injections$'
TOPIC = r'^/v2/[^/]+/audit/[^/]+/alarm/topic$'
TOPIC_V1 = r'^/v1/[^/]+/[^/]+/audit/alarm/topic$'


def dbss_time(moment):
    return moment.astimezone(UTC).strftime(DBSS_FORMAT)


def statements(count, start, step=datetime.timedelta(seconds=1), **fields):
    """``count`` statements from ``start`` on, one every ``step``, for Simulator.add_statements. Users, types, risks,
    clients and answers rotate so that filters have something to tell apart; ``fields`` override them all."""
    users = ('app', 'admin', 'report')
    types = ('SELECT', 'INSERT', 'DROP_TABLE', 'UPDATE')
    risks = ('NO_RISK', 'LOW', 'MEDIUM', 'HIGH')
    made = []
    for n in range(count):
        statement = {'sql_statement': "SELECT * FROM t%d WHERE name = 'secret-%d'" % (n % 7, n), 'client_ip': '10.0.0.%d' % (n % 3),
                     'client_name': 'client-%d' % (n % 2), 'db_user': users[n % 3], 'query_type': types[n % 4],
                     'rule_name': 'rule-%d' % (n % 4), 'risk_level': risks[n % 4], 'start_time': dbss_time(start + n * step),
                     'sql_response': 'SUCCESS' if n % 5 else 'FAILED'}
        statement.update(fields)
        made.append(statement)
    return made


def alarms(count, start, step=datetime.timedelta(minutes=1)):
    """``count`` alarms from ``start`` on, one every ``step``, for Simulator.raise_alarms; risk, type and status rotate."""
    risks = ('LOW', 'MEDIUM', 'HIGH')
    return [{'alarm_time': dbss_time(start + n * step), 'alarm_type': 'RISK_RULE' if n % 3 else 'RISK_CPU',
             'alarm_status': 'UNDO' if n % 4 else 'DONE', 'alarm_risk': risks[n % 3], 'alarm_description': 'alarm %d' % n}
            for n in range(count)]


class AuditData:
    """One test's view of the session's simulator (see the module's docstring)."""

    def __init__(self, sim, exchanges):
        self.sim = sim
        self.exchanges = exchanges
        self.region = sim.data.regions[REGION]
        self.project_id = self.region.project_id
        self.a, self.b = sorted(self.region.audit_data.ids())[:2]

    @property
    def url(self):
        return self.sim.url

    def connection(self, **extra):
        """The modules' connection options for the simulator."""
        args = {'region': REGION, 'project_id': self.project_id, 'access_key': self.sim.credentials['access_key'],
                'secret_key': self.sim.credentials['secret_key'], 'max_retries': 0,
                'endpoints': {'dbss': self.sim.url, 'rds': self.sim.url, 'iam': self.sim.url}}
        args.update(extra)
        return args

    def client(self, **extra):
        return HuaweiCloudClient(ClientConfig(self.connection(**extra), environ={}), sleep=lambda _seconds: None)

    # data ----------------------------------------------------------------------------------------------------------
    def add_sqls(self, instance_id, count, start, step=datetime.timedelta(seconds=1), **fields):
        """Add statements (see ``statements``) and return them as the API answers them."""
        return self.sim.add_statements(instance_id, statements(count, start, step, **fields), region=REGION)

    def add_alarms(self, instance_id, count, start, step=datetime.timedelta(minutes=1)):
        return self.sim.raise_alarms(instance_id, alarms(count, start, step), region=REGION)

    def sqls_in(self, instance_id, start, end):
        """Every statement the simulator holds for the instance within [start, end], newest first."""
        first, last = dbss_time(start), dbss_time(end)
        return [sql for sql in self.region.audit_sqls[instance_id] if first <= sql['start_time'] <= last]

    def alarms_in(self, instance_id, start, end):
        """Every alarm the simulator holds for the instance within [start, end], newest first."""
        first, last = dbss_time(start), dbss_time(end)
        return [alarm for alarm in self.region.audit_alarms[instance_id] if first <= alarm['alarm_time'] <= last]

    def add_risk_rules(self, instance_id, count, **fields):
        for _unused in range(count):
            self.sim.add_risk_rule(instance_id, region=REGION, **fields)

    def add_injection_rules(self, instance_id, count, **fields):
        for _unused in range(count):
            self.sim.add_sql_injection_rule(instance_id, region=REGION, **fields)

    def risk_rules(self, instance_id):
        return list(self.region.risk_rules[instance_id])

    def injection_rules(self, instance_id):
        return list(self.region.sql_injection_rules[instance_id])

    def topic(self, instance_id):
        return dict(self.region.alarm_topics[instance_id])

    def gateway_without(self, pattern):
        """The gateway does not know the APIs whose path matches: 404 APIGW.0101, as for an API not yet published."""
        self.sim.add_fault('status', path=pattern, status=404, error_code='APIGW.0101',
                           error_msg='The API does not exist or has not been published in the environment')

    # what was asked ----------------------------------------------------------------------------------------------------
    def requests_to(self, pattern):
        """The recorded exchanges whose path matches, with ``json`` (the request body read) and ``answer``."""
        found = []
        for exchange in list(self.exchanges):
            if re.search(pattern, exchange['path']):
                body = exchange['request_body']
                found.append(dict(exchange, json=json.loads(body) if body else None,
                                  answer=json.loads(exchange['response_body']) if exchange['response_body'] else None))
        return found

    def sql_requests(self, instance_id=None):
        return [request for request in self.requests_to(SQLS) if instance_id is None or '/audit/%s/' % instance_id in request['path']]

    def api_requests(self):
        return [request for request in self.sim.requests if request['service'] != 'sim']
