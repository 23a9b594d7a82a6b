#!/usr/bin/env bash
# Run one validator host of the docker-compose network: this node's ABCI app, then its cometbft.
#   compose-node.sh NODE [NET]     (NET defaults to /net, created by `ets localnet create --hosts ...`)
# The host stops when either process stops, and takes the other one down with it, so compose's
# restart policy (or whoever supervises the host) brings both back; after a crash CometBFT's
# handshake replays what the app has not committed. An app that refuses to start (a damaged
# database, another chain's state) stops the host before cometbft starts, with the app's reason.
set -euo pipefail
NODE="${1:?usage: compose-node.sh NODE [NET]}"
NET="${2:-/net}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHAIN_ID="$("$ROOT/.venv/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["chain_id"])' "$NET/localnet.json")"
APP_PID="" NODE_PID=""
# TERM both, give them 15 s to stop cleanly, then KILL what is left: a cometbft whose app died can
# hang in its own shutdown, and a supervisor waiting on a host that never exits restarts nothing.
stop_both() {
  local pid left
  kill -TERM $APP_PID $NODE_PID 2>/dev/null || true
  for _ in $(seq 1 150); do
    left=""
    for pid in $APP_PID $NODE_PID; do kill -0 "$pid" 2>/dev/null && left="$left $pid"; done
    [ -z "$left" ] && break
    sleep 0.1
  done
  [ -n "$left" ] && { echo "compose-node: killing$left, still running 15 s after TERM" >&2; kill -KILL $left 2>/dev/null || true; }
  wait 2>/dev/null || true
}
trap stop_both EXIT
trap 'exit 143' TERM INT

"$ROOT/.venv/bin/python" -m abci_app --home "$NET/$NODE/app" --listen tcp://127.0.0.1:26658 \
  --chain-id "$CHAIN_ID" --metrics 0.0.0.0:26655 &
APP_PID=$!
for _ in $(seq 1 600); do
  if ! kill -0 "$APP_PID" 2>/dev/null; then
    status=0
    wait "$APP_PID" || status=$?
    APP_PID=""
    echo "compose-node: the app of $NODE stopped before cometbft started (exit $status)" >&2
    exit $(( status == 0 ? 1 : status ))
  fi
  (exec 3<>/dev/tcp/127.0.0.1/26658) 2>/dev/null && break
  sleep 0.1
done
"$ROOT/bin/cometbft" start --home "$NET/$NODE" &
NODE_PID=$!
status=0
wait -n || status=$?
echo "compose-node: $NODE stops: a process exited (status $status)" >&2
exit $(( status == 0 ? 1 : status ))
