"""Shared display pieces of the pages: number formats, labels, read-only tables (no chain access)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

__all__ = ["short", "tonnes", "krw", "kg_to_t_text", "table", "phase_text", "plan_label", "year_input"]

_PHASES = {"closed": "closed", "opening_call": "opening call auction", "continuous": "continuous trading",
           "closing_call": "closing call auction"}
_PLAN_STATUS = {"uploading": "uploading", "sealed": "awaiting approval", "issued": "issued", "rejected": "rejected"}


def short(value: str | None, n: int = 12) -> str:
    return "" if not value else (value if len(value) <= n else value[:n] + "…")


def tonnes(value: int) -> str:
    return f"{int(value):,} t"


def krw(value: int) -> str:
    return f"{int(value):,} KRW"


def kg_to_t_text(kg: int) -> str:
    """Kilograms as tonnes with three decimals (exact: 1 t = 1,000 kg)."""
    kg = int(kg)
    return f"{kg // 1000:,}.{kg % 1000:03d} t"


def table(df: pd.DataFrame, **kwargs: Any) -> None:
    """A read-only table (a searchable, sortable grid)."""
    st.dataframe(df, hide_index=True, width="stretch", **kwargs)


def phase_text(phase: str | None) -> str:
    """The market session phase in words."""
    return _PHASES.get(phase or "", "reported once the market has its first order")


def plan_label(row: pd.Series) -> str:
    """One line naming a plan in a select box: hash, kind, status, opening block."""
    kind = f" · {row['kind']}" if row["kind"] else ""
    return (f"{row['plan_hash'][:12]}…{kind} · {_PLAN_STATUS.get(row['status'], row['status'])} · opened at block "
            f"{row['opened_height']}")


def year_input(key: str, default: int = 2024) -> int:
    """The compliance year a page shows (2015-2030: the phases the chain knows)."""
    return int(st.number_input("Compliance year", min_value=2015, max_value=2030, value=default, step=1, key=key))
