"""DBSS audit data answered by the small raw-socket server of ``hostile_server.py``, in the shapes of the official SDK
(``huaweicloudsdkdbss`` 3.1.219): audited SQL statements, the alarm log (v2 and v1), risk rules, SQL injection rules
and the alarm notification topic. Real HTTP, for unit tests; the simulator (tests/simulator) serves the same APIs
to the integration tests.

    server = HostileServer().start()
    audit = AuditData(server)
    audit.add_sqls('inst-a', audit_sqls(250, start=..., step=...))
    ... client with endpoints {'dbss': server.url}
    assert len(audit.sql_requests()) == 3

Each route honours what the SDK documents (time range, filters, ``page`` from 1, ``size``, ``time_order``) and
``cap``, the most records one query serves (10,000 on the real service). Knobs make it misbehave: ``ignore_page``,
``ignore_filters``, ``v2_alarms=False`` (the gateway does not know the v2 alarm API: 404 ``APIGW.0101``),
``clip_totals`` (totals reported clipped at ``cap``, as the DBSS console shows them).
"""

import datetime
import json

from hostile_server import json_reply

UTC = datetime.timezone.utc
DBSS_FORMAT = '%Y-%m-%d %H:%M:%S'
SQLS = r'^/v2/[^/]+/audit/(?P<instance>[^/]+)/sqls$'
ALARMS_V2 = r'^/v2/[^/]+/audit/(?P<instance>[^/]+)/alarm-log$'
ALARMS_V1 = r'^/v1/[^/]+/(?P<instance>[^/]+)/audit/alarm-log$'
RISK_RULES = r'^/v1/[^/]+/audit/(?P<instance>[^/]+)/rule/risk$'
RISK_RULES_V1 = r'^/v1/[^/]+/(?P<instance>[^/]+)/dbss/audit/rule/risk$'
INJECTION_RULES = r'^/v1/[^/]+/audit/(?P<instance>[^/]+)/rule/sqls$'
INJECTION_RULES_V1 = r'^/v1/[^/]+/(?P<instance>[^/]+)/dbss/audit/rule/sql-injections$'
TOPIC = r'^/v2/[^/]+/audit/(?P<instance>[^/]+)/alarm/topic$'
TOPIC_V1 = r'^/v1/[^/]+/(?P<instance>[^/]+)/audit/alarm/topic$'
API_NOT_FOUND = {'error_code': 'APIGW.0101', 'error_msg': 'The API does not exist or has not been published'}
UNKNOWN_INSTANCE = {'error_code': 'DBSS.10021004', 'error_msg': 'The audit instance does not exist'}


def dbss_time(moment):
    return moment.astimezone(UTC).strftime(DBSS_FORMAT)


def audit_sqls(count, start, step=datetime.timedelta(seconds=1), prefix='sql', **fields):
    """``count`` statements from ``start`` on, one every ``step``, in the SDK's ``AuditSqlResponseSql`` shape.
    Users, types and risks rotate so that filters have something to tell apart; ``fields`` override them all."""
    users = ('app', 'admin', 'report')
    types = ('SELECT', 'INSERT', 'DROP_TABLE', 'UPDATE')
    risks = ('NO_RISK', 'LOW', 'MEDIUM', 'HIGH')
    records = []
    for n in range(count):
        record = {
            'id': '%s-%06d' % (prefix, n), 'sql_statement': "SELECT * FROM t%d WHERE name = 'secret-%d'" % (n % 7, n),
            'client_ip': '10.0.0.%d' % (n % 3), 'client_name': 'client-%d' % (n % 2), 'db_ip': '192.168.0.10',
            'db_user': users[n % 3], 'query_type': types[n % 4], 'operated_obj_info': [],
            'rule_name': 'rule-%d' % (n % 4), 'risk_level': risks[n % 4], 'start_time': dbss_time(start + n * step),
            'sql_response': 'SUCCESS' if n % 5 else 'FAILED', 'db_instance': 'mysql-1',
        }
        record.update(fields)
        records.append(record)
    return records


def alarm_records(count, start, step=datetime.timedelta(minutes=1), prefix='alarm', v1=False):
    risks = ('LOW', 'MEDIUM', 'HIGH')
    records = []
    for n in range(count):
        record = {'id': '%s-%05d' % (prefix, n), 'alarm_life': 'ON' if n % 2 else 'OFF', 'send_email': bool(n % 2),
                  'alarm_time': dbss_time(start + n * step), 'alarm_type': 'RISK_RULE' if n % 3 else 'RISK_CPU',
                  'alarm_fix_time': '', 'alarm_status': 'UNDO' if n % 4 else 'DONE', 'alarm_risk': risks[n % 3],
                  'alarm_description': 'alarm %d' % n}
        if v1:
            record['alarmLife'] = record.pop('alarm_life')
            record['sendEmail'] = record.pop('send_email')
        records.append(record)
    return records


def _parse(moment):
    return datetime.datetime.strptime(moment, DBSS_FORMAT).replace(tzinfo=UTC)


class AuditData:
    def __init__(self, server, cap=10000):
        self.server = server
        self.cap = cap
        self.sqls = {}
        self.alarms = {}
        self.risk_rules = {}
        self.injection_rules = {}
        self.topics = {}
        self.ignore_page = False
        self.ignore_filters = False
        self.clip_totals = False
        self.v2_alarms = True
        self.v2_rules = True
        server.route('POST', SQLS, self._sqls)
        server.route('POST', ALARMS_V2, self._alarms_v2)
        server.route('POST', ALARMS_V1, self._alarms_v1)
        server.route('GET', RISK_RULES, self._risk_rules(legacy=False))
        server.route('GET', RISK_RULES_V1, self._risk_rules(legacy=True))
        server.route('POST', INJECTION_RULES, self._injection_rules(legacy=False))
        server.route('POST', INJECTION_RULES_V1, self._injection_rules(legacy=True))
        server.route('GET', TOPIC, self._topic(legacy=False))
        server.route('GET', TOPIC_V1, self._topic(legacy=True))

    def add_sqls(self, instance_id, records):
        self.sqls.setdefault(instance_id, []).extend(records)

    def add_alarms(self, instance_id, records):
        self.alarms.setdefault(instance_id, []).extend(records)

    # what was asked -------------------------------------------------------------------------------------------
    def sql_requests(self, instance_id=None):
        return [dict(request, json=json.loads(request['body'])) for request in self.server.requests_to(SQLS)
                if instance_id is None or '/audit/%s/' % instance_id in request['path']]

    def requests_to(self, pattern):
        return self.server.requests_to(pattern)

    # handlers ---------------------------------------------------------------------------------------------------
    @staticmethod
    def _instance(request, pattern):
        import re
        return re.match(pattern, request['path']).group('instance')

    def _window(self, records, body, time_field):
        # Times of the one DBSS form compare as strings (and much faster than as datetimes).
        time = body.get('time') or {}
        start, end = _parse(time['start_time']).strftime(DBSS_FORMAT), _parse(time['end_time']).strftime(DBSS_FORMAT)
        return [record for record in records if self.ignore_filters or start <= record[time_field] <= end]

    def _page(self, matched, body):
        page, size = int(body.get('page') or 1), int(body.get('size') or 10)
        reachable = matched[:self.cap]
        first = 0 if self.ignore_page else (page - 1) * size
        return reachable[first:first + size]

    def _total(self, matched):
        return min(len(matched), self.cap) if self.clip_totals else len(matched)

    def _sqls(self, request, send):
        instance = self._instance(request, SQLS)
        if instance not in self.sqls:
            return json_reply(UNKNOWN_INSTANCE, status=400)(request, send)
        body = json.loads(request['body'])
        matched = self._window(self.sqls[instance], body, 'start_time')
        if not self.ignore_filters:
            for name in ('client_ip', 'client_name', 'db_ip', 'db_user', 'query_type', 'sql_response', 'risk_levels'):
                if body.get(name) is not None:
                    field = 'risk_level' if name == 'risk_levels' else name
                    matched = [record for record in matched if record[field] == body[name]]
            if body.get('sql_statement'):
                matched = [record for record in matched if body['sql_statement'] in record['sql_statement']]
        matched.sort(key=lambda record: record['start_time'], reverse=body.get('time_order') != 'ASC')
        page = self._page(matched, body)
        json_reply({'total': self._total(matched), 'count': len(page), 'sqls': [{'sql': record} for record in page]})(
            request, send)

    def _alarms(self, request, send, pattern):
        instance = self._instance(request, pattern)
        if instance not in self.alarms:
            return json_reply(UNKNOWN_INSTANCE, status=400)(request, send)
        body = json.loads(request['body'])
        matched = self._window(self.alarms[instance], body, 'alarm_time')
        if not self.ignore_filters:
            if body.get('risk'):
                matched = [record for record in matched if record['alarm_risk'] in body['risk']]
            if body.get('type'):
                matched = [record for record in matched if record['alarm_type'] == body['type']]
            if body.get('status'):
                matched = [record for record in matched if record['alarm_status'] == body['status']]
        page = self._page(matched, body)
        json_reply({'total_num': self._total(matched), 'alarm_log': page})(request, send)

    def _alarms_v2(self, request, send):
        if not self.v2_alarms:
            return json_reply(API_NOT_FOUND, status=404)(request, send)
        return self._alarms(request, send, ALARMS_V2)

    def _alarms_v1(self, request, send):
        return self._alarms(request, send, ALARMS_V1)

    def _risk_rules(self, legacy):
        pattern = RISK_RULES_V1 if legacy else RISK_RULES

        def handler(request, send):
            if not legacy and not self.v2_rules:
                return json_reply(API_NOT_FOUND, status=404)(request, send)
            instance = self._instance(request, pattern)
            if instance not in self.risk_rules:
                return json_reply(UNKNOWN_INSTANCE, status=400)(request, send)
            rules = self.risk_rules[instance]
            if not legacy:
                offset, limit = int(request['query']['offset']), int(request['query']['limit'])
                rules = rules[offset:offset + limit]
            json_reply({'rules': rules, 'total': len(self.risk_rules[instance]), 'customize_total': 0})(request, send)
        return handler

    def _injection_rules(self, legacy):
        pattern = INJECTION_RULES_V1 if legacy else INJECTION_RULES

        def handler(request, send):
            if not legacy and not self.v2_rules:
                return json_reply(API_NOT_FOUND, status=404)(request, send)
            instance = self._instance(request, pattern)
            if instance not in self.injection_rules:
                return json_reply(UNKNOWN_INSTANCE, status=400)(request, send)
            body = json.loads(request['body'])
            rules = self.injection_rules[instance]
            first = (int(body['page']) - 1) * int(body['size'])
            json_reply({'rules': rules[first:first + int(body['size'])], 'total': len(rules)})(request, send)
        return handler

    def _topic(self, legacy):
        pattern = TOPIC_V1 if legacy else TOPIC

        def handler(request, send):
            if not legacy and not self.v2_rules:
                return json_reply(API_NOT_FOUND, status=404)(request, send)
            instance = self._instance(request, pattern)
            if instance not in self.topics:
                return json_reply(UNKNOWN_INSTANCE, status=400)(request, send)
            json_reply(self.topics[instance])(request, send)
        return handler


def risk_rules(count, prefix='risk'):
    levels = ('HIGH', 'MEDIUM', 'LOW', 'NO_RISK')
    return [{'id': '%s-%04d' % (prefix, n), 'name': 'risk rule %d' % n, 'type': 'OPERATE', 'feature': 'DROP',
             'status': 'OFF' if n % 3 == 0 else 'ON', 'rank': n, 'risk_level': levels[n % 4], 'rule_type': 'SYSTEM'}
            for n in range(count)]


def injection_rules(count, prefix='inj'):
    return [{'id': '%s-%04d' % (prefix, n), 'name': 'sql injection %d' % n, 'status': 'ON' if n % 2 else 'OFF',
             'risk_level': 'HIGH', 'type': 'SYSTEM', 'rank': n, 'feature': 'UNION', 'regex': '.*union.*'}
            for n in range(count)]


def topic(switch='ON', urn='urn:smn:cn-north-4:0123:dbss-alarms'):
    return {'alarm_cpu': '80', 'alarm_disk': '80', 'alarm_memory': '80', 'alarm_num': '100',
            'alarm_risk': ['high', 'medium'], 'alarm_switch': switch, 'alarm_topic_urn': urn, 'smn_effective': True}
