"""docs/guide.md's tables name every module, filter, event source and page. Every ``ansible-playbook``,
``ansible-inventory`` and ``ansible-doc`` command in the fenced shell blocks of ``docs/*.md`` and the README runs as
written against the simulator, in the environment ``make simulator`` prints (the collection,
``docs/examples/inventory.ini``, the simulator's endpoints and keys); and so does ``make demo``'s script.

A command that names a file other than ``docs/examples/...`` (``my.dbss.yml``, ``stopped.yml``) runs in a folder of
its own where that file is the YAML block of the same page whose first line is ``# <file name>``.
"""

import glob
import os
import re
import shlex
import subprocess

import pytest

from hwtest_support import REPO_ROOT

COMMAND = re.compile(r'^(?:\$ )?(ansible-playbook|ansible-inventory|ansible-doc)\s')
FENCE = re.compile(r'^```(\w*)\s*$')
# The compliance examples write their reports where the page says; the test sends them to its own folder instead.
REPORT_DIR = '/tmp/dbaudit-report'
# Commands whose documented outcome is a failure: the page says what it fails on.
EXPECTED_FAILURES = {'stopped.yml': 'not running'}


def fenced_blocks(path):
    """``(language, lines)`` of every fenced block of a Markdown file."""
    blocks, language, lines = [], None, None
    with open(path, encoding='utf-8') as stream:
        for line in stream:
            match = FENCE.match(line.rstrip('\n'))
            if match and lines is None:
                language, lines = match.group(1), []
            elif line.startswith('```') and lines is not None:
                blocks.append((language, lines))
                language, lines = None, None
            elif lines is not None:
                lines.append(line.rstrip('\n'))
    return blocks


def documented_commands():
    pages = sorted(glob.glob(os.path.join(REPO_ROOT, 'docs', '*.md'))) + [os.path.join(REPO_ROOT, 'README.md')]
    found = []
    for page in pages:
        blocks = fenced_blocks(page)
        files = dict((lines[0][1:].split()[0], '\n'.join(lines) + '\n') for language, lines in blocks
                     if language in ('yaml', 'yml') and lines and re.match(r'^# [\w.-]+\.ya?ml\b', lines[0]))
        for language, lines in blocks:
            if language not in ('sh', 'console', 'bash', 'shell'):
                continue
            for line in lines:
                if COMMAND.match(line):
                    command = line[2:] if line.startswith('$ ') else line
                    found.append((os.path.relpath(page, REPO_ROOT), command.split(' #')[0].strip(), files))
    return found


COMMANDS = documented_commands()


def test_the_docs_hold_commands_of_every_kind():
    kinds = {shlex.split(command)[0] for _page, command, _files in COMMANDS}
    assert kinds == {'ansible-playbook', 'ansible-inventory', 'ansible-doc'}, kinds


def docs_env(ansible_env, sim):
    env = dict(ansible_env, HW_ACCESS_KEY=sim.credentials['access_key'], HW_SECRET_KEY=sim.credentials['secret_key'],
               ANSIBLE_INVENTORY=os.path.join(REPO_ROOT, 'docs', 'examples', 'inventory.ini'))
    # The warnings a newcomer would see are not hidden here.
    env.pop('ANSIBLE_LOCALHOST_WARNING', None)
    env.pop('ANSIBLE_INVENTORY_UNPARSED_WARNING', None)
    return env


@pytest.mark.parametrize('page, command, files', COMMANDS, ids=['%s: %s' % (page, command) for page, command, _f in COMMANDS])
def test_every_documented_command_runs_on_the_simulator(sim, ansible_env, tmp_path, page, command, files):
    argv = [arg.replace(REPORT_DIR, str(tmp_path / 'report')) for arg in shlex.split(command)]
    named = [arg for arg in argv if arg in files]
    cwd = REPO_ROOT
    if named:
        cwd = str(tmp_path)
        for name in named:
            (tmp_path / name).write_text(files[name])
    missing = [arg for arg in argv[1:] if re.search(r'\.ya?ml$', arg) and not os.path.exists(os.path.join(cwd, arg))]
    assert not missing, '%s: %s names %s, which neither the checkout nor a "# <name>" YAML block of the page holds' % (
        page, command, missing)
    process = subprocess.run(argv, cwd=cwd, env=docs_env(ansible_env, sim), capture_output=True, text=True,
                             timeout=300, check=False)
    output = process.stdout + process.stderr
    expected_failure = [EXPECTED_FAILURES[name] for name in named if name in EXPECTED_FAILURES]
    if expected_failure:
        assert process.returncode != 0 and expected_failure[0] in output, output
    else:
        assert process.returncode == 0, '%s: %s\n%s' % (page, command, output)
    assert 'Traceback' not in output and 'No inventory was parsed' not in output
    assert 'provided hosts list is empty' not in output
    if argv[0] == 'ansible-inventory':
        assert '@dbss:' in output, output


def test_make_demo_names_every_file_it_writes_and_shows_no_skipped_task_or_warning(ansible_env, tmp_path):
    report_dir = tmp_path / 'report'
    env = dict((key, value) for key, value in ansible_env.items()
               if key not in ('ANSIBLE_LOCALHOST_WARNING', 'ANSIBLE_INVENTORY_UNPARSED_WARNING'))
    env['REPORT_DIR'] = str(report_dir)
    process = subprocess.run([os.path.join(REPO_ROOT, 'tests', 'tools', 'demo.sh')], cwd=str(tmp_path), env=env,
                             capture_output=True, text=True, timeout=600, check=False)
    output = process.stdout + process.stderr
    assert process.returncode == 0, output
    assert 'skipping:' not in output and '[WARNING]' not in output, output
    written = sorted(str(path) for path in report_dir.iterdir())
    assert len(written) >= 7
    for path in written:
        assert 'demo:   %s' % path in output


def guide():
    with open(os.path.join(REPO_ROOT, 'docs', 'guide.md'), encoding='utf-8') as stream:
        return stream.read()


def names(pattern):
    return sorted(os.path.splitext(os.path.basename(path))[0] for path in glob.glob(os.path.join(REPO_ROOT, pattern))
                  if not os.path.basename(path).startswith('_'))


def test_the_guide_lists_every_module_filter_and_event_source():
    text = guide()
    plugins = names('plugins/modules/*.py') + names('plugins/filter/*.yml') + names('extensions/eda/plugins/event_source/*.py')
    assert len(plugins) > 20
    assert [name for name in plugins if '`%s`' % name not in text] == []


def test_the_guide_links_every_page_of_docs():
    text = guide()
    pages = [name for name in names('docs/*.md') if name != 'guide']
    assert [name for name in pages if '](%s.md)' % name not in text] == []
