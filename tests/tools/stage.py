"""Copy the collection into .build/ansible_collections/<namespace>/<name>/ for ansible-test.

ansible-test needs the collection below an ``ansible_collections/<ns>/<name>`` directory and refuses
symlinks, so this makes a real copy.  Copied are the files git knows about or would pick up
(tracked plus untracked-but-not-ignored, minus deleted ones); outside a git checkout the tree is
walked with a fixed exclusion list instead.  No rsync needed.

The staged copy gets its own (empty) git repository: the staging directory lies inside this repo's
work tree and is git-ignored there, so without its own .git ansible-test would ask the outer
repository for the file list and get nothing.  ansible-test lists untracked files of the inner
repository (``git ls-files --others --exclude-standard``), so nothing has to be committed there.

Usage: python tests/tools/stage.py [--dest DIR | --base DIR]   prints the path of the staged collection.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Used only when the source tree is not a git checkout.
FALLBACK_EXCLUDE_DIRS = {
    '.git', '.venv', 'venv', '.build', '.ansible', '.pytest_cache', '__pycache__', '.tox',
    '.mypy_cache', '.ruff_cache', '.cache',
}
FALLBACK_EXCLUDE_PATHS = {'tests/output', 'changelogs/.plugin-cache.yaml', '.coverage'}
FALLBACK_EXCLUDE_SUFFIXES = ('.pyc', '.pyo', '.tar.gz', '.retry')


def read_collection_name(root: str) -> tuple[str, str]:
    """Return (namespace, name) from galaxy.yml without needing PyYAML."""
    values: dict[str, str] = {}
    with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
        for line in handle:
            if line[:1].isspace() or ':' not in line:
                continue
            key, _sep, value = line.partition(':')
            value = value.split(' #', 1)[0].strip().strip('\'"')
            if key.strip() in ('namespace', 'name') and value:
                values[key.strip()] = value
    try:
        return values['namespace'], values['name']
    except KeyError as ex:
        sys.exit(f'stage: galaxy.yml has no {ex.args[0]!r} key')


def git_files(root: str) -> list[str] | None:
    """Return the repo-relative files git tracks or would track, or None outside git."""
    if not os.path.exists(os.path.join(root, '.git')) or shutil.which('git') is None:
        return None

    def ls_files(*args: str) -> set[str]:
        out = subprocess.run(['git', '-C', root, 'ls-files', '-z', *args],
                             check=True, stdout=subprocess.PIPE).stdout.decode('utf-8', 'surrogateescape')
        return {p for p in out.split('\0') if p}

    files = ls_files('--cached', '--others', '--exclude-standard') - ls_files('--deleted')
    return sorted(files)


def walk_files(root: str) -> list[str]:
    """Fallback file list for a tree without git metadata."""
    result = []
    for current, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(current, root)
        rel_dir = '' if rel_dir == '.' else rel_dir
        dirs[:] = sorted(d for d in dirs
                         if d not in FALLBACK_EXCLUDE_DIRS
                         and os.path.join(rel_dir, d) not in FALLBACK_EXCLUDE_PATHS)
        for name in sorted(files):
            rel = os.path.join(rel_dir, name)
            if rel in FALLBACK_EXCLUDE_PATHS or name.endswith(FALLBACK_EXCLUDE_SUFFIXES):
                continue
            result.append(rel)
    return result


def copy_file(src: str, dst: str) -> None:
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.islink(src):
        os.symlink(os.readlink(src), dst)  # keep symlinks as they are; sanity judges them
    else:
        shutil.copy2(src, dst)  # keeps the executable bit (the shebang sanity test checks it)


def main() -> int:
    namespace, name = read_collection_name(REPO_ROOT)
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--dest', default=os.path.join(REPO_ROOT, '.build', 'ansible_collections', namespace, name),
                        help='target directory (default: %(default)s)')
    parser.add_argument('--base',
                        help='stage into BASE/ansible_collections/<namespace>/<name> instead of --dest '
                             '(one per ansible-core line, so that sanity runs of several lines can overlap)')
    args = parser.parse_args()
    dest = os.path.abspath(os.path.join(args.base, 'ansible_collections', namespace, name) if args.base else args.dest)

    if dest == REPO_ROOT or REPO_ROOT.startswith(dest + os.sep):
        sys.exit(f'stage: refusing to stage into {dest}')

    files = git_files(REPO_ROOT)
    if files is None:
        files = walk_files(REPO_ROOT)

    if os.path.lexists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)

    copied = 0
    for rel in files:
        src = os.path.join(REPO_ROOT, rel)
        if not os.path.lexists(src) or (os.path.isdir(src) and not os.path.islink(src)):
            continue  # deleted in the work tree, or a submodule/nested repo directory
        copy_file(src, os.path.join(dest, rel))
        copied += 1

    # A repository of its own, so that ansible-test does not consult the outer one (see module doc).
    if shutil.which('git'):
        subprocess.run(['git', 'init', '-q', dest], check=True)
    print(f'stage: copied {copied} files to {dest}', file=sys.stderr)
    print(dest)
    return 0


if __name__ == '__main__':
    sys.exit(main())
