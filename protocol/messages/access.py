"""Who looked: an official records why they read a company's private data, before reading it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..constants import MAX_REASON
from ._base import _address, _fields, _invalid, _text, message, Wire

__all__ = ["RecordAccess", "EVERY_ACCOUNT", "MIN_REASON"]

EVERY_ACCOUNT = "*"  # the subject of a read across all accounts (a listing)
MIN_REASON = 10  # characters: a reason, not a placeholder


@message
@dataclass(frozen=True, slots=True)
class RecordAccess(Wire):
    """Government: "I am about to read ``subject``'s private data (``*``: every account's), because ``reason``".
    For the chain's access window the official's signed queries of that data are answered; the record
    stays, and the company reads who looked at its data, when and why (``/looked/<addr>``)."""

    subject: str
    reason: str
    TYPE = "record_access"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "RecordAccess":
        _fields(obj, cls.TYPE, ("subject", "reason"))
        subject = obj["subject"] if obj["subject"] == EVERY_ACCOUNT else _address(cls.TYPE, "subject", obj["subject"])
        reason = _text(cls.TYPE, "reason", obj["reason"], MAX_REASON)
        if len(reason.strip()) < MIN_REASON:
            raise _invalid(f"{cls.TYPE}.reason must say why, in at least {MIN_REASON} characters")
        return cls(subject, reason)
