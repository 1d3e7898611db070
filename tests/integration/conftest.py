"""Run real ``ansible-playbook`` against the simulator on 127.0.0.1.

Each test is in an integration target, ``targets/<name>/``, beside the playbooks it runs (tests/support/
integration_targets.py): ``run_playbook(name)`` runs the target's own playbook, or one of a target its ``aliases``
need (``needs/target/<other>``), whose folder is on ``sys.path`` too for the helpers a test imports from it.

The collection comes from ``ANSIBLE_COLLECTIONS_PATH`` when set (``make integration`` points it at the built and
installed tarball), otherwise from this checkout.
"""

import json
import os
import subprocess
import sys

import pytest

from hwtest_support import COLLECTIONS_ROOT
from integration_targets import needed_targets, playbook_path, target_dir, target_names
from ocsf_support import check_every_report_under

# A test imports helpers from the test file of a target it needs, whichever file pytest collects first.
for _needed in sorted(set(other for name in target_names() for other in needed_targets(name))):
    if target_dir(_needed) not in sys.path:
        sys.path.append(target_dir(_needed))

BIN_DIR = os.path.dirname(sys.executable)


class PlaybookRun:
    def __init__(self, process, result):
        self.rc = process.returncode
        self.stdout = process.stdout
        self.stderr = process.stderr
        self.result = result

    @property
    def output(self):
        return self.stdout + self.stderr


@pytest.fixture
def ansible_env(sim, tmp_path):
    """A clean environment: simulator endpoints and region, no credentials unless a test adds them."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(('HW_', 'HUAWEICLOUD_SDK_', 'ANSIBLE_'))}
    env.update({
        'ANSIBLE_COLLECTIONS_PATH': os.environ.get('ANSIBLE_COLLECTIONS_PATH') or COLLECTIONS_ROOT,
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_LOCALHOST_WARNING': 'false',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
        'ANSIBLE_LOCAL_TEMP': str(tmp_path / 'ansible-tmp'),
        'ANSIBLE_HOME': str(tmp_path / 'ansible-home'),
        'PATH': BIN_DIR + os.pathsep + os.environ.get('PATH', ''),
        'HW_REGION_NAME': 'cn-north-4',
        'HW_DBSS_ENDPOINT': sim.url,
        'HW_RDS_ENDPOINT': sim.url,
        'HW_IAM_ENDPOINT': sim.url,
    })
    return env


@pytest.fixture
def run_playbook(ansible_env, tmp_path, request):
    target = os.path.basename(os.path.dirname(str(request.node.fspath)))

    def run(name, extra_vars=None, env=None, verbosity=0, check=False, diff=False):
        result_file = tmp_path / ('%s.result.json' % name)
        variables = dict(extra_vars or {}, result_file=str(result_file))
        command = [os.path.join(BIN_DIR, 'ansible-playbook'), playbook_path(target, name),
                   '-e', json.dumps(variables)]
        if verbosity:
            command.append('-' + 'v' * verbosity)
        if check:
            command.append('--check')
        if diff:
            command.append('--diff')
        process = subprocess.run(command, env=dict(ansible_env, **(env or {})), capture_output=True, text=True,
                                 timeout=300, check=False)
        result = json.loads(result_file.read_text()) if result_file.exists() else None
        # Every report the role wrote (in the test's folder or where the test sent it): report.ocsf.json valid against
        # the published OCSF schema and true to report.json.
        check_every_report_under(tmp_path, variables.get('audit_compliance_report_dir'))
        return PlaybookRun(process, result)
    return run
