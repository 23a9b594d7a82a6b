#!/usr/bin/env bash
# Run the whole test suite several times in a row from one fresh clone of this checkout, the way CI does
# (CI=true, ../shared beside it), and keep one line per run: start time (UTC), duration, exit code and
# pytest's summary. Stops at the first failing run unless --keep-going is given.
#
#   scripts/suite_runs.sh                     # 10 runs of ./scripts/test.sh
#   scripts/suite_runs.sh --runs 3            # 3 runs
#   scripts/suite_runs.sh --runs 2 -- tests/protocol -x   # pytest arguments after --
#   scripts/suite_runs.sh --here --runs 3     # in this checkout instead of a fresh clone
#
# The clone is made in a temporary folder beside this checkout (so that ../shared is beside it as well)
# and removed at the end; each run's full output and the summary lines go to --log (default
# benchmarks/results/suite-runs-<UTC time>/). The first run includes setup on the fresh clone. Stopped
# (Ctrl-C, SIGTERM, SIGHUP), it stops the running suite, waits for its teardown, then removes the clone.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=10 keep_going=0 log="" here=0
usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || { echo "suite_runs: --runs needs a whole number from 1, got '${2:-}'" >&2; exit 2; }
            runs="$2"; shift 2 ;;
    --keep-going) keep_going=1; shift ;;
    --here) here=1; shift ;;
    --log) [[ $# -ge 2 ]] || { echo "suite_runs: --log needs a folder" >&2; exit 2; }; log="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; break ;;
    *) echo "suite_runs: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
log="${log:-$ROOT/benchmarks/results/suite-runs-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$log"
log="$(cd "$log" && pwd)"
if [[ $here -eq 1 ]]; then
  checkout="$ROOT"
else
  checkout="$(mktemp -d "$(dirname "$ROOT")/suite-runs.XXXXXX")"
  trap 'rm -rf "$checkout"' EXIT
  git clone -q "$ROOT" "$checkout"
fi
commit="$(git -C "$checkout" rev-parse --short HEAD)"
summary="$log/summary.txt"
echo "# commit $commit, $runs run(s), pytest arguments: ${*:-(none)}" | tee "$summary"
failed=0 child="" i=0
stopped() {  # a stop (Ctrl-C, SIGTERM, SIGHUP): the running suite tears down before its clone is removed
  trap '' INT TERM HUP
  if [[ -n "$child" ]]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  echo "# stopped during run $i; logs in $log" | tee -a "$summary"
  exit 130
}
trap stopped INT TERM HUP
for ((i = 1; i <= runs; i++)); do
  started="$(date -u +%Y-%m-%dT%H:%M:%SZ)" t0=$SECONDS rc=0
  (cd "$checkout" && CI=true exec ./scripts/test.sh "$@") > "$log/run-$i.log" 2>&1 < /dev/null &
  child=$!
  wait "$child" || rc=$?
  child=""
  result="$( (grep -E '^(=+ )?[0-9a-z ,]*(passed|failed|errors?|deselected|skipped|no tests ran)[0-9a-z ,]* in [0-9.]+s' "$log/run-$i.log" || true) \
            | tail -1 | tr -d '=' | sed 's/^ *//; s/ *$//')"
  line="run $i/$runs  $started  $(( (SECONDS - t0) / 60 )) min $(( (SECONDS - t0) % 60 )) s  exit $rc  ${result:-no pytest summary (see run-$i.log)}"
  echo "$line" | tee -a "$summary"
  if [[ $rc -ne 0 ]]; then
    failed=$((failed + 1))
    [[ $keep_going -eq 1 ]] || break
  fi
done
echo "# $failed failing run(s); logs in $log" | tee -a "$summary"
[[ $failed -eq 0 ]]
