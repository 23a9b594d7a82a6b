"""Shared display pieces of the pages: number formats, times, labels, read-only tables (no chain access).

Every format reads its words from the text catalogue (``portal.i18n``), so a page shows tonnes as
"1,234 t CO₂-eq", money as "1,234 KRW" (Korean: "1,234원"), block times in Korea Standard Time and
table columns under their catalogue names (``col.<column>`` keys in ``portal/text/columns.toml``).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from .data._base import to_kst
from .i18n import catalogue, t

__all__ = ["short", "number", "tonnes", "krw", "krw_per_t", "kg_to_t_text", "kst", "columns", "table", "phase_text",
           "plan_label", "year_input", "coded", "status_text", "proposal_status", "compliance_status", "PROPOSAL_STATUSES"]

_PHASES = ("closed", "opening_call", "continuous", "closing_call")
_PLAN_STATUS = ("uploading", "sealed", "issued", "rejected")
PROPOSAL_STATUSES = ("open", "executed", "rejected")  # a governed proposal's (catalogue: common.proposal_status.*)


def short(value: str | None, n: int = 12) -> str:
    return "" if not value else (value if len(value) <= n else value[:n] + "…")


def number(value: int) -> str:
    """A whole number with thousands separators."""
    return f"{int(value):,}"


def tonnes(value: int) -> str:
    """Tonnes of CO₂-equivalent (1 KAU = 1 t CO₂-eq)."""
    return t("common.unit_tonnes", value=number(value))


def krw(value: int) -> str:
    return t("common.unit_krw", value=number(value))


def krw_per_t(value: int) -> str:
    return t("common.unit_krw_per_t", value=number(value))


def kg_to_t_text(kg: int) -> str:
    """Kilograms as tonnes with three decimals (exact: 1 t = 1,000 kg)."""
    kg = int(kg)
    return t("common.unit_tonnes", value=f"{kg // 1000:,}.{kg % 1000:03d}")


def kst(when: Any, seconds: bool = False) -> str:
    """A block time (unix seconds, or a timestamp) in Korea Standard Time, e.g. "2025-02-01 13:00 KST"."""
    if when is None or (not isinstance(when, str) and pd.isna(when)):
        return ""
    stamp = when if isinstance(when, pd.Timestamp) else to_kst(when)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    stamp = stamp.tz_convert("Asia/Seoul")
    return t("common.kst_time", time=stamp.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"))


def columns(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each column that has a catalogue name (key ``col.<column>``) shown under that name."""
    names = catalogue()
    shown = {c: t(f"col.{c}") for c in df.columns if isinstance(c, str) and f"col.{c}" in names}
    taken = [shown.get(c, c) for c in df.columns]
    return df.rename(columns={c: name if taken.count(name) == 1 else f"{name} · {c}" for c, name in shown.items()})


def table(df: pd.DataFrame | list[dict[str, Any]], **kwargs: Any) -> None:
    """A read-only table (a searchable, sortable grid) with its columns under their catalogue names; a table
    without rows is a line in the visitor's language instead of an empty grid (whose placeholder is English)."""
    frame = df if isinstance(df, pd.DataFrame) else pd.DataFrame(df)
    if frame.empty:
        st.caption(t("common.no_rows"))
        return
    st.dataframe(columns(frame), hide_index=True, width="stretch", **kwargs)


def phase_text(phase: str | None) -> str:
    """The market session phase in words."""
    return t(f"common.phase.{phase}") if phase in _PHASES else t("common.phase.none")


def coded(prefix: str, code: str | None, known) -> str:
    """A code the chain uses (a status, a class, a period) named from the catalogue as ``prefix.code`` when it is
    one of ``known``; any other code as it is, and none as empty."""
    return t(f"{prefix}.{code}") if code in known else (code or "")


def status_text(status: str | None) -> str:
    """An allocation plan's status in words."""
    return coded("common.plan_status", status, _PLAN_STATUS)


def proposal_status(status: str | None) -> str:
    """A governed proposal's status in words."""
    return coded("common.proposal_status", status, PROPOSAL_STATUSES)


def compliance_status(code: str) -> str:
    """What a compliance table's status code (open, A-D) means."""
    return coded("compliance.status", code, ("open", "A", "B", "C", "D"))


def plan_label(row: pd.Series) -> str:
    """One line naming a plan in a select box: hash, kind, status, when it was opened."""
    kind = f" · {row['kind']}" if row["kind"] else ""
    opened = kst(row["opened_time"]) if "opened_time" in row and row["opened_time"] is not None else ""
    when = t("common.plan_opened", time=opened) if opened else t("common.plan_opened_block", height=row["opened_height"])
    return f"{row['plan_hash'][:12]}…{kind} · {status_text(row['status'])} · {when}"


def year_input(key: str, default: int | None = None) -> int:
    """The compliance year a page shows (2015-2030: the phases the chain knows). It opens on ``default``, else
    ``ETS_PORTAL_COMPLIANCE_YEAR``, else the last ended year in Korea: the year being verified and surrendered."""
    if default is None:
        default = compliance_year_default()
    return int(st.number_input(t("common.compliance_year"), min_value=2015, max_value=2030, value=default, step=1,
                               key=key))


def compliance_year_default(env: dict | None = None, today: date | None = None) -> int:
    """``ETS_PORTAL_COMPLIANCE_YEAR`` when it names a year from 2015 to 2030, else last year (KST), within 2015-2030."""
    text = (os.environ if env is None else env).get("ETS_PORTAL_COMPLIANCE_YEAR", "").strip()
    if text.isdigit() and 2015 <= int(text) <= 2030:
        return int(text)
    today = today or datetime.now(ZoneInfo("Asia/Seoul")).date()
    return min(max(today.year - 1, 2015), 2030)
