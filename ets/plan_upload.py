"""Put an allocation plan on chain: open it, upload its lines in chunks, propose its issue.

The upload resumes: if the plan is already open on chain, it continues from the line the
chain has; if it is sealed, nothing is sent. Chunks are pipelined (a few in flight, nonces in
order) and each is checked when it commits, so a failure stops at a known line and a re-run
picks up from there. The mempool checks a chunk against the committed upload, so a chunk
refused because a block committed while the ones before it were still waiting is sent again
once they have committed. Before anything is sent the plan hash is recomputed from the file.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from protocol.codec import canonical_json
from protocol.codes import Code
from protocol.constants import MAX_CHUNK_LINES
from protocol.messages import IssuePlan, PlanChunk, PlanOpen, Propose
from protocol.plan_format import plan_hash as compute_plan_hash

from .keys import Signer
from .rpc import ChainClient, ChainError, TxRejectedError

__all__ = ["PlanFile", "PlanUploadError", "load_plan_file", "upload_plan", "propose_issue", "chunk_lines", "ProgressPrinter"]

MAX_CHUNK_BYTES = 180_000
IN_FLIGHT = 6


class PlanUploadError(ChainError):
    """The plan could not be put on chain; the message says at which line and why."""


@dataclass(frozen=True)
class PlanFile:
    plan_hash: str
    header: dict[str, Any]
    lines: list[tuple[str, str, int]]


def load_plan_file(path: str | Path) -> PlanFile:
    """Read a plan file written by the allocation engine and check its hash."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
        header, lines, declared = value["header"], [tuple(l) for l in value["lines"]], value["plan_hash"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PlanUploadError(f"{path}: not a readable plan file ({exc}); create one with `ets plan compute`") from None
    computed = compute_plan_hash(header, lines)
    if computed != declared:
        raise PlanUploadError(f"{path}: its lines and header hash to {computed}, not to the stated {declared}; the file was altered")
    return PlanFile(declared, header, lines)  # type: ignore[arg-type]


def chunk_lines(lines: list[tuple[str, str, int]], start: int) -> list[tuple[int, list[tuple[str, str, int]]]]:
    """(offset, lines) chunks from ``start``, each small enough for one transaction."""
    chunks: list[tuple[int, list[tuple[str, str, int]]]] = []
    current: list[tuple[str, str, int]] = []
    size, offset = 0, start
    for index in range(start, len(lines)):
        line = tuple(lines[index])
        line_size = len(canonical_json(line)) + 1
        if current and (size + line_size > MAX_CHUNK_BYTES or len(current) >= MAX_CHUNK_LINES):
            chunks.append((offset, current))
            offset, current, size = index, [], 0
        current.append(line)
        size += line_size
    if current:
        chunks.append((offset, current))
    return chunks


def _plan_state(client: ChainClient, plan_hash: str) -> dict[str, Any] | None:
    return client.query_or_none(f"/plan/{plan_hash}")


def upload_plan(client: ChainClient, signer: Signer, plan: PlanFile,
                progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Open (if needed) and upload every line; returns the chain's plan record once sealed."""
    report = progress or (lambda done, total: None)
    state = _plan_state(client, plan.plan_hash)
    if state is None:
        client.submit(signer, PlanOpen(plan.plan_hash, plan.header, len(plan.lines)))
        state = _plan_state(client, plan.plan_hash)
    if state["proposer"] != signer.address:
        raise PlanUploadError(f"plan {plan.plan_hash} was opened by {state['proposer']}; only that official may upload its lines")
    if state["status"] != "uploading":
        report(state["received"], state["lines"])
        return state
    pending: list[tuple[int, int, str]] = []  # (offset, count, tx hash)

    def settle(entry: tuple[int, int, str]) -> None:
        offset, count, tx = entry
        commit = client.wait_for_tx(tx, timeout=60)
        if commit.code != Code.OK:
            raise PlanUploadError(f"chunk at line {offset} was rejected with code {commit.code}: {commit.log}; re-run to resume")
        report(offset + count, len(plan.lines))

    def send(tx: bytes) -> str:
        try:
            return client.broadcast(tx)
        except TxRejectedError as exc:
            if exc.code != Code.CHUNK_OUT_OF_ORDER or not pending:
                raise
        # a block committed while the chunks before it were still waiting: the mempool checks each chunk
        # against the committed upload, so let them commit and send this one again (same nonce)
        while pending:
            settle(pending.pop(0))
        return client.broadcast(tx)

    nonce = client.next_nonce(signer)
    try:
        for offset, lines in chunk_lines(plan.lines, state["received"]):
            tx = client.sign(signer, PlanChunk(plan.plan_hash, offset, tuple(lines)), nonce)
            pending.append((offset, len(lines), send(tx)))
            nonce += 1
            if len(pending) >= IN_FLIGHT:
                settle(pending.pop(0))
        while pending:
            settle(pending.pop(0))
    except TxRejectedError as exc:
        raise PlanUploadError(f"a chunk was refused ({exc}); re-run to resume from the chain's position") from None
    state = _plan_state(client, plan.plan_hash)
    if state["status"] != "sealed":
        raise PlanUploadError(f"all lines were sent but the plan is {state['status']} at line {state['received']}; re-run to resume")
    return state


def propose_issue(client: ChainClient, signer: Signer, plan_hash: str) -> int:
    """Propose issuing a sealed plan (counts as the proposer's approval); returns the proposal id."""
    commit = client.submit(signer, Propose(IssuePlan(plan_hash)))
    return int(json.loads(commit.data)["proposal_id"])


class ProgressPrinter:
    """Prints upload progress to stderr at most once a second, and at the end."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - self._last > 1.0:
            self._last = now
            print(f"  uploaded {done:,} / {total:,} lines", file=sys.stderr, flush=True)
