"""Transfers of allowances between companies, and the governed issuance of new allowances."""

from __future__ import annotations

from protocol.codes import Code, TxRejected
from protocol.constants import MAX_HOLDING
from protocol.messages.transfers import IssueAllowances, Transfer

from ...view import BlockContext, View, add_int, require_company
from .. import check_outgoing
from ..custody.limits import guard_transfer
from . import keys
from .events import ALLOWANCES_ISSUED
from .journal import record_issue, record_transfer
from .ledger import move

__all__ = ["handle_transfer", "check_issue", "execute_issue"]


def handle_transfer(view: View, signer: str, msg: Transfer, ctx: BlockContext) -> bytes:
    if msg.to == signer:
        raise TxRejected(Code.INVALID_MESSAGE, "transfer.to is the signer itself; name another account")
    require_company(view, msg.to, "recipient", "allowances go to companies")
    check_outgoing(view, signer, msg.instrument, ctx)
    guard_transfer(view, signer, msg.to, msg.amount, ctx)  # an account under custody: four eyes, caps
    move(view, signer, msg.instrument, -msg.amount)
    move(view, msg.to, msg.instrument, msg.amount)
    record_transfer(view, ctx, signer, msg.to, msg.instrument, msg.amount)
    return b""


def check_issue(view: View, action: IssueAllowances, ctx: BlockContext) -> None:
    require_company(view, action.to, "recipient", "allowances go to companies")


def execute_issue(view: View, action: IssueAllowances, ctx: BlockContext, proposal: dict) -> None:
    require_company(view, action.to, "recipient", "allowances go to companies")
    move(view, action.to, action.instrument, action.amount)
    record_issue(view, ctx, action.to, action.instrument, action.amount, proposal["id"])
    if add_int(view, keys.supply(action.instrument), action.amount) > MAX_HOLDING:
        raise TxRejected(Code.LIMIT_EXCEEDED, f"total {action.instrument} issued would exceed {MAX_HOLDING:,} t")
    ctx.emit(ALLOWANCES_ISSUED(proposal_id=proposal["id"], company=action.to, instrument=action.instrument, amount=action.amount))
