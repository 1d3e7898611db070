#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: dbss_sql_info
short_description: List the SQL statements DBSS audit instances recorded
version_added: 1.0.0
description:
  - Lists the SQL statements one or many Database Security Service (DBSS) audit instances recorded over a period,
    newest first, with the database user, client, risk level and result of each; for incident response (who
    dropped that table, and when) and for evidence.
  - Reads C(ListAuditSqlsNew) (C(POST /v2/{project_id}/audit/{instance_id}/sqls)), 100 statements a page; the v1
    API is being taken offline and is not used.
  - The pages of a time window, and the windows of different instances, are fetched side by side on one bounded
    pool (O(concurrency)); no page is requested beyond what O(limit) can need.
  - Filters sent to the service are checked again on every statement, so a statement that does not match them is
    never returned.
  - To keep many statements as evidence, M(hwcloud.dbaudit.dbss_sql_export) writes them to a JSON Lines file
    instead of returning them.
author:
  - hwcloud.dbaudit contributors (@hwcloud)
extends_documentation_fragment:
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.audit_sql_query
  - hwcloud.dbaudit.info_module
  - hwcloud.dbaudit.concurrency
  - hwcloud.dbaudit.audit_records
'''

EXAMPLES = r'''
- name: Every DROP TABLE of one user over two days, on every audit instance
  hwcloud.dbaudit.dbss_sql_info:
    instance_ids: "{{ dbss.instances | map(attribute='id') }}"
    start_time: "2026-11-01T00:00:00Z"
    end_time: "2026-11-03T00:00:00Z"
    db_user: app_admin
    query_type: DROP_TABLE
  register: drops

- name: The newest 50 high-risk statements of the last hour, literals masked
  hwcloud.dbaudit.dbss_sql_info:
    instance_id: 8c53ed03-8ed7-4ff2-ad97-7b2d6d1dd364
    start_time: -1h
    risk_levels: [HIGH]
    limit: 50
    mask_literals: true
  register: risky

- name: Fail when the service could not return every statement of a window
  ansible.builtin.assert:
    that: drops.truncated_windows | length == 0
'''

RETURN = r'''
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
  description:
    - Whether O(limit) statements were found; older ones may then exist that are not returned.
    - With the default O(limit) this is also said in a warning.
  returned: always
  type: bool
sqls:
  description:
    - The statements, newest first, at most O(limit); an empty list when none matches.
    - Every field the API returns, snake_case, plus RV(sqls[].instance_id).
  returned: always
  type: list
  elements: dict
  contains:
    client_ip:
      description: Client IP address.
      type: str
    client_name:
      description: Client name.
      type: str
    db_instance:
      description: The database instance.
      type: str
    db_ip:
      description: Database IP address.
      type: str
    db_user:
      description: Database user.
      type: str
    id:
      description: Statement record ID.
      type: str
    instance_id:
      description: ID of the audit instance that recorded the statement.
      type: str
    operated_obj_info:
      description: The objects the statement operated on (C(table_name), C(schema_name), C(column_name), ...); an
        empty list when the service tells none.
      type: list
      elements: dict
    query_type:
      description: Statement type, for example C(DROP_TABLE).
      type: str
    risk_level:
      description: C(HIGH), C(MEDIUM), C(LOW) or C(NO_RISK).
      type: str
    rule_name:
      description: The risk rule the statement matched.
      type: str
    sql_response:
      description: C(SUCCESS) or C(FAILED).
      type: str
    sql_statement:
      description: The statement text, with literals replaced by C(?) when O(mask_literals=true).
      type: str
      sample: DROP TABLE orders
    start_time:
      description: When the statement ran, as the service reports it (C(yyyy-MM-dd HH:mm:ss), UTC).
      type: str
      sample: "2026-11-02 07:31:05"
start_time:
  description: The start of the period that was read, UTC.
  returned: always
  type: str
  sample: "2026-11-22T00:00:00+0000"
truncated_windows:
  description:
    - The time windows of which the service may not have returned every matching statement (10,000 or more in one
      second of one instance; the service serves at most 10,000 a query and may report the total clipped at 10,000);
      statements of these windows may be missing. An empty list when nothing is missing.
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
      description: How many statements of the window are returned.
      type: int
    start_time:
      description: Start of the window, UTC.
      type: str
    total:
      description: How many statements the service reports for the window.
      type: int
'''

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_audit_data import DEFAULT_LIMIT, MAX_LIMIT
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.sql_query_module import AuditSqlQueryModule, audit_sql_query_spec


class DbssSqlInfoModule(AuditSqlQueryModule):
    argument_spec = audit_sql_query_spec(DEFAULT_LIMIT)
    result_key = 'sqls'

    def run(self):
        query = self.sql_query()
        result = self.fetch_sqls(query)
        if result['limit_reached'] and query.limit == DEFAULT_LIMIT:
            # The default is easy to miss: say that the newest statements only are returned, and how to get more.
            self.ansible.warn('only the newest %d statements are returned (the default limit); older statements of '
                              'the period may exist: raise limit (at most %d), shorten the period or add a filter'
                              % (query.limit, MAX_LIMIT))
        return result


def main():
    DbssSqlInfoModule()()


if __name__ == '__main__':
    main()
