"""Allocation plans and e-orders (published under Korean law): plans, their lines, issued allocations.

``plan_sector_totals``, ``allocation_table`` and ``plan_diff`` are pure functions of the lines
``plan_lines`` returns (no chain access), so a page or a notebook can reshape lines it already has.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ets.rpc import ChainClient

from ._base import PAGE, UNASSIGNED_SECTOR, frame, ints, names, public, query_list, query_or_none, to_kst

__all__ = ["PLAN_COLUMNS", "LINE_COLUMNS", "ALLOCATION_COLUMNS", "plans", "plan_record", "plan_lines",
           "plan_sector_totals", "allocation_table", "plan_diff", "eorder", "eorders", "published_allocations",
           "allocations"]

PLAN_COLUMNS = ["plan_hash", "kind", "status", "lines", "received", "vintages", "proposer", "proposer_name",
                "opened_height", "opened_time", "sealed_height", "issued_height", "issued_time", "issued_proposal",
                "rejected_height"]
LINE_COLUMNS = ["company_id", "vintage", "amount", "address", "company_name", "sector", "registered"]
ALLOCATION_COLUMNS = ["plan_hash", "vintage", "amount", "kind", "proposal_id", "issued_height", "issued_time"]
EORDER_COLUMNS = ["plan_hash", "kind", "proposal_id", "proposer", "proposer_name", "approvals", "approval_heights",
                  "issued_height", "issued_time", "lines", "totals"]


def _plan_row(p: dict[str, Any], by_address: dict[str, str]) -> dict[str, Any]:
    header = p.get("header") or {}
    vintages = header.get("vintages")
    if not isinstance(vintages, list):
        vintages = sorted(header.get("totals", {})) if isinstance(header.get("totals"), dict) else []
    issued = p.get("issued") or {}
    return {
        "plan_hash": p["hash"], "kind": header.get("kind", ""), "status": p["status"], "lines": p["lines"],
        "received": p["received"], "vintages": ", ".join(str(v) for v in vintages), "proposer": p["proposer"],
        "proposer_name": by_address.get(p["proposer"], ""), "opened_height": p["opened"]["height"],
        "opened_time": to_kst(p["opened"]["time"]), "sealed_height": (p.get("sealed") or {}).get("height"),
        "issued_height": issued.get("height"), "issued_time": to_kst(issued.get("time")),
        "issued_proposal": issued.get("proposal_id"), "rejected_height": (p.get("rejected") or {}).get("height"),
    }


@public
def plans(client: ChainClient) -> pd.DataFrame:
    """Allocation plans on chain (latest 200), newest first: status uploading, sealed, issued or rejected."""
    by_address = names(client)
    df = frame([_plan_row(p, by_address) for p in query_list(client, "/plans")], PLAN_COLUMNS)
    return ints(df, ["lines", "received", "opened_height", "sealed_height", "issued_height", "issued_proposal",
                     "rejected_height"], nullable=True)


@public
def plan_record(client: ChainClient, plan_hash: str) -> dict[str, Any] | None:
    """The plan's chain record (header, status, heights), or None if no such plan."""
    return query_or_none(client, f"/plan/{plan_hash}")


@public
def plan_lines(client: ChainClient, plan_hash: str) -> pd.DataFrame:
    """Every line received for a plan, joined with the registry (company address, name, sector).

    ``registered`` is False for a company_id no account carries: issuing the plan would fail."""
    rows: list[list[Any]] = []
    while True:
        page = query_list(client, f"/plan_lines/{plan_hash}?offset={len(rows)}&limit={PAGE}")
        rows.extend(page)
        if len(page) < PAGE:
            break
    by_id = {r["company_id"]: r for r in query_list(client, "/accounts?role=company") if r.get("company_id")}
    out = []
    for company_id, vintage, amount in rows:
        owner = by_id.get(company_id)
        out.append({"company_id": company_id, "vintage": vintage, "amount": int(amount),
                    "address": owner["address"] if owner else None, "company_name": owner["name"] if owner else None,
                    "sector": (owner.get("sector") or UNASSIGNED_SECTOR) if owner else "unregistered",
                    "registered": owner is not None})
    df = ints(frame(out, LINE_COLUMNS), ["amount"])
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


@public
def eorder(client: ChainClient, plan_hash: str) -> dict[str, Any] | None:
    """The audit record of a plan's batch issue (proposal, approvals, height, totals), or None if not issued."""
    return query_or_none(client, f"/eorder/{plan_hash}")


@public
def eorders(client: ChainClient) -> pd.DataFrame:
    """Every issued plan's e-order record: who proposed and approved it, when, and the totals issued."""
    by_address = names(client)
    rows = []
    for p in query_list(client, "/plans"):
        record = eorder(client, p["hash"]) if p["status"] == "issued" else None
        if record is None:
            continue
        rows.append({
            "plan_hash": record["plan_hash"], "kind": record.get("kind") or "", "proposal_id": record["proposal_id"],
            "proposer": record["proposer"], "proposer_name": by_address.get(record["proposer"], ""),
            "approvals": ", ".join(by_address.get(v["official"], v["official"]) for v in record["approvals"]),
            "approval_heights": ", ".join(str(v["height"]) for v in record["approvals"]),
            "issued_height": record["issued"]["height"], "issued_time": to_kst(record["issued"]["time"]),
            "lines": record["lines"], "totals": ", ".join(f"{v} {t:,}" for v, t in record["totals"].items()),
        })
    return frame(rows, EORDER_COLUMNS)


@public
def published_allocations(client: ChainClient) -> pd.DataFrame:
    """Public allocation results: every line of every issued plan, with the company's name and sector."""
    frames = []
    for p in query_list(client, "/plans"):
        if p["status"] == "issued":
            lines = plan_lines(client, p["hash"])
            lines.insert(0, "plan_hash", p["hash"])
            lines.insert(1, "issued_height", p["issued"]["height"])
            frames.append(lines)
    columns = ["plan_hash", "issued_height", *LINE_COLUMNS]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


@public
def allocations(client: ChainClient, address: str) -> pd.DataFrame:
    """A company's allocations by plan and vintage, with the e-order that created each."""
    rows = []
    for plan_hash, per_vintage in sorted(client.query(f"/allocations/{address}").items()):
        record = eorder(client, plan_hash) or {}
        issued = record.get("issued") or {}
        for vintage, amount in sorted(per_vintage.items()):
            rows.append({"plan_hash": plan_hash, "vintage": vintage, "amount": int(amount), "kind": record.get("kind") or "",
                         "proposal_id": record.get("proposal_id"), "issued_height": issued.get("height"),
                         "issued_time": to_kst(issued.get("time"))})
    df = ints(frame(rows, ALLOCATION_COLUMNS), ["amount"])
    return df.sort_values(["issued_height", "plan_hash", "vintage"], ignore_index=True)
