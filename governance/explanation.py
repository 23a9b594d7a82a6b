"""Per-company explanations of an allocation plan, for reviewers (not covered by the plan hash).

The engine writes one ``CompanyExplanation`` per input company: the history it used, the method,
the demand before scaling, and what each vintage gave after scaling, split into the free part
(the company's plan line) and the auctioned part (the vintage's auction pool). A plan file carries
them next to the hashed header and lines; ``ets plan explain`` prints one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import PlanFileError

__all__ = ["EXPLANATION_METHODS", "VintageShare", "CompanyExplanation"]

EXPLANATION_METHODS = ("GF", "BM", "none")  # "none": not allocated by this plan


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class VintageShare:
    """One company's share of one vintage: allocated = free (its line) + auctioned (auction pool)."""

    vintage: str
    allocated: int
    free: int
    auctioned: int

    def __post_init__(self) -> None:
        if not all(_is_int(n) and n >= 0 for n in (self.allocated, self.free, self.auctioned)):
            raise PlanFileError(f"{self.vintage}: a company's shares must be whole tonnes ≥ 0")
        if self.free + self.auctioned != self.allocated:
            raise PlanFileError(f"{self.vintage}: free + auctioned must equal allocated")

    def to_dict(self) -> dict[str, Any]:
        return {"vintage": self.vintage, "allocated": self.allocated, "free": self.free, "auctioned": self.auctioned}


@dataclass(frozen=True, slots=True)
class CompanyExplanation:
    """How one company's lines came about, for reviewers (not covered by the plan hash).

    method is "GF", "BM" or "none" (not allocated by this plan); ``basis`` says in one sentence
    how the demand was computed or why there is none; ``history_used`` lists the base-year
    emissions averaged; ``demand`` is tonnes per vintage before scaling; ``shares`` what each
    vintage gave after scaling; ``warnings`` the data problems met (the header only counts them)."""

    company_id: str
    sector: str
    industry: str
    method: str
    basis: str
    history_used: tuple[tuple[int, int], ...]
    missing_base_years: tuple[int, ...]
    demand: int
    auction_share_bp: int
    shares: tuple[VintageShare, ...]
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.method not in EXPLANATION_METHODS:
            raise PlanFileError(f"explanation of {self.company_id!r}: method must be one of {EXPLANATION_METHODS}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "company_id": self.company_id,
            "sector": self.sector,
            "industry": self.industry,
            "method": self.method,
            "basis": self.basis,
            "history_used": {str(y): t for y, t in self.history_used},
            "missing_base_years": list(self.missing_base_years),
            "demand": self.demand,
            "auction_share_bp": self.auction_share_bp,
            "shares": [s.to_dict() for s in self.shares],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: Any) -> "CompanyExplanation":
        try:
            return cls(
                company_id=data["company_id"], sector=data["sector"], industry=data["industry"],
                method=data["method"], basis=data["basis"],
                history_used=tuple((int(y), t) for y, t in data["history_used"].items()),
                missing_base_years=tuple(data["missing_base_years"]), demand=data["demand"],
                auction_share_bp=data["auction_share_bp"],
                shares=tuple(VintageShare(**s) for s in data["shares"]),
                warnings=tuple(data["warnings"]),
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise PlanFileError(f"an explanation entry is malformed ({exc}): {str(data)[:200]}") from None
