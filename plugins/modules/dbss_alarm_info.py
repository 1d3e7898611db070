#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: dbss_alarm_info
short_description: List the alarm log of DBSS audit instances
version_added: 1.0.0
description:
  - Lists the alarms one or many Database Security Service (DBSS) audit instances raised over a period (risk rule
    hits, CPU, memory and disk thresholds, failed backups, agent faults), newest first, with whether each was
    acknowledged.
  - Reads C(ListAuditAlarmLogNew) (C(POST /v2/{project_id}/audit/{instance_id}/alarm-log)), 100 alarms a page.
    Where the API gateway answers that this API does not exist (HTTP 404 C(APIGW.0101)), the older
    C(ListAuditAlarmLog) (C(POST /v1/{project_id}/{instance_id}/audit/alarm-log)) is used instead for the rest of
    the task; both answers (C(alarm_life) or C(alarmLife), C(send_email) or C(sendEmail)) give the same result.
  - The service returns the alarms of a window in no particular order, so every window is read whole and the
    alarms are sorted here; reading stops after the window in which O(limit) was reached.
  - Filters sent to the service are checked again on every alarm, so an alarm that does not match them is never
    returned.
author:
  - hwcloud.dbaudit contributors (@hwcloud)
options:
  alarm_type:
    description:
      - Return only alarms of this type. Sent to the service.
    type: str
    choices: [AUDIT_BACKUP_FAILED, AUDIT_QPS_OVERFLOW, RISK_AGENT, RISK_BACKUP, RISK_CPU, RISK_DISK,
              RISK_DISK_CAPACITY, RISK_MEMORY, RISK_RULE]
  instance_id:
    description:
      - ID of one audit instance. Exactly one of O(instance_id) and O(instance_ids) is required.
    type: str
  instance_ids:
    description:
      - IDs of several audit instances, for example C({{ dbss.instances | map(attribute='id') }}). An empty list
        returns no alarm.
    type: list
    elements: str
  risk_levels:
    description:
      - Return only alarms of these risk levels. Sent to the service.
    type: list
    elements: str
    choices: [HIGH, LOW, MEDIUM]
  status:
    description:
      - Return only acknowledged (V(DONE)) or unacknowledged (V(UNDO)) alarms. Sent to the service.
    type: str
    choices: [DONE, UNDO]
extends_documentation_fragment:
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.info_module
  - hwcloud.dbaudit.concurrency
  - hwcloud.dbaudit.audit_records
'''

EXAMPLES = r'''
- name: Unacknowledged high-risk alarms of every audit instance over the last week
  hwcloud.dbaudit.dbss_alarm_info:
    instance_ids: "{{ dbss.instances | map(attribute='id') }}"
    start_time: -7d
    risk_levels: [HIGH]
    status: UNDO
  register: open_alarms

- name: Fail while any is open
  ansible.builtin.assert:
    that: open_alarms.alarms | length == 0
    fail_msg: "{{ open_alarms.alarms | map(attribute='alarm_description') | list }}"
'''

RETURN = r'''
alarms:
  description:
    - The alarms, newest first, at most O(limit); an empty list when none matches.
    - Every field the API returns, snake_case, plus RV(alarms[].acknowledged) and RV(alarms[].instance_id).
  returned: always
  type: list
  elements: dict
  contains:
    acknowledged:
      description: Whether the alarm was acknowledged (RV(alarms[].alarm_status) is C(DONE)).
      type: bool
    alarm_description:
      description: What happened.
      type: str
    alarm_fix_time:
      description: When the alarm cleared.
      type: str
    alarm_life:
      description: C(ON) while the alarm lasts, C(OFF) once it cleared.
      type: str
    alarm_risk:
      description: C(HIGH), C(MEDIUM) or C(LOW).
      type: str
    alarm_status:
      description: C(DONE) (acknowledged) or C(UNDO).
      type: str
    alarm_time:
      description: When the alarm was raised, as the service reports it.
      type: str
      sample: "2026-11-02 07:31:05"
    alarm_type:
      description: Alarm type, for example C(RISK_RULE).
      type: str
    id:
      description: Alarm ID.
      type: str
    instance_id:
      description: ID of the audit instance that raised the alarm.
      type: str
    send_email:
      description: Whether a notification was sent.
      type: bool
api_retries:
  description: >-
    One line per retried request, whatever the verbosity. Scrubbed of every credential like every message; each line
    is cut at 500 characters, and after 50 lines one last line counts the retries not listed.
  returned: when a request was retried
  type: list
  elements: str
end_time:
  description: The end of the period that was read, UTC.
  returned: always
  type: str
  sample: "2026-11-23T00:00:00+0000"
limit_reached:
  description: Whether O(limit) alarms were found; older ones may then exist that are not returned.
  returned: always
  type: bool
start_time:
  description: The start of the period that was read, UTC.
  returned: always
  type: str
  sample: "2026-11-22T00:00:00+0000"
truncated_windows:
  description:
    - The time windows of which the service may not have returned every matching alarm (10,000 or more in one
      second of one instance; the service serves at most 10,000 a query and may report the total clipped at 10,000);
      alarms of these windows may be missing. An empty list when nothing is missing.
  returned: always
  type: list
  elements: dict
  contains:
    end_time:
      description: End of the window, UTC.
      type: str
    instance_id:
      description: The audit instance.
      type: str
    returned:
      description: How many alarms of the window are returned.
      type: int
    start_time:
      description: Start of the window, UTC.
      type: str
    total:
      description: How many alarms the service reports for the window.
      type: int
'''

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.base_module import HuaweiCloudModule
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import (
    INSTANCE_SELECTION_KWARGS,
    concurrency_spec,
    instance_selection_spec,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_audit_data import (
    ALARM_RISK_LEVELS,
    ALARM_STATUSES,
    ALARM_TYPES,
    DEFAULT_LIMIT,
    check_limit,
    check_period,
    describe_window,
    list_audit_alarms,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import parse_time_range


class DbssAlarmInfoModule(HuaweiCloudModule):
    argument_spec = dict(
        instance_selection_spec(),
        alarm_type=dict(type='str', choices=list(ALARM_TYPES)),
        end_time=dict(type='str', default='now'),
        limit=dict(type='int', default=DEFAULT_LIMIT),
        risk_levels=dict(type='list', elements='str', choices=list(ALARM_RISK_LEVELS)),
        start_time=dict(type='str', default='-24h'),
        status=dict(type='str', choices=list(ALARM_STATUSES)),
        **concurrency_spec()
    )
    module_kwargs = INSTANCE_SELECTION_KWARGS
    result_key = 'alarms'

    def run(self):
        start, end = parse_time_range(self.params['start_time'], self.params['end_time'])
        check_period(start, end)
        limit = check_limit(self.params['limit'])
        result = list_audit_alarms(self.client, self.selected_instance_ids(), start, end, self.params['risk_levels'],
                                   self.params['alarm_type'], self.params['status'], limit,
                                   max_workers=self.concurrency)
        for window in result['truncated_windows']:
            self.ansible.warn('the service returned only %d of %s alarms of %s' % (
                window['returned'], window['total'], describe_window(window)))
        return result


def main():
    DbssAlarmInfoModule()()


if __name__ == '__main__':
    main()
