#!/usr/bin/env bash
# Run `ansible-test sanity` on a staged copy of the collection, offline and without Docker.
#
#   tests/tools/sanity.sh [extra ansible-test sanity arguments, e.g. --test validate-modules]
#
# 1. stage.py copies the collection to .build/sanity-<ansible-core line>/ansible_collections/<ns>/<name>/
#    (ansible-test needs that layout and refuses symlinks);
# 2. bootstrap-ansible-test.py puts an offline get-pip stand-in into ~/.ansible/test/cache/;
# 3. ansible-test runs with --local (the ansible-core of $VENV, default .venv, as the controller) and --python X.Y
#    (the venv's version; without it ansible-test probes pyenv shims of other versions).  Each sanity
#    test still gets its own pinned virtualenv under ~/.ansible/test/venv/, installed from PyPI on
#    first use and reused afterwards.
# Exits non-zero when any sanity test fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PY=$VENV/bin/python

if [[ ! -x $PY || ! -x $VENV/bin/ansible-test ]]; then
    echo "sanity.sh: $VENV has no ansible-test; run 'make venv' first" >&2
    exit 2
fi

PYVER=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
CORE=$("$PY" -c 'from ansible.release import __version__; print(".".join(__version__.split(".")[:2]))')
# One staged copy per ansible-core line: the matrix runs sanity of two lines at the same time.
STAGED=$("$PY" "$ROOT/tests/tools/stage.py" --base "$ROOT/.build/sanity-$CORE")
echo "sanity.sh: ansible-core $CORE ($VENV), Python $PYVER, staged in $STAGED"
"$PY" "$ROOT/tests/tools/bootstrap-ansible-test.py"

cd "$STAGED"
export PATH="$VENV/bin:$PATH"
set -x
exec ansible-test sanity --local --python "$PYVER" --color no "$@"
