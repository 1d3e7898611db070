"""The collection as users get it: build the tarball, install it into an empty collections path and use it only from
there (playbooks, an inventory source, ansible-doc, the execution environment definition).

This catches files that the build leaves out (``build_ignore`` in galaxy.yml, a file git ignores) and build junk that
gets in. Every Ansible command runs with ``ANSIBLE_COLLECTIONS_PATH`` set to the fresh install alone, with the
collection search on ``sys.path`` off and from a working directory outside this checkout.
"""

import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

from ocsf_support import check_report_dir

from hwtest_support import REPO_ROOT

# ansible-galaxy, ansible-doc and ansible-builder of every ansible-core line read the built collection
# (docs/contributing.md, "Tests").
pytestmark = pytest.mark.all_core_lines

BIN_DIR = os.path.dirname(os.path.abspath(sys.executable))
NAMESPACE, NAME = 'hwcloud', 'dbaudit'
FQCN = NAMESPACE + '.' + NAME
REGIONS = ('cn-north-4', 'cn-east-3')

# What the tarball must never hold (path components or file name patterns).
JUNK_DIRS = ('.venv', 'venv', '.build', '.git', '.ansible', '.pytest_cache', '__pycache__', '.tox', '.mypy_cache',
             '.ruff_cache')
JUNK_PATHS = ('tests/output', 'changelogs/.plugin-cache.yaml', 'docs/sphinx')
JUNK_NAMES = ('*.pyc', '*.pyo', '*.tar.gz', '.coverage', '*.retry')
# Everything below these folders in the source tree is runtime content and must be shipped.
RUNTIME_DIRS = ('plugins', 'roles', 'meta', 'extensions', 'playbooks')
RUNTIME_FILES = ('README.md', 'requirements.txt', 'bindep.txt', 'CHANGELOG.rst', 'changelogs/changelog.yaml',
                 'docs/guide.md', 'docs/examples/list_audit_instances.yml', 'docs/examples/compliance_report.yml')


def run(command, env, cwd, timeout=300):
    process = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    details = (' '.join(command), process.returncode, process.stdout, process.stderr)
    assert process.returncode == 0, '%s failed (%d):\n%s\n%s' % details
    return process


def bin_path(tool):
    return os.path.join(BIN_DIR, tool)


def source_files():
    """Files of the checkout that a build may pick up: what git tracks or would track (not ignored); outside a git
    checkout every file not below a junk folder."""
    try:
        output = subprocess.run(['git', '-C', REPO_ROOT, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
                                capture_output=True, check=True).stdout.decode('utf-8')
        paths = [path for path in output.split('\0') if path]
    except (OSError, subprocess.CalledProcessError):
        paths = []
        for folder, dirs, files in os.walk(REPO_ROOT):
            dirs[:] = [name for name in dirs if name not in JUNK_DIRS]
            paths.extend(os.path.relpath(os.path.join(folder, name), REPO_ROOT) for name in files)
    return sorted(path for path in paths if os.path.isfile(os.path.join(REPO_ROOT, path)))


def plugin_names(kind):
    folder = os.path.join(REPO_ROOT, 'plugins', kind)
    if kind == 'filter':
        # Each filter is documented by plugins/filter/<name>.yml.
        return sorted(name[:-4] for name in os.listdir(folder) if name.endswith('.yml'))
    return sorted(name[:-3] for name in os.listdir(folder) if name.endswith('.py') and name != '__init__.py')


@pytest.fixture(scope='module')
def package(tmp_path_factory):
    """The built tarball, and the collection installed from it into an empty collections path."""
    base = tmp_path_factory.mktemp('packaging')
    dist, collections = base / 'dist', base / 'collections'
    dist.mkdir()
    collections.mkdir()
    env = dict(os.environ, ANSIBLE_HOME=str(base / 'ansible-home'), ANSIBLE_NOCOLOR='1')
    env.pop('ANSIBLE_COLLECTIONS_PATH', None)
    run([bin_path('ansible-galaxy'), 'collection', 'build', '--output-path', str(dist), REPO_ROOT], env, str(base))
    tarballs = list(dist.glob('%s-%s-*.tar.gz' % (NAMESPACE, NAME)))
    assert len(tarballs) == 1, tarballs
    run([bin_path('ansible-galaxy'), 'collection', 'install', '--offline', '-p', str(collections), str(tarballs[0])],
        env, str(base))
    installed = collections / 'ansible_collections' / NAMESPACE / NAME
    assert (installed / 'MANIFEST.json').is_file()
    assert sorted(os.listdir(collections / 'ansible_collections')) == [NAMESPACE]
    return {'tarball': tarballs[0], 'collections': collections, 'installed': installed, 'base': base}


@pytest.fixture
def env(ansible_env, package, sim):
    """ansible_env with the fresh install as the only collections path; credentials for the simulator."""
    return dict(ansible_env, ANSIBLE_COLLECTIONS_PATH=str(package['collections']),
                ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
                HW_ACCESS_KEY=sim.credentials['access_key'], HW_SECRET_KEY=sim.credentials['secret_key'])


def tarball_members(package):
    with tarfile.open(package['tarball']) as archive:
        return sorted(member.name for member in archive.getmembers() if member.isfile())


def test_tarball_holds_no_build_junk(package):
    junk = []
    for name in tarball_members(package):
        parts = name.split('/')
        if (any(part in JUNK_DIRS for part in parts[:-1])
                or any(name == path or name.startswith(path + '/') for path in JUNK_PATHS)
                or any(fnmatch.fnmatch(parts[-1], pattern) for pattern in JUNK_NAMES)):
            junk.append(name)
    assert not junk, 'build junk in %s: %s' % (package['tarball'].name, junk)


def test_tarball_holds_the_runtime_content(package):
    members = set(tarball_members(package))
    wanted = [path for path in source_files() if path.split('/')[0] in RUNTIME_DIRS] + list(RUNTIME_FILES)
    assert not [path for path in wanted if path not in members]
    assert {'MANIFEST.json', 'FILES.json'} <= members
    for module in plugin_names('modules'):
        assert 'plugins/modules/%s.py' % module in members
    # The guides as the docs site's extra docs, which `make collection` (run before the integration tests) generates
    # into docs/docsite/rst/ from docs/*.md: build_ignore must let them in.
    guides = sorted(name[:-3] for name in os.listdir(os.path.join(REPO_ROOT, 'docs')) if name.endswith('.md'))
    assert 'docs/docsite/extra-docs.yml' in members
    assert sorted(name for name in members if name.startswith('docs/docsite/rst/')) == [
        'docs/docsite/rst/%s.rst' % guide for guide in guides]
    manifest = json.loads((package['installed'] / 'MANIFEST.json').read_text())
    with open(os.path.join(REPO_ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    assert manifest['collection_info']['version'] == galaxy['version']
    assert (package['installed'] / 'requirements.txt').read_text().split() == ['requests']


def test_example_playbooks_run_from_the_installed_collection(package, env, sim, tmp_path):
    examples = package['installed'] / 'docs' / 'examples'
    listed = run([bin_path('ansible-playbook'), str(examples / 'list_audit_instances.yml')], env, str(tmp_path))
    assert '%d audit instances:' % len(sim.data.regions['cn-north-4'].instances) in listed.stdout

    report_dir = tmp_path / 'report'
    run([bin_path('ansible-playbook'), str(examples / 'compliance_report.yml'),
         '-e', json.dumps({'audit_compliance_report_dir': str(report_dir)})], env, str(tmp_path))
    for name in ('report.json', 'report.md', 'report.html', 'junit.xml'):
        assert (report_dir / name).stat().st_size > 0, name
    report = json.loads((report_dir / 'report.json').read_text())
    assert report['summary']['region'] == 'cn-north-4'
    assert report['summary']['checks'] >= 9
    # The OCSF findings of the installed collection name its version.
    findings = check_report_dir(str(report_dir))
    manifest = json.loads((package['installed'] / 'MANIFEST.json').read_text())
    assert set(item['metadata']['product']['version'] for item in findings) == {manifest['collection_info']['version']}


def test_awx_inventory_source_from_the_installed_collection(package, env, sim, tmp_path):
    source = tmp_path / 'production.dbss.yml'
    shutil.copy(str(package['installed'] / 'docs' / 'examples' / 'awx' / 'inventories' / 'production.dbss.yml'),
                str(source))
    inventory_env = dict(env, ANSIBLE_INVENTORY_UNPARSED_FAILED='true')
    inventory_env.pop('HW_REGION_NAME')
    process = run([bin_path('ansible-inventory'), '-i', str(source), '--list'], inventory_env, str(tmp_path))
    data = json.loads(process.stdout)
    expected = [instance for region in REGIONS for instance in sim.data.regions[region].instances
                if instance['status'] in ('ACTIVE', 'UPGRADING')]
    assert expected
    assert len(data['_meta']['hostvars']) == len(expected)
    assert set(data['dbss']['hosts']) == set(data['_meta']['hostvars'])


@pytest.mark.parametrize('kind, names', [
    ('module', plugin_names('modules')),
    ('inventory', plugin_names('inventory')),
    ('filter', plugin_names('filter')),
    ('role', ['audit_compliance']),
])
def test_ansible_doc_renders_everything_from_the_installed_collection(package, env, tmp_path, kind, names):
    fqcns = ['%s.%s' % (FQCN, name) for name in names]
    listed = run([bin_path('ansible-doc'), '-t', kind, '-l', FQCN, '--json'], env, str(tmp_path))
    assert sorted(json.loads(listed.stdout)) == sorted(fqcns)

    text = run([bin_path('ansible-doc'), '-t', kind] + fqcns, env, str(tmp_path))
    assert '[ERROR]' not in text.stderr and '[WARNING]' not in text.stderr, text.stderr
    as_json = json.loads(run([bin_path('ansible-doc'), '-t', kind, '--json'] + fqcns, env, str(tmp_path)).stdout)
    assert sorted(as_json) == sorted(fqcns)
    installed = str(package['installed'])
    for fqcn in fqcns:
        if kind == 'role':
            assert as_json[fqcn]['path'].startswith(installed), as_json[fqcn]['path']
            assert as_json[fqcn]['entry_points']['main']['options']
            assert 'ENTRY POINT:' in text.stdout and 'main' in text.stdout
        else:
            doc = as_json[fqcn]['doc']
            assert doc['filename'].startswith(installed), doc['filename']
            assert doc['short_description'] and as_json[fqcn]['examples']
            assert fqcn in text.stdout


def test_execution_environment_definition(package, tmp_path):
    """meta/execution-environment.yml as ansible-builder uses it, offline: introspection of the installed collection
    (what `ansible-builder build` does for every collection in an EE) and `ansible-builder create` of the file itself,
    beside the collection's requirements.txt and bindep.txt."""
    builder = bin_path('ansible-builder')
    env = dict(os.environ)
    introspected = run([builder, 'introspect', str(package['collections'])], env, str(tmp_path))
    assert 'requests' in introspected.stdout and 'from collection %s' % FQCN in introspected.stdout, introspected.stdout

    definition = tmp_path / 'definition'
    definition.mkdir()
    for name in ('meta/execution-environment.yml', 'requirements.txt', 'bindep.txt'):
        shutil.copy(str(package['installed'] / name), str(definition / os.path.basename(name)))
    context = tmp_path / 'context'
    created = run([builder, 'create', '-f', str(definition / 'execution-environment.yml'), '-c', str(context),
                   '--output-filename', 'Containerfile'], env, str(tmp_path))
    assert 'DEPRECAT' not in created.stdout + created.stderr
    containerfile = (context / 'Containerfile').read_text()
    assert 'COPY _build/requirements.txt requirements.txt' in containerfile
    assert 'COPY _build/bindep.txt bindep.txt' in containerfile
    assert 'ansible-core' in containerfile
    assert (context / '_build' / 'requirements.txt').read_text().split() == ['requests']
