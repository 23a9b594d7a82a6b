"""The compliance cycle's arithmetic: phases, vintages and the limits of surrender, borrowing, banking, penalty.

Pure integer functions shared by the chain (``abci_app/modules/compliance``) and its clients (the CLI
and the portal show the same limits the chain enforces). Shares are basis points (1 bps = 0.01%)
and every division rounds down, so a limit is never exceeded by rounding.

    PHASES                          (phase, first year, last year): 1 2015-17, 2 2018-20, 3 2021-25, 4 2026-30
    phase_of(year)                  the phase a compliance year belongs to (None outside 2015-2030)
    vintage(kind, year)             "KAU", 2025 → "KAU25"
    vintage_year(instrument)        "KAU25" → 2025
    share_of(total, bps)            floor(total × bps / 10,000)
    offset_cap(obligation, bps)     KCU tonnes a company may surrender for a year (5% of the obligation)
    next_borrow_limit_bps(...)      the borrowing limit of a year from the previous year's limit and share borrowed
    penalty_per_tonne(avg, m, cap)  min(m × the year's average market price, cap) KRW per tonne
    kg_to_tonnes(kg)                whole tonnes, half a tonne rounded up
"""

from __future__ import annotations

from datetime import date

__all__ = [
    "PHASES", "FIRST_YEAR", "LAST_YEAR", "BPS", "phase_of", "same_phase", "first_year_of_phase", "vintage",
    "vintage_year", "share_of", "offset_cap", "next_borrow_limit_bps", "penalty_per_tonne", "kg_to_tonnes",
    "month_end", "kst_midnight", "STATUS_CODES",
]

PHASES = ((1, 2015, 2017), (2, 2018, 2020), (3, 2021, 2025), (4, 2026, 2030))
FIRST_YEAR, LAST_YEAR = PHASES[0][1], PHASES[-1][2]
BPS = 10_000

# The public compliance table's status codes (EUTL practice, adapted).
STATUS_CODES = {
    "open": "the year's surrender deadline has not passed",
    "A": "surrendered at least the certified emissions by the deadline",
    "B": "surrendered less than the certified emissions by the deadline: penalised, obligation carried over, "
         "account blocked for transfers out until made good",
    "C": "no certified emissions for the year at the deadline",
    "D": "was B; the shortfall has since been surrendered (made good late)",
}


def phase_of(year: int) -> int | None:
    for phase, first, last in PHASES:
        if first <= year <= last:
            return phase
    return None


def same_phase(a: int, b: int) -> bool:
    return phase_of(a) is not None and phase_of(a) == phase_of(b)


def first_year_of_phase(year: int) -> bool:
    return any(first == year for _, first, _ in PHASES)


def vintage(kind: str, year: int) -> str:
    return f"{kind}{year % 100:02d}"


def vintage_year(instrument: str) -> int:
    return 2000 + int(instrument[3:5])


def share_of(total: int, bps: int) -> int:
    return total * bps // BPS


def offset_cap(obligation: int, cap_bps: int) -> int:
    """KCU tonnes that may count towards an obligation (Phases 1-2: 10%, later 5%: a parameter)."""
    return share_of(obligation, cap_bps)


def next_borrow_limit_bps(previous_limit_bps: int, previous_borrowed: int, previous_obligation: int) -> int:
    """The later-year limit: the previous limit minus half of the share actually borrowed the year before."""
    share = previous_borrowed * BPS // previous_obligation if previous_obligation > 0 else 0
    return max(0, previous_limit_bps - share // 2)


def penalty_per_tonne(average_price: int, multiple: int, cap: int) -> int:
    """KRW per tonne of shortfall: up to ``multiple`` × the year's average market price, capped."""
    return min(max(0, average_price) * multiple, cap)


def kg_to_tonnes(kg: int) -> int:
    return (kg + 500) // 1000


def month_end(year: int, month: int) -> tuple[int, int, int]:
    """The day after the last day of ``month`` of ``year`` (the first of the next month), as (y, m, d)."""
    return (year + 1, 1, 1) if month == 12 else (year, month + 1, 1)


def kst_midnight(year: int, month: int, day: int) -> int:
    """Unix time of 00:00 KST on that calendar day (integer arithmetic, no clock)."""
    days = date(year, month, day).toordinal() - date(1970, 1, 1).toordinal()
    return days * 86_400 - 9 * 3600
