"""Soak benchmark of the hwcloud.dbaudit.dbss_alarms event source (issue 23): its ``main`` runs for a while (default
10 minutes) against the simulator in its own process, polling every second, while new alarms and HIGH-risk
statements are raised on every ACTIVE audit instance; a flaky minute (every alarm-log request failing) is thrown in.
Prints, once a minute, the source's resident memory, the Python heap (tracemalloc), the remembered IDs and the events
received: memory must stay flat (the seen-ID sets hold only what a later poll can return again).

Run: .venv/bin/python tests/benchmarks/bench_eda_soak.py [--minutes 10] [--interval 1] [--rate 5]
Figures, not assertions (outside make test): the tests assert exactly-once delivery and the bound on the seen IDs.
"""

import argparse
import asyncio
import gc
import logging
import os
import runpy
import sys
import tempfile
import time
import tracemalloc

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'support'))
sys.path.insert(0, HERE)

import hwtest_support  # noqa: E402  pylint: disable=wrong-import-position
from simulator_process import ExternalSimulator  # noqa: E402  pylint: disable=wrong-import-position

REGION = 'cn-north-4'
SOURCE_FILE = os.path.join(hwtest_support.REPO_ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'dbss_alarms.py')


def rss_kib():
    with open('/proc/self/status') as handle:
        for line in handle:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


async def soak(sim, minutes, interval, rate):
    module = runpy.run_path(SOURCE_FILE)
    instances = [item['id'] for item in sim.get('/_sim/data')['regions'][REGION]['instances'] if item['status'] == 'ACTIVE']
    queue = asyncio.Queue()
    cursor = os.path.join(tempfile.mkdtemp(prefix='eda-soak-'), 'cursor.json')
    args = dict(region=REGION, access_key=sim.credentials['access_key'], secret_key=sim.credentials['secret_key'],
                endpoints={'dbss': sim.url, 'iam': sim.url, 'rds': sim.url}, interval=interval, statements=True,
                risk_levels=['HIGH', 'MEDIUM', 'LOW'], cursor_file=cursor, max_retries=0)
    task = asyncio.create_task(module['main'](queue, args))
    session = requests.Session()
    raised = received = 0
    started = time.monotonic()
    next_report = started
    flaky_minute = minutes // 2 if minutes >= 3 else -1
    print('%6s %10s %12s %10s %10s %10s' % ('minute', 'rss KiB', 'heap KiB', 'raised', 'received', 'cursor B'))
    while time.monotonic() - started < minutes * 60:
        minute = int((time.monotonic() - started) // 60)
        if minute == flaky_minute and not getattr(soak, 'flaky', False):
            session.post(sim.url + '/_sim/faults', json={'kind': 'status', 'path': '/alarm-log$', 'status': 503}, timeout=10)
            soak.flaky = True
        elif minute != flaky_minute and getattr(soak, 'flaky', False):
            session.delete(sim.url + '/_sim/faults', timeout=10)
            soak.flaky = False
        for index in range(rate):
            instance = instances[(raised + index) % len(instances)]
            path = '/_sim/alarms' if index % 2 == 0 else '/_sim/sqls'
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: session.post(sim.url + path, json={'instance_id': instance}, timeout=10))
        raised += rate
        while not queue.empty():
            queue.get_nowait()
            received += 1
        if time.monotonic() >= next_report:
            gc.collect()
            heap = tracemalloc.get_traced_memory()[0] // 1024
            size = os.path.getsize(cursor) if os.path.exists(cursor) else 0
            elapsed = (time.monotonic() - started) / 60
            print('%6.1f %10d %12d %10d %10d %10d' % (elapsed, rss_kib(), heap, raised, received, size), flush=True)
            next_report += 60
        await asyncio.sleep(1)
    session.delete(sim.url + '/_sim/faults', timeout=10)
    # Drain: the last raised records come with the next polls.
    for _unused in range(10):
        await asyncio.sleep(interval)
        while not queue.empty():
            queue.get_nowait()
            received += 1
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
    print('raised %d, received %d (every raised alarm and statement is HIGH: equal when none was lost or repeated); '
          '%d failed reads logged (the flaky minute)' % (raised, received, WARNINGS.count))


class _Counter(logging.Handler):
    count = 0

    def emit(self, record):
        _Counter.count += 1


WARNINGS = _Counter()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--minutes', type=int, default=10)
    parser.add_argument('--interval', type=float, default=1)
    parser.add_argument('--rate', type=int, default=4, help='alarms and statements raised a second')
    options = parser.parse_args()
    logger = logging.getLogger('hwcloud.dbaudit.dbss_alarms')
    logger.addHandler(WARNINGS)
    logger.propagate = False
    tracemalloc.start()
    with ExternalSimulator(['--instances', '12', '--regions', REGION]) as sim:
        asyncio.run(soak(sim, options.minutes, options.interval, options.rate))


if __name__ == '__main__':
    main()
