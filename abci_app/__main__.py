"""``python -m abci_app`` / ``ets-abci``: run one validator's ABCI application."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from pathlib import Path

from .errors import GenesisError, StorageError


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def build_parser() -> argparse.ArgumentParser:
    from .server import CHECK_BACKLOG, MAX_BACKLOG, MIN_BACKLOG

    parser = argparse.ArgumentParser(
        prog="python -m abci_app",
        description=(
            "Run the ETS ABCI application for one CometBFT validator. CometBFT connects to --listen "
            "(its proxy_app setting); state is kept in HOME/state.sqlite and survives restarts: "
            "after a crash CometBFT replays the blocks the app has not committed."
        ),
    )
    parser.add_argument("--home", required=True, help="folder for this node's application state (created if missing)")
    parser.add_argument("--listen", default="tcp://127.0.0.1:26658",
                        help="address CometBFT connects to: tcp://HOST:PORT or unix:///path (default: %(default)s)")
    parser.add_argument("--chain-id", default=None, help="refuse to run on state that belongs to another chain")
    parser.add_argument("--metrics", default=None, metavar="HOST:PORT",
                        help="serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:26660); off by default")
    parser.add_argument("--blinding-key", default=None, metavar="FILE",
                        help="the validators' shared state blinding key, 64 hex digits; the same file on every "
                             "validator of the chain (default: HOME/blinding.key)")
    parser.add_argument("--history-blocks", type=int, default=100_000, metavar="N",
                        help="keep the state of the last N heights for queries and proofs at a past height "
                             "(default: %(default)s; node-local, never changes the app hash)")
    parser.add_argument("--checkpoint-every", type=int, default=10_000, metavar="N",
                        help="also keep the state of every N-th height for good (0: none; default: %(default)s)")
    parser.add_argument("--snapshot-interval", type=int, default=100, metavar="N",
                        help="write a state-sync snapshot of the committed state every N heights into HOME/snapshots/, "
                             "for new nodes to join from; 0 turns snapshots off (default: %(default)s)")
    parser.add_argument("--snapshot-keep", type=int, default=2, metavar="K",
                        help="how many of the latest snapshots to keep on disk (default: %(default)s)")
    parser.add_argument("--observer", default=None, metavar="GENESIS_JSON",
                        help="run as an observer node (a non-validator that follows the chain and serves public state, "
                             "with no blinding or execution key): the chain's genesis.json, whose app_hash it starts "
                             "from; state in HOME/public.sqlite")
    parser.add_argument("--check-backlog", type=int, default=CHECK_BACKLOG, metavar="BYTES",
                        help="bytes of CheckTx requests waiting to be checked before new ones are refused with "
                             "CHECK_BACKLOG (the client sends again); CometBFT waits for every waiting check before "
                             f"each Commit, so this bounds that wait ({MIN_BACKLOG:,} to {MAX_BACKLOG:,}; default: %(default)s, "
                             "about a second of checks)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"],
                        help="log verbosity; logs are JSON lines on stdout (default: %(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_JsonFormatter())
    logging.basicConfig(level=args.log_level.upper(), handlers=[handler])
    from .server import MAX_BACKLOG, MIN_BACKLOG, AbciServer

    try:
        if not MIN_BACKLOG <= args.check_backlog <= MAX_BACKLOG:
            raise ValueError(f"--check-backlog must be {MIN_BACKLOG:,} to {MAX_BACKLOG:,} bytes, not {args.check_backlog:,}")
        app = _observer(args) if args.observer else _validator(args)
        asyncio.run(AbciServer(app, args.listen, check_backlog=args.check_backlog).serve())
    except (GenesisError, StorageError, ValueError, OSError) as exc:
        print(f"abci_app: {exc}", file=sys.stderr)
        return 2
    app.store.close()
    return 0


def _validator(args: argparse.Namespace):
    from .app import Application
    from .blinding import BLINDING_KEY_FILE, read_blinding_key
    from .state import History

    if args.history_blocks < 1 or args.checkpoint_every < 0:
        raise ValueError("--history-blocks must be at least 1 and --checkpoint-every at least 0")
    key_file = Path(args.blinding_key) if args.blinding_key else Path(args.home) / BLINDING_KEY_FILE
    app = Application(args.home, blinding_key=read_blinding_key(key_file), expected_chain_id=args.chain_id,
                      history=History(args.history_blocks, args.checkpoint_every))
    app.snapshots.configure(interval=args.snapshot_interval, keep=args.snapshot_keep)
    if args.metrics:
        app.metrics.serve(args.metrics)
    return app


def _observer(args: argparse.Namespace):
    from .observer import Observer, read_genesis_app_hash

    return Observer(args.home, genesis_app_hash=read_genesis_app_hash(args.observer), expected_chain_id=args.chain_id)


if __name__ == "__main__":
    sys.exit(main())
