"""State keys of MRV: each device's daily totals, a company's index of them, monthly sums per company and sector."""

from __future__ import annotations

from protocol.state_keys import daily_total  # a key clients prove: part of the wire contract

__all__ = [
    "PREFIXES", "MONTHS", "daily_total", "company_report", "company_reports_from", "company_report_in", "month",
    "months_of", "month_in",
]

PREFIXES = ("em/", "emc/", "agg/c/", "agg/s/")

MONTHS = {"company": "agg/c/", "sector": "agg/s/"}  # monthly sums (kg), by company or by sector


def company_report(company: str, day: str, device: str) -> str:
    """Index entry of a company's daily record (value b"1")."""
    return f"emc/{company}/{day}/{device}"


def company_reports_from(company: str, day: str) -> str:
    """Where a company's index entries for ``day`` begin (a scan bound)."""
    return f"emc/{company}/{day}"


def company_report_in(key: str) -> tuple[str, str]:
    """(day, device) of a company's index entry."""
    _, _, day, device = key.split("/")
    return day, device


def month(by: str, who: str, yyyy_mm: str) -> str:
    """The monthly sums of a company or a sector (``by`` = "company" | "sector")."""
    return f"{MONTHS[by]}{who}/{yyyy_mm}"


def months_of(by: str, who: str) -> str:
    return f"{MONTHS[by]}{who}/"


def month_in(key: str) -> tuple[str, str]:
    """(company or sector, month) of a monthly key."""
    _, _, who, yyyy_mm = key.split("/", 3)
    return who, yyyy_mm
