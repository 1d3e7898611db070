"""The integration targets keep the layout of `ansible-test integration` that docs/contributing.md describes
("Integration targets"): one pytest file per target, named after it, beside the playbooks it runs, an ``aliases`` file
whose ``needs/target/`` lines name existing targets, and the ``runme.sh`` that ansible-test runs."""

import ast
import os

import pytest

from integration_targets import TARGETS_DIR, aliases, needed_targets, playbooks, pytest_files, target_dir, target_names

RUNME = '"${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/hwcloud/dbaudit/tests/integration/runme_pytest.sh"'


def test_every_folder_is_a_target():
    folders = sorted(name for name in os.listdir(TARGETS_DIR) if os.path.isdir(os.path.join(TARGETS_DIR, name)))
    assert folders == target_names()
    assert len(folders) >= 20


@pytest.mark.parametrize('name', target_names())
def test_a_target_is_its_test_file_its_playbooks_aliases_and_runme(name):
    folder = target_dir(name)
    assert [os.path.basename(path) for path in pytest_files(name)] == ['test_%s.py' % name]
    assert 'context/controller' in aliases(name)
    for other in needed_targets(name):
        assert other != name and other in target_names(), '%s/aliases: needs/target/%s is no other target' % (name, other)
    runme = os.path.join(folder, 'runme.sh')
    assert os.access(runme, os.X_OK)
    with open(runme, encoding='utf-8') as handle:
        assert RUNME in handle.read()
    extra = set(os.listdir(folder)) - {'aliases', 'runme.sh', 'test_%s.py' % name} - set(
        file for file in os.listdir(folder) if file.endswith('.yml'))
    assert not extra, '%s holds files the layout does not know: %s' % (name, sorted(extra))


def strings_of(path):
    with open(path, encoding='utf-8') as handle:
        return set(node.value for node in ast.walk(ast.parse(handle.read(), path))
                   if isinstance(node, ast.Constant) and isinstance(node.value, str))


@pytest.mark.parametrize('name', target_names())
def test_each_playbook_is_run_by_its_target_or_one_that_needs_it(name):
    own = sorted(file[:-4] for file in os.listdir(target_dir(name)) if file.endswith('.yml'))
    users = [name] + [other for other in target_names() if name in needed_targets(other)]
    strings = set().union(*(strings_of(path) for user in users for path in pytest_files(user)))
    assert [playbook for playbook in own if playbook not in strings] == []


def test_a_playbook_name_means_one_playbook():
    owners = {}
    for name in target_names():
        for playbook, path in playbooks(name).items():
            if os.path.dirname(path) == target_dir(name):
                owners.setdefault(playbook, []).append(name)
    assert {playbook: names for playbook, names in owners.items() if len(names) > 1} == {}
