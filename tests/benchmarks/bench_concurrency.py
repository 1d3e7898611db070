"""Benchmark: concurrent against sequential fetching on the simulator with injected latency.

Prints wall times, the speed-up, and the requests made against the minimum (one per page actually needed):
  1. the audit scopes of 1,000 audit instances;
  2. a 365-day audit log listing (13 windows of at most 30 days, thousands of files).
Run: .venv/bin/python tests/benchmarks/bench_concurrency.py [--latency-ms 50] [--instances 1000]
Figures, not assertions: machines are noisy.
"""

import argparse
import datetime
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'support'))

import hwtest_support  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
from dbaudit_simulator import Simulator, SimulatorConfig  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.concurrency import (  # noqa: E402  pylint: disable=wrong-import-position
    DEFAULT_CONCURRENCY,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.dbss import (  # noqa: E402  pylint: disable=wrong-import-position
    SCOPE_PAGE_SIZE,
    list_audit_scopes,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds import (  # noqa: E402  pylint: disable=wrong-import-position
    AUDIT_LOG_MAX_SPAN,
    AUDIT_LOG_PAGE_SIZE,
    list_audit_logs,
)
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.helpers.times import (  # noqa: E402  pylint: disable=wrong-import-position
    parse_api_time,
    split_windows,
)

REGION = 'cn-north-4'


def client_for(sim, workers):
    config = ClientConfig({'region': REGION, 'project_id': sim.data.regions[REGION].project_id,
                           'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key'],
                           'endpoints': {'dbss': sim.url, 'rds': sim.url, 'iam': sim.url}}, environ={})
    return HuaweiCloudClient(config, pool_size=workers)


def measure(sim, work, workers, path_suffix):
    sim.reset_requests()
    began = time.perf_counter()
    items = work(client_for(sim, workers), workers)
    elapsed = time.perf_counter() - began
    requests = sum(1 for record in sim.requests if record['path'].endswith(path_suffix))
    return elapsed, requests, len(items)


def report(title, minimum, sequential, concurrent, workers):
    seq_time, seq_requests, seq_items = sequential
    con_time, con_requests, con_items = concurrent
    print('\n%s' % title)
    print('  sequential (concurrency 1): %7.2f s  %5d requests  %6d items' % (seq_time, seq_requests, seq_items))
    print('  concurrent (concurrency %d): %7.2f s  %5d requests  %6d items' % (workers, con_time, con_requests, con_items))
    print('  speed-up: %.1fx (target >= 5x)   minimum requests: %d   extra requests: sequential %d, concurrent %d'
          % (seq_time / con_time, minimum, seq_requests - minimum, con_requests - minimum))
    if seq_items != con_items:
        print('  WARNING: the two runs returned different item counts')


def bench_scopes(args):
    config = SimulatorConfig(regions=(REGION,), instances=args.instances, scopes_per_instance=3,
                             databases_per_instance=0, rds_instances=0)
    with Simulator(config) as sim:
        ids = [instance['id'] for instance in sim.data.regions[REGION].instances]
        minimum = sum(max(1, math.ceil(len(sim.data.regions[REGION].scopes[instance_id]) / float(SCOPE_PAGE_SIZE)))
                      for instance_id in ids)
        sim.add_fault('latency', ms=args.latency_ms)

        def work(client, workers):
            return list_audit_scopes(client, ids, max_workers=workers)

        sequential = measure(sim, work, 1, '/rule/scopes')
        concurrent = measure(sim, work, args.workers, '/rule/scopes')
        report('Audit scopes of %d audit instances, %d ms latency per request' % (len(ids), args.latency_ms),
               minimum, sequential, concurrent, args.workers)


def bench_audit_logs(args):
    config = SimulatorConfig(regions=(REGION,), instances=1, scopes_per_instance=0, databases_per_instance=0,
                             rds_instances=3, log_days=370, log_interval_hours=2)
    with Simulator(config) as sim:
        data = sim.data.regions[REGION]
        mysql = {rds['id'] for rds in data.rds_instances if rds['datastore']['type'] == 'MySQL'}
        ids = [rds_id for rds_id, policy in data.audit_policies.items() if policy['keep_days'] > 0 and rds_id in mysql][:args.rds]
        end = sim.now
        start = end - datetime.timedelta(days=365)
        windows = split_windows(start, end, AUDIT_LOG_MAX_SPAN)
        minimum = 0
        for rds_id in ids:
            spans = [(parse_api_time(item['begin_time']), parse_api_time(item['end_time'])) for item in data.audit_logs[rds_id]]
            for begin, finish in windows:
                count = sum(1 for file_begin, file_end in spans if file_end >= begin and file_begin <= finish)
                minimum += max(1, int(math.ceil(count / float(AUDIT_LOG_PAGE_SIZE))))
        sim.add_fault('latency', ms=args.latency_ms)

        def work(client, workers):
            return list_audit_logs(client, ids, start, end, max_workers=workers)

        sequential = measure(sim, work, 1, '/auditlog')
        concurrent = measure(sim, work, args.workers, '/auditlog')
        report('Audit logs of %d RDS instance(s) over 365 days (%d windows), %d ms latency per request'
               % (len(ids), len(windows), args.latency_ms), minimum, sequential, concurrent, args.workers)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--latency-ms', type=int, default=50)
    parser.add_argument('--instances', type=int, default=1000)
    parser.add_argument('--rds', type=int, default=1, help='RDS instances in the audit log listing')
    parser.add_argument('--workers', type=int, default=DEFAULT_CONCURRENCY)
    args = parser.parse_args()
    bench_audit_logs(args)
    bench_scopes(args)


if __name__ == '__main__':
    main()
