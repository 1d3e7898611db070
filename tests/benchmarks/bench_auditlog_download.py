"""Benchmark: exporting RDS audit log files with hwcloud.dbaudit.rds_auditlog_download against the official SDK.

  1. about 1,000 files of 256 KB with 50 ms latency per request (simulator in its own process): the module in a real
     ansible-playbook run (concurrency 8) against a sequential loop with huaweicloudsdkrds (ListAuditlogs,
     ShowAuditlogDownloadLink, 50 IDs a request) and requests (each file streamed to disk and hashed);
  2. the peak memory of one 200 MB file: the export code (the module's) in a fresh Python process, against the same
     download read whole with ``requests.get(link).content`` as a naive script would.

Prints figures; asserts nothing (machines are noisy). Run: ``.venv/bin/python tests/benchmarks/bench_auditlog_download.py``.
"""

import argparse
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'support'))

import requests  # noqa: E402  pylint: disable=wrong-import-position

from sdk_reference import sdk_audit_log_files  # noqa: E402  pylint: disable=wrong-import-position
from simulator_process import ExternalSimulator  # noqa: E402  pylint: disable=wrong-import-position

from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402  pylint: disable=wrong-import-position
from huaweicloudsdkrds.v3 import (  # noqa: E402  pylint: disable=wrong-import-position
    GenerateAuditlogDownloadLinkRequest,
    RdsClient,
    ShowAuditlogDownloadLinkRequest,
)

ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
REGION = 'cn-north-4'
API_TIME_FORMAT = '%Y-%m-%dT%H:%M:%S%z'
PAGE = 50
CHUNK = 1024 * 1024

PLAYBOOK = """---
- name: Time one export
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Start
      ansible.builtin.set_fact:
        began: "{{ now().timestamp() }}"
    - name: The measured task
      hwcloud.dbaudit.rds_auditlog_download: "{{ module_args }}"
      register: outcome
    - name: Stop
      ansible.builtin.set_fact:
        ended: "{{ now().timestamp() }}"
    - name: Hand the figures over
      ansible.builtin.copy:
        content: "{{ {'seconds': (ended | float) - (began | float), 'counts': outcome.counts} | to_json }}"
        dest: "{{ result_file }}"
        mode: "0600"
"""

_PEAK_MEMORY = r'''
import datetime, json, resource, sys
import hwtest_support  # noqa: F401
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.rds_auditlog_export import AuditLogExport
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.client import HuaweiCloudClient
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.transport.config import ClientConfig
from ansible_collections.hwcloud.dbaudit.plugins.module_utils.services.object_storage import ObjectStorageSession
url, access_key, secret_key, instance_id, start, end, dest = sys.argv[1:8]
config = ClientConfig(dict(region='cn-north-4', access_key=access_key, secret_key=secret_key,
                           endpoints={'dbss': url, 'rds': url, 'iam': url}), environ={})
parse = lambda text: datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%S%z')
job = AuditLogExport(HuaweiCloudClient(config), ObjectStorageSession(30.0, 1800.0), dest, [instance_id],
                     parse(start), parse(end))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
result = job.run()
print(json.dumps({'before_kib': before, 'peak_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  'bytes': result['counts']['bytes_downloaded']}))
'''

_NAIVE_MEMORY = r'''
import json, resource, sys, requests
link = sys.argv[1]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
body = requests.get(link, timeout=600).content
print(json.dumps({'before_kib': before, 'peak_kib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  'bytes': len(body)}))
'''


def collection_export(sim, workdir, module_args):
    playbook = os.path.join(workdir, 'play.yml')
    with open(playbook, 'w') as handle:
        handle.write(PLAYBOOK)
    result_file = os.path.join(workdir, 'result.json')
    variables = os.path.join(workdir, 'vars.json')
    with open(variables, 'w') as handle:
        json.dump({'module_args': module_args, 'result_file': result_file}, handle)
    sim.reset_requests()
    began = time.perf_counter()
    process = subprocess.run([ANSIBLE_PLAYBOOK, playbook, '-e', '@' + variables], env=sim.playbook_env(workdir, REGION),
                             check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    whole = time.perf_counter() - began
    if process.returncode != 0:
        raise RuntimeError('ansible-playbook failed (rc %d):\n%s' % (process.returncode, process.stdout[-3000:]))
    with open(result_file) as handle:
        figures = json.load(handle)
    return figures['seconds'], whole, figures['counts']


def sdk_export(client, instance_ids, start, end, dest):
    """What a user of the SDK writes: list every window page by page, ask for links 50 at a time, stream each file
    to disk with requests and hash it. One thing after the other."""
    files = sdk_audit_log_files(client, instance_ids, start, end)
    sums = []
    session = requests.Session()
    for first in range(0, len(files), PAGE):
        batch = files[first:first + PAGE]
        by_instance = {}
        for instance_id, item in batch:
            by_instance.setdefault(instance_id, []).append(item)
        for instance_id, items in by_instance.items():
            links = client.show_auditlog_download_link(ShowAuditlogDownloadLinkRequest(
                instance_id=instance_id, body=GenerateAuditlogDownloadLinkRequest(ids=[item.id for item in items]))).links
            folder = os.path.join(dest, instance_id)
            os.makedirs(folder, exist_ok=True)
            for item, link in zip(items, links):
                digest = hashlib.sha256()
                with session.get(link, stream=True, timeout=60) as answer, \
                        open(os.path.join(folder, item.name), 'wb') as stream:
                    answer.raise_for_status()
                    for chunk in answer.iter_content(CHUNK):
                        digest.update(chunk)
                        stream.write(chunk)
                sums.append('%s  %s/%s\n' % (digest.hexdigest(), instance_id, item.name))
    with open(os.path.join(dest, 'SHA256SUMS'), 'w') as stream:
        stream.writelines(sums)
    return len(files)


def _parse(text):
    return datetime.datetime.strptime(text, API_TIME_FORMAT)


def median(values):
    return sorted(values)[len(values) // 2]


def choose_period(sim, wanted_files):
    """Instances with audit logs and the shortest period up to the simulator's now that holds ``wanted_files``."""
    region = sim.get('/_sim/data')['regions'][REGION]
    logs = region['audit_logs']
    end = max(_parse(item['end_time']) for files in logs.values() for item in files)
    instance_ids = sorted(rds_id for rds_id, files in logs.items() if files)
    days = 1
    while True:
        start = end - datetime.timedelta(days=days)
        count = sum(1 for rds_id in instance_ids for item in logs[rds_id] if _parse(item['end_time']) >= start)
        if count >= wanted_files or days > 366:
            return instance_ids, start, end + datetime.timedelta(seconds=1), count, region['project_id']
        days += 1


def throughput(sim, args):
    instance_ids, start, end, count, project_id = choose_period(sim, args.files)
    workdir = tempfile.mkdtemp(prefix='bench-download-')
    module_args = {'instance_ids': instance_ids, 'start_time': start.strftime(API_TIME_FORMAT),
                   'end_time': end.strftime(API_TIME_FORMAT), 'concurrency': args.concurrency}
    ours = []
    for run in range(args.runs):
        module_args['dest'] = os.path.join(workdir, 'ours-%d' % run)
        ours.append(collection_export(sim, workdir, module_args))
    links = sim.count_requests('/auditlog-links')
    downloads = sim.count_requests_prefix('/obs/')
    listings = sim.count_requests('/auditlog')
    second_run = collection_export(sim, workdir, module_args)
    second_requests = sim.count_requests('/auditlog-links') + sim.count_requests_prefix('/obs/')

    credentials = sim.credentials
    client = RdsClient.new_builder().with_credentials(
        BasicCredentials(credentials['access_key'], credentials['secret_key'], project_id)).with_endpoints([sim.url]).build()
    sdk_times = []
    for run in range(0 if args.skip_sdk else args.runs):
        dest = os.path.join(workdir, 'sdk-%d' % run)
        sim.reset_requests()
        began = time.perf_counter()
        sdk_files = sdk_export(client, instance_ids, start, end, dest)
        sdk_times.append(time.perf_counter() - began)
        assert sdk_files == count, (sdk_files, count)
    sdk_requests = (sim.count_requests('/auditlog'), sim.count_requests('/auditlog-links'),
                    sim.count_requests_prefix('/obs/')) if sdk_times else None
    shutil.rmtree(workdir, ignore_errors=True)

    task = median([seconds for seconds, _whole, _counts in ours])
    whole = median([whole for _seconds, whole, _counts in ours])
    counts = ours[-1][2]
    print('Export of %d audit log files of %d KB from %d RDS instances, %d ms latency per request'
          % (count, args.file_kb, len(instance_ids), args.latency_ms))
    print('  rds_auditlog_download (concurrency %d): task %.2f s, whole ansible-playbook %.2f s (median of %d); '
          '%d downloaded, %d MB' % (args.concurrency, task, whole, args.runs, counts['downloaded'],
                                    counts['bytes_downloaded'] // 1000000))
    print('    requests: %d listing, %d link (%d files a request at most), %d downloads' % (listings, links, 50, downloads))
    print('  second run (nothing to fetch): task %.2f s, %d link or download requests, changed %s'
          % (second_run[0], second_requests, second_run[2]['downloaded'] + second_run[2]['replaced'] > 0))
    if sdk_times:
        sdk = median(sdk_times)
        print('  SDK + requests, sequential: %.2f s (median of %d); requests: %d listing, %d link, %d downloads'
              % ((sdk, len(sdk_times)) + sdk_requests))
        print('  speed-up: %.1fx (task), %.1fx (whole ansible-playbook run)' % (sdk / task, sdk / whole))


def peak_memory(args):
    size_kb = args.big_mb * 1024
    arguments = ['--regions', REGION, '--rds-instances', '6', '--log-days', '3', '--log-interval-hours', '24',
                 '--log-file-kb', '%d,%d' % (size_kb, size_kb)]
    with ExternalSimulator(arguments) as sim:
        region = sim.get('/_sim/data')['regions'][REGION]
        instance_id, files = next((rds_id, files) for rds_id, files in sorted(region['audit_logs'].items()) if files)
        item = files[0]
        workdir = tempfile.mkdtemp(prefix='bench-memory-')
        support_dir = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'support')
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([support_dir, os.environ.get('PYTHONPATH', '')]))
        begin = datetime.datetime.strptime(item['begin_time'], API_TIME_FORMAT)
        end = datetime.datetime.strptime(item['end_time'], API_TIME_FORMAT)
        credentials = sim.credentials
        ours = subprocess.run([sys.executable, '-c', _PEAK_MEMORY, sim.url, credentials['access_key'],
                               credentials['secret_key'], instance_id, begin.strftime(API_TIME_FORMAT),
                               end.strftime(API_TIME_FORMAT), os.path.join(workdir, 'ours')],
                              env=env, check=True, capture_output=True, text=True)
        ours = json.loads(ours.stdout.strip().splitlines()[-1])
        client = RdsClient.new_builder().with_credentials(BasicCredentials(
            credentials['access_key'], credentials['secret_key'], region['project_id'])).with_endpoints([sim.url]).build()
        link = client.show_auditlog_download_link(ShowAuditlogDownloadLinkRequest(
            instance_id=instance_id, body=GenerateAuditlogDownloadLinkRequest(ids=[item['id']]))).links[0]
        naive = subprocess.run([sys.executable, '-c', _NAIVE_MEMORY, link], check=True, capture_output=True, text=True)
        naive = json.loads(naive.stdout.strip().splitlines()[-1])
        shutil.rmtree(workdir, ignore_errors=True)
    print('Peak memory for one file of %d MB (%d bytes)' % (args.big_mb, ours['bytes']))
    print('  export code of the module: peak RSS %.1f MiB (%.1f MiB before the download: +%.1f MiB)'
          % (ours['peak_kib'] / 1024.0, ours['before_kib'] / 1024.0, (ours['peak_kib'] - ours['before_kib']) / 1024.0))
    print('  requests.get(link).content: peak RSS %.1f MiB (+%.1f MiB)'
          % (naive['peak_kib'] / 1024.0, (naive['peak_kib'] - naive['before_kib']) / 1024.0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--files', type=int, default=1000)
    parser.add_argument('--file-kb', type=int, default=256)
    parser.add_argument('--latency-ms', type=int, default=50)
    parser.add_argument('--concurrency', type=int, default=8)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--big-mb', type=int, default=200)
    parser.add_argument('--skip-sdk', action='store_true')
    parser.add_argument('--skip-memory', action='store_true')
    parser.add_argument('--skip-throughput', action='store_true')
    args = parser.parse_args()

    arguments = ['--regions', REGION, '--rds-instances', '12', '--log-days', '60', '--log-interval-hours', '2',
                 '--log-file-kb', '%d,%d' % (args.file_kb, args.file_kb), '--latency-ms', str(args.latency_ms)]
    if not args.skip_throughput:
        with ExternalSimulator(arguments) as sim:
            throughput(sim, args)
    if not args.skip_memory:
        peak_memory(args)


if __name__ == '__main__':
    main()
