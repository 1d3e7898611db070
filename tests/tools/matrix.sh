#!/usr/bin/env bash
# The ansible-core matrix of `make test`: unit, integration and sanity on every ansible-core line given, and the
# steps of MATRIX_ALSO (`make test` passes "docs lint") once, all in one pool that keeps both cores busy.
#
#   MATRIX_JOBS=2 tests/tools/matrix.sh 2.17 2.18 2.19      (the Makefile's `matrix` target does this)
#
# 1. starts the venvs of the lines that lack one in the background (`make venv ANSIBLE_CORE=X`; pip is mostly
#    network-bound, so they take no slot); a line's steps wait for its venv, the others start at once;
# 2. runs the steps (one `make <step> ANSIBLE_CORE=X` each) MATRIX_JOBS at a time, longest first: integration
#    (the newest line, the last one given, runs all of it and comes first; the older lines run the tests marked
#    all_core_lines, see the Makefile), then sanity, unit and MATRIX_ALSO; every pytest step gets
#    MATRIX_PYTEST_JOBS xdist workers (default 2), so a step that runs alone at the end still uses both cores;
# 3. prints a summary (line, step, result, seconds, CPU seconds) and the end of every failing step's log.
# Every step's full log is .build/matrix/<line>-<step>.log.  Expects the collection to be built and installed
# into .build/collections (`make collection`, which `make matrix` runs first); integration steps reuse it.
# Exits non-zero when any step failed.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT" || exit 2
MAKE=${MAKE:-make}
JOBS=${MATRIX_JOBS:-2}
PYTEST_JOBS=${MATRIX_PYTEST_JOBS:-2}
read -r -a ALSO <<<"${MATRIX_ALSO:-}"
LOG_DIR=$ROOT/.build/matrix
FAILED_LOG_LINES=${FAILED_LOG_LINES:-150}
STEPS=(integration sanity unit)

if (($# == 0)); then
    echo "matrix.sh: no ansible-core lines given (e.g. tests/tools/matrix.sh 2.17 2.18 2.19)" >&2
    exit 2
fi
for value in "$JOBS" "$PYTEST_JOBS"; do
    if ! [[ $value =~ ^[1-9][0-9]*$ ]]; then
        echo "matrix.sh: MATRIX_JOBS and MATRIX_PYTEST_JOBS must be positive integers, not '$value'" >&2
        exit 2
    fi
done
LINES=("$@")
NEWEST=${LINES[-1]}
# The newest line first: its full integration run is the longest step.
ORDERED=("$NEWEST")
for line in "${LINES[@]}"; do [[ $line == "$NEWEST" ]] || ORDERED+=("$line"); done
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"

declare -A RESULT SECONDS_TAKEN CPU_TAKEN STARTED
declare -A PID_TASK
SLOT_TASKS=0

note() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*"; }

# start TASK SLOT COMMAND...: runs COMMAND in the background with its output in $LOG_DIR/TASK.log; SLOT is 1 for a
# task that takes one of the JOBS slots, 0 for one that does not (venvs).  The CPU seconds of the command and
# everything it waited for go to $LOG_DIR/TASK.cpu.
start() {
    local task=$1 slot=$2
    shift 2
    STARTED[$task]=$(date +%s)
    (
        "$@" >"$LOG_DIR/$task.log" 2>&1
        rc=$?
        times >"$LOG_DIR/$task.cpu"
        exit $rc
    ) &
    PID_TASK[$!]=$task:$slot
    SLOT_TASKS=$((SLOT_TASKS + slot))
    note "ansible-core ${task%%-*} ${task#*-}: started (log: .build/matrix/$task.log)"
}

# cpu_seconds TASK: user + system seconds of the task's children, from the second line of bash's `times`.
cpu_seconds() {
    local user sys
    read -r user sys < <(sed -n 2p "$LOG_DIR/$1.cpu" 2>/dev/null)
    [[ -n ${user:-} && -n ${sys:-} ]] || { echo -; return; }
    awk -v u="$user" -v s="$sys" 'function sec(t, m) { split(t, m, /[ms]/); return m[1] * 60 + m[2] }
        BEGIN { printf "%d\n", sec(u) + sec(s) + 0.5 }'
}

# reap: waits for any one background task and records its result.
reap() {
    local pid rc entry task
    wait -n -p pid
    rc=$?
    entry=${PID_TASK[$pid]}
    unset "PID_TASK[$pid]"
    task=${entry%:*}
    SLOT_TASKS=$((SLOT_TASKS - ${entry##*:}))
    SECONDS_TAKEN[$task]=$(($(date +%s) - STARTED[$task]))
    CPU_TAKEN[$task]=$(cpu_seconds "$task")
    if ((rc == 0)); then RESULT[$task]=PASS; else RESULT[$task]="FAIL (exit $rc)"; fi
    note "ansible-core ${task%%-*} ${task#*-}: ${RESULT[$task]} in ${SECONDS_TAKEN[$task]} s (${CPU_TAKEN[$task]} s CPU)"
}

run_make() {
    local line=$1 step=$2
    shift 2
    "$MAKE" --no-print-directory "$step" ANSIBLE_CORE="$line" "$@"
}

MATRIX_START=$(date +%s)

# 1. venvs in the background.
for line in "${ORDERED[@]}"; do
    start "$line-venv" 0 run_make "$line" venv
done

# 2. the steps, JOBS at a time, in this order as soon as their line's venv is ready.
PENDING=()
for step in "${STEPS[@]}"; do
    for line in "${ORDERED[@]}"; do PENDING+=("$line-$step"); done
done
for step in "${ALSO[@]}"; do PENDING+=("$NEWEST-$step"); done

while ((${#PENDING[@]})); do
    started=no
    if ((SLOT_TASKS < JOBS)); then
        for index in "${!PENDING[@]}"; do
            task=${PENDING[$index]}
            line=${task%%-*} step=${task#*-}
            venv=${RESULT[$line-venv]:-}
            if [[ -z $venv ]]; then
                continue  # its venv is still being installed
            fi
            unset "PENDING[$index]"
            PENDING=("${PENDING[@]}")
            if [[ $venv != PASS ]]; then
                RESULT[$task]="not run (no venv)"
            else
                start "$task" 1 run_make "$line" "$step" PYTEST_JOBS="$PYTEST_JOBS" COLLECTION_READY=yes
            fi
            started=yes
            break
        done
    fi
    [[ $started == yes ]] || reap
done
while ((${#PID_TASK[@]})); do reap; done

# 3. summary.
failed=()
echo
echo "ansible-core matrix ($(($(date +%s) - MATRIX_START)) s wall time, $JOBS steps at a time, $PYTEST_JOBS pytest workers each; logs in .build/matrix/):"
printf '  %-12s %-12s %-20s %8s %8s\n' ansible-core step result seconds CPU-s
for line in "${LINES[@]}"; do
    steps=(venv "${STEPS[@]}")
    [[ $line != "$NEWEST" ]] || steps+=("${ALSO[@]}")
    for step in "${steps[@]}"; do
        task=$line-$step
        printf '  %-12s %-12s %-20s %8s %8s\n' "$line" "$step" "${RESULT[$task]}" "${SECONDS_TAKEN[$task]:--}" "${CPU_TAKEN[$task]:--}"
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
