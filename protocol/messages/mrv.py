"""Monitoring: a device's daily total with the Merkle root of its readings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..constants import MAX_DAILY_KG, MAX_DAILY_READINGS
from ._base import _count, day_number, _fields, _hex64, _invalid, message, Wire

__all__ = ["DailyTotal"]


@message
@dataclass(frozen=True, slots=True)
class DailyTotal(Wire):
    """A device's daily total: mass, reading counts and the Merkle root of the day's readings."""

    day: str
    day_number: int = field(metadata={"derived": True})  # days since 1970-01-01, from ``day``
    total: int
    unit: str
    readings: int
    substituted: int
    merkle_root: str
    TYPE = "daily_total"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "DailyTotal":
        kind = cls.TYPE
        _fields(obj, kind, ("day", "total", "unit", "readings", "substituted", "merkle_root"))
        if obj["unit"] != "kg":
            raise _invalid(f"{kind}.unit must be \"kg\"")
        readings = _count(kind, "readings", obj["readings"], MAX_DAILY_READINGS)
        substituted = _count(kind, "substituted", obj["substituted"], readings)
        return cls(obj["day"], day_number(kind, obj["day"]), _count(kind, "total", obj["total"], MAX_DAILY_KG), "kg",
                   readings, substituted, _hex64(kind, "merkle_root", obj["merkle_root"]))
