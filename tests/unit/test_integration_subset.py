"""The integration tests marked ``all_core_lines`` are all that `make test` runs of the integration suite on the older
ansible-core lines (docs/contributing.md, "Tests"). They must still run every module in a playbook, the inventory plugin through
ansible-inventory and the role: a marker dropped, or a module added without a marked playbook test, fails here (on every
line, before any integration test runs).

Read from the test sources: the string constants of each marked test, of its parameters and of the helpers and
fixtures of its own file that it uses name the playbooks it runs (the playbooks of its integration target,
tests/integration/targets/<target>/<name>.yml, or of a target its aliases need: tests/support/integration_targets.py)
and the commands it starts."""

import ast
import os
import re

import pytest

from hwtest_support import REPO_ROOT
from integration_targets import playbooks, pytest_files, target_names

MARK = 'all_core_lines'
FQCN = re.compile(r'\bhwcloud\.dbaudit\.(\w+)\b')
ROLE = 'audit_compliance'


def module_names():
    folder = os.path.join(REPO_ROOT, 'plugins', 'modules')
    return sorted(name[:-3] for name in os.listdir(folder) if name.endswith('.py') and name != '__init__.py')


def mentions_mark(nodes):
    return any(MARK in ast.dump(node) for node in nodes)


def constants_of_marked_tests(path):
    """{test name: the string constants it reaches} for the tests of one file that carry the mark (on the test, on one
    of its parameters, or on the whole file through ``pytestmark``)."""
    with open(path, encoding='utf-8') as handle:
        tree = ast.parse(handle.read(), path)
    functions = dict((node.name, node) for node in tree.body if isinstance(node, ast.FunctionDef))
    file_marked = mentions_mark([node for node in tree.body if isinstance(node, ast.Assign)
                                 and any(isinstance(target, ast.Name) and target.id == 'pytestmark' for target in node.targets)])

    def reach(name, seen):
        if name in seen or name not in functions:
            return set()
        seen.add(name)
        node = functions[name]
        found = set(item.value for item in ast.walk(node) if isinstance(item, ast.Constant) and isinstance(item.value, str))
        used = set(item.id for item in ast.walk(node) if isinstance(item, ast.Name))
        used |= set(arg.arg for arg in node.args.args)  # fixtures of the same file
        for other in sorted(used):
            found |= reach(other, seen)
        return found

    return dict((name, reach(name, set())) for name, node in functions.items()
                if name.startswith('test_') and (file_marked or mentions_mark(node.decorator_list)))


def marked_tests():
    """{'<test file>::<test>': (its target, the string constants it reaches)} of every marked test."""
    result = {}
    for target in target_names():
        for path in pytest_files(target):
            for test, constants in constants_of_marked_tests(path).items():
                result['%s::%s' % (os.path.basename(path), test)] = (target, constants)
    return result


def covered():
    """The modules named in the playbooks the marked tests run, whether they run the role, and whether they run
    ansible-inventory."""
    tests = marked_tests()
    run = set()
    for target, constants in tests.values():
        run |= set(path for name, path in playbooks(target).items() if name in constants)
    named = set()
    for path in sorted(run):
        with open(path, encoding='utf-8') as handle:
            named |= set(FQCN.findall(handle.read()))
    constants = set().union(*(constants for _target, constants in tests.values()))
    return tests, set(module_names()) & named, ROLE in named, 'ansible-inventory' in constants


def test_the_subset_is_found():
    tests = marked_tests()
    assert len(tests) >= 10, sorted(tests)
    assert 'test_play_audit_posture.py::test_every_module_against_seeded_data' in tests


@pytest.mark.parametrize('module', module_names())
def test_every_module_runs_in_a_playbook_of_the_subset(module):
    _tests, modules, _role, _inventory = covered()
    assert module in modules, (
        'no integration test marked @pytest.mark.%s runs a playbook that uses hwcloud.dbaudit.%s, so the older '
        'ansible-core lines would never run it: mark one (docs/contributing.md, "Tests")' % (MARK, module))


def test_the_role_and_the_inventory_plugin_run_in_the_subset():
    _tests, _modules, role, inventory = covered()
    assert role, 'no integration test marked @pytest.mark.%s runs the %s role' % (MARK, ROLE)
    assert inventory, 'no integration test marked @pytest.mark.%s runs ansible-inventory' % MARK
