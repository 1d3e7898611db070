"""The hwcloud.dbaudit.dbss_alarms event source against the simulator over real HTTP: alarms and statements raised
while it runs come out exactly once, across restarts with a cursor file; failures are logged and retried; bad
arguments and hostile cursor files stop it with one line before any request."""

import asyncio
import datetime
import json
import os
import runpy
import stat
import time

import pytest

from dbaudit_simulator import Simulator, SimulatorConfig

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss_audit_data import list_audit_alarms
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudConfigError
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.eda import alarms as eda_alarms
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.eda import cursor as eda_cursor
from ansible_collections.hwcloud.dbaudit.plugins.plugin_utils.eda.alarms import AlarmPoller, check_args

import hwtest_support

REGION = 'cn-north-4'
SOURCE_FILE = os.path.join(hwtest_support.REPO_ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'dbss_alarms.py')
UTC = datetime.timezone.utc


@pytest.fixture
def sim():
    """A simulator per test: the alarms a test raises must reach no other test (nor the shared simulator's data)."""
    server = Simulator(SimulatorConfig(regions=(REGION,), instances=6))
    server.start(host='127.0.0.1', port=0)
    yield server
    server.stop()


def active_instances(sim):
    return [item for item in sim.data.regions[REGION].instances if item['status'] == 'ACTIVE']


def connection(sim, **extra):
    credentials = sim.credentials
    args = dict(region=REGION, access_key=credentials['access_key'], secret_key=credentials['secret_key'],
                endpoints={'dbss': sim.url, 'iam': sim.url, 'rds': sim.url}, max_retries=0)
    args.update(extra)
    return args


class Log:
    def __init__(self):
        self.lines = []

    def __call__(self, level, message):
        self.lines.append((level, message))

    def warnings(self):
        return [message for level, message in self.lines if level == 'warning']


def poller(sim, log=None, **extra):
    params, config = check_args(connection(sim, **extra))
    return AlarmPoller(params, config, log or Log())


def alarm_ids(events):
    return [event['alarm']['id'] for event in events if event['type'] == 'dbss_alarm']


# Arguments ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('extra, named', [
    ({'interval': 0}, 'interval'),
    ({'interval': 'soon'}, 'interval'),
    ({'risk_levels': ['CRITICAL']}, 'risk_levels'),
    ({'risk_levels': []}, 'risk_levels'),
    ({'instance_ids': []}, 'instance_ids'),
    ({'instance_ids': ['..']}, 'instance_ids'),
    ({'region': 'cn north'}, 'region'),
    ({'statments': True}, 'statments'),
    ({'access_key': None}, 'secret_key'),
    ({'cursor_file': '/nonexistent-dir/cursor.json'}, 'cursor_file'),
])
def test_bad_arguments_stop_before_any_request_with_one_line(sim, extra, named):
    with pytest.raises(HuaweiCloudConfigError) as caught:
        check_args(connection(sim, **extra))
    message = str(caught.value)
    assert named in message and '\n' not in message and message.startswith(eda_alarms.SOURCE)
    assert sim.credentials['secret_key'] not in message
    assert sim.requests == []


def test_connection_options_come_from_the_modules_environment_variables(sim, monkeypatch):
    credentials = sim.credentials
    for name, value in (('HW_REGION_NAME', REGION), ('HW_ACCESS_KEY', credentials['access_key']),
                        ('HW_SECRET_KEY', credentials['secret_key']), ('HW_DBSS_ENDPOINT', sim.url),
                        ('HW_IAM_ENDPOINT', sim.url), ('HW_ASSUME_ROLE_DURATION', '1800')):
        monkeypatch.setenv(name, value)
    params, config = check_args({'interval': 5})
    assert config.region == REGION and config.endpoints['dbss'] == sim.url and params['agency_duration'] == 1800
    assert params['risk_levels'] == ['HIGH', 'MEDIUM'] and params['statements'] is False
    # The engine's own argument is accepted and ignored.
    check_args({'interval': 5, 'eda_feedback_queue': object()})


# Events ---------------------------------------------------------------------------------------------------------------

def test_each_new_alarm_of_a_wanted_risk_level_is_emitted_once_with_the_modules_fields(sim):
    source = poller(sim)
    try:
        assert source.poll() == []          # from now: nothing of the seeded history
        first, second = active_instances(sim)[:2]
        high = sim.raise_alarm(first['id'])
        medium = sim.raise_alarm(second['id'], alarm_risk='MEDIUM', alarm_type='RISK_CPU')
        sim.raise_alarm(second['id'], alarm_risk='LOW')
        events = source.poll()
        assert sorted(alarm_ids(events)) == sorted([high['id'], medium['id']])
        assert source.poll() == []
        by_id = dict((event['alarm']['id'], event) for event in events)
        event = by_id[high['id']]
        assert (event['type'], event['region'], event['instance_id'], event['instance_name']) == (
            'dbss_alarm', REGION, first['id'], first['name'])
        # Exactly what dbss_alarm_info returns for the same alarm.
        client = HuaweiCloudClient(ClientConfig(connection(sim)))
        now = datetime.datetime.now(UTC)
        module_view = list_audit_alarms(client, [first['id']], now - datetime.timedelta(hours=1), now)['alarms']
        assert event['alarm'] in module_view
        assert by_id[medium['id']]['instance_name'] == second['name']
    finally:
        source.close()


def test_statements_true_also_emits_new_high_risk_statements(sim):
    source = poller(sim, statements=True, risk_levels=['HIGH'])
    try:
        source.poll()
        instance = active_instances(sim)[2]
        high = sim.add_statement(instance['id'])
        sim.add_statement(instance['id'], risk_level='MEDIUM', sql_statement='GRANT ALL ON *.* TO app')
        alarm = sim.raise_alarm(instance['id'])
        events = source.poll()
        assert [(event['type'], event.get('statement', event.get('alarm'))['id']) for event in events] in (
            [('dbss_alarm', alarm['id']), ('dbss_statement', high['id'])],
            [('dbss_statement', high['id']), ('dbss_alarm', alarm['id'])])
        statement = [event for event in events if event['type'] == 'dbss_statement'][0]
        assert statement['statement']['sql_statement'] == high['sql_statement']
        assert statement['instance_name'] == instance['name']
        assert source.poll() == []
    finally:
        source.close()


def test_instance_ids_limit_the_instances_polled(sim):
    first, second = active_instances(sim)[:2]
    log = Log()
    source = poller(sim, log, instance_ids=[first['id'], 'not-an-instance'])
    try:
        source.poll()
        wanted = sim.raise_alarm(first['id'])
        sim.raise_alarm(second['id'])
        events = source.poll()
        assert alarm_ids(events) == [wanted['id']]
        assert any('not-an-instance' in line for line in log.warnings())
    finally:
        source.close()


# Cursor ---------------------------------------------------------------------------------------------------------------

def test_a_restart_with_the_cursor_emits_no_duplicate_and_no_gap(sim, tmp_path):
    cursor = str(tmp_path / 'cursor.json')
    instance = active_instances(sim)[0]
    source = poller(sim, cursor_file=cursor)
    source.poll()
    source.save_cursor()
    before = sim.raise_alarm(instance['id'])
    assert alarm_ids(source.poll()) == [before['id']]
    source.save_cursor()
    source.close()
    assert stat.S_IMODE(os.stat(cursor).st_mode) == 0o600
    # Raised while the rulebook is down: the restarted source emits it, and only it.
    during = sim.raise_alarm(instance['id'])
    restarted = poller(sim, cursor_file=cursor)
    try:
        assert alarm_ids(restarted.poll()) == [during['id']]
        restarted.save_cursor()
        assert restarted.poll() == []
    finally:
        restarted.close()


@pytest.mark.parametrize('content, reason', [
    (b'not json', 'not the JSON'),
    (b'{"format": "other"}', 'not a cursor'),
    (json.dumps({'format': eda_cursor.CURSOR_FORMAT, 'region': REGION,
                 'kinds': {'alarms': {'seen': {'x': 'yesterday'}}}}).encode(), 'not an ID and a time'),
    (json.dumps({'format': eda_cursor.CURSOR_FORMAT, 'region': 'cn-east-3', 'kinds': {}}).encode(), 'region cn-east-3'),
])
def test_an_unusable_cursor_stops_the_source_with_one_line(sim, tmp_path, content, reason):
    cursor = tmp_path / 'cursor.json'
    cursor.write_bytes(content)
    with pytest.raises(HuaweiCloudConfigError) as caught:
        poller(sim, cursor_file=str(cursor))
    assert reason in str(caught.value) and '\n' not in str(caught.value)


def test_planted_links_and_fifos_are_never_followed_or_read(sim, tmp_path):
    target = tmp_path / 'precious'
    target.write_text('keep me')
    link = tmp_path / 'cursor.json'
    link.symlink_to(target)
    with pytest.raises(HuaweiCloudConfigError, match='regular file'):
        poller(sim, cursor_file=str(link))
    fifo = tmp_path / 'fifo.json'
    os.mkfifo(str(fifo))
    with pytest.raises(HuaweiCloudConfigError, match='regular file'):
        poller(sim, cursor_file=str(fifo))
    # A link planted after the start is replaced by the new cursor, never written through.
    cursor = tmp_path / 'late.json'
    source = poller(sim, cursor_file=str(cursor))
    try:
        cursor.symlink_to(target)
        source.poll()
        source.save_cursor()
    finally:
        source.close()
    assert target.read_text() == 'keep me'
    assert not os.path.islink(str(cursor)) and eda_cursor.read_cursor(str(cursor))['region'] == REGION


# Failures and memory --------------------------------------------------------------------------------------------------

def test_a_failed_poll_is_logged_without_secret_and_its_alarms_come_next_time(sim):
    log = Log()
    source = poller(sim, log)
    try:
        source.poll()
        instance = active_instances(sim)[0]
        alarm = sim.raise_alarm(instance['id'])
        sim.add_fault('status', path='/alarm-log$', status=500)
        assert source.safe_poll() == []
        warnings = log.warnings()
        assert warnings and all('\n' not in line and 'Traceback' not in line for line in warnings)
        assert not any(sim.credentials['secret_key'] in line for line, _level in log.lines)
        assert any('500' in line for line in warnings)
        sim.clear_faults()
        assert alarm_ids(source.safe_poll()) == [alarm['id']]
    finally:
        source.close()


def test_the_seen_ids_stay_bounded(sim, monkeypatch):
    monkeypatch.setattr(eda_alarms, 'MAX_SEEN', 2)
    now = [datetime.datetime.now(UTC)]
    params, config = check_args(connection(sim))
    source = AlarmPoller(params, config, Log(), clock=lambda: now[0])
    try:
        source.poll()
        instance = active_instances(sim)[1]
        for _unused in range(4):
            sim.raise_alarm(instance['id'])
        now[0] += datetime.timedelta(seconds=2)
        assert len(alarm_ids(source.poll())) == 4
        assert len(source.state['alarms']['seen']) <= 2
        # Once past the look-back, no ID is remembered at all.
        now[0] += eda_alarms.LOOKBACK * 2
        source.poll()
        assert source.state['alarms']['seen'] == {}
    finally:
        source.close()


# The source itself ----------------------------------------------------------------------------------------------------

def test_the_source_puts_events_on_the_queue_and_stops_cleanly_when_cancelled(sim, tmp_path):
    main = runpy.run_path(SOURCE_FILE)['main']
    instance = active_instances(sim)[0]
    queue = asyncio.Queue()

    async def scenario():
        task = asyncio.create_task(main(queue, connection(sim, interval=1, cursor_file=str(tmp_path / 'c.json'))))
        # The instance's alarm log read once (the first poll): the alarm raised next is a new one.
        deadline = time.monotonic() + 30
        while not [item for item in sim.requests if item['path'].endswith('/%s/alarm-log' % instance['id'])]:
            assert time.monotonic() < deadline and not task.done(), 'the source did not poll'
            await asyncio.sleep(0.05)
        alarm = sim.raise_alarm(instance['id'])
        event = await asyncio.wait_for(queue.get(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return alarm, event

    alarm, event = asyncio.run(scenario())
    assert event['alarm']['id'] == alarm['id'] and queue.empty()


def test_the_source_refuses_bad_arguments_with_one_line():
    main = runpy.run_path(SOURCE_FILE)['main']
    with pytest.raises(Exception) as caught:
        asyncio.run(main(asyncio.Queue(), {'region': REGION, 'auth_token': 'x', 'interval': -1}))
    assert type(caught.value).__name__ == 'SourceArgumentError' and 'interval' in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
