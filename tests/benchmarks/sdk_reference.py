"""What a user of the official SDK writes, shared by the benchmarks that compare the collection with it."""

import datetime

from huaweicloudsdkrds.v3 import ListAuditlogsRequest

API_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S%z'
WINDOW = datetime.timedelta(days=30)
AUDIT_LOG_PAGE = 50  # the API's maximum


def sdk_audit_log_files(client, instance_ids, start, end):
    """``[(instance_id, file)]``: every 30-day window of every instance, page after page, one after the other; each
    file once (a file crossing a window boundary is listed by both windows)."""
    files = []
    seen = set()
    for instance_id in instance_ids:
        cursor = start
        while cursor < end:
            window_end = min(cursor + WINDOW, end)
            offset = 0
            while True:
                response = client.list_auditlogs(ListAuditlogsRequest(
                    instance_id=instance_id, start_time=cursor.strftime(API_TIME_FORMAT),
                    end_time=window_end.strftime(API_TIME_FORMAT), offset=offset, limit=AUDIT_LOG_PAGE))
                for item in response.auditlogs or []:
                    if (instance_id, item.id) not in seen:
                        seen.add((instance_id, item.id))
                        files.append((instance_id, item))
                offset += AUDIT_LOG_PAGE
                if offset >= (response.total_record or 0):
                    break
            cursor = window_end
    return files
