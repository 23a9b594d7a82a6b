#!/usr/bin/env bash
# Set everything up, then run the main job in the foreground: a local network of 4 CometBFT
# validators on 127.0.0.1, each with its own ETS ABCI application; demo data and an allocation
# plan awaiting its second approval; a market that trades 24 hours a day (demo genesis only) with a
# market maker quoting both sides; a compliance year with reports awaiting the verifier; three edge
# uploaders replaying sensor data into the chain; and the portal on http://127.0.0.1:8501.
# Ctrl-C (SIGINT) or SIGTERM stops it all.
#   scripts/up.sh [--home DIR] [--validators N] [--base-port P] [--portal-port P] [--detach] [--no-demo]
# Node i uses ports P+10i+5 .. P+10i+9; the edge uploaders' metrics use P+1, P+2, P+3.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
HOME_DIR="$ROOT/.localnet"; VALIDATORS=4; BASE_PORT=26650; PORTAL_PORT=8501; DETACH=0; DEMO=1
while [ $# -gt 0 ]; do
  case "$1" in
    --home) HOME_DIR="$2"; shift 2 ;;
    --validators) VALIDATORS="$2"; shift 2 ;;
    --base-port) BASE_PORT="$2"; shift 2 ;;
    --portal-port) PORTAL_PORT="$2"; shift 2 ;;
    --detach) DETACH=1; shift ;;
    --no-demo) DEMO=0; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "up.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
ETS=.venv/bin/ets
PY=.venv/bin/python
STARTED=0   # 1 once `localnet start` has been run: from then on, leaving stops everything
CHILD=""    # the loop's current background command (sleep or status)

# Stop whatever this script started, whichever way it ends: a failing step, a failing status
# command, Ctrl-C, SIGINT to the whole process group, or SIGTERM to this script alone.
cleanup() {
  local rc=$?
  trap '' INT TERM        # a second Ctrl-C must not cut the stop short (its children ignore it too)
  trap - EXIT
  set +e
  if [ -n "$CHILD" ]; then kill "$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null; fi
  if [ "$STARTED" = 1 ]; then
    echo "Stopping the edge uploaders, the portal and the network..."
    "$PY" -m ets_tools.demo down --home "$HOME_DIR" || { [ "$rc" != 0 ] || rc=1; }
    if [ -f "$HOME_DIR/localnet.json" ]; then
      "$ETS" localnet stop --home "$HOME_DIR" || { [ "$rc" != 0 ] || rc=1; }
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 0' INT TERM    # a requested stop: cleanup runs from the EXIT trap and the script exits 0

./scripts/setup.sh
STARTED=1
if [ "$DEMO" = 1 ]; then  # a new network gets the demo genesis (24-hour market session); an existing one is kept
  "$PY" -m ets_tools.demo create --home "$HOME_DIR" --validators "$VALIDATORS" --base-port "$BASE_PORT"
fi
"$ETS" localnet start --validators "$VALIDATORS" --home "$HOME_DIR" --base-port "$BASE_PORT"
if [ "$DEMO" = 1 ]; then
  "$PY" -m ets_tools.demo up --home "$HOME_DIR" --portal-port "$PORTAL_PORT" --metrics-port "$((BASE_PORT + 1))"
fi
cat <<EOT

The network is running. Keys of its first accounts: $HOME_DIR/keys (passphrase: \$ETS_LOCALNET_PASSPHRASE,
default 'localnet-dev-passphrase' — local development only). Try:
  export ETS_KEYSTORE=$HOME_DIR/keys ETS_PASSPHRASE=localnet-dev-passphrase ETS_NODE=http://127.0.0.1:$((BASE_PORT + 7))
  $ETS keys list
  $ETS query params
  $ETS localnet status --home $HOME_DIR
EOT
if [ "$DEMO" = 1 ]; then
  cat <<EOT
Demo: the market trades 24 hours a day, every day (demo genesis only: market_around_the_clock = 1; a production
chain keeps the KRX session, 10:00-12:00 KST). Portal http://127.0.0.1:$PORTAL_PORT, password 'portal-demo-password'
(local demo only) for every user: gov-1, gov-2, gov-3 (officials: gov-2 approves the allocation plan), verifier-1
(reports awaiting verification), company-d001 (trades; its report awaits verification), company-1 (certified:
KAU to surrender), market-maker-1 (quotes KAU26 on both sides).
EOT
fi
if [ "$DETACH" = 1 ]; then
  trap - EXIT INT TERM
  echo "Detached. Stop it with: $PY -m ets_tools.demo down --home $HOME_DIR; $ETS localnet stop --home $HOME_DIR"
  exit 0
fi
echo "Press Ctrl-C to stop the network."
# Each command of the loop runs in the background and the script waits for it: `wait` returns as
# soon as a signal arrives (a foreground command would delay the trap until it finished), and
# background commands ignore the SIGINT of a Ctrl-C, so only this script reacts to it.
while true; do
  sleep 10 & CHILD=$!
  wait "$CHILD" || true
  "$ETS" localnet status --home "$HOME_DIR" & CHILD=$!
  if ! wait "$CHILD"; then
    CHILD=""
    echo "up.sh: \`$ETS localnet status --home $HOME_DIR\` failed; stopping everything" >&2
    exit 1
  fi
  CHILD=""
done
