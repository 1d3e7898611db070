"""The integration targets: ``tests/integration/targets/<name>/``, the layout of ``ansible-test integration``. Each
holds its pytest file (``test_<name>.py``), the playbooks only it runs and an ``aliases`` file.

In ``aliases``, ``needs/target/<other>`` says that the target uses files of another one: a playbook it runs, or
helpers its test imports from the other's test file. The integration conftest reads it for both (the playbook
``run_playbook(name)`` runs, and ``sys.path``), and ``tests/unit/test_integration_subset.py`` for the playbooks of the
``all_core_lines`` subset, so ``aliases`` is the one place a dependency between targets is written down.
"""

import os

from hwtest_support import REPO_ROOT

TARGETS_DIR = os.path.join(REPO_ROOT, 'tests', 'integration', 'targets')
NEEDS_TARGET = 'needs/target/'


def target_names():
    return sorted(name for name in os.listdir(TARGETS_DIR) if os.path.isfile(os.path.join(TARGETS_DIR, name, 'aliases')))


def target_dir(name):
    return os.path.join(TARGETS_DIR, name)


def aliases(name):
    with open(os.path.join(TARGETS_DIR, name, 'aliases'), encoding='utf-8') as handle:
        return [line.split('#', 1)[0].strip() for line in handle if line.split('#', 1)[0].strip()]


def needed_targets(name):
    """The targets whose files ``name`` uses (``needs/target/<other>`` in its aliases), in the order written."""
    return [alias[len(NEEDS_TARGET):] for alias in aliases(name) if alias.startswith(NEEDS_TARGET)]


def pytest_files(name):
    folder = target_dir(name)
    return sorted(os.path.join(folder, file) for file in os.listdir(folder) if file.startswith('test_') and file.endswith('.py'))


def playbooks(name):
    """{playbook name: path} of the playbooks the target may run: its own, then those of the targets it needs."""
    found = {}
    for owner in [name] + needed_targets(name):
        folder = target_dir(owner)
        for file in sorted(os.listdir(folder)):
            if file.endswith('.yml') and file[:-4] not in found:
                found[file[:-4]] = os.path.join(folder, file)
    return found


def playbook_path(name, playbook):
    """The path of ``playbook`` as the target ``name`` runs it; a LookupError names where it was looked for."""
    found = playbooks(name)
    if playbook not in found:
        raise LookupError('integration target %s has no playbook %s.yml, nor do the targets it needs (%s); add '
                          "needs/target/<owner> to its aliases" % (name, playbook, ', '.join(needed_targets(name)) or 'none'))
    return found[playbook]
