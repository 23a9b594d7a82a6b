"""Every message and governed action of the chain, as frozen dataclasses.

``parse_message(obj)`` turns the ``msg`` object of a decoded envelope into one of these, or raises
``TxRejected`` with ``UNKNOWN_MESSAGE`` / ``INVALID_MESSAGE`` and a log naming the field and what is
expected (stateless checks only; checks against state belong to the chain's modules). Clients
build the same classes and sign ``m.to_json()``; ``parse_message(m.to_json()) == m`` for each.

One file per domain (``accounts``, ``transfers``, ``governance``, ``plans``, ``mrv``, ``trading``,
``blocktrades``); a class joins the registry with ``@message`` or ``@action``.
"""

from __future__ import annotations

from typing import Any, Union

from ..codes import Code, TxRejected
from ._base import ACTIONS, MESSAGES, Wire, day_number, is_instrument
from .accounts import RegisterAccount, RegisterAccounts, RegisterDevice
from .blocktrades import BlockTradeAccept, BlockTradeCancel, BlockTradePropose, SetViewKey
from .governance import Approve, Propose, Reject
from .mrv import DailyTotal
from .plans import IssuePlan, PlanChunk, PlanOpen
from .trading import CancelOrder, FundCash, PlaceOrder, WithdrawCash
from .transfers import IssueAllowances, Transfer

__all__ = [
    "Transfer", "RegisterAccount", "IssueAllowances", "Propose", "Approve", "Reject", "RegisterAccounts", "IssuePlan",
    "PlanOpen", "PlanChunk", "RegisterDevice", "DailyTotal", "FundCash", "WithdrawCash", "PlaceOrder", "CancelOrder",
    "SetViewKey", "BlockTradePropose", "BlockTradeAccept", "BlockTradeCancel",
    "Message", "Action", "Wire", "MESSAGES", "ACTIONS", "day_number", "parse_message", "parse_action", "is_instrument",
]

Action = Union[RegisterAccount, RegisterAccounts, IssueAllowances, IssuePlan]
Message = Union[Transfer, Propose, Approve, Reject, PlanOpen, PlanChunk, RegisterDevice, DailyTotal, FundCash, WithdrawCash,
                PlaceOrder, CancelOrder, SetViewKey, BlockTradePropose, BlockTradeAccept, BlockTradeCancel]


def parse_message(obj: dict[str, Any]) -> Message:
    parser = MESSAGES.get(obj.get("type"))  # type: ignore[arg-type]
    if parser is None:
        raise TxRejected(Code.UNKNOWN_MESSAGE, f"unknown message type {str(obj.get('type'))[:40]!r}; known: {', '.join(sorted(MESSAGES))}")
    return parser(obj)


def parse_action(obj: dict[str, Any]) -> Action:
    parser = ACTIONS.get(obj.get("type"))  # type: ignore[arg-type]
    if parser is None:
        raise TxRejected(Code.INVALID_MESSAGE, f"unknown governed action {str(obj.get('type'))[:40]!r}; known: {', '.join(sorted(ACTIONS))}")
    return parser(obj)
