# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:

    # The period and the bound of the DBSS audit record modules (dbss_sql_info, dbss_alarm_info).
    DOCUMENTATION = r'''
options:
  end_time:
    description:
      - End of the period, after O(start_time).
      - ISO 8601 (V(2026-11-01T00:00:00Z), V(2026-11-01T08:00:00+08:00)), the form V(2026-11-01T00:00:00+0800),
        a date (V(2026-11-01), midnight UTC), V(now), or a time relative to now (V(-30m), V(-24h), V(-7d), V(-2w)).
      - Sent to the service as C(yyyy-MM-dd HH:mm:ss) in UTC, to the second.
      - Zone offsets run from V(-12:00) to V(+14:00); a time must stay within the years 1 to 9999 in UTC.
    type: str
    default: now
  limit:
    description:
      - How many records are returned at most, in total over every instance, newest first (1 to 200000).
      - Reading stops as soon as each instance has given this many records, so a small limit costs few requests
        (100 records a request). Each instance is read up to the limit, then the newest of all are kept.
      - RV(limit_reached) tells when the limit was reached; older records may then exist.
    type: int
    default: 1000
  start_time:
    description:
      - Start of the period, in any form O(end_time) accepts.
      - The period lasts at most 366 days; a longer one is refused before any request.
    type: str
    default: -24h
notes:
  - The service returns at most 10,000 records for one query. The period is read in windows of at most 30 days,
    newest first, and a window that holds more than 10,000 records while more of it is needed is split into smaller
    windows (down to one second) before it is read. A window that still holds more than 10,000 records is read up to
    10,000 and reported in RV(truncated_windows), with a warning; records are never left out silently.
  - Records on the boundary of two windows are returned once.
  - An unknown audit instance fails the task with a message naming it and the service error code; the records read
    before the failure, from every instance, are still returned, and the message names every failed instance.
'''
