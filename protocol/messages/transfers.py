"""Moving allowances: transfers between holders, governed issuance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._base import action, message, _quantity_to, Wire

__all__ = ["Transfer", "IssueAllowances"]


@message
@dataclass(frozen=True, slots=True)
class Transfer(Wire):
    """Move allowances of one instrument from the signer to another holder."""

    to: str
    instrument: str
    amount: int
    TYPE = "transfer"

    @classmethod
    def from_json(cls, obj: dict[str, Any]):
        return cls(*_quantity_to(cls.TYPE, obj))


@action
@dataclass(frozen=True, slots=True)
class IssueAllowances(Wire):
    """Governed action: create allowances of an instrument in a holder's account."""

    to: str
    instrument: str
    amount: int
    TYPE = "issue_allowances"

    @classmethod
    def from_json(cls, obj: dict[str, Any]):
        return cls(*_quantity_to(cls.TYPE, obj))
