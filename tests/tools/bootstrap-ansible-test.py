"""Make ``ansible-test sanity`` work without access to ci-files.testing.ansible.com.

ansible-test creates one virtualenv per sanity test (without pip) and bootstraps pip into it with
a ``get-pip.py`` script downloaded from ci-files.testing.ansible.com, cached as
``~/.ansible/test/cache/get_pip_<version>.py``.  That host is not reachable here, so this writes
a stand-in under that name which

  1. runs ``python -m ensurepip`` in a separate process (doing it in-process would leave
     PIP_CONFIG_FILE=/dev/null behind and the following pip run would lose the machine's pip
     settings, e.g. its CA bundle), then
  2. runs ``python -m pip install <the arguments ansible-test passed>`` (e.g. ``pip==24.2``) from
     the normal package index.

The pip version(s) are read from the installed ansible-test, so this keeps working when
ansible-core is upgraded.  Idempotent: a file is only (re)written when its content differs, and a
genuine get-pip script already in the cache is left alone (anything else there is replaced).

Run it with the Python that runs ansible-test:  .venv/bin/python tests/tools/bootstrap-ansible-test.py
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys

MARKER = '# hwcloud.dbaudit offline get-pip stand-in'

STAND_IN = MARKER + ''' (written by tests/tools/bootstrap-ansible-test.py)
"""Stand-in for get-pip.py {version}: ensurepip in a subprocess, then pip install the requested pins."""
import os
import subprocess
import sys


def main():
    args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
    env = dict(os.environ)
    env.pop('GET_PIP', None)
    subprocess.run([sys.executable, '-m', 'ensurepip', '--upgrade'], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    sys.exit(subprocess.run([sys.executable, '-m', 'pip', 'install'] + args, env=env).returncode)


if __name__ == '__main__':
    main()
'''


def pip_versions() -> list[str]:
    """Return the pip versions ansible-test bootstraps into its virtualenvs."""
    spec = importlib.util.find_spec('ansible_test')
    if spec is None or not spec.submodule_search_locations:
        sys.exit('bootstrap-ansible-test: ansible_test is not importable by %s (install ansible-core)' % sys.executable)
    source_path = os.path.join(list(spec.submodule_search_locations)[0], '_internal', 'python_requirements.py')
    with open(source_path, encoding='utf-8') as handle:
        source = handle.read()
    # default_packages = dict(pip='24.2') and optional per-Python overrides such as {'3.8': dict(pip='23.1')}
    versions = sorted(set(re.findall(r"""\bpip\s*=\s*['"]([0-9][0-9A-Za-z.]*)['"]""", source)))
    if not versions:
        sys.exit('bootstrap-ansible-test: cannot find the pip version in %s' % source_path)
    return versions


def main() -> int:
    cache_dir = os.path.expanduser('~/.ansible/test/cache')
    os.makedirs(cache_dir, exist_ok=True)

    for version in pip_versions():
        path = os.path.join(cache_dir, 'get_pip_%s.py' % version.replace('.', '_'))
        content = STAND_IN.format(version=version)
        if os.path.exists(path):
            with open(path, encoding='utf-8', errors='replace') as handle:
                current = handle.read()
            if current == content:
                print('bootstrap-ansible-test: %s is up to date' % path)
                continue
            if not current.startswith(MARKER) and 'Hi There!' in current and 'DATA = b' in current:
                print('bootstrap-ansible-test: keeping genuine get-pip script %s' % path)
                continue
        temp_path = '%s.%d.tmp' % (path, os.getpid())  # sanity runs of several ansible-core lines may overlap
        with open(temp_path, 'w', encoding='utf-8') as handle:
            handle.write(content)
        os.replace(temp_path, path)
        print('bootstrap-ansible-test: wrote %s' % path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
