"""``ets custody``: account security from the shell (representatives, four eyes, trusted list, limits, transfers).

    ets custody add-representative --public-key HEX --name N [--rights initiate,approve] --key HOLDER
    ets custody remove-representative ADDRESS --key HOLDER                       (at once; cancels its transfers)
    ets custody four-eyes on|off --key HOLDER                                    (off waits the custody delay)
    ets custody limits [--transaction T] [--daily T] [--weekly T] [--monthly T] --key HOLDER   (0 = none)
    ets custody trusted add|confirm|cancel|remove ACCOUNT --key NAME
    ets custody initiate --to ADDR --instrument KAU25 --amount T --key INITIATOR
    ets custody approve TRANSFER_ID --key APPROVER
    ets custody cancel TRANSFER_ID --key NAME
    ets custody pending [--account ADDR] --key NAME                              (transfers awaiting an approver)
    ets custody show [--account ADDR] --key NAME                                 (the whole record)

Every custody tx is private. A representative signs with its own key (``ets keys create``); the holder
admits it by its public key (``ets keys show NAME`` prints it).
"""

from __future__ import annotations

import argparse
from typing import Any, Callable

from protocol.messages.custody import RIGHTS, TRUSTED_OPS, CustodyApprove, CustodyCancel, CustodyRepresentative, \
    CustodyTransfer, CustodyTrusted

from ets.console import address_arg, print_json
from ets.custody import acting_for, record, representative_message, settings_with, waiting

__all__ = ["add_custody_commands"]

_address = address_arg("account")

_DESCRIPTION = """Account security, as in the EU registry. A company account (its own key: the holder) admits
representatives, each with its own key and rights: initiate (start a transfer out, propose a trusted
account), approve (confirm what another person started) or none (read-only). With four eyes on, a
transfer out waits, its tonnes held, until a different representative with the approve right
confirms it; it expires after the chain's custody_transfer_ttl_seconds. Transfers to accounts not on
the trusted list are capped: the lowest of the chain's central cap (custody_untrusted_cap), the
account's own per-transaction limit and what is left of its daily, weekly and monthly limits.
Whatever loosens protection (new rights, four eyes off, higher limits, a trusted account) takes
effect only after custody_delay_seconds of block time; whatever tightens it acts at once.
Surrender is never limited."""


def _rights(text: str) -> list[str]:
    rights = sorted({r.strip() for r in text.split(",") if r.strip()})
    bad = [r for r in rights if r not in RIGHTS]
    if bad:
        raise argparse.ArgumentTypeError(f"unknown right(s) {', '.join(bad)}; known: {', '.join(RIGHTS)}")
    return rights


def _whole(text: str) -> int:
    value = int(text.replace(",", "").replace("_", ""))
    if value < 0:
        raise argparse.ArgumentTypeError("must be a whole number of tonnes, 0 or more")
    return value


def add_custody_commands(sub: argparse._SubParsersAction, common: Callable, signer: Callable, client: Callable,
                         submit: Callable) -> None:
    """``submit(args, msg)`` signs with --key, broadcasts, waits and prints (``ets tx``'s output)."""
    top = sub.add_parser("custody", help="account security: representatives, four eyes, trusted list, limits",
                         description=_DESCRIPTION)
    cmds = top.add_subparsers(dest="custody_command", required=True)

    def command(name: str, help_text: str, build: Callable[[argparse.Namespace], Any] | None = None,
                run: Callable[[argparse.Namespace], int] | None = None) -> argparse.ArgumentParser:
        p = cmds.add_parser(name, help=help_text, description=help_text)
        common(p, key=True)
        if build is not None:
            p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the commit (default 30)")
            p.add_argument("--no-wait", action="store_true", help="return once the mempool accepted it")
            p.set_defaults(func=lambda args: submit(args, build(args)))
        else:
            p.set_defaults(func=run)
        return p

    def current(args: argparse.Namespace) -> dict[str, Any]:
        with client(args) as c:
            return record(c, signer(args), getattr(args, "account", None))

    p = command("add-representative", "holder: admit a representative's key with rights (new rights act after the "
                "custody delay), or change an admitted one's rights or name",
                lambda a: representative_message(a.public_key, a.name, a.rights))
    p.add_argument("--public-key", required=True, help="the representative's Ed25519 public key (ets keys show NAME)")
    p.add_argument("--name", required=True, help="who the representative is (shown to the account's readers)")
    p.add_argument("--rights", type=_rights, default=[], help="comma-separated: initiate, approve (none: read-only)")

    p = command("remove-representative", "holder: remove a representative at once (its waiting transfers are cancelled)",
                lambda a: CustodyRepresentative("remove", a.representative))
    p.add_argument("representative", type=_address)

    p = command("four-eyes", "holder: require an approver's confirmation of transfers out (on: at once; off: after "
                "the delay)", lambda a: settings_with(current(a), four_eyes=a.state == "on"))
    p.add_argument("state", choices=("on", "off"))

    p = command("limits", "holder: the account's own limits on transfers to untrusted accounts, in tonnes (0 = none; "
                "lower: at once; higher: after the delay); parts not given stay as they are",
                lambda a: settings_with(current(a), transaction=a.transaction, daily=a.daily, weekly=a.weekly,
                                        monthly=a.monthly))
    for name in ("transaction", "daily", "weekly", "monthly"):
        p.add_argument(f"--{name}", type=_whole)

    p = command("trusted", "the trusted list: add (one person), confirm (a second, with approve right; the delay "
                "starts), cancel (an addition not yet in effect), remove (at once)",
                lambda a: CustodyTrusted(a.op, a.account))
    p.add_argument("op", choices=TRUSTED_OPS)
    p.add_argument("account", type=_address)

    p = command("initiate", "holder or initiator: a transfer out (waits for an approver where four eyes apply)",
                lambda a: CustodyTransfer(a.to, a.instrument, a.amount))
    p.add_argument("--to", type=_address, required=True)
    p.add_argument("--instrument", required=True, help="KAU25, KCU25, ...")
    p.add_argument("--amount", type=_whole, required=True)

    p = command("approve", "approver: confirm a waiting transfer someone else initiated (it executes)",
                lambda a: CustodyApprove(a.transfer_id))
    p.add_argument("transfer_id", type=int)
    p = command("cancel", "its initiator, an approver or the holder: withdraw a waiting transfer (tonnes return)",
                lambda a: CustodyCancel(a.transfer_id))
    p.add_argument("transfer_id", type=int)

    def _pending(args: argparse.Namespace) -> int:
        print_json(waiting(current(args)))
        return 0

    def _show(args: argparse.Namespace) -> int:
        with client(args) as c:
            me = signer(args)
            account, rights = acting_for(c, me)
            print_json({"you": me.address, "acting_for": account, "rights": rights,
                        "record": record(c, me, args.account or account)})
        return 0

    for name, run, text in (("pending", _pending, "the transfers awaiting an approver"),
                            ("show", _show, "the account's custody record and whom your key acts for")):
        p = command(name, text, run=run)
        p.add_argument("--account", type=_address, help="default: the account your key acts for")
