"""Fixtures shared by the unit tests of the DBSS audit data (statements, alarm log, rules) over real HTTP: a small
local server (tests/support/hostile_server.py) answering the official SDK's shapes (tests/support/dbss_audit_server.py)."""

import pytest

from dbss_audit_server import AuditData
from hostile_server import HostileServer

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services import dbss_audit_data


@pytest.fixture
def server():
    hostile = HostileServer().start()
    yield hostile
    hostile.stop()


@pytest.fixture
def audit(server):
    return AuditData(server)


@pytest.fixture
def small_cap(audit, monkeypatch):
    """A service cap of 300 records a query instead of 10,000, on both sides, to keep the tests small."""
    monkeypatch.setattr(dbss_audit_data, 'QUERY_RECORD_CAP', 300)
    audit.cap = 300
    return 300
