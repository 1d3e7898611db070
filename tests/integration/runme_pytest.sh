#!/usr/bin/env bash
# One integration target's tests as `ansible-test integration` runs them: each target's runme.sh calls this with the
# target's name. ansible-test runs runme.sh in a copy of the target folder, without tests/conftest.py, the support
# code or the simulator, so the tests run from the collection it staged (the first ANSIBLE_COLLECTIONS_PATH entry):
# the same tests, fixtures and simulator as `make integration`, with the Python ansible-test gives (use --local
# with the project's venv: pytest and the test requirements are needed). Extra arguments go to pytest.
set -euo pipefail
target=$1
shift
collection="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/hwcloud/dbaudit"
cd "$collection"
exec python -m pytest "tests/integration/targets/$target" -q -p no:cacheprovider "$@"
