"""Committed state in SQLite, staged overlays, and the whole-state commitment (app hash).

State is a map of text keys to byte values. Blocks are executed on an ``Overlay`` over the
committed ``Store``; only ``Store.commit_block`` writes, in one SQLite transaction that
also records the height and app hash, so a crash at any point leaves the last committed
block intact and CometBFT's handshake replays the rest.

The app hash commits to the *whole* state, not to its history: it is SHA-256 of an additive
multiset hash (AdHash, Bellare–Micciancio) over every (key, value) pair, modulo 2^4096.
Updating it costs two element hashes per changed key, and anyone can recompute it from a
state dump (``Store.recompute_accumulator``). Integers only; no iteration order matters.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Iterable, Iterator

from .errors import StorageError

__all__ = ["Store", "Overlay", "element_hash", "app_hash_of", "TxRecord"]

_ACC_BITS = 4096
_ACC_MASK = (1 << _ACC_BITS) - 1
_ELEMENT_DOMAIN = b"ets/state-element/v1\x00"
_APP_HASH_DOMAIN = b"ets/app-hash/v1\x00"
_ABSENT_LIMIT = 100_000


def element_hash(key: str, value: bytes) -> int:
    """The multiset element for one (key, value) pair, a 4096-bit integer."""
    kb = key.encode()
    digest = hashlib.shake_256(_ELEMENT_DOMAIN + len(kb).to_bytes(4, "big") + kb + value).digest(_ACC_BITS // 8)
    return int.from_bytes(digest, "little")


def app_hash_of(accumulator: int) -> bytes:
    return hashlib.sha256(_APP_HASH_DOMAIN + accumulator.to_bytes(_ACC_BITS // 8, "big")).digest()


TxRecord = tuple[bytes, int, int, int, str, str, str]  # hash, height, index, code, log, signer, type

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tx_result (
    hash BLOB PRIMARY KEY, height INTEGER NOT NULL, idx INTEGER NOT NULL,
    code INTEGER NOT NULL, log TEXT NOT NULL, signer TEXT NOT NULL, type TEXT NOT NULL
) WITHOUT ROWID;
"""


class Store:
    """The committed state of one node. Reads go through an in-memory cache."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open state database {self.path}: {exc}") from exc
        self._cache: dict[str, bytes] = {}
        self._absent: set[str] = set()  # bounded: lookups of missing keys are cheap to ask for
        meta = dict(self._db.execute("SELECT name, v FROM meta"))
        self.height = int(meta.get("height", b"0"))
        self.app_hash = bytes(meta.get("app_hash", b""))
        self.accumulator = int.from_bytes(meta.get("accumulator", b"\x00"), "big")
        self.block_time = int(meta.get("block_time", b"0"))
        self.chain_id = bytes(meta.get("chain_id", b"")).decode()
        self.initialized = "height" in meta

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

    def recompute_accumulator(self) -> int:
        acc = 0
        for k, v in self.items():
            acc = (acc + element_hash(k, v)) & _ACC_MASK
        return acc

    def next_accumulator(self, writes: dict[str, bytes | None]) -> int:
        """The accumulator after applying ``writes`` to the committed state."""
        acc = self.accumulator
        for key in sorted(writes):
            new = writes[key]
            old = self.get(key)
            if old == new:
                continue
            if old is not None:
                acc -= element_hash(key, old)
            if new is not None:
                acc += element_hash(key, new)
        return acc & _ACC_MASK

    def tx_result(self, tx_hash: bytes) -> tuple | None:
        return self._db.execute(
            "SELECT height, idx, code, log, signer, type FROM tx_result WHERE hash = ?", (tx_hash,)
        ).fetchone()

    def _write_meta(self, cur: sqlite3.Cursor, height: int, app_hash: bytes, accumulator: int, block_time: int) -> None:
        cur.executemany(
            "INSERT OR REPLACE INTO meta (name, v) VALUES (?, ?)",
            [
                ("height", str(height).encode()),
                ("app_hash", app_hash),
                ("accumulator", accumulator.to_bytes(_ACC_BITS // 8, "big")),
                ("block_time", str(block_time).encode()),
                ("chain_id", self.chain_id.encode()),
            ],
        )

    def commit_block(
        self,
        height: int,
        app_hash: bytes,
        accumulator: int,
        block_time: int,
        writes: dict[str, bytes | None],
        tx_records: Iterable[TxRecord],
    ) -> None:
        """Persist one block atomically. Any storage error is fatal (``StorageError``)."""
        upserts = [(k, v) for k, v in sorted(writes.items()) if v is not None]
        deletes = [(k,) for k, v in sorted(writes.items()) if v is None]
        try:
            cur = self._db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            cur.executemany("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", upserts)
            cur.executemany("DELETE FROM kv WHERE k = ?", deletes)
            # The first result of a tx hash stands: a repeated copy of the same bytes cannot overwrite it.
            cur.executemany("INSERT OR IGNORE INTO tx_result VALUES (?, ?, ?, ?, ?, ?, ?)", list(tx_records))
            self._write_meta(cur, height, app_hash, accumulator, block_time)
            cur.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StorageError(f"commit of block {height} to {self.path} failed: {exc}") from exc
        for key, value in writes.items():
            if value is None:
                self._cache.pop(key, None)
                self._absent.add(key)
            else:
                self._cache[key] = value
                self._absent.discard(key)
        self.height, self.app_hash, self.accumulator, self.block_time = height, app_hash, accumulator, block_time
        self.initialized = True

    def reset_genesis(self, chain_id: str, entries: dict[str, bytes], genesis_time: int) -> bytes:
        """Replace the whole state with genesis ``entries`` at height 0; returns the app hash."""
        acc = 0
        for key in sorted(entries):
            acc = (acc + element_hash(key, entries[key])) & _ACC_MASK
        app_hash = app_hash_of(acc)
        self.chain_id = chain_id
        try:
            cur = self._db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            cur.execute("DELETE FROM kv")
            cur.execute("DELETE FROM tx_result")
            cur.executemany("INSERT INTO kv (k, v) VALUES (?, ?)", sorted(entries.items()))
            self._write_meta(cur, 0, app_hash, acc, genesis_time)
            cur.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StorageError(f"writing genesis state to {self.path} failed: {exc}") from exc
        self._cache = dict(entries)
        self._absent = set()
        self.height, self.app_hash, self.accumulator, self.block_time = 0, app_hash, acc, genesis_time
        self.initialized = True
        return app_hash

    def close(self) -> None:
        self._db.close()


class Overlay:
    """Staged writes over a parent (a ``Store`` or another ``Overlay``); ``None`` deletes."""

    __slots__ = ("parent", "writes")

    def __init__(self, parent: "Store | Overlay"):
        self.parent = parent
        self.writes: dict[str, bytes | None] = {}

    def get(self, key: str) -> bytes | None:
        writes = self.writes
        if key in writes:
            return writes[key]
        return self.parent.get(key)

    def set(self, key: str, value: bytes | None) -> None:
        self.writes[key] = value

    def child(self) -> "Overlay":
        return Overlay(self)

    def merge(self) -> None:
        """Apply these writes to the parent overlay."""
        parent = self.parent
        if not isinstance(parent, Overlay):
            raise TypeError("only an overlay's child can be merged; commit a block to write the store")
        parent.writes.update(self.writes)
