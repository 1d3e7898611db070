"""The simulator in its own process, as a user runs it, for the benchmarks: serving pages then competes with
neither the collection nor the reference client for an interpreter lock."""

import os
import subprocess
import sys
import tempfile
import time

import requests

import hwtest_support


class ExternalSimulator:
    """``with ExternalSimulator(['--instances', '300', ...]) as sim:`` starts it on a free port (``sim.url``)."""

    def __init__(self, arguments):
        self.arguments = list(arguments)
        self.process = None
        self.url = None
        self.credentials = None

    def __enter__(self):
        workdir = tempfile.mkdtemp(prefix='sim-')
        url_file = os.path.join(workdir, 'url')
        env = dict(os.environ, PYTHONPATH=hwtest_support.SIMULATOR_DIR)
        self.process = subprocess.Popen([sys.executable, '-m', 'dbaudit_simulator', '--port', '0', '--url-file', url_file]
                                        + self.arguments, env=env, stdout=subprocess.DEVNULL)
        deadline = time.time() + 60
        while not os.path.exists(url_file):
            if time.time() > deadline or self.process.poll() is not None:
                raise RuntimeError('the simulator did not start')
            time.sleep(0.05)
        with open(url_file) as handle:
            self.url = handle.read().strip()
        os.unlink(url_file)
        os.rmdir(workdir)
        self.credentials = self.get('/_sim/credentials')
        return self

    def __exit__(self, *exc_info):
        self.process.terminate()
        self.process.wait(timeout=30)

    def playbook_env(self, workdir, region):
        """The environment of an ``ansible-playbook`` run against this simulator: its endpoints and credentials (none
        of the caller's own ``HW_*``/SDK settings), the collection from this checkout, Ansible's state in ``workdir``."""
        env = dict((key, value) for key, value in os.environ.items() if not key.startswith(('HW_', 'HUAWEICLOUD_SDK_')))
        env.update(ANSIBLE_COLLECTIONS_PATH=os.environ.get('ANSIBLE_COLLECTIONS_PATH') or hwtest_support.COLLECTIONS_ROOT,
                   HW_REGION_NAME=region, HW_ACCESS_KEY=self.credentials['access_key'],
                   HW_SECRET_KEY=self.credentials['secret_key'],
                   HW_DBSS_ENDPOINT=self.url, HW_RDS_ENDPOINT=self.url, HW_IAM_ENDPOINT=self.url,
                   ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false',
                   ANSIBLE_HOME=os.path.join(workdir, 'home'), ANSIBLE_LOCAL_TEMP=os.path.join(workdir, 'tmp'))
        return env

    def get(self, path):
        return requests.get(self.url + path, timeout=120).json()

    def requests(self):
        return self.get('/_sim/requests')['requests']

    def count_requests(self, suffix):
        return sum(1 for record in self.requests() if record['path'].endswith(suffix))

    def count_requests_prefix(self, prefix):
        return sum(1 for record in self.requests() if record['path'].startswith(prefix))

    def reset_requests(self):
        requests.delete(self.url + '/_sim/requests', timeout=10)
