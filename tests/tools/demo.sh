#!/usr/bin/env bash
# `make demo`: start the local simulator on a free port, run docs/examples/list_audit_instances.yml
# against it with the collection installed in .build/collections, then the compliance check
# docs/examples/compliance_report.yml (reports in .build/compliance-report/, the path of report.html is
# printed last), always stop the simulator, and exit with the first failing playbook's exit code.
# The simulated account deliberately holds violations; the example sets audit_compliance_fail_on to
# `never`, so they are reported without failing the demo.
# Expects `make venv collection` to have run (make demo does).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
VENV=${VENV:-$ROOT/.venv}
PLAYBOOK=${PLAYBOOK:-docs/examples/list_audit_instances.yml}
COMPLIANCE_PLAYBOOK=${COMPLIANCE_PLAYBOOK:-docs/examples/compliance_report.yml}
REPORT_DIR=${REPORT_DIR:-$ROOT/.build/compliance-report}
URL_FILE=$ROOT/.build/sim.url
SIM_LOG=$ROOT/.build/sim.log
WAIT_SECONDS=15

mkdir -p "$ROOT/.build"
rm -f "$URL_FILE"

PYTHONPATH=tests/simulator "$VENV/bin/python" -m dbaudit_simulator --port 0 --url-file "$URL_FILE" \
    >"$SIM_LOG" 2>&1 &
SIM_PID=$!

stop_simulator() {
    local rc=$?
    if kill -0 "$SIM_PID" 2>/dev/null; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    exit "$rc"
}
trap stop_simulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

URL=
for _ in $(seq $((WAIT_SECONDS * 10))); do
    if [[ -s $URL_FILE ]]; then
        URL=$(<"$URL_FILE")
        [[ $URL == http* ]] && break
        URL=
    fi
    if ! kill -0 "$SIM_PID" 2>/dev/null; then
        echo "demo: the simulator exited early; its output ($SIM_LOG):" >&2
        cat "$SIM_LOG" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z $URL ]]; then
    echo "demo: the simulator did not write $URL_FILE within ${WAIT_SECONDS}s; its output ($SIM_LOG):" >&2
    cat "$SIM_LOG" >&2
    exit 1
fi
echo "demo: simulator listening at $URL (log: $SIM_LOG)"

export HW_REGION_NAME=cn-north-4
export HW_ACCESS_KEY=HWSIMULATORACCESSKEY
export HW_SECRET_KEY=hwsimulator-secret-key
export HW_DBSS_ENDPOINT=$URL HW_RDS_ENDPOINT=$URL HW_IAM_ENDPOINT=$URL
export ANSIBLE_COLLECTIONS_PATH=$ROOT/.build/collections
# An inventory with the control node (no "No inventory was parsed" warning) and no line per skipped task.
export ANSIBLE_INVENTORY=$ROOT/docs/examples/inventory.ini
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=false

"$VENV/bin/ansible-playbook" "$PLAYBOOK"

echo "demo: database audit compliance of the simulated account (it holds violations on purpose; the example only reports them)"
rm -rf "$REPORT_DIR"
"$VENV/bin/ansible-playbook" "$COMPLIANCE_PLAYBOOK" \
    -e "$("$VENV/bin/python" -c 'import json, sys; print(json.dumps({"audit_compliance_report_dir": sys.argv[1]}))' "$REPORT_DIR")"
echo "demo: compliance report (open in a browser, no server needed): $REPORT_DIR/report.html"
echo "demo: every file written:"
find "$REPORT_DIR" -type f | LC_ALL=C sort | sed 's/^/demo:   /'
