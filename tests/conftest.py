"""Fixtures shared by every test: the collection importable from this checkout, and one simulator per session."""

import os
import sys

import pytest

# The support code of every test (tests/support/: hwtest_support, hostile_server, ...) is imported by module name.
SUPPORT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'support')
if SUPPORT_DIR not in sys.path:
    sys.path.insert(0, SUPPORT_DIR)

# Importing it sets up the collection loader and sys.path.
import hwtest_support  # noqa: E402,F401  pylint: disable=unused-import,wrong-import-position

REGIONS = ('cn-north-4', 'cn-east-3')

# The integration tests that also run on the older ansible-core lines of `make test` (docs/contributing.md, "Tests"); every
# integration test runs on the newest line, marked or not.
ALL_CORE_LINES = 'all_core_lines'


def pytest_configure(config):
    config.addinivalue_line(
        'markers', '%s: an integration test that runs on every ansible-core line of the matrix, not only on the newest '
        '(every module, the inventory plugin and the role at least once, and what differs between lines)' % ALL_CORE_LINES)


@pytest.fixture(scope='session')
def simulator():
    from dbaudit_simulator import Simulator, SimulatorConfig
    server = Simulator(SimulatorConfig(regions=REGIONS))
    server.start(host='127.0.0.1', port=0)
    yield server
    server.stop()


@pytest.fixture
def sim(simulator):
    simulator.clear_faults()
    simulator.reset_requests()
    simulator.set_instance_shape('servers')
    yield simulator
    simulator.clear_faults()
    simulator.set_instance_shape('servers')
