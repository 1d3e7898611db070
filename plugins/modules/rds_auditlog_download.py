#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


DOCUMENTATION = r'''
module: rds_auditlog_download
short_description: Export RDS for MySQL audit log files with a SHA-256 manifest, as evidence for auditors
version_added: 1.1.0
description:
  - Downloads the audit log files of one or many RDS for MySQL instances over any period into a local folder, with
    a C(manifest.json) and a C(SHA256SUMS) that C(sha256sum -c SHA256SUMS) checks, run from O(dest).
  - Lists the files as M(hwcloud.dbaudit.rds_auditlog_info) does (same time forms, 30-day windows, one pool),
    then asks the RDS API for temporary download links (C(POST /v3/{project_id}/instances/{id}/auditlog-links), up
    to 50 files a request, just before they are used) and streams each file from object storage.
  - "Layout: O(dest)/<instance id>/<listed file name> for every file, and O(dest)/manifest.json and
    O(dest)/SHA256SUMS at the top. The manifest records the period, region and project, and for every file the
    instance ID, file ID, listed name, path, begin and end time, listed size (KB), bytes written, SHA-256 and when
    it was fetched."
  - Every file is written to a temporary name in its folder and renamed into place only once complete, so a
    failure or a crash never leaves a partial file under a real name. Memory stays bounded whatever the file size.
  - Idempotent. Files the manifest lists are checked (size and SHA-256); a file that still matches is not fetched
    again, and a second run with the same arguments downloads nothing and reports C(changed=false). A file that no
    longer matches (altered, truncated or deleted) is named in a warning and fetched again.
  - The manifest and C(SHA256SUMS) list exactly the files of this run's selection that are verified. They are
    rewritten only when that changes; with a relative O(start_time) or O(end_time) the period moves with every run,
    so the manifest (and C(changed)) does too. Files outside the selection are never deleted.
author:
  - hwcloud.dbaudit contributors (@hwcloud)
options:
  dest:
    description:
      - The local directory to write into, created (mode C(0750)) when missing. Files are written with mode C(0640).
      - O(dest) itself may be a symbolic link to a directory (for example a mounted evidence store). The folders
        inside it are never followed through a symbolic link, and no file is written outside O(dest), whatever
        name the cloud lists; a name with characters outside letters, digits and C(. _ + = @ -) (such as C(/),
        C(..), NUL or a line break) is saved under a safe name, named in a warning and recorded in the manifest.
        Two files of one run never share a path (a duplicate name gets its file ID, then a counter).
      - A symbolic link to nothing is refused before any request.
      - C(manifest.json) and C(SHA256SUMS) are read back only when they are regular files of the user running the
        task, of at most 64 MiB; a symbolic link, hard link, FIFO, directory or another user's file at that path is
        never read nor followed (a warning says it is not read, and rewritten), and its content never appears in
        the result. Nothing in O(dest) is opened in a way that could block.
      - Before any link is requested, the sizes of the files to fetch are compared with the free space of the file
        system of O(dest); when they do not fit, nothing is fetched.
    type: path
    required: true
  download_timeout:
    description:
      - Seconds one file's transfer may take, from connecting to the last byte (greater than 0, at most 86400). A
        transfer that stalls for O(timeout) seconds is cut off sooner. Either is retried like a failed transfer.
    type: float
    default: 1800
  end_time:
    description:
      - End of the period, after O(start_time).
      - The API's form (V(2026-11-01T00:00:00+0800)), ISO 8601 (V(2026-11-01T00:00:00Z),
        V(2026-11-01T08:00:00+08:00)), a date (V(2026-11-01), midnight UTC), V(now), or a time relative to now
        (V(-30m), V(-24h), V(-7d), V(-2w)).
      - The period lasts at most 732 days, the longest audit log retention of the service.
    type: str
    default: now
  instance_id:
    description:
      - ID of one RDS for MySQL instance. Exactly one of O(instance_id) and O(instance_ids) is required.
    type: str
  instance_ids:
    description:
      - IDs of several RDS for MySQL instances, for example C({{ mysql.instances | map(attribute='id') }}).
        An empty list exports no file (see the notes on a period with no file).
    type: list
    elements: str
  name_filter:
    description:
      - Only files whose listed name matches this shell-style pattern (C(*), C(?), C([...])), case-sensitive, for
        example V(*_Audit_*).
    type: str
  start_time:
    description:
      - Start of the period, in any form O(end_time) accepts.
      - At most 732 days before now (V(-732d)); an earlier start is refused before any request.
    type: str
    default: -24h
extends_documentation_fragment:
  - hwcloud.dbaudit.common
  - hwcloud.dbaudit.concurrency
attributes:
  check_mode:
    support: full
    description: Lists the files and checks what O(dest) holds; asks for no download link and writes nothing.
  diff_mode:
    support: full
    description: The diff is the content of C(SHA256SUMS) before and after.
notes:
  - Download links are bearer credentials. They are never shown (not in the result, not in messages, not at
    C(-vvv)); a file is named by its name and ID. They are fetched without any of the API's credentials.
  - A transfer cut short, a reset connection, an HTTP 5xx or 429 from storage is retried with backoff up to
    O(max_retries) times; an expired link (storage answers HTTP 403) is replaced by a new one and retried.
  - A file that still fails is named in a one-line error with the reason; every other file is fetched, the files
    verified stay and the manifest lists exactly them. RV(files) tells the status of each file.
  - "A file can be checked at any time with C(cd dest && sha256sum -c SHA256SUMS)."
  - A period (and O(name_filter)) with no listed file is named in a warning with a hint at the audit log policy's
    C(keep_days); the task reports C(changed=false) and writes nothing, so no empty C(SHA256SUMS) (which
    C(sha256sum -c) rejects) is left in O(dest), and an earlier export there stays as it was.
  - An export that would fetch more than 10 GiB is named in a warning, in check mode too.
seealso:
  - module: hwcloud.dbaudit.rds_auditlog_info
  - module: hwcloud.dbaudit.rds_auditlog_policy_info
'''

EXAMPLES = r'''
- name: Export the third quarter of two instances as evidence
  hwcloud.dbaudit.rds_auditlog_download:
    instance_ids:
      - 7a1bd9e4a12a4d4f9a4f1f4bbd0f8a2din01
      - 3c2f0be1d1e44b0c8d7a6f5e4d3c2b1ain01
    start_time: "2026-07-01T00:00:00+08:00"
    end_time: "2026-10-01T00:00:00+08:00"
    dest: /srv/evidence/rds-audit/2026-Q3
  register: q3

- name: Verify the export as an auditor would
  ansible.builtin.command:
    cmd: sha256sum --check --quiet SHA256SUMS
    chdir: /srv/evidence/rds-audit/2026-Q3
  changed_when: false

- name: What would be fetched for the last 7 days (no link requested, nothing written)
  hwcloud.dbaudit.rds_auditlog_download:
    instance_id: 7a1bd9e4a12a4d4f9a4f1f4bbd0f8a2din01
    start_time: -7d
    dest: /srv/evidence/rds-audit/last-week
  check_mode: true
  register: plan

- name: Only the files of the first of November
  hwcloud.dbaudit.rds_auditlog_download:
    instance_id: 7a1bd9e4a12a4d4f9a4f1f4bbd0f8a2din01
    start_time: 2026-11-01
    end_time: 2026-11-02
    name_filter: "*_20261101*"
    dest: /srv/evidence/rds-audit/2026-11-01
'''

RETURN = r'''
api_retries:
  description: >-
    One line per retried request or transfer, whatever the verbosity. Scrubbed of every credential like every
    message; each line is cut at 500 characters, and after 50 lines one last line counts the retries not listed.
  returned: when a request was retried
  type: list
  elements: str
counts:
  description: How many files ended in each status, and the bytes fetched by this run.
  returned: always
  type: dict
  contains:
    bytes_downloaded:
      description: Bytes written by this run (downloaded and replaced files).
      type: int
    downloaded:
      description: Files fetched for the first time.
      type: int
    failed:
      description: Files that could not be fetched.
      type: int
    listed:
      description: Files listed for the period (after O(name_filter)).
      type: int
    present:
      description: Files already in O(dest) and verified against the manifest.
      type: int
    replaced:
      description: Files that no longer matched the manifest and were fetched again.
      type: int
    would_download:
      description: In check mode, files that would be fetched.
      type: int
    would_replace:
      description: In check mode, files that would be fetched again.
      type: int
  sample: {"bytes_downloaded": 1048576, "downloaded": 4, "failed": 0, "listed": 6, "present": 2, "replaced": 0,
           "would_download": 0, "would_replace": 0}
dest:
  description: The absolute path of O(dest).
  returned: always
  type: str
  sample: /srv/evidence/rds-audit/2026-Q3
end_time:
  description: The end of the period, in the API's form (UTC).
  returned: always
  type: str
  sample: "2026-10-01T00:00:00+0000"
files:
  description: Every listed file, sorted by begin time, with its manifest entry and its status.
  returned: always
  type: list
  elements: dict
  contains:
    begin_time:
      description: Start of the file, as listed.
      type: str
    bytes:
      description: Bytes written; null for a file not fetched.
      type: int
    end_time:
      description: End of the file, as listed.
      type: str
    fetched_at:
      description: When the file was fetched (UTC, the API's form); kept from the manifest for a present file.
      type: str
    id:
      description: Audit log file ID.
      type: str
    instance_id:
      description: ID of the RDS instance.
      type: str
    name:
      description: File name as listed.
      type: str
    path:
      description: Path of the file relative to O(dest), C(<instance id>/<name>) (a safe name, see O(dest)).
      type: str
    reason:
      description: Why the file failed.
      type: str
      returned: when status is C(failed)
    sha256:
      description: SHA-256 of the file (hex); null for a file not fetched.
      type: str
    size:
      description: Size in KB, as listed.
      type: float
    status:
      description: What became of the file.
      type: str
      choices: [present, downloaded, replaced, failed, would_download, would_replace]
manifest:
  description: Path of C(manifest.json).
  returned: always
  type: str
  sample: /srv/evidence/rds-audit/2026-Q3/manifest.json
sha256sums:
  description: Path of C(SHA256SUMS).
  returned: always
  type: str
  sample: /srv/evidence/rds-audit/2026-Q3/SHA256SUMS
start_time:
  description: The start of the period, in the API's form (UTC).
  returned: always
  type: str
  sample: "2026-07-01T00:00:00+0000"
'''

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds_auditlog_export import AuditLogExport, download_timeout
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.base_module import HuaweiCloudModule
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import (
    INSTANCE_SELECTION_KWARGS,
    concurrency_spec,
    instance_selection_spec,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.object_storage import ObjectStorageSession
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import AUDIT_LOG_RETENTION_DAYS, parse_time_range


class RdsAuditlogDownloadModule(HuaweiCloudModule):
    argument_spec = dict(
        instance_selection_spec(),
        dest=dict(type='path', required=True),
        download_timeout=dict(type='float', default=1800.0),
        end_time=dict(type='str', default='now'),
        name_filter=dict(type='str'),
        start_time=dict(type='str', default='-24h'),
        **concurrency_spec()
    )
    module_kwargs = INSTANCE_SELECTION_KWARGS
    result_key = 'files'

    def run(self):
        start, end = parse_time_range(self.params['start_time'], self.params['end_time'],
                                      retention_days=AUDIT_LOG_RETENTION_DAYS)
        transfer_timeout = download_timeout(self.params['download_timeout'])
        instance_ids = self.selected_instance_ids()
        storage = ObjectStorageSession.beside(self.client, transfer_timeout, self.concurrency)
        export = AuditLogExport(self.client, storage, self.params['dest'], instance_ids, start, end,
                                name_filter=self.params['name_filter'], max_workers=self.concurrency,
                                check_mode=self.ansible.check_mode)
        try:
            return export.run()
        finally:
            storage.close()
            for warning in export.warnings:
                self.ansible.warn(warning)


def main():
    RdsAuditlogDownloadModule()()


if __name__ == '__main__':
    main()
