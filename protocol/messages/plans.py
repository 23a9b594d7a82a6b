"""Allocation plans: uploading a plan in chunks, issuing it as e-orders (governed)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..text import is_text

from ..codec import canonical_json
from ..constants import MAX_AMOUNT, MAX_NAME, MAX_PLAN_LINES, MAX_CHUNK_LINES, MAX_PLAN_HEADER_BYTES
from ._base import action, _count, _fields, _hex64, _invalid, is_instrument, message, Wire

__all__ = ["IssuePlan", "PlanOpen", "PlanChunk"]


@action
@dataclass(frozen=True, slots=True)
class IssuePlan(Wire):
    """Governed action: issue every line of a sealed allocation plan as e-orders, in one batch."""

    plan_hash: str
    TYPE = "issue_plan"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "IssuePlan":
        _fields(obj, cls.TYPE, ("plan_hash",))
        return cls(_hex64(cls.TYPE, "plan_hash", obj["plan_hash"]))


@message
@dataclass(frozen=True, slots=True)
class PlanOpen(Wire):
    """Start uploading an allocation plan: its hash, header (parameters, input hashes) and size."""

    plan_hash: str
    header: dict[str, Any]
    lines: int
    TYPE = "plan_open"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "PlanOpen":
        kind = cls.TYPE
        _fields(obj, kind, ("plan_hash", "header", "lines"))
        header = obj["header"]
        if not isinstance(header, dict) or len(canonical_json(header)) > MAX_PLAN_HEADER_BYTES:
            raise _invalid(f"{kind}.header must be an object of at most {MAX_PLAN_HEADER_BYTES:,} bytes")
        return cls(_hex64(kind, "plan_hash", obj["plan_hash"]), header, _count(kind, "lines", obj["lines"], MAX_PLAN_LINES, 1))


@message
@dataclass(frozen=True, slots=True)
class PlanChunk(Wire):
    """The next slice of a plan's lines, [company_id, vintage, amount], in (company_id, vintage) order."""

    plan_hash: str
    offset: int
    lines: tuple[tuple[str, str, int], ...]
    TYPE = "plan_chunk"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "PlanChunk":
        kind = cls.TYPE
        _fields(obj, kind, ("plan_hash", "offset", "lines"))
        raw = obj["lines"]
        if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_CHUNK_LINES:
            raise _invalid(f"{kind}.lines must be a list of 1 to {MAX_CHUNK_LINES:,} lines")
        lines = []
        for i, line in enumerate(raw):
            if not isinstance(line, list) or len(line) != 3:
                raise _invalid(f"{kind}.lines[{i}] must be [company_id, vintage, amount]")
            company_id, vintage, amount = line
            if not is_text(company_id, MAX_NAME):
                raise _invalid(f"{kind}.lines[{i}]: company_id must be printable text of 1 to {MAX_NAME} characters")
            if not isinstance(vintage, str) or not vintage.startswith("KAU") or not is_instrument(vintage):
                raise _invalid(f"{kind}.lines[{i}]: vintage must look like KAU26")
            lines.append((company_id, vintage, _count(f"{kind}.lines[{i}]", "amount", amount, MAX_AMOUNT, 1)))
        return cls(_hex64(kind, "plan_hash", obj["plan_hash"]), _count(kind, "offset", obj["offset"], MAX_PLAN_LINES), tuple(lines))
