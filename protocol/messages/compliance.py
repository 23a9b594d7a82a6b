"""The compliance cycle: annual reports, verification statements, certification, surrender, borrowing,
banking, offsets, deadlines and objections.

Companies send ``emissions_report``, ``surrender``, ``borrow``, ``bank`` and ``objection``; the
assigned verification body sends ``verification_statement``; the government's acts are governed
actions (m-of-n): ``assign_verifiers``, ``certify_emissions``, ``set_compliance_deadline``,
``issue_offsets``, ``convert_offsets``, ``decide_objection``. Stateless checks only (here); the
limits against state are the chain's (``abci_app/modules/compliance``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..compliance import FIRST_YEAR, LAST_YEAR
from ..constants import (
    MAX_AMOUNT, MAX_BATCH_COMPANIES, MAX_FINDINGS, MAX_NAME, MAX_OTHER_SOURCES, MAX_REASON, MAX_SEALED_READERS,
    MAX_STATEMENT_BYTES, MAX_ID,
)
from ._base import _address, _amount, _count, _fields, _hex64, _instrument, _invalid, _text, action, message, Wire

__all__ = [
    "OtherSource", "EmissionsReport", "VerificationStatement", "Surrender", "Borrow", "Bank", "Objection",
    "AssignVerifiers", "CertifyEmissions", "SetComplianceDeadline", "IssueOffsets", "ConvertOffsets", "DecideObjection",
    "OPINIONS", "OBJECTION_KINDS", "DECISIONS",
]

OPINIONS = ("unmodified", "modified", "adverse")  # the verifier's opinion on the report
OBJECTION_KINDS = ("allocation", "certification")
DECISIONS = ("upheld", "dismissed")
_MAX_TIME = 2**40  # unix seconds: far beyond 2030, inside int64
_MAX_SOURCE_TEXT = 100


def _year(kind: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not FIRST_YEAR <= value <= LAST_YEAR:
        raise _invalid(f"{kind}.year must be a compliance year from {FIRST_YEAR} to {LAST_YEAR}")
    return value


def _tonnes(kind: str, field: str, value: object, low: int = 0) -> int:
    return _count(kind, field, value, MAX_AMOUNT, low)


def _list(kind: str, field: str, value: object, high: int, low: int = 1) -> list:
    if not isinstance(value, list) or not low <= len(value) <= high:
        raise _invalid(f"{kind}.{field} must be a list of {low} to {high:,} entries")
    return value


def _prefixed(kind: str, value: object, prefix: str) -> str:
    instrument = _instrument(kind, value)
    if not instrument.startswith(prefix):
        raise _invalid(f"{kind}.instrument must be a {prefix} vintage such as {prefix}25")
    return instrument


@dataclass(frozen=True, slots=True)
class OtherSource(Wire):
    """An emission source the sites' meters do not cover: what, how it was estimated, tonnes, evidence hash."""

    source: str
    method: str
    quantity: int
    evidence: str

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "method": self.method, "quantity": self.quantity, "evidence": self.evidence}

    @classmethod
    def from_json(cls, obj: Any, kind: str) -> "OtherSource":
        if not isinstance(obj, dict):
            raise _invalid(f"{kind} must be an object with source, method, quantity, evidence")
        _fields(obj, kind, ("source", "method", "quantity", "evidence"))
        return cls(_text(kind, "source", obj["source"], _MAX_SOURCE_TEXT), _text(kind, "method", obj["method"], _MAX_SOURCE_TEXT),
                   _tonnes(kind, "quantity", obj["quantity"]), _hex64(kind, "evidence", obj["evidence"]))


@message
@dataclass(frozen=True, slots=True)
class EmissionsReport(Wire):
    """A company's annual emissions report: the chain adds its sites' daily totals of the year; the
    company declares its other sources (each with method and evidence hash). Resending corrects it."""

    year: int
    other_sources: tuple[OtherSource, ...] = ()
    TYPE = "emissions_report"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "EmissionsReport":
        kind = cls.TYPE
        _fields(obj, kind, ("year", "other_sources"))
        raw = _list(kind, "other_sources", obj["other_sources"], MAX_OTHER_SOURCES, 0)
        sources = tuple(OtherSource.from_json(entry, f"{kind}.other_sources[{i}]") for i, entry in enumerate(raw))
        if len({s.source for s in sources}) != len(sources):
            raise _invalid(f"{kind}.other_sources: a source is declared twice")
        return cls(_year(kind, obj["year"]), sources)


def _sealed_document(kind: str, value: object) -> dict[str, Any]:
    hex_chars = set("0123456789abcdef")
    if not isinstance(value, dict) or set(value) != {"ct", "nonce", "keys"}:
        raise _invalid(f"{kind}.sealed_document must be {{ct, nonce, keys}} (protocol.sealed.seal_document)")
    ct, nonce, keys = value["ct"], value["nonce"], value["keys"]
    if not isinstance(ct, str) or not 32 <= len(ct) <= 2 * (MAX_STATEMENT_BYTES + 16) or not set(ct) <= hex_chars:
        raise _invalid(f"{kind}.sealed_document.ct must be lowercase hex of a document of at most {MAX_STATEMENT_BYTES:,} bytes")
    if not isinstance(nonce, str) or len(nonce) != 24 or not set(nonce) <= hex_chars:
        raise _invalid(f"{kind}.sealed_document.nonce must be 24 lowercase hex characters")
    if not isinstance(keys, dict) or not 2 <= len(keys) <= MAX_SEALED_READERS:
        raise _invalid(f"{kind}.sealed_document.keys must map 2 to {MAX_SEALED_READERS} reader addresses to wrapped keys")
    for reader, entry in keys.items():
        _address(kind, "sealed_document reader", reader)
        if not isinstance(entry, dict) or set(entry) != {"epk", "nonce", "ct"} or not all(
                isinstance(v, str) and 0 < len(v) <= 256 and set(v) <= hex_chars for v in entry.values()):
            raise _invalid(f"{kind}.sealed_document.keys[{reader}] must be {{epk, nonce, ct}} in lowercase hex")
    return value


@message
@dataclass(frozen=True, slots=True)
class VerificationStatement(Wire):
    """The assigned verification body's statement on a company's report: verified tonnes, opinion,
    number of findings; the statement document sealed to the company and the regulator, its hash public."""

    company: str
    year: int
    verified: int
    opinion: str
    findings: int
    document_hash: str
    sealed_document: dict[str, Any]
    TYPE = "verification_statement"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "VerificationStatement":
        kind = cls.TYPE
        _fields(obj, kind, ("company", "year", "verified", "opinion", "findings", "document_hash", "sealed_document"))
        if obj["opinion"] not in OPINIONS:
            raise _invalid(f"{kind}.opinion must be one of {', '.join(OPINIONS)}")
        return cls(_address(kind, "company", obj["company"]), _year(kind, obj["year"]), _tonnes(kind, "verified", obj["verified"]),
                   obj["opinion"], _count(kind, "findings", obj["findings"], MAX_FINDINGS),
                   _hex64(kind, "document_hash", obj["document_hash"]), _sealed_document(kind, obj["sealed_document"]))


@message
@dataclass(frozen=True, slots=True)
class Surrender(Wire):
    """Surrender (cancel) allowances against a year's certified emissions: KAU of the year's vintage, or KCU."""

    year: int
    instrument: str
    amount: int
    TYPE = "surrender"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Surrender":
        kind = cls.TYPE
        _fields(obj, kind, ("year", "instrument", "amount"))
        instrument = _instrument(kind, obj["instrument"])
        if instrument.startswith("KOC"):
            raise _invalid(f"{kind}.instrument: KOC cannot be surrendered; it must be converted to KCU first")
        return cls(_year(kind, obj["year"]), instrument, _amount(kind, obj["amount"]))


@message
@dataclass(frozen=True, slots=True)
class Borrow(Wire):
    """Borrow KAU of the next vintage (same phase) for a year's obligation, within the borrowing limit."""

    year: int
    amount: int
    TYPE = "borrow"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Borrow":
        _fields(obj, cls.TYPE, ("year", "amount"))
        return cls(_year(cls.TYPE, obj["year"]), _amount(cls.TYPE, obj["amount"]))


@message
@dataclass(frozen=True, slots=True)
class Bank(Wire):
    """Carry surplus KAU of a year's vintage into the next vintage, within the banking limit."""

    year: int
    amount: int
    TYPE = "bank"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Bank":
        _fields(obj, cls.TYPE, ("year", "amount"))
        return cls(_year(cls.TYPE, obj["year"]), _amount(cls.TYPE, obj["amount"]))


@message
@dataclass(frozen=True, slots=True)
class Objection(Wire):
    """A company objects to its allocation (by the plan whose e-orders allocated it) or to its certified
    emissions of a year, within the window after the e-order or the certification."""

    kind: str
    year: int
    reason: str
    evidence: str
    requested: int | None = None  # the figure the company asks for (tonnes), if any
    plan_hash: str | None = None  # an allocation objection names the plan
    TYPE = "objection"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "Objection":
        kind = cls.TYPE
        _fields(obj, kind, ("kind", "year", "reason", "evidence"), ("requested", "plan_hash"))
        if obj["kind"] not in OBJECTION_KINDS:
            raise _invalid(f"{kind}.kind must be one of {', '.join(OBJECTION_KINDS)}")
        plan_hash = obj.get("plan_hash")
        if (obj["kind"] == "allocation") != (plan_hash is not None):
            raise _invalid(f"{kind}.plan_hash is required for an allocation objection and only for one")
        requested = obj.get("requested")
        return cls(obj["kind"], _year(kind, obj["year"]), _text(kind, "reason", obj["reason"], MAX_REASON),
                   _hex64(kind, "evidence", obj["evidence"]), None if requested is None else _tonnes(kind, "requested", requested),
                   None if plan_hash is None else _hex64(kind, "plan_hash", plan_hash))


# ---------------------------------------------------------------- governed actions


@action
@dataclass(frozen=True, slots=True)
class AssignVerifiers(Wire):
    """Governed action: assign an accredited verification body to each listed company for a year."""

    year: int
    assignments: tuple[tuple[str, str], ...]  # (company, verifier)
    TYPE = "assign_verifiers"

    def to_json(self) -> dict[str, Any]:
        return {"type": self.TYPE, "year": self.year, "assignments": [list(a) for a in self.assignments]}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "AssignVerifiers":
        kind = cls.TYPE
        _fields(obj, kind, ("year", "assignments"))
        out = []
        for i, entry in enumerate(_list(kind, "assignments", obj["assignments"], MAX_BATCH_COMPANIES)):
            if not isinstance(entry, list) or len(entry) != 2:
                raise _invalid(f"{kind}.assignments[{i}] must be [company, verifier]")
            out.append((_address(kind, f"assignments[{i}] company", entry[0]), _address(kind, f"assignments[{i}] verifier", entry[1])))
        if len({c for c, _ in out}) != len(out):
            raise _invalid(f"{kind}: a company appears twice")
        return cls(_year(kind, obj["year"]), tuple(out))


@action
@dataclass(frozen=True, slots=True)
class CertifyEmissions(Wire):
    """Governed action: certify companies' emissions of a year (the figure that must be surrendered).
    A company already certified is re-certified: the earlier figure stays in its history."""

    year: int
    entries: tuple[tuple[str, int], ...]  # (company, certified tonnes)
    reason: str
    TYPE = "certify_emissions"

    def to_json(self) -> dict[str, Any]:
        return {"type": self.TYPE, "year": self.year, "entries": [list(e) for e in self.entries], "reason": self.reason}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "CertifyEmissions":
        kind = cls.TYPE
        _fields(obj, kind, ("year", "entries", "reason"))
        out = []
        for i, entry in enumerate(_list(kind, "entries", obj["entries"], MAX_BATCH_COMPANIES)):
            if not isinstance(entry, list) or len(entry) != 2:
                raise _invalid(f"{kind}.entries[{i}] must be [company, tonnes]")
            out.append((_address(kind, f"entries[{i}] company", entry[0]), _tonnes(f"{kind}.entries[{i}]", "tonnes", entry[1])))
        if len({c for c, _ in out}) != len(out):
            raise _invalid(f"{kind}: a company appears twice")
        return cls(_year(kind, obj["year"]), tuple(out), _text(kind, "reason", obj["reason"], MAX_REASON))


@action
@dataclass(frozen=True, slots=True)
class SetComplianceDeadline(Wire):
    """Governed action: the year's report and surrender deadlines (unix seconds, block time), by notice."""

    year: int
    report_due: int
    surrender_due: int
    TYPE = "set_compliance_deadline"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "SetComplianceDeadline":
        kind = cls.TYPE
        _fields(obj, kind, ("year", "report_due", "surrender_due"))
        report_due = _count(kind, "report_due", obj["report_due"], _MAX_TIME, 1)
        surrender_due = _count(kind, "surrender_due", obj["surrender_due"], _MAX_TIME, 1)
        if surrender_due < report_due:
            raise _invalid(f"{kind}.surrender_due must not be before report_due")
        return cls(_year(kind, obj["year"]), report_due, surrender_due)


@action
@dataclass(frozen=True, slots=True)
class IssueOffsets(Wire):
    """Governed action: issue KOC (external offset credits) of a certified reduction project to a company."""

    to: str
    instrument: str
    amount: int
    project: str
    evidence: str
    TYPE = "issue_offsets"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "IssueOffsets":
        kind = cls.TYPE
        _fields(obj, kind, ("to", "instrument", "amount", "project", "evidence"))
        return cls(_address(kind, "to", obj["to"]), _prefixed(kind, obj["instrument"], "KOC"), _amount(kind, obj["amount"]),
                   _text(kind, "project", obj["project"], MAX_NAME), _hex64(kind, "evidence", obj["evidence"]))


@action
@dataclass(frozen=True, slots=True)
class ConvertOffsets(Wire):
    """Governed action: convert a holder's KOC into KCU of the same vintage, one for one."""

    holder: str
    instrument: str
    amount: int
    TYPE = "convert_offsets"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "ConvertOffsets":
        kind = cls.TYPE
        _fields(obj, kind, ("holder", "instrument", "amount"))
        return cls(_address(kind, "holder", obj["holder"]), _prefixed(kind, obj["instrument"], "KOC"), _amount(kind, obj["amount"]))


@action
@dataclass(frozen=True, slots=True)
class DecideObjection(Wire):
    """Governed action: decide an objection. Upheld: ``quantity`` is the new certified figure (certification)
    or the allocation adjustment in tonnes, positive a true-up, negative a clawback (allocation)."""

    objection_id: int
    decision: str
    reason: str
    quantity: int | None = None
    TYPE = "decide_objection"

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "DecideObjection":
        kind = cls.TYPE
        _fields(obj, kind, ("objection_id", "decision", "reason"), ("quantity",))
        if obj["decision"] not in DECISIONS:
            raise _invalid(f"{kind}.decision must be one of {', '.join(DECISIONS)}")
        quantity = obj.get("quantity")
        if quantity is not None and (not isinstance(quantity, int) or isinstance(quantity, bool) or not -MAX_AMOUNT <= quantity <= MAX_AMOUNT):
            raise _invalid(f"{kind}.quantity must be a whole number of tonnes between -{MAX_AMOUNT:,} and {MAX_AMOUNT:,}")
        if obj["decision"] == "upheld" and quantity is None:
            raise _invalid(f"{kind}: an upheld objection needs quantity (the new figure or the adjustment)")
        if obj["decision"] == "dismissed" and quantity is not None:
            raise _invalid(f"{kind}: a dismissed objection changes nothing; leave quantity out")
        return cls(_count(kind, "objection_id", obj["objection_id"], MAX_ID, 1), obj["decision"],
                   _text(kind, "reason", obj["reason"], MAX_REASON), quantity)
