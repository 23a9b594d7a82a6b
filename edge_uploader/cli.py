"""Command line of the edge uploader: ``python -m edge_uploader ...`` and ``ets edge ...``.

    run     --config site.toml                 the service (systemd runs this)
    status  --spool FILE                       days and their state (open, sealed, posted)
    prove   --spool FILE --device ADDR --day YYYY-MM-DD --seq N --node URL --genesis FILE
                                               prove one stored reading: day root, state, signed header
    import  --config site.toml FILE.jsonl      ingest signed readings from a JSON-lines file
    config  --config site.toml                 print the effective configuration (file + ETS_EDGE_*)

``add_edge_commands(subparsers)`` adds these under ``edge`` to another ``argparse`` program.
Exit codes: 0 success, 1 a proof that does not hold, 2 a usage, configuration, spool or chain error.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

from protocol.readings import SignedReading

from ets.console import DEFAULT_NODE, address_arg, print_json
from ets.keys import KeystoreError
from ets.rpc import ChainClient, ChainError

from .config import load_config
from .days import parse_day
from .errors import EdgeError, MerkleError, ReadingError
from .ingest import Ingestor, IngestResult
from .logs import configure_logging, log_event
from .prove import prove_reading
from .spool import Spool

__all__ = ["add_edge_commands", "main", "build_parser"]

IMPORT_GROUP = 1000  # readings of an imported file written (and fsynced) together

_address = address_arg("device")


def _day(text: str) -> str:
    try:
        return parse_day(text)
    except ReadingError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _seq(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("a reading's seq is a whole number ≥ 0")
    return value


# ---------------------------------------------------------------- commands


def _run(args: argparse.Namespace) -> int:
    from .service import UploaderService, load_device_signer

    config = load_config(args.config)
    configure_logging(config.log.level)
    signer = load_device_signer(config)
    service = UploaderService(config, signer)
    return asyncio.run(service.run())


def _status(args: argparse.Namespace) -> int:
    with Spool.open_existing(args.spool) as spool:
        stats = spool.stats()
        days = spool.days()
        print_json({
            "device": spool.device,
            "start_day": spool.start_day,
            "readings": stats.readings,
            "substituted": stats.substituted,
            "rejected": stats.rejected,
            "open_days": stats.open_days,
            "days_waiting": stats.unposted_days,
            "last_posted_day": stats.last_posted_day,
            "days": [d.to_json() for d in (days[-args.days:] if args.days else days)],
        })
    return 0


def _prove(args: argparse.Namespace) -> int:
    from ets.light import LightClient
    from ets.verify import light_store_path, trust_root

    trust = trust_root(args.genesis, args.trust_height, args.trust_hash)
    with Spool.open_existing(args.spool) as spool, ChainClient(args.node) as client:
        store = None if args.no_light_store else light_store_path(trust.chain_id or client.chain_id, trust)
        with LightClient(client, trust, store_path=store) as light:
            result = prove_reading(spool, device=args.device, day=args.day, seq=args.seq, client=client, light=light)
    print_json(result)
    return 0 if result["verdict"] == "proven" else 1


def _import(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    configure_logging(config.log.level, stream=sys.stderr)
    path = Path(config.spool.path)
    if path.exists():
        spool = Spool.open_existing(path)
    else:
        from .service import load_device_signer

        signer = load_device_signer(config)
        spool = Spool(path, device=signer.address, public_key=signer.public_key, start_day=config.schedule.start_day)
    summary: dict[str, Any] = {"accepted": 0, "duplicates": 0, "rejected": {}}
    with spool:
        ingestor = Ingestor(spool, config.limits)
        try:
            lines = Path(args.file).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise EdgeError(f"cannot read readings file {args.file}: {exc}") from None
        for start in range(0, len(lines), IMPORT_GROUP):
            with spool.transaction():  # group commit: one durable write per IMPORT_GROUP lines
                results = _import_group(ingestor, args.file, enumerate(lines[start:start + IMPORT_GROUP], start=start + 1))
            for number, result in results:
                if result.accepted:
                    summary["accepted"] += 1
                elif result.reason == "duplicate":
                    summary["duplicates"] += 1
                else:
                    summary["rejected"][result.reason] = summary["rejected"].get(result.reason, 0) + 1
                    log_event(logging.WARNING, "reading_rejected", file=str(args.file), line=number, reason=result.reason,
                              detail=result.detail)
    print_json(summary)
    return 0


def _import_group(ingestor: Ingestor, file: str, numbered: Iterable[tuple[int, str]]) -> list[tuple[int, IngestResult]]:
    """Judge a group of lines in order: runs of parsed readings go to ``ingest_many`` together."""
    results: list[tuple[int, IngestResult]] = []
    run: list[tuple[int, SignedReading]] = []

    def flush() -> None:
        results.extend(zip((n for n, _ in run), ingestor.ingest_many([s for _, s in run])))
        run.clear()

    for number, line in numbered:
        if not line.strip():
            continue
        try:
            run.append((number, SignedReading.from_line(line)))
        except ReadingError as exc:
            flush()
            results.append((number, ingestor.reject_unparsed("malformed", f"{file}, line {number}: {exc}", line[:2000])))
    flush()
    return results


def _config(args: argparse.Namespace) -> int:
    print_json(load_config(args.config).redacted())
    return 0


# ---------------------------------------------------------------- parser


def _guard(func: Callable[[argparse.Namespace], int], prog: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except (EdgeError, ReadingError, MerkleError, KeystoreError, ChainError, ValueError) as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            return 2
    return run


def _add_commands(sub: argparse._SubParsersAction, prog: str) -> None:
    p = sub.add_parser("run", help="run the uploader service (spool readings, seal days, post daily totals)",
                       description="Run the edge uploader: read the configured input, keep every reading in the spool, "
                                   "seal each finished KST day (substitutes, total, Merkle root) and post it to the chain "
                                   "exactly once. Logs are JSON lines on stdout; SIGTERM stops cleanly.")
    p.add_argument("--config", required=True, help="site configuration (TOML); every key can be overridden by ETS_EDGE_<SECTION>_<KEY>")
    p.set_defaults(func=_guard(_run, prog))

    p = sub.add_parser("status", help="show the spool: readings, rejections, days and their state",
                       description="Print the spool's days (open, sealed, posted with tx hash and height) as JSON.")
    p.add_argument("--spool", required=True, help="the uploader's spool file ([spool] path)")
    p.add_argument("--days", type=int, default=0, help="only the last N days (default: all)")
    p.set_defaults(func=_guard(_status, prog))

    p = sub.add_parser("prove", help="prove one stored reading against the day's Merkle root on chain",
                       description="Rebuild the day's Merkle tree from the spool, print the inclusion proof of reading SEQ, "
                                   "and check it against the root in the chain's daily total of DEVICE for DAY, and the "
                                   "reading's signature against the device key on chain; the daily total and the key are "
                                   "proven in the chain's state under a header the validators signed, trusting only "
                                   "--genesis (or --trust-height/--trust-hash). Exit 0 when proven, 1 when not.")
    p.add_argument("--spool", required=True, help="the uploader's spool file")
    p.add_argument("--device", required=True, type=_address, help="the device address")
    p.add_argument("--day", required=True, type=_day, help="the KST day, YYYY-MM-DD")
    p.add_argument("--seq", required=True, type=_seq, help="the reading's sequence number")
    p.add_argument("--node", default=DEFAULT_NODE, help=f"CometBFT RPC address (default {DEFAULT_NODE})")
    p.add_argument("--genesis", help="the chain's genesis.json to trust (env ETS_GENESIS)")
    p.add_argument("--trust-height", type=int, help="instead of the genesis: a height you trust ...")
    p.add_argument("--trust-hash", help="... and that height's header hash (hex)")
    p.add_argument("--no-light-store", action="store_true",
                   help="do not keep verified headers in ~/.ets/light (verify from the trust root every time)")
    p.set_defaults(func=_guard(_prove, prog))

    p = sub.add_parser("import", help="ingest signed readings from a JSON-lines file (each is verified)",
                       description="Read one signed reading per line ({\"reading\": {...}, \"signature\": \"<hex>\"}), verify "
                                   "each against the device key and the site's limits, and store the valid ones in the spool "
                                   "(do not run it while the service replays a simulated clock). Prints counts as JSON; "
                                   "rejections are logged to stderr.")
    p.add_argument("--config", required=True, help="site configuration (TOML)")
    p.add_argument("file", help="JSON-lines file of signed readings")
    p.set_defaults(func=_guard(_import, prog))

    p = sub.add_parser("config", help="print the effective configuration (TOML file + ETS_EDGE_* overrides)",
                       description="Load and validate the configuration the way `run` does and print it as JSON.")
    p.add_argument("--config", help="site configuration (TOML); omit to use only ETS_EDGE_* variables")
    p.set_defaults(func=_guard(_config, prog))


def add_edge_commands(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``edge run|status|prove|import|config`` to a program's subparsers (``ets edge ...``)."""
    edge = subparsers.add_parser("edge", help="edge uploader: run it, inspect its spool, prove a reading against the chain",
                                 description=__doc__.split("\n\n")[0])
    _add_commands(edge.add_subparsers(dest="edge_command", required=True), "ets edge")
    return edge


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m edge_uploader", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_commands(parser.add_subparsers(dest="command", required=True), "edge_uploader")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
