"""The participant registry (public under Korean law): accounts, companies, sensor devices, view keys."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ets.rpc import ChainClient

from ._base import company_info, frame, names, public, qs, query_list, query_or_none

__all__ = ["ACCOUNT_COLUMNS", "account", "accounts", "companies", "devices", "view_keys"]

ACCOUNT_COLUMNS = ["address", "role", "name", "company_id", "sector", "company", "site", "since"]
DEVICE_COLUMNS = ["device", "company", "company_name", "company_id", "site", "measures", "unit", "registered_by",
                  "registered_by_name", "since"]


@public
def account(client: ChainClient, address: str) -> dict[str, Any] | None:
    """The chain's registry record of ``address`` (role, name, view key…), or None when it is not registered."""
    return query_or_none(client, f"/account/{address}")


@public
def accounts(client: ChainClient, role: str | None = None) -> pd.DataFrame:
    """One row per registered account, optionally of one role."""
    rows = query_list(client, f"/accounts{qs(role=role)}")
    df = frame([{c: r.get(c) for c in ACCOUNT_COLUMNS} for r in rows], ACCOUNT_COLUMNS)
    return df.sort_values(["role", "name", "address"], ignore_index=True)


@public
def companies(client: ChainClient) -> pd.DataFrame:
    """Registered companies with their public registry id and sector."""
    return accounts(client, "company")


@public
def devices(client: ChainClient, company: str | None = None) -> pd.DataFrame:
    """Registered sensor devices: which company site each one reports for, who admitted it."""
    info, by_address = company_info(client), names(client)
    out = []
    for r in query_list(client, "/accounts?role=edge_device"):
        if company is not None and r.get("company") != company:
            continue
        owner = info.get(r.get("company"), {})
        out.append({
            "device": r["address"], "company": r.get("company"), "company_name": owner.get("name"),
            "company_id": owner.get("company_id"), "site": r.get("site"), "measures": r.get("measures"),
            "unit": r.get("unit"), "registered_by": r.get("registered_by"),
            "registered_by_name": by_address.get(r.get("registered_by"), ""), "since": r.get("since"),
        })
    return frame(out, DEVICE_COLUMNS).sort_values(["company_name", "site", "device"], ignore_index=True)


@public
def view_keys(client: ChainClient, role: str | None = None) -> pd.DataFrame:
    """Registered accounts (optionally of one role) and the X25519 view key each has published (None if not)."""
    rows = [{"address": r["address"], "role": r["role"], "name": r.get("name", ""), "company_id": r.get("company_id"),
             "view_key": r.get("view_key")} for r in query_list(client, f"/accounts{qs(role=role)}")]
    return frame(rows, ["address", "role", "name", "company_id", "view_key"]).sort_values(
        ["role", "name", "address"], ignore_index=True)
