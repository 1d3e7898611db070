# shellcheck shell=bash
# Sourced by lint.sh and docs.sh: makes this checkout resolvable as ansible_collections/<namespace>/<name>
# through a symlink in a temporary folder, so tools that look collections up by name see the working tree
# without a build or copy.
#
#   link_collection ROOT VENV LABEL
#
# sets LINK_DIR (holds only the symlink: remove it on exit), COLLECTION_NAMESPACE and COLLECTION_NAME.
link_collection() {
    local root=$1 venv=$2 label=$3
    read -r COLLECTION_NAMESPACE COLLECTION_NAME < <("$venv/bin/python" -c '
import sys, yaml
with open(sys.argv[1], encoding="utf-8") as handle:
    galaxy = yaml.safe_load(handle)
print(galaxy["namespace"], galaxy["name"])' "$root/galaxy.yml")
    LINK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dbaudit-$label.XXXXXX")
    mkdir -p "$LINK_DIR/ansible_collections/$COLLECTION_NAMESPACE"
    ln -s "$root" "$LINK_DIR/ansible_collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME"
}
