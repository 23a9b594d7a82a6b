"""Private transactions' keys: the governed rotation of the validators' execution key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._base import action, _count, _fields, _hex64, _invalid, Wire

__all__ = ["RotateExecutionKey"]


@action
@dataclass(frozen=True, slots=True)
class RotateExecutionKey(Wire):
    """Governed action: from now on private txs are sealed to this X25519 key (64 hex), epoch ``epoch``
    (the next number). Txs sealed to the previous epoch's key are still read, so none in flight is lost;
    older epochs are refused. Every validator must hold the new private key before the approval."""

    epoch: int
    public_key: str
    TYPE = "rotate_execution_key"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "RotateExecutionKey":
        _fields(obj, cls.TYPE, ("epoch", "public_key"))
        key = _hex64(cls.TYPE, "public_key", obj["public_key"])
        if key == "0" * 64:
            raise _invalid(f"{cls.TYPE}.public_key is all zeros, which is no X25519 key")
        return cls(_count(cls.TYPE, "epoch", obj["epoch"], 2**32 - 1, 1), key)
