"""The portal's data layer: what the chain holds, as pandas DataFrames.

Every function is a pure function of a ``ets.rpc.ChainClient`` and its arguments: it reads
through ``abci_query`` (never a database file) and returns a DataFrame (or a small record),
so the pages cache them with ``st.cache_data(ttl=...)`` and notebooks call them directly::

    from ets.rpc import ChainClient
    from portal import queries
    client = ChainClient("http://127.0.0.1:26657")
    queries.emissions_by_sector(client, "month")

Units: the chain stores emissions in whole kilograms (``total_kg``); ``total_t`` is the same
figure in tonnes CO2 for display. Allowances are whole tonnes (KAU). Times are block times,
shown in Korea Standard Time. Everything here is public except ``balances``, which is a
signed query that only the holder or a government official may make.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pandas as pd

from protocol.calendar import KST_ZONE
from ets.keys import Signer
from ets.rpc import ChainClient, QueryError, parse_block_time

__all__ = [
    "KST",
    "PERIODS",
    "UNASSIGNED_SECTOR",
    "ChainStatus",
    "chain_status",
    "params",
    "accounts",
    "companies",
    "devices",
    "emissions_daily",
    "emissions_monthly",
    "emissions_yearly",
    "emissions_by_company",
    "emissions_by_sector",
    "sector_totals",
    "latest_reports",
    "plans",
    "plan_record",
    "plan_lines",
    "plan_sector_totals",
    "allocation_table",
    "plan_diff",
    "eorder",
    "eorders",
    "published_allocations",
    "allocations",
    "proposals",
    "proposal_votes",
    "open_plan_proposal",
    "plan_proposals",
    "balances",
    "to_kst",
]

KST = KST_ZONE
PERIODS = ("day", "month", "year")
UNASSIGNED_SECTOR = "unassigned"  # the chain's sector for companies registered without one
_PAGE = 5000  # the chain's row limit per query

ACCOUNT_COLUMNS = ["address", "role", "name", "company_id", "sector", "company", "site", "since"]
DAILY_COLUMNS = ["day", "company", "company_name", "company_id", "sector", "device", "site", "total_kg", "total_t",
                 "readings", "substituted", "substituted_share", "merkle_root", "height", "time"]
TOTAL_COLUMNS = ["total_kg", "total_t", "readings", "substituted", "reports", "substituted_share"]
PLAN_COLUMNS = ["plan_hash", "kind", "status", "lines", "received", "vintages", "proposer", "proposer_name",
                "opened_height", "opened_time", "sealed_height", "issued_height", "issued_time", "issued_proposal",
                "rejected_height"]
LINE_COLUMNS = ["company_id", "vintage", "amount", "address", "company_name", "sector", "registered"]
PROPOSAL_COLUMNS = ["proposal_id", "type", "status", "summary", "plan_hash", "proposer", "proposer_name", "approvals",
                    "rejections", "created_height", "created_time", "expires_time", "executed_height", "closed_height"]
VOTE_COLUMNS = ["proposal_id", "vote", "official", "official_name", "reason", "height", "time"]
ALLOCATION_COLUMNS = ["plan_hash", "vintage", "amount", "kind", "proposal_id", "issued_height", "issued_time"]


# ---------------------------------------------------------------- helpers


def to_kst(unix_seconds: Any) -> pd.Timestamp | None:
    """A block time (unix seconds) as a KST timestamp; None stays None."""
    if unix_seconds is None or (isinstance(unix_seconds, float) and pd.isna(unix_seconds)):
        return None
    return pd.Timestamp(int(unix_seconds), unit="s", tz="UTC").tz_convert(KST)


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def _share(substituted: pd.Series, readings: pd.Series) -> pd.Series:
    """Share of substituted readings (0..1); 0 where a record has no readings."""
    readings = readings.astype("int64")
    return (substituted.astype("int64") / readings.where(readings > 0)).fillna(0.0)


def _with_totals(df: pd.DataFrame) -> pd.DataFrame:
    for column in ("total_kg", "readings", "substituted", "reports"):
        df[column] = df[column].astype("int64")
    df["total_t"] = df["total_kg"] / 1000.0
    df["substituted_share"] = _share(df["substituted"], df["readings"])
    return df


def _query_list(client: ChainClient, path: str) -> list[Any]:
    value = client.query(path)
    return value if isinstance(value, list) else []


def _query_or_none(client: ChainClient, path: str) -> Any:
    try:
        return client.query(path)
    except QueryError as exc:
        if exc.code == 20:  # NOT_FOUND: nothing stored under the path
            return None
        raise


def _month_bounds(start: str | None, end: str | None, period: str) -> tuple[str | None, str | None]:
    """Month range (YYYY-MM) covering a day/month/year range."""
    if period == "year":
        return (f"{start}-01" if start else None, f"{end}-12" if end else None)
    return (start[:7] if start else None, end[:7] if end else None)


def _qs(**params: str | None) -> str:
    """A query string of the given (non-empty) parameters, values percent-encoded (sectors may hold any text)."""
    pairs = [f"{k}={quote(str(v), safe='')}" for k, v in params.items() if v]
    return ("?" + "&".join(pairs)) if pairs else ""


# ---------------------------------------------------------------- chain and registry


@dataclass(frozen=True)
class ChainStatus:
    """How fresh the data is: the chain id and the latest committed block."""

    chain_id: str
    height: int
    time: int  # unix seconds of the latest block

    @property
    def time_kst(self) -> str:
        return datetime.fromtimestamp(self.time, KST).strftime("%Y-%m-%d %H:%M:%S KST")


def chain_status(client: ChainClient) -> ChainStatus:
    status = client.status()
    sync = status["sync_info"]
    return ChainStatus(status["node_info"]["network"], int(sync["latest_block_height"]), parse_block_time(sync["latest_block_time"]))


def params(client: ChainClient) -> dict[str, Any]:
    """Chain parameters (approvals required, proposal lifetime, query skew)."""
    return client.query("/params")


def accounts(client: ChainClient, role: str | None = None) -> pd.DataFrame:
    """The participant registry (public): one row per account, optionally of one role."""
    rows = _query_list(client, f"/accounts{_qs(role=role)}")
    df = _frame([{c: r.get(c) for c in ACCOUNT_COLUMNS} for r in rows], ACCOUNT_COLUMNS)
    return df.sort_values(["role", "name", "address"], ignore_index=True)


def companies(client: ChainClient) -> pd.DataFrame:
    """Registered companies with their public registry id and sector."""
    return accounts(client, "company")


def _names(client: ChainClient) -> dict[str, str]:
    return {r["address"]: r.get("name", "") for r in _query_list(client, "/accounts")}


def _company_info(client: ChainClient) -> dict[str, dict[str, Any]]:
    return {r["address"]: r for r in _query_list(client, "/accounts?role=company")}


def devices(client: ChainClient, company: str | None = None) -> pd.DataFrame:
    """Registered sensor devices (public): which company site each one reports for, who admitted it."""
    rows = _query_list(client, "/accounts?role=edge_device")
    info = _company_info(client)
    names = _names(client)
    out = []
    for r in rows:
        if company is not None and r.get("company") != company:
            continue
        owner = info.get(r.get("company"), {})
        out.append({
            "device": r["address"], "company": r.get("company"), "company_name": owner.get("name"),
            "company_id": owner.get("company_id"), "site": r.get("site"), "measures": r.get("measures"),
            "unit": r.get("unit"), "registered_by": r.get("registered_by"),
            "registered_by_name": names.get(r.get("registered_by"), ""), "since": r.get("since"),
        })
    columns = ["device", "company", "company_name", "company_id", "site", "measures", "unit", "registered_by",
               "registered_by_name", "since"]
    return _frame(out, columns).sort_values(["company_name", "site", "device"], ignore_index=True)


# ---------------------------------------------------------------- emissions (public under Korean law)


def emissions_daily(client: ChainClient, company: str | None = None, *, device: str | None = None,
                    start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Each device's daily records (total, readings, substituted, Merkle root), ``start``/``end`` as YYYY-MM-DD.

    With neither ``company`` nor ``device``, every company that has a registered device."""
    info = _company_info(client)
    if device is not None and company is None:
        paths = [f"/emissions/daily{_qs(device=device, **{'from': start, 'to': end})}"]
    else:
        if company is not None:
            owners = [company]
        else:
            owners = sorted({r["company"] for r in _query_list(client, "/accounts?role=edge_device") if r.get("company")})
        paths = [f"/emissions/daily{_qs(company=c, device=device, **{'from': start, 'to': end})}" for c in owners]
    rows = []
    for path in paths:
        for r in _query_list(client, path):
            owner = info.get(r["company"], {})
            rows.append({**r, "company_name": owner.get("name"), "company_id": owner.get("company_id"),
                         "sector": owner.get("sector") or UNASSIGNED_SECTOR, "total_kg": r["total"]})
    df = _frame([{c: r.get(c) for c in DAILY_COLUMNS} for r in rows], DAILY_COLUMNS)
    if df.empty:
        return df
    df["reports"] = 1
    df = _with_totals(df).drop(columns="reports")
    df["time"] = df["time"].map(to_kst)
    return df.sort_values(["day", "company_name", "device"], ignore_index=True)[DAILY_COLUMNS]


def _sums(rows: list[dict[str, Any]], key: str) -> pd.DataFrame:
    df = _frame([{key: r[key], "total_kg": r["total"], "readings": r["readings"], "substituted": r["substituted"],
                  "reports": r["reports"]} for r in rows], [key, "total_kg", "readings", "substituted", "reports"])
    return _with_totals(df)[[key, *TOTAL_COLUMNS]]


def emissions_monthly(client: ChainClient, company: str | None = None, sector: str | None = None,
                      start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """One company's or one sector's monthly sums (give exactly one), ``start``/``end`` as YYYY-MM."""
    path = f"/emissions/monthly{_qs(company=company, sector=sector, **{'from': start, 'to': end})}"
    return _sums(_query_list(client, path), "month")


def emissions_yearly(client: ChainClient, company: str | None = None, sector: str | None = None) -> pd.DataFrame:
    """One company's or one sector's yearly sums (give exactly one)."""
    return _sums(_query_list(client, f"/emissions/yearly{_qs(company=company, sector=sector)}"), "year")


def _company_of(row: dict[str, Any]) -> str:
    """The company of an /emissions/companies row (the chain currently names the key "companie")."""
    return row["company"] if "company" in row else row["companie"]


def _period_of(month: str, period: str) -> str:
    return month[:4] if period == "year" else month


def emissions_by_company(client: ChainClient, period: str = "month", start: str | None = None,
                         end: str | None = None) -> pd.DataFrame:
    """Every company's emissions per day, month or year (long form: one row per period and company).

    ``start``/``end`` are written like the period: YYYY-MM-DD, YYYY-MM or YYYY."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
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
        low, high = _month_bounds(start, end, period)
        rows = _query_list(client, f"/emissions/companies{_qs(**{'from': low, 'to': high})}")
        grouped = _frame([{"period": _period_of(r["month"], period), "company": _company_of(r), "total_kg": r["total"],
                           "readings": r["readings"], "substituted": r["substituted"], "reports": r["reports"]}
                          for r in rows], ["period", "company", "total_kg", "readings", "substituted", "reports"])
        grouped = grouped.groupby(["period", "company"], as_index=False).sum()
    if grouped.empty:
        return pd.DataFrame(columns=columns)
    info = _company_info(client)
    grouped["company_name"] = grouped["company"].map(lambda a: info.get(a, {}).get("name"))
    grouped["company_id"] = grouped["company"].map(lambda a: info.get(a, {}).get("company_id"))
    grouped["sector"] = grouped["company"].map(lambda a: info.get(a, {}).get("sector") or UNASSIGNED_SECTOR)
    return _with_totals(grouped).sort_values(["period", "company_name"], ignore_index=True)[columns]


def emissions_by_sector(client: ChainClient, period: str = "month", start: str | None = None,
                        end: str | None = None) -> pd.DataFrame:
    """Every sector's emissions per day, month or year (the chain's public sector statistics)."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    columns = ["period", "sector", *TOTAL_COLUMNS]
    if period == "day":
        frame = emissions_by_company(client, "day", start, end)
        base = frame[["period", "sector", "total_kg", "readings", "substituted", "reports"]]
    else:
        low, high = _month_bounds(start, end, period)
        rows = _query_list(client, f"/emissions/sectors{_qs(**{'from': low, 'to': high})}")
        base = _frame([{"period": _period_of(r["month"], period), "sector": r["sector"], "total_kg": r["total"],
                        "readings": r["readings"], "substituted": r["substituted"], "reports": r["reports"]}
                       for r in rows], ["period", "sector", "total_kg", "readings", "substituted", "reports"])
    if base.empty:
        return pd.DataFrame(columns=columns)
    grouped = base.groupby(["period", "sector"], as_index=False).sum()
    return _with_totals(grouped).sort_values(["period", "sector"], ignore_index=True)[columns]


def sector_totals(client: ChainClient, start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Each sector's total over a month range (YYYY-MM), largest first."""
    frame = emissions_by_sector(client, "month", start, end)
    if frame.empty:
        return pd.DataFrame(columns=["sector", *TOTAL_COLUMNS])
    grouped = frame.groupby("sector", as_index=False)[["total_kg", "readings", "substituted", "reports"]].sum()
    return _with_totals(grouped).sort_values(["total_kg", "sector"], ascending=[False, True],
                                             ignore_index=True)[["sector", *TOTAL_COLUMNS]]


def latest_reports(client: ChainClient) -> pd.DataFrame:
    """For each reporting company: the latest day reported and the block that recorded it."""
    months = _query_list(client, "/emissions/companies")
    last_month: dict[str, str] = {}
    for r in months:
        last_month[_company_of(r)] = max(last_month.get(_company_of(r), ""), r["month"])
    rows = []
    for company, month in sorted(last_month.items()):
        daily = emissions_daily(client, company, start=f"{month}-01", end=f"{month}-31")
        if daily.empty:
            continue
        last = daily.sort_values(["day", "height"]).iloc[-1]
        rows.append({"company": company, "company_name": last["company_name"], "latest_day": last["day"],
                     "height": int(daily["height"].max()), "time": daily["time"].max()})
    return _frame(rows, ["company", "company_name", "latest_day", "height", "time"])


# ---------------------------------------------------------------- allocation plans and e-orders (published)


def _plan_row(p: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    header = p.get("header") or {}
    vintages = header.get("vintages")
    if not isinstance(vintages, list):
        vintages = sorted(header.get("totals", {})) if isinstance(header.get("totals"), dict) else []
    issued = p.get("issued") or {}
    return {
        "plan_hash": p["hash"], "kind": header.get("kind", ""), "status": p["status"], "lines": p["lines"],
        "received": p["received"], "vintages": ", ".join(str(v) for v in vintages), "proposer": p["proposer"],
        "proposer_name": names.get(p["proposer"], ""), "opened_height": p["opened"]["height"],
        "opened_time": to_kst(p["opened"]["time"]), "sealed_height": (p.get("sealed") or {}).get("height"),
        "issued_height": issued.get("height"), "issued_time": to_kst(issued.get("time")),
        "issued_proposal": issued.get("proposal_id"), "rejected_height": (p.get("rejected") or {}).get("height"),
    }


def _nullable_ints(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        df[column] = df[column].astype("Int64")
    return df


def plans(client: ChainClient) -> pd.DataFrame:
    """Allocation plans on chain (latest 200), newest first: status uploading, sealed, issued or rejected."""
    names = _names(client)
    df = _frame([_plan_row(p, names) for p in _query_list(client, "/plans")], PLAN_COLUMNS)
    return _nullable_ints(df, ["lines", "received", "opened_height", "sealed_height", "issued_height", "issued_proposal",
                               "rejected_height"])


def plan_record(client: ChainClient, plan_hash: str) -> dict[str, Any] | None:
    """The plan's chain record (header, status, heights), or None if no such plan."""
    return _query_or_none(client, f"/plan/{plan_hash}")


def plan_lines(client: ChainClient, plan_hash: str) -> pd.DataFrame:
    """Every line received for a plan, joined with the registry (company address, name, sector).

    ``registered`` is False for a company_id no account carries: issuing the plan would fail."""
    rows: list[list[Any]] = []
    while True:
        page = _query_list(client, f"/plan_lines/{plan_hash}?offset={len(rows)}&limit={_PAGE}")
        rows.extend(page)
        if len(page) < _PAGE:
            break
    by_id = {r["company_id"]: r for r in _query_list(client, "/accounts?role=company") if r.get("company_id")}
    out = []
    for company_id, vintage, amount in rows:
        owner = by_id.get(company_id)
        out.append({"company_id": company_id, "vintage": vintage, "amount": int(amount),
                    "address": owner["address"] if owner else None, "company_name": owner["name"] if owner else None,
                    "sector": (owner.get("sector") or UNASSIGNED_SECTOR) if owner else "unregistered",
                    "registered": owner is not None})
    df = _frame(out, LINE_COLUMNS)
    df["amount"] = df["amount"].astype("int64")
    df["registered"] = df["registered"].astype(bool)
    return df


def plan_sector_totals(lines: pd.DataFrame) -> pd.DataFrame:
    """Tonnes and companies per sector and vintage of a plan's lines (from ``plan_lines``)."""
    columns = ["sector", "vintage", "amount", "companies"]
    if lines.empty:
        return pd.DataFrame(columns=columns)
    out = (lines.groupby(["sector", "vintage"], as_index=False)
           .agg(amount=("amount", "sum"), companies=("company_id", "nunique")))
    return out.sort_values(["vintage", "amount", "sector"], ascending=[True, False, True], ignore_index=True)[columns]


def allocation_table(lines: pd.DataFrame, search: str = "") -> pd.DataFrame:
    """One row per company, one column per vintage (tonnes, 0 where none), from ``plan_lines``.

    ``search`` keeps the companies whose id, name or sector contains it (case-insensitive)."""
    keys = ["company_id", "company_name", "sector"]
    if lines.empty:
        return pd.DataFrame(columns=keys)
    named = lines.fillna({"company_name": "(no account)"})
    wide = named.pivot_table(index=keys, columns="vintage", values="amount", aggfunc="sum", fill_value=0)
    wide = wide.reset_index()
    wide.columns.name = None
    needle = search.strip().lower()
    if needle:
        text = wide[keys].astype(str).agg(" ".join, axis=1).str.lower()
        wide = wide[text.str.contains(needle, regex=False)]
    return wide.sort_values("company_id", ignore_index=True)


def plan_diff(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Per company and vintage: this plan's amount, the previous plan's, and the change (0 where absent)."""
    keys = ["company_id", "vintage"]
    a = current[keys + ["amount"]] if not current.empty else pd.DataFrame(columns=keys + ["amount"])
    b = previous[keys + ["amount"]] if not previous.empty else pd.DataFrame(columns=keys + ["amount"])
    merged = a.merge(b.rename(columns={"amount": "previous_amount"}), on=keys, how="outer")
    for column in ("amount", "previous_amount"):
        merged[column] = merged[column].fillna(0).astype("int64")
    merged["change"] = merged["amount"] - merged["previous_amount"]
    return merged.sort_values(keys, ignore_index=True)[keys + ["amount", "previous_amount", "change"]]


def eorder(client: ChainClient, plan_hash: str) -> dict[str, Any] | None:
    """The audit record of a plan's batch issue (proposal, approvals, height, totals), or None if not issued."""
    return _query_or_none(client, f"/eorder/{plan_hash}")


def eorders(client: ChainClient) -> pd.DataFrame:
    """Every issued plan's e-order record: who proposed and approved it, when, and the totals issued."""
    names = _names(client)
    rows = []
    for p in _query_list(client, "/plans"):
        if p["status"] != "issued":
            continue
        record = eorder(client, p["hash"])
        if record is None:
            continue
        rows.append({
            "plan_hash": record["plan_hash"], "kind": record.get("kind") or "", "proposal_id": record["proposal_id"],
            "proposer": record["proposer"], "proposer_name": names.get(record["proposer"], ""),
            "approvals": ", ".join(names.get(v["official"], v["official"]) for v in record["approvals"]),
            "approval_heights": ", ".join(str(v["height"]) for v in record["approvals"]),
            "issued_height": record["issued"]["height"], "issued_time": to_kst(record["issued"]["time"]),
            "lines": record["lines"], "totals": ", ".join(f"{v} {t:,}" for v, t in record["totals"].items()),
        })
    columns = ["plan_hash", "kind", "proposal_id", "proposer", "proposer_name", "approvals", "approval_heights",
               "issued_height", "issued_time", "lines", "totals"]
    return _frame(rows, columns)


def published_allocations(client: ChainClient) -> pd.DataFrame:
    """Public allocation results: every line of every issued plan, with the company's name and sector."""
    frames = []
    for p in _query_list(client, "/plans"):
        if p["status"] == "issued":
            lines = plan_lines(client, p["hash"])
            lines.insert(0, "plan_hash", p["hash"])
            lines.insert(1, "issued_height", p["issued"]["height"])
            frames.append(lines)
    columns = ["plan_hash", "issued_height", *LINE_COLUMNS]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def allocations(client: ChainClient, address: str) -> pd.DataFrame:
    """A company's allocations by plan and vintage, with the e-order that created each (public)."""
    value = client.query(f"/allocations/{address}")
    rows = []
    for plan_hash, per_vintage in sorted(value.items()):
        record = eorder(client, plan_hash) or {}
        issued = record.get("issued") or {}
        for vintage, amount in sorted(per_vintage.items()):
            rows.append({"plan_hash": plan_hash, "vintage": vintage, "amount": int(amount), "kind": record.get("kind") or "",
                         "proposal_id": record.get("proposal_id"), "issued_height": issued.get("height"),
                         "issued_time": to_kst(issued.get("time"))})
    df = _frame(rows, ALLOCATION_COLUMNS)
    df["amount"] = df["amount"].astype("int64")
    return df.sort_values(["issued_height", "plan_hash", "vintage"], ignore_index=True)


# ---------------------------------------------------------------- governance (public)


def _summary(action: dict[str, Any], names: dict[str, str]) -> str:
    kind = action.get("type")
    if kind == "issue_plan":
        return f"issue allocation plan {action['plan_hash'][:12]}…"
    if kind == "issue_allowances":
        return f"issue {action['amount']:,} {action['instrument']} to {names.get(action['to'], action['to'])}"
    if kind == "register_account":
        return f"register {action.get('role')} {action.get('name')}"
    if kind == "register_accounts":
        return f"register {len(action.get('accounts', []))} accounts"
    return str(kind)


def _raw_proposals(client: ChainClient) -> list[dict[str, Any]]:
    return [p for p in _query_list(client, "/proposals") if p]


def proposals(client: ChainClient) -> pd.DataFrame:
    """Governed proposals (latest 200), newest first, with their vote counts."""
    names = _names(client)
    rows = []
    for p in _raw_proposals(client):
        action = p.get("action") or {}
        rows.append({
            "proposal_id": p["id"], "type": action.get("type"), "status": p["status"], "summary": _summary(action, names),
            "plan_hash": action.get("plan_hash"), "proposer": p["proposer"], "proposer_name": names.get(p["proposer"], ""),
            "approvals": len(p["approvals"]), "rejections": len(p["rejections"]),
            "created_height": p["created"]["height"], "created_time": to_kst(p["created"]["time"]),
            "expires_time": to_kst(p["expires_time"]), "executed_height": (p.get("executed") or {}).get("height"),
            "closed_height": (p.get("closed") or {}).get("height"),
        })
    return _nullable_ints(_frame(rows, PROPOSAL_COLUMNS), ["proposal_id", "approvals", "rejections", "created_height",
                                                           "executed_height", "closed_height"])


def proposal_votes(client: ChainClient, proposal_id: int | None = None) -> pd.DataFrame:
    """Every vote (approve / reject with its reason), for one proposal or all of the latest 200."""
    names = _names(client)
    source = [client.query(f"/proposal/{int(proposal_id)}")] if proposal_id is not None else _raw_proposals(client)
    rows = []
    for p in source:
        for vote, entries in (("approve", p["approvals"]), ("reject", p["rejections"])):
            for v in entries:
                rows.append({"proposal_id": p["id"], "vote": vote, "official": v["official"],
                             "official_name": names.get(v["official"], ""), "reason": v.get("reason", ""),
                             "height": v["height"], "time": to_kst(v["time"])})
    df = _frame(rows, VOTE_COLUMNS)
    return df.sort_values(["proposal_id", "height", "vote"], ascending=[False, True, True], ignore_index=True)


def open_plan_proposal(client: ChainClient, plan_hash: str, *, now: int | None = None) -> dict[str, Any] | None:
    """The open, unexpired ``issue_plan`` proposal for this plan (the latest if several), or None.

    ``now`` is the chain's time (unix seconds); by default the latest block time."""
    now = client.chain_time() if now is None else now
    for p in _raw_proposals(client):  # newest first
        action = p.get("action") or {}
        if (action.get("type") == "issue_plan" and action.get("plan_hash") == plan_hash and p["status"] == "open"
                and p["expires_time"] >= now):
            return p
    return None


def plan_proposals(client: ChainClient, plan_hash: str) -> list[dict[str, Any]]:
    """Every ``issue_plan`` proposal for this plan, newest first (raw records with votes)."""
    return [p for p in _raw_proposals(client)
            if (p.get("action") or {}).get("type") == "issue_plan" and p["action"].get("plan_hash") == plan_hash]


# ---------------------------------------------------------------- holdings (private: signed query)


def balances(client: ChainClient, address: str, reader: Signer) -> pd.DataFrame:
    """Allowances held by ``address``; ``reader`` signs the query and must be the holder or an official.

    Raises ``ets.rpc.QueryError`` (code 9, UNAUTHORIZED) for anyone else."""
    value = client.query(f"/balances/{address}", reader=reader)
    df = _frame([{"instrument": k, "amount": int(v)} for k, v in sorted(value.items())], ["instrument", "amount"])
    df["amount"] = df["amount"].astype("int64")
    return df
