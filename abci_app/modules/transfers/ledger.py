"""Changing a holding: never below zero, never above the holding limit (``MAX_HOLDING`` and, for a credit, the
modules' incoming checks: holding limits by participant class); setting tonnes aside as held and back."""

from __future__ import annotations

from protocol.codes import Code, TxRejected
from protocol.constants import MAX_HOLDING

from ...view import View, add_int, get_int, put_int
from .. import check_incoming
from . import keys

__all__ = ["move", "hold", "release"]


def move(view: View, address: str, instrument: str, delta: int, *, incoming: bool = True) -> None:
    """Change the available holding by ``delta`` tonnes (``incoming=False``: tonnes coming back from held)."""
    key = keys.balance(address, instrument)
    balance = get_int(view, key) + delta
    if balance < 0:
        raise TxRejected(Code.INSUFFICIENT_BALANCE, f"not enough {instrument} in {address} for this transfer of {-delta:,} t")
    if balance > MAX_HOLDING:
        raise TxRejected(Code.LIMIT_EXCEEDED, f"{instrument} held by {address} would exceed {MAX_HOLDING:,} t")
    put_int(view, key, balance)
    if delta > 0 and incoming:
        check_incoming(view, address, instrument)  # holding limits by participant class (modules/makers)


def hold(view: View, address: str, instrument: str, amount: int) -> None:
    """Set ``amount`` tonnes aside: out of the available holding into held (a transfer awaiting its approver)."""
    move(view, address, instrument, -amount)
    add_int(view, keys.held(address, instrument), amount)


def release(view: View, address: str, instrument: str, amount: int, to: str | None = None) -> None:
    """Take ``amount`` held tonnes out of held: back to the holder's available holding, or (``to``) to another
    holder. Tonnes going back to their own holder are no new arrival: the holding-limit check is for ``to``."""
    if add_int(view, keys.held(address, instrument), -amount) < 0:
        raise TxRejected(Code.INSUFFICIENT_BALANCE, f"{address} holds fewer than {amount:,} t of {instrument} aside")
    move(view, address if to is None else to, instrument, amount, incoming=to is not None)
