"""The ABCI 2.0 application: CometBFT's requests mapped onto the rules and the store.

    Info             last committed height and app hash (CometBFT replays anything after it)
    InitChain        genesis app_state → state at height 0 (re-run from scratch if called again)
    CheckTx          execute_tx on the mempool view: committed state with each sender's pending
                     nonce carried across Commit (``pending.py``). A RECHECK does not execute again:
                     it refuses a tx whose nonce was used or that this node's proposal left out as
                     failing, and keeps the rest (their signatures stay verified)
    PrepareProposal  execute_tx over the mempool's txs in order; keep those that pass and fit, then
                     the end-of-block work, and append the block's **outcome** (``protocol.outcome``:
                     the app hash, public results and events, validator updates and public writes),
                     leaving room for it in ``max_tx_bytes``
    ProcessProposal  the block must end with an outcome: begin-of-block work (market sessions),
                     execute_tx over the other txs, end-of-block work; ACCEPT only if every tx passes
                     and this validator's own outcome is the same bytes. The executed block is kept
                     (by its content) so FinalizeBlock does not redo it
    FinalizeBlock    one result per tx, in order (the outcome's own last), the block hooks' events and
                     the app hash (the state tree's root, ``state.py``), exactly as the outcome states
                     them; a block whose outcome differs from this node's execution stops the node.
                     Each accepted public tx's result carries its events: public attributes only
                     (``protocol.events``, the tables in ``rules.py``). A private tx's result is
                     ``PRIVATE_RESULT`` for all (its real outcome is kept for ``/tx`` queries by its
                     signer); governed validator changes go out as ``validator_updates``
    Commit           persist the staged block in one SQLite transaction; every
                     ``--snapshot-interval`` heights a state-sync snapshot is written in the background
    Query            ``abci_app.query`` (``/state/<key>`` answers with proof ops)
    state sync       ListSnapshots / LoadSnapshotChunk / OfferSnapshot / ApplySnapshotChunk: ``snapshots.py``

Private txs are opened with this validator's execution keys (``privacy.py``); one it cannot open
makes ProcessProposal REJECT and FinalizeBlock stop the node rather than diverge. A node without
those keys runs ``abci_app.observer`` instead: it follows the chain from the outcomes.

Consensus requests fail-stop: a storage error or an unexpected exception ends the process
(CometBFT's handshake replays the block after restart) rather than risk divergence.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from protocol.codec import tx_hash
from protocol.events import Event
from protocol.outcome import Outcome, Result, encode_outcome, is_outcome
from protocol.private_tx import is_private
from protocol.smt import PROOF_OP_TYPE

from .errors import GenesisError
from protocol.codes import Code, CODESPACE
from .genesis import genesis_state
from .metrics import AppMetrics
from .pending import LeftOut, PendingNonces
from .privacy import EXECUTION_KEYS_FILE, ExecutionKeys
from .modules.accounts import keys as account_keys
from .modules.validators.updates import validator_updates
from .proto import abci, crypto_proof
from .query import QueryGate, run_query
from .outcomes import PRIVATE_RESULT, PlainRequests, abci_events, abci_results  # noqa: F401 (PRIVATE_RESULT: the public result of a private tx)
from .rules import CHAIN, BlockContext, Executor, TxOutcome
from .snapshots import Snapshots
from .state import History, Overlay, Staged, Store, TxRecord

__all__ = ["Application", "APP_VERSION"]

APP_VERSION = 1
log = logging.getLogger("abci_app")


def _proto_size(tx: bytes) -> int:
    """Bytes a tx takes in a block's protobuf ``repeated bytes`` field."""
    n, size = len(tx), 1
    while n >= 0x80:
        n >>= 7
        size += 1
    return 1 + size + len(tx)


_NONCE_ORDER = frozenset({Code.NONCE_REPLAYED, Code.NONCE_AHEAD})  # a failure that says nothing about the sender's next nonce
_REJECT = abci.ResponseProcessProposal(status=abci.ResponseProcessProposal.REJECT)
_OUTCOME_RESERVE = 4096  # bytes kept free for the block outcome's fixed part


def _outcome_share(tx: bytes) -> int:
    """Bytes a tx is expected to add to the block outcome (a public tx's result, events and writes)."""
    return 8 if is_private(tx) else 256 + 2 * len(tx)


def _block_key(height: int, block_time: int, txs: list[bytes]) -> bytes:
    h = hashlib.sha256(b"%d/%d" % (height, block_time))
    for tx in txs:
        h.update(hashlib.sha256(tx).digest())
    return h.digest()


def plain_events(events) -> tuple:
    return tuple((e.type, tuple(e.attributes)) for e in events)


@dataclass
class _Block:
    """A block executed by this node (a proposal, or at FinalizeBlock): kept until FinalizeBlock."""

    height: int
    time: int
    txs: list[bytes]  # the client txs, then the outcome
    view: Overlay
    outcomes: list[TxOutcome]
    tree: Staged
    records: list[TxRecord]
    updates: list
    results: list
    events: list

    @property
    def outcome(self) -> bytes:
        return self.txs[-1]

    @property
    def app_hash(self) -> bytes:
        return self.tree.root_hash


@dataclass
class _Staged:
    height: int
    time: int
    view: Overlay
    records: list[TxRecord]
    tree: Staged


class Application(PlainRequests):
    def __init__(self, home: str | Path, *, blinding_key: bytes, expected_chain_id: str | None = None,
                 metrics: AppMetrics | None = None, clock: Callable[[], float] = time.time, history: History | None = None,
                 execution_keys: ExecutionKeys | None = None):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.store = Store(self.home / "state.sqlite", blinding_key, history)
        if expected_chain_id and self.store.chain_id and self.store.chain_id != expected_chain_id:
            raise GenesisError(
                f"state in {self.home} belongs to chain {self.store.chain_id!r}, not {expected_chain_id!r}; use another --home"
            )
        self.execution_keys = ExecutionKeys(self.home / EXECUTION_KEYS_FILE) if execution_keys is None else execution_keys
        self.executor = Executor(execution_keys=self.execution_keys)
        self.metrics = metrics or AppMetrics()
        self.metrics.height.set(self.store.height)
        self.check_view = Overlay(self.store)
        self.pending = PendingNonces()  # each sender's next nonce in the mempool, kept across Commit
        self.left_out = LeftOut()  # mempool txs this node's proposals found failing: refused at their RECHECK
        self.staged: _Staged | None = None
        self._blocks: OrderedDict[bytes, _Block] = OrderedDict()  # executed proposals, by content
        self.query_gate = QueryGate(clock)  # signed queries: this node's clock, each answered once
        self.snapshots = Snapshots(self.home / "snapshots", self.store, chain_id=expected_chain_id)  # state sync

    # ------------------------------------------------------------ info / genesis

    def info(self, req):
        height = self.store.height
        return abci.ResponseInfo(
            data="ets", version="0.1.0", app_version=APP_VERSION,
            last_block_height=height, last_block_app_hash=self.store.app_hash if height > 0 else b"",
        )

    def init_chain(self, req):
        validators = [(v.pub_key.WhichOneof("sum") or "", v.pub_key.ed25519, v.power) for v in req.validators]
        entries = genesis_state(req.app_state_bytes, validators)
        app_hash = self.store.reset_genesis(req.chain_id, entries, req.time.seconds)
        self.check_view = Overlay(self.store)
        self.pending.clear()
        self.staged = None
        log.info("init_chain chain_id=%s accounts=%d validators=%d app_hash=%s", req.chain_id,
                 sum(1 for k in entries if k.startswith(account_keys.ACCOUNTS)), len(validators), app_hash.hex())
        return abci.ResponseInitChain(app_hash=app_hash)

    # ------------------------------------------------------------ mempool

    def _next_context(self) -> BlockContext:
        return BlockContext(self.store.chain_id, self.store.height + 1, self.store.block_time)

    def check_tx(self, req):
        # CometBFT stops the whole node on an exception from any ABCI connection, so a bug reached
        # through the mempool must become a rejection here, never an exception.
        try:
            if req.type == abci.CheckTxType.RECHECK:
                outcome = self._recheck(req.tx)
            else:
                outcome = self.executor.execute_tx(self.check_view, req.tx, self._next_context())
                if outcome.code == Code.OK:
                    self.pending.accepted(outcome.signer, self.check_view, self.store.height)
        except Exception:
            log.exception("CheckTx failed unexpectedly; the tx is refused")
            return abci.ResponseCheckTx(code=Code.INTERNAL, log="internal error while checking the tx; it was refused", codespace=CODESPACE)
        self.metrics.count_tx("recheck" if req.type == abci.CheckTxType.RECHECK else "check", outcome.code)
        return abci.ResponseCheckTx(code=outcome.code, log=outcome.log, codespace=CODESPACE if outcome.code else "")

    def _recheck(self, tx: bytes) -> TxOutcome:
        """A tx still in CometBFT's mempool after a Commit: refused if this node's proposer left it out as
        failing or its nonce is used; else kept without executing it again (its signature stays verified)."""
        failed = self.left_out.pop(tx_hash(tx))
        if failed is not None:
            return TxOutcome(*failed)
        quick = self.executor.recheck(self.store, tx)
        if quick is not None:
            return quick
        outcome = self.executor.execute_tx(Overlay(self.store), tx, self._next_context())  # not cached: in full
        return TxOutcome(Code.OK, "", outcome.signer, outcome.type) if outcome.code == Code.NONCE_AHEAD else outcome

    # ------------------------------------------------------------ proposals

    def prepare_proposal(self, req):
        ctx = BlockContext(self.store.chain_id, req.height, req.time.seconds)
        view = Overlay(self.store)
        self.executor.begin_block(view, ctx)
        chosen, outcomes, used, failed = [], [], _OUTCOME_RESERVE, set()
        for tx in req.txs:
            size = _proto_size(tx)
            reserve = _outcome_share(tx)
            if used + size + reserve > req.max_tx_bytes:
                continue
            outcome = self.executor.execute_tx(view, tx, ctx)
            if outcome.code == Code.OK:
                chosen.append(tx)
                outcomes.append(outcome)
                used += size + reserve
            else:
                self._leave_out(tx, outcome, view, failed)
        self.executor.end_block(view, ctx)
        block = self._seal(req.height, req.time.seconds, view, chosen, outcomes, ctx.events)
        while sum(map(_proto_size, block.txs)) > req.max_tx_bytes and chosen:
            # the outcome came out larger than reserved (many public writes): leave the last txs for the next block
            chosen = chosen[:len(chosen) - max(1, len(chosen) // 8)]
            block = self._execute(req.height, req.time.seconds, chosen, strict=True)
        self._remember(block)
        return abci.ResponsePrepareProposal(txs=block.txs)

    def _leave_out(self, tx: bytes, outcome: TxOutcome, view: Overlay, failed: set[str]) -> None:
        """A mempool tx that fails in this proposal: the next RECHECK drops it from CometBFT's mempool, and
        its sender may send its nonce again. A tx ahead of its sender's failed one goes too (as a full recheck
        would refuse it); one ahead only of a tx that did not fit in the block stays for the next block."""
        if outcome.code == Code.NONCE_AHEAD and outcome.signer not in failed:
            return
        self.left_out.add(tx_hash(tx), outcome.code, outcome.log)
        if outcome.signer and outcome.code not in _NONCE_ORDER:
            failed.add(outcome.signer)
            self.pending.rewind(outcome.signer, self.check_view, view, self.store.height)

    def process_proposal(self, req):
        txs = list(req.txs)
        if not txs or not is_outcome(txs[-1]):
            log.warning("reject proposal height=%d: it does not end with the block outcome", req.height)
            return _REJECT
        block = self._blocks.get(_block_key(req.height, req.time.seconds, txs))
        if block is not None and any(o.code != Code.OK for o in block.outcomes):
            return _REJECT  # executed by outcome_of, failures included: a proposal must have none
        if block is None:
            block = self._execute(req.height, req.time.seconds, txs[:-1], strict=True)
            if isinstance(block, int):
                return _REJECT
            if block.outcome != txs[-1]:
                log.warning("reject proposal height=%d: its block outcome differs from this validator's execution "
                            "(app hash %s here)", req.height, block.app_hash.hex()[:16])
                return _REJECT
            self._remember(block)
        return abci.ResponseProcessProposal(status=abci.ResponseProcessProposal.ACCEPT)

    def outcome_of(self, height: int, block_time: int, txs: list[bytes]) -> bytes:
        """The outcome tx of a block of ``txs`` at ``height`` (executed as FinalizeBlock would, failures
        included, and kept so FinalizeBlock does not redo it): what a proposer appends to its block."""
        block = self._execute(height, block_time, list(txs), strict=False)
        self._remember(block)
        return block.outcome

    # ------------------------------------------------------------ blocks

    def _execute(self, height: int, block_time: int, txs: list[bytes], *, strict: bool) -> "_Block | int":
        """Execute a block's client txs on a fresh overlay. ``strict`` (a proposal): the index of the first
        tx that fails, if any; else failed txs get their result (and their nonce is used)."""
        ctx = BlockContext(self.store.chain_id, height, block_time)
        view = Overlay(self.store)
        self.executor.begin_block(view, ctx)
        outcomes = []
        for index, tx in enumerate(txs):
            outcome = self.executor.execute_tx(view, tx, ctx, consume_nonce_on_failure=not strict)
            if strict and outcome.code != Code.OK:
                log.warning("reject proposal height=%d: tx %d code=%d %s", height, index, outcome.code,
                            "(private)" if outcome.private and outcome.code != Code.EXECUTION_KEY_MISSING else outcome.log)
                return index
            outcomes.append(outcome)
        self.executor.end_block(view, ctx)
        return self._seal(height, block_time, view, txs, outcomes, ctx.events)

    def _seal(self, height: int, block_time: int, view: Overlay, txs: list[bytes], outcomes: list[TxOutcome],
              block_events: list[Event]) -> "_Block":
        """The executed block's state tree, public outcome (the last tx) and tx records."""
        tree = self.store.stage(height, view.writes)
        updates = validator_updates(self.store, view.writes)
        writes = tuple((k, v) for k, v in sorted(view.writes.items()) if CHAIN.to_observers(k) and self.store.get(k) != v)
        outcome = Outcome(
            height, tree.root_hash,
            tuple(None if o.private else Result(o.code, o.log, o.data, CODESPACE if o.code else "", plain_events(o.events))
                  for o in outcomes),
            plain_events(block_events),
            tuple((u.pub_key.WhichOneof("sum") or "", u.pub_key.ed25519, u.power) for u in updates),
            writes,
        )
        outcome_tx = encode_outcome(outcome)
        records = [(tx_hash(tx), height, index, o.code, o.log, o.signer, o.type, o.data, int(o.private))
                   for index, (tx, o) in enumerate(zip(txs, outcomes))]
        return _Block(height, block_time, [*txs, outcome_tx], view, outcomes, tree, records, updates,
                      abci_results(outcome), abci_events(outcome.events))

    def _remember(self, block: "_Block") -> None:
        self._blocks[_block_key(block.height, block.time, block.txs)] = block
        while len(self._blocks) > 8:
            self._blocks.popitem(last=False)

    def finalize_block(self, req):
        started = time.perf_counter()
        if self.store.height and req.height != self.store.height + 1:
            raise RuntimeError(f"FinalizeBlock for height {req.height} but the last committed height is {self.store.height}")
        txs = list(req.txs)
        if not txs or not is_outcome(txs[-1]):
            raise RuntimeError(f"block {req.height} does not end with a block outcome: it was not proposed by this "
                               "chain's rules; this node stops rather than guess its results")
        block = self._blocks.get(_block_key(req.height, req.time.seconds, txs))
        self._blocks.clear()
        if block is None:
            block = self._execute(req.height, req.time.seconds, txs[:-1], strict=False)
        missing = next((o for o in block.outcomes if o.code == Code.EXECUTION_KEY_MISSING), None)
        if missing is not None:  # executing without the key would diverge from the validators that hold it
            raise RuntimeError(f"block {req.height} holds private txs this validator cannot open ({missing.log}); add the "
                               f"key to {self.home / EXECUTION_KEYS_FILE} and restart the node")
        if block.txs[-1] != txs[-1]:
            raise RuntimeError(f"block {req.height}'s outcome differs from this node's execution (app hash "
                               f"{block.app_hash.hex()} here): this node diverged from the chain and stops")
        self.staged = _Staged(req.height, req.time.seconds, block.view, block.records, block.tree)
        for outcome in block.outcomes:
            self.metrics.count_tx("deliver", outcome.code)
        self.metrics.block_txs.observe(len(txs) - 1)
        self.metrics.block_seconds.labels("finalize_block").observe(time.perf_counter() - started)
        if len(txs) > 1:
            log.info("finalize height=%d txs=%d ok=%d app_hash=%s ms=%.1f", req.height, len(txs) - 1,
                     sum(1 for o in block.outcomes if o.code == Code.OK), block.app_hash.hex()[:16],
                     (time.perf_counter() - started) * 1e3)
        return abci.ResponseFinalizeBlock(tx_results=block.results, events=block.events, app_hash=block.app_hash,
                                          validator_updates=block.updates)

    def commit(self, req):
        staged = self.staged
        if staged is None:
            raise RuntimeError("Commit without a finalized block")
        started = time.perf_counter()
        self.store.commit_block(staged.height, staged.tree, staged.time, staged.view.writes, staged.records)
        self.executor.forget(record[0] for record in staged.records)  # their decoded messages are of no further use
        self.metrics.block_seconds.labels("commit").observe(time.perf_counter() - started)
        self.metrics.height.set(staged.height)
        self.staged = None
        self.check_view = self.pending.view_after_commit(self.store)
        self.snapshots.after_commit()  # every snapshot_interval heights; written in the background
        return abci.ResponseCommit(retain_height=0)

    # ------------------------------------------------------------ queries

    def query(self, req):
        try:
            result = run_query(self.store, req.path, req.data, req.height, self.query_gate, req.prove)
        except Exception:
            log.exception("query %r failed unexpectedly", req.path[:100])
            return abci.ResponseQuery(code=Code.INTERNAL, log="internal error while answering the query", codespace=CODESPACE)
        proof_ops = None
        if result.proof:
            proof_ops = crypto_proof.ProofOps(ops=[crypto_proof.ProofOp(type=PROOF_OP_TYPE, key=result.key, data=result.proof)])
        return abci.ResponseQuery(
            code=result.code, value=result.value, log=result.log, key=result.key, proof_ops=proof_ops,
            height=self.store.height if result.height is None else result.height,
            codespace=CODESPACE if result.code else "",
        )

    # ------------------------------------------------------------ state sync (abci_app.snapshots)

    def list_snapshots(self, req):
        return self.snapshots.list_snapshots(req)

    def offer_snapshot(self, req):
        return self.snapshots.offer_snapshot(req)

    def load_snapshot_chunk(self, req):
        return self.snapshots.load_snapshot_chunk(req)

    def apply_snapshot_chunk(self, req):
        response = self.snapshots.apply_snapshot_chunk(req)
        if self.snapshots.take_restored():  # the last chunk replaced the state: nothing staged survives it
            self.check_view, self.staged = Overlay(self.store), None
            self.pending.clear()
            self._blocks.clear()
            self.metrics.height.set(self.store.height)
        return response
