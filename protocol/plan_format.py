"""The allocation plan's hash: the one format the engine writes and the chain recomputes.

This module is the contract between ``governance`` (which computes plans off chain) and the
chain (which receives a plan's lines in several transactions and must arrive at the same hash).
It lives in the wire package, so consensus code reads plans without pulling in the engine::

    canonical_json(v)   = protocol.codec.canonical_json (sorted keys, no spaces, UTF-8)
    line_bytes(company_id, vintage, amount) = canonical_json([company_id, vintage, amount])
    acc_0       = SHA-256(b"ETS-PLAN-LINES-V1")
    acc_i       = SHA-256(acc_{i-1} || line_bytes(line_i))
    header_hash = SHA-256(canonical_json(header_dict))
    plan_hash   = hex(SHA-256(b"ETS-PLAN-V1\\x00" || header_hash || acc_n || n as 8 bytes big-endian))

Lines are folded in strictly increasing (company_id, vintage) order (Python string order, which
is Unicode code point order and equals UTF-8 byte order), every amount is a whole number of
tonnes from 1 to 10**12 (lines of zero are omitted from a plan), and the vintage is a chain
instrument name ``KAU`` + two-digit year. Because the fold is sequential, the lines may be
folded in any number of slices (``fold_lines(fold_lines(seed, a), b) == fold_lines(seed, a + b)``),
which is how the chain checks a plan that arrives in several transactions.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any, Iterable

from .codec import canonical_json
from .text import is_text

__all__ = [
    "LINES_SEED",
    "PLAN_DOMAIN",
    "MAX_LINE_AMOUNT",
    "MAX_COMPANY_ID_CHARS",
    "PlanFormatError",
    "canonical_json",
    "line_bytes",
    "validate_line",
    "fold_lines",
    "header_hash",
    "finish_plan_hash",
    "plan_hash",
    "is_vintage",
]

LINES_SEED = hashlib.sha256(b"ETS-PLAN-LINES-V1").digest()
PLAN_DOMAIN = b"ETS-PLAN-V1\x00"
MAX_LINE_AMOUNT = 10**12
MAX_COMPANY_ID_CHARS = 200
_VINTAGE = re.compile(r"KAU[0-9]{2}")


class PlanFormatError(ValueError):
    """A plan line or header that cannot be hashed: the message says which value and why."""


def is_vintage(value: object) -> bool:
    """True for an allowance vintage instrument name such as ``KAU26``."""
    return isinstance(value, str) and _VINTAGE.fullmatch(value) is not None


def validate_line(company_id: object, vintage: object, amount: object) -> None:
    """Raise ``PlanFormatError`` unless (company_id, vintage, amount) is a valid plan line."""
    if not is_text(company_id, MAX_COMPANY_ID_CHARS):
        raise PlanFormatError(
            f"company_id {company_id!r} must be printable text of 1 to {MAX_COMPANY_ID_CHARS} characters"
        )
    if not is_vintage(vintage):
        raise PlanFormatError(f"vintage {vintage!r} of {company_id!r} must look like KAU26 (KAU + two-digit year)")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= MAX_LINE_AMOUNT:
        raise PlanFormatError(
            f"amount {amount!r} for {company_id!r} {vintage} must be a whole number of tonnes from 1 to {MAX_LINE_AMOUNT:,}"
        )


def line_bytes(company_id: str, vintage: str, amount: int) -> bytes:
    """The bytes one line contributes to the fold (validated first)."""
    validate_line(company_id, vintage, amount)
    return canonical_json([company_id, vintage, amount])


def fold_lines(
    acc: bytes,
    lines: Iterable[tuple[str, str, int]],
    *,
    after: tuple[str, str] | None = None,
) -> bytes:
    """Fold ``lines`` into the accumulator ``acc`` (start from ``LINES_SEED``).

    Every line is validated and must sort strictly after the one before it; ``after`` is the
    (company_id, vintage) of the last line of the previous slice, when folding in slices.
    """
    if not isinstance(acc, bytes) or len(acc) != 32:
        raise PlanFormatError("the accumulator must be 32 bytes (start from LINES_SEED)")
    previous = after
    sha256 = hashlib.sha256
    for line in lines:
        company_id, vintage, amount = line
        data = line_bytes(company_id, vintage, amount)
        key = (company_id, vintage)
        if previous is not None and not key > previous:
            raise PlanFormatError(
                f"line {list(key)} is not after {list(previous)}: lines must be in strictly increasing "
                "(company_id, vintage) order with no duplicates"
            )
        previous = key
        acc = sha256(acc + data).digest()
    return acc


def _check_header_value(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise PlanFormatError(f"header key {key!r} at {where} must be a string")
            _check_header_value(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_header_value(item, f"{where}[{index}]")
    elif not (value is None or isinstance(value, (str, int))):
        raise PlanFormatError(
            f"header value at {where} is a {type(value).__name__}: only objects, arrays, strings, "
            "integers, booleans and null are allowed (no floats)"
        )


def header_hash(header: dict[str, Any]) -> bytes:
    """SHA-256 of the header's canonical JSON (objects, arrays, strings, integers only)."""
    if not isinstance(header, dict):
        raise PlanFormatError("the plan header must be a JSON object")
    _check_header_value(header, "header")
    try:
        data = canonical_json(header)
    except UnicodeEncodeError:
        raise PlanFormatError("the plan header contains a lone surrogate, which has no UTF-8 form") from None
    return hashlib.sha256(data).digest()


def finish_plan_hash(header_digest: bytes, acc: bytes, count: int) -> str:
    """Combine a header hash, the folded lines and their number into the plan hash (hex)."""
    if len(header_digest) != 32 or len(acc) != 32:
        raise PlanFormatError("header hash and accumulator must be 32 bytes each")
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count < 2**64:
        raise PlanFormatError(f"line count {count!r} must be an integer from 0 to 2**64 - 1")
    return hashlib.sha256(PLAN_DOMAIN + header_digest + acc + count.to_bytes(8, "big")).hexdigest()


def plan_hash(header: dict[str, Any], lines: Iterable[tuple[str, str, int]]) -> str:
    """The plan hash of a header and its lines (in order), as 64 lowercase hex characters."""
    materialised = list(lines)
    acc = fold_lines(LINES_SEED, materialised)
    return finish_plan_hash(header_hash(header), acc, len(materialised))
