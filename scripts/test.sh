#!/usr/bin/env bash
# Set everything up, then run the whole test suite (unit, in-process ABCI, real CometBFT localnets).
# Extra arguments go to pytest, e.g. scripts/test.sh tests/abci_app -x
#
# Test files run side by side in TEST_WORKERS processes (pytest-xdist, default: the machine's cores, at
# least 2; TEST_WORKERS=0 runs everything in this one process). A file stays whole on one worker, so its
# module fixtures (a localnet, a portal) start once; every port comes from tests/ports.py, which is safe
# across processes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
./scripts/setup.sh
cores="$(nproc 2>/dev/null || echo 2)"
workers="${TEST_WORKERS:-$(( cores > 2 ? cores : 2 ))}"
if ! [[ "$workers" =~ ^[0-9]+$ ]]; then
  echo "TEST_WORKERS must be a whole number of worker processes (0: no workers), not '$workers'" >&2
  exit 2
fi
if (( workers > 0 )); then
  exec .venv/bin/python -m pytest -n "$workers" --dist loadfile --no-loadscope-reorder "$@"
fi
exec .venv/bin/python -m pytest "$@"
