# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""DBSS audit data: the SQL statements an audit instance recorded, and its alarm log.

Both APIs take a time range (``yyyy-MM-dd HH:mm:ss``, UTC), filters and a page number, and one query serves at
most ``QUERY_RECORD_CAP`` records whatever its total. So the period is read in time windows, newest first: windows
of at most 30 days, and a window whose total reaches the cap while more of it is needed is split into smaller
windows (down to one second) before anything more of it is read: a total at the cap may be the cap itself (the console
shows at most 10,000), so it means "possibly more". A one-second window that still reaches the cap is read up to the
cap and reported in ``truncated_windows``, never left out silently. The service's time range includes both ends, so
records are de-duplicated by ID before anything counts towards ``limit``.

Each instance's windows are read one after the other, so that reading stops as soon as the instance has given
``limit`` records; the pages of a window, and the windows of different instances, are fetched side by side on the
bounded pool. Where ``limit`` is known to exceed what a window holds (its total is over the cap, so not a clipped
one, and no more than still wanted), the parts it is split into are read side by side too: all of them are needed.
Records are then merged newest first and cut to ``limit``.
"""

import datetime
from collections import deque

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.api_fallback import Endpoint, FallbackRoute
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import Subject, failure_of
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import AUDIT_INSTANCES
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, PaginationError, clip
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.pagination import PAGE_NUMBERS, run_listings
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.sql_literals import mask_literals
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import (
    check_span,
    format_api_time,
    format_dbss_time,
    parse_record_time,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.shapes import (
    MISSING,
    ShapeProblem,
    require_object,
    require_text,
    snake_case_keys,
)

# "A maximum of 10,000 records can be retrieved in a query" (DBSS user guide, Viewing SQL Statement Details).
QUERY_RECORD_CAP = 10000
# The page size Huawei's own Terraform provider uses with the DBSS page/size APIs; the API reference gives no maximum.
PAGE_SIZE = 100
FIRST_WINDOW = datetime.timedelta(days=30)
# Every 30 days of period cost at least one request per instance.
MAX_PERIOD_DAYS = 366
DEFAULT_LIMIT = 1000
# An incident or a nightly export may need a few days of a busy instance; the result travels as JSON through
# Ansible, about 0.5 KB a statement, so 200,000 records stay near 100 MB.
MAX_LIMIT = 200000
# A window over the cap is split in 2 to MAX_SPLIT parts, each expected to hold about half the cap.
MAX_SPLIT = 16
# Windows read for one instance before the listing is deemed endless (a server that reports ever larger totals).
MAX_WINDOWS_PER_INSTANCE = 1000

SQL_RISK_LEVELS = ('HIGH', 'LOW', 'MEDIUM', 'NO_RISK')
ALARM_RISK_LEVELS = ('HIGH', 'LOW', 'MEDIUM')
# The SDK's and the API reference's query types together ("OPERATE ALL" is no filter).
QUERY_TYPES = ('CREATE_TABLE', 'CREATE_TABLESPACE', 'CREATE_USER', 'DELETE', 'DROP_TABLE', 'DROP_TABLESPACE',
               'DROP_USER', 'GRANT', 'INSERT', 'INSERT_SELECT', 'LOGIN', 'SELECT', 'SELECT_FOR_UPDATE', 'UPDATE')
SQL_RESPONSES = ('FAILED', 'SUCCESS')
ALARM_TYPES = ('AUDIT_BACKUP_FAILED', 'AUDIT_QPS_OVERFLOW', 'RISK_AGENT', 'RISK_BACKUP', 'RISK_CPU', 'RISK_DISK',
               'RISK_DISK_CAPACITY', 'RISK_MEMORY', 'RISK_RULE')
ALARM_STATUSES = ('DONE', 'UNDO')
# Filters of the statement list sent in the request body and checked again on every record (exact match).
SQL_EXACT_FILTERS = ('client_ip', 'client_name', 'db_ip', 'db_user', 'sql_response')

SQLS_API = 'DBSS POST /v2/{project_id}/audit/{instance_id}/sqls'
ALARMS_API = 'DBSS POST /v2/{project_id}/audit/{instance_id}/alarm-log'
ALARMS_LEGACY_API = 'DBSS POST /v1/{project_id}/{instance_id}/audit/alarm-log'
_WINDOWS = Subject('audit instance', 'audit instances', lambda job: job.progress.instance_id)


def sqls_route():
    """``ListAuditSqlsNew``. The v1 path (``ListAuditSqls``) is being taken offline: no fallback."""
    return FallbackRoute(Endpoint('POST', SQLS_API, lambda project, instance: ('v2', project, 'audit', instance, 'sqls')))


def alarms_route():
    """``ListAuditAlarmLogNew``, falling back to ``ListAuditAlarmLog`` where the gateway does not know v2."""
    return FallbackRoute(
        Endpoint('POST', ALARMS_API, lambda project, instance: ('v2', project, 'audit', instance, 'alarm-log')),
        Endpoint('POST', ALARMS_LEGACY_API, lambda project, instance: ('v1', project, instance, 'audit', 'alarm-log')))


def check_limit(limit, option='limit'):
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= int(limit) <= MAX_LIMIT:
        raise HuaweiCloudConfigError('%s must be between 1 and %d, got %s' % (option, MAX_LIMIT, limit))
    return int(limit)


def check_text_filters(params, names):
    """A text filter given but empty (or blank) is an error, not "no filter"."""
    for name in names:
        value = params.get(name)
        if value is not None and not str(value).strip():
            raise HuaweiCloudConfigError('%s must not be empty' % name)


def check_period(start, end):
    check_span(start, end, MAX_PERIOD_DAYS, reason=' (every 30 days cost at least one request per instance)')


class RecordQuery:
    """What the statement list and the alarm log differ in.

    ``route``: the API's path(s). ``body``: the filters sent. ``items_key``/``total_key``: the answer's keys.
    ``transform(raw, moment_of)``: the record in the result's shape (raises ``ShapeProblem``; ``moment_of`` reads a
    record time, remembered for the query). ``time_field``: the record's time. ``keep(item)``: the filters checked
    on every record. ``newest_first``: the service answers newest first (the first records of a window are the
    newest). ``exact``: every record the service answers matches ``keep``
    (no filter is applied here only), so the first N records of a window are the N newest that match.
    """

    def __init__(self, route, body, items_key, total_key, transform, time_field, keep, newest_first, exact):
        self.route = route
        self.body = body
        self.items_key = items_key
        self.total_key = total_key
        self.transform = transform
        self.time_field = time_field
        self.keep = keep
        self.newest_first = newest_first
        self.exact = exact

    @property
    def takes_newest(self):
        return self.newest_first and self.exact


class _Progress:
    """One instance: the windows still to read (newest first), the records read, how many are still wanted."""

    def __init__(self, instance_id, windows, wanted):
        self.instance_id = instance_id
        self.pending = deque(windows)
        self.wanted = wanted
        self.records = []
        self.error = None
        self.windows_read = 0
        # Record IDs already read (read by the workers of later windows, changed only between windows).
        self.seen = set()

    @property
    def active(self):
        return self.error is None and self.wanted > 0 and bool(self.pending)

    def next_windows(self):
        """The jobs of the next round: the next window, or every leading window wanted whole (side by side)."""
        jobs = []
        while self.active and (not jobs or (jobs[-1].whole and self.pending[0][2])):
            self.windows_read += 1
            if self.windows_read > MAX_WINDOWS_PER_INSTANCE:
                self.error = PaginationError('more than %d time windows, each over the service cap of %d records; '
                                             'stopped after %d records' % (MAX_WINDOWS_PER_INSTANCE, QUERY_RECORD_CAP,
                                                                           len(self.records)))
                self.error.context = AUDIT_INSTANCES.context(self.instance_id)
                return []
            window_start, window_end, whole = self.pending.popleft()
            jobs.append(_WindowJob(self, window_start, window_end, whole))
        return jobs

    def add(self, records):
        # A record on the boundary of two windows may come in both.
        for record in records:
            if record['id'] not in self.seen:
                self.seen.add(record['id'])
                self.records.append(record)
                self.wanted -= 1


class _WindowJob:
    __slots__ = ('progress', 'start', 'end', 'whole', 'parts', 'already_read')

    def __init__(self, progress, start, end, whole):
        self.progress = progress
        self.start = start
        self.end = end
        # Every record of the window is wanted (it lies in a window whose exact total the limit exceeds).
        self.whole = whole
        self.parts = None
        # IDs of this window's records already read in an earlier window (its edge second): returned, not counted.
        self.already_read = set()


def windows_newest_first(start, end, span):
    """Consecutive windows of at most ``span`` covering ``start..end``, counted back from ``end``: the newest window is
    a whole one, the oldest may be shorter."""
    windows = []
    cursor = end
    while cursor > start:
        window_start = max(cursor - span, start)
        windows.append((window_start, cursor))
        cursor = window_start
    return windows


def split_window(start, end, total):
    """Consecutive parts of ``start..end`` in whole seconds, oldest first, each expected to hold about half the cap;
    None when the window is one second or less (it cannot be split)."""
    seconds = int((end - start).total_seconds())
    if seconds < 2:
        return None
    wanted = -(-total // (QUERY_RECORD_CAP // 2)) if total else 2
    parts = max(2, min(MAX_SPLIT, seconds, wanted))
    edges = [start + datetime.timedelta(seconds=seconds * index // parts) for index in range(parts)] + [end]
    return [(edges[index], edges[index + 1]) for index in range(parts)]


def list_records(client, query, instance_ids, start, end, limit, max_workers=8):
    """``(records, truncated_windows, limit_reached, failures)``: the records of every instance between ``start`` and
    ``end``, newest first, at most ``limit``; ``failures`` is ``[(instance_id, error)]`` (their records up to the
    failure are kept)."""
    first_windows = [(window_start, window_end, False)
                     for window_start, window_end in windows_newest_first(start, end, FIRST_WINDOW)]
    progress = [_Progress(instance_id, first_windows, limit) for instance_id in instance_ids]
    truncated = []
    moment_of = _moments()

    def fetch_page(job, page, size):
        body = dict(query.body, time={'start_time': format_dbss_time(job.start), 'end_time': format_dbss_time(job.end)},
                    page=page, size=size)
        return query.route.request(client, job.progress.instance_id, body=body)

    def transform(job, raw):
        item = query.transform(raw, moment_of)
        item['instance_id'] = job.progress.instance_id
        return item

    def keep(job, item):
        # The service's time range includes both ends: a record on the edge of two windows comes in both. One already
        # read is left out here, so that it never counts towards the window's budget (the limit).
        if item['id'] in job.progress.seen:
            job.already_read.add(item['id'])
            return False
        moment = moment_of(item.get(query.time_field))
        return start <= moment <= end and query.keep(item)

    def budget(job, total):
        wanted = job.progress.wanted
        # A total at the cap may be the cap itself (a service that reports totals clipped to it): possibly more.
        if total is not None and total >= QUERY_RECORD_CAP and (not query.takes_newest or wanted > QUERY_RECORD_CAP):
            parts = split_window(job.start, job.end, total)
            if parts:
                # Over the cap (not at it) the total is exact: when all of it is wanted, so is every part.
                whole = job.whole or (total > QUERY_RECORD_CAP and wanted is not None and wanted >= total)
                job.parts = [(part_start, part_end, whole) for part_start, part_end in parts]
                return 0
        return wanted if query.newest_first else None

    while True:
        jobs = []
        for instance in progress:
            jobs.extend(instance.next_windows())
        if not jobs:
            break
        listings = run_listings(jobs, fetch_page, PAGE_SIZE, query.items_key, query.total_key, 'id', transform,
                                max_workers, query.route.current.name, _WINDOWS, PAGE_NUMBERS, QUERY_RECORD_CAP, budget,
                                keep)
        split = []
        for listing in listings:
            job, instance = listing.job, listing.job.progress
            if listing.error is not None:
                instance.error = listing.error
            elif job.parts:
                split.append(job)
                continue
            instance.add(listing.items)
            reached_cap = listing.capped or (listing.total is not None and listing.total >= QUERY_RECORD_CAP)
            if reached_cap and instance.wanted > 0:
                truncated.append({'instance_id': instance.instance_id, 'start_time': format_api_time(job.start),
                                  'end_time': format_api_time(job.end), 'total': listing.total,
                                  'returned': len(listing.items) + len(job.already_read)})
        # Newest first: the parts of the newest window split end up in front.
        for job in reversed(split):
            job.progress.pending.extendleft(job.parts)
    records = _newest_first([instance.records for instance in progress], query.time_field, moment_of)
    failures = [(instance.instance_id, instance.error) for instance in progress if instance.error is not None]
    return records[:limit], truncated, len(records) >= limit, failures


def _moments():
    """``moment_of(value)``: ``parse_record_time`` remembered for each time text of one query; the time of every
    record is read three times (its shape, the period, the final order), and parsing was a tenth of the CPU."""
    known = {}

    def moment_of(value):
        if not isinstance(value, str):
            return parse_record_time(value)
        moment = known.get(value)
        if moment is None:
            moment = known[value] = parse_record_time(value)
        return moment
    return moment_of


def _newest_first(record_lists, time_field, moment_of=parse_record_time):
    """The records of every list, newest first; equal times keep the lists' order, then each list's own order."""
    seconds_of = {}
    keyed = []
    for order, records in enumerate(record_lists):
        for index, record in enumerate(records):
            text = record[time_field]
            seconds = seconds_of.get(text) if isinstance(text, str) else None
            if seconds is None:
                seconds = -moment_of(text).timestamp()
                if isinstance(text, str):
                    seconds_of[text] = seconds
            keyed.append((seconds, order, index, record))
    # (seconds, order, index) is unique to each entry: the records themselves are never compared.
    keyed.sort()
    return [entry[3] for entry in keyed]


def run_record_query(client, query, instance_ids, start, end, limit, result_key, max_workers, finish=None):
    """The module result of a record query: ``result_key``, ``truncated_windows``, ``limit_reached``,
    ``start_time``, ``end_time``. When instances failed, one error names each of them and carries all of it."""
    records, truncated, limit_reached, failures = list_records(client, query, instance_ids, start, end, limit,
                                                               max_workers) if instance_ids else ([], [], False, [])
    if finish is not None:
        records = [finish(record) for record in records]
    result = {result_key: records, 'truncated_windows': truncated, 'limit_reached': limit_reached,
              'start_time': format_api_time(start), 'end_time': format_api_time(end)}
    if failures:
        error = failure_of(failures, records, AUDIT_INSTANCES)
        error.result = result
        raise error
    return result


def _time_problem(field, value, example):
    return ShapeProblem(field, value, 'a time such as %s' % example)


# Audited SQL statements ------------------------------------------------------------------------------------------

def _sql_record(raw, moment_of=parse_record_time):
    # Each item wraps the record: {"sql": {...}}. moment_of: the query's remembered time parser.
    record = require_object(raw.get('sql', MISSING), 'sql')
    try:
        require_text(record, 'id')
        if moment_of(record.get('start_time', MISSING)) is None:
            raise _time_problem('start_time', record.get('start_time', MISSING), '2026-11-01 08:00:00')
        statement = record.get('sql_statement')
        if statement is not None and not isinstance(statement, str):
            raise ShapeProblem('sql_statement', statement, 'a string')
        operated = record.get('operated_obj_info')
        if operated is not None and not isinstance(operated, list):
            raise ShapeProblem('operated_obj_info', operated, 'a list')
    except ShapeProblem as problem:
        raise problem.within('sql')
    item = snake_case_keys(record)
    item['operated_obj_info'] = item.get('operated_obj_info') or []
    return item


def _query_type_key(value):
    # DROP_TABLE as the API documents it, "DROP TABLE" as its console shows it.
    return str(value).strip().upper().replace(' ', '_') if value is not None else None


def sql_query(filters):
    """The statement query for the module's filters (keys as the module's options)."""
    body = dict((name, filters[name]) for name in SQL_EXACT_FILTERS if filters.get(name) is not None)
    if filters.get('query_type') is not None:
        body['query_type'] = filters['query_type']
    if filters.get('statement_contains') is not None:
        body['sql_statement'] = filters['statement_contains']
    risk_levels = sorted(set(filters.get('risk_levels') or []))
    # The API takes one risk level: several are filtered here, from every statement of the period.
    if len(risk_levels) == 1:
        body['risk_levels'] = risk_levels[0]
    body['time_order'] = 'DESC'
    exact_values = dict((name, body[name]) for name in SQL_EXACT_FILTERS if name in body)
    query_type = _query_type_key(filters.get('query_type'))
    fragment = filters['statement_contains'].lower() if filters.get('statement_contains') is not None else None

    def keep(item):
        for name, wanted in exact_values.items():
            if item.get(name) != wanted:
                return False
        if query_type is not None and _query_type_key(item.get('query_type')) != query_type:
            return False
        if risk_levels and item.get('risk_level') not in risk_levels:
            return False
        if fragment is not None and fragment not in (item.get('sql_statement') or '').lower():
            return False
        return True

    return RecordQuery(sqls_route(), body, 'sqls', 'total', _sql_record, 'start_time', keep, newest_first=True,
                       exact=len(risk_levels) <= 1)


def list_audit_sqls(client, instance_ids, start, end, filters=None, limit=DEFAULT_LIMIT, mask=False, max_workers=8):
    """The audited SQL statements of every given instance (see the module ``dbss_sql_info``)."""
    def finish(record):
        if mask:
            record['sql_statement'] = mask_literals(record.get('sql_statement'))
        return record

    return run_record_query(client, sql_query(filters or {}), instance_ids, start, end, limit, 'sqls', max_workers,
                            finish)


# Alarm log ---------------------------------------------------------------------------------------------------------

def _alarm_record(raw, moment_of=parse_record_time):
    # v2 answers snake_case; v1 spells two keys alarmLife and sendEmail.
    item = snake_case_keys(raw)
    require_text(item, 'id')
    if moment_of(item.get('alarm_time', MISSING)) is None:
        raise _time_problem('alarm_time', raw.get('alarm_time', MISSING), '2026-11-01 08:00:00')
    status = item.get('alarm_status', MISSING)
    if status not in ALARM_STATUSES:
        # Whether an alarm was acknowledged is never guessed.
        raise ShapeProblem('alarm_status', status, 'DONE or UNDO')
    item['acknowledged'] = status == 'DONE'
    return item


def alarm_query(risk_levels=None, alarm_type=None, status=None):
    risk_levels = sorted(set(risk_levels or []))
    body = {}
    if risk_levels:
        body['risk'] = risk_levels
    if alarm_type is not None:
        body['type'] = alarm_type
    if status is not None:
        body['status'] = status

    def keep(item):
        return ((not risk_levels or item.get('alarm_risk') in risk_levels)
                and (alarm_type is None or item.get('alarm_type') == alarm_type)
                and (status is None or item.get('alarm_status') == status))

    # The alarm log has no time order: every window is read whole, then sorted here.
    return RecordQuery(alarms_route(), body, 'alarm_log', 'total_num', _alarm_record, 'alarm_time', keep,
                       newest_first=False, exact=True)


def list_audit_alarms(client, instance_ids, start, end, risk_levels=None, alarm_type=None, status=None,
                      limit=DEFAULT_LIMIT, max_workers=8):
    """The alarm log of every given instance (see the module ``dbss_alarm_info``)."""
    return run_record_query(client, alarm_query(risk_levels, alarm_type, status), instance_ids, start, end, limit,
                            'alarms', max_workers)


def describe_window(window):
    """``instance X 2026-... .. 2026-...``: a truncated window in one line (for warnings)."""
    return '%s %s..%s' % (clip(window['instance_id'], 80), window['start_time'], window['end_time'])
