"""Fixtures shared by the unit tests of the DBSS audit data (statements, alarm log, rules) over real HTTP: one simulator
per session (tests/simulator), reset before each test (tests/support/audit_data_sim.py), and the small hostile server of
tests/support/hostile_server.py for answers the simulator never gives."""

import pytest

from audit_data_sim import REGION, SIM_NOW, AuditData
from hostile_server import HostileServer

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services import dbss_audit_data


@pytest.fixture
def server():
    hostile = HostileServer().start()
    yield hostile
    hostile.stop()


@pytest.fixture(scope='session')
def audit_simulator():
    from dbaudit_simulator import Simulator, SimulatorConfig
    # No statement seeded (each test adds its own), the data clock before every period the tests read.
    simulator = Simulator(SimulatorConfig(regions=(REGION,), now=SIM_NOW, instances=3, rds_instances=0, member_accounts=(),
                                          sql_per_instance_per_day=0))
    simulator.start(host='127.0.0.1', port=0)
    yield simulator
    simulator.stop()


@pytest.fixture
def audit(audit_simulator):
    sim = audit_simulator
    sim.clear_faults()
    sim.reset_requests()
    sim.reset_audit_data()
    sim.set_clip_audit_totals(False)
    sim.set_sql_result_window(10000)
    with sim.recording_exchanges() as exchanges:
        yield AuditData(sim, exchanges)
    sim.clear_faults()


@pytest.fixture
def small_cap(audit, monkeypatch):
    """A service cap of 300 records a query instead of 10,000, on both sides, to keep the tests small."""
    monkeypatch.setattr(dbss_audit_data, 'QUERY_RECORD_CAP', 300)
    audit.sim.set_sql_result_window(300)
    return 300
