"""Committed state in SQLite, staged overlays, and the state tree whose root is the app hash.

State is a map of text keys to byte values. Blocks are executed on an ``Overlay`` over the
committed ``Store``; only ``Store.commit_block`` writes, in one SQLite transaction that
also records the height, the app hash and the block's new tree nodes, so a crash at any point
leaves the last committed block intact and CometBFT's handshake replays the rest.

The app hash is the root of a sparse Merkle tree over every (key, value) pair (rules in
``protocol.smt``, storage in ``abci_app.smt``): ``stage`` computes a block's new root from its
writes in O(changed keys × log n), ``prove`` gives membership and non-membership proofs at the
latest height or any kept past one, and ``Store.recompute_root`` recomputes the root from the
key/value table alone. Current reads come from the ``kv`` table; past ones from the tree.

Ordered reads (``iter_range``): keys sort as text, so a module that encodes priority in its keys (the
order book: price level, then arrival) walks them in order. The store pages through SQLite's primary
key (O(log n) to find the first key, then sequential); an overlay merges its parent's walk with its own
writes in the same range. An overlay keeps its written keys sorted per *family* (a key's first segment
with its ``/``, e.g. ``bko/``) from the first ordered read of that family on, so a walk costs
O(log w) to start among w staged keys; overlays never walked keep no index and cost nothing extra.
"""

from __future__ import annotations

import shutil
import sqlite3
from bisect import bisect_left, insort
from pathlib import Path
from typing import Iterable, Iterator

from protocol.smt import Proof

from .errors import StorageError
from .smt import SCHEMA as _TREE_SCHEMA, Staged, Tree, root_of

__all__ = ["Store", "Overlay", "family_of", "TxRecord", "History", "Staged", "open_state_db", "storage_failure"]

_ABSENT_LIMIT = 100_000
_CACHE_LIMIT = 100_000  # committed values kept in memory (~250 bytes each); past it the cache starts again (SQLite holds them all)
_FULL_BELOW = 1 << 20  # bytes free under which a failed write is taken for a full disk

TxRecord = tuple[bytes, int, int, int, str, str, str, bytes, int]  # hash, height, index, code, log, signer, type, data, private

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tx_result (
    hash BLOB PRIMARY KEY, height INTEGER NOT NULL, idx INTEGER NOT NULL,
    code INTEGER NOT NULL, log TEXT NOT NULL, signer TEXT NOT NULL, type TEXT NOT NULL,
    data BLOB NOT NULL DEFAULT x'', private INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
""" + _TREE_SCHEMA


def _recovery(path: Path) -> str:
    return (f"Move {path.name} (with its -wal and -shm files) out of {path.parent} and start the node again: "
            "CometBFT replays the chain from its block store into a new database (or join the node by state sync)")


def storage_failure(action: str, path: Path, exc: sqlite3.Error) -> StorageError:
    """The ``StorageError`` for a failed write, saying so plainly when the disk holding ``path`` is full."""
    full = getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    try:
        full = full or shutil.disk_usage(path.parent).free < _FULL_BELOW
    except OSError:
        pass
    if full:
        return StorageError(f"disk full: {action} to {path} failed ({exc}); the node stops rather than diverge. "
                            f"Free space on the filesystem of {path.parent} and start the node again: "
                            "CometBFT replays the blocks this node has not committed")
    return StorageError(f"{action} to {path} failed: {exc}")


def _check_integrity(db: sqlite3.Connection, path: Path, what: str) -> None:
    """Refuse a damaged file (``PRAGMA quick_check``: every page, cell and b-tree of the file is read)."""
    problems = [row[0] for row in db.execute("PRAGMA quick_check(5)")]
    if problems != ["ok"]:
        raise StorageError(f"damaged database: {what} {path} fails its integrity check ({'; '.join(problems)[:300]}); "
                           f"the node refuses to start on it. {_recovery(path)}")


def open_state_db(path: Path, schema: str, what: str) -> tuple[sqlite3.Connection, tuple[int, bytes, int, str, bool]]:
    """The SQLite database at ``path`` (WAL, synchronous commits, integrity checked, ``schema`` applied)
    and its committed (height, app hash, block time, chain id, initialized) from the ``meta`` table.

    A damaged file (truncated, a page overwritten) is refused with a ``StorageError`` that says how to
    recover; the node never serves state from it."""
    path = Path(path)
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        _check_integrity(db, path, what)
        db.executescript(schema)
        meta = dict(db.execute("SELECT name, v FROM meta"))
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            raise StorageError(f"damaged database: cannot read {what} {path} ({exc}); the node refuses to start on it. "
                               f"{_recovery(path)}") from exc
        raise StorageError(f"cannot open {what} {path}: {exc}") from exc
    return db, (int(meta.get("height", b"0")), bytes(meta.get("app_hash", b"")), int(meta.get("block_time", b"0")),
                bytes(meta.get("chain_id", b"")).decode(), "height" in meta)


class History:
    """Which past versions of the tree a node keeps: the last ``window`` heights and every
    ``checkpoint``-th height (0: none). A node-local choice: it never changes the app hash."""

    __slots__ = ("window", "checkpoint")

    def __init__(self, window: int = 100_000, checkpoint: int = 10_000):
        if window < 1 or checkpoint < 0:
            raise ValueError("history keeps at least 1 recent height; checkpoints every N ≥ 0 heights")
        self.window, self.checkpoint = window, checkpoint


class Store:
    """The committed state of one node. Reads go through an in-memory cache.

    ``blinding_key`` is the validators' shared secret behind each key's blinding factor
    (``protocol.smt``): every validator of a chain must be given the same 32 bytes."""

    def __init__(self, path: str | Path, blinding_key: bytes, history: History | None = None):
        self.path = Path(path)
        self.history = history or History()
        self._db, (self.height, self.app_hash, self.block_time, self.chain_id, self.initialized) = open_state_db(
            self.path, _SCHEMA, "state database")
        self._cache: dict[str, bytes] = {}
        self._absent: set[str] = set()  # bounded: lookups of missing keys are cheap to ask for
        if self._db.execute("SELECT 1 FROM meta WHERE name = 'accumulator'").fetchone():
            raise StorageError(f"{self.path} was written by an older version whose app hash was a multiset hash; "
                               "start from a new home (ets localnet stop, remove the localnet folder, start again)")
        try:
            self.tree = Tree(self._db, blinding_key)
        except ValueError as exc:
            raise StorageError(str(exc)) from None
        if self.initialized and (self.tree.version != self.height or self.tree.root[1] != self.app_hash):
            raise StorageError(f"state tree of {self.path} is at version {self.tree.version}, not at the committed height "
                               f"{self.height}, or its root is not the app hash: damaged database. {_recovery(self.path)}")

    def get(self, key: str) -> bytes | None:
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if key in self._absent:
            return None
        row = self._db.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        if row is None:
            if len(self._absent) >= _ABSENT_LIMIT:
                self._absent.clear()
            self._absent.add(key)
            return None
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        value = self._cache[key] = bytes(row[0])
        return value

    def scan(self, prefix: str, limit: int = 10_000) -> list[tuple[str, bytes]]:
        """Committed entries whose key starts with ``prefix``, in key order."""
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        rows = self._db.execute("SELECT k, v FROM kv WHERE k >= ? AND k < ? ORDER BY k LIMIT ?", (prefix, upper, limit))
        return [(k, bytes(v)) for k, v in rows]

    def scan_range(self, low: str, high: str, limit: int = 10_000) -> list[tuple[str, bytes]]:
        """Committed entries with ``low <= key < high``, in key order."""
        rows = self._db.execute("SELECT k, v FROM kv WHERE k >= ? AND k < ? ORDER BY k LIMIT ?", (low, high, limit))
        return [(k, bytes(v)) for k, v in rows]

    def items(self) -> Iterator[tuple[str, bytes]]:
        for k, v in self._db.execute("SELECT k, v FROM kv ORDER BY k"):
            yield k, bytes(v)

    def iter_range(self, low: str, high: str) -> Iterator[tuple[str, bytes]]:
        """Committed entries with ``low <= key < high`` in key order, read lazily in pages."""
        page, op = 16, ">="
        while True:
            rows = self._db.execute(f"SELECT k, v FROM kv WHERE k {op} ? AND k < ? ORDER BY k LIMIT ?", (low, high, page)).fetchall()
            for k, v in rows:
                yield k, bytes(v)
            if len(rows) < page:
                return
            low, op, page = rows[-1][0], ">", min(page * 2, 1024)

    # ------------------------------------------------------------ the state tree

    def recompute_root(self) -> bytes:
        """The app hash recomputed from the key/value table alone, ignoring the stored tree."""
        return root_of(self.items(), self.tree.blinding_key)

    def stage(self, height: int, writes: dict[str, bytes | None]) -> Staged:
        """The tree after applying ``writes`` to the committed state (nothing is written)."""
        changes = {}
        for key, new in writes.items():
            if self.get(key) != new:
                changes[key] = new
        return self.tree.stage(height, changes)

    def prove(self, key: str, height: int | None = None) -> tuple[bytes | None, bytes, Proof]:
        """(value or None, the key's blinding factor, proof) at ``height`` (default: the latest).

        ``LookupError`` when that height's state is not kept on this node."""
        value, proof = self.tree.prove(key, self.height if height is None else height)
        return value, self.tree.blind(key), proof

    def kept_heights(self) -> list[int]:
        return self.tree.versions()

    def tx_result(self, tx_hash: bytes) -> tuple | None:
        return self._db.execute(
            "SELECT height, idx, code, log, signer, type, data, private FROM tx_result WHERE hash = ?", (tx_hash,)
        ).fetchone()

    def _write_meta(self, cur: sqlite3.Cursor, height: int, app_hash: bytes, block_time: int) -> None:
        cur.executemany(
            "INSERT OR REPLACE INTO meta (name, v) VALUES (?, ?)",
            [
                ("height", str(height).encode()),
                ("app_hash", app_hash),
                ("block_time", str(block_time).encode()),
                ("chain_id", self.chain_id.encode()),
            ],
        )

    def commit_block(
        self,
        height: int,
        staged: Staged,
        block_time: int,
        writes: dict[str, bytes | None],
        tx_records: Iterable[TxRecord],
    ) -> None:
        """Persist one block atomically. Any storage error is fatal (``StorageError``)."""
        if staged.version != height:
            raise StorageError(f"the staged state tree is for height {staged.version}, not {height}")
        upserts = [(k, v) for k, v in sorted(writes.items()) if v is not None]
        deletes = [(k,) for k, v in sorted(writes.items()) if v is None]
        try:
            cur = self._db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            cur.executemany("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", upserts)
            cur.executemany("DELETE FROM kv WHERE k = ?", deletes)
            # The first result of a tx hash stands: a repeated copy of the same bytes cannot overwrite it.
            cur.executemany("INSERT OR IGNORE INTO tx_result VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", list(tx_records))
            self.tree.write(cur, staged)
            self.tree.prune(cur, height, self.history.window, self.history.checkpoint)
            self._write_meta(cur, height, staged.root_hash, block_time)
            cur.execute("COMMIT")
        except sqlite3.Error as exc:
            raise storage_failure(f"commit of block {height}", self.path, exc) from exc
        self.tree.written(staged)
        if len(self._cache) + len(writes) > _CACHE_LIMIT:
            self._cache.clear()
        for key, value in writes.items():
            if value is None:
                self._cache.pop(key, None)
                self._absent.add(key)
            else:
                self._cache[key] = value
                self._absent.discard(key)
        self.height, self.app_hash, self.block_time = height, staged.root_hash, block_time
        self.initialized = True

    def restore(self, chain_id: str, height: int, block_time: int, entries: Iterable[tuple[str, bytes]]) -> bytes:
        """Replace the whole state with ``entries`` as the state after block ``height``
        (a snapshot, or genesis at height 0); rebuilds the tree and returns its root, the app hash.

        One transaction: on any error the store is left as it was."""
        entries = sorted(entries)
        for (a, _), (b, _) in zip(entries, entries[1:]):
            if a == b:
                raise StorageError(f"the state to restore holds the key {a!r} twice")
        previous_chain = self.chain_id
        self.chain_id = chain_id
        try:
            cur = self._db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            cur.execute("DELETE FROM kv")
            cur.execute("DELETE FROM tx_result")
            cur.executemany("INSERT INTO kv (k, v) VALUES (?, ?)", entries)
            staged = self.tree.rebuild(cur, height, entries)
            self._write_meta(cur, height, staged.root_hash, block_time)
            cur.execute("COMMIT")
        except sqlite3.Error as exc:
            self.chain_id = previous_chain
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            self.tree = Tree(self._db, self.tree.blinding_key)
            raise StorageError(f"restoring the state of height {height} into {self.path} failed: {exc}") from exc
        self.tree.written(staged)
        self._cache = {}
        self._absent = set()
        self.height, self.app_hash, self.block_time = height, staged.root_hash, block_time
        self.initialized = True
        return staged.root_hash

    def reset_genesis(self, chain_id: str, entries: dict[str, bytes], genesis_time: int) -> bytes:
        """Replace the whole state with genesis ``entries`` at height 0; returns the app hash."""
        app_hash = self.restore(chain_id, 0, genesis_time, entries.items())
        self._cache = dict(entries)
        return app_hash

    def close(self) -> None:
        self._db.close()


def family_of(key: str) -> str:
    """A key's first segment with its ``/`` (the whole key if it has none): the unit an overlay indexes."""
    cut = key.find("/")
    return key if cut < 0 else key[: cut + 1]


class Overlay:
    """Staged writes over a parent (a ``Store`` or another ``Overlay``); ``None`` deletes."""

    __slots__ = ("parent", "writes", "_sorted")

    def __init__(self, parent: "Store | Overlay"):
        self.parent = parent
        self.writes: dict[str, bytes | None] = {}
        self._sorted: dict[str, list[str]] | None = None  # family → its written keys, sorted (from the first walk on)

    def get(self, key: str) -> bytes | None:
        writes = self.writes
        if key in writes:
            return writes[key]
        return self.parent.get(key)

    def set(self, key: str, value: bytes | None) -> None:
        if self._sorted is not None and key not in self.writes:
            self._index(key)
        self.writes[key] = value

    def _index(self, key: str) -> None:
        keys = self._sorted.get(family_of(key))  # type: ignore[union-attr]
        if keys is not None:
            insort(keys, key)

    def _family(self, family: str) -> list[str]:
        if self._sorted is None:
            self._sorted = {}
        keys = self._sorted.get(family)
        if keys is None:
            keys = self._sorted[family] = sorted(k for k in self.writes if k.startswith(family))
        return keys

    def iter_range(self, low: str, high: str) -> Iterator[tuple[str, bytes]]:
        """Live entries with ``low <= key < high`` in key order: the parent's merged with these writes.

        ``low`` and ``high`` lie in one family. Writes made while walking are seen for keys not yet passed
        that the parent holds; keys first written during the walk may be missed (walks read, then write)."""
        family = family_of(low)
        own = self._family(family)
        mine = own[bisect_left(own, low): bisect_left(own, high)]
        writes, i, n = self.writes, 0, len(mine)
        for key, value in self.parent.iter_range(low, high):
            while i < n and mine[i] < key:
                staged = writes.get(mine[i])
                if staged is not None:
                    yield mine[i], staged
                i += 1
            if i < n and mine[i] == key:
                i += 1
            if key in writes:
                staged = writes[key]
                if staged is not None:
                    yield key, staged
            else:
                yield key, value
        while i < n:
            staged = writes.get(mine[i])
            if staged is not None:
                yield mine[i], staged
            i += 1

    def child(self) -> "Overlay":
        return Overlay(self)

    def merge(self) -> None:
        """Apply these writes to the parent overlay."""
        parent = self.parent
        if not isinstance(parent, Overlay):
            raise TypeError("only an overlay's child can be merged; commit a block to write the store")
        if parent._sorted is not None:
            for key in self.writes:
                if key not in parent.writes:
                    parent._index(key)
        parent.writes.update(self.writes)
