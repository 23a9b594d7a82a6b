"""The compliance cycle as the portal shows it: the public table and scorecards, the certification queue,
objections, a verifier's assignments; a company's private position (signed by the company or an official).

    table(client, year)                 public   EUTL-style rows: company, sector, allocated, certified,
                                                 surrendered (after the deadline), penalty, status code
    table_csv(client, year)             public   the same as CSV (the download of the public page)
    year_record(client, year)           public   deadlines, settlement, average price, penalty per tonne
    scorecards(client)                  public   verification bodies: statements, certifications, error (bps)
    queue(client, year)                 public   statements awaiting certification
    objections(client)                  public   the latest objections and their decisions
    assignments(client, verifier, year) public   a verifier's companies and where each report stands
    report(client, company, year)       public   a company's report (None before it is submitted)
    position(client, company, reader)   private  per year: certified, surrendered, shortfall, limits, penalty
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ets.compliance import TABLE_COLUMNS, table_csv as _table_csv
from ets.keys import Signer
from ets.rpc import ChainClient
from protocol.compliance import STATUS_CODES

from ._base import frame, public, query_or_none

__all__ = ["STATUS_CODES", "table", "table_csv", "year_record", "scorecards", "queue", "objections", "assignments",
           "report", "position"]


@public
def table(client: ChainClient, year: int) -> pd.DataFrame:
    rows = client.query(f"/compliance/table/{year}")["rows"]
    return frame([{c: r[c] for c in TABLE_COLUMNS} for r in rows], list(TABLE_COLUMNS))


@public
def table_csv(client: ChainClient, year: int) -> str:
    return _table_csv(client.query(f"/compliance/table/{year}"))


@public
def year_record(client: ChainClient, year: int) -> dict[str, Any]:
    return client.query(f"/compliance/year/{year}")


@public
def scorecards(client: ChainClient) -> pd.DataFrame:
    columns = ["verifier", "name", "statements", "certified", "verified_tonnes", "certified_tonnes", "abs_difference",
               "raised", "lowered", "unchanged", "error_bps"]
    return frame([{c: r.get(c) for c in columns} for r in client.query("/compliance/scorecards")], columns)


@public
def queue(client: ChainClient, year: int) -> pd.DataFrame:
    columns = ["company", "verifier", "reported", "verified", "opinion", "findings", "report_version", "document_hash"]
    return frame([{c: r[c] for c in columns} for r in client.query(f"/compliance/queue/{year}")], columns)


@public
def objections(client: ChainClient) -> pd.DataFrame:
    columns = ["id", "company", "kind", "year", "status", "reason", "requested", "quantity"]
    return frame([{c: r.get(c) for c in columns} for r in client.query("/compliance/objections")], columns)


@public
def assignments(client: ChainClient, verifier: str, year: int) -> pd.DataFrame:
    columns = ["company", "year", "report_version", "reported", "statement", "statement_of_version", "certified"]
    return frame(client.query(f"/compliance/assignments/{verifier}/{year}"), columns)


@public
def report(client: ChainClient, company: str, year: int) -> dict[str, Any] | None:
    return query_or_none(client, f"/compliance/report/{company}/{year}")


def position(client: ChainClient, company: str, reader: Signer) -> dict[str, Any]:
    """The company's position for every year it has a record in (private: the company or an official)."""
    return client.query(f"/compliance/position/{company}", reader=reader)
