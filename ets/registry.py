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

from protocol.codes import Code

from .keys import Signer
from .rpc import ChainClient, TxRejectedError

__all__ = ["CompanyEntry", "register_companies", "MAX_BATCH_BYTES"]

MAX_BATCH_BYTES = 190_000
IN_FLIGHT = 6  # batch proposals sent before waiting for the first (each ~190 kB: about 1.2 MB a block)


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


def _send_all(client: ChainClient, signer: Signer, msgs: list[Propose | Approve]) -> list[dict]:
    """Broadcast ``msgs`` back to back (consecutive nonces, so one block can take them all), then wait for
    each to commit; returns their result data. A refusal raises ``TxRejectedError``."""
    nonce = client.next_nonce(signer)
    hashes = []
    for msg in msgs:
        hashes.append(client.broadcast(client.sign(signer, msg, nonce)))
        nonce += 1
    results = []
    for tx in hashes:
        commit = client.wait_for_tx(tx, timeout=120)
        if commit.code != Code.OK:
            raise TxRejectedError(commit.code, commit.log, tx, stage="deliver")
        results.append(json.loads(commit.data))
    return results


def register_companies(client: ChainClient, proposer: Signer, approvers: list[Signer], entries: list[CompanyEntry],
                       progress: Callable[[int, int], None] | None = None, in_flight: int = IN_FLIGHT) -> int:
    """Register every entry not yet on chain; returns how many were registered now.

    ``in_flight`` batch proposals are sent at once, then their approvals, so a few blocks admit
    thousands of companies; a re-run after a refusal skips what was registered."""
    registered = {a["address"] for a in client.query("/accounts?role=company")}
    todo = [e for e in entries if e.address not in registered]
    batches = list(_batches(todo))
    done = 0
    for start in range(0, len(batches), in_flight):
        group = batches[start:start + in_flight]
        proposals = _send_all(client, proposer, [Propose(RegisterAccounts(tuple(batch))) for batch in group])
        for approver in approvers:
            open_ids = [p["proposal_id"] for p in proposals if p["status"] == "open"]
            if not open_ids:
                break
            votes = iter(_send_all(client, approver, [Approve(pid) for pid in open_ids]))
            proposals = [next(votes) if p["status"] == "open" else p for p in proposals]
        done += sum(len(batch) for batch in group)
        if progress:
            progress(done, len(todo))
    return done
