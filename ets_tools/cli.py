"""``ets``: keys, transactions, queries and the local validator network from the shell.

    ets keys create NAME | keys list | keys show NAME
    ets tx transfer|propose-register|propose-issue|propose-validator|approve|reject|send ...   (sign, broadcast, wait)
    ets query params|account|nonce|balances|supply|proposal|proposals|validators|tx ...
    ets query transfers ADDR --key NAME [--before SEQ|--from SEQ] [--limit N]   (the account's transfer record)
    ets query compliance YEAR [--json|--csv]  (the public compliance table)
    ets compliance report|verify|certify|surrender|borrow|bank|position|... (the compliance cycle)
    ets custody add-representative|four-eyes|limits|trusted|initiate|approve|cancel|pending|... (account security)
    ets plan compute|verify|explain ...       (off chain: the allocation engine)
    ets plan submit|propose|status ...        (on chain: upload, propose the e-order batch, follow it)
    ets edge run|status|prove|import|config   (the edge uploader of one site)
    ets localnet start|stop|status|add-node|kill|kill-app|restart ...
    ets verify balance|emissions|allocation|key ...   (proven against a header the validators signed)
    ets channel view-key|open|members|rekey|post|read|show ...   (채널: ledgers only their members read)
    ets makers list|register|report ...       (시장조성자: market makers, holding limits, the monthly duty report)
    ets data inspect FILE [--kind K] [--json]   (off chain: what a data file is and what is wrong with it)

Passphrases come from ``--passphrase-file``, the ``ETS_PASSPHRASE`` environment variable,
or a prompt; they are never taken as a plain command-line argument.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from protocol.codec import is_address
from protocol.codes import TxRejected
from protocol.messages import (
    Approve, IssueAllowances, Message, Propose, RecordAccess, RegisterAccount, Reject, SetValidatorPower, Transfer,
    parse_message, validator_key_hex,
)
from protocol.messages.access import EVERY_ACCOUNT
from protocol.text import normalize_name

from ets.console import DEFAULT_NODE, address_arg, print_json
from ets.keys import Keystore, KeystoreError, Signer
from ets.light import VerificationError
from ets.rpc import ChainClient, ChainError, InvalidMessage, QueryError, TxRejectedError

__all__ = ["main", "build_parser"]


def _keystore(args: argparse.Namespace) -> Keystore:
    return Keystore(args.keystore or os.environ.get("ETS_KEYSTORE") or Path.home() / ".ets" / "keys")


def _passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    if getattr(args, "passphrase_file", None):
        return Path(args.passphrase_file).read_text().rstrip("\n")
    if os.environ.get("ETS_PASSPHRASE"):
        return os.environ["ETS_PASSPHRASE"]
    if not sys.stdin.isatty():
        raise KeystoreError("no passphrase: use --passphrase-file FILE or set ETS_PASSPHRASE (stdin is not a terminal)")
    first = getpass.getpass("passphrase: ")
    if confirm and getpass.getpass("repeat passphrase: ") != first:
        raise KeystoreError("the two passphrases differ")
    return first


def _signer(args: argparse.Namespace) -> Signer:
    return _keystore(args).load(args.key, _passphrase(args))


def _client(args: argparse.Namespace) -> ChainClient:
    return ChainClient(args.node or os.environ.get("ETS_NODE") or DEFAULT_NODE)


_address = address_arg("account")


def _positive(text: str) -> int:
    value = int(text.replace(",", "").replace("_", ""))
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return value


# ---------------------------------------------------------------- keys


def _keys_create(args: argparse.Namespace) -> int:
    signer = _keystore(args).create(args.name, _passphrase(args, confirm=True))
    print_json({"name": args.name, "address": signer.address, "public_key": signer.public_key.hex()})
    return 0


def _keys_list(args: argparse.Namespace) -> int:
    print_json(_keystore(args).list())
    return 0


def _keys_show(args: argparse.Namespace) -> int:
    print_json(_keystore(args).info(args.name))
    return 0


# ---------------------------------------------------------------- transactions


def _tx_message(args: argparse.Namespace) -> Message:
    kind = args.tx_kind
    if kind == "transfer":
        return Transfer(args.to, args.instrument, args.amount)
    if kind == "propose-register":
        return Propose(RegisterAccount(args.address, args.public_key, args.role, normalize_name(args.name), company=args.company or None))
    if kind == "propose-issue":
        return Propose(IssueAllowances(args.to, args.instrument, args.amount))
    if kind == "propose-validator":
        return Propose(SetValidatorPower(validator_key_hex(args.pub_key), args.power, args.name))
    if kind == "approve":
        return Approve(args.proposal_id)
    if kind == "reject":
        return Reject(args.proposal_id, args.reason)
    obj = json.loads(args.msg)
    if not isinstance(obj, dict):
        raise ValueError('--msg must be a JSON object with a "type", e.g. {"type":"transfer",...}')
    try:
        return parse_message(obj)
    except TxRejected as exc:
        raise InvalidMessage(exc.code, f"{exc.log} (nothing was sent)") from None


def _tx(args: argparse.Namespace) -> int:
    return _submit(args, _tx_message(args))


def _submit(args: argparse.Namespace, msg: Message) -> int:
    """Sign ``msg`` with --key, broadcast it, wait for its commit (unless --no-wait) and print the outcome."""
    signer = _signer(args)
    with _client(args) as client:
        result = client.submit(signer, msg, wait=not args.no_wait, timeout=args.timeout)
    if isinstance(result, str):
        print_json({"hash": result, "status": "accepted into the mempool"})
    else:
        out: dict[str, Any] = {"hash": result.hash, "height": result.height, "code": result.code}
        if result.data:
            out["result"] = json.loads(result.data)
        print_json(out)
    return 0


# ---------------------------------------------------------------- queries


def _page(args: argparse.Namespace) -> str:
    """The transfer record's page: ``?before=``/``?from=`` a sequence number, ``&limit=``."""
    given = (("before", args.before), ("from", args.from_), ("limit", args.limit))
    text = "&".join(f"{name}={value}" for name, value in given if value is not None)
    return f"?{text}" if text else ""


def _query(args: argparse.Namespace) -> int:
    what = args.what
    if what == "compliance":
        from .cli_compliance import query_compliance

        if not args.arg:
            raise ChainError("`ets query compliance` needs the year, e.g. `ets query compliance 2025 --json`")
        with _client(args) as client:
            return query_compliance(client, args.arg, args.json, args.csv)
    path = {
        "params": "/params", "supply": "/supply", "proposals": "/proposals", "validators": "/validators",
        "account": f"/account/{args.arg}", "nonce": f"/nonce/{args.arg}", "balances": f"/balances/{args.arg}",
        "proposal": f"/proposal/{args.arg}", "tx": f"/tx/{(args.arg or '').lower().removeprefix('0x')}",
        "transfers": f"/transfers/{args.arg}{_page(args)}",
    }[what]
    if what in {"account", "nonce", "balances", "proposal", "tx", "transfers"} and not args.arg:
        raise ChainError(f"`ets query {what}` needs an argument (address, id or hash)")
    reader = _signer(args) if args.key else None
    with _client(args) as client:
        print_json(client.query(path, reader=reader))
    return 0


def _access_record(args: argparse.Namespace) -> int:
    subject = args.subject
    if subject != EVERY_ACCOUNT and not is_address(subject):
        raise ValueError(f"--subject {subject[:60]!r} is neither a 40-character lowercase hex address nor '*'")
    signer = _signer(args)
    with _client(args) as client:
        result = client.submit(signer, RecordAccess(subject, args.reason))
    record = json.loads(result.data)
    print_json({"hash": result.hash, "height": result.height, "record": record["record"], "until": record["until"]})
    return 0


def _access_list(args: argparse.Namespace) -> int:
    with _client(args) as client:
        print_json(client.query(f"/looked/{args.address}", reader=_signer(args)))
    return 0


# ---------------------------------------------------------------- allocation plans on chain


def _plan_submit(args: argparse.Namespace) -> int:
    from ets.plan_upload import ProgressPrinter, load_plan_file, propose_issue, upload_plan

    plan = load_plan_file(args.plan)
    signer = _signer(args)
    with _client(args) as client:
        print(f"plan {plan.plan_hash}: {len(plan.lines):,} lines", file=sys.stderr)
        state = upload_plan(client, signer, plan, ProgressPrinter())
        out: dict[str, Any] = {"plan_hash": plan.plan_hash, "status": state["status"], "lines": state["lines"]}
        if args.propose:
            out["proposal_id"] = propose_issue(client, signer, plan.plan_hash)
    print_json(out)
    return 0


def _plan_propose(args: argparse.Namespace) -> int:
    from ets.plan_upload import propose_issue

    with _client(args) as client:
        print_json({"plan_hash": args.plan_hash, "proposal_id": propose_issue(client, _signer(args), args.plan_hash)})
    return 0


def _plan_status(args: argparse.Namespace) -> int:
    with _client(args) as client:
        plan = client.query(f"/plan/{args.plan_hash}")
        out = {k: plan[k] for k in ("hash", "status", "lines", "received", "proposer", "opened") if k in plan}
        for key in ("sealed", "issued", "rejected"):
            if key in plan:
                out[key] = plan[key]
        if plan["status"] == "issued":
            out["eorder"] = client.query(f"/eorder/{args.plan_hash}")
    print_json(out)
    return 0


def _add_plan_chain_commands(plan_sub: argparse._SubParsersAction) -> None:
    p = plan_sub.add_parser("submit", help="government: put a plan file on chain (open + upload lines; resumes)",
                            description="Open the plan on chain and upload its lines in chunks. Re-running continues where the chain stands.")
    p.add_argument("plan", metavar="plan.json")
    p.add_argument("--propose", action="store_true", help="also propose issuing it (counts as your approval)")
    _common(p, key=True)
    p.set_defaults(func=_plan_submit)
    p = plan_sub.add_parser("propose", help="government: propose issuing a sealed plan's e-orders")
    p.add_argument("plan_hash")
    _common(p, key=True)
    p.set_defaults(func=_plan_propose)
    p = plan_sub.add_parser("status", help="a plan's state on chain, and its e-order record once issued")
    p.add_argument("plan_hash")
    _common(p, key=False)
    p.set_defaults(func=_plan_status)


# ---------------------------------------------------------------- parser


def _common(parser: argparse.ArgumentParser, *, key: bool, key_required: bool = True) -> None:
    parser.add_argument("--node", help=f"CometBFT RPC address (env ETS_NODE, default {DEFAULT_NODE})")
    parser.add_argument("--keystore", help="keystore folder (env ETS_KEYSTORE, default ~/.ets/keys)")
    parser.add_argument("--passphrase-file", help="read the key's passphrase from this file (or set ETS_PASSPHRASE)")
    if key:
        parser.add_argument("--key", required=key_required, help="name of the signing key in the keystore")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ets", description="Client for the ETS chain: keys, transactions, queries, local networks.")
    sub = parser.add_subparsers(dest="command", required=True)

    keys = sub.add_parser("keys", help="create and list signing keys (encrypted with a passphrase)")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    p = keys_sub.add_parser("create", help="create a new Ed25519 key, encrypted in the keystore")
    p.add_argument("name")
    _common(p, key=False)
    p.set_defaults(func=_keys_create)
    p = keys_sub.add_parser("list", help="list keys (names, addresses, public keys)")
    _common(p, key=False)
    p.set_defaults(func=_keys_list)
    p = keys_sub.add_parser("show", help="show one key's address and public key")
    p.add_argument("name")
    _common(p, key=False)
    p.set_defaults(func=_keys_show)

    tx = sub.add_parser("tx", help="sign and broadcast a transaction, then wait for its commit")
    tx_sub = tx.add_subparsers(dest="tx_kind", required=True)
    p = tx_sub.add_parser("transfer", help="company: move allowances to another company")
    p.add_argument("--to", required=True, type=_address)
    p.add_argument("--instrument", required=True, help="e.g. KAU25")
    p.add_argument("--amount", required=True, type=_positive, help="tonnes (whole number)")
    p = [p]
    q = tx_sub.add_parser("propose-register", help="government: propose admitting an account with a role")
    q.add_argument("--address", required=True, type=_address)
    q.add_argument("--public-key", required=True, help="64 hex characters (see `ets keys show`)")
    q.add_argument("--role", required=True)
    q.add_argument("--name", required=True)
    q.add_argument("--company", type=_address, help="for edge_device accounts: the company it belongs to")
    p.append(q)
    q = tx_sub.add_parser("propose-issue", help="government: propose issuing allowances to a company")
    q.add_argument("--to", required=True, type=_address)
    q.add_argument("--instrument", required=True)
    q.add_argument("--amount", required=True, type=_positive)
    p.append(q)
    q = tx_sub.add_parser(
        "propose-validator", help="government: propose adding, re-weighting or removing (--power 0) a validator",
        description=(
            "Propose set_validator_power: the validator with this consensus key gets --power votes (0 removes it). "
            "At the m-th approval the block that executes it hands the change to CometBFT, which applies it two "
            "blocks later. Refused: removing a key not in the set, the power it already has, and any change that "
            "moves a third or more of the set's votes in one block (change a big validator in steps). The key is "
            "the node's priv_validator_key.json public key: `cometbft show-validator --home NODE` prints it in base64, "
            "`ets localnet add-node` prints it; `ets query validators` lists the set."))
    q.add_argument("--pub-key", required=True, help="the validator's Ed25519 public key: 64 hex or 44 base64 characters")
    q.add_argument("--power", required=True, type=int, help="voting power, 0 (remove) to 1,000,000")
    q.add_argument("--name", required=True, help="who operates the validator (or why it is removed)")
    p.append(q)
    q = tx_sub.add_parser("approve", help="government: approve a proposal (executes at the m-th approval)")
    q.add_argument("proposal_id", type=_positive)
    p.append(q)
    q = tx_sub.add_parser("reject", help="government: reject a proposal, with a reason")
    q.add_argument("proposal_id", type=_positive)
    q.add_argument("--reason", required=True)
    p.append(q)
    q = tx_sub.add_parser("send", help="send any message given as JSON, e.g. '{\"type\":\"transfer\",...}'")
    q.add_argument("--msg", required=True)
    p.append(q)
    for q in p:
        _common(q, key=True)
        q.add_argument("--no-wait", action="store_true", help="return once the mempool accepted it")
        q.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the commit (default 30)")
        q.set_defaults(func=_tx)

    access = sub.add_parser("access", help="who looked: officials record why before reading a company's private data",
                            description="An official's signed queries of a company's private data (balances, cash, "
                                        "orders, fills, nonces, private tx results, raw keys) are answered only within "
                                        "an access window opened by a record of why, which the company reads. "
                                        "관리자는 기업의 비공개 정보를 조회하기 전에 사유를 기록해야 하며, 기업은 그 기록을 볼 수 있습니다.")
    access_sub = access.add_subparsers(dest="access_kind", required=True)
    p = access_sub.add_parser("record", help="government: record why you read SUBJECT's private data (opens the window)")
    p.add_argument("--subject", required=True, help="the company's address, or '*' for listings of every account")
    p.add_argument("--reason", required=True, help="why (at least 10 characters; the company reads it)")
    _common(p, key=True)
    p.set_defaults(func=_access_record)
    p = access_sub.add_parser("list", help="who read ADDRESS's private data, when and why (the account itself or an official)")
    p.add_argument("address", type=_address)
    _common(p, key=True)
    p.set_defaults(func=_access_list)

    query = sub.add_parser("query", help="read chain state (private paths need --key)",
                           description="Read chain state. Balances, nonces, the transfer record and the result of a private "
                                       "tx (transfers, cash, orders, block trades) are private: give --key of the account (or of an "
                                       "official) and the query is signed, its answer sealed to you.")
    query.add_argument("what", choices=["params", "account", "nonce", "balances", "supply", "proposal", "proposals", "validators",
                                        "tx", "compliance", "transfers"])
    query.add_argument("arg", nargs="?", help="address, proposal id, tx hash or (compliance) year")
    page = query.add_argument_group("transfers: the account's transfer record (transfers and custody transfers in "
                                    "and out, surrenders), newest first")
    page.add_argument("--before", type=int, metavar="SEQ", help="entries older than sequence number SEQ (the next page)")
    page.add_argument("--from", dest="from_", type=int, metavar="SEQ", help="entries from SEQ on, oldest first")
    page.add_argument("--limit", type=int, metavar="N", help="at most N entries (the chain answers at most 200)")
    query.add_argument("--json", action="store_true", help="compliance: the table as JSON")
    query.add_argument("--csv", action="store_true", help="compliance: the table as CSV")
    _common(query, key=True, key_required=False)
    query.set_defaults(func=_query)

    from edge_uploader.cli import add_edge_commands
    from governance.cli import add_plan_commands

    from .cli_auctions import add_auction_commands, add_stabilisation_commands
    from .cli_channels import add_channel_commands
    from .cli_compliance import add_compliance_commands
    from .cli_custody import add_custody_commands
    from .cli_data import add_data_commands
    from .cli_localnet import add_localnet_commands
    from .cli_makers import add_makers_commands
    from .cli_verify import add_verify_commands

    _add_plan_chain_commands(add_plan_commands(sub))
    add_edge_commands(sub)
    add_localnet_commands(sub)
    add_verify_commands(sub, _common, _signer, _client)
    add_channel_commands(sub, _common, _signer, _client)
    add_compliance_commands(sub, _common, _signer, _client, _submit)
    add_auction_commands(sub, _common, _signer, _client, _submit)
    add_stabilisation_commands(sub, _common, _signer, _client, _submit)
    add_makers_commands(sub, _common, _signer, _client, _submit)
    add_custody_commands(sub, _common, _signer, _client, _submit)
    add_data_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TxRejectedError as exc:
        print(f"ets: {exc}", file=sys.stderr)
        return 3
    except VerificationError as exc:
        print(f"ets: NOT VERIFIED: {exc}", file=sys.stderr)
        return 1
    except (QueryError, ChainError, KeystoreError, OSError, ValueError) as exc:
        print(f"ets: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
