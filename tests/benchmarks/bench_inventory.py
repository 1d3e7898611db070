"""Benchmark: the hwcloud.dbaudit.dbss inventory plugin against a static inventory, and regions side by side.

Prints:
  1. `ansible-inventory --list` time with the plugin on 10,000 audit instances (simulator) beside the same
     command on a static YAML inventory holding the same hosts, variables and groups (target ratio <= 1.5);
  2. 5 regions x 2,000 instances against 1 region of 2,000, both with 100 ms injected latency per request
     (target <= 2x: regions are listed side by side);
  3. 3 accounts (the own one and two through IAM agencies) x 2 regions against 1 account x 1 region, 100 ms latency:
     time and requests (assume calls, project look-ups, list pages), each agency assumed once.
Run: .venv/bin/python tests/benchmarks/bench_inventory.py [--runs 3]
Figures, not assertions: machines are noisy. Each figure is the median of --runs runs.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'support'))


import hwtest_support  # noqa: E402  pylint: disable=wrong-import-position
from simulator_process import ExternalSimulator  # noqa: E402  pylint: disable=wrong-import-position

ANSIBLE_INVENTORY = os.path.join(os.path.dirname(sys.executable), 'ansible-inventory')
REGIONS = ('cn-north-4', 'cn-east-3', 'cn-south-1', 'ap-southeast-1', 'la-south-2')


def environment(sim):
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith(('HW_', 'HUAWEICLOUD_SDK_')))
    env.update(ANSIBLE_COLLECTIONS_PATH=os.environ.get('ANSIBLE_COLLECTIONS_PATH') or hwtest_support.COLLECTIONS_ROOT,
               HW_ACCESS_KEY=sim.credentials['access_key'], HW_SECRET_KEY=sim.credentials['secret_key'],
               HW_DBSS_ENDPOINT=sim.url, HW_IAM_ENDPOINT=sim.url, ANSIBLE_INVENTORY_UNPARSED_FAILED='true')
    return env


def timed(command, env, runs):
    times = []
    for _run in range(runs):
        began = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def simulator(regions, instances, latency_ms=0):
    return ExternalSimulator(['--regions', ','.join(regions), '--instances', str(instances), '--scopes-per-instance',
                              '0', '--databases-per-instance', '0', '--rds-instances', '0', '--latency-ms',
                              str(latency_ms)])


def bench_against_static(workdir, runs):
    source = os.path.join(workdir, 'fleet.dbss.yml')
    static = os.path.join(workdir, 'static.yml')
    with open(source, 'w') as handle:
        handle.write('plugin: hwcloud.dbaudit.dbss\nregion: cn-north-4\n')
    with simulator(('cn-north-4',), 10000) as sim:
        env = environment(sim)
        subprocess.run([ANSIBLE_INVENTORY, '-i', source, '--list', '--yaml', '--output', static], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        sim.reset_requests()
        plugin_time = timed([ANSIBLE_INVENTORY, '-i', source, '--list'], env, runs)
        list_requests = sum(1 for record in sim.requests() if record['path'].endswith('/audit/instances')) // runs
        static_time = timed([ANSIBLE_INVENTORY, '-i', static, '--list'], env, runs)
    print('\n10,000 audit instances, ansible-inventory --list (median of %d runs)' % runs)
    print('  plugin on the simulator: %6.2f s  (%d list requests a run)' % (plugin_time, list_requests))
    print('  static YAML inventory:   %6.2f s' % static_time)
    print('  ratio: %.2f (target <= 1.5)' % (plugin_time / static_time))


def fetch_only(source, sim, runs):
    """Median time of the plugin's fetch phase alone (every region listed, no host added), in-process."""
    from unittest import mock

    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import inventory_loader

    times = []
    with mock.patch.dict(os.environ, environment(sim), clear=True):
        for _run in range(runs):
            plugin = inventory_loader.get('hwcloud.dbaudit.dbss')
            plugin.loader = DataLoader()
            plugin._read_config_data(source)  # pylint: disable=protected-access
            began = time.perf_counter()
            plugin._fetch_targets(plugin._targets(), plugin._concurrency())  # pylint: disable=protected-access
            times.append(time.perf_counter() - began)
    return statistics.median(times)


def bench_regions(workdir, runs, latency_ms):
    end_to_end, fetched = {}, {}
    for label, regions, extra in (('1 region', REGIONS[:1], ''), ('%d regions' % len(REGIONS), REGIONS, ''),
                                  ('%d regions, concurrency 1' % len(REGIONS), REGIONS, 'concurrency: 1\n')):
        source = os.path.join(workdir, 'regions.dbss.yml')
        with open(source, 'w') as handle:
            handle.write('plugin: hwcloud.dbaudit.dbss\nregions: [%s]\n%s' % (', '.join(regions), extra))
        with simulator(regions, 2000, latency_ms) as sim:
            fetched[label] = fetch_only(source, sim, runs)
            if not extra:
                end_to_end[label] = timed([ANSIBLE_INVENTORY, '-i', source, '--list'], environment(sim), runs)
    one, many = '1 region', '%d regions' % len(REGIONS)
    print('\n2,000 audit instances a region, %d ms latency per request (median of %d runs)' % (latency_ms, runs))
    print('  listing only (IAM project look-up and every page of every region):')
    for label, seconds in fetched.items():
        print('    %-28s %6.2f s' % (label, seconds))
    print('    ratio %s / %s: %.2f (target <= 2: regions run side by side)' % (many, one, fetched[many] / fetched[one]))
    print('  ansible-inventory --list end to end (includes adding %dx the hosts and printing them):' % len(REGIONS))
    for label, seconds in end_to_end.items():
        print('    %-28s %6.2f s' % (label, seconds))
    print('    ratio: %.2f' % (end_to_end[many] / end_to_end[one]))


def accounts_source(sim, accounts):
    """An inventory source over the own account and ``accounts - 1`` member accounts through their agency."""
    members = [account for account in sim.get('/_sim/accounts')['accounts'] if account['name'] != 'main'][:accounts - 1]
    lines = ['  - name: own']
    for number, member in enumerate(members):
        lines.append('  - {name: member%d, agency_name: dbaudit_auditor, agency_domain_name: %s}' % (number + 1, member['domain_name']))
    return 'accounts:\n%s\n' % '\n'.join(lines)


def bench_accounts(workdir, runs, latency_ms):
    """3 accounts x 2 regions against 1 account x 1 region, 100 ms latency: listing time and requests."""
    regions = REGIONS[:2]
    figures = {}
    with ExternalSimulator(['--regions', ','.join(regions), '--instances', '500', '--scopes-per-instance', '0',
                            '--databases-per-instance', '0', '--rds-instances', '0', '--latency-ms', str(latency_ms)]) as sim:
        for label, source_regions, accounts in (('1 account x 1 region', regions[:1], 1), ('3 accounts x 2 regions', regions, 3)):
            source = os.path.join(workdir, 'accounts.dbss.yml')
            with open(source, 'w') as handle:
                handle.write('plugin: hwcloud.dbaudit.dbss\nregions: [%s]\n%s' % (', '.join(source_regions),
                                                                                  accounts_source(sim, accounts) if accounts > 1 else ''))
            fetched = fetch_only(source, sim, runs)
            sim.reset_requests()
            requests_before = sim.get('/_sim/agency')['assume_calls']
            began = time.perf_counter()
            subprocess.run([ANSIBLE_INVENTORY, '-i', source, '--list'], env=environment(sim), check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            one_run = time.perf_counter() - began
            records = sim.requests()
            assumed = sim.get('/_sim/agency')['assume_calls']
            figures[label] = (fetched, one_run, len(records),
                              sum(1 for record in records if record['path'].endswith('/securitytokens')),
                              sum(1 for record in records if record['path'].endswith('/v3/projects')),
                              sum(1 for record in records if record['path'].endswith('/audit/instances')),
                              dict((key, value - requests_before.get(key, 0)) for key, value in assumed.items()))
    print('\n500 audit instances an account and region, %d ms latency per request' % latency_ms)
    for label, (fetched, one_run, total, assume, projects, pages, per_agency) in figures.items():
        print('  %-24s listing only %5.2f s (median of %d), ansible-inventory --list %5.2f s' % (label, fetched, runs, one_run))
        print('  %-24s requests in one run: %d (assume %d, project look-ups %d, list pages %d); assumed per agency: %s'
              % ('', total, assume, projects, pages, ', '.join('%s=%d' % item for item in sorted(per_agency.items())) or 'none'))
    one, many = figures['1 account x 1 region'][0], figures['3 accounts x 2 regions'][0]
    print('  ratio 3x2 / 1x1 (listing only): %.2f (6 account x region pairs side by side)' % (many / one))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--latency-ms', type=int, default=100)
    parser.add_argument('--accounts-only', action='store_true', help='only the accounts x regions figures')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        if not args.accounts_only:
            bench_against_static(workdir, args.runs)
            bench_regions(workdir, args.runs, args.latency_ms)
        bench_accounts(workdir, args.runs, args.latency_ms)


if __name__ == '__main__':
    main()
