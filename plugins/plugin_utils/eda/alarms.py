# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.dbaudit contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The polling logic of the ``hwcloud.dbaudit.dbss_alarms`` Event-Driven Ansible source (extensions/eda), kept here
so that it is tested and linted with the rest of the collection; the source only runs it on a thread and puts what
it returns on the rulebook's queue.

Each poll reads, per audit instance, the alarm log (and with ``statements`` the HIGH-risk audited statements) from
the instance's watermark minus ``LOOKBACK`` (records the service files a little late are still found) up to now,
through the shared client (its retries, flow control and secret scrubbing) and the modules' own readers
(``dbss_audit_data``), so events carry the fields exactly as ``dbss_alarm_info`` and ``dbss_sql_info`` return them.
An ID already emitted is skipped; the seen-ID set only keeps IDs that a later poll can still return (newer than the
oldest watermark minus ``LOOKBACK``) and at most ``MAX_SEEN`` of them, so memory stays bounded however long it runs.
An instance whose read failed keeps its watermark (read again next time: no gap); the others advance.
"""

import copy
import datetime
import math

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HAS_REQUESTS, HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.common_options import common_argument_spec
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig, check_id
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import list_audit_instances
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_audit_data import (
    ALARM_RISK_LEVELS,
    alarm_query,
    list_records,
    sql_query,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError, HuaweiCloudError, clip
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import UTC, format_api_time, parse_record_time
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.eda import cursor as eda_cursor

SOURCE = 'hwcloud.dbaudit.dbss_alarms'
DEFAULT_RISK_LEVELS = ['HIGH', 'MEDIUM']
DEFAULT_INTERVAL = 60
MAX_INTERVAL = 86400
# Records the audit files up to this long after their time are still emitted (at the cost of re-reading them).
LOOKBACK = datetime.timedelta(minutes=5)
# The audit instance list is read again this often (and at every poll that follows a failed listing).
INSTANCE_REFRESH = datetime.timedelta(minutes=10)
# Records read per poll at most; a busier span is read in halves, the rest at the next polls (never dropped).
POLL_LIMIT = 5000
# One poll never reads more than this span; a cursor days old is caught up over several polls.
MAX_POLL_SPAN = datetime.timedelta(days=1)
# IDs remembered at most, per kind; only IDs a later poll can return again are kept anyway.
MAX_SEEN = 100000
MAX_WORKERS = 4
EVENT_TYPES = {'alarms': 'dbss_alarm', 'statements': 'dbss_statement'}
RECORD_KEYS = {'alarms': 'alarm', 'statements': 'statement'}
TIME_FIELDS = {'alarms': 'alarm_time', 'statements': 'start_time'}
# Arguments the rulebook engine adds itself.
_ENGINE_ARGS = ('eda_feedback_queue',)


def argument_spec():
    return dict(
        common_argument_spec(),
        cursor_file=dict(type='path'),
        instance_ids=dict(type='list', elements='str'),
        interval=dict(type='float', default=DEFAULT_INTERVAL),
        risk_levels=dict(type='list', elements='str', choices=list(ALARM_RISK_LEVELS), default=list(DEFAULT_RISK_LEVELS)),
        statements=dict(type='bool', default=False),
    )


def check_args(args):
    """``(params, ClientConfig)`` for the source's arguments, with the modules' environment variables and
    defaults; ``HuaweiCloudConfigError`` with one line naming what is wrong, before any request."""
    try:
        return _check_args(args)
    except HuaweiCloudConfigError as error:
        raise HuaweiCloudConfigError('%s: %s' % (SOURCE, error))


def _check_args(args):
    if not isinstance(args, dict):
        raise HuaweiCloudConfigError('the source arguments must be a mapping')
    given = dict((key, value) for key, value in args.items() if key not in _ENGINE_ARGS)
    result = ArgumentSpecValidator(argument_spec()).validate(given)
    if result.error_messages:
        # Ansible's messages name the option and the allowed values; one line for all of them.
        raise HuaweiCloudConfigError('; '.join(clip(message, 300) for message in result.error_messages))
    params = result.validated_parameters
    interval = params['interval']
    if not math.isfinite(interval) or not 1 <= interval <= MAX_INTERVAL:
        raise HuaweiCloudConfigError('interval must be a number of seconds from 1 to %d, got %s'
                                     % (MAX_INTERVAL, clip(args.get('interval'))))
    if params['instance_ids'] is not None:
        if not params['instance_ids']:
            raise HuaweiCloudConfigError('instance_ids must not be empty (leave it out for every ACTIVE audit instance)')
        for instance_id in params['instance_ids']:
            check_id(instance_id, 'instance_ids')
    if not params['risk_levels']:
        raise HuaweiCloudConfigError('risk_levels must name at least one of %s' % ', '.join(ALARM_RISK_LEVELS))
    if not HAS_REQUESTS:
        raise HuaweiCloudConfigError("the Python library requests is missing from the rulebook's Python")
    config = ClientConfig(params)
    if params['cursor_file']:
        eda_cursor.check_cursor_path(params['cursor_file'])
    return params, config


def _second(moment):
    return moment.replace(microsecond=0)


class AlarmPoller:
    """One poll at a time (``poll()`` returns the new events, oldest first); not thread-safe, one thread uses it."""

    def __init__(self, params, config, log, clock=None, client=None):
        self.params = params
        self.config = config
        self._log = log
        self._clock = clock or (lambda: datetime.datetime.now(UTC))
        self.client = client or HuaweiCloudClient(config, log=self._log_retry, pool_size=MAX_WORKERS)
        self.kinds = ('alarms', 'statements') if params['statements'] else ('alarms',)
        self.queries = {'alarms': alarm_query(params['risk_levels']),
                        'statements': sql_query({'risk_levels': ['HIGH']})}
        self.instances = {}
        self._listed_at = None
        self.state = dict((kind, {'watermarks': {}, 'seen': {}}) for kind in eda_cursor.KINDS)
        self._start = _second(self._clock())
        self.cursor_file = params['cursor_file']
        if self.cursor_file:
            cursor = eda_cursor.read_cursor(self.cursor_file)
            if cursor is not None:
                if cursor['region'] != config.region:
                    raise eda_cursor.CursorError("cursor_file '%s': written for region %s, not %s; give each region its "
                                                 "own cursor file" % (clip(self.cursor_file, 200), clip(cursor['region'], 60),
                                                                      config.region))
                self.state = cursor['kinds']
        self.polls = 0

    def close(self):
        self.client.close()

    def _log_retry(self, message):
        self._log('info', message)

    def _scrub(self, text):
        return self.client.secrets.scrub(str(text))

    def _refresh_instances(self, now):
        if self._listed_at is not None and now - self._listed_at < INSTANCE_REFRESH:
            return
        wanted = self.params['instance_ids']
        try:
            listed = list_audit_instances(self.client, statuses=None if wanted else ['ACTIVE'], max_workers=1)
        except HuaweiCloudError as error:
            self._log('warning', '%s: the audit instance list failed, polling the instances known so far: %s'
                      % (SOURCE, self._scrub(error)))
            if wanted and not self.instances:
                self.instances = dict((instance_id, None) for instance_id in wanted)
            return
        names = dict((item['id'], item.get('name')) for item in listed)
        if wanted:
            missing = [instance_id for instance_id in wanted if instance_id not in names]
            if missing:
                self._log('warning', '%s: instance_ids %s are not in the audit instance list; polled anyway'
                          % (SOURCE, ', '.join(clip(item, 80) for item in missing)))
            self.instances = dict((instance_id, names.get(instance_id)) for instance_id in wanted)
        else:
            self.instances = names
        self._listed_at = now

    def poll(self):
        """The events of one poll, oldest first; a cloud failure is logged (no secret, no traceback), never raised."""
        now = _second(self._clock())
        self.polls += 1
        self._refresh_instances(now)
        events = []
        for kind in self.kinds:
            events.extend(self._poll_kind(kind, now))
        return events

    def save_cursor(self):
        """Write the cursor file (when there is one): called once the events of the poll are on the queue, so that a
        stop before that repeats them rather than losing them."""
        if self.cursor_file:
            try:
                eda_cursor.write_cursor(self.cursor_file, self.config.region, self.state)
            except (OSError, IOError) as error:
                self._log('warning', "%s: cursor_file '%s' not written (%s); a restart may repeat this poll's events"
                          % (SOURCE, clip(self.cursor_file, 200), getattr(error, 'strerror', None) or error))

    def safe_poll(self):
        """``poll()`` that never raises: anything unexpected is logged in one scrubbed line and retried next time."""
        # All or nothing: a poll that fails half-way must not leave IDs marked as emitted whose events are dropped.
        before = copy.deepcopy(self.state)
        try:
            return self.poll()
        except Exception as error:  # pylint: disable=broad-except
            self.state = before
            self._log('warning', '%s: poll failed, retried at the next interval: %s: %s'
                      % (SOURCE, type(error).__name__, clip(self._scrub(error), 500)))
            return []

    def _poll_kind(self, kind, now):
        state = self.state[kind]
        watermarks = state['watermarks']
        if self._listed_at == now:
            for instance_id in list(watermarks):
                if instance_id not in self.instances:
                    # Gone from a list that was read (deleted, no longer ACTIVE): forgotten, so the cursor stays small.
                    del watermarks[instance_id]
        groups = {}
        for instance_id in self.instances:
            # An instance read before goes on from its watermark; a new one starts now.
            key = (watermarks[instance_id], False) if instance_id in watermarks else (self._start, True)
            groups.setdefault(key, []).append(instance_id)
        events = []
        for (watermark, fresh), instance_ids in sorted(groups.items()):
            events.extend(self._read(kind, sorted(instance_ids), watermark, now, fresh))
        self._forget_old_ids(state)
        events.sort(key=lambda event: (event['time'], event['instance_id'], event['id']))
        return [event['event'] for event in events]

    def _read(self, kind, instance_ids, watermark, now, fresh):
        state = self.state[kind]
        start = watermark - LOOKBACK
        end = min(now, watermark + MAX_POLL_SPAN)
        if end < watermark:
            return []
        while True:
            records, truncated, limit_reached, failures = list_records(
                self.client, self.queries[kind], instance_ids, start, end, POLL_LIMIT, MAX_WORKERS)
            if not limit_reached or end - watermark <= datetime.timedelta(seconds=1):
                break
            # More than a poll's worth: the older half first, the rest at the next polls.
            end = watermark + (end - watermark) // 2
        for window in truncated:
            self._log('warning', '%s: the service returned only %d of %s %s of instance %s %s..%s' % (
                SOURCE, window['returned'], window['total'], kind, window['instance_id'], window['start_time'],
                window['end_time']))
        failed = set()
        for instance_id, error in failures:
            failed.add(instance_id)
            self._log('warning', '%s: reading the %s of audit instance %s failed, retried at the next poll: %s'
                      % (SOURCE, kind, clip(instance_id, 80), self._scrub(error)))
        found = []
        for record in records:
            record_id = record.get('id')
            instance_id = record.get('instance_id')
            if instance_id in failed or record_id in state['seen']:
                continue
            moment = parse_record_time(record.get(TIME_FIELDS[kind]))
            state['seen'][record_id] = moment
            if fresh and moment < watermark:
                # From before the start of a new instance's reading: remembered as seen (so that no later poll, nor
                # a restart, takes it for new), never emitted.
                continue
            found.append({'time': moment, 'instance_id': instance_id, 'id': record_id, 'event': {
                'type': EVENT_TYPES[kind],
                'region': self.config.region,
                'instance_id': instance_id,
                'instance_name': self.instances.get(instance_id),
                RECORD_KEYS[kind]: record,
            }})
        for instance_id in instance_ids:
            if instance_id not in failed:
                state['watermarks'][instance_id] = end
        return found

    def _forget_old_ids(self, state):
        # The earliest time a later poll reads from: the oldest watermark, or the start for an instance not read yet.
        marks = list(state['watermarks'].values())
        if any(instance_id not in state['watermarks'] for instance_id in self.instances):
            marks.append(self._start)
        if not marks:
            return
        oldest = min(marks) - LOOKBACK
        seen = state['seen']
        for record_id in [key for key, moment in seen.items() if moment < oldest]:
            del seen[record_id]
        if len(seen) > MAX_SEEN:
            for record_id, _moment in sorted(seen.items(), key=lambda item: item[1])[:len(seen) - MAX_SEEN]:
                del seen[record_id]

    def describe(self):
        """One line for the log: what is polled."""
        return '%s: polling %s of %d audit instance(s) in %s every %g s (risk levels %s)%s' % (
            SOURCE, ' and HIGH-risk '.join(self.kinds), len(self.instances), self.config.region, self.params['interval'],
            ', '.join(self.params['risk_levels']),
            ', cursor %s from %s' % (self.cursor_file, format_api_time(self._start)) if self.cursor_file else '')
