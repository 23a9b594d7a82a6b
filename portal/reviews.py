"""Plan review files: what the allocation engine wrote beside a plan, for the officials who review it.

The engine writes a plan file (``governance.plan``: canonical JSON with ``format``, ``header``,
``lines``, ``plan_hash`` and optional ``explanations``). The explanations are not covered by the
plan hash and never go on chain; they say, per company, which base-year emissions were used
(``history_used``: {year: tonnes}), the method (GF / BM / none) and the demand. The portal finds
the file for a plan in the folder ``ETS_PORTAL_PLANS`` by its ``plan_hash`` (files named
``<plan hash>*.json`` are tried first, then every ``*.json`` in the folder) and shows each
company's allocation next to that history. The file is read as plain JSON: a file whose
``plan_hash`` does not match is ignored, and nothing in it is trusted for what goes on chain.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["PlanReview", "ReviewFileError", "find_review", "read_review", "folder_stamp", "MAX_REVIEW_BYTES"]

MAX_REVIEW_BYTES = 256 * 1024 * 1024


class ReviewFileError(ValueError):
    """A review file that matches the plan but cannot be read; the message names the file and the entry."""


@dataclass(frozen=True)
class PlanReview:
    """The reviewers' view of one plan: per-company history and method, from the engine's file."""

    plan_hash: str
    source: str
    history: pd.DataFrame  # company_id, year, tonnes
    companies: pd.DataFrame  # company_id, sector, industry, method, basis, demand, base_years, base_average

    def history_wide(self) -> pd.DataFrame:
        """One row per company, one column per base year (tonnes)."""
        if self.history.empty:
            return pd.DataFrame(columns=["company_id"])
        wide = self.history.pivot_table(index="company_id", columns="year", values="tonnes", aggfunc="sum")
        wide.columns = [f"emissions {y}" for y in wide.columns]
        return wide.reset_index()


def folder_stamp(folder: str | os.PathLike[str]) -> tuple:
    """Names, sizes and modification times of the folder's JSON files (a cache key)."""
    out = []
    for path in sorted(Path(folder).glob("*.json")):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def _int(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ReviewFileError(f"{where} must be a whole number of tonnes, got {value!r}")
    return value


def read_review(data: dict[str, Any], source: str) -> PlanReview:
    """Build the review from a plan file's JSON object (its ``explanations``)."""
    plan_hash = data.get("plan_hash")
    entries = data.get("explanations") or []
    if not isinstance(entries, list):
        raise ReviewFileError(f"{source}: explanations must be a list of per-company entries")
    history, companies = [], []
    for i, e in enumerate(entries):
        where = f"{source}: explanations[{i}]"
        if not isinstance(e, dict) or not isinstance(e.get("company_id"), str):
            raise ReviewFileError(f"{where} must be an object with a company_id")
        used = e.get("history_used") or {}
        if not isinstance(used, dict):
            raise ReviewFileError(f"{where}.history_used must be an object {{year: tonnes}}")
        years = []
        for year, tonnes in sorted(used.items()):
            years.append(_int(tonnes, f"{where}.history_used[{year}]"))
            history.append({"company_id": e["company_id"], "year": str(year), "tonnes": tonnes})
        companies.append({
            "company_id": e["company_id"], "sector": e.get("sector", ""), "industry": e.get("industry", ""),
            "method": e.get("method", ""), "basis": e.get("basis", ""), "demand": e.get("demand"),
            "base_years": len(years), "base_average": (sum(years) // len(years)) if years else None,
        })
    return PlanReview(
        plan_hash=str(plan_hash), source=source,
        history=pd.DataFrame(history, columns=["company_id", "year", "tonnes"]),
        companies=pd.DataFrame(companies, columns=["company_id", "sector", "industry", "method", "basis", "demand",
                                                   "base_years", "base_average"]),
    )


def _load(path: Path) -> dict[str, Any] | None:
    try:
        if path.stat().st_size > MAX_REVIEW_BYTES:
            return None
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def find_review(folder: str | os.PathLike[str], plan_hash: str) -> PlanReview | None:
    """The review for ``plan_hash`` from a JSON file in ``folder`` whose ``plan_hash`` matches, or None."""
    root = Path(folder)
    if not root.is_dir():
        return None
    named = sorted(root.glob(f"{plan_hash}*.json"))
    others = [p for p in sorted(root.glob("*.json")) if p not in named]
    for path in named + others:
        data = _load(path)
        if data is not None and data.get("plan_hash") == plan_hash:
            return read_review(data, path.name)
    return None
