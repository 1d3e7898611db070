#!/usr/bin/env bash
# Run ansible-lint on the repository; settings (profile: production, offline: true, excludes)
# live in .ansible-lint and .yamllint at the repository root.
#
#   tests/tools/lint.sh [extra ansible-lint arguments]
#
# In offline mode ansible-lint does not make the collection under test available to its
# `ansible-playbook --syntax-check` runs, so playbooks using hwcloud.dbaudit.* modules or the
# hwcloud.dbaudit.huaweicloud module_defaults group would fail with syntax-check[unknown-module].
# A temporary ansible_collections/<ns>/<name> symlink to this checkout, put first on
# ANSIBLE_COLLECTIONS_PATH, makes the working tree itself resolvable (no build or copy needed).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV=${VENV:-$ROOT/.venv}

if [[ ! -x $VENV/bin/ansible-lint ]]; then
    echo "lint.sh: $VENV has no ansible-lint; run 'make venv' first" >&2
    exit 2
fi

# shellcheck source=tests/tools/collection_link.sh disable=SC1091
source "$ROOT/tests/tools/collection_link.sh"
link_collection "$ROOT" "$VENV" lint
trap 'rm -rf "$LINK_DIR"' EXIT  # removes the symlink only, never what it points to

cd "$ROOT"
export PATH="$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$LINK_DIR${ANSIBLE_COLLECTIONS_PATH:+:$ANSIBLE_COLLECTIONS_PATH}"
ansible-lint --offline --profile production "$@"
