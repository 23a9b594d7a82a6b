"""The ``ets localnet`` commands: start, stop, inspect and break a local network of validators.

Owns only the command-line face of :mod:`ets_tools.localnet`; ``ets_tools/cli.py`` mounts it with
:func:`add_localnet_commands`. Every handler takes the parsed ``args`` and returns an exit code;
expected failures print one clear message to stderr (no traceback) and return 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

from .localnet import BUILTIN_APPS, DEFAULT_BASE_PORT, DEFAULT_CHAIN_ID, LocalNet, LocalNetError

__all__ = ["add_localnet_commands"]

_PROG = "ets localnet"


def _fail(message: str) -> int:
    print(f"{_PROG}: error: {message}", file=sys.stderr)
    return 1


def _guard(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except LocalNetError as exc:
            return _fail(str(exc))
        except KeyboardInterrupt:
            print(f"{_PROG}: interrupted", file=sys.stderr)
            return 130

    run.__name__ = handler.__name__
    run.__doc__ = handler.__doc__
    return run


def _net(args: argparse.Namespace, **kwargs: Any) -> LocalNet:
    return LocalNet(args.home, **kwargs)


def _existing(args: argparse.Namespace) -> LocalNet:
    net = _net(args)
    if not net.exists():
        raise LocalNetError(f"no local network in {net.home}; create and start one with `{_PROG} start --home {args.home}`")
    return net


def _any_running(net: LocalNet, node: str, *keys: str) -> bool:
    net.rpc_url(node)  # unknown node names fail here with a clear message
    row = next(r for r in net.status() if r["name"] == node)
    return any(row[k] for k in (keys or ("cometbft_running", "app_running")))


def _short(value: str | None, width: int = 16) -> str:
    if not value:
        return "-"
    return value if len(value) <= width else value[:width] + "…"


def _table(rows: list[dict[str, Any]]) -> str:
    header = ("NODE", "RUNNING", "HEIGHT", "APP HASH", "RPC", "P2P", "ABCI", "PIDS (cometbft/app)")
    lines = [header]
    for r in rows:
        state = "yes" if r["running"] else ("cometbft only" if r["cometbft_running"] else ("app only" if r["app_running"] else "no"))
        pids = f"{r['pids']['cometbft'] or '-'}/{r['pids']['app'] or '-'}"
        lines.append(
            (r["name"], state, "-" if r["height"] is None else str(r["height"]), _short(r["app_hash"]), r["rpc"],
             str(r["ports"]["p2p"]), str(r["ports"]["abci"]), pids)
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines)


@_guard
def cmd_create(args: argparse.Namespace) -> int:
    """Create a network without starting it (e.g. one validator per host for docker compose)."""
    net = _net(args, base_port=args.base_port if args.base_port is not None else DEFAULT_BASE_PORT)
    hosts = [h.strip() for h in args.hosts.split(",")] if args.hosts else None
    net.create(args.validators, chain_id=args.chain_id, hosts=hosts, snapshot_interval=args.snapshot_interval,
               snapshot_keep=args.snapshot_keep, check_backlog=args.check_backlog)
    layout = f"one validator per host ({', '.join(hosts)})" if hosts else "all validators on 127.0.0.1"
    print(f"created network {net.chain_id!r} in {net.home}: {len(net.nodes())} validators, {layout}")
    return 0


@_guard
def cmd_start(args: argparse.Namespace) -> int:
    """Create the network if needed, start every node, wait for blocks."""
    net = _net(args, base_port=args.base_port if args.base_port is not None else DEFAULT_BASE_PORT)
    began = time.monotonic()
    if net.exists():
        manifest_base = net.manifest()["base_port"]
        mismatches = [
            f"{flag} {given} (it has {have})"
            for flag, given, have in (
                ("--validators", args.validators, len(net.nodes())),
                ("--chain-id", args.chain_id, net.chain_id),
                ("--base-port", args.base_port, manifest_base),
                ("--proxy-app", args.proxy_app, net.proxy_app),
                ("--snapshot-interval", args.snapshot_interval, net.manifest().get("snapshot_interval")),
                ("--snapshot-keep", args.snapshot_keep, net.manifest().get("snapshot_keep")),
                ("--check-backlog", args.check_backlog, net.manifest().get("check_backlog")),
            )
            if given is not None and given != have
        ]
        if mismatches:
            return _fail(
                f"{net.home} already holds a network created differently: {'; '.join(mismatches)}. "
                "Start it without those options, or use another --home for a new network"
            )
        created = False
        if all(r["running"] for r in net.status()):
            print(f"local network {net.chain_id!r} in {net.home} is already running")
            print(_table(net.status()))
            return 0
    else:
        net.create(
            args.validators if args.validators is not None else 4,
            chain_id=args.chain_id or DEFAULT_CHAIN_ID,
            proxy_app=args.proxy_app,
            snapshot_interval=args.snapshot_interval,
            snapshot_keep=args.snapshot_keep,
            check_backlog=args.check_backlog,
        )
        created = True
    net.start(wait_blocks=not args.no_wait, timeout=args.timeout)
    took = time.monotonic() - began
    nodes = net.nodes()
    verb = "created and started" if created else "started"
    waited = "committing blocks" if not args.no_wait else "processes up (not waiting for blocks)"
    print(f"local network {net.chain_id!r}: {len(nodes)} validators {verb} in {took:.1f} s, {waited}")
    print(f"home: {net.home}")
    print(_table(net.status()))
    if net.proxy_app is None and (net.home / "keys").is_dir():
        print(f"genesis account keys: {net.home / 'keys'} (passphrase: $ETS_LOCALNET_PASSPHRASE or the development default)")
    print(f"stop with: {_PROG} stop --home {args.home}")
    return 0


@_guard
def cmd_add_node(args: argparse.Namespace) -> int:
    """Add a node to the running network (optionally by state sync) and print its validator key."""
    net = _existing(args)
    began = time.monotonic()
    if args.observer and args.state_sync:
        raise LocalNetError("an observer node replays the chain's blocks (its public state comes from their outcomes); "
                            "leave out --state-sync")
    added = net.add_node(state_sync=args.state_sync, observer=args.observer, wait=not args.no_wait, timeout=args.timeout)
    key = added["validator_key"]
    if args.observer:
        print(f"{added['name']}: observer node started in {time.monotonic() - began:.1f} s; rpc {added['rpc']}")
        print("it follows the chain and verifies every commit, serves public state and holds no blinding or "
              "execution key: it cannot read private txs and can never become a validator")
        print("관찰 노드: 체인을 검증하며 공개 정보만 보관합니다 (비공개 거래는 읽을 수 없습니다)")
        return 0
    how = "restored from a peer's snapshot (state sync)" if args.state_sync else "replaying the chain from its peers"
    print(f"{added['name']}: started in {time.monotonic() - began:.1f} s, {how}; rpc {added['rpc']}")
    if added["trust"]:
        print(f"trusted header: height {added['trust']['height']}, hash {added['trust']['hash']}")
    print(f"it is a full node, not yet a validator. Its consensus key: {key['pub_key_base64']} "
          f"(hex {key['pub_key_hex']}, address {key['address']})")
    print("to make it a validator, an official proposes and another approves:")
    print(f"  ets tx propose-validator --pub-key {key['pub_key_hex']} --power 10 --name {added['name']} "
          f"--key gov-1 --keystore {net.home / 'keys'} --node {net.rpc_url(net.nodes()[0])}")
    print(f"  ets tx approve PROPOSAL_ID --key gov-2 --keystore {net.home / 'keys'} --node {net.rpc_url(net.nodes()[0])}")
    if args.validator_key_out:
        out = Path(args.validator_key_out)
        out.write_text(json.dumps({"node": added["name"], **key}, indent=2) + "\n")
        print(f"validator key written to {out}")
    return 0


@_guard
def cmd_stop(args: argparse.Namespace) -> int:
    """Stop every node."""
    net = _existing(args)
    net.stop(timeout=args.timeout)
    print(f"local network in {net.home} stopped")
    return 0


@_guard
def cmd_status(args: argparse.Namespace) -> int:
    """Show every node's processes, height and app hash."""
    net = _existing(args)
    rows = net.status()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        running = sum(1 for r in rows if r["running"])
        print(f"local network {net.chain_id!r} in {net.home}: {running}/{len(rows)} nodes running")
        print(_table(rows))
    return 0


@_guard
def cmd_kill(args: argparse.Namespace) -> int:
    """SIGKILL a node's cometbft and app."""
    net = _existing(args)
    if not _any_running(net, args.node):
        print(f"{args.node}: not running; nothing to kill")
        return 0
    net.kill(args.node)
    print(f"{args.node}: cometbft and app killed (SIGKILL); bring it back with `{_PROG} restart {args.node} --home {args.home}`")
    return 0


@_guard
def cmd_kill_app(args: argparse.Namespace) -> int:
    """SIGKILL a node's app only."""
    net = _existing(args)
    if net.proxy_app is None and not _any_running(net, args.node, "app_running"):
        print(f"{args.node}: app not running; nothing to kill")
        return 0
    net.kill_app(args.node)
    print(f"{args.node}: app killed (SIGKILL); its cometbft shuts down when it notices. "
          f"Bring it back with `{_PROG} restart {args.node} --home {args.home}`")
    return 0


@_guard
def cmd_restart(args: argparse.Namespace) -> int:
    """Stop a node (SIGTERM, then SIGKILL) and start it again."""
    net = _existing(args)
    net.restart(args.node, timeout=args.timeout)
    row = next(r for r in net.status() if r["name"] == args.node)
    print(f"{args.node}: restarted (pids cometbft {row['pids']['cometbft']}, app {row['pids']['app'] or '-'}), rpc {row['rpc']}")
    return 0


def _home(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", required=True, metavar="DIR", help="folder of the local network (holds localnet.json, node0/, node1/, ..., keys/)")


def _app_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--snapshot-interval", type=int, metavar="N", default=None,
                   help="when creating: every app writes a state-sync snapshot every N heights, for nodes added with "
                        "`add-node --state-sync` (0: none; default: the app's, 100)")
    p.add_argument("--snapshot-keep", type=int, metavar="K", default=None,
                   help="when creating: how many snapshots each app keeps; a joining node needs the one it chose to "
                        "outlive its download (default: the app's, 2)")
    p.add_argument("--check-backlog", type=int, metavar="BYTES", default=None,
                   help="when creating: bytes of CheckTx waiting in each app before it refuses new ones (the client "
                        "sends again); CometBFT waits for them before each Commit (default: the app's, 1 MiB)")


def add_localnet_commands(subparsers: Any) -> None:
    """Add the ``localnet`` command and its subcommands to an argparse ``subparsers`` object."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = subparsers.add_parser(
        "localnet",
        help="run a local network of validators on this machine (127.0.0.1)",
        description=(
            "Run N CometBFT validators, each with its own ABCI app process, on 127.0.0.1.\n"
            "Node i uses ports base+10i+5 (app metrics), +6 (p2p), +7 (rpc), +8 (abci), +9 (cometbft metrics);\n"
            f"with the default base {DEFAULT_BASE_PORT}, node0's RPC is http://127.0.0.1:{DEFAULT_BASE_PORT + 7}.\n"
            "Logs: DIR/node<i>/cometbft.log and DIR/node<i>/app.log."
        ),
        formatter_class=fmt,
    )
    sub = parser.add_subparsers(dest="localnet_command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "start",
        help="create (if DIR is empty or missing) and start the network; returns when blocks are committed",
        description=(
            "Start every node of the network in DIR. If DIR is empty or missing, first create a network:\n"
            "cometbft homes, one shared genesis (all validators with power 10, the genesis accounts of\n"
            "ets_tools.devnet with their encrypted keys in DIR/keys) and tuned config from cometbft-config/.\n"
            "Returns once every node has committed block 2, and prints the nodes and their RPC URLs."
        ),
        formatter_class=fmt,
    )
    _home(p)
    p.add_argument("--validators", "-n", type=int, metavar="N", default=None, help="number of validators when creating (default 4)")
    p.add_argument("--base-port", type=int, metavar="P", default=None,
                   help=f"first port of the block of 10 ports per node when creating (default {DEFAULT_BASE_PORT})")
    p.add_argument("--chain-id", metavar="ID", default=None, help=f"chain id when creating (default {DEFAULT_CHAIN_ID})")
    p.add_argument("--proxy-app", metavar="NAME", default=None,
                   help=f"use CometBFT's built-in app instead of ours ({', '.join(BUILTIN_APPS)}); for benchmark baselines")
    p.add_argument("--timeout", type=float, default=90.0, metavar="SECONDS", help="how long to wait for blocks (default 90)")
    p.add_argument("--no-wait", action="store_true", help="return once the processes listen, without waiting for blocks")
    _app_options(p)
    p.set_defaults(func=cmd_start)

    p = sub.add_parser(
        "create",
        help="create a network without starting it; --hosts lays it out for one validator per host",
        description=(
            "Create a network in DIR (empty or missing) without starting it. With --hosts the nodes are laid\n"
            "out for one validator per host, as docker-compose.yml runs them: default ports on each host,\n"
            "peers dialled by host name; start them with `docker compose up`."
        ),
        formatter_class=fmt,
    )
    _home(p)
    p.add_argument("--validators", "-n", type=int, metavar="N", default=4, help="number of validators (default 4)")
    p.add_argument("--base-port", type=int, metavar="P", default=None, help=f"first port on 127.0.0.1 (default {DEFAULT_BASE_PORT})")
    p.add_argument("--chain-id", metavar="ID", default=DEFAULT_CHAIN_ID, help=f"chain id (default {DEFAULT_CHAIN_ID})")
    p.add_argument("--hosts", metavar="H0,H1,...", default=None, help="one host name per validator, e.g. node0,node1,node2,node3")
    _app_options(p)
    p.set_defaults(func=cmd_create)

    p = sub.add_parser(
        "add-node",
        help="add a node to the running network (--state-sync: join from a snapshot); prints its validator key",
        description=(
            "Add node<N> to the running network in DIR: a new CometBFT home with the same genesis and state\n"
            "blinding key, every existing node as a persistent peer, the next block of ports, its own app,\n"
            "started under the same supervisor (it shows up in `status`, `stop`, `kill`, ...).\n"
            "With --state-sync it restores the app state from a peer's snapshot instead of replaying every\n"
            "block: the trusted height and header hash are fetched from a running node, two running nodes\n"
            "serve the light client. The network's apps must take snapshots (`start --snapshot-interval N`;\n"
            "the app default is every 100 heights).\n"
            "With --observer it is an observer node: it gets no blinding or execution key, replays the\n"
            "blocks from their public outcomes and serves public state only (what a company or the public\n"
            "may run themselves).\n"
            "The node joins as a full node. To make it a validator, officials propose set_validator_power\n"
            "for the consensus key this command prints (`ets tx propose-validator ...`, then `ets tx approve`)."
        ),
        formatter_class=fmt,
    )
    _home(p)
    p.add_argument("--state-sync", action="store_true", help="join from a peer's state-sync snapshot instead of replaying blocks")
    p.add_argument("--observer", action="store_true",
                   help="an observer node (a company's or the public's own node): no blinding or execution key, "
                        "follows the chain from each block's public outcome, serves public state only")
    p.add_argument("--validator-key-out", metavar="FILE", default=None,
                   help="also write the node's consensus key (address, base64 and hex public key) as JSON to FILE")
    p.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                   help="how long to wait for the node to catch up (default 120)")
    p.add_argument("--no-wait", action="store_true", help="return once its processes listen, without waiting for it to catch up")
    p.set_defaults(func=cmd_add_node)

    p = sub.add_parser("stop", help="stop every node (SIGTERM, SIGKILL after --timeout)",
                       description="Stop every node: SIGTERM each cometbft, then each app; SIGKILL whatever is left after --timeout.")
    _home(p)
    p.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS", help="grace period before SIGKILL (default 20)")
    p.set_defaults(func=cmd_stop)

    p = sub.add_parser("status", help="show each node: running, height, app hash, rpc url, pids",
                       description="Show each node's processes, latest height and app hash (from its RPC /status).")
    _home(p)
    p.add_argument("--json", action="store_true",
                   help="print a JSON list, one object per node (name, rpc, running, cometbft_running, app_running, "
                        "pids, height, app_hash, ports, ...)")
    p.set_defaults(func=cmd_status)

    for name, func, summary in (
        ("kill", cmd_kill, "SIGKILL a node's cometbft and app (simulate a crash of the whole validator)"),
        ("kill-app", cmd_kill_app, "SIGKILL only a node's app process (simulate an app crash)"),
        ("restart", cmd_restart, "stop a node (SIGTERM, then SIGKILL) and start it again; it catches up from its peers"),
    ):
        p = sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")
        p.add_argument("node", metavar="NODE", help="node name: node0, node1, ...")
        _home(p)
        if name == "restart":
            p.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS", help="grace period before SIGKILL (default 20)")
        p.set_defaults(func=func)
