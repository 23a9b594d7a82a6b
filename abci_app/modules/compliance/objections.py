"""Objections: a company objects to its allocation or certification within the window; officials decide
(governed, m-of-n). An upheld certification objection re-certifies (the history keeps the old figure,
and a settled year is settled again); an upheld allocation objection trues up (issues) or claws back
(cancels) KAU of the year's vintage. Every decision is an e-order with its audit trail."""

from __future__ import annotations

from protocol.codec import canonical_json
from protocol.codes import Code, TxRejected
from protocol.compliance import vintage
from protocol.constants import MAX_HOLDING
from protocol.messages.compliance import DecideObjection, Objection

from ...view import BlockContext, View, add_int, get_int, get_json, put_json
from ..plans import keys as plan_keys
from ..transfers import keys as ledger_keys
from ..transfers.journal import record_adjustment
from ..transfers.ledger import move
from . import keys
from .common import param, stamp
from .events import OBJECTION
from .reports import certify_one

__all__ = ["handle_objection", "check_decision", "execute_decision"]


def _window_opened(view: View, signer: str, msg: Objection) -> int:
    """Block time the objected act took effect (the certification, or the plan's e-order approval)."""
    if msg.kind == "certification":
        record = get_json(view, keys.certification(signer, msg.year))
        if record is None:
            raise TxRejected(Code.OBJECTION_WINDOW_CLOSED, f"your {msg.year} emissions are not certified: nothing to object to yet")
        return record["certified"]["time"]
    eorder = get_json(view, plan_keys.eorder(msg.plan_hash))
    if eorder is None or get_int(view, plan_keys.allocation(signer, msg.plan_hash, vintage("KAU", msg.year))) == 0:
        raise TxRejected(Code.OBJECTION_WINDOW_CLOSED, f"plan {msg.plan_hash} allocated you no {vintage('KAU', msg.year)}")
    return eorder["approved"]["time"]


def handle_objection(view: View, signer: str, msg: Objection, ctx: BlockContext) -> bytes:
    opened = _window_opened(view, signer, msg)
    window = param(view, "compliance_objection_window_seconds")
    if ctx.time > opened + window:
        raise TxRejected(Code.OBJECTION_WINDOW_CLOSED, f"objections close {window // 86400} days after the {msg.kind}; "
                                                       f"this one took effect at unix time {opened}")
    objection_id = add_int(view, keys.OBJECTION_SEQ, 1)
    put_json(view, keys.objection(objection_id), {
        "id": objection_id, "company": signer, "kind": msg.kind, "year": msg.year, "reason": msg.reason,
        "evidence": msg.evidence, "requested": msg.requested, "plan_hash": msg.plan_hash, "filed": stamp(ctx),
        "status": "open"})
    ctx.emit(OBJECTION(id=objection_id, company=signer, kind=msg.kind, year=msg.year, status="open"))
    return canonical_json({"objection_id": objection_id, "status": "open"})


def _open(view: View, action: DecideObjection) -> dict:
    record = get_json(view, keys.objection(action.objection_id))
    if record is None:
        raise TxRejected(Code.OBJECTION_NOT_FOUND, f"objection {action.objection_id} does not exist")
    if record["status"] != "open":
        raise TxRejected(Code.OBJECTION_CLOSED, f"objection {action.objection_id} was already {record['status']}")
    if action.decision == "upheld" and record["kind"] == "certification" and action.quantity < 0:
        raise TxRejected(Code.INVALID_MESSAGE, "an upheld certification objection needs the new certified figure (≥ 0 t)")
    return record


def check_decision(view: View, action: DecideObjection, ctx: BlockContext) -> None:
    _open(view, action)


def execute_decision(view: View, action: DecideObjection, ctx: BlockContext, proposal: dict) -> None:
    record = _open(view, action)
    company, year = record["company"], record["year"]
    if action.decision == "upheld" and record["kind"] == "certification":
        certify_one(view, company, year, action.quantity, ctx, proposal, action.reason, basis=f"objection {action.objection_id}")
    elif action.decision == "upheld" and action.quantity:
        instrument = vintage("KAU", year)
        move(view, company, instrument, action.quantity)  # a clawback fails the approval if the company lacks the tonnes
        if add_int(view, ledger_keys.supply(instrument), action.quantity) > MAX_HOLDING:
            raise TxRejected(Code.LIMIT_EXCEEDED, f"total {instrument} issued would exceed {MAX_HOLDING:,} t")
        add_int(view, keys.adjustment(company, year), action.quantity)
        record_adjustment(view, ctx, company, instrument, action.quantity, action.objection_id, proposal["id"])
    record.update(status=action.decision, decided=stamp(ctx), decision_reason=action.reason, quantity=action.quantity,
                  proposal_id=proposal["id"])
    put_json(view, keys.objection(action.objection_id), record)
    put_json(view, keys.objection_eorder(action.objection_id), {
        "objection_id": action.objection_id, "company": company, "kind": record["kind"], "year": year,
        "decision": action.decision, "quantity": action.quantity, "reason": action.reason,
        "effect": ("re-certified" if record["kind"] == "certification" else
                   "true-up" if (action.quantity or 0) > 0 else "clawback" if (action.quantity or 0) < 0 else "none")
        if action.decision == "upheld" else "none",
        "proposal_id": proposal["id"], "proposer": proposal["proposer"], "approvals": proposal["approvals"],
        "executed": stamp(ctx)})
    ctx.emit(OBJECTION(id=action.objection_id, company=company, kind=record["kind"], year=year, status=action.decision))
