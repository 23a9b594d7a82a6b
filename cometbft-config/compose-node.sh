#!/usr/bin/env bash
# Run one validator host of the docker-compose network: this node's ABCI app, then its cometbft.
#   compose-node.sh NODE [NET]     (NET defaults to /net, created by `ets localnet create --hosts ...`)
# The container stops when either process stops, so compose's restart policy brings both back;
# after a crash CometBFT's handshake replays what the app has not committed.
set -euo pipefail
NODE="${1:?usage: compose-node.sh NODE [NET]}"
NET="${2:-/net}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHAIN_ID="$("$ROOT/.venv/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["chain_id"])' "$NET/localnet.json")"
"$ROOT/.venv/bin/python" -m abci_app --home "$NET/$NODE/app" --listen tcp://127.0.0.1:26658 \
  --chain-id "$CHAIN_ID" --metrics 0.0.0.0:26655 &
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/26658) 2>/dev/null && break
  sleep 0.1
done
"$ROOT/bin/cometbft" start --home "$NET/$NODE" &
wait -n
exit 1
