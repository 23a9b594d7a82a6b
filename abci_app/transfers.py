"""Transfers of allowances between companies."""

from __future__ import annotations

from protocol.codes import Code, TxRejected
from protocol.messages import Transfer
from .view import BlockContext, View, move, require_company

__all__ = ["handle_transfer"]


def handle_transfer(view: View, signer: str, msg: Transfer, ctx: BlockContext) -> bytes:
    if msg.to == signer:
        raise TxRejected(Code.INVALID_MESSAGE, "transfer.to is the signer itself; name another account")
    require_company(view, msg.to, "recipient", "allowances go to companies")
    move(view, signer, msg.instrument, -msg.amount)
    move(view, msg.to, msg.instrument, msg.amount)
    return b""
