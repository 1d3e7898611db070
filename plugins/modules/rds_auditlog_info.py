#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: rds_auditlog_info
short_description: List the audit log files of RDS for MySQL instances
version_added: 1.0.0
description:
  - Lists the audit log files of one or many RDS for MySQL instances over any period.
  - The API accepts at most 30 days and 50 files a request, so the period is split into consecutive windows of
    at most 30 days, each paged at 50; every window and page of every instance is fetched on one bounded pool
    (O(concurrency)). A file that crosses a window boundary is returned once.
  - Times are checked before any request is sent; no request is sent that the API would reject, and a period
    the service cannot serve (starting more than 732 days ago, or longer than 732 days) is refused with a message
    naming O(start_time) or O(end_time).
author:
  - hwcloud.dbaudit contributors (@hwcloud)
options:
  end_time:
    description:
      - End of the period, after O(start_time).
      - The API's form (V(2026-11-01T00:00:00+0800)), ISO 8601 (V(2026-11-01T00:00:00Z),
        V(2026-11-01T08:00:00+08:00)), a date (V(2026-11-01), midnight UTC), V(now), or a time relative to now
        (V(-30m), V(-24h), V(-7d), V(-2w)).
      - The period lasts at most 732 days, the longest audit log retention of the service.
      - Zone offsets run from V(-12:00) to V(+14:00); a time must stay within the years 1 to 9999 in UTC.
    type: str
    default: now
  instance_id:
    description:
      - ID of one RDS for MySQL instance. Exactly one of O(instance_id) and O(instance_ids) is required.
    type: str
  instance_ids:
    description:
      - IDs of several RDS for MySQL instances, for example C({{ mysql.instances | map(attribute='id') }}).
        An empty list returns no file.
    type: list
    elements: str
  start_time:
    description:
      - Start of the period, in any form O(end_time) accepts.
      - At most 732 days before now (V(-732d)); the service keeps audit log files at most 732 days
        (audit log policy C(keep_days)), so an earlier start is refused before any request.
    type: str
    default: -24h
extends_documentation_fragment:
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.info_module
  - hwcloud.dbaudit.concurrency
notes:
  - An unknown instance fails the task with a message naming it and the service error code (C(DBS.200002)); the
    files fetched before the failure are still returned in RV(audit_logs).
'''

EXAMPLES = r'''
- name: Audit log files of the last 24 hours
  hwcloud.dbaudit.rds_auditlog_info:
    instance_id: 7a1bd9e4a12a4d4f9a4f1f4bbd0f8a2din01
  register: recent

- name: A whole year of audit log files of every MySQL instance
  hwcloud.dbaudit.rds_auditlog_info:
    instance_ids: "{{ mysql.instances | map(attribute='id') }}"
    start_time: -365d
  register: year

- name: An explicit period, in the API's own form
  hwcloud.dbaudit.rds_auditlog_info:
    instance_id: 7a1bd9e4a12a4d4f9a4f1f4bbd0f8a2din01
    start_time: "2026-10-01T00:00:00+0800"
    end_time: "2026-11-01T00:00:00+0800"
  register: october
'''

RETURN = r'''
api_retries:
  description: >-
    One line per retried request, whatever the verbosity. Scrubbed of every credential like every message; each line
    is cut at 500 characters, and after 50 lines one last line counts the retries not listed.
  returned: when a request was retried
  type: list
  elements: str
audit_logs:
  description: The audit log files, each once, sorted by RV(audit_logs[].begin_time); an empty list when there is none.
  returned: always
  type: list
  elements: dict
  contains:
    begin_time:
      description: Start of the file, C(yyyy-mm-ddThh:mm:ss+hhmm).
      type: str
      sample: "2026-11-06T09:03:34+0800"
    end_time:
      description: End of the file.
      type: str
      sample: "2026-11-06T10:39:15+0800"
    id:
      description: Audit log file ID.
      type: str
    instance_id:
      description: ID of the RDS instance the file belongs to.
      type: str
    name:
      description: File name.
      type: str
    size:
      description: Size in KB.
      type: float
      sample: 20481.835938
end_time:
  description: The end of the period that was listed, in the API's form (UTC).
  returned: always
  type: str
  sample: "2026-11-23T00:00:00+0000"
start_time:
  description: The start of the period that was listed, in the API's form (UTC).
  returned: always
  type: str
  sample: "2026-11-22T00:00:00+0000"
'''

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.base_module import HuaweiCloudModule
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import (
    INSTANCE_SELECTION_KWARGS,
    concurrency_spec,
    instance_selection_spec,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import list_audit_logs
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import (
    AUDIT_LOG_RETENTION_DAYS,
    format_api_time,
    parse_time_range,
)


class RdsAuditlogInfoModule(HuaweiCloudModule):
    argument_spec = dict(
        instance_selection_spec(),
        end_time=dict(type='str', default='now'),
        start_time=dict(type='str', default='-24h'),
        **concurrency_spec()
    )
    module_kwargs = INSTANCE_SELECTION_KWARGS
    result_key = 'audit_logs'

    def run(self):
        start, end = parse_time_range(self.params['start_time'], self.params['end_time'],
                                      retention_days=AUDIT_LOG_RETENTION_DAYS)
        instance_ids = self.selected_instance_ids()
        return {
            'audit_logs': list_audit_logs(self.client, instance_ids, start, end, max_workers=self.concurrency),
            'end_time': format_api_time(end),
            'start_time': format_api_time(start),
        }


def main():
    RdsAuditlogInfoModule()()


if __name__ == '__main__':
    main()
