"""Admit many companies at once: batched ``register_accounts`` proposals and their approvals.

Each batch is one governed proposal (at most 1,000 accounts and ~200 kB); the other officials'
approvals execute it. Companies already registered (same address) are skipped, so a re-run
after an interruption finishes the job without duplicates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterable

from protocol.codec import canonical_json
from .keys import Signer
from protocol.text import normalize_name
from .rpc import ChainClient

__all__ = ["CompanyEntry", "register_companies"]

MAX_BATCH_BYTES = 190_000
MAX_BATCH_ACCOUNTS = 1000


@dataclass(frozen=True)
class CompanyEntry:
    company_id: str
    name: str
    sector: str | None
    address: str
    public_key: str

    def action_entry(self) -> dict:
        name = normalize_name(normalize_name(self.name)[:200])  # NFKC: the chain accepts names in that form only
        entry = {"address": self.address, "public_key": self.public_key, "role": "company", "name": name,
                 "company_id": self.company_id}
        if self.sector:
            entry["sector"] = self.sector.replace("/", "·")[:100]
        return entry


def _batches(entries: list[CompanyEntry]) -> Iterable[list[dict]]:
    batch: list[dict] = []
    size = 0
    for entry in entries:
        item = entry.action_entry()
        item_size = len(canonical_json(item)) + 1
        if batch and (size + item_size > MAX_BATCH_BYTES or len(batch) >= MAX_BATCH_ACCOUNTS):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item_size
    if batch:
        yield batch


def register_companies(client: ChainClient, proposer: Signer, approvers: list[Signer], entries: list[CompanyEntry],
                       progress: Callable[[int, int], None] | None = None) -> int:
    """Register every entry not yet on chain; returns how many were registered now."""
    registered = {a["address"] for a in client.query("/accounts?role=company")}
    todo = [e for e in entries if e.address not in registered]
    done = 0
    for batch in _batches(todo):
        commit = client.submit(proposer, {"type": "propose", "action": {"type": "register_accounts", "accounts": batch}})
        proposal = json.loads(commit.data)
        for approver in approvers:
            if proposal["status"] != "open":
                break
            proposal = json.loads(client.submit(approver, {"type": "approve", "proposal_id": proposal["proposal_id"]}).data)
        done += len(batch)
        if progress:
            progress(done, len(todo))
    return done
