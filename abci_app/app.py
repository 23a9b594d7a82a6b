"""The ABCI 2.0 application: CometBFT's requests mapped onto the rules and the store.

    Info             last committed height and app hash (CometBFT replays anything after it)
    InitChain        genesis app_state → state at height 0 (re-run from scratch if called again)
    CheckTx          execute_tx on the mempool view (reset to committed state at every Commit;
                     CometBFT's Recheck re-applies what stays in the mempool)
    PrepareProposal  execute_tx over the mempool's txs in order; keep those that pass and fit
    ProcessProposal  begin-of-block work (market sessions), execute_tx over the proposal, then the
                     end-of-block work; ACCEPT only if every
                     tx passes. The result is kept by block hash so FinalizeBlock does not redo it
    FinalizeBlock    one result per tx, in order, then the end-of-block work (queued e-orders);
                     stage writes and compute the app hash (the state tree's root, ``state.py``).
                     Each accepted public tx's result carries its events, the block hooks' events
                     go in the response's ``events``: public attributes only (``protocol.events``,
                     the tables in ``rules.py``). A private tx's result is ``PRIVATE_RESULT`` for
                     all (its real outcome is kept for ``/tx`` queries by its signer); governed
                     validator changes go out as ``validator_updates``
    Commit           persist the staged block in one SQLite transaction; every
                     ``--snapshot-interval`` heights a state-sync snapshot is written in the background
    Query            ``abci_app.query`` (``/state/<key>`` answers with proof ops)
    state sync       ListSnapshots / LoadSnapshotChunk / OfferSnapshot / ApplySnapshotChunk: ``snapshots.py``

Private txs are opened with this validator's execution keys (``privacy.py``); one it cannot open
makes ProcessProposal REJECT and FinalizeBlock stop the node rather than diverge.

Consensus requests fail-stop: a storage error or an unexpected exception ends the process
(CometBFT's handshake replays the block after restart) rather than risk divergence.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from protocol.codec import tx_hash
from protocol.events import Event
from protocol.smt import PROOF_OP_TYPE

from .errors import GenesisError
from protocol.codes import Code, CODESPACE
from .genesis import genesis_entries
from .metrics import AppMetrics
from .privacy import EXECUTION_KEYS_FILE, ExecutionKeys
from .modules.accounts import keys as account_keys
from .modules.validators.updates import genesis_entries as validator_entries, validator_updates
from .proto import abci, crypto_proof
from .query import QueryGate, run_query
from .rules import BlockContext, Executor, TxOutcome
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


PRIVATE_RESULT = abci.ExecTxResult(code=Code.OK)  # no log, data or events: nothing of a private tx is public


def _abci_events(events: tuple[Event, ...] | list[Event]) -> list[abci.Event]:
    return [abci.Event(type=e.type, attributes=[abci.EventAttribute(key=k, value=v, index=i) for k, v, i in e.attributes])
            for e in events]


@dataclass
class _Staged:
    height: int
    time: int
    view: Overlay
    records: list[TxRecord]
    tree: Staged


class Application:
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
        self.staged: _Staged | None = None
        self._proposals: OrderedDict[bytes, tuple[Overlay, list[TxOutcome], list[Event]]] = OrderedDict()
        self.query_gate = QueryGate(clock)  # signed queries: this node's clock, each answered once
        self.snapshots = Snapshots(self.home / "snapshots", self.store, chain_id=expected_chain_id)  # state sync

    # ------------------------------------------------------------ info / genesis

    def echo(self, req):
        return abci.ResponseEcho(message=req.message)

    def flush(self, req):
        return abci.ResponseFlush()

    def info(self, req):
        height = self.store.height
        return abci.ResponseInfo(
            data="ets", version="0.1.0", app_version=APP_VERSION,
            last_block_height=height, last_block_app_hash=self.store.app_hash if height > 0 else b"",
        )

    def init_chain(self, req):
        validators = [(v.pub_key.WhichOneof("sum") or "", v.pub_key.ed25519, v.power) for v in req.validators]
        entries = {**genesis_entries(req.app_state_bytes), **validator_entries(validators)}
        app_hash = self.store.reset_genesis(req.chain_id, entries, req.time.seconds)
        self.check_view = Overlay(self.store)
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
            outcome = self.executor.execute_tx(self.check_view, req.tx, self._next_context())
        except Exception:
            log.exception("CheckTx failed unexpectedly; the tx is refused")
            return abci.ResponseCheckTx(code=Code.INTERNAL, log="internal error while checking the tx; it was refused", codespace=CODESPACE)
        self.metrics.txs.labels("check", str(outcome.code)).inc()
        return abci.ResponseCheckTx(code=outcome.code, log=outcome.log, codespace=CODESPACE if outcome.code else "")

    def insert_tx(self, req):
        return abci.ResponseInsertTx(code=Code.NOT_SUPPORTED)

    def reap_txs(self, req):
        return abci.ResponseReapTxs()

    # ------------------------------------------------------------ proposals

    def prepare_proposal(self, req):
        ctx = BlockContext(self.store.chain_id, req.height, req.time.seconds)
        view = Overlay(self.store)
        self.executor.begin_block(view, ctx)
        chosen, used = [], 0
        for tx in req.txs:
            size = _proto_size(tx)
            if used + size > req.max_tx_bytes:
                continue
            if self.executor.execute_tx(view, tx, ctx).code == Code.OK:
                chosen.append(tx)
                used += size
        return abci.ResponsePrepareProposal(txs=chosen)

    def process_proposal(self, req):
        ctx = BlockContext(self.store.chain_id, req.height, req.time.seconds)
        view = Overlay(self.store)
        self.executor.begin_block(view, ctx)
        outcomes = []
        for tx in req.txs:
            outcome = self.executor.execute_tx(view, tx, ctx)
            if outcome.code != Code.OK:
                log.warning("reject proposal height=%d: tx %d code=%d %s", req.height, len(outcomes), outcome.code,
                            "(private)" if outcome.private and outcome.code != Code.EXECUTION_KEY_MISSING else outcome.log)
                return abci.ResponseProcessProposal(status=abci.ResponseProcessProposal.REJECT)
            outcomes.append(outcome)
        self.executor.end_block(view, ctx)
        self._proposals[req.hash] = (view, outcomes, ctx.events)
        while len(self._proposals) > 8:
            self._proposals.popitem(last=False)
        return abci.ResponseProcessProposal(status=abci.ResponseProcessProposal.ACCEPT)

    def extend_vote(self, req):
        return abci.ResponseExtendVote(vote_extension=b"")

    def verify_vote_extension(self, req):
        ok = not req.vote_extension
        return abci.ResponseVerifyVoteExtension(
            status=abci.ResponseVerifyVoteExtension.ACCEPT if ok else abci.ResponseVerifyVoteExtension.REJECT
        )

    # ------------------------------------------------------------ blocks

    def finalize_block(self, req):
        started = time.perf_counter()
        if self.store.height and req.height != self.store.height + 1:
            raise RuntimeError(f"FinalizeBlock for height {req.height} but the last committed height is {self.store.height}")
        ctx = BlockContext(self.store.chain_id, req.height, req.time.seconds)
        cached = self._proposals.get(req.hash)
        self._proposals.clear()
        if cached is not None and len(cached[1]) == len(req.txs):
            view, outcomes, block_events = cached
        else:
            view = Overlay(self.store)
            self.executor.begin_block(view, ctx)
            outcomes = [self.executor.execute_tx(view, tx, ctx, consume_nonce_on_failure=True) for tx in req.txs]
            self.executor.end_block(view, ctx)
            block_events = ctx.events
        missing = next((o for o in outcomes if o.code == Code.EXECUTION_KEY_MISSING), None)
        if missing is not None:  # executing without the key would diverge from the validators that hold it
            raise RuntimeError(f"block {req.height} holds private txs this validator cannot open ({missing.log}); add the "
                               f"key to {self.home / EXECUTION_KEYS_FILE} and restart the node")
        tree = self.store.stage(req.height, view.writes)
        app_hash = tree.root_hash
        results, records = [], []
        for index, (tx, outcome) in enumerate(zip(req.txs, outcomes)):
            if outcome.private:  # the same public result for every private tx; the signer reads /tx/<hash>
                results.append(PRIVATE_RESULT)
            else:
                results.append(abci.ExecTxResult(
                    code=outcome.code, log=outcome.log, data=outcome.data,
                    codespace=CODESPACE if outcome.code else "", events=_abci_events(outcome.events),
                ))
            records.append((tx_hash(tx), req.height, index, outcome.code, outcome.log, outcome.signer, outcome.type,
                            outcome.data, int(outcome.private)))
        self.staged = _Staged(req.height, req.time.seconds, view, records, tree)
        for outcome in outcomes:
            self.metrics.txs.labels("deliver", str(outcome.code)).inc()
        self.metrics.block_txs.observe(len(req.txs))
        self.metrics.block_seconds.labels("finalize_block").observe(time.perf_counter() - started)
        if req.txs:
            log.info("finalize height=%d txs=%d ok=%d app_hash=%s ms=%.1f", req.height, len(req.txs),
                     sum(1 for o in outcomes if o.code == Code.OK), app_hash.hex()[:16], (time.perf_counter() - started) * 1e3)
        return abci.ResponseFinalizeBlock(tx_results=results, events=_abci_events(block_events), app_hash=app_hash,
                                          validator_updates=validator_updates(self.store, view.writes))

    def commit(self, req):
        staged = self.staged
        if staged is None:
            raise RuntimeError("Commit without a finalized block")
        started = time.perf_counter()
        self.store.commit_block(staged.height, staged.tree, staged.time, staged.view.writes, staged.records)
        self.metrics.block_seconds.labels("commit").observe(time.perf_counter() - started)
        self.metrics.height.set(staged.height)
        self.staged = None
        self.check_view = Overlay(self.store)
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
            self._proposals.clear()
            self.metrics.height.set(self.store.height)
        return response
