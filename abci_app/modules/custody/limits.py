"""Transfers out of an account under custody: the trusted list, the caps on untrusted recipients, the usage windows.

A transfer to a trusted account is not capped. One to any other account may move at most the
lowest of: the chain's central cap per transfer (``custody_untrusted_cap``), the account's own
per-transaction limit, and what is left of its daily, weekly and monthly limits (KST calendar day,
Monday-to-Sunday week and calendar month of the block time). ``guard_transfer`` is what the ledger's
``transfer`` asks; surrender (compliance) never comes here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from protocol.calendar import EPOCH_ORDINAL, day_number
from protocol.codes import Code, TxRejected

from ...view import BlockContext, View, get_json, params, put_json
from . import keys
from .records import custody_of

__all__ = ["trusted_status", "is_trusted", "windows", "usage_at", "check_limits", "spend", "guard_transfer"]

_WINDOWS = ("daily", "weekly", "monthly")


def trusted_status(entry: dict[str, Any] | None, now: int) -> str:
    """"proposed" (awaiting a second person), "waiting" (confirmed, delay running), "trusted" or "" (not listed)."""
    if entry is None:
        return ""
    if entry["status"] == "waiting" and now >= entry["from"]:
        return "trusted"
    return entry["status"]


def is_trusted(view: View, address: str, other: str, now: int) -> bool:
    return trusted_status(get_json(view, keys.trusted(address, other)), now) == "trusted"


def windows(now: int) -> dict[str, int]:
    """The KST day, week (Monday first) and month numbers a block time falls in."""
    day = day_number(now)
    month = date.fromordinal(day + EPOCH_ORDINAL)
    return {"daily": day, "weekly": (day + 3) // 7, "monthly": month.year * 12 + month.month - 1}


def usage_at(view: View, address: str, now: int) -> dict[str, int]:
    """Tonnes already sent to untrusted accounts in the windows ``now`` falls in."""
    stored = get_json(view, keys.usage(address)) or {}
    current = windows(now)
    return {name: stored[name][1] if name in stored and stored[name][0] == current[name] else 0 for name in _WINDOWS}


def check_limits(view: View, address: str, record: dict[str, Any], to: str, amount: int, now: int) -> None:
    """Refuse ``amount`` to the untrusted ``to`` if it exceeds the lowest applicable cap."""
    limits, used = record["limits"], usage_at(view, address, now)
    caps = [(params(view)["custody_untrusted_cap"], "the chain's cap per transfer to an untrusted account")]
    if limits["transaction"]:
        caps.append((limits["transaction"], "the account's own limit per transaction"))
    for name in _WINDOWS:
        if limits[name]:
            caps.append((limits[name] - used[name], f"what is left of the account's {name} limit "
                                                    f"({limits[name]:,} t, {used[name]:,} t used)"))
    room, which = min(caps)
    if amount > room:
        raise TxRejected(Code.CUSTODY_LIMIT_EXCEEDED,
                         f"{amount:,} t to {to}, which is not on the account's trusted list, exceeds {which}: at most "
                         f"{max(room, 0):,} t now; send less, or trust {to} first (it takes effect after the custody delay)")


def spend(view: View, address: str, record: dict[str, Any], to: str, amount: int, ctx: BlockContext) -> None:
    """Check the caps for a transfer that executes now and count it in the usage windows (trusted: free)."""
    if is_trusted(view, address, to, ctx.time):
        return
    check_limits(view, address, record, to, amount, ctx.time)
    used, current = usage_at(view, address, ctx.time), windows(ctx.time)
    put_json(view, keys.usage(address), {name: [current[name], used[name] + amount] for name in _WINDOWS})


def guard_transfer(view: View, sender: str, to: str, amount: int, ctx: BlockContext) -> None:
    """The ledger's ``transfer`` out of ``sender``: nothing changes for an account not under custody; four eyes
    send it to ``custody_transfer``; otherwise the caps apply."""
    record = custody_of(view, sender, ctx.time)
    if record is None:
        return
    if record["four_eyes"]:
        raise TxRejected(Code.FOUR_EYES_REQUIRED, f"account {sender} requires an approver's confirmation of transfers "
                                                  "out: send custody_transfer (ets custody initiate) and have an "
                                                  "approver confirm it")
    spend(view, sender, record, to, amount, ctx)
