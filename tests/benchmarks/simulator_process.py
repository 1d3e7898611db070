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
