#!/usr/bin/env bash
# Set everything up, then run the main job in the foreground: a local network of 4 CometBFT
# validators on 127.0.0.1, each with its own ETS ABCI application; demo data and an allocation
# plan awaiting its second approval; three edge uploaders replaying sensor data into the chain;
# and the portal on http://127.0.0.1:8501. Ctrl-C stops it all.
#   scripts/up.sh [--home DIR] [--validators N] [--base-port P] [--detach] [--no-demo]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
HOME_DIR="$ROOT/.localnet"; VALIDATORS=4; BASE_PORT=26650; DETACH=0; DEMO=1
while [ $# -gt 0 ]; do
  case "$1" in
    --home) HOME_DIR="$2"; shift 2 ;;
    --validators) VALIDATORS="$2"; shift 2 ;;
    --base-port) BASE_PORT="$2"; shift 2 ;;
    --detach) DETACH=1; shift ;;
    --no-demo) DEMO=0; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "up.sh: unknown option $1 (see --help)"; exit 2 ;;
  esac
done
./scripts/setup.sh
ETS=.venv/bin/ets
$ETS localnet start --validators "$VALIDATORS" --home "$HOME_DIR" --base-port "$BASE_PORT"
if [ "$DEMO" = 1 ]; then
  .venv/bin/python -m ets.demo up --home "$HOME_DIR"
fi
cat <<EOT

The network is running. Keys of its first accounts: $HOME_DIR/keys (passphrase: \$ETS_LOCALNET_PASSPHRASE,
default 'localnet-dev-passphrase' — local development only). Try:
  export ETS_KEYSTORE=$HOME_DIR/keys ETS_PASSPHRASE=localnet-dev-passphrase ETS_NODE=http://127.0.0.1:$((BASE_PORT + 7))
  $ETS keys list
  $ETS query params
  $ETS localnet status --home $HOME_DIR
EOT
if [ "$DETACH" = 1 ]; then
  echo "Detached. Stop it with: .venv/bin/python -m ets.demo down --home $HOME_DIR; $ETS localnet stop --home $HOME_DIR"
  exit 0
fi
trap '.venv/bin/python -m ets.demo down --home "$HOME_DIR"; $ETS localnet stop --home "$HOME_DIR"; exit 0' INT TERM
echo "Press Ctrl-C to stop the network."
while true; do
  sleep 10
  $ETS localnet status --home "$HOME_DIR" --json | .venv/bin/python -c '
import json, sys
nodes = json.load(sys.stdin)
print("  ".join(f"{n[\"name\"]}: h={n.get(\"height\")} {\"up\" if n[\"running\"] else \"DOWN\"}" for n in nodes), flush=True)'
done
