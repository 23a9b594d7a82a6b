"""Allocation parameters (할당 계획의 정책 변수): the policy choices an allocation plan applies.

``AllocationParameters`` is a frozen dataclass validated on construction; every field's default
is the value DOMAIN.md gives, and fields without a public default (the cap, the base years) are
required. Decimal policy numbers are integers in basis points (1 bp = 0.01 %, so 1000 = 10 %).
The same dictionary shape is read from a TOML file (``load_parameters``), written into every
plan header (``to_dict``) and read back from a plan file (``from_dict``); see
``governance/params.example.toml`` for a documented example.

Sector keys: the method and the auctioned share are chosen per *sector key*, which is matched
against a company's industry (업종) first and then its sector (부문); a company matching neither
gets ``default_method`` and ``auction_share_bp``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from protocol.plan_format import MAX_COMPANY_ID_CHARS

from .errors import ParametersError

__all__ = [
    "AllocationParameters",
    "Reserve",
    "RESERVE_NAMES",
    "METHODS",
    "BP_SCALE",
    "MAX_CAP",
    "PHASE4_VINTAGES",
    "PHASE4_MSR_PER_VINTAGE",
    "vintage_name",
    "load_parameters",
]

BP_SCALE = 10_000  # basis points in 100 %
MAX_CAP = 10**15  # tonnes; the chain's limit on any total supply
METHODS = ("GF", "BM")  # grandfathering, benchmark
RESERVE_NAMES = ("market_stabilisation", "market_maker", "new_entrant")
PHASE4_VINTAGES = (2026, 2027, 2028, 2029, 2030)
PHASE4_MSR_PER_VINTAGE = 85_280_000 // len(PHASE4_VINTAGES)  # K-MSR ≈ 85.28 Mt over Phase 4's five years
_FIRST_VINTAGE, _LAST_VINTAGE = 2000, 2099  # instrument names carry two digits: KAU00 … KAU99


def vintage_name(year: int) -> str:
    """The chain instrument of a vintage year: 2026 → ``KAU26``."""
    if not _FIRST_VINTAGE <= year <= _LAST_VINTAGE:
        raise ParametersError(f"vintage {year} cannot be named KAU + two digits: use a year from 2000 to 2099")
    return f"KAU{year % 100:02d}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(where: str, value: object, low: int, high: int, unit: str = "") -> int:
    if not _is_int(value) or not low <= value <= high:  # type: ignore[operator]
        hint = " (no decimals: use basis points, 1000 = 10 %)" if isinstance(value, float) else ""
        raise ParametersError(f"{where} must be a whole number from {low:,} to {high:,}{unit}, got {value!r}{hint}")
    return value  # type: ignore[return-value]


def _year(where: str, value: object) -> int:
    return _int(where, value, 1990, _LAST_VINTAGE)


def _pairs(where: str, value: Mapping[Any, Any] | Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    if isinstance(value, Mapping):
        return list(value.items())
    try:
        return [tuple(p) for p in value]  # type: ignore[misc]
    except TypeError:
        raise ParametersError(f"{where} must be a table (mapping), got {value!r}") from None


@dataclass(frozen=True, slots=True)
class Reserve:
    """Allowances held back from each vintage's cap: a fixed number of tonnes per vintage, or
    basis points of that vintage's cap (rounded down to whole tonnes). Give one or neither."""

    tonnes: int = 0
    bp_of_cap: int = 0

    def __post_init__(self) -> None:
        _int("reserve tonnes", self.tonnes, 0, MAX_CAP, " t")
        _int("reserve bp_of_cap", self.bp_of_cap, 0, BP_SCALE, " bp")
        if self.tonnes and self.bp_of_cap:
            raise ParametersError("a reserve is either tonnes per vintage or bp_of_cap, not both")

    def amount(self, cap: int) -> int:
        """Tonnes held back from a vintage whose cap is ``cap``."""
        return self.tonnes + cap * self.bp_of_cap // BP_SCALE

    def to_dict(self) -> dict[str, int]:
        return {"bp_of_cap": self.bp_of_cap} if self.bp_of_cap else {"tonnes": self.tonnes}

    @classmethod
    def from_dict(cls, where: str, value: object) -> "Reserve":
        if not isinstance(value, Mapping):
            raise ParametersError(f"{where} must be a table with `tonnes` or `bp_of_cap`, got {value!r}")
        unknown = sorted(set(value) - {"tonnes", "bp_of_cap"})
        if unknown:
            raise ParametersError(f"{where}: unknown key(s) {', '.join(unknown)}; use `tonnes` or `bp_of_cap`")
        try:
            return cls(tonnes=value.get("tonnes", 0), bp_of_cap=value.get("bp_of_cap", 0))
        except ParametersError as exc:
            raise ParametersError(f"{where}: {exc}") from None


@dataclass(frozen=True, slots=True)
class AllocationParameters:
    """The policy inputs of one allocation plan (defaults: DOMAIN.md "Allocation").

    cap                  required. Tonnes per vintage year ({2026: …}); exactly one entry per vintage,
                         each at most 10**15. No public default (set by the national allocation plan).
    base_years           required. Years whose emissions are averaged for grandfathering (Phase 1 used
                         2011-2013). A company with some base years missing is averaged over the years
                         it has; one with none gets nothing and is named in the plan's warnings.
    phase                compliance phase number; default 4 (2026-2030).
    vintages             vintage years allocated; default 2026-2030 (Phase 4). Named KAU + two digits.
    default_method       "GF" (grandfathering) or "BM" (benchmark) for sector keys not in ``methods``;
                         default "GF".
    methods              {sector key: "GF" | "BM"}; default empty. BM = activity × benchmark intensity;
                         a BM company without benchmark data is grandfathered and named in the warnings.
    auction_share_bp     share of an auctioned-group company's allocation that goes to the auction
                         pool instead of the company, in bp; default 1000 (Phase 3: at least 10 %).
    auction_share_bp_by_sector
                         {sector key: bp} overriding ``auction_share_bp`` (e.g. power up to 5000 by
                         2030); default empty. Trade-exposed companies are not in the auctioned group
                         (their ``auctioned`` flag is False) and stay 100 % free.
    market_stabilisation_reserve
                         K-MSR held back from each vintage; default 17,056,000 t per vintage
                         (Phase 4 K-MSR ≈ 85.28 Mt over five vintages).
    market_maker_reserve held back for market makers; default 0 (no public figure).
    new_entrant_reserve  held back for new entrants and additional allocation; default 0 (no public
                         figure). An "additional" plan allocates from this reserve only.
    """

    cap: tuple[tuple[int, int], ...]
    base_years: tuple[int, ...]
    phase: int = 4
    vintages: tuple[int, ...] = PHASE4_VINTAGES
    default_method: str = "GF"
    methods: tuple[tuple[str, str], ...] = ()
    auction_share_bp: int = 1000
    auction_share_bp_by_sector: tuple[tuple[str, int], ...] = ()
    market_stabilisation_reserve: Reserve = Reserve(tonnes=PHASE4_MSR_PER_VINTAGE)
    market_maker_reserve: Reserve = Reserve()
    new_entrant_reserve: Reserve = Reserve()

    def __post_init__(self) -> None:
        _int("phase", self.phase, 1, 99)
        vintages = [_year("a vintage", v) for v in self.vintages]
        for v in vintages:
            vintage_name(v)
        if not vintages or len(set(vintages)) != len(vintages):
            raise ParametersError(f"vintages must be a non-empty list of distinct years, got {list(self.vintages)!r}")
        object.__setattr__(self, "vintages", tuple(sorted(vintages)))

        cap: dict[int, int] = {}
        for year, tonnes in _pairs("cap", self.cap):
            year = _year("a cap year", year)
            if year in cap:
                raise ParametersError(f"cap for {year} is given twice")
            cap[year] = _int(f"cap for {year}", tonnes, 0, MAX_CAP, " t")
        if set(cap) != set(vintages):
            missing = sorted(set(vintages) - set(cap))
            extra = sorted(set(cap) - set(vintages))
            raise ParametersError(
                f"cap must give exactly one figure per vintage: missing {missing or 'none'}, not a vintage {extra or 'none'}"
            )
        object.__setattr__(self, "cap", tuple(sorted(cap.items())))

        base = [_year("a base year", y) for y in self.base_years]
        if not base or len(set(base)) != len(base):
            raise ParametersError(f"base_years must be a non-empty list of distinct years, got {list(self.base_years)!r}")
        object.__setattr__(self, "base_years", tuple(sorted(base)))

        if self.default_method not in METHODS:
            raise ParametersError(f"default_method must be one of {', '.join(METHODS)}, got {self.default_method!r}")
        methods: dict[str, str] = {}
        for key, method in _pairs("methods", self.methods):
            self._sector_key("methods", key, methods)
            if method not in METHODS:
                raise ParametersError(f"methods[{key!r}] must be one of {', '.join(METHODS)}, got {method!r}")
            methods[key] = method
        object.__setattr__(self, "methods", tuple(sorted(methods.items())))

        _int("auction_share_bp", self.auction_share_bp, 0, BP_SCALE, " bp")
        shares: dict[str, int] = {}
        for key, bp in _pairs("auction_share_bp_by_sector", self.auction_share_bp_by_sector):
            self._sector_key("auction_share_bp_by_sector", key, shares)
            shares[key] = _int(f"auction_share_bp_by_sector[{key!r}]", bp, 0, BP_SCALE, " bp")
        object.__setattr__(self, "auction_share_bp_by_sector", tuple(sorted(shares.items())))

        for name in RESERVE_NAMES:
            if not isinstance(getattr(self, f"{name}_reserve"), Reserve):
                raise ParametersError(f"{name}_reserve must be a Reserve")
        for year, tonnes in self.cap:
            held = sum(self.reserves(year).values())
            if held > tonnes:
                raise ParametersError(
                    f"reserves for {vintage_name(year)} ({held:,} t) exceed its cap ({tonnes:,} t): "
                    "lower a reserve or raise the cap"
                )

    @staticmethod
    def _sector_key(table: str, key: object, seen: Mapping[str, object]) -> None:
        if not isinstance(key, str) or not key.strip() or len(key) > MAX_COMPANY_ID_CHARS:
            raise ParametersError(f"{table}: sector key {key!r} must be non-empty text")
        if key in seen:
            raise ParametersError(f"{table}: sector key {key!r} is given twice")

    # ------------------------------------------------------------ lookups

    def cap_of(self, year: int) -> int:
        return dict(self.cap)[year]

    def reserves(self, year: int) -> dict[str, int]:
        """{reserve name: tonnes} held back from the vintage ``year``."""
        cap = dict(self.cap)[year]
        return {name: getattr(self, f"{name}_reserve").amount(cap) for name in RESERVE_NAMES}

    def method_for(self, sector: str, industry: str) -> str:
        """The allocation method of a company: its industry's, else its sector's, else the default."""
        methods = dict(self.methods)
        return methods.get(industry) or methods.get(sector) or self.default_method

    def auction_share_for(self, sector: str, industry: str) -> int:
        """The auctioned share (bp) applied to an auctioned-group company of this industry/sector."""
        shares = dict(self.auction_share_bp_by_sector)
        for key in (industry, sector):
            if key in shares:
                return shares[key]
        return self.auction_share_bp

    # ------------------------------------------------------------ (de)serialisation

    def to_dict(self) -> dict[str, Any]:
        """The parameters as a JSON/TOML-shaped dict (what the plan header records)."""
        return {
            "phase": self.phase,
            "vintages": list(self.vintages),
            "cap": {str(year): tonnes for year, tonnes in self.cap},
            "base_years": list(self.base_years),
            "default_method": self.default_method,
            "methods": dict(self.methods),
            "auction_share_bp": self.auction_share_bp,
            "auction_share_bp_by_sector": dict(self.auction_share_bp_by_sector),
            "reserves": {name: getattr(self, f"{name}_reserve").to_dict() for name in RESERVE_NAMES},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "parameters") -> "AllocationParameters":
        """Build parameters from the ``to_dict`` shape (a TOML file or a plan header)."""
        if not isinstance(data, Mapping):
            raise ParametersError(f"{source}: expected a table of parameters")
        allowed = {
            "phase", "vintages", "cap", "base_years", "default_method", "methods",
            "auction_share_bp", "auction_share_bp_by_sector", "reserves",
        }
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ParametersError(f"{source}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
        for key in ("cap", "base_years"):
            if key not in data:
                raise ParametersError(f"{source}: `{key}` is required (it has no public default)")
        kwargs: dict[str, Any] = {}
        try:
            cap = data["cap"]
            if not isinstance(cap, Mapping):
                raise ParametersError(f"cap must be a table of year = tonnes, got {cap!r}")
            kwargs["cap"] = tuple((_year_key("cap", k), v) for k, v in cap.items())
            for key in ("vintages", "base_years"):
                if key in data:
                    if not isinstance(data[key], list):
                        raise ParametersError(f"{key} must be a list of years, got {data[key]!r}")
                    kwargs[key] = tuple(data[key])
            for key in ("phase", "default_method", "auction_share_bp"):
                if key in data:
                    kwargs[key] = data[key]
            for key in ("methods", "auction_share_bp_by_sector"):
                if key in data:
                    if not isinstance(data[key], Mapping):
                        raise ParametersError(f"{key} must be a table of sector key = value, got {data[key]!r}")
                    kwargs[key] = tuple(data[key].items())
            reserves = data.get("reserves", {})
            if not isinstance(reserves, Mapping):
                raise ParametersError(f"reserves must be a table of {', '.join(RESERVE_NAMES)}")
            unknown = sorted(set(reserves) - set(RESERVE_NAMES))
            if unknown:
                raise ParametersError(f"unknown reserve(s) {', '.join(unknown)}; allowed: {', '.join(RESERVE_NAMES)}")
            for name in RESERVE_NAMES:
                if name in reserves:
                    kwargs[f"{name}_reserve"] = Reserve.from_dict(f"reserves.{name}", reserves[name])
            return cls(**kwargs)
        except ParametersError as exc:
            raise ParametersError(f"{source}: {exc}") from None


def _year_key(table: str, key: object) -> int:
    if _is_int(key):
        return key  # type: ignore[return-value]
    if isinstance(key, str) and key.isdigit() and len(key) == 4:
        return int(key)
    raise ParametersError(f"{table}: key {key!r} must be a four-digit year such as 2026")


def load_parameters(path: str | Path) -> AllocationParameters:
    """Read allocation parameters from a TOML file (see ``governance/params.example.toml``)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ParametersError(f"{path}: parameters file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ParametersError(f"{path}: not valid TOML: {exc}") from None
    return AllocationParameters.from_dict(data, source=str(path))
