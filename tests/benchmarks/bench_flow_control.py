"""Benchmark: adaptive flow control against the API gateway's per-user rate limit (issue 14 §1).

Lists the audit scopes of N audit instances, as ``dbss_scope_info`` does with default options (concurrency 8), on
the simulator, and prints for each run the requests made, how many the gateway refused (429 APIGW.0308), the
wall time and its ratio to the floor (requests needed divided by the allowed rate):
  1. flow control on: 600 instances, 25 requests a second, 50 ms a request, with and without the adaptive
     limiter ("without" is the client as it was before: every request sent at once, refused ones retried);
  2. no flow control on the server, 100 ms a request: the adaptive limiter must cost nothing (it never paces
     until refused).
Run: .venv/bin/python tests/benchmarks/bench_flow_control.py [--instances 600] [--rate 25] [--latency-ms 50]
Figures, not assertions: machines are noisy (the tests assert the throttled share, a count).
"""

import argparse
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
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.errors import HuaweiCloudError  # noqa: E402  pylint: disable=wrong-import-position

REGION = 'cn-north-4'


class _Unpaced:
    """The client before flow control: never waits, ignores answers."""

    @staticmethod
    def acquire():
        return 0.0

    @staticmethod
    def record(_ticket, _throttled):
        return None


class NoFlowControl:
    def limiter_for(self, _endpoint):
        return _Unpaced()


def client_for(sim, workers, flow_control=None, max_rate=None):
    params = {'region': REGION, 'project_id': sim.data.regions[REGION].project_id,
              'access_key': sim.credentials['access_key'], 'secret_key': sim.credentials['secret_key'],
              'endpoints': {'dbss': sim.url, 'rds': sim.url, 'iam': sim.url}, 'max_requests_per_second': max_rate}
    return HuaweiCloudClient(ClientConfig(params, environ={}), pool_size=workers, flow_control=flow_control)


def run(sim, ids, workers, expected, flow_control=None, max_rate=None):
    sim.reset_requests()
    client = client_for(sim, workers, flow_control, max_rate)
    began = time.perf_counter()
    try:
        scopes = list_audit_scopes(client, ids, max_workers=workers)
    except HuaweiCloudError as error:
        # Retries exhausted: what was fetched is kept, the run is reported as not exact.
        print('  (failed: %s)' % str(error)[:160])
        scopes = error.partial_results or []
    elapsed = time.perf_counter() - began
    records = [record for record in sim.requests if record['path'].endswith('/rule/scopes')]
    throttled = sum(1 for record in records if record['throttled'])
    exact = sorted(scope['id'] for scope in scopes) == expected
    return elapsed, len(records), throttled, exact


def line(label, outcome, floor):
    elapsed, requests, throttled, exact = outcome
    ratio = ' %.2fx the floor' % (elapsed / floor) if floor else ''
    return ('  %-34s %7.2f s%s  %4d requests  %4d throttled (%4.1f%%)  %s'
            % (label, elapsed, ratio, requests, throttled, 100.0 * throttled / max(requests, 1),
               'exact' if exact else 'WRONG RESULT'))


def simulator(instances, latency_ms, rate, burst=0):
    config = SimulatorConfig(regions=(REGION,), instances=instances, scopes_per_instance=3, databases_per_instance=0,
                             rds_instances=0, latency_ms=latency_ms, rate_limit=rate, rate_limit_burst=burst)
    return Simulator(config)


def expected_for(sim):
    region = sim.data.regions[REGION]
    ids = [instance['id'] for instance in region.instances]
    needed = sum(max(1, math.ceil(len(region.scopes[instance_id]) / float(SCOPE_PAGE_SIZE))) for instance_id in ids)
    return ids, needed, sorted(scope['id'] for instance_id in ids for scope in region.scopes[instance_id])


def bench_rate_limited(args):
    with simulator(args.instances, args.latency_ms, args.rate, args.burst) as sim:
        ids, needed, expected = expected_for(sim)
        floor = needed / args.rate
        print('\nAudit scopes of %d audit instances, gateway limit %g requests/s (burst %d), %d ms a request, '
              'concurrency %d; floor %d requests / %g per s = %.1f s'
              % (len(ids), args.rate, sim.flow_control['rate_limit_burst'], args.latency_ms, args.workers, needed,
                 args.rate, floor))
        print(line('before (no flow control)', run(sim, ids, args.workers, expected, NoFlowControl()), floor))
        print(line('adaptive (default options)', run(sim, ids, args.workers, expected), floor))
        print('  target: at most 10% throttled, within 1.3x the floor')
        if args.ceiling:
            print(line('max_requests_per_second=%g' % args.ceiling,
                       run(sim, ids, args.workers, expected, max_rate=args.ceiling), floor))


def bench_unlimited(args):
    with simulator(args.instances, args.unlimited_latency_ms, 0) as sim:
        ids, _needed, expected = expected_for(sim)
        print('\nAudit scopes of %d audit instances, no gateway limit, %d ms a request, concurrency %d'
              % (len(ids), args.unlimited_latency_ms, args.workers))
        before = run(sim, ids, args.workers, expected, NoFlowControl())
        after = run(sim, ids, args.workers, expected)
        print(line('before (no flow control)', before, None))
        print(line('adaptive (default options)', after, None))
        print('  adaptive / before: %.2fx the time (target: not slower)' % (after[0] / before[0]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--instances', type=int, default=600)
    parser.add_argument('--rate', type=float, default=25.0, help='the gateway limit, requests a second')
    parser.add_argument('--burst', type=int, default=0, help='the gateway bucket size (0 = the simulator default)')
    parser.add_argument('--latency-ms', type=int, default=50)
    parser.add_argument('--unlimited-latency-ms', type=int, default=100)
    parser.add_argument('--workers', type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument('--ceiling', type=float, help='also run with max_requests_per_second set to this')
    parser.add_argument('--only', choices=('limited', 'unlimited'))
    args = parser.parse_args()
    if args.only != 'unlimited':
        bench_rate_limited(args)
    if args.only != 'limited':
        bench_unlimited(args)


if __name__ == '__main__':
    main()
