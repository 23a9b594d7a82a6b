"""Company emissions (public under Korean law): daily records, monthly and yearly sums per company and sector.

The chain stores emissions in whole kilograms (``total_kg``); ``total_t`` is the same figure in
tonnes CO2 for display. Substituted readings are counted in ``substituted`` and must stay visible.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ets.rpc import ChainClient

from ._base import UNASSIGNED_SECTOR, company_info, frame, public, qs, query_list, to_kst

__all__ = ["PERIODS", "DAILY_COLUMNS", "TOTAL_COLUMNS", "emissions_daily", "emissions_monthly", "emissions_yearly",
           "emissions_by_company", "emissions_by_sector", "sector_totals", "latest_reports"]

PERIODS = ("day", "month", "year")
DAILY_COLUMNS = ["day", "company", "company_name", "company_id", "sector", "device", "site", "total_kg", "total_t",
                 "readings", "substituted", "substituted_share", "merkle_root", "height", "time"]
TOTAL_COLUMNS = ["total_kg", "total_t", "readings", "substituted", "reports", "substituted_share"]
_SUMS = ["total_kg", "readings", "substituted", "reports"]


def _share(substituted: pd.Series, readings: pd.Series) -> pd.Series:
    """Share of substituted readings (0..1); 0 where a record has no readings."""
    readings = readings.astype("int64")
    return (substituted.astype("int64") / readings.where(readings > 0)).fillna(0.0)


def _with_totals(df: pd.DataFrame) -> pd.DataFrame:
    for column in _SUMS:
        df[column] = df[column].astype("int64")
    df["total_t"] = df["total_kg"] / 1000.0
    df["substituted_share"] = _share(df["substituted"], df["readings"])
    return df


def _month_bounds(start: str | None, end: str | None, period: str) -> tuple[str | None, str | None]:
    """Month range (YYYY-MM) covering a day/month/year range."""
    if period == "year":
        return (f"{start}-01" if start else None, f"{end}-12" if end else None)
    return (start[:7] if start else None, end[:7] if end else None)


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")


@public
def emissions_daily(client: ChainClient, company: str | None = None, *, device: str | None = None,
                    start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Each device's daily records (total, readings, substituted, Merkle root), ``start``/``end`` as YYYY-MM-DD.

    With neither ``company`` nor ``device``, every company that has a registered device."""
    info = company_info(client)
    dates = {"from": start, "to": end}
    if device is not None and company is None:
        paths = [f"/emissions/daily{qs(device=device, **dates)}"]
    else:
        owners = [company] if company is not None else sorted(
            {r["company"] for r in query_list(client, "/accounts?role=edge_device") if r.get("company")})
        paths = [f"/emissions/daily{qs(company=c, device=device, **dates)}" for c in owners]
    rows = []
    for path in paths:
        for r in query_list(client, path):
            owner = info.get(r["company"], {})
            rows.append({**r, "company_name": owner.get("name"), "company_id": owner.get("company_id"),
                         "sector": owner.get("sector") or UNASSIGNED_SECTOR, "total_kg": r["total"]})
    df = frame([{c: r.get(c) for c in DAILY_COLUMNS} for r in rows], DAILY_COLUMNS)
    if df.empty:
        return df
    df["reports"] = 1
    df = _with_totals(df).drop(columns="reports")
    df["time"] = df["time"].map(to_kst)
    return df.sort_values(["day", "company_name", "device"], ignore_index=True)[DAILY_COLUMNS]


def _sums(rows: list[dict[str, Any]], key: str) -> pd.DataFrame:
    df = frame([{key: r[key], "total_kg": r["total"], "readings": r["readings"], "substituted": r["substituted"],
                 "reports": r["reports"]} for r in rows], [key, *_SUMS])
    return _with_totals(df)[[key, *TOTAL_COLUMNS]]


@public
def emissions_monthly(client: ChainClient, company: str | None = None, sector: str | None = None,
                      start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """One company's or one sector's monthly sums (give exactly one), ``start``/``end`` as YYYY-MM."""
    return _sums(query_list(client, f"/emissions/monthly{qs(company=company, sector=sector, **{'from': start, 'to': end})}"),
                 "month")


@public
def emissions_yearly(client: ChainClient, company: str | None = None, sector: str | None = None) -> pd.DataFrame:
    """One company's or one sector's yearly sums (give exactly one)."""
    return _sums(query_list(client, f"/emissions/yearly{qs(company=company, sector=sector)}"), "year")


def _company_of(row: dict[str, Any]) -> str:
    """The company of an /emissions/companies row (the chain currently names the key "companie")."""
    return row["company"] if "company" in row else row["companie"]


def _period_of(month: str, period: str) -> str:
    return month[:4] if period == "year" else month


def _monthly_rows(client: ChainClient, path: str, key: str, period: str, start: str | None,
                  end: str | None) -> pd.DataFrame:
    low, high = _month_bounds(start, end, period)
    rows = query_list(client, f"{path}{qs(**{'from': low, 'to': high})}")
    return frame([{"period": _period_of(r["month"], period), key: _company_of(r) if key == "company" else r[key],
                   "total_kg": r["total"], "readings": r["readings"], "substituted": r["substituted"],
                   "reports": r["reports"]} for r in rows], ["period", key, *_SUMS])


@public
def emissions_by_company(client: ChainClient, period: str = "month", start: str | None = None,
                         end: str | None = None) -> pd.DataFrame:
    """Every company's emissions per day, month or year (long form: one row per period and company).

    ``start``/``end`` are written like the period: YYYY-MM-DD, YYYY-MM or YYYY."""
    _check_period(period)
    columns = ["period", "company", "company_name", "company_id", "sector", *TOTAL_COLUMNS]
    if period == "day":
        daily = emissions_daily(client, start=start, end=end)
        if daily.empty:
            return pd.DataFrame(columns=columns)
        daily["reports"] = 1
        grouped = (daily.groupby(["day", "company"], as_index=False)
                   .agg(total_kg=("total_kg", "sum"), readings=("readings", "sum"),
                        substituted=("substituted", "sum"), reports=("reports", "sum"))
                   .rename(columns={"day": "period"}))
    else:
        grouped = _monthly_rows(client, "/emissions/companies", "company", period, start, end)
        grouped = grouped.groupby(["period", "company"], as_index=False).sum()
    if grouped.empty:
        return pd.DataFrame(columns=columns)
    info = company_info(client)
    grouped["company_name"] = grouped["company"].map(lambda a: info.get(a, {}).get("name"))
    grouped["company_id"] = grouped["company"].map(lambda a: info.get(a, {}).get("company_id"))
    grouped["sector"] = grouped["company"].map(lambda a: info.get(a, {}).get("sector") or UNASSIGNED_SECTOR)
    return _with_totals(grouped).sort_values(["period", "company_name"], ignore_index=True)[columns]


@public
def emissions_by_sector(client: ChainClient, period: str = "month", start: str | None = None,
                        end: str | None = None) -> pd.DataFrame:
    """Every sector's emissions per day, month or year (the chain's public sector statistics)."""
    _check_period(period)
    columns = ["period", "sector", *TOTAL_COLUMNS]
    if period == "day":
        base = emissions_by_company(client, "day", start, end)[["period", "sector", *_SUMS]]
    else:
        base = _monthly_rows(client, "/emissions/sectors", "sector", period, start, end)
    if base.empty:
        return pd.DataFrame(columns=columns)
    grouped = base.groupby(["period", "sector"], as_index=False).sum()
    return _with_totals(grouped).sort_values(["period", "sector"], ignore_index=True)[columns]


@public
def sector_totals(client: ChainClient, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Each sector's total over a month range (YYYY-MM), largest first."""
    by_month = emissions_by_sector(client, "month", start, end)
    if by_month.empty:
        return pd.DataFrame(columns=["sector", *TOTAL_COLUMNS])
    grouped = by_month.groupby("sector", as_index=False)[_SUMS].sum()
    return _with_totals(grouped).sort_values(["total_kg", "sector"], ascending=[False, True],
                                             ignore_index=True)[["sector", *TOTAL_COLUMNS]]


@public
def latest_reports(client: ChainClient) -> pd.DataFrame:
    """For each reporting company: the latest day reported and the block that recorded it."""
    last_month: dict[str, str] = {}
    for r in query_list(client, "/emissions/companies"):
        last_month[_company_of(r)] = max(last_month.get(_company_of(r), ""), r["month"])
    rows = []
    for company, month in sorted(last_month.items()):
        daily = emissions_daily(client, company, start=f"{month}-01", end=f"{month}-31")
        if daily.empty:
            continue
        last = daily.sort_values(["day", "height"]).iloc[-1]
        rows.append({"company": company, "company_name": last["company_name"], "latest_day": last["day"],
                     "height": int(daily["height"].max()), "time": daily["time"].max()})
    return frame(rows, ["company", "company_name", "latest_day", "height", "time"])
