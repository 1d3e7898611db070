#!/usr/bin/env bash
# Run `ansible-test sanity` on a staged copy of the collection, offline and without Docker.
#
#   tests/tools/sanity.sh [extra ansible-test sanity arguments, e.g. --test validate-modules]
#
# 1. stage.py copies the collection to .build/ansible_collections/<ns>/<name>/ (ansible-test needs
#    that layout and refuses symlinks);
# 2. bootstrap-ansible-test.py puts an offline get-pip stand-in into ~/.ansible/test/cache/;
# 3. ansible-test runs with --local (this venv's ansible-core as the controller) and --python X.Y
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
STAGED=$("$PY" "$ROOT/tests/tools/stage.py")
"$PY" "$ROOT/tests/tools/bootstrap-ansible-test.py"

cd "$STAGED"
export PATH="$VENV/bin:$PATH"
set -x
exec ansible-test sanity --local --python "$PYVER" --color no "$@"
