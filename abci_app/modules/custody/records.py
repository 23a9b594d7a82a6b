"""The custody record of an account and its representatives' records, read as they stand at a block time.

A change that loosens protection (four eyes off, a higher or no limit, new rights) is stored as
``next`` with the time ``from`` which it applies; readers merge it in lazily once that time has
come, so no hook has to apply it. What tightens applies at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from protocol.codes import Code, TxRejected
from protocol.messages.custody import LIMITS

from ...view import BlockContext, View, account, get_json, params, put_json
from . import keys

__all__ = ["Actor", "actor", "custody_of", "ensure_custody", "save_custody", "rights_at", "tightest",
           "delay", "stamp"]

_NO_LIMITS = {name: 0 for name in LIMITS}


def stamp(ctx: BlockContext) -> dict[str, int]:
    return {"height": ctx.height, "time": ctx.time}


def delay(view: View) -> int:
    """Seconds of block time before a loosening, a new right or a trusted account takes effect."""
    return params(view)["custody_delay_seconds"]


def _due(record: dict[str, Any], now: int, fields: tuple[str, ...]) -> dict[str, Any]:
    """``record`` with its scheduled ``next`` merged in if its time has come."""
    scheduled = record.get("next")
    if scheduled is None or now < scheduled["from"]:
        return record
    merged = {k: v for k, v in record.items() if k != "next"}
    merged.update({f: scheduled[f] for f in fields})
    return merged


def custody_of(view: View, address: str, now: int) -> dict[str, Any] | None:
    """The account's custody record as it stands at ``now`` (None: the account is not under custody)."""
    record = get_json(view, keys.account(address))
    return None if record is None else _due(record, now, ("four_eyes", "limits"))


def ensure_custody(view: View, address: str, ctx: BlockContext) -> dict[str, Any]:
    """The custody record, created (no four eyes, no limits of its own) the first time the account uses custody."""
    record = custody_of(view, address, ctx.time)
    if record is None:
        record = {"four_eyes": False, "limits": dict(_NO_LIMITS), "open": [], "representatives": 0, "trusted": 0,
                  "seq": 0, "since": stamp(ctx)}
    return record


def save_custody(view: View, address: str, record: dict[str, Any]) -> None:
    put_json(view, keys.account(address), record)


def _tighter(a: int, b: int) -> int:
    """The stricter of two limits, 0 meaning none."""
    return a if b == 0 else b if a == 0 else min(a, b)


def tightest(old: tuple[bool, dict[str, int]], new: tuple[bool, dict[str, int]]) -> tuple[bool, dict[str, int]]:
    """What applies at once when settings change from ``old`` to ``new``: the stricter of each."""
    return old[0] or new[0], {name: _tighter(old[1][name], new[1][name]) for name in LIMITS}


def rights_at(rep: dict[str, Any], now: int) -> tuple[str, ...]:
    return tuple(_due(rep, now, ("rights",))["rights"])


@dataclass(frozen=True, slots=True)
class Actor:
    """Who signed a custody message: the holder (the account's own key) or one of its representatives."""

    account: str
    signer: str
    holder: bool
    rights: tuple[str, ...]  # a representative's rights in effect now; the holder's are its own

    def may(self, right: str) -> bool:
        """The holder initiates but never approves: a confirmation is always a second person's."""
        return (right == "initiate") if self.holder else right in self.rights

    def require(self, right: str, what: str) -> None:
        if not self.may(right):
            who = "the account holder's own key" if self.holder else f"representative {self.signer}"
            raise TxRejected(Code.CUSTODY_NO_RIGHT, f"{who} may not {what}: it needs the {right!r} right in effect "
                                                    f"for account {self.account} (new rights wait the custody delay)")


def actor(view: View, signer: str, ctx: BlockContext) -> Actor:
    """The account ``signer`` acts for, and with which rights (the pipeline already checked the signature)."""
    if account(view, signer) is not None:
        return Actor(signer, signer, True, ())
    rep = get_json(view, keys.representative(signer))
    if rep is None:  # the pipeline admits only registered accounts and representatives
        raise TxRejected(Code.UNKNOWN_SIGNER, f"{signer} is neither an account nor a representative")
    return Actor(rep["account"], signer, False, rights_at(rep, ctx.time))
