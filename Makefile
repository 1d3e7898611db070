# Test toolchain for the hwcloud.dbaudit collection.
#
#   make test         venvs, collection, then in one pool of two steps at a time (tests/tools/matrix.sh, logs in
#                     .build/matrix/): unit + integration + sanity on every ansible-core line in ANSIBLE_CORE_MATRIX,
#                     docs and lint.  The newest line runs every integration test, the older lines the ones marked
#                     all_core_lines (INTEGRATION_SUBSET below); every line runs all unit tests and all of sanity.
#   make unit | integration | sanity | venv
#                     one ansible-core line: ANSIBLE_CORE=2.19 (default, .venv with every tool) or
#                     ANSIBLE_CORE=2.17 / 2.18 (.venv-2.17 / .venv-2.18: ansible-core and the test deps only)
#   make matrix       the unit/integration/sanity matrix alone (MATRIX_JOBS=2 steps at a time, MATRIX_PYTEST_JOBS=2
#                     pytest workers each)
#   make docs         check the documentation and build the plugin reference and the guides into .build/docs/html
#   make demo         run docs/examples/list_audit_instances.yml against the local simulator
#   make simulator    run the simulator in the foreground (SIM_ARGS="--port 8443 ...")
#
# Needs only Python >= 3.11, pip (with access to PyPI), git and make; no Docker.
# ansible-core 2.20 and later need Python >= 3.12 and are not in the matrix (CI has Python 3.11 only).

PYTHON      ?= python3
BUILD       := .build
DIST        := $(BUILD)/dist
COLLECTIONS := $(BUILD)/collections
SIM_ARGS    ?=

# ansible-core lines `make test` checks: meta/runtime.yml's requires_ansible (>=2.17.0) up to the newest one that
# runs on Python 3.11.  Each is pinned by its constraints file (tests/constraints.txt for the default line).
ANSIBLE_CORE_MATRIX  := 2.17 2.18 2.19
ANSIBLE_CORE_DEFAULT := 2.19
ANSIBLE_CORE         ?= $(ANSIBLE_CORE_DEFAULT)
ifeq ($(filter $(ANSIBLE_CORE),$(ANSIBLE_CORE_MATRIX)),)
$(error ANSIBLE_CORE=$(ANSIBLE_CORE) is not supported; allowed values: $(ANSIBLE_CORE_MATRIX) (2.20+ needs Python 3.12))
endif
MATRIX_JOBS ?= 2
MATRIX_PYTEST_JOBS ?= 2
# pytest-xdist workers per pytest run; worksteal moves queued tests from a busy worker to an idle one, so that a few
# long role tests do not leave a worker waiting at the end.
PYTEST_JOBS ?= 2
# Integration tests of one line: the newest line (ANSIBLE_CORE_DEFAULT) runs all of them; an older line runs the ones
# marked @pytest.mark.all_core_lines (every module, the inventory plugin and the role at least once, and the tests of
# what differs between ansible-core lines: no_log and -vvv output, warnings, argument spec messages, check and diff
# mode, module_defaults groups, ansible-inventory, ansible-galaxy/ansible-doc/ansible-builder).  A test without the
# mark runs on the newest line only; tests/unit/test_integration_subset.py checks that the marked ones still run every
# module, the inventory plugin and the role.  INTEGRATION_SUBSET=no runs all of them on an older line too.
INTEGRATION_SUBSET ?= $(if $(filter $(ANSIBLE_CORE_DEFAULT),$(ANSIBLE_CORE)),no,yes)
ifeq ($(filter $(INTEGRATION_SUBSET),yes no),)
$(error INTEGRATION_SUBSET=$(INTEGRATION_SUBSET) is not supported; allowed values: yes, no)
endif
INTEGRATION_ARGS := $(if $(filter yes,$(INTEGRATION_SUBSET)),-m all_core_lines)

# The default line's venv holds every tool (docs, lint, builder, ...): docs, lint, demo and the collection build use it.
VENV        := .venv
VPY         := $(VENV)/bin/python
VBIN        := $(VENV)/bin
STAMP       := $(VENV)/.requirements.stamp
# The venv of the selected ANSIBLE_CORE line.
CORE_VENV   := $(if $(filter $(ANSIBLE_CORE_DEFAULT),$(ANSIBLE_CORE)),$(VENV),.venv-$(ANSIBLE_CORE))
CORE_PY     := $(CORE_VENV)/bin/python
CORE_STAMP  := $(CORE_VENV)/.requirements.stamp

REQUIREMENT_FILES := requirements.txt tests/requirements.txt tests/constraints.txt

check_python = @$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	    echo "error: '$(PYTHON)' is missing or older than Python 3.11; run e.g. 'make PYTHON=python3.11 ...'" >&2; \
	    exit 1; }

# $(call run_pytest,FOLDER[,ARGS]): pytest on one ansible-core line; exit code 5 (nothing collected) is an error too.
run_pytest = @echo "== ansible-core $(ANSIBLE_CORE): pytest $(1) $(2) ($(CORE_VENV))"; \
	$(CORE_PY) -m pytest $(1) $(2) -q -n $(PYTEST_JOBS) --dist worksteal -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: ansible-core $(ANSIBLE_CORE): pytest collected no tests in $(1)" >&2; fi; \
	exit $$rc

.PHONY: test venv tools-venv collection unit integration matrix docs sanity lint simulator demo constraints clean distclean
# `test` lists its steps as prerequisites; they must run one after the other (the matrix step runs its own jobs).
.NOTPARALLEL:

# docs and lint run in the matrix's pool (MATRIX_ALSO), beside the long integration run instead of after it.
test: tools-venv collection
	$(run_matrix) MATRIX_ALSO="docs lint" tests/tools/matrix.sh $(ANSIBLE_CORE_MATRIX)

# The selected ANSIBLE_CORE line's venv.
venv: $(CORE_STAMP)

# The default line's venv with every tool.
tools-venv: $(STAMP)

# Re-installs only when a requirements/constraints file is newer than the stamp.
$(STAMP): $(REQUIREMENT_FILES)
	$(check_python)
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	@echo "== ansible-core $(ANSIBLE_CORE_DEFAULT): installing $(VENV) (every tool) from tests/requirements.txt and tests/constraints.txt"
	$(VPY) -m pip install -q -r tests/requirements.txt -c tests/constraints.txt
	touch $@

.venv-%/.requirements.stamp: requirements.txt tests/requirements-core.txt tests/constraints-%.txt
	$(check_python)
	@echo "== ansible-core $*: installing .venv-$* from tests/requirements-core.txt and tests/constraints-$*.txt"
	test -x .venv-$*/bin/python || $(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -m pip install -q -r tests/requirements-core.txt -c tests/constraints-$*.txt
	touch $@

# Built and installed once with the default line's ansible-galaxy; the installed tree is plain files that every
# ansible-core line in the matrix reads.  The guides docs/*.md go into the tarball as the docs site's extra docs
# (docs/docsite/rst/*.rst, generated by tests/tools/docsite.py, git-ignored).
collection: tools-venv
	$(VPY) tests/tools/docsite.py build
	rm -rf $(DIST)
	$(VBIN)/ansible-galaxy collection build --force --output-path $(DIST)
	$(VBIN)/ansible-galaxy collection install --force -p $(COLLECTIONS) $(DIST)/hwcloud-dbaudit-*.tar.gz

unit: venv
	$(call run_pytest,tests/unit tests/simulator/tests)

integration: export ANSIBLE_COLLECTIONS_PATH = $(CURDIR)/$(COLLECTIONS)
# The matrix builds the collection once beforehand and sets COLLECTION_READY=yes, so that concurrent runs do not
# rebuild it under each other's feet.
integration: venv $(if $(COLLECTION_READY),,collection)
	$(call run_pytest,tests/integration,$(INTEGRATION_ARGS))

# unit, integration and sanity on every line of ANSIBLE_CORE_MATRIX, MATRIX_JOBS at a time, with a summary.
run_matrix = MAKE="$(MAKE)" PYTHON="$(PYTHON)" MATRIX_JOBS=$(MATRIX_JOBS) MATRIX_PYTEST_JOBS=$(MATRIX_PYTEST_JOBS)
matrix: collection
	$(run_matrix) tests/tools/matrix.sh $(ANSIBLE_CORE_MATRIX)

docs: tools-venv
	tests/tools/docs.sh

sanity: venv
	@echo "== ansible-core $(ANSIBLE_CORE): ansible-test sanity ($(CORE_VENV))"
	VENV=$(CURDIR)/$(CORE_VENV) tests/tools/sanity.sh

lint: tools-venv
	tests/tools/lint.sh

simulator: tools-venv
	PYTHONPATH=tests/simulator $(VPY) -m dbaudit_simulator $(SIM_ARGS)

# Exported to the prerequisites too: ansible-galaxy then installs into a configured path, without a warning.
demo: export ANSIBLE_COLLECTIONS_PATH = $(CURDIR)/$(COLLECTIONS)
demo: tools-venv collection
	tests/tools/demo.sh

# Regenerate tests/constraints.txt (default line, from tests/requirements.txt) or, with ANSIBLE_CORE=2.17 etc.,
# tests/constraints-2.17.txt (from tests/requirements-core.txt and the newest ansible-core 2.17.x) from a
# throw-away venv after editing the requirements file.
ifeq ($(ANSIBLE_CORE),$(ANSIBLE_CORE_DEFAULT))
constraints:
	rm -rf $(BUILD)/constraints-venv
	$(PYTHON) -m venv $(BUILD)/constraints-venv
	$(BUILD)/constraints-venv/bin/python -m pip install -r tests/requirements.txt
	{ echo "# Generated by 'make constraints' (pip freeze of a venv built from tests/requirements.txt"; \
	  echo "# with Python 3.11). Do not edit by hand."; \
	  $(BUILD)/constraints-venv/bin/python -m pip freeze; } > tests/constraints.txt
	rm -rf $(BUILD)/constraints-venv
else
constraints:
	rm -rf $(BUILD)/constraints-venv
	$(PYTHON) -m venv $(BUILD)/constraints-venv
	$(BUILD)/constraints-venv/bin/python -m pip install -r tests/requirements-core.txt 'ansible-core==$(ANSIBLE_CORE).*'
	{ echo "# Generated by 'make constraints ANSIBLE_CORE=$(ANSIBLE_CORE)' (pip freeze of a venv built from"; \
	  echo "# tests/requirements-core.txt with Python 3.11 and ansible-core $(ANSIBLE_CORE)). Do not edit by hand."; \
	  $(BUILD)/constraints-venv/bin/python -m pip freeze; } > tests/constraints-$(ANSIBLE_CORE).txt
	rm -rf $(BUILD)/constraints-venv
endif

clean:
	rm -rf $(BUILD) tests/output .pytest_cache changelogs/.plugin-cache.yaml docs/docsite/rst
	find . \( -path ./$(VENV) -o -path './.venv-*' \) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(foreach core,$(filter-out $(ANSIBLE_CORE_DEFAULT),$(ANSIBLE_CORE_MATRIX)),.venv-$(core))
