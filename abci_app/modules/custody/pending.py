"""Transfers out by custody: executed at once, or (four eyes) held until a second person approves, cancels, or
they expire. A waiting transfer's tonnes are held, so they cannot be spent twice."""

from __future__ import annotations

from typing import Any

from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.messages.custody import MAX_OPEN_TRANSFERS, CustodyApprove, CustodyCancel, CustodyTransfer

from ...view import BlockContext, View, get_json, params, put_json, require_company
from .. import check_outgoing
from ..transfers.journal import record_transfer
from ..transfers.ledger import hold, move, release
from . import expiry, keys
from .limits import check_limits, is_trusted, spend
from .records import actor, custody_of, save_custody, stamp

__all__ = ["handle_custody_transfer", "handle_approve", "handle_cancel", "cancel_open", "expire_due"]


def handle_custody_transfer(view: View, signer: str, msg: CustodyTransfer, ctx: BlockContext) -> bytes:
    who = actor(view, signer, ctx)
    who.require("initiate", "initiate a transfer out")
    if msg.to == who.account:
        raise TxRejected(Code.INVALID_MESSAGE, "custody_transfer.to is the account itself; name another account")
    require_company(view, msg.to, "recipient", "allowances go to companies")
    check_outgoing(view, who.account, msg.instrument, ctx)
    record = custody_of(view, who.account, ctx.time)
    if record is None or not record["four_eyes"]:
        if record is not None:
            spend(view, who.account, record, msg.to, msg.amount, ctx)
        move(view, who.account, msg.instrument, -msg.amount)
        move(view, msg.to, msg.instrument, msg.amount)
        record_transfer(view, ctx, who.account, msg.to, msg.instrument, msg.amount, kind="custody_transfer")
        return canonical_json({"status": "executed"})
    if not is_trusted(view, who.account, msg.to, ctx.time):
        check_limits(view, who.account, record, msg.to, msg.amount, ctx.time)  # again when it executes
    if len(record["open"]) >= MAX_OPEN_TRANSFERS:
        raise TxRejected(Code.CUSTODY_FULL, f"{MAX_OPEN_TRANSFERS} transfers already await an approver; approve or cancel some")
    hold(view, who.account, msg.instrument, msg.amount)
    record["seq"] += 1
    transfer_id, expires = record["seq"], ctx.time + params(view)["custody_transfer_ttl_seconds"]
    put_json(view, keys.transfer(who.account, transfer_id), {
        "id": transfer_id, "initiator": signer, "to": msg.to, "instrument": msg.instrument, "amount": msg.amount,
        "status": "waiting", "initiated": stamp(ctx), "expires": expires,
        "expiry_slot": expiry.schedule(view, who.account, transfer_id, expires),
    })
    record["open"] = record["open"] + [transfer_id]
    save_custody(view, who.account, record)
    return canonical_json({"transfer_id": transfer_id, "status": "waiting", "expires": expires})


def _waiting(view: View, address: str, record: dict[str, Any] | None, transfer_id: int) -> dict[str, Any]:
    if record is None or transfer_id not in record["open"]:
        raise TxRejected(Code.CUSTODY_NOT_FOUND, f"transfer {transfer_id} of account {address} is not awaiting an approver")
    return get_json(view, keys.transfer(address, transfer_id))


def _close(view: View, address: str, record: dict[str, Any], transfer: dict[str, Any], status: str, by: str,
           ctx: BlockContext) -> bytes:
    if status != "expired":  # the end-of-block walk frees an expiring transfer's slot itself
        expiry.unschedule(view, transfer["expires"], transfer["expiry_slot"])
    transfer = transfer | {"status": status, "closed": {"by": by, **stamp(ctx)}}
    put_json(view, keys.transfer(address, transfer["id"]), transfer)
    record["open"] = [i for i in record["open"] if i != transfer["id"]]
    save_custody(view, address, record)
    return canonical_json({"transfer_id": transfer["id"], "status": status})


def handle_approve(view: View, signer: str, msg: CustodyApprove, ctx: BlockContext) -> bytes:
    who = actor(view, signer, ctx)
    who.require("approve", "approve a transfer")
    record = custody_of(view, who.account, ctx.time)
    transfer = _waiting(view, who.account, record, msg.transfer_id)
    if transfer["initiator"] == signer:
        raise TxRejected(Code.CUSTODY_SAME_PERSON, "four eyes: a representative cannot approve a transfer it initiated")
    if ctx.time >= transfer["expires"]:
        raise TxRejected(Code.CUSTODY_EXPIRED, f"transfer {msg.transfer_id} expired; initiate it again")
    to, instrument, amount = transfer["to"], transfer["instrument"], transfer["amount"]
    require_company(view, to, "recipient", "allowances go to companies")
    check_outgoing(view, who.account, instrument, ctx)
    spend(view, who.account, record, to, amount, ctx)
    release(view, who.account, instrument, amount, to=to)
    record_transfer(view, ctx, who.account, to, instrument, amount, kind="custody_transfer",
                    reference=f"custody transfer #{transfer['id']}")
    return _close(view, who.account, record, transfer, "executed", signer, ctx)


def _give_back(view: View, address: str, record: dict[str, Any], transfer: dict[str, Any], status: str, by: str,
               ctx: BlockContext) -> bytes:
    release(view, address, transfer["instrument"], transfer["amount"])
    return _close(view, address, record, transfer, status, by, ctx)


def handle_cancel(view: View, signer: str, msg: CustodyCancel, ctx: BlockContext) -> bytes:
    who = actor(view, signer, ctx)
    record = custody_of(view, who.account, ctx.time)
    transfer = _waiting(view, who.account, record, msg.transfer_id)
    if not (who.holder or signer == transfer["initiator"] or who.may("approve")):
        who.require("approve", "cancel a transfer another representative initiated")
    return _give_back(view, who.account, record, transfer, "cancelled", signer, ctx)


def cancel_open(view: View, address: str, record: dict[str, Any], ctx: BlockContext, *, initiator: str,
                reason: str) -> list[int]:
    """Cancel the waiting transfers ``initiator`` started (its representative was removed); their ids."""
    cancelled = []
    for transfer_id in list(record["open"]):
        transfer = get_json(view, keys.transfer(address, transfer_id))
        if transfer["initiator"] == initiator:
            _give_back(view, address, record, transfer | {"reason": reason}, "cancelled", "", ctx)
            cancelled.append(transfer_id)
    return cancelled


def _expire(view: View, address: str, transfer_id: int, ctx: BlockContext) -> None:
    transfer = get_json(view, keys.transfer(address, transfer_id))
    if transfer is None or transfer["status"] != "waiting":
        return  # approved or cancelled meanwhile
    attempt = view.child()
    try:
        _give_back(attempt, address, custody_of(attempt, address, ctx.time), transfer, "expired", "", ctx)
    except TxRejected:
        return  # the holding cannot take the tonnes back (at its limit): it stays waiting, to be cancelled
    attempt.merge()


def expire_due(view: View, ctx: BlockContext) -> None:
    """End of block: waiting transfers whose time ran out release their held tonnes (bounded work per block)."""
    expiry.walk(view, ctx, _expire)
