"""The allocation plan (할당 계획): header, lines, plan hash, reviewers' explanations, JSON file.

An ``AllocationPlan`` is what the engine produces and what government officials approve on chain:

    header        kind ("initial" | "additional"), phase, vintages, the parameters, the input
                  files' SHA-256, per-vintage totals and reserves, warnings
    lines         (company_id, vintage, amount) sorted by (company_id, vintage); amount ≥ 1 t
    plan_hash     ``plan_format.plan_hash(header.to_dict(), lines)``, recomputed on construction
    explanations  per company: the history used, the method, the demand and what scaling did —
                  for reviewers only, *not* covered by the hash

The file form (``to_json`` / ``from_json``) is canonical JSON with the keys ``format``,
``header``, ``lines``, ``plan_hash`` and optionally ``explanations``. Anyone can re-hash it with
``plan_format`` alone; ``from_json`` refuses a file whose stored hash does not match.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from protocol.codec import CodecError, reject_duplicate_keys
from protocol.plan_format import (
    LINES_SEED,
    PlanFormatError,
    canonical_json,
    finish_plan_hash,
    fold_lines,
    header_hash,
    validate_line,
)

from .errors import GovernanceError, PlanFileError
from .explanation import CompanyExplanation
from .parameters import AllocationParameters, vintage_name

__all__ = [
    "PLAN_KINDS",
    "HEADER_FORMAT",
    "FILE_FORMAT",
    "MAX_HEADER_BYTES",
    "PlanLine",
    "VintageTotals",
    "PlanHeader",
    "AllocationPlan",
]

PLAN_KINDS = ("initial", "additional")
HEADER_FORMAT = "ETS-PLAN-V1"
FILE_FORMAT = "ETS-PLAN-FILE-V1"
MAX_HEADER_BYTES = 64 * 1024  # the chain's limit on the header of a plan_open transaction
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_INPUT_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PlanFileError(message)


@dataclass(frozen=True, slots=True, order=True)
class PlanLine:
    """One company's free allocation of one vintage, in whole tonnes (≥ 1)."""

    company_id: str
    vintage: str
    amount: int

    def __post_init__(self) -> None:
        try:
            validate_line(self.company_id, self.vintage, self.amount)
        except PlanFormatError as exc:
            raise PlanFileError(f"invalid plan line: {exc}") from None

    def as_tuple(self) -> tuple[str, str, int]:
        return (self.company_id, self.vintage, self.amount)


@dataclass(frozen=True, slots=True)
class VintageTotals:
    """What one vintage's cap became. ``available`` is what this plan may allocate: the cap less
    every reserve for an initial plan, the new-entrant reserve for an additional plan.
    ``scale`` = (numerator, denominator): every company's demand was multiplied by this ratio
    (``(1, 1)`` when demand fitted) before largest-remainder rounding."""

    vintage: str
    cap: int
    available: int
    demand: int
    free_allocation: int
    auction_pool: int
    unallocated: int
    scale: tuple[int, int]
    companies: int

    def __post_init__(self) -> None:
        numbers = (self.cap, self.available, self.demand, self.free_allocation, self.auction_pool,
                   self.unallocated, self.companies)
        if not all(_is_int(n) and n >= 0 for n in numbers):
            raise PlanFileError(f"{self.vintage}: totals must be whole numbers ≥ 0")
        num, den = self.scale
        if not (_is_int(num) and _is_int(den) and 0 <= num <= den and den > 0):
            raise PlanFileError(f"{self.vintage}: scale must be [numerator, denominator] with 0 ≤ n ≤ d, d > 0")
        if self.available > self.cap:
            raise PlanFileError(f"{self.vintage}: available {self.available:,} t exceeds the cap {self.cap:,} t")
        if self.allocated + self.unallocated != self.available:
            raise PlanFileError(
                f"{self.vintage}: free allocation + auction pool + unallocated "
                f"({self.allocated + self.unallocated:,} t) must equal the available {self.available:,} t"
            )

    @property
    def allocated(self) -> int:
        """Free allocation plus auction pool: everything this plan hands out for the vintage."""
        return self.free_allocation + self.auction_pool

    def to_dict(self) -> dict[str, Any]:
        return {
            "cap": self.cap,
            "available": self.available,
            "demand": self.demand,
            "free_allocation": self.free_allocation,
            "auction_pool": self.auction_pool,
            "unallocated": self.unallocated,
            "scale": list(self.scale),
            "companies": self.companies,
        }

    @classmethod
    def from_dict(cls, vintage: str, data: Any) -> "VintageTotals":
        keys = {"cap", "available", "demand", "free_allocation", "auction_pool", "unallocated", "scale", "companies"}
        _require(isinstance(data, dict) and set(data) == keys, f"totals.{vintage} must have exactly the keys {sorted(keys)}")
        scale = data["scale"]
        _require(isinstance(scale, list) and len(scale) == 2, f"totals.{vintage}.scale must be [numerator, denominator]")
        return cls(vintage=vintage, scale=(scale[0], scale[1]), **{k: data[k] for k in keys - {"scale"}})


@dataclass(frozen=True, slots=True)
class PlanHeader:
    """Everything about a plan except its lines; all of it is covered by the plan hash."""

    kind: str
    parameters: AllocationParameters
    inputs: tuple[tuple[str, str], ...]
    totals: tuple[VintageTotals, ...]
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in PLAN_KINDS:
            raise PlanFileError(f"plan kind must be one of {', '.join(PLAN_KINDS)}, got {self.kind!r}")
        if not isinstance(self.parameters, AllocationParameters):
            raise PlanFileError("a plan header needs AllocationParameters")
        inputs = dict(self.inputs)
        if len(inputs) != len(self.inputs):
            raise PlanFileError("an input file name appears twice in the plan header")
        for name, digest in inputs.items():
            if not isinstance(name, str) or not _INPUT_NAME.fullmatch(name):
                raise PlanFileError(f"input name {name!r} must be lowercase letters, digits and _ (e.g. pre_allocation)")
            if not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest):
                raise PlanFileError(f"input {name!r} must have a SHA-256 as 64 lowercase hex characters")
        object.__setattr__(self, "inputs", tuple(sorted(inputs.items())))
        if tuple(t.vintage for t in self.totals) != self.vintages:
            raise PlanFileError(f"totals must cover exactly the vintages {list(self.vintages)} in order")
        for t in self.totals:
            year = _year_of(t.vintage)
            if t.cap != self.parameters.cap_of(year):
                raise PlanFileError(f"{t.vintage}: the totals' cap differs from the parameters' cap")
            reserves = self.parameters.reserves(year)
            expected = reserves["new_entrant"] if self.kind == "additional" else t.cap - sum(reserves.values())
            if t.available != expected:
                raise PlanFileError(
                    f"{t.vintage}: available {t.available:,} t, but an {self.kind} plan with these parameters "
                    f"may allocate exactly {expected:,} t"
                )
        if not all(isinstance(w, str) for w in self.warnings):
            raise PlanFileError("warnings must be text")
        object.__setattr__(self, "warnings", tuple(self.warnings))

    @property
    def phase(self) -> int:
        return self.parameters.phase

    @property
    def vintages(self) -> tuple[str, ...]:
        return tuple(vintage_name(y) for y in self.parameters.vintages)

    def reserves(self, vintage: str) -> dict[str, int]:
        return self.parameters.reserves(_year_of(vintage))

    def totals_of(self, vintage: str) -> VintageTotals:
        for t in self.totals:
            if t.vintage == vintage:
                return t
        raise KeyError(vintage)

    def to_dict(self) -> dict[str, Any]:
        """The header as hashed: canonical-JSON-ready, integers and strings only."""
        return {
            "format": HEADER_FORMAT,
            "kind": self.kind,
            "phase": self.phase,
            "vintages": list(self.vintages),
            "parameters": self.parameters.to_dict(),
            "inputs": dict(self.inputs),
            "totals": {t.vintage: t.to_dict() for t in self.totals},
            "reserves": {v: self.reserves(v) for v in self.vintages},
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: Any) -> "PlanHeader":
        keys = {"format", "kind", "phase", "vintages", "parameters", "inputs", "totals", "reserves", "warnings"}
        _require(isinstance(data, dict), "the plan header must be a JSON object")
        _require(set(data) == keys, f"the plan header must have exactly the keys {sorted(keys)}, got {sorted(data)}")
        _require(data["format"] == HEADER_FORMAT, f"unknown header format {data['format']!r}; this version reads {HEADER_FORMAT}")
        try:
            parameters = AllocationParameters.from_dict(data["parameters"], source="header.parameters")
        except GovernanceError as exc:
            raise PlanFileError(str(exc)) from None
        _require(isinstance(data["inputs"], dict), "header.inputs must be an object {name: sha256}")
        _require(isinstance(data["totals"], dict), "header.totals must be an object {vintage: totals}")
        _require(isinstance(data["warnings"], list), "header.warnings must be a list of text")
        header = cls(
            kind=data["kind"],
            parameters=parameters,
            inputs=tuple(data["inputs"].items()),
            totals=tuple(VintageTotals.from_dict(v, t) for v, t in sorted(data["totals"].items())),
            warnings=tuple(data["warnings"]),
        )
        if header.to_dict() != data:
            raise PlanFileError(
                "the plan header is not in the form this version writes (phase, vintages or reserves disagree "
                "with the parameters, or a value has the wrong type)"
            )
        return header


def _year_of(vintage: str) -> int:
    return 2000 + int(vintage[3:])


@dataclass(frozen=True, slots=True)
class AllocationPlan:
    """A complete plan; ``plan_hash`` is computed on construction from the header and lines."""

    header: PlanHeader
    lines: tuple[PlanLine, ...]
    explanations: tuple[CompanyExplanation, ...] = ()
    plan_hash: str = field(init=False)

    def __post_init__(self) -> None:
        lines = tuple(self.lines)
        object.__setattr__(self, "lines", lines)
        object.__setattr__(self, "explanations", tuple(self.explanations))
        vintages = set(self.header.vintages)
        sums = dict.fromkeys(self.header.vintages, 0)
        counts = dict.fromkeys(self.header.vintages, 0)
        for line in lines:
            if line.vintage not in vintages:
                raise PlanFileError(f"line {line.as_tuple()} has a vintage that is not in the plan {sorted(vintages)}")
            sums[line.vintage] += line.amount
            counts[line.vintage] += 1
        for t in self.header.totals:
            if sums[t.vintage] != t.free_allocation or counts[t.vintage] != t.companies:
                raise PlanFileError(
                    f"{t.vintage}: the lines add up to {sums[t.vintage]:,} t for {counts[t.vintage]} companies, "
                    f"but the header says {t.free_allocation:,} t for {t.companies}"
                )
        header = self.header.to_dict()
        size = len(canonical_json(header))
        if size > MAX_HEADER_BYTES:
            raise PlanFileError(
                f"the plan header is {size:,} bytes; the chain accepts at most {MAX_HEADER_BYTES:,} "
                "(use fewer sector keys in the parameters)"
            )
        try:
            acc = fold_lines(LINES_SEED, (line.as_tuple() for line in lines))
            digest = finish_plan_hash(header_hash(header), acc, len(lines))
        except PlanFormatError as exc:
            raise PlanFileError(str(exc)) from None
        object.__setattr__(self, "plan_hash", digest)

    # ------------------------------------------------------------ views

    @property
    def kind(self) -> str:
        return self.header.kind

    def lines_of(self, company_id: str) -> tuple[PlanLine, ...]:
        return tuple(line for line in self.lines if line.company_id == company_id)

    def explanation_of(self, company_id: str) -> CompanyExplanation | None:
        for e in self.explanations:
            if e.company_id == company_id:
                return e
        return None

    # ------------------------------------------------------------ file form

    def to_dict(self, *, explanations: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": FILE_FORMAT,
            "header": self.header.to_dict(),
            "lines": [list(line.as_tuple()) for line in self.lines],
            "plan_hash": self.plan_hash,
        }
        if explanations:
            out["explanations"] = [e.to_dict() for e in self.explanations]
        return out

    def to_json(self, *, explanations: bool = True) -> bytes:
        """The plan file: canonical JSON plus a final newline (byte-identical for equal plans)."""
        return canonical_json(self.to_dict(explanations=explanations)) + b"\n"

    @classmethod
    def from_json(cls, data: bytes | str, *, source: str = "plan") -> "AllocationPlan":
        """Read a plan file, rebuild the plan and check that its stored hash matches.

        Formatting is free (pretty-printed files verify too); floats and duplicate keys are refused."""
        try:
            value = _strict_json(data)
            _require(isinstance(value, dict), "a plan file is a JSON object")
            allowed = {"format", "header", "lines", "plan_hash", "explanations"}
            _require(
                {"format", "header", "lines", "plan_hash"} <= set(value) <= allowed,
                f"a plan file has the keys {sorted(allowed)} (explanations optional), got {sorted(value)}",
            )
            _require(value["format"] == FILE_FORMAT, f"unknown plan file format {value['format']!r}; expected {FILE_FORMAT}")
            header = PlanHeader.from_dict(value["header"])
            raw_lines = value["lines"]
            _require(isinstance(raw_lines, list), "lines must be a list of [company_id, vintage, amount]")
            lines = []
            for index, item in enumerate(raw_lines):
                _require(isinstance(item, list) and len(item) == 3, f"lines[{index}] must be [company_id, vintage, amount]")
                lines.append(PlanLine(*item))
            explanations = tuple(CompanyExplanation.from_dict(e) for e in value.get("explanations", []))
            plan = cls(header=header, lines=tuple(lines), explanations=explanations)
            stored = value["plan_hash"]
            _require(
                plan.plan_hash == stored,
                f"plan hash mismatch: the file says {stored}, its header and lines hash to {plan.plan_hash}; "
                "the file was changed after it was computed",
            )
            return plan
        except PlanFileError as exc:
            raise PlanFileError(f"{source}: {exc}") from None


def _reject_constant(text: str) -> Any:
    raise PlanFileError(f"{text} is not allowed in a plan file")


def _reject_float(text: str) -> Any:
    raise PlanFileError(f"non-integer number {text!r}: plan quantities are whole tonnes")


def _strict_json(data: bytes | str) -> Any:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PlanFileError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        return json.loads(data, object_pairs_hook=reject_duplicate_keys, parse_float=_reject_float, parse_constant=_reject_constant)
    except PlanFileError:
        raise
    except CodecError as exc:  # a key twice in one object
        raise PlanFileError(str(exc)) from None
    except (ValueError, RecursionError) as exc:
        raise PlanFileError(f"not JSON: {exc}") from None

