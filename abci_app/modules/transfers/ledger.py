"""Changing a holding: never below zero, never above the holding limit (``MAX_HOLDING`` and, for a credit, the
modules' incoming checks: holding limits by participant class)."""

from __future__ import annotations

from protocol.codes import Code, TxRejected
from protocol.constants import MAX_HOLDING

from ...view import View, get_int, put_int
from .. import check_incoming
from . import keys

__all__ = ["move"]


def move(view: View, address: str, instrument: str, delta: int) -> None:
    """Change the available holding by ``delta`` tonnes."""
    key = keys.balance(address, instrument)
    balance = get_int(view, key) + delta
    if balance < 0:
        raise TxRejected(Code.INSUFFICIENT_BALANCE, f"not enough {instrument} in {address} for this transfer of {-delta:,} t")
    if balance > MAX_HOLDING:
        raise TxRejected(Code.LIMIT_EXCEEDED, f"{instrument} held by {address} would exceed {MAX_HOLDING:,} t")
    put_int(view, key, balance)
    if delta > 0:
        check_incoming(view, address, instrument)  # holding limits by participant class (modules/makers)
