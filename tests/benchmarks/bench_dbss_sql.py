"""Benchmark: 100,000 audited SQL statements with hwcloud.dbaudit.dbss_sql_info against the official SDK.

The simulator (in its own process) seeds about 100,000 statements on one audit instance over 45 days and answers
every request after 50 ms. The module runs in a real ansible-playbook (concurrency 8, limit 100,000, 30-day windows
split under the service's 10,000-record cap); the SDK loop (huaweicloudsdkdbss ListAuditSqlsNew) pages one window
after the other, 100 a page, with the windows a user would pick by hand to stay under the cap (one per day).

Prints figures; asserts nothing (machines are noisy). Run: ``.venv/bin/python tests/benchmarks/bench_dbss_sql.py``.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

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
PAGE = 100

PLAYBOOK = """---
- name: Time one listing
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Start
      ansible.builtin.set_fact:
        began: "{{ now().timestamp() }}"
    - name: The measured task
      hwcloud.dbaudit.dbss_sql_info: "{{ module_args }}"
      register: outcome
    - name: Stop
      ansible.builtin.set_fact:
        ended: "{{ now().timestamp() }}"
    - name: Hand the figures over
      ansible.builtin.copy:
        content: "{{ {'seconds': (ended | float) - (began | float), 'count': outcome.sqls | length,
                      'truncated': outcome.truncated_windows | length, 'limit_reached': outcome.limit_reached}
                     | to_json }}"
        dest: "{{ result_file }}"
        mode: "0600"
"""


def collection_run(sim, workdir, module_args):
    playbook = os.path.join(workdir, 'play.yml')
    with open(playbook, 'w') as handle:
        handle.write(PLAYBOOK)
    result_file = os.path.join(workdir, 'result.json')
    variables = os.path.join(workdir, 'vars.json')
    with open(variables, 'w') as handle:
        json.dump({'module_args': module_args, 'result_file': result_file}, handle)
    env = sim.playbook_env(workdir, REGION)
    sim.reset_requests()
    began = time.perf_counter()
    process = subprocess.run([ANSIBLE_PLAYBOOK, playbook, '-e', '@' + variables], env=env, check=False,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    whole = time.perf_counter() - began
    if process.returncode != 0:
        raise RuntimeError('ansible-playbook failed (rc %d):\n%s' % (process.returncode, process.stdout[-3000:]))
    with open(result_file) as handle:
        figures = json.load(handle)
    figures['whole'] = whole
    return figures


def sdk_run(client, instance_id, start, end):
    """Day by day (a day stays under the 10,000-record cap here), page after page, one request at a time."""
    count = 0
    cursor = start
    while cursor < end:
        day_end = min(cursor + datetime.timedelta(days=1), end)
        page = 1
        while True:
            body = AuditSqlRequest(time=AuditSqlRequestTime(start_time=cursor.strftime(DBSS_TIME),
                                                            end_time=day_end.strftime(DBSS_TIME)),
                                   page=page, size=PAGE, time_order='DESC')
            response = client.list_audit_sqls_new(ListAuditSqlsNewRequest(instance_id=instance_id, body=body))
            count += len(response.sqls or [])
            if page * PAGE >= (response.total or 0):
                break
            page += 1
        cursor = day_end + datetime.timedelta(seconds=1)
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--latency-ms', type=int, default=50)
    parser.add_argument('--statements', type=int, default=100000)
    parser.add_argument('--days', type=int, default=45)
    parser.add_argument('--concurrency', type=int, default=8)
    parser.add_argument('--skip-sdk', action='store_true')
    args = parser.parse_args()

    per_day = -(-args.statements // args.days) + 5
    arguments = ['--regions', REGION, '--instances', '8', '--log-days', str(args.days), '--sql-per-day', str(per_day),
                 '--latency-ms', str(args.latency_ms)]
    with ExternalSimulator(arguments) as sim:
        counts = sim.get('/_sim/audit-data')['regions'][REGION]['audit_sql_counts']
        instance_id = max(counts, key=lambda key: counts[key])
        available = counts[instance_id]
        end = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        start = end - datetime.timedelta(days=args.days + 1)
        workdir = tempfile.mkdtemp(prefix='bench-sql-')
        module_args = {'instance_id': instance_id, 'start_time': start.strftime('%Y-%m-%dT%H:%M:%SZ'),
                       'end_time': end.strftime('%Y-%m-%dT%H:%M:%SZ'), 'limit': args.statements,
                       'concurrency': args.concurrency}
        ours = collection_run(sim, workdir, module_args)
        our_requests = sim.count_requests('/sqls')
        print('%d audited SQL statements of one audit instance (%d seeded over %d days), %d ms latency per request'
              % (args.statements, available, args.days, args.latency_ms))
        figures = (args.concurrency, ours['seconds'], ours['whole'], ours['count'], our_requests, ours['truncated'],
                   ours['limit_reached'])
        print('  dbss_sql_info (concurrency %d): task %.2f s, whole ansible-playbook %.2f s; %d statements, %d requests, '
              '%d windows cut at the cap, limit reached %s' % figures)
        if not args.skip_sdk:
            project_id = sim.get('/_sim/data')['regions'][REGION]['project_id']
            credentials = sim.credentials
            client = DbssClient.new_builder().with_credentials(BasicCredentials(
                credentials['access_key'], credentials['secret_key'], project_id)).with_endpoints([sim.url]).build()
            sim.reset_requests()
            began = time.perf_counter()
            count = sdk_run(client, instance_id, start, end)
            seconds = time.perf_counter() - began
            print('  SDK, day by day, sequential: %.2f s; %d statements, %d requests' % (
                seconds, count, sim.count_requests('/sqls')))
            print('  speed-up: %.1fx (task), %.1fx (whole ansible-playbook run)' % (
                seconds / ours['seconds'], seconds / ours['whole']))


if __name__ == '__main__':
    main()
