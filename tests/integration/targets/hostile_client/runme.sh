#!/usr/bin/env bash
# `ansible-test integration <target>`: this target's pytest file against the simulator (tests/integration/runme_pytest.sh).
exec "${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/hwcloud/dbaudit/tests/integration/runme_pytest.sh" "$(basename "$PWD")" "$@"
