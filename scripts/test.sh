#!/usr/bin/env bash
# Set everything up, then run the whole test suite (unit, in-process ABCI, real CometBFT localnets).
# Extra arguments go to pytest, e.g. scripts/test.sh tests/abci_app -x
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
./scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
