"""The real ansible-rulebook with the collection's example rulebook (extensions/eda/rulebooks/dbss_high_alarm.yml)
and its hwcloud.dbaudit.dbss_alarms source against the simulator: one playbook run (one incident bundle) per new HIGH
alarm, none for the alarms of other risk levels, and after a restart with the cursor file none for the alarms already
handled, one for the alarm raised while it was down.

ansible-rulebook is a test dependency of the default ansible-core line only (tests/requirements.txt) and needs Java
17: the test is skipped where either is missing."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from dbaudit_simulator import Simulator, SimulatorConfig

from hwtest_support import COLLECTIONS_ROOT

BIN_DIR = os.path.dirname(sys.executable)
RULEBOOK_BIN = os.path.join(BIN_DIR, 'ansible-rulebook')
REGION = 'cn-north-4'
PLAY_NAME = 'PLAY [Write an incident bundle for a DBSS alarm]'

pytestmark = pytest.mark.skipif(not os.path.exists(RULEBOOK_BIN) or shutil.which('java') is None,
                                reason='ansible-rulebook (tests/requirements.txt, default line only) or Java 17 missing')


def _collections_path():
    return os.environ.get('ANSIBLE_COLLECTIONS_PATH') or COLLECTIONS_ROOT


def _rulebook():
    for root in _collections_path().split(os.pathsep):
        path = os.path.join(root, 'ansible_collections', 'hwcloud', 'dbaudit', 'extensions', 'eda', 'rulebooks',
                            'dbss_high_alarm.yml')
        if os.path.exists(path):
            return path
    raise AssertionError('the collection has no extensions/eda/rulebooks/dbss_high_alarm.yml')


@pytest.fixture
def live_sim():
    """A simulator of its own: the alarms raised here reach no other test."""
    server = Simulator(SimulatorConfig(regions=(REGION,), instances=4, rds_instances=2))
    server.start(host='127.0.0.1', port=0)
    yield server
    server.stop()


class Rulebook:
    """One ansible-rulebook process; ``stop()`` returns its output."""

    def __init__(self, sim, tmp_path, run):
        self.sim = sim
        self.output_file = tmp_path / ('rulebook-%d.log' % run)
        credentials = sim.credentials
        env = {key: value for key, value in os.environ.items() if not key.startswith(('HW_', 'HUAWEICLOUD_SDK_', 'ANSIBLE_'))}
        env.update({
            'PATH': BIN_DIR + os.pathsep + os.environ.get('PATH', ''),
            'ANSIBLE_COLLECTIONS_PATH': _collections_path(),
            'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
            'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
            'HW_REGION_NAME': REGION,
            'HW_ACCESS_KEY': credentials['access_key'],
            'HW_SECRET_KEY': credentials['secret_key'],
            'HW_DBSS_ENDPOINT': sim.url,
            'HW_IAM_ENDPOINT': sim.url,
            'HW_RDS_ENDPOINT': sim.url,
            'HW_MAX_RETRIES': '0',
            'DBSS_INCIDENT_DIR': str(tmp_path / 'incidents'),
        })
        inventory = tmp_path / 'inventory.yml'
        inventory.write_text(json.dumps({'all': {'hosts': {'localhost': {
            'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}}))
        variables = tmp_path / 'vars.yml'
        variables.write_text(json.dumps({'dbss_alarms_cursor_file': str(tmp_path / 'dbss_alarms.cursor'),
                                         'dbss_alarms_interval': 1}))
        self._output = open(str(self.output_file), 'wb')
        self.process = subprocess.Popen(
            [RULEBOOK_BIN, '-r', _rulebook(), '-i', str(inventory), '--vars', str(variables), '-v'],
            env=env, cwd=str(tmp_path), stdout=self._output, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_for_polls(self, count, timeout=120):
        """Until the source has read the alarm log ``count`` more times (a poll reads every instance's)."""
        def polls():
            return len([item for item in self.sim.requests if item['path'].endswith('/alarm-log')])
        target = polls() + count * len(self.sim.data.regions[REGION].instances)
        deadline = time.monotonic() + timeout
        while polls() < target:
            assert self.process.poll() is None, 'ansible-rulebook ended early:\n' + self.output_file.read_text()[-3000:]
            assert time.monotonic() < deadline, 'the source did not poll:\n' + self.output_file.read_text()[-3000:]
            time.sleep(0.2)

    def wait_for_runs(self, count, timeout=180):
        deadline = time.monotonic() + timeout
        while self.runs() < count:
            assert self.process.poll() is None, 'ansible-rulebook ended early:\n' + self.output_file.read_text()[-3000:]
            assert time.monotonic() < deadline, 'expected %d playbook runs:\n%s' % (count, self.output_file.read_text()[-3000:])
            time.sleep(0.5)

    def wait_for_runs_and_no_more(self, count):
        """``count`` runs finished, then five more polls (each the time for a duplicate run to start) and no other
        run started: nothing is handled twice. Started runs are counted, so a duplicate shows as soon as it begins."""
        self.wait_for_runs(count)
        self.wait_for_polls(5)
        assert self.started() == count, self.output_file.read_text()[-3000:]

    def started(self):
        """Playbook runs that started (their play's name printed)."""
        return self.output_file.read_text(errors='replace').count(PLAY_NAME)

    def runs(self):
        """Playbook runs that finished (their recap printed)."""
        text = self.output_file.read_text(errors='replace')
        return min(text.count(PLAY_NAME), text.count('PLAY RECAP'))

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._output.close()
        return self.output_file.read_text(errors='replace')


def _bundles(tmp_path):
    folder = tmp_path / 'incidents'
    return sorted(os.listdir(str(folder))) if folder.exists() else []


def test_one_playbook_run_per_new_high_alarm_and_none_again_after_a_restart(live_sim, tmp_path):
    active = [item for item in live_sim.data.regions[REGION].instances if item['status'] == 'ACTIVE']
    rulebook = Rulebook(live_sim, tmp_path, 1)
    try:
        rulebook.wait_for_polls(2)
        high = [live_sim.raise_alarm(active[0]['id']), live_sim.raise_alarm(active[1]['id'], alarm_type='RISK_DISK')]
        live_sim.raise_alarm(active[0]['id'], alarm_risk='MEDIUM')
        live_sim.add_statement(active[0]['id'])
        rulebook.wait_for_runs_and_no_more(2)
    finally:
        output = rulebook.stop()
    assert output.count(PLAY_NAME) == 2, output[-3000:]
    assert _bundles(tmp_path) == sorted(alarm['id'] for alarm in high)
    for alarm in high:
        event = json.loads((tmp_path / 'incidents' / alarm['id'] / 'alarm.json').read_text())
        assert event['alarm']['id'] == alarm['id'] and event['region'] == REGION
        assert event['instance_name'] in [item['name'] for item in active]
        statements = json.loads((tmp_path / 'incidents' / alarm['id'] / 'statements.json').read_text())
        assert isinstance(statements, list)
    # The statement added beside the first alarm is in its bundle (2 minutes around it).
    first = json.loads((tmp_path / 'incidents' / high[0]['id'] / 'statements.json').read_text())
    assert 'DROP TABLE customers_backup' in [item['sql_statement'] for item in first]
    assert live_sim.credentials['secret_key'] not in output

    # Down for a while: one alarm raised meanwhile. The restart handles it, and nothing handled before.
    during = live_sim.raise_alarm(active[1]['id'])
    restarted = Rulebook(live_sim, tmp_path, 2)
    try:
        restarted.wait_for_runs_and_no_more(1)
    finally:
        output = restarted.stop()
    assert output.count(PLAY_NAME) == 1, output[-3000:]
    assert _bundles(tmp_path) == sorted([alarm['id'] for alarm in high] + [during['id']])
