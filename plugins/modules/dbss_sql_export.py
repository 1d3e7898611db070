#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: dbss_sql_export
short_description: Export the SQL statements DBSS audit instances recorded to a JSON Lines file, as evidence
version_added: 1.1.0
description:
  - Writes the SQL statements one or many Database Security Service (DBSS) audit instances recorded over a period to
    a JSON Lines file on the host that runs the module, with C(<dest>.sha256) beside it, and returns only a summary
    (the number of statements, per instance, and the file's SHA-256). For tens of thousands of statements, which
    would be slow and heavy as a task result, and for evidence that an auditor can check with C(sha256sum -c).
  - Reads exactly what M(hwcloud.dbaudit.dbss_sql_info) returns for the same options (same API, windows, filters,
    O(mask_literals) and order), and writes each element of its RV(hwcloud.dbaudit.dbss_sql_info#module:sqls) as one
    line.
  - "File format: UTF-8, one JSON object a line, newest first, keys sorted and no spaces between items, so the same
    statements always give the same bytes. C(<dest>.sha256) holds one line, C(<sha256>  <file name>), the format of
    C(sha256sum): C(cd <folder> && sha256sum -c <file name>.sha256) checks the file."
  - Idempotent. When O(dest) already holds exactly these bytes (and C(<dest>.sha256) the matching line), nothing is
    written and the task reports C(changed=false).
  - The file is written to a temporary file in the same folder while it is hashed, and renamed into place only
    once complete; an evidence file is complete or absent, never partial.
author:
  - hwcloud.dbaudit contributors (@hwcloud)
options:
  dest:
    description:
      - The JSON Lines file to write, for example V(/srv/evidence/dbss/2026-11.jsonl). C(<dest>.sha256) is written
        beside it.
      - A missing folder is created (mode C(0750)), as M(hwcloud.dbaudit.rds_auditlog_download) does; in check mode
        nothing is created.
      - Only a regular file is replaced. A symbolic link (even to a regular file), a directory, a FIFO, a socket or a
        device at O(dest) or at C(<dest>.sha256) is refused before any request, with an error naming the path; it is
        never opened nor followed. The existing file is read (to compare it) without following a link nor waiting on
        a FIFO.
      - The file and C(<dest>.sha256) are written with mode C(0600) (the statements may hold personal data), unless
        O(mode) says otherwise.
    type: path
    required: true
  limit:
    description:
      - How many statements are written at most, in total over every instance, newest first (1 to 200000).
      - The default is the maximum, as an export is expected to hold every statement of the period. When the limit is
        reached, older statements may exist that are not in the file; RV(limit_reached) is then true and a warning says
        so.
    type: int
    default: 200000
extends_documentation_fragment:
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.audit_sql_query
  - hwcloud.dbaudit.concurrency
  - hwcloud.dbaudit.audit_records
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    description: Reads the statements and compares them with O(dest); writes nothing, and C(changed) tells whether
      the task would write.
  diff_mode:
    support: full
    description: The diff is the SHA-256 and the number of statements of O(dest) before and after (and its mode or
      owner when O(mode), O(owner) or O(group) change them), never the statements.
notes:
  - Reads C(ListAuditSqlsNew) (C(POST /v2/{project_id}/audit/{instance_id}/sqls)) as M(hwcloud.dbaudit.dbss_sql_info)
    does, 100 statements a page, windows and instances side by side on one bounded pool (O(concurrency)).
  - Partial failure. When an audit instance fails, the task fails with an error naming each failed instance (with
    the HTTP status, service error code and request id), and O(dest) and C(<dest>.sha256) are left untouched. The
    result tells how many statements were fetched (RV(statements)), from which instances (RV(statements_by_instance))
    and which instances failed (RV(failed_instances)). Run the task again once the instances answer.
  - An incomplete export is said loudly. Every window the service may not have served whole is named in a warning
    and in RV(truncated_windows), and a reached O(limit) in a warning and RV(limit_reached); the file is still
    written (it holds every statement that was served), so assert on these keys when the evidence must be complete.
  - Secrets never reach the file. The value of every C(no_log) option (O(secret_key), O(password), O(auth_token),
    O(security_token)) and every credential obtained at run time is looked for in each line; a statement that holds
    one (an application may send anything) is written as Ansible would show it in a task result, with the value
    replaced (C(********) or C(VALUE_SPECIFIED_IN_NO_LOG_PARAMETER)), and a warning counts those statements.
  - O(unsafe_writes) is ignored; the file is always replaced atomically.
seealso:
  - module: hwcloud.dbaudit.dbss_sql_info
  - module: hwcloud.dbaudit.rds_auditlog_download
'''

EXAMPLES = r'''
- name: Every audit instance
  hwcloud.dbaudit.dbss_instance_info:
  register: dbss

- name: Export the statements of the last 7 days, literals masked
  hwcloud.dbaudit.dbss_sql_export:
    instance_ids: "{{ dbss.instances | map(attribute='id') }}"
    start_time: -7d
    end_time: now
    mask_literals: true
    dest: /tmp/dbss-evidence/statements-last-week.jsonl
  register: export

- name: Fail when the export is not complete
  ansible.builtin.assert:
    that:
      - export.truncated_windows | length == 0
      - not export.limit_reached
    fail_msg: "{{ export.dest }} does not hold every statement of the period"

- name: Verify the file as an auditor would
  ansible.builtin.command:
    cmd: sha256sum --check --quiet statements-last-week.jsonl.sha256
    chdir: /tmp/dbss-evidence
  changed_when: false

- name: Every high-risk statement of one user over two days, readable by the audit team
  hwcloud.dbaudit.dbss_sql_export:
    instance_ids: "{{ dbss.instances | map(attribute='id') }}"
    start_time: -2d
    risk_levels: [HIGH]
    db_user: jdoe
    dest: /tmp/dbss-evidence/high-risk.jsonl
    mode: "0640"
  register: high_risk

- name: Say what was exported
  ansible.builtin.debug:
    msg: "{{ high_risk.statements }} statements in {{ high_risk.dest }} (sha256 {{ high_risk.sha256 }})"
'''

RETURN = r'''
api_retries:
  description: >-
    One line per retried request, whatever the verbosity. Scrubbed of every credential like every message; each line
    is cut at 500 characters, and after 50 lines one last line counts the retries not listed.
  returned: when a request was retried
  type: list
  elements: str
checksum_file:
  description: The absolute path of the checksum file, C(<dest>.sha256).
  returned: success
  type: str
  sample: /srv/evidence/dbss/2026-11.jsonl.sha256
dest:
  description: The absolute path of O(dest).
  returned: always
  type: str
  sample: /srv/evidence/dbss/2026-11.jsonl
diff:
  description: The SHA-256 and the number of statements of O(dest) before (empty when there was no file) and after.
  returned: success
  type: dict
  sample: {"after": {"sha256": "9f86d08...", "statements": 60000}, "before": {}}
end_time:
  description: The end of the period that was read, UTC.
  returned: always
  type: str
  sample: "2026-11-23T00:00:00+0000"
failed_instances:
  description: The audit instances that failed; O(dest) was not written.
  returned: failure
  type: list
  elements: str
limit_reached:
  description:
    - Whether O(limit) statements were found; older ones may then exist that are not in the file (a warning says so).
  returned: always
  type: bool
sha256:
  description: SHA-256 of the file's bytes (hex), as written in C(<dest>.sha256).
  returned: success
  type: str
  sample: 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
size:
  description: Size of the file in bytes.
  returned: success
  type: int
  sample: 31457280
start_time:
  description: The start of the period that was read, UTC.
  returned: always
  type: str
  sample: "2026-11-22T00:00:00+0000"
statements:
  description: How many statements the file holds (on a failure, how many were fetched before it; none was written).
  returned: always
  type: int
  sample: 60000
statements_by_instance:
  description: How many statements of each selected audit instance the file holds (on a failure, were fetched).
  returned: always
  type: dict
  sample: {"0b4a6cd1-5b8f-4fa6-a2d0-3f1f0e8f4c11": 30000, "8c53ed03-8ed7-4ff2-ad97-7b2d6d1dd364": 30000}
truncated_windows:
  description:
    - The time windows of which the service may not have returned every matching statement (see
      M(hwcloud.dbaudit.dbss_sql_info)); each is also named in a warning. An empty list when nothing is missing.
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
      description: How many statements of the window are in the file.
      type: int
    start_time:
      description: Start of the window, UTC.
      type: str
    total:
      description: How many statements the service reports for the window.
      type: int
'''

import os

from ansible.module_utils.common.parameters import remove_values

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import INSTANCE_SELECTION_KWARGS
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.jsonl_evidence import JsonLinesExport, check_export_path
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import format_api_time
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_audit_data import MAX_LIMIT
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.sql_query_module import AuditSqlQueryModule, audit_sql_query_spec
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError


class DbssSqlExportModule(AuditSqlQueryModule):
    argument_spec = dict(audit_sql_query_spec(MAX_LIMIT), dest=dict(type='path', required=True))
    module_kwargs = dict(INSTANCE_SELECTION_KWARGS, add_file_common_args=True)

    def run(self):
        query = self.sql_query()
        dest, checksum_path = check_export_path(self.params['dest'])
        try:
            result = self.fetch_sqls(query)
        except HuaweiCloudError as error:
            raise self._not_written(error, query, dest)
        records = result.pop('sqls')
        if result['limit_reached']:
            self.ansible.warn('%s holds only the newest %d statements (limit); older statements of the period may '
                              'exist and are not in it: raise limit (at most %d), shorten the period or add a filter'
                              % (dest, query.limit, MAX_LIMIT))
        export = JsonLinesExport(dest, checksum_path, check_mode=self.ansible.check_mode)
        written = export.write(records, self.ansible.no_log_values, self._scrub)
        if written['scrubbed']:
            self.ansible.warn('%d statements hold the value of a no_log option or a credential of this task; they '
                              'are written with it replaced, as Ansible shows them in a result' % written['scrubbed'])
        changed = self._set_file_attributes((dest, checksum_path), written['changed'], written['diff'])
        result.update(changed=changed, dest=dest, checksum_file=checksum_path, sha256=written['sha256'],
                      size=written['size'], statements=len(records),
                      statements_by_instance=_counts(records, query.instance_ids), diff=written['diff'])
        return result

    def _scrub(self, record):
        return remove_values(record, self.ansible.no_log_values)

    def _set_file_attributes(self, paths, changed, diff):
        """``mode``, ``owner``, ``group``, SELinux context and attributes of both files, as Ansible's file modules
        set them (in check mode, only compared)."""
        for path in paths:
            if os.path.isfile(path) and not os.path.islink(path):
                file_args = self.ansible.load_file_common_arguments(self.params, path=path)
                changed = self.ansible.set_fs_attributes_if_different(file_args, changed, diff if path == paths[0] else None)
        return changed

    @staticmethod
    def _not_written(error, query, dest):
        """The error of a failed fetch, with what was fetched told in the result and the message: nothing is
        written, so that the evidence file is complete or absent."""
        fetched = error.partial_results or []
        failed = [name for name, _error in getattr(error, 'failures', None) or []] or [
            instance_id for instance_id in query.instance_ids if error.context == 'audit instance %s' % instance_id]
        result = getattr(error, 'result', None) or {}
        error.partial_results = None
        error.result = {
            'changed': False, 'dest': dest, 'statements': len(fetched), 'failed_instances': failed,
            'statements_by_instance': _counts(fetched, query.instance_ids),
            'start_time': result.get('start_time', format_api_time(query.start)),
            'end_time': result.get('end_time', format_api_time(query.end)),
            'truncated_windows': result.get('truncated_windows', []), 'limit_reached': result.get('limit_reached', False),
        }
        error.message = '%s; %s was not written (%d statements were fetched, see statements_by_instance)' % (
            error.message, dest, len(fetched))
        return error


def _counts(records, instance_ids):
    counts = dict((instance_id, 0) for instance_id in instance_ids)
    for record in records:
        counts[record['instance_id']] = counts.get(record['instance_id'], 0) + 1
    return counts


def main():
    DbssSqlExportModule()()


if __name__ == '__main__':
    main()
