"""Client side of the compliance cycle: sealing a verification statement to its readers, certification
batches from the queue, the public compliance table as CSV. Used by ``ets compliance``, the portal and tests.

    statement_readers(client, company)   {address: view key}: the company and the regulator (view keys on chain)
    build_statement(...)                 a ``VerificationStatement`` with the document sealed to those readers
    certification_batches(queue, ...)    ``CertifyEmissions`` actions of at most 1,000 companies each
    table_csv(table)                     the /compliance/table answer as CSV (one row per company)
"""

from __future__ import annotations

import csv
import io
from typing import Any

from protocol.constants import MAX_BATCH_COMPANIES, MAX_STATEMENT_BYTES
from protocol.messages.compliance import CertifyEmissions, VerificationStatement
from protocol.sealed import seal_document

from .rpc import ChainClient, ChainError

__all__ = ["statement_readers", "build_statement", "certification_batches", "table_csv", "TABLE_COLUMNS"]

TABLE_COLUMNS = ("company", "name", "company_id", "sector", "allocated", "certified", "surrendered", "penalty", "status")


def statement_readers(client: ChainClient, company: str) -> dict[str, str]:
    """The view keys a statement is sealed to: the company's and the regulator's (published with set_view_key)."""
    acct = client.query(f"/account/{company}")
    if not acct.get("view_key"):
        raise ChainError(f"company {company} has published no view key (set_view_key): it could not open the statement")
    regulator_key = client.query("/privacy").get("regulator_key")
    officials = [a for a in client.query("/accounts?role=government") if a.get("view_key")]
    if not officials:
        raise ChainError("no government account has published a view key (set_view_key): the regulator could not open it")
    official = next((a for a in officials if a["view_key"] == regulator_key), officials[0])
    return {company: acct["view_key"], official["address"]: official["view_key"]}


def build_statement(client: ChainClient, company: str, year: int, verified: int, opinion: str, findings: int,
                    document: bytes) -> VerificationStatement:
    if len(document) > MAX_STATEMENT_BYTES:
        raise ValueError(f"the statement document is {len(document):,} bytes; at most {MAX_STATEMENT_BYTES:,} go on chain "
                         "(seal a summary and keep the full file with its hash)")
    digest, sealed = seal_document(document, statement_readers(client, company))
    return VerificationStatement(company, year, verified, opinion, findings, digest, sealed)


def certification_batches(queue: list[dict[str, Any]], year: int, reason: str) -> list[CertifyEmissions]:
    """Certify every queued statement at its verified figure, in batches the chain accepts."""
    entries = sorted((row["company"], row["verified"]) for row in queue if row["year"] == year)
    return [CertifyEmissions(year, tuple(entries[i:i + MAX_BATCH_COMPANIES]), reason)
            for i in range(0, len(entries), MAX_BATCH_COMPANIES)]


def table_csv(table: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("year",) + TABLE_COLUMNS)
    for row in table["rows"]:
        writer.writerow((table["year"],) + tuple("" if row[c] is None else row[c] for c in TABLE_COLUMNS))
    return out.getvalue()
