"""Benchmark: task time of real ansible-playbook tasks against the official SDK paging sequentially, 100 ms a request.

Two workloads, on the simulator (in its own process) with a latency fault on every API request:
  1. the audit log files of 4 RDS for MySQL instances over 365 days (13 windows of at most 30 days, ~5,800 files):
     hwcloud.dbaudit.rds_auditlog_info against huaweicloudsdkrds ListAuditlogs, window after window, page after page;
  2. the audit scopes of 300 audit instances: hwcloud.dbaudit.dbss_scope_info against huaweicloudsdkdbss
     ListAuditRuleScopesNew, instance after instance.
The collection's figure is the task's own time inside ansible-playbook (module start-up included, the playbook's
fixed start-up excluded): timestamps taken by set_fact right before and right after the task. The SDK's figure is
the time of its calls in this process (no start-up at all, which favours the SDK). Both sides' results are counted
and compared, and so are the API requests each made.
Run: .venv/bin/python tests/benchmarks/bench_latency.py [--latency-ms 100] [--runs 3] [--concurrency 8,16,32]
The collection comes from ANSIBLE_COLLECTIONS_PATH when set, otherwise from this checkout.
Figures, not assertions: machines are noisy. Each figure is the median of --runs runs.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'support'))


from simulator_process import ExternalSimulator  # noqa: E402  pylint: disable=wrong-import-position

from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402  pylint: disable=wrong-import-position
from huaweicloudsdkdbss.v1 import DbssClient, ListAuditRuleScopesNewRequest  # noqa: E402  pylint: disable=wrong-import-position
from huaweicloudsdkrds.v3 import RdsClient  # noqa: E402  pylint: disable=wrong-import-position
from sdk_reference import sdk_audit_log_files  # noqa: E402  pylint: disable=wrong-import-position

ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
REGION = 'cn-north-4'
API_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S%z'
SCOPE_PAGE = 1000  # the SDK's maximum

PLAYBOOK = """---
- name: Time one task
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Start
      ansible.builtin.set_fact:
        began: "{{ now().timestamp() }}"
    - name: The measured task
      %(module)s: "{{ module_args }}"
      register: outcome
    - name: Stop
      ansible.builtin.set_fact:
        ended: "{{ now().timestamp() }}"
    - name: Hand the figures over
      ansible.builtin.copy:
        content: "{{ {'seconds': (ended | float) - (began | float),
                      'ids': outcome[result_key] | map(attribute='id') | list} | to_json }}"
        dest: "{{ result_file }}"
        mode: "0600"
"""


def collection_run(sim, workdir, module, result_key, module_args):
    playbook = os.path.join(workdir, 'play.yml')
    with open(playbook, 'w') as handle:
        handle.write(PLAYBOOK % {'module': module})
    result_file = os.path.join(workdir, 'result.json')
    variables = os.path.join(workdir, 'vars.json')
    with open(variables, 'w') as handle:
        json.dump({'module_args': module_args, 'result_key': result_key, 'result_file': result_file}, handle)
    env = sim.playbook_env(workdir, REGION)
    sim.reset_requests()
    process = subprocess.run([ANSIBLE_PLAYBOOK, playbook, '-e', '@' + variables], env=env, check=False,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if process.returncode != 0:
        raise RuntimeError('ansible-playbook failed (rc %d):\n%s' % (process.returncode, process.stdout[-3000:]))
    with open(result_file) as handle:
        figures = json.load(handle)
    return figures['seconds'], sorted(figures['ids'])


def sdk_run(sim, work):
    sim.reset_requests()
    began = time.perf_counter()
    count = work()
    return time.perf_counter() - began, count


def sdk_audit_logs(client, instance_ids, start, end):
    """What a user of the SDK writes: every window of every instance, page after page; each file once."""
    return sorted(item.id for _instance_id, item in sdk_audit_log_files(client, instance_ids, start, end))


def sdk_scopes(client, instance_ids):
    ids = []
    for instance_id in instance_ids:
        offset = 0
        while True:
            response = client.list_audit_rule_scopes_new(ListAuditRuleScopesNewRequest(
                instance_id=instance_id, offset=str(offset), limit=str(SCOPE_PAGE)))
            ids.extend(scope.id for scope in response.scopes or [])
            offset += SCOPE_PAGE
            if offset >= (response.total or 0):
                break
    return sorted(ids)


def median_of(runs, measure):
    outcomes = [measure() for _run in range(runs)]
    return statistics.median(seconds for seconds, _count in outcomes), outcomes[-1][1]


def report(title, collections, sdk, sdk_requests):
    """``collections``: ``[(concurrency, (seconds, ids), requests)]``, one row each against the same SDK figure."""
    print('\n%s' % title)
    print('  official SDK, sequential:             %6.2f s  %5d requests  %6d items' % (sdk[0], sdk_requests, len(sdk[1])))
    for concurrency, collection, collection_requests in collections:
        print('  hwcloud.dbaudit task, concurrency %2d: %6.2f s  %5d requests  %6d items: %.1fx the SDK (target >= 8x), '
              'identical records: %s' % (concurrency, collection[0], collection_requests, len(collection[1]),
                                         sdk[0] / collection[0], 'yes' if collection[1] == sdk[1] else 'NO'))
    sys.stdout.flush()


def concurrency_list(text):
    values = [int(part) for part in text.split(',') if part.strip()]
    if not values or any(value < 1 or value > 64 for value in values):
        raise argparse.ArgumentTypeError('a comma-separated list of 1 to 64, e.g. 8,16')
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--latency-ms', type=int, default=100)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--concurrency', type=concurrency_list, default=[8, 16, 32],
                        help='the collection\'s concurrency, one row each (default 8,16,32; 8 is the modules\' default)')
    parser.add_argument('--rds', type=int, default=4, help='RDS instances in the audit log listing')
    parser.add_argument('--instances', type=int, default=300, help='audit instances whose scopes are listed')
    parser.add_argument('--skip-sdk', action='store_true', help='only the collection (reuse SDK figures of another run)')
    args = parser.parse_args()

    arguments = ['--regions', REGION, '--instances', str(args.instances), '--scopes-per-instance', '3',
                 '--databases-per-instance', '0', '--rds-instances', str(3 * args.rds), '--log-days', '370',
                 '--log-interval-hours', '6', '--latency-ms', str(args.latency_ms)]
    with ExternalSimulator(arguments) as sim:
        credentials = sim.get('/_sim/credentials')
        region = sim.get('/_sim/data')['regions'][REGION]
        project_id = region['project_id']
        mysql = {rds['id'] for rds in region['rds_instances'] if rds['datastore']['type'] == 'MySQL'}
        rds_ids = [rds_id for rds_id, policy in region['audit_policies'].items() if policy['keep_days'] > 0 and rds_id in mysql][:args.rds]
        audit_ids = [instance['id'] for instance in region['instances']]
        # The data clock of the simulator is its start, truncated to the minute; a year up to now covers it.
        end = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        start = end - datetime.timedelta(days=365)
        sdk_credentials = BasicCredentials(credentials['access_key'], credentials['secret_key'], project_id)
        rds_client = RdsClient.new_builder().with_credentials(sdk_credentials).with_endpoints([sim.url]).build()
        dbss_client = DbssClient.new_builder().with_credentials(sdk_credentials).with_endpoints([sim.url]).build()
        workdir = tempfile.mkdtemp(prefix='bench-latency-')

        # The project ID given to both sides: no IAM look-up before the first page.
        def collection_rows(module, result_key, module_args, path):
            rows = []
            for concurrency in args.concurrency:
                arguments = dict(module_args, concurrency=concurrency)
                outcome = median_of(args.runs, lambda: collection_run(sim, workdir, module, result_key, arguments))
                rows.append((concurrency, outcome, sim.count_requests(path)))
            return rows

        # The project ID given to both sides: no IAM look-up before the first page.
        log_args = {'instance_ids': rds_ids, 'start_time': start.strftime(API_TIME_FORMAT), 'project_id': project_id,
                    'end_time': end.strftime(API_TIME_FORMAT)}
        ours = collection_rows('hwcloud.dbaudit.rds_auditlog_info', 'audit_logs', log_args, '/auditlog')
        if args.skip_sdk:
            sdk, sdk_requests = (float('nan'), []), 0
        else:
            sdk = median_of(args.runs, lambda: sdk_run(sim, lambda: sdk_audit_logs(rds_client, rds_ids, start, end)))
            sdk_requests = sim.count_requests('/auditlog')
        report('Audit logs of %d RDS instances over 365 days, %d ms latency per request' % (len(rds_ids), args.latency_ms),
               ours, sdk, sdk_requests)

        scope_args = {'instance_ids': audit_ids, 'project_id': project_id}
        ours = collection_rows('hwcloud.dbaudit.dbss_scope_info', 'scopes', scope_args, '/rule/scopes')
        if args.skip_sdk:
            sdk, sdk_requests = (float('nan'), []), 0
        else:
            sdk = median_of(args.runs, lambda: sdk_run(sim, lambda: sdk_scopes(dbss_client, audit_ids)))
            sdk_requests = sim.count_requests('/rule/scopes')
        report('Audit scopes of %d audit instances, %d ms latency per request' % (len(audit_ids), args.latency_ms),
               ours, sdk, sdk_requests)


if __name__ == '__main__':
    main()
