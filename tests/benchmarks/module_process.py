"""A module run alone, as Ansible runs it on the target but without the controller: ``python -m
ansible_collections.hwcloud.dbaudit.plugins.modules.<name> args.json``, for the benchmarks' profiles and CPU figures."""

import json
import os
import resource
import subprocess
import sys
import time

import hwtest_support


def run_module(sim, workdir, module, module_args, profile=None, output=None):
    """``(result, seconds, cpu_seconds)`` of one run of ``module`` (``dbss_sql_info``) with ``module_args`` against
    ``sim``; ``profile``: a file for cProfile's statistics; ``output``: a file for the module's output, as printed. CPU is
    the module process's user + system time."""
    arguments = os.path.join(workdir, 'args.json')
    with open(arguments, 'w') as handle:
        json.dump({'ANSIBLE_MODULE_ARGS': dict(module_args, _ansible_verbosity=0, _ansible_tmpdir=workdir)}, handle)
    env = sim.playbook_env(workdir, 'cn-north-4')
    env['PYTHONPATH'] = os.environ.get('ANSIBLE_COLLECTIONS_PATH') or hwtest_support.COLLECTIONS_ROOT
    name = 'ansible_collections.hwcloud.dbaudit.plugins.modules.' + module
    command = [sys.executable] + (['-m', 'cProfile', '-o', profile] if profile else []) + ['-m', name, arguments]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    process = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if output:
        with open(output, 'wb') as handle:
            handle.write(process.stdout)
    try:
        result = json.loads(process.stdout)
    except ValueError:
        raise RuntimeError('%s printed no JSON (rc %d): %s' % (module, process.returncode, process.stderr[-3000:]))
    if result.get('failed'):
        raise RuntimeError('%s failed: %s' % (module, result.get('msg')))
    return result, seconds, cpu
