"""Test support: make the collection importable as ``ansible_collections.hwcloud.dbaudit`` and the simulator importable, for
every test, straight from this checkout (no build or install needed for unit tests)."""

import contextlib
import copy
import os
import re
import sys
import tempfile

# The support modules (tests/support/) are imported by their names: tests/conftest.py and the benchmarks put this
# folder on sys.path.
SUPPORT_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(SUPPORT_DIR))
SIMULATOR_DIR = os.path.join(REPO_ROOT, 'tests', 'simulator')


def _collections_root():
    """A folder holding ``ansible_collections/hwcloud/dbaudit`` that is this checkout."""
    parts = REPO_ROOT.split(os.sep)
    if parts[-3:-2] == ['ansible_collections'] and parts[-2:] == ['hwcloud', 'dbaudit']:
        return os.sep.join(parts[:-3])
    root = tempfile.mkdtemp(prefix='hwcloud-dbaudit-collections-')
    os.makedirs(os.path.join(root, 'ansible_collections', 'hwcloud'))
    os.symlink(REPO_ROOT, os.path.join(root, 'ansible_collections', 'hwcloud', 'dbaudit'))
    return root


COLLECTIONS_ROOT = _collections_root()

if SIMULATOR_DIR not in sys.path:
    sys.path.insert(0, SIMULATOR_DIR)
if COLLECTIONS_ROOT not in sys.path:
    sys.path.insert(0, COLLECTIONS_ROOT)

from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder  # noqa: E402  pylint: disable=wrong-import-position
from ansible.plugins.loader import init_plugin_loader  # noqa: E402  pylint: disable=wrong-import-position
from ansible.utils.collection_loader import AnsibleCollectionConfig  # noqa: E402  pylint: disable=wrong-import-position

if AnsibleCollectionConfig.collection_finder is None:
    init_plugin_loader([COLLECTIONS_ROOT])
assert isinstance(AnsibleCollectionConfig.collection_finder, _AnsibleCollectionFinder)


def load_tool(name):
    """A script of tests/tools/ (``docsite``, ``markdown_links``) as a module, for the unit tests of its checks."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, os.path.join(REPO_ROOT, 'tests', 'tools', name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_dbss_inventory(sim, path, config, environ=None, cache=True):
    """One run of the dbss inventory plugin, loaded by Ansible's plugin loader and parsed into a real InventoryData,
    with only the simulator's endpoints and AK/SK in the environment (``environ`` overrides them; None removes)."""
    from unittest import mock
    from ansible.inventory.data import InventoryData
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import inventory_loader
    path.write_text('plugin: hwcloud.dbaudit.dbss\n' + config)
    clean = dict((key, value) for key, value in os.environ.items() if not key.startswith(('HW_', 'HUAWEICLOUD_SDK_')))
    clean.update(HW_ACCESS_KEY=sim.credentials['access_key'], HW_SECRET_KEY=sim.credentials['secret_key'],
                 HW_DBSS_ENDPOINT=sim.url, HW_IAM_ENDPOINT=sim.url, HW_REGION_NAME='cn-north-4')
    clean.update(environ or {})
    clean = dict((key, value) for key, value in clean.items() if value is not None)
    inventory = InventoryData()
    with mock.patch.dict(os.environ, clean, clear=True):
        plugin = inventory_loader.get('hwcloud.dbaudit.dbss')
        plugin.parse(inventory, DataLoader(), str(path), cache=cache)
        if getattr(plugin, '_cache', None) is not None:
            plugin.update_cache_if_changed()  # as Ansible's InventoryManager does after a parse
    return inventory


@contextlib.contextmanager
def seeded_policies_restored(server, region):
    """The simulator with no fault and an empty request log; its audit log policies of ``region`` are put back as
    seeded afterwards (tests that write policies change them)."""
    live = server.data.regions[region].audit_policies
    seeded = copy.deepcopy(live)
    server.clear_faults()
    server.reset_requests()
    try:
        yield server
    finally:
        server.clear_faults()
        for rds_id, policy in seeded.items():
            live[rds_id].clear()
            live[rds_id].update(policy)


def sim_requests(server, path_pattern=None, method=None):
    """The simulator's request records matching a path regex and method."""
    return [record for record in server.requests
            if (path_pattern is None or re.search(path_pattern, record['path']))
            and (method is None or record['method'] == method)]


class ModuleRun:
    def __init__(self, rc, result, output):
        self.rc = rc
        self.result = result
        self.output = output


def _patch_module_args(args):
    """``ansible.module_utils.testing.patch_module_args`` (ansible-core >= 2.19) or its equivalent for 2.17/2.18,
    which read the module arguments from ``basic._ANSIBLE_ARGS``."""
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:
        import contextlib
        import json
        from unittest import mock

        from ansible.module_utils import basic
        from ansible.module_utils.common.text.converters import to_bytes

        @contextlib.contextmanager
        def patch_module_args(module_args):
            serialized = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': module_args}))
            with mock.patch.object(basic, '_ANSIBLE_ARGS', serialized):
                yield
    return patch_module_args(args)


def run_module(module, args, environ=None):
    """Run a module's ``main()`` in-process with ``args`` and only the given HW_* environment; real HTTP."""
    import contextlib
    import io
    import json
    from unittest import mock

    clean = dict((key, value) for key, value in os.environ.items() if not key.startswith(('HW_', 'HUAWEICLOUD_SDK_')))
    clean.update(environ or {})
    stdout = io.StringIO()
    with mock.patch.dict(os.environ, clean, clear=True), _patch_module_args(args), contextlib.redirect_stdout(stdout):
        try:
            module.main()
            rc = None
        except SystemExit as exit_info:
            rc = exit_info.code
    output = stdout.getvalue()
    return ModuleRun(rc, json.loads(output), output)
