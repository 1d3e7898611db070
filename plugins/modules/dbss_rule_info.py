#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: dbss_rule_info
short_description: List the risk rules, SQL injection rules and alarm notification of DBSS audit instances
version_added: 1.0.0
description:
  - Lists, for one or many Database Security Service (DBSS) audit instances, the risk rules and the SQL injection
    rules with whether each is enabled, and the alarm notification setting (switch, SMN topic, risk levels and
    thresholds), what a compliance check needs to find a disabled high-risk rule or alarms that notify nobody.
  - Reads C(ListAuditRuleRisksNew) (C(GET /v1/{project_id}/audit/{instance_id}/rule/risk), 1000 a page),
    C(ListSqlInjectionRulesNew) (C(POST /v1/{project_id}/audit/{instance_id}/rule/sqls), 100 a page) and
    C(ListAlarmTopicConfigInfoNew) (C(GET /v2/{project_id}/audit/{instance_id}/alarm/topic)). Where the API
    gateway answers that one of them does not exist (HTTP 404 C(APIGW.0101)), its older path is used instead for
    the rest of the task (C(/v1/{project_id}/{instance_id}/dbss/audit/rule/risk),
    C(/v1/{project_id}/{instance_id}/dbss/audit/rule/sql-injections), C(/v1/{project_id}/{instance_id}/audit/alarm/topic)).
  - Every instance is read on one bounded pool (O(concurrency)).
author:
  - hwcloud.dbaudit contributors (@hwcloud)
options:
  instance_id:
    description:
      - ID of one audit instance. Exactly one of O(instance_id) and O(instance_ids) is required.
    type: str
  instance_ids:
    description:
      - IDs of several audit instances, for example C({{ dbss.instances | map(attribute='id') }}). An empty list
        returns empty lists.
    type: list
    elements: str
extends_documentation_fragment:
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.info_module
  - hwcloud.dbaudit.concurrency
notes:
  - A rule status other than C(ON) or C(OFF), or a notification switch other than C(ON), C(OFF) or null, is an error
    naming the API, the field and the request id; it is never read as disabled.
  - An unknown audit instance fails the task with a message naming it and the service error code; what was read
    before, of every instance, is still returned in RV(risk_rules), RV(sql_injection_rules) and RV(alarm_topics),
    and the message names every failed instance.
'''

EXAMPLES = r'''
- name: Rules and alarm notification of every audit instance
  hwcloud.dbaudit.dbss_rule_info:
    instance_ids: "{{ dbss.instances | map(attribute='id') }}"
  register: rules

- name: Disabled high-risk rules
  ansible.builtin.debug:
    msg: "{{ rules.risk_rules | rejectattr('enabled') | selectattr('risk_level', 'equalto', 'HIGH') | list }}"

- name: Instances whose alarms notify nobody
  ansible.builtin.debug:
    msg: "{{ rules.alarm_topics | rejectattr('enabled') | map(attribute='instance_id') | list }}"
'''

RETURN = r'''
alarm_topics:
  description: The alarm notification setting, one per instance in the order given.
  returned: always
  type: list
  elements: dict
  contains:
    alarm_cpu:
      description: CPU usage threshold (%) of resource alarms.
      type: str
    alarm_disk:
      description: Disk usage threshold (%).
      type: str
    alarm_memory:
      description: Memory usage threshold (%).
      type: str
    alarm_num:
      description: How many alarms are sent a day at most.
      type: str
    alarm_risk:
      description: The risk levels that are notified (C(high), C(medium), C(low)); an empty list when none is.
      type: list
      elements: str
    alarm_switch:
      description: C(ON), C(OFF), or null when the instance was never configured.
      type: str
    alarm_topic_urn:
      description: URN of the SMN topic notified; null when there is none.
      type: str
    enabled:
      description: Whether notification is on (RV(alarm_topics[].alarm_switch) is C(ON)). It notifies nobody without
        RV(alarm_topics[].alarm_topic_urn).
      type: bool
    instance_id:
      description: The audit instance.
      type: str
    smn_effective:
      description: Whether SMN subscription is available.
      type: bool
api_retries:
  description: >-
    One line per retried request, whatever the verbosity. Scrubbed of every credential like every message; each line
    is cut at 500 characters, and after 50 lines one last line counts the retries not listed.
  returned: when a request was retried
  type: list
  elements: str
risk_rules:
  description: The risk rules, instance by instance in the order given; every field the API returns, snake_case.
  returned: always
  type: list
  elements: dict
  contains:
    enabled:
      description: Whether the rule is enabled (RV(risk_rules[].status) is C(ON)).
      type: bool
    feature:
      description: What the rule matches.
      type: str
    id:
      description: Rule ID.
      type: str
    instance_id:
      description: The audit instance.
      type: str
    name:
      description: Rule name.
      type: str
    rank:
      description: Priority; a smaller number goes first.
      type: int
    risk_level:
      description: C(HIGH), C(MEDIUM), C(LOW) or C(NO_RISK).
      type: str
    rule_type:
      description: C(SYSTEM) or C(CUSTOMIZE).
      type: str
    status:
      description: C(ON) or C(OFF).
      type: str
    type:
      description: C(LOGIN) or C(OPERATE).
      type: str
sql_injection_rules:
  description: The SQL injection rules, instance by instance in the order given; every field the API returns,
    snake_case.
  returned: always
  type: list
  elements: dict
  contains:
    enabled:
      description: Whether the rule is enabled (RV(sql_injection_rules[].status) is C(ON)).
      type: bool
    feature:
      description: The SQL command feature matched.
      type: str
    id:
      description: Rule ID.
      type: str
    instance_id:
      description: The audit instance.
      type: str
    name:
      description: Rule name.
      type: str
    rank:
      description: Priority; a smaller number goes first.
      type: int
    regex:
      description: The regular expression matched.
      type: str
    risk_level:
      description: C(HIGH), C(MEDIUM) or C(LOW).
      type: str
    status:
      description: C(ON) or C(OFF).
      type: str
    type:
      description: C(SYSTEM) or C(CUSTOMIZE).
      type: str
'''

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.base_module import HuaweiCloudModule
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import (
    INSTANCE_SELECTION_KWARGS,
    concurrency_spec,
    instance_selection_spec,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_rules import get_audit_rules


class DbssRuleInfoModule(HuaweiCloudModule):
    argument_spec = dict(
        instance_selection_spec(),
        **concurrency_spec()
    )
    module_kwargs = INSTANCE_SELECTION_KWARGS
    result_key = 'risk_rules'

    def run(self):
        return get_audit_rules(self.client, self.selected_instance_ids(), max_workers=self.concurrency)


def main():
    DbssRuleInfoModule()()


if __name__ == '__main__':
    main()
