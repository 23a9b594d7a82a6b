"""Offsets: KOC issued by the government for a certified reduction project, converted to KCU one for one."""

from __future__ import annotations

from protocol.codes import Code, TxRejected
from protocol.compliance import vintage_year, vintage
from protocol.constants import MAX_HOLDING
from protocol.messages.compliance import ConvertOffsets, IssueOffsets

from ...view import BlockContext, View, add_int, get_int, put_json, require_company
from ..transfers import keys as ledger_keys
from ..transfers.journal import record_conversion, record_issue
from ..transfers.ledger import move
from . import keys
from .common import stamp
from .events import OFFSETS

__all__ = ["check_issue_offsets", "execute_issue_offsets", "check_convert", "execute_convert"]


def _record(view: View, record: dict) -> None:
    put_json(view, keys.offset(add_int(view, keys.OFFSET_SEQ, 1)), record)


def check_issue_offsets(view: View, action: IssueOffsets, ctx: BlockContext) -> None:
    require_company(view, action.to, "recipient", "offset credits go to companies")


def execute_issue_offsets(view: View, action: IssueOffsets, ctx: BlockContext, proposal: dict) -> None:
    check_issue_offsets(view, action, ctx)
    move(view, action.to, action.instrument, action.amount)
    if add_int(view, ledger_keys.supply(action.instrument), action.amount) > MAX_HOLDING:
        raise TxRejected(Code.LIMIT_EXCEEDED, f"total {action.instrument} issued would exceed {MAX_HOLDING:,} t")
    record_issue(view, ctx, action.to, action.instrument, action.amount, proposal["id"], kind="offset_issue")
    _record(view, {"kind": "issued", "company": action.to, "instrument": action.instrument, "amount": action.amount,
                   "project": action.project, "evidence": action.evidence, "proposal_id": proposal["id"], "at": stamp(ctx)})
    ctx.emit(OFFSETS(kind="issued", company=action.to, instrument=action.instrument, amount=action.amount,
                     proposal_id=proposal["id"]))


def check_convert(view: View, action: ConvertOffsets, ctx: BlockContext) -> None:
    require_company(view, action.holder, "holder", "offset credits are held by companies")
    held = get_int(view, ledger_keys.balance(action.holder, action.instrument))
    if held < action.amount:
        raise TxRejected(Code.INSUFFICIENT_BALANCE, f"{action.holder} holds {held:,} t of {action.instrument}, "
                                                    f"less than the {action.amount:,} t to convert")


def execute_convert(view: View, action: ConvertOffsets, ctx: BlockContext, proposal: dict) -> None:
    check_convert(view, action, ctx)
    target = vintage("KCU", vintage_year(action.instrument))
    move(view, action.holder, action.instrument, -action.amount)
    move(view, action.holder, target, action.amount)
    add_int(view, ledger_keys.supply(action.instrument), -action.amount)
    add_int(view, ledger_keys.supply(target), action.amount)
    record_conversion(view, ctx, action.holder, action.instrument, target, action.amount, proposal["id"])
    _record(view, {"kind": "converted", "company": action.holder, "instrument": action.instrument, "into": target,
                   "amount": action.amount, "proposal_id": proposal["id"], "at": stamp(ctx)})
    ctx.emit(OFFSETS(kind="converted", company=action.holder, instrument=target, amount=action.amount,
                     proposal_id=proposal["id"]))
