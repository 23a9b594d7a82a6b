"""Admit many companies at once: batched ``register_accounts`` proposals and their approvals.

Each batch is one governed proposal (at most ``MAX_BATCH_ACCOUNTS`` accounts and ~190 kB); the
other officials' approvals execute it. Companies already registered (same address) are skipped,
so a re-run after an interruption finishes the job without duplicates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterable

from protocol.codec import canonical_json
from protocol.constants import MAX_BATCH_ACCOUNTS, MAX_NAME, MAX_SECTOR
from protocol.messages import Approve, Propose, RegisterAccount, RegisterAccounts
from protocol.text import normalize_name

from .keys import Signer
from .rpc import ChainClient

__all__ = ["CompanyEntry", "register_companies", "MAX_BATCH_BYTES"]

MAX_BATCH_BYTES = 190_000


@dataclass(frozen=True)
class CompanyEntry:
    company_id: str
    name: str
    sector: str | None
    address: str
    public_key: str

    def account(self) -> RegisterAccount:
        """The ``register_account`` entry of this company (name in NFKC, sector without '/')."""
        name = normalize_name(normalize_name(self.name)[:MAX_NAME])  # NFKC: the chain accepts names in that form only
        sector = self.sector.replace("/", "·")[:MAX_SECTOR] if self.sector else None
        return RegisterAccount(address=self.address, public_key=self.public_key, role="company", name=name,
                               company_id=self.company_id, sector=sector)


def _entry_size(account: RegisterAccount) -> int:
    fields = account.to_json()
    del fields["type"]  # entries of a batch travel without their own type (``RegisterAccounts.to_json``)
    return len(canonical_json(fields)) + 1


def _batches(entries: list[CompanyEntry]) -> Iterable[list[RegisterAccount]]:
    batch: list[RegisterAccount] = []
    size = 0
    for entry in entries:
        item = entry.account()
        item_size = _entry_size(item)
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
        commit = client.submit(proposer, Propose(RegisterAccounts(tuple(batch))))
        proposal = json.loads(commit.data)
        for approver in approvers:
            if proposal["status"] != "open":
                break
            proposal = json.loads(client.submit(approver, Approve(proposal["proposal_id"])).data)
        done += len(batch)
        if progress:
            progress(done, len(todo))
    return done
