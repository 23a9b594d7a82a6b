"""Surrender, borrowing and banking against a year's certified emissions, and the limits each obeys.

    surrender  KAU of the year's vintage (after the deadline also the next vintage: the obligation carried
               over) or KCU of a vintage up to the year's; KCU at most ``compliance_offset_cap_bps`` of the
               obligation; never more than what remains of it. Surrendered tonnes are cancelled: they
               leave the holder's balance and are counted in ``retired`` (supply = held + retired).
    borrow     KAU of the next vintage, same phase, relabelled as the year's vintage, before the deadline:
               the first year of a phase up to ``compliance_borrow_first_year_bps`` of the obligation, later
               years the previous limit minus half of the share actually borrowed the year before.
    bank       surplus KAU of the year's vintage relabelled as the next (a phase change rolls KAU25 into
               KAU26), once the obligation is met, before the deadline, up to
               ``compliance_bank_net_sales_multiple`` × the company's net sales of that vintage.
    A company that borrowed for a year cannot bank for it, and the reverse.
"""

from __future__ import annotations

from typing import Any

from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.compliance import (
    LAST_YEAR, first_year_of_phase, next_borrow_limit_bps, offset_cap, same_phase, share_of, vintage, vintage_year,
)
from protocol.messages.compliance import Bank, Borrow, Surrender

from ...view import BlockContext, View, add_int, get_int
from ..trading import keys as trading_keys
from ..transfers import keys as ledger_keys
from ..transfers.journal import record_relabel, record_surrender
from ..transfers.ledger import move
from . import keys
from .common import deadline_passed, obligation, param, position, require_obligation, save_position
from .settlement import made_good

__all__ = ["handle_surrender", "handle_borrow", "handle_bank", "borrow_limit_bps", "bank_limit", "limits"]


def borrow_limit_bps(view: View, company: str, year: int) -> int:
    """The company's borrowing limit for ``year`` in basis points of its obligation (0 for a phase's last year)."""
    if not same_phase(year, year + 1):
        return 0
    if first_year_of_phase(year):
        return param(view, "compliance_borrow_first_year_bps")
    previous = year - 1
    return next_borrow_limit_bps(borrow_limit_bps(view, company, previous), position(view, company, previous)["borrowed"],
                                 obligation(view, company, previous) or 0)


def bank_limit(view: View, company: str, year: int) -> int:
    """Tonnes of the year's vintage the company may bank: a multiple of its net sales of that vintage."""
    net = get_int(view, trading_keys.net_sold(company, vintage("KAU", year)))
    return param(view, "compliance_bank_net_sales_multiple") * max(0, net)


def limits(view: View, company: str, year: int) -> dict[str, Any]:
    """Every limit of the company's year as the chain enforces it (shown by the position query and the portal)."""
    certified = obligation(view, company, year)
    held = position(view, company, year)
    out: dict[str, Any] = {"borrow_limit_bps": borrow_limit_bps(view, company, year), "bank_limit": bank_limit(view, company, year),
                           "offset_cap_bps": param(view, "compliance_offset_cap_bps")}
    if certified is not None:
        out["offset_cap"] = offset_cap(certified, out["offset_cap_bps"])
        out["borrow_limit"] = share_of(certified, out["borrow_limit_bps"])
        out["may_surrender"] = max(0, certified - held["surrendered_total"])
        out["may_surrender_kcu"] = max(0, min(out["offset_cap"] - held["kcu"], out["may_surrender"]))
        out["may_borrow"] = 0 if held["banked"] else max(0, min(out["borrow_limit"] - held["borrowed"], out["may_surrender"]))
        met = held["surrendered_total"] >= certified
        out["may_bank"] = max(0, out["bank_limit"] - held["banked"]) if met and not held["borrowed"] and year < LAST_YEAR else 0
    return out


def _relabel(view: View, ctx: BlockContext, company: str, kind: str, year: int, source: str, target: str,
             amount: int) -> None:
    """Move ``amount`` of the holder's ``source`` vintage to ``target`` (borrowing, banking): supply follows, and
    the company's transfer record shows both sides."""
    move(view, company, source, -amount)
    move(view, company, target, amount)
    record_relabel(view, ctx, company, kind, source, target, amount, year)
    add_int(view, ledger_keys.supply(source), -amount)
    add_int(view, ledger_keys.supply(target), amount)


def handle_surrender(view: View, signer: str, msg: Surrender, ctx: BlockContext) -> bytes:
    certified = require_obligation(view, signer, msg.year)
    late = deadline_passed(view, msg.year, ctx)
    kind, of_year = msg.instrument[:3], vintage_year(msg.instrument)
    newest = msg.year + 1 if late else msg.year
    if kind == "KAU" and not msg.year <= of_year <= newest or kind == "KCU" and of_year > newest:
        allowed = f"KAU{msg.year % 100:02d}" + (f" or KAU{(msg.year + 1) % 100:02d}" if late else "")
        raise TxRejected(Code.VINTAGE_NOT_ELIGIBLE, f"{msg.instrument} cannot be surrendered for {msg.year}: use {allowed}, "
                                                    f"or KCU of a vintage up to {newest}")
    held = position(view, signer, msg.year)
    remaining = certified - held["surrendered_total"]
    if msg.amount > remaining:
        raise TxRejected(Code.OBLIGATION_EXCEEDED, f"only {max(0, remaining):,} t of your {msg.year} obligation of "
                                                   f"{certified:,} t remain to be surrendered")
    if kind == "KCU":
        cap = offset_cap(certified, param(view, "compliance_offset_cap_bps"))
        if held["kcu"] + msg.amount > cap:
            raise TxRejected(Code.OFFSET_CAP_EXCEEDED, f"KCU may cover at most {cap:,} t of your {msg.year} obligation; "
                                                       f"{held['kcu']:,} t are already surrendered")
        held["kcu"] += msg.amount
    move(view, signer, msg.instrument, -msg.amount)
    record_surrender(view, ctx, signer, msg.instrument, msg.amount, msg.year)
    add_int(view, keys.retired(msg.instrument), msg.amount)
    held["surrendered"][msg.instrument] = held["surrendered"].get(msg.instrument, 0) + msg.amount
    held["surrendered"] = dict(sorted(held["surrendered"].items()))
    held["surrendered_total"] += msg.amount
    save_position(view, signer, msg.year, held)
    if late:
        made_good(view, signer, msg.year, ctx)
    return canonical_json({"year": msg.year, "instrument": msg.instrument, "amount": msg.amount,
                           "surrendered": held["surrendered_total"], "remaining": certified - held["surrendered_total"]})


def handle_borrow(view: View, signer: str, msg: Borrow, ctx: BlockContext) -> bytes:
    if not same_phase(msg.year, msg.year + 1):
        raise TxRejected(Code.BORROWING_NOT_ALLOWED, f"{msg.year} is the last year of its phase: there is no next vintage "
                                                     "of the same phase to borrow from")
    certified = require_obligation(view, signer, msg.year)
    if deadline_passed(view, msg.year, ctx):
        raise TxRejected(Code.DEADLINE_PASSED, f"the {msg.year} surrender deadline has passed; borrowing for it is closed")
    held = position(view, signer, msg.year)
    if held["banked"]:
        raise TxRejected(Code.BORROWING_NOT_ALLOWED, f"you banked {msg.year} allowances; a year that banks cannot borrow")
    limit_bps = borrow_limit_bps(view, signer, msg.year)
    limit = share_of(certified, limit_bps)
    if held["borrowed"] + msg.amount > limit:
        raise TxRejected(Code.BORROW_LIMIT_EXCEEDED, f"borrowing for {msg.year} is limited to {limit:,} t ({limit_bps // 100}.{limit_bps % 100:02d}% "
                                                     f"of {certified:,} t); {held['borrowed']:,} t already borrowed")
    if msg.amount > certified - held["surrendered_total"]:
        raise TxRejected(Code.OBLIGATION_EXCEEDED, "you cannot borrow more than what remains of the obligation")
    _relabel(view, ctx, signer, "borrow", msg.year, vintage("KAU", msg.year + 1), vintage("KAU", msg.year), msg.amount)
    held["borrowed"] += msg.amount
    save_position(view, signer, msg.year, held)
    return canonical_json({"year": msg.year, "borrowed": held["borrowed"], "limit": limit})


def handle_bank(view: View, signer: str, msg: Bank, ctx: BlockContext) -> bytes:
    if msg.year >= LAST_YEAR:
        raise TxRejected(Code.BANKING_NOT_ALLOWED, f"there is no vintage after {msg.year} to bank into yet")
    certified = require_obligation(view, signer, msg.year)
    if deadline_passed(view, msg.year, ctx):
        raise TxRejected(Code.DEADLINE_PASSED, f"the {msg.year} surrender deadline has passed; banking for it is closed")
    held = position(view, signer, msg.year)
    if held["surrendered_total"] < certified:
        raise TxRejected(Code.BANKING_NOT_ALLOWED, f"surrender your whole {msg.year} obligation ({certified:,} t) before banking")
    if held["borrowed"]:
        raise TxRejected(Code.BANKING_NOT_ALLOWED, f"you borrowed for {msg.year}; a year that borrows cannot bank")
    limit = bank_limit(view, signer, msg.year)
    if held["banked"] + msg.amount > limit:
        raise TxRejected(Code.BANK_LIMIT_EXCEEDED, f"banking {msg.year} allowances is limited to {limit:,} t "
                                                   f"({param(view, 'compliance_bank_net_sales_multiple')}× your net sales of "
                                                   f"{vintage('KAU', msg.year)}); {held['banked']:,} t already banked")
    _relabel(view, ctx, signer, "bank", msg.year, vintage("KAU", msg.year), vintage("KAU", msg.year + 1), msg.amount)
    held["banked"] += msg.amount
    save_position(view, signer, msg.year, held)
    return canonical_json({"year": msg.year, "banked": held["banked"], "limit": limit})
