"""An observer node's ABCI application: follows the chain, serves public state, learns nothing private.

A company's own node, a ministry's or the public's: CometBFT runs as a non-validator full node and
verifies every block's commit signatures as usual; this app stands where the validators' app
stands, with no execution key and no state blinding key. It cannot execute private txs, and it
does not need to: every block ends with its **outcome** (``protocol.outcome``), which every
honest validator checked against its own execution before prevoting. The observer answers

    InitChain        the public genesis entries; the app hash from genesis.json's ``app_hash``
                     (written there by whoever made the genesis with the validators' blinding key)
    FinalizeBlock    the tx results, events, validator updates and app hash from the outcome:
                     byte for byte what the validators returned, so the next header's AppHash and
                     LastResultsHash match and CometBFT keeps following the chain
    Commit           the outcome's public writes into ``HOME/public.sqlite``
    Query            the chain's query routes over that public state: a route that needs a private
                     key (a balance, an order book) answers ``OBSERVER_ONLY_PUBLIC``; raw keys with
                     proofs come from validators (``ets verify`` checks them with the light client)
    CheckTx          refused: txs go to validators (an observer cannot check a private tx)

What it keeps is exactly what the outcome carries: public state, the public results of public txs
and events. A private tx is an ``ETSP`` ciphertext in its block and a null in the outcome.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from protocol.codes import CODESPACE, Code
from protocol.outcome import Outcome, OutcomeError, decode_outcome, is_outcome
from protocol.private_tx import is_private

from .errors import GenesisError, StorageError
from .genesis import genesis_state
from .state import open_state_db
from .outcomes import PlainRequests, abci_events, abci_results
from .proto import abci
from .query import QueryGate, run_query
from .rules import CHAIN

__all__ = ["Observer", "PublicStore", "NotPublic", "read_genesis_app_hash"]

log = logging.getLogger("abci_app.observer")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
"""


class NotPublic(Exception):
    """A read an observer node cannot answer: the key is not public, or proofs are asked for."""


def read_genesis_app_hash(genesis_path: str | Path) -> bytes:
    """The ``app_hash`` of a CometBFT genesis.json (32 bytes), which an observer node starts from."""
    try:
        doc = json.loads(Path(genesis_path).read_text())
        app_hash = bytes.fromhex(doc.get("app_hash") or "")
    except (OSError, ValueError, AttributeError) as exc:
        raise GenesisError(f"cannot read the app_hash of {genesis_path}: {exc}") from None
    if len(app_hash) != 32:
        raise GenesisError(f"{genesis_path} has no 32-byte app_hash: an observer node needs the genesis app hash, which "
                           "`ets localnet create` writes there (computed with the validators' blinding key)")
    return app_hash


class _History:
    window, checkpoint = 0, 0


class PublicStore:
    """The public part of the state: what the outcomes wrote, with the chain's height and app hash.

    It answers the same reads as ``abci_app.state.Store``; a key that is not public raises
    ``NotPublic`` (it never answers "absent" for something it cannot know)."""

    history = _History()

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._db, meta = open_state_db(self.path, _SCHEMA, "the observer's state")
        self.height, self.app_hash, self.block_time, self.chain_id, self.initialized = meta

    @staticmethod
    def _public(key_or_prefix: str) -> None:
        if not CHAIN.is_public(key_or_prefix):
            raise NotPublic(f"{key_or_prefix[:60]!r} is not public state")

    def get(self, key: str) -> bytes | None:
        self._public(key)
        row = self._db.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def scan(self, prefix: str, limit: int = 10_000) -> list[tuple[str, bytes]]:
        self._public(prefix)
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        rows = self._db.execute("SELECT k, v FROM kv WHERE k >= ? AND k < ? ORDER BY k LIMIT ?", (prefix, upper, limit))
        return [(k, bytes(v)) for k, v in rows]

    def scan_range(self, low: str, high: str, limit: int = 10_000) -> list[tuple[str, bytes]]:
        self._public(low)
        rows = self._db.execute("SELECT k, v FROM kv WHERE k >= ? AND k < ? ORDER BY k LIMIT ?", (low, high, limit))
        return [(k, bytes(v)) for k, v in rows if CHAIN.is_public(k)]

    def items(self) -> Iterator[tuple[str, bytes]]:
        for k, v in self._db.execute("SELECT k, v FROM kv ORDER BY k"):
            yield k, bytes(v)

    def iter_range(self, low: str, high: str) -> Iterator[tuple[str, bytes]]:
        """Public entries in ``[low, high)`` in key order (market depth walks its level keys)."""
        yield from self.scan_range(low, high, 100_000)

    def prove(self, key: str, height: int | None = None):
        raise NotPublic("an observer node holds no state tree: read keys with proofs from a validator")

    def kept_heights(self) -> list[int]:
        return []

    def tx_result(self, tx_hash: bytes):
        raise NotPublic("tx records are kept by the validators")

    def commit(self, height: int, app_hash: bytes, block_time: int, writes: tuple[tuple[str, bytes | None], ...],
               chain_id: str | None = None, replace: bool = False) -> None:
        """One block's public writes (or, with ``replace``, the whole genesis state), atomically."""
        if chain_id is not None:
            self.chain_id = chain_id
        try:
            cur = self._db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            if replace:
                cur.execute("DELETE FROM kv")
            cur.executemany("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", [(k, v) for k, v in writes if v is not None])
            cur.executemany("DELETE FROM kv WHERE k = ?", [(k,) for k, v in writes if v is None])
            cur.executemany("INSERT OR REPLACE INTO meta (name, v) VALUES (?, ?)", [
                ("height", str(height).encode()), ("app_hash", app_hash), ("block_time", str(block_time).encode()),
                ("chain_id", self.chain_id.encode()),
            ])
            cur.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StorageError(f"commit of block {height} to {self.path} failed: {exc}") from exc
        self.height, self.app_hash, self.block_time, self.initialized = height, app_hash, block_time, True

    def close(self) -> None:
        self._db.close()


@dataclass
class _Staged:
    height: int
    time: int
    outcome: Outcome


class Observer(PlainRequests):
    """The ABCI application of an observer node (same requests as ``abci_app.app.Application``)."""

    def __init__(self, home: str | Path, *, genesis_app_hash: bytes, expected_chain_id: str | None = None,
                 clock: Callable[[], float] = time.time):
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.store = PublicStore(self.home / "public.sqlite")
        if expected_chain_id and self.store.chain_id and self.store.chain_id != expected_chain_id:
            raise GenesisError(f"state in {self.home} belongs to chain {self.store.chain_id!r}, not {expected_chain_id!r}")
        self.genesis_app_hash = genesis_app_hash
        self.staged: _Staged | None = None
        self.query_gate = QueryGate(clock)

    # ------------------------------------------------------------ info / genesis

    def info(self, req):
        height = self.store.height
        return abci.ResponseInfo(data="ets-observer", version="0.1.0", app_version=1, last_block_height=height,
                                 last_block_app_hash=self.store.app_hash if height > 0 else b"")

    def init_chain(self, req):
        validators = [(v.pub_key.WhichOneof("sum") or "", v.pub_key.ed25519, v.power) for v in req.validators]
        entries = genesis_state(req.app_state_bytes, validators)
        public = tuple(sorted((k, v) for k, v in entries.items() if CHAIN.to_observers(k)))
        self.store.commit(0, self.genesis_app_hash, req.time.seconds, public, chain_id=req.chain_id, replace=True)
        log.info("init_chain chain_id=%s public entries=%d of %d app_hash=%s", req.chain_id, len(public), len(entries),
                 self.genesis_app_hash.hex())
        return abci.ResponseInitChain(app_hash=self.genesis_app_hash)

    # ------------------------------------------------------------ mempool and proposals

    def check_tx(self, req):
        return abci.ResponseCheckTx(code=Code.OBSERVER_ONLY_PUBLIC, codespace=CODESPACE,
                                    log="this is an observer node: it takes no txs; send them to a validator's RPC")

    def prepare_proposal(self, req):  # never the proposer (not a validator); propose nothing of its own
        return abci.ResponsePrepareProposal(txs=list(req.txs))

    def process_proposal(self, req):
        try:
            self._outcome(req.height, list(req.txs))
        except OutcomeError as exc:
            log.warning("proposal height=%d: %s", req.height, exc)
            return abci.ResponseProcessProposal(status=abci.ResponseProcessProposal.REJECT)
        return abci.ResponseProcessProposal(status=abci.ResponseProcessProposal.ACCEPT)

    # ------------------------------------------------------------ blocks

    @staticmethod
    def _outcome(height: int, txs: list[bytes]) -> Outcome:
        if not txs or not is_outcome(txs[-1]):
            raise OutcomeError(f"block {height} does not end with a block outcome")
        outcome = decode_outcome(txs[-1])
        if outcome.height != height:
            raise OutcomeError(f"block {height} carries the outcome of height {outcome.height}")
        if len(outcome.results) != len(txs) - 1:
            raise OutcomeError(f"block {height} has {len(txs) - 1} txs but its outcome {len(outcome.results)} results")
        for index, (tx, result) in enumerate(zip(txs, outcome.results)):
            if (result is None) != is_private(tx):
                raise OutcomeError(f"block {height}: tx {index}'s result does not match its kind (private or public)")
        for key, _ in outcome.writes:
            if not CHAIN.to_observers(key):
                raise OutcomeError(f"block {height}'s outcome writes a key that is not public ({key[:40]!r})")
        return outcome

    def finalize_block(self, req):
        if self.store.height and req.height != self.store.height + 1:
            raise RuntimeError(f"FinalizeBlock for height {req.height} but the last committed height is {self.store.height}")
        try:
            outcome = self._outcome(req.height, list(req.txs))
        except OutcomeError as exc:
            # a committed block the validators signed: its outcome is what they computed; one this node cannot
            # read means this node's software is not the chain's, and guessing would diverge
            raise RuntimeError(f"{exc}; this observer stops rather than guess the block's results") from None
        self.staged = _Staged(req.height, req.time.seconds, outcome)
        if len(req.txs) > 1:
            log.info("finalize height=%d txs=%d public writes=%d app_hash=%s", req.height, len(req.txs) - 1,
                     len(outcome.writes), outcome.app_hash.hex()[:16])
        return abci.ResponseFinalizeBlock(
            tx_results=abci_results(outcome), events=abci_events(outcome.events), app_hash=outcome.app_hash,
            validator_updates=[abci.ValidatorUpdate(pub_key={kind: key}, power=power) for kind, key, power in outcome.validators])

    def commit(self, req):
        staged = self.staged
        if staged is None:
            raise RuntimeError("Commit without a finalized block")
        self.store.commit(staged.height, staged.outcome.app_hash, staged.time, staged.outcome.writes)
        self.staged = None
        return abci.ResponseCommit(retain_height=0)

    # ------------------------------------------------------------ queries

    def query(self, req):
        try:
            result = run_query(self.store, req.path, req.data, req.height, self.query_gate, req.prove)
        except NotPublic as exc:
            return abci.ResponseQuery(code=Code.OBSERVER_ONLY_PUBLIC, codespace=CODESPACE, height=self.store.height,
                                      log=f"this observer node holds only public state ({exc}); ask a validator")
        except Exception:
            log.exception("query %r failed unexpectedly", req.path[:100])
            return abci.ResponseQuery(code=Code.INTERNAL, log="internal error while answering the query", codespace=CODESPACE)
        return abci.ResponseQuery(code=result.code, value=result.value, log=result.log, key=result.key,
                                  height=self.store.height if result.height is None else result.height,
                                  codespace=CODESPACE if result.code else "")

    # ------------------------------------------------------------ state sync: observers replay blocks

    def list_snapshots(self, req):
        return abci.ResponseListSnapshots()

    def offer_snapshot(self, req):
        return abci.ResponseOfferSnapshot(result=abci.ResponseOfferSnapshot.REJECT)

    def load_snapshot_chunk(self, req):
        return abci.ResponseLoadSnapshotChunk()

    def apply_snapshot_chunk(self, req):
        return abci.ResponseApplySnapshotChunk(result=abci.ResponseApplySnapshotChunk.ABORT)
