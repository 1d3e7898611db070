"""Benchmark: audited SQL statements with hwcloud.dbaudit.dbss_sql_info against the official SDK (the first row of
issue "Speed at scale"), and where the module's time goes.

The simulator (in its own process) seeds about 60,000 statements on 2 audit instances over 7 days and answers every
request after 50 ms. The module runs in a real ansible-playbook (concurrency 8, a limit above what the instances hold,
windows split under the service's 10,000-record cap); the SDK loop (huaweicloudsdkdbss ListAuditSqlsNew) pages one
window after the other, 100 a page, with the windows a user would pick by hand to stay under the cap (one a day).
Both sides' statement IDs are compared: the figures count only when they are identical. The same statements are
then exported with hwcloud.dbaudit.dbss_sql_export (a JSON Lines file, only a summary in the result), its file's IDs
compared too. One row per --concurrency value (default 8, the modules' default, 16 and 32).

Then, without latency: the module alone (no controller) for its CPU time per statement, and the same task inside
ansible-playbook for the split between the module's process and Ansible's controller (which decodes the module's
JSON, registers the result and templates it: Ansible's share, not the collection's), and Ansible's own time for a
result of these records: the module's recorded output printed again by a module that does nothing else
(library/replay_result.py). With the SDK's time, that gives the best ratio any module returning these records in its
result could reach. ``--profile FILE`` also writes a cProfile of the module alone.

Prints figures; asserts nothing (machines are noisy). Each figure is the median of --runs runs.
Run: ``.venv/bin/python tests/benchmarks/bench_dbss_sql.py [--runs 3] [--concurrency 8,16,32] [--skip-sdk]``.
"""

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'support'))

from module_process import run_module  # noqa: E402  pylint: disable=wrong-import-position
from simulator_process import ExternalSimulator  # noqa: E402  pylint: disable=wrong-import-position

from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402  pylint: disable=wrong-import-position
from huaweicloudsdkdbss.v1 import (  # noqa: E402  pylint: disable=wrong-import-position
    AuditSqlRequest,
    AuditSqlRequestTime,
    DbssClient,
    ListAuditSqlsNewRequest,
)

ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
REGION = 'cn-north-4'
DBSS_TIME = '%Y-%m-%d %H:%M:%S'
API_TIME = '%Y-%m-%dT%H:%M:%SZ'
PAGE = 100

# One timed task between two timestamps; the figures handed over in a file. ``%(module)s`` and ``%(figures)s`` vary.
TIMED_PLAYBOOK = """---
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
        content: "{{ {'seconds': (ended | float) - (began | float), %(figures)s,
                      'truncated': outcome.truncated_windows | length, 'limit_reached': outcome.limit_reached}
                     | to_json }}"
        dest: "{{ result_file }}"
        mode: "0600"
"""
PLAYBOOK = TIMED_PLAYBOOK % {'module': 'hwcloud.dbaudit.dbss_sql_info', 'figures': "'ids': outcome.sqls | map(attribute='id') | list"}
# The same statements written to a JSON Lines file by dbss_sql_export: only a summary reaches the controller; the
# file's IDs are compared with the SDK's by this script.
EXPORT_PLAYBOOK = TIMED_PLAYBOOK % {'module': 'hwcloud.dbaudit.dbss_sql_export',
                                    'figures': "'statements': outcome.statements, 'changed': outcome.changed"}
# Ansible's own share of a result: a module that only prints dbss_sql_info's recorded output (library/replay_result.py).
REPLAY_PLAYBOOK = TIMED_PLAYBOOK % {'module': 'replay_result', 'figures': "'ids': outcome.sqls | map(attribute='id') | list"}
REPLAY_LIBRARY = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'library')


# The task alone, registered as users do: the run's CPU is then start-up, the module and Ansible handling its result.
BARE_PLAYBOOK = """---
- name: Only the task
  hosts: localhost
  gather_facts: false
  tasks:
    - name: The measured task
      hwcloud.dbaudit.dbss_sql_info: "{{ module_args }}"
      register: outcome
"""


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def collection_run(sim, workdir, module_args, bare=False, export=False, replay=None):
    """The task's own time (set_fact timestamps), the whole run's wall and CPU time (controller and module
    processes), and the figures the playbook handed over; ``bare``: the task alone, whole run's figures only;
    ``export``: dbss_sql_export to a new file (``ids`` read from it); ``replay``: a recorded output of dbss_sql_info,
    printed again by a module that does nothing else."""
    playbook = os.path.join(workdir, 'play.yml')
    with open(playbook, 'w') as handle:
        handle.write(REPLAY_PLAYBOOK if replay else BARE_PLAYBOOK if bare else EXPORT_PLAYBOOK if export else PLAYBOOK)
    if replay:
        module_args = {'path': replay}
    dest = os.path.join(workdir, 'export', 'statements.jsonl')
    if export:
        module_args = dict(module_args, dest=dest)
        for path in (dest, dest + '.sha256'):
            if os.path.exists(path):
                os.unlink(path)
    result_file = os.path.join(workdir, 'result.json')
    variables = os.path.join(workdir, 'vars.json')
    with open(variables, 'w') as handle:
        json.dump({'module_args': module_args, 'result_file': result_file}, handle)
    env = sim.playbook_env(workdir, REGION)
    if replay:
        env['ANSIBLE_LIBRARY'] = REPLAY_LIBRARY
    sim.reset_requests()
    cpu = children_cpu()
    began = time.perf_counter()
    process = subprocess.run([ANSIBLE_PLAYBOOK, playbook, '-e', '@' + variables], env=env, check=False,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    whole = time.perf_counter() - began
    cpu = children_cpu() - cpu
    if process.returncode != 0:
        raise RuntimeError('ansible-playbook failed (rc %d):\n%s' % (process.returncode, process.stdout[-3000:]))
    figures = {}
    if not bare:
        with open(result_file) as handle:
            figures = json.load(handle)
    if export:
        with open(dest, encoding='utf-8') as handle:
            figures['ids'] = [json.loads(line)['id'] for line in handle]
    figures.update(whole=whole, cpu=cpu, requests=sim.count_requests('/sqls'))
    return figures


def sdk_run(client, instance_ids, start, end):
    """Instance after instance, day by day (a day stays under the 10,000-record cap here), page after page, one
    request at a time; the next day starts a second later (the API's range includes both ends)."""
    ids = []
    for instance_id in instance_ids:
        cursor = start
        while cursor < end:
            day_end = min(cursor + datetime.timedelta(days=1), end)
            page = 1
            while True:
                body = AuditSqlRequest(time=AuditSqlRequestTime(start_time=cursor.strftime(DBSS_TIME),
                                                                end_time=day_end.strftime(DBSS_TIME)),
                                       page=page, size=PAGE, time_order='DESC')
                response = client.list_audit_sqls_new(ListAuditSqlsNewRequest(instance_id=instance_id, body=body))
                ids.extend(item.sql.id for item in response.sqls or [])
                if page * PAGE >= (response.total or 0):
                    break
                page += 1
            cursor = day_end + datetime.timedelta(seconds=1)
    return ids


def concurrency_list(text):
    values = [int(part) for part in text.split(',') if part.strip()]
    if not values or any(value < 1 or value > 64 for value in values):
        raise argparse.ArgumentTypeError('a comma-separated list of 1 to 64, e.g. 8,16')
    return values


def median(values):
    return statistics.median(values)


def compare_latency(args):
    arguments = ['--regions', REGION, '--instances', str(args.instances), '--log-days', str(args.days),
                 '--sql-per-day', str(-(-args.statements // (args.instances * args.days))),
                 '--latency-ms', str(args.latency_ms), '--member-accounts', '']
    with ExternalSimulator(arguments) as sim:
        counts = sim.get('/_sim/audit-data')['regions'][REGION]['audit_sql_counts']
        instance_ids = sorted(counts)
        end = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        start = end - datetime.timedelta(days=args.days, minutes=5)
        workdir = tempfile.mkdtemp(prefix='bench-sql-')
        project_id = sim.get('/_sim/data')['regions'][REGION]['project_id']
        # The project ID given, as to the SDK: no IAM look-up before the first page.
        module_args = {'instance_ids': instance_ids, 'start_time': start.strftime(API_TIME), 'project_id': project_id,
                       'end_time': end.strftime(API_TIME), 'limit': 200000}
        print('%d audited SQL statements of %d audit instances over %d days, %d ms latency per request'
              % (sum(counts.values()), len(instance_ids), args.days, args.latency_ms))
        rows = []
        for export in (False, True):
            module = 'dbss_sql_export (to a JSON Lines file)' if export else 'dbss_sql_info (records in the result)'
            for concurrency in args.concurrency:
                arguments = dict(module_args, concurrency=concurrency)
                ours = [collection_run(sim, workdir, arguments, export=export) for _run in range(args.runs)]
                last = ours[-1]
                task = median(run['seconds'] for run in ours)
                rows.append((module, concurrency, task, last['ids'], last['requests']))
                print('  %s, concurrency %d: task %.2f s (runs %s), whole ansible-playbook %.2f s, %.2f s CPU; '
                      '%d statements, %d requests, %d windows cut at the cap'
                      % (module, concurrency, task, ', '.join('%.2f' % run['seconds'] for run in ours),
                         median(run['whole'] for run in ours), median(run['cpu'] for run in ours), len(last['ids']),
                         last['requests'], last['truncated']))
                sys.stdout.flush()
        requests = rows[0][4] if rows else 0
        if args.skip_sdk:
            return None, requests
        credentials = sim.credentials
        client = DbssClient.new_builder().with_credentials(BasicCredentials(
            credentials['access_key'], credentials['secret_key'], project_id)).with_endpoints([sim.url]).build()
        sdk = []
        for _run in range(args.runs):
            sim.reset_requests()
            began = time.perf_counter()
            ids = sdk_run(client, instance_ids, start, end)
            sdk.append((time.perf_counter() - began, ids, sim.count_requests('/sqls')))
        sdk_seconds = median(seconds for seconds, _ids, _requests in sdk)
        print('  official SDK, sequential, day by day: %.2f s (runs %s); %d statements, %d requests'
              % (sdk_seconds, ', '.join('%.2f' % seconds for seconds, _ids, _requests in sdk), len(sdk[-1][1]),
                 sdk[-1][2]))
        for module, concurrency, task, ids, _requests in rows:
            identical = sorted(sdk[-1][1]) == sorted(ids) and len(set(ids)) == len(ids)
            print('  %s, concurrency %d: %.1fx faster than the SDK (task; target >= 6x); identical records: %s'
                  % (module.split(' ')[0], concurrency, sdk_seconds / task, 'yes' if identical else 'NO'))
        return sdk_seconds, requests


def where_time_goes(args, sdk_seconds=None, requests=0):
    """No latency: module CPU per statement, the module/controller split of the ansible-playbook run, and Ansible's
    own time for a result of these records (a module that only prints it again); with the SDK's time and the requests
    of the latency run, the best ratio any module returning these records in its result could reach."""
    arguments = ['--regions', REGION, '--instances', str(args.instances), '--log-days', str(args.days),
                 '--sql-per-day', str(-(-args.statements // (args.instances * args.days))), '--member-accounts', '']
    with ExternalSimulator(arguments) as sim:
        instance_ids = sorted(sim.get('/_sim/audit-data')['regions'][REGION]['audit_sql_counts'])
        end = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        start = end - datetime.timedelta(days=args.days, minutes=5)
        workdir = tempfile.mkdtemp(prefix='bench-sql-cpu-')
        module_args = {'instance_ids': instance_ids, 'start_time': start.strftime(API_TIME),
                       'end_time': end.strftime(API_TIME), 'limit': 200000, 'concurrency': args.concurrency[0]}
        empty_args = dict(module_args, instance_ids=[])
        recorded = os.path.join(workdir, 'recorded-output.json')
        alone = [run_module(sim, workdir, 'dbss_sql_info', module_args, output=recorded) for _run in range(args.runs)]
        count = len(alone[-1][0]['sqls'])
        empty = [run_module(sim, workdir, 'dbss_sql_info', empty_args) for _run in range(args.runs)]
        module_cpu = median(cpu for _result, _seconds, cpu in alone)
        startup_cpu = median(cpu for _result, _seconds, cpu in empty)
        playbook = [collection_run(sim, workdir, module_args, bare=True) for _run in range(args.runs)]
        playbook_empty = [collection_run(sim, workdir, empty_args, bare=True) for _run in range(args.runs)]
        whole_cpu = median(run['cpu'] for run in playbook)
        fixed_cpu = median(run['cpu'] for run in playbook_empty)
        print('\nWhere the time goes, no latency (%d statements; medians of %d runs)' % (count, args.runs))
        print('  module alone: %.2f s wall, %.2f s CPU (%.2f s of it Python start-up and imports); '
              '%.1f us CPU per statement beyond start-up'
              % (median(seconds for _result, seconds, _cpu in alone), module_cpu, startup_cpu,
                 (module_cpu - startup_cpu) / max(count, 1) * 1e6))
        controller_cpu = whole_cpu - fixed_cpu - (module_cpu - startup_cpu)
        print('  ansible-playbook with only the task (registered): %.2f s wall, %.2f s CPU, of which %.2f s the same '
              'task with no instance, %.2f s the module (%.0f%%), %.2f s Ansible\'s controller handling the result '
              '(%.0f%%)'
              % (median(run['whole'] for run in playbook), whole_cpu, fixed_cpu, module_cpu - startup_cpu,
                 100.0 * (module_cpu - startup_cpu) / max(whole_cpu - fixed_cpu, 1e-9), controller_cpu,
                 100.0 * controller_cpu / max(whole_cpu - fixed_cpu, 1e-9)))
        replays = [collection_run(sim, workdir, None, replay=recorded) for _run in range(args.runs)]
        replay_task = median(run['seconds'] for run in replays)
        print('  Ansible\'s own time for this result: a module that only prints the recorded output again (%.1f MB, '
              'no request, no record work) takes %.2f s as a task; %d statements'
              % (os.path.getsize(recorded) / 1e6, replay_task, len(replays[-1]['ids'])))
        if sdk_seconds:
            # The module's requests and Ansible's handling of its result come one after the other.
            print('  so no module returning these records in its result can beat the SDK (%.2f s) by more than '
                  'SDK / (that time + the request floor, %d requests x %d ms / concurrency): %s; 6x needs the whole '
                  'task within %.2f s'
                  % (sdk_seconds, requests, args.latency_ms,
                     ', '.join('%.1fx at concurrency %d' % (
                         sdk_seconds / (replay_task + requests * args.latency_ms / 1000.0 / concurrency), concurrency)
                         for concurrency in args.concurrency), sdk_seconds / 6))
        if args.profile:
            run_module(sim, workdir, 'dbss_sql_info', module_args, profile=args.profile)
            print('  cProfile of the module alone (main thread) written to %s' % args.profile)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--latency-ms', type=int, default=50)
    parser.add_argument('--statements', type=int, default=60000)
    parser.add_argument('--instances', type=int, default=2)
    parser.add_argument('--days', type=int, default=7)
    parser.add_argument('--concurrency', type=concurrency_list, default=[8, 16, 32],
                        help='the collection\'s concurrency, one row each (default 8,16,32; 8 is the module\'s default); '
                             'the figures without latency use the first')
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--skip-sdk', action='store_true', help='only the collection')
    parser.add_argument('--skip-latency', action='store_true', help='only where the time goes (no latency)')
    parser.add_argument('--profile', help='also write a cProfile of the module alone to this file')
    args = parser.parse_args()
    sdk_seconds, requests = compare_latency(args) if not args.skip_latency else (None, 0)
    sys.stdout.flush()
    where_time_goes(args, sdk_seconds, requests)


if __name__ == '__main__':
    main()
