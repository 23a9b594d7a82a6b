"""m-of-n governance: proposing a governed action, approving or rejecting it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..constants import MAX_REASON
from ._base import ACTIONS, _fields, _invalid, message, _proposal_id, _text, Wire

__all__ = ["Propose", "Approve", "Reject"]


@message
@dataclass(frozen=True, slots=True)
class Propose(Wire):
    """An official proposes a governed action; the proposer's approval is counted."""

    action: Any  # one of the governed actions (protocol.messages.Action)
    raw_action: dict[str, Any] = field(default_factory=dict, compare=False, metadata={"derived": True})  # as signed; stored
    TYPE = "propose"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Propose":
        _fields(obj, cls.TYPE, ("action",))
        action = obj["action"]
        if not isinstance(action, dict) or not isinstance(action.get("type"), str) or action["type"] not in ACTIONS:
            raise _invalid(f"propose.action must be an object whose type is one of {', '.join(sorted(ACTIONS))}")
        return cls(ACTIONS[action["type"]](action), action)


@message
@dataclass(frozen=True, slots=True)
class Approve(Wire):
    proposal_id: int
    TYPE = "approve"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Approve":
        _fields(obj, cls.TYPE, ("proposal_id",))
        return cls(_proposal_id(cls.TYPE, obj["proposal_id"]))


@message
@dataclass(frozen=True, slots=True)
class Reject(Wire):
    proposal_id: int
    reason: str
    TYPE = "reject"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Reject":
        _fields(obj, cls.TYPE, ("proposal_id", "reason"))
        return cls(_proposal_id(cls.TYPE, obj["proposal_id"]), _text(cls.TYPE, "reason", obj["reason"], MAX_REASON))
