"""Each account's private transfer record: every allowance movement the chain keeps no other record of for it.

A plain ``transfer`` is private (sealed on the wire, no public result), so neither party could otherwise list
it, least of all the recipient. When one executes, the sender's record and the recipient's each get one
entry; a custody transfer (executed at once or at its approval) writes the same two entries, a surrender
one entry of its holder's, a governed issue of allowances or of offset credits (KOC) one of the recipient's,
borrowing, banking and an offset conversion (KOC → KCU) two of the company's (out of one instrument, into the
other), and an allocation true-up or clawback decided on an objection one of the company's. An entry::

    {"seq", "height", "time", "kind", "direction", "counterparty", "instrument", "amount", "reference"}

``seq`` counts the account's entries from 1; ``kind`` is one of ``KINDS``; ``direction`` is ``in`` or ``out``;
``counterparty`` is the other account ("" when there is none); ``reference`` names the custody transfer, the
compliance year or the proposal ("" for a plain transfer: its message has no memo).

Keys (``keys.py``): ``xlog/<addr>`` the latest ``seq``, ``xlog/<addr>/<seq>`` the entries. Private like the
balances (the account, its representatives, the regulator within an access record): never in a block
outcome's public writes, never on an observer node. A write reads one counter and never the record itself.
An entry is at most ``MAX_ENTRY_BYTES``; ``/transfers/<addr>`` returns at most ``MAX_ENTRIES_PER_QUERY``.
"""

from __future__ import annotations

import json
from typing import Any

from protocol.codes import Code, TxRejected

from ...view import BlockContext, View, add_int
from . import keys

__all__ = ["KINDS", "MAX_ENTRY_BYTES", "MAX_ENTRIES_PER_QUERY", "record_transfer", "record_surrender", "record_issue",
           "record_relabel", "record_conversion", "record_adjustment"]

KINDS = ("transfer", "custody_transfer", "surrender", "issue", "borrow", "bank", "offset_issue", "offset_convert",
         "adjustment")
MAX_ENTRY_BYTES = 400  # one entry as stored (canonical JSON); its fields are bounded by the messages already
MAX_ENTRIES_PER_QUERY = 200  # entries in one answer of /transfers/<addr>; page on with before= or from=
MAX_REFERENCE = 80  # characters of an entry's reference


def _encode(entry: dict[str, Any]) -> bytes:
    """``canonical_json`` of an entry, spelled out: the transfer path is the chain's hot path and ``json.dumps``
    costs several times more. Its texts are hex addresses, instrument codes and this module's own words, which
    JSON does not escape; only the reference goes through the JSON encoder (a test holds the two equal)."""
    reference = json.dumps(entry["reference"], ensure_ascii=False) if entry["reference"] else '""'
    return (f'{{"amount":{entry["amount"]},"counterparty":"{entry["counterparty"]}","direction":"{entry["direction"]}",'
            f'"height":{entry["height"]},"instrument":"{entry["instrument"]}","kind":"{entry["kind"]}",'
            f'"reference":{reference},"seq":{entry["seq"]},"time":{entry["time"]}}}').encode()


def _append(view: View, ctx: BlockContext, address: str, entry: dict[str, Any]) -> None:
    seq = add_int(view, keys.journal_count(address), 1)
    raw = _encode({"seq": seq, "height": ctx.height, "time": ctx.time, **entry})
    if len(raw) > MAX_ENTRY_BYTES:  # unreachable with the messages' own limits; refused rather than stored
        raise TxRejected(Code.LIMIT_EXCEEDED, f"a transfer record entry would exceed {MAX_ENTRY_BYTES} bytes")
    view.set(keys.journal_entry(address, seq), raw)


def _entry(kind: str, direction: str, counterparty: str, instrument: str, amount: int, reference: str) -> dict[str, Any]:
    assert kind in KINDS, kind
    return {"kind": kind, "direction": direction, "counterparty": counterparty, "instrument": instrument,
            "amount": amount, "reference": reference[:MAX_REFERENCE]}


def record_transfer(view: View, ctx: BlockContext, sender: str, to: str, instrument: str, amount: int, *,
                    kind: str = "transfer", reference: str = "") -> None:
    """Two entries: ``out`` in the sender's record, ``in`` in the recipient's (call it once the tonnes moved)."""
    _append(view, ctx, sender, _entry(kind, "out", to, instrument, amount, reference))
    _append(view, ctx, to, _entry(kind, "in", sender, instrument, amount, reference))


def record_surrender(view: View, ctx: BlockContext, holder: str, instrument: str, amount: int, year: int) -> None:
    """One ``out`` entry in the holder's record: tonnes surrendered (cancelled) for a compliance year."""
    _append(view, ctx, holder, _entry("surrender", "out", "", instrument, amount, f"surrendered for {year}"))


def record_issue(view: View, ctx: BlockContext, holder: str, instrument: str, amount: int, proposal_id: int, *,
                 kind: str = "issue") -> None:
    """One ``in`` entry in the holder's record: allowances (``offset_issue``: offset credits) issued to it by a
    governed proposal."""
    _append(view, ctx, holder, _entry(kind, "in", "", instrument, amount, f"proposal #{proposal_id}"))


def record_relabel(view: View, ctx: BlockContext, holder: str, kind: str, source: str, target: str, amount: int,
                   year: int) -> None:
    """Two entries in the holder's record for borrowing or banking: ``out`` of ``source``, ``in`` to ``target``."""
    reference = f"{kind} for {year}: {source} → {target}"
    _append(view, ctx, holder, _entry(kind, "out", "", source, amount, reference))
    _append(view, ctx, holder, _entry(kind, "in", "", target, amount, reference))


def record_conversion(view: View, ctx: BlockContext, holder: str, source: str, target: str, amount: int,
                      proposal_id: int) -> None:
    """Two entries in the holder's record for offset credits converted by a governed proposal (KOC → KCU)."""
    reference = f"proposal #{proposal_id}: {source} → {target}"
    _append(view, ctx, holder, _entry("offset_convert", "out", "", source, amount, reference))
    _append(view, ctx, holder, _entry("offset_convert", "in", "", target, amount, reference))


def record_adjustment(view: View, ctx: BlockContext, holder: str, instrument: str, quantity: int, objection_id: int,
                      proposal_id: int) -> None:
    """One entry in the holder's record for an allocation true-up (``quantity`` > 0, ``in``) or clawback (``out``)
    decided on an objection by a governed proposal."""
    direction = "in" if quantity > 0 else "out"
    _append(view, ctx, holder, _entry("adjustment", direction, "", instrument, abs(quantity),
                                      f"objection #{objection_id} (proposal #{proposal_id})"))
