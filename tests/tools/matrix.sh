#!/usr/bin/env bash
# The ansible-core matrix of `make test`: unit, integration and sanity on every ansible-core line given.
#
#   MATRIX_JOBS=2 tests/tools/matrix.sh 2.17 2.18 2.19      (the Makefile's `matrix` target does this)
#
# 1. creates the venvs of all lines at once (`make venv ANSIBLE_CORE=X`; pip is mostly network-bound);
# 2. runs the steps (one `make <step> ANSIBLE_CORE=X` each) MATRIX_JOBS at a time, longest first (sanity,
#    integration, unit), each pytest with one xdist worker so that two steps share the two cores;
# 3. prints a summary (line, step, result, seconds) and the end of every failing step's log.
# Every step's full log is .build/matrix/<line>-<step>.log.  Expects the collection to be built and installed
# into .build/collections (`make collection`, which `make matrix` runs first); integration steps reuse it.
# Exits non-zero when any step failed.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
MAKE=${MAKE:-make}
JOBS=${MATRIX_JOBS:-2}
LOG_DIR=$ROOT/.build/matrix
FAILED_LOG_LINES=${FAILED_LOG_LINES:-150}
STEPS=(sanity integration unit)

if (($# == 0)); then
    echo "matrix.sh: no ansible-core lines given (e.g. tests/tools/matrix.sh 2.17 2.18 2.19)" >&2
    exit 2
fi
if ! [[ $JOBS =~ ^[1-9][0-9]*$ ]]; then
    echo "matrix.sh: MATRIX_JOBS must be a positive integer, not '$JOBS'" >&2
    exit 2
fi
LINES=("$@")
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"

declare -A RESULT SECONDS_TAKEN STARTED
declare -A PID_TASK
ORDER=()

note() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*"; }

# start TASK COMMAND...: runs COMMAND in the background with its output in $LOG_DIR/TASK.log.
start() {
    local task=$1
    shift
    STARTED[$task]=$(date +%s)
    ORDER+=("$task")
    "$@" >"$LOG_DIR/$task.log" 2>&1 &
    PID_TASK[$!]=$task
    note "ansible-core ${task%%-*} ${task#*-}: started (log: .build/matrix/$task.log)"
}

# reap: waits for any one background task and records its result.
reap() {
    local pid rc task
    wait -n -p pid
    rc=$?
    task=${PID_TASK[$pid]}
    unset "PID_TASK[$pid]"
    SECONDS_TAKEN[$task]=$(($(date +%s) - STARTED[$task]))
    if ((rc == 0)); then RESULT[$task]=PASS; else RESULT[$task]="FAIL (exit $rc)"; fi
    note "ansible-core ${task%%-*} ${task#*-}: ${RESULT[$task]} in ${SECONDS_TAKEN[$task]} s"
}

run_make() {
    local line=$1 step=$2
    shift 2
    "$MAKE" --no-print-directory "$step" ANSIBLE_CORE="$line" "$@"
}

MATRIX_START=$(date +%s)

# 1. venvs, all at once.
for line in "${LINES[@]}"; do
    start "$line-venv" run_make "$line" venv
done
while ((${#PID_TASK[@]})); do reap; done

# 2. the steps of every line whose venv is ready, JOBS at a time, longest first.
for step in "${STEPS[@]}"; do
    for line in "${LINES[@]}"; do
        if [[ ${RESULT[$line-venv]} != PASS ]]; then
            RESULT[$line-$step]="not run (no venv)"
            continue
        fi
        while ((${#PID_TASK[@]} >= JOBS)); do reap; done
        start "$line-$step" run_make "$line" "$step" PYTEST_JOBS=1 COLLECTION_READY=yes
    done
done
while ((${#PID_TASK[@]})); do reap; done

# 3. summary.
failed=()
echo
echo "ansible-core matrix ($(($(date +%s) - MATRIX_START)) s wall time, $JOBS at a time; logs in .build/matrix/):"
printf '  %-12s %-12s %-20s %s\n' ansible-core step result seconds
for line in "${LINES[@]}"; do
    for step in venv "${STEPS[@]}"; do
        task=$line-$step
        printf '  %-12s %-12s %-20s %s\n' "$line" "$step" "${RESULT[$task]}" "${SECONDS_TAKEN[$task]:--}"
        [[ ${RESULT[$task]} == PASS ]] || failed+=("$task")
    done
done
for task in "${failed[@]}"; do
    [[ -f $LOG_DIR/$task.log ]] || continue
    echo
    echo "---- ansible-core ${task%%-*} ${task#*-} FAILED: last $FAILED_LOG_LINES lines of .build/matrix/$task.log ----"
    tail -n "$FAILED_LOG_LINES" "$LOG_DIR/$task.log"
    echo "---- end of ansible-core ${task%%-*} ${task#*-} ----"
done
# pytest's closing line of every unit and integration step, and their sum as one "N passed, N failed" line.
passed=0
failed_tests=0
for line in "${LINES[@]}"; do
    for step in unit integration; do
        closing=$(grep -E '^=*[ ]*[0-9]+ (passed|failed)' "$LOG_DIR/$line-$step.log" 2>/dev/null | tail -n 1)
        [[ -n $closing ]] || continue
        echo "  ansible-core $line $step: $closing"
        [[ $closing =~ ([0-9]+)\ passed ]] && passed=$((passed + BASH_REMATCH[1]))
        [[ $closing =~ ([0-9]+)\ failed ]] && failed_tests=$((failed_tests + BASH_REMATCH[1]))
    done
done
echo "matrix: $passed passed, $failed_tests failed"
if ((${#failed[@]})); then
    echo
    echo "ansible-core matrix FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "ansible-core matrix passed: ${LINES[*]}"
