# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""DBSS audit rules of audit instances: risk rules, SQL injection rules, and the alarm notification setting.

Each is read from its current API; where the API gateway does not know it (404 ``APIGW.0101``) from the legacy
path the Terraform provider still uses (see ``api_fallback``). Whether a rule is enabled, or notification is on,
is read from the documented ``ON``/``OFF``; any other value is a shape error, never "off".
"""

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.api_fallback import Endpoint, FallbackRoute
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import failure_of, run_bounded
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import AUDIT_INSTANCES, SWITCH_STATUSES
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import with_context
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.pagination import OFFSETS, PAGE_NUMBERS, run_listings
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import (
    MISSING,
    ShapeProblem,
    optional_list,
    shape_error,
    snake_case_keys,
)

RISK_RULE_PAGE_SIZE = 1000  # the API's maximum (ListAuditRuleRisksNew: limit 1..1000)
SQL_INJECTION_RULE_PAGE_SIZE = 100
RISK_RULES_API = 'DBSS GET /v1/{project_id}/audit/{instance_id}/rule/risk'
RISK_RULES_LEGACY_API = 'DBSS GET /v1/{project_id}/{instance_id}/dbss/audit/rule/risk'
SQL_INJECTION_RULES_API = 'DBSS POST /v1/{project_id}/audit/{instance_id}/rule/sqls'
SQL_INJECTION_RULES_LEGACY_API = 'DBSS POST /v1/{project_id}/{instance_id}/dbss/audit/rule/sql-injections'
ALARM_TOPIC_API = 'DBSS GET /v2/{project_id}/audit/{instance_id}/alarm/topic'
ALARM_TOPIC_LEGACY_API = 'DBSS GET /v1/{project_id}/{instance_id}/audit/alarm/topic'


def risk_rules_route():
    return FallbackRoute(
        Endpoint('GET', RISK_RULES_API, lambda project, instance: ('v1', project, 'audit', instance, 'rule', 'risk')),
        Endpoint('GET', RISK_RULES_LEGACY_API,
                 lambda project, instance: ('v1', project, instance, 'dbss', 'audit', 'rule', 'risk')))


def sql_injection_rules_route():
    return FallbackRoute(
        Endpoint('POST', SQL_INJECTION_RULES_API,
                 lambda project, instance: ('v1', project, 'audit', instance, 'rule', 'sqls')),
        Endpoint('POST', SQL_INJECTION_RULES_LEGACY_API,
                 lambda project, instance: ('v1', project, instance, 'dbss', 'audit', 'rule', 'sql-injections')))


def alarm_topic_route():
    return FallbackRoute(
        Endpoint('GET', ALARM_TOPIC_API, lambda project, instance: ('v2', project, 'audit', instance, 'alarm', 'topic')),
        Endpoint('GET', ALARM_TOPIC_LEGACY_API, lambda project, instance: ('v1', project, instance, 'audit', 'alarm', 'topic')))


def _rule(instance_id, raw):
    rule = snake_case_keys(raw)
    status = rule.get('status', MISSING)
    if status not in SWITCH_STATUSES:
        raise ShapeProblem('status', status, 'ON or OFF')
    rule['enabled'] = status == 'ON'
    rule['instance_id'] = instance_id
    return rule


def read_alarm_topic(instance_id, body, request_id=None, api=ALARM_TOPIC_API):
    """The alarm notification setting of one instance; ``enabled`` is ``alarm_switch == 'ON'``, and an instance
    never configured (no ``alarm_switch``) is not enabled."""
    try:
        switch = body.get('alarm_switch')
        if switch is not None and switch not in SWITCH_STATUSES:
            raise ShapeProblem('alarm_switch', switch, 'ON, OFF or null')
        urn = body.get('alarm_topic_urn')
        if urn is not None and not isinstance(urn, str):
            raise ShapeProblem('alarm_topic_urn', urn, 'a string or null')
        effective = body.get('smn_effective')
        if effective is not None and not isinstance(effective, bool):
            raise ShapeProblem('smn_effective', effective, 'a boolean or null')
        topic = snake_case_keys(body)
        topic.update(instance_id=instance_id, alarm_switch=switch, alarm_topic_urn=urn,
                     alarm_risk=optional_list(body, 'alarm_risk'), enabled=switch == 'ON')
    except ShapeProblem as problem:
        raise shape_error(api, problem, request_id, AUDIT_INSTANCES.context(instance_id))
    return topic


def get_audit_rules(client, instance_ids, max_workers=8):
    """``{'risk_rules', 'sql_injection_rules', 'alarm_topics'}`` of every given instance, in the order given.
    The three are read one after the other, each for every instance on the bounded pool; when instances fail, the
    rest is still read, and one error names every failed instance and carries everything that was read."""
    result = {'alarm_topics': [], 'risk_rules': [], 'sql_injection_rules': []}
    if not instance_ids:
        return result
    failures = []
    risk_route, injection_route, topic_route = risk_rules_route(), sql_injection_rules_route(), alarm_topic_route()

    def risk_page(instance_id, offset, limit):
        # The legacy path has no paging: it answers every rule at once.
        return risk_route.request(client, instance_id, query={'offset': str(offset), 'limit': str(limit)},
                                  legacy_query={})

    def injection_page(instance_id, page, size):
        return injection_route.request(client, instance_id, body={'page': page, 'size': size})

    for key, fetch_page, page_size, paging, api in (
            ('risk_rules', risk_page, RISK_RULE_PAGE_SIZE, OFFSETS, RISK_RULES_API),
            ('sql_injection_rules', injection_page, SQL_INJECTION_RULE_PAGE_SIZE, PAGE_NUMBERS, SQL_INJECTION_RULES_API)):
        for listing in run_listings(instance_ids, fetch_page, page_size, 'rules', 'total', 'id', _rule, max_workers,
                                    api, AUDIT_INSTANCES, paging):
            result[key].extend(listing.items)
            if listing.error is not None:
                failures.append((listing.job, listing.error))

    def topic(instance_id):
        answer = with_context(AUDIT_INSTANCES.context(instance_id), topic_route.request, client, instance_id)
        return read_alarm_topic(instance_id, answer.body, answer.request_id, answer.api)

    for instance_id, (item, error) in zip(instance_ids, run_bounded(topic, instance_ids, max_workers)):
        if error is None:
            result['alarm_topics'].append(item)
        else:
            failures.append((instance_id, error))
    if failures:
        order = dict((instance_id, index) for index, instance_id in enumerate(instance_ids))
        failures.sort(key=lambda failure: order[failure[0]])
        error = failure_of(failures, result['risk_rules'], AUDIT_INSTANCES)
        error.result = result
        raise error
    return result
