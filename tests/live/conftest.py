"""The live kit runs only against a real account: with HW_ACCESS_KEY, HW_SECRET_KEY and HW_REGION_NAME set. Without
them every test here is skipped, so CI (offline) and `make test` (which collects tests/unit, tests/simulator/tests
and tests/integration only) never reach the network. See docs/api-fidelity.md, "Checking against your cloud"."""

import os

import pytest

REQUIRED = ('HW_ACCESS_KEY', 'HW_SECRET_KEY', 'HW_REGION_NAME')


def pytest_collection_modifyitems(config, items):  # pylint: disable=unused-argument
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if not missing:
        return
    skip = pytest.mark.skip(reason='live kit: set %s to run it against a real account' % ', '.join(missing))
    for item in items:
        if os.path.dirname(str(item.fspath)) == os.path.dirname(__file__):
            item.add_marker(skip)
