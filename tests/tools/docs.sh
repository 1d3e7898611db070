#!/usr/bin/env bash
# `make docs`: check the documentation and build the plugin reference; any error or warning fails.
#
#   tests/tools/docs.sh            output in .build/docs/ (open .build/docs/html/index.html)
#
# 0. tests/tools/docsite.py build: the guides docs/*.md as extra docs, docs/docsite/rst/<guide>.rst (generated,
#    git-ignored); every guide must be listed in docs/docsite/extra-docs.yml;
# 1. antsibull-docs lint-collection-docs --plugin-docs: schema and markup of every module, plugin and role
#    (DOCUMENTATION/EXAMPLES/RETURN, argument_specs), references such as O(...) and RV(...), docs/docsite/links.yml,
#    docs/docsite/extra-docs.yml and its RST pages;
# 2. antsibull-docs collection: one RST page per module, plugin and role, and the guides, into .build/docs/rst/;
# 3. sphinx-build -W -n: those pages to HTML in .build/docs/html/ (config in docs/sphinx/, offline); a link between
#    guides that leads nowhere is an error;
# 4. tests/tools/docsite.py check-html: a page per guide in the site, with its title, and every link of a guide's
#    page to a page or #anchor of the site resolves;
# 5. every relative link and #anchor in README.md, docs/**/*.md and tests/simulator/README.md must resolve.
# The collection is read from this checkout through a temporary ansible_collections/<ns>/<name> symlink (no
# build needed). Generated files are never committed (.build/ is git-ignored).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VENV=${VENV:-$ROOT/.venv}
OUT=${DOCS_OUT:-$ROOT/.build/docs}

if [[ ! -x $VENV/bin/antsibull-docs || ! -x $VENV/bin/sphinx-build ]]; then
    echo "docs.sh: $VENV has no antsibull-docs or sphinx-build; run 'make venv' first" >&2
    exit 2
fi

# shellcheck source=tests/tools/collection_link.sh disable=SC1091
source "$ROOT/tests/tools/collection_link.sh"
link_collection "$ROOT" "$VENV" docs
trap 'rm -rf "$LINK_DIR"' EXIT  # removes the symlink only, never what it points to

cd "$ROOT"
export PATH="$VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$LINK_DIR"
export ANSIBLE_NOCOLOR=1 ANSIBLE_HOME="$LINK_DIR/ansible-home"

echo "docs: the guides as extra docs (tests/tools/docsite.py build)"
python tests/tools/docsite.py build

echo "docs: antsibull-docs lint-collection-docs --plugin-docs"
# --skip-rstcheck: rstcheck of the pages the linter renders from its temporary copy of the collection once failed
# on a clean clone with "Unknown target name: antsibull-docs-<random>" on line 4 (:github_url:) of every page, a
# name from that temporary directory; it did not reproduce in 20 runs after. Step 3 checks the RST of the pages
# actually published with sphinx-build -W -n instead.
antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck --validate-collection-refs all \
    --disallow-unknown-collection-refs "$ROOT"

echo "docs: antsibull-docs collection -> $OUT/rst"
rm -rf "$OUT"
mkdir -p "$OUT/rst"
chmod 700 "$OUT/rst"  # antsibull-docs writes only into a directory no one else can write to
antsibull-docs --config-file docs/sphinx/antsibull-docs.cfg collection --use-current --squash-hierarchy \
    --fail-on-error --cleanup everything --dest-dir "$OUT/rst" "$COLLECTION_NAMESPACE.$COLLECTION_NAME"

echo "docs: sphinx-build -> $OUT/html"
sphinx-build -b html -W --keep-going -n -q -c docs/sphinx "$OUT/rst" "$OUT/html"

echo "docs: the guides in the site (tests/tools/docsite.py check-html)"
python tests/tools/docsite.py check-html "$OUT/html"

echo "docs: relative links and repository paths in the Markdown pages (tests/tools/markdown_links.py)"
python tests/tools/markdown_links.py "$ROOT"

echo "docs: OK; plugin reference and guides in $OUT/html/index.html"
