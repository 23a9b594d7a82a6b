"""State-sync snapshots: the committed state written every N heights, served to and restored from peers.

A node joining by state sync asks its peers for snapshots (ListSnapshots), is offered one that
CometBFT's light client vouches for by its app hash (OfferSnapshot), fetches its chunks
(LoadSnapshotChunk on the peers) and applies them (ApplySnapshotChunk); after the last chunk the
whole state is replaced in one transaction (``Store.restore``) and the resulting app hash must be
the one CometBFT verified.

Layout under the app home::

    snapshots/<height>/metadata.json    the metadata record (``Snapshot.metadata``, canonical JSON)
    snapshots/<height>/chunk-<i>.bin    chunk i
    snapshots/.tmp-<height>/            a snapshot being written (listed only after its rename)
    snapshots/.restore/                 chunks of a snapshot being restored

Format 1. A chunk is a run of entries ``u32 key length | key (UTF-8) | u32 value length | value``
(big-endian lengths), keys strictly increasing across the whole snapshot; a chunk ends at the first
entry that takes it past ``chunk_bytes`` (an entry is never split). The metadata is::

    {"format": 1, "chain_id", "height", "block_time", "app_hash": hex, "entries": N,
     "chunks": [{"hash": SHA-256 hex, "bytes": n, "entries": n}, ...]}

and ``Snapshot.hash`` is SHA-256 of the metadata bytes. Nothing in it depends on the node or the
clock, so every validator writes the same snapshot of the same height.

Taking a snapshot never stalls consensus: in Commit a second, read-only SQLite connection starts
its read transaction on the state just committed (WAL mode keeps that view while later blocks
commit), and a background thread writes the chunks from it. At most one is written at a time.

A peer's snapshot is untrusted input: its metadata, chunk count, sizes, hashes, entry encoding and
key order are checked against explicit limits (``MAX_*``), refusals are answers (REJECT,
REJECT_FORMAT, RETRY, REJECT_SNAPSHOT), never exceptions.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from protocol.codec import canonical_json, reject_duplicate_keys

from .errors import StorageError
from .proto import abci
from .state import Store

__all__ = [
    "Snapshots", "FORMAT", "CHUNK_BYTES", "MAX_CHUNK_BYTES", "MAX_CHUNKS", "MAX_METADATA_BYTES", "MAX_KEY_BYTES",
    "MAX_VALUE_BYTES", "MAX_ENTRIES", "DEFAULT_INTERVAL", "DEFAULT_KEEP", "encode_entries", "decode_entries",
]

log = logging.getLogger("abci_app.snapshots")

FORMAT = 1
CHUNK_BYTES = 4 * 1024 * 1024  # a chunk ends at the first entry past this size
MAX_CHUNK_BYTES = 15_000_000  # below CometBFT's 16 MB state-sync chunk message
MAX_CHUNKS = 10_000
MAX_METADATA_BYTES = 1_500_000  # below CometBFT's 4 MB snapshot message; ~110 bytes a chunk
MAX_KEY_BYTES = 2048
MAX_VALUE_BYTES = MAX_CHUNK_BYTES - MAX_KEY_BYTES - 8
MAX_ENTRIES = 50_000_000
MAX_HEIGHT = 2**63 - 1
MAX_CHUNK_RETRIES = 3  # fetches of one chunk that fail its hash before the snapshot is given up
DEFAULT_INTERVAL = 100
DEFAULT_KEEP = 2

_LEN = struct.Struct(">I")
_METADATA = "metadata.json"
_RESTORE_DIR = ".restore"
_TMP_PREFIX = ".tmp-"
_META_FIELDS = {"format", "chain_id", "height", "block_time", "app_hash", "entries", "chunks"}
_CHUNK_FIELDS = {"hash", "bytes", "entries"}

_Offer = abci.ResponseOfferSnapshot
_Apply = abci.ResponseApplySnapshotChunk


class _Malformed(ValueError):
    """A peer's snapshot metadata or chunk does not follow the format."""


# ---------------------------------------------------------------- the chunk encoding


def _entry(key: str, value: bytes) -> bytes:
    kb = key.encode()
    return _LEN.pack(len(kb)) + kb + _LEN.pack(len(value)) + value


def encode_entries(entries: list[tuple[str, bytes]]) -> bytes:
    """One chunk's bytes for ``entries`` (already in key order)."""
    return b"".join(_entry(k, v) for k, v in entries)


def decode_entries(chunk: bytes, after: str | None = None) -> list[tuple[str, bytes]]:
    """The entries of one chunk, checked strictly: lengths within bounds and inside the chunk, keys
    UTF-8 text without control characters, strictly increasing (and after ``after``, the last key
    of the previous chunk). ``_Malformed`` says what is wrong."""
    out: list[tuple[str, bytes]] = []
    pos, end, previous = 0, len(chunk), after
    while pos < end:
        if end - pos < 4:
            raise _Malformed(f"entry {len(out)}: the chunk ends inside a key length")
        (klen,) = _LEN.unpack_from(chunk, pos)
        pos += 4
        if not 1 <= klen <= MAX_KEY_BYTES or klen > end - pos:
            raise _Malformed(f"entry {len(out)}: key length {klen} is outside 1..{MAX_KEY_BYTES} or past the chunk's end")
        try:
            key = chunk[pos:pos + klen].decode("utf-8")
        except UnicodeDecodeError:
            raise _Malformed(f"entry {len(out)}: the key is not UTF-8 text") from None
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in key):
            raise _Malformed(f"entry {len(out)}: the key holds control characters")
        pos += klen
        if end - pos < 4:
            raise _Malformed(f"entry {len(out)}: the chunk ends inside a value length")
        (vlen,) = _LEN.unpack_from(chunk, pos)
        pos += 4
        if vlen > MAX_VALUE_BYTES or vlen > end - pos:
            raise _Malformed(f"entry {len(out)}: value length {vlen} is above {MAX_VALUE_BYTES} or past the chunk's end")
        if previous is not None and key <= previous:
            raise _Malformed(f"entry {len(out)}: key {key[:60]!r} is not after {previous[:60]!r} (keys must be sorted and unique)")
        out.append((key, chunk[pos:pos + vlen]))
        pos += vlen
        previous = key
    return out


def _is_int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _is_hex32(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def parse_metadata(raw: bytes) -> dict[str, Any]:
    """The metadata record of a snapshot, checked against the format and every limit (``_Malformed``)."""
    if len(raw) > MAX_METADATA_BYTES:
        raise _Malformed(f"metadata of {len(raw)} bytes exceeds {MAX_METADATA_BYTES}")
    try:
        meta = json.loads(raw, object_pairs_hook=reject_duplicate_keys)
    except (ValueError, RecursionError):
        raise _Malformed("metadata is not JSON") from None
    if not isinstance(meta, dict) or set(meta) != _META_FIELDS:
        raise _Malformed(f"metadata must be an object with exactly {', '.join(sorted(_META_FIELDS))}")
    if meta["format"] != FORMAT:
        raise _Malformed(f"metadata format {meta['format']!r} is not {FORMAT}")
    if not isinstance(meta["chain_id"], str) or not 1 <= len(meta["chain_id"]) <= 50:
        raise _Malformed("metadata chain_id must be text of 1 to 50 characters")
    if not _is_int(meta["height"], 1, MAX_HEIGHT) or not _is_int(meta["block_time"], 0, MAX_HEIGHT):
        raise _Malformed("metadata height must be a positive integer and block_time a non-negative one")
    if not _is_hex32(meta["app_hash"]):
        raise _Malformed("metadata app_hash must be 64 lowercase hex characters")
    if not _is_int(meta["entries"], 0, MAX_ENTRIES):
        raise _Malformed(f"metadata entries must be an integer in 0..{MAX_ENTRIES:,}")
    chunks = meta["chunks"]
    if not isinstance(chunks, list) or not 1 <= len(chunks) <= MAX_CHUNKS:
        raise _Malformed(f"metadata chunks must be a list of 1 to {MAX_CHUNKS:,} chunks")
    for i, chunk in enumerate(chunks):
        if not isinstance(chunk, dict) or set(chunk) != _CHUNK_FIELDS or not _is_hex32(chunk["hash"]) \
                or not _is_int(chunk["bytes"], 0, MAX_CHUNK_BYTES) or not _is_int(chunk["entries"], 0, MAX_ENTRIES):
            raise _Malformed(f"metadata chunk {i} must be {{hash: 64 hex, bytes: 0..{MAX_CHUNK_BYTES}, entries: count}}")
    if sum(c["entries"] for c in chunks) != meta["entries"]:
        raise _Malformed("metadata entries is not the sum of the chunks' entries")
    return meta


# ---------------------------------------------------------------- the manager


@dataclass
class _Restore:
    """A snapshot being restored: what was offered, how far its chunks got, and the state to go back to."""

    meta: dict[str, Any]
    app_hash: bytes
    folder: Path
    next_chunk: int = 0
    last_key: str | None = None
    entries: int = 0
    failures: dict[int, int] = field(default_factory=dict)
    previous: tuple[str, int, int, list[tuple[str, bytes]]] = ("", 0, 0, [])


class Snapshots:
    """The snapshots of one node: taking them after Commit, listing and serving them, restoring one.

    ``interval`` 0 takes none (the node may still restore); ``keep`` is how many stay on disk.
    ``chain_id`` (the app's ``--chain-id``) makes a restore refuse another chain's snapshot."""

    def __init__(self, folder: str | Path, store: Store, *, interval: int = DEFAULT_INTERVAL, keep: int = DEFAULT_KEEP,
                 chunk_bytes: int = CHUNK_BYTES, chain_id: str | None = None):
        if not 1 <= chunk_bytes <= MAX_CHUNK_BYTES // 2:
            raise ValueError(f"snapshot chunk size must be 1 to {MAX_CHUNK_BYTES // 2} bytes")
        self.folder = Path(folder)
        self.store = store
        self.configure(interval=interval, keep=keep)
        self.chunk_bytes = chunk_bytes
        self.chain_id = chain_id
        self._writer: threading.Thread | None = None
        self._restore: _Restore | None = None
        self._restored = False
        self.last_taken: dict[str, float] = {}  # height, seconds, bytes of the latest snapshot written
        self.last_restore: dict[str, float] = {}  # height, seconds, entries of the latest restore
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.glob(f"{_TMP_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        shutil.rmtree(self.folder / _RESTORE_DIR, ignore_errors=True)

    def configure(self, *, interval: int, keep: int) -> None:
        """Take a snapshot every ``interval`` heights (0: never) and keep the latest ``keep``."""
        if not 0 <= interval <= MAX_HEIGHT or not 1 <= keep <= 1000:
            raise ValueError(f"snapshot interval must be 0 (off) or a number of heights, keep 1 to 1000; got {interval}, {keep}")
        self.interval, self.keep = interval, keep

    # ------------------------------------------------------------ taking

    def after_commit(self) -> None:
        """Called in Commit once the block is persisted: start a snapshot at every ``interval``-th height."""
        height = self.store.height
        if not self.interval or height % self.interval:
            return
        if self._writer is not None and self._writer.is_alive():
            log.warning("snapshot of height %d skipped: the previous one is still being written", height)
            return
        self._writer = self.take(background=True)

    def take(self, *, background: bool = False) -> threading.Thread | None:
        """Snapshot the state just committed. The read transaction starts here, synchronously; the
        chunks are written now or, with ``background``, by a thread (returned)."""
        store = self.store
        header = {"format": FORMAT, "chain_id": store.chain_id, "height": store.height,
                  "block_time": store.block_time, "app_hash": store.app_hash.hex()}
        try:
            reader = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False)
            rows = reader.execute("SELECT k, v FROM kv ORDER BY k")  # the same rows as Store.items()
            first = rows.fetchone()  # steps the statement: the read transaction (a WAL snapshot) is now pinned
        except sqlite3.Error as exc:
            log.error("snapshot of height %d not taken: cannot open a read connection: %s", store.height, exc)
            return None
        if not background:
            self._write(header, reader, rows, first)
            return None
        thread = threading.Thread(target=self._write, args=(header, reader, rows, first),
                                  name=f"snapshot-{store.height}", daemon=True)
        thread.start()
        return thread

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a snapshot being written in the background (tests, shutdown)."""
        if self._writer is not None:
            self._writer.join(timeout)

    def _write(self, header: dict[str, Any], reader: sqlite3.Connection, rows: sqlite3.Cursor, first: tuple | None) -> None:
        height = header["height"]
        started = time.perf_counter()
        tmp = self.folder / f"{_TMP_PREFIX}{height}"
        try:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            chunks: list[dict[str, Any]] = []
            buffer: list[bytes] = []
            size = entries = 0

            def flush() -> None:
                nonlocal buffer, size
                data = b"".join(buffer)
                _write_file(tmp / f"chunk-{len(chunks)}.bin", data)
                chunks.append({"hash": hashlib.sha256(data).hexdigest(), "bytes": len(data), "entries": len(buffer)})
                buffer, size = [], 0

            row = first
            while row is not None:
                encoded = _entry(row[0], bytes(row[1]))
                if len(encoded) > MAX_CHUNK_BYTES:
                    raise ValueError(f"the entry {row[0][:60]!r} is {len(encoded)} bytes, above a chunk's {MAX_CHUNK_BYTES}")
                buffer.append(encoded)
                size += len(encoded)
                entries += 1
                if size >= self.chunk_bytes:
                    flush()
                row = rows.fetchone()
            if buffer or not chunks:
                flush()
            if len(chunks) > MAX_CHUNKS:
                raise ValueError(f"the state needs {len(chunks)} chunks, above {MAX_CHUNKS}")
            metadata = canonical_json({**header, "entries": entries, "chunks": chunks})
            if len(metadata) > MAX_METADATA_BYTES:
                raise ValueError(f"the metadata is {len(metadata)} bytes, above {MAX_METADATA_BYTES}")
            _write_file(tmp / _METADATA, metadata)
            final = self.folder / str(height)
            shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
            _fsync_dir(self.folder)
            took = time.perf_counter() - started
            total = sum(c["bytes"] for c in chunks)
            self.last_taken = {"height": height, "seconds": took, "bytes": total, "entries": entries}
            log.info("snapshot height=%d entries=%d chunks=%d bytes=%d ms=%.1f", height, entries, len(chunks), total, took * 1e3)
            self._prune()
        except (OSError, ValueError, sqlite3.Error) as exc:
            log.error("snapshot of height %d failed: %s", height, exc)
            shutil.rmtree(tmp, ignore_errors=True)
        finally:
            reader.close()

    def _heights(self) -> list[int]:
        heights = []
        for child in self.folder.iterdir():
            if child.name.isdigit() and (child / _METADATA).is_file():
                heights.append(int(child.name))
        return sorted(heights)

    def _prune(self) -> None:
        for height in self._heights()[:-self.keep]:
            shutil.rmtree(self.folder / str(height), ignore_errors=True)

    # ------------------------------------------------------------ serving

    def list_snapshots(self, req: abci.RequestListSnapshots) -> abci.ResponseListSnapshots:
        out = []
        for height in reversed(self._heights()):
            try:
                metadata = (self.folder / str(height) / _METADATA).read_bytes()
                meta = parse_metadata(metadata)
            except (OSError, _Malformed) as exc:
                log.warning("snapshot %d is not listed: %s", height, exc)
                continue
            out.append(abci.Snapshot(height=height, format=FORMAT, chunks=len(meta["chunks"]),
                                     hash=hashlib.sha256(metadata).digest(), metadata=metadata))
        return abci.ResponseListSnapshots(snapshots=out)

    def load_snapshot_chunk(self, req: abci.RequestLoadSnapshotChunk) -> abci.ResponseLoadSnapshotChunk:
        if req.format != FORMAT or req.height > MAX_HEIGHT or req.chunk >= MAX_CHUNKS:
            return abci.ResponseLoadSnapshotChunk()
        try:
            chunk = (self.folder / str(req.height) / f"chunk-{req.chunk}.bin").read_bytes()
        except OSError:
            return abci.ResponseLoadSnapshotChunk()  # pruned or never taken: empty, CometBFT asks another peer
        return abci.ResponseLoadSnapshotChunk(chunk=chunk)

    # ------------------------------------------------------------ restoring

    def offer_snapshot(self, req: abci.RequestOfferSnapshot) -> abci.ResponseOfferSnapshot:
        snapshot = req.snapshot
        self._abandon()
        if snapshot.format != FORMAT:
            log.info("snapshot at height %d refused: format %d, this app reads %d", snapshot.height, snapshot.format, FORMAT)
            return _Offer(result=_Offer.REJECT_FORMAT)
        if self.store.height > 0:
            log.warning("snapshot at height %d refused: this node already has state at height %d", snapshot.height, self.store.height)
            return _Offer(result=_Offer.ABORT)
        try:
            meta = parse_metadata(snapshot.metadata)
            if hashlib.sha256(snapshot.metadata).digest() != snapshot.hash:
                raise _Malformed("the snapshot hash is not SHA-256 of its metadata")
            if meta["height"] != snapshot.height or len(meta["chunks"]) != snapshot.chunks:
                raise _Malformed(f"metadata says height {meta['height']} with {len(meta['chunks'])} chunks, "
                                 f"the snapshot {snapshot.height} with {snapshot.chunks}")
            if bytes.fromhex(meta["app_hash"]) != req.app_hash:
                raise _Malformed(f"metadata app hash {meta['app_hash'][:16]}… is not the {req.app_hash.hex()[:16]}… "
                                 "the light client verified for that height")
            if self.chain_id and meta["chain_id"] != self.chain_id:
                raise _Malformed(f"snapshot of chain {meta['chain_id']!r}, this node runs {self.chain_id!r}")
        except _Malformed as exc:
            log.warning("snapshot at height %d refused: %s", snapshot.height, exc)
            return _Offer(result=_Offer.REJECT)
        folder = self.folder / _RESTORE_DIR
        try:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        except OSError as exc:
            log.error("cannot prepare %s for a restore: %s", folder, exc)
            return _Offer(result=_Offer.ABORT)
        store = self.store
        previous = (store.chain_id, store.height, store.block_time, list(store.items()))  # height 0: genesis at most
        self._restore = _Restore(meta, req.app_hash, folder, previous=previous)
        log.info("snapshot at height %d accepted: %d entries in %d chunks", snapshot.height, meta["entries"], len(meta["chunks"]))
        return _Offer(result=_Offer.ACCEPT)

    def apply_snapshot_chunk(self, req: abci.RequestApplySnapshotChunk) -> abci.ResponseApplySnapshotChunk:
        restore = self._restore
        if restore is None:
            log.warning("chunk %d applied without an accepted snapshot", req.index)
            return _Apply(result=_Apply.ABORT)
        chunks = restore.meta["chunks"]
        if req.index != restore.next_chunk:
            if req.index < restore.next_chunk:
                return _Apply(result=_Apply.ACCEPT)  # applied already
            log.warning("chunk %d arrived before chunk %d; restarting the snapshot", req.index, restore.next_chunk)
            self._abandon()
            return _Apply(result=_Apply.RETRY_SNAPSHOT)
        expected = chunks[req.index]
        if len(req.chunk) != expected["bytes"] or hashlib.sha256(req.chunk).hexdigest() != expected["hash"]:
            failures = restore.failures[req.index] = restore.failures.get(req.index, 0) + 1
            log.warning("chunk %d from %s does not match the snapshot's hash (attempt %d)", req.index, req.sender[:40], failures)
            if failures >= MAX_CHUNK_RETRIES:
                self._abandon()
                return _Apply(result=_Apply.REJECT_SNAPSHOT, reject_senders=[req.sender] if req.sender else [])
            return _Apply(result=_Apply.RETRY, refetch_chunks=[req.index], reject_senders=[req.sender] if req.sender else [])
        try:
            entries = decode_entries(req.chunk, restore.last_key)
            if len(entries) != expected["entries"]:
                raise _Malformed(f"chunk {req.index} holds {len(entries)} entries, the metadata says {expected['entries']}")
        except _Malformed as exc:  # the hash matched: the snapshot itself is bad, whoever serves it
            log.warning("snapshot at height %d rejected: %s", restore.meta["height"], exc)
            self._abandon()
            return _Apply(result=_Apply.REJECT_SNAPSHOT)
        try:
            _write_file(restore.folder / f"chunk-{req.index}.bin", req.chunk)
        except OSError as exc:
            log.error("cannot stage chunk %d: %s", req.index, exc)
            self._abandon()
            return _Apply(result=_Apply.ABORT)
        if entries:
            restore.last_key = entries[-1][0]
        restore.entries += len(entries)
        restore.next_chunk += 1
        if restore.next_chunk < len(chunks):
            return _Apply(result=_Apply.ACCEPT)
        return self._finish(restore)

    def _staged_entries(self, restore: _Restore) -> Iterator[tuple[str, bytes]]:
        for i in range(len(restore.meta["chunks"])):
            yield from decode_entries((restore.folder / f"chunk-{i}.bin").read_bytes())

    def _finish(self, restore: _Restore) -> abci.ResponseApplySnapshotChunk:
        meta = restore.meta
        started = time.perf_counter()
        try:
            app_hash = self.store.restore(meta["chain_id"], meta["height"], meta["block_time"], self._staged_entries(restore))
        except (OSError, StorageError, _Malformed) as exc:
            log.error("restoring the snapshot at height %d failed: %s", meta["height"], exc)
            self._put_back(restore)
            self._abandon()
            return _Apply(result=_Apply.REJECT_SNAPSHOT)
        took = time.perf_counter() - started
        if app_hash != restore.app_hash:
            log.warning("snapshot at height %d restores to app hash %s, not the verified %s; state put back",
                        meta["height"], app_hash.hex()[:16], restore.app_hash.hex()[:16])
            self._put_back(restore)
            self._abandon()
            return _Apply(result=_Apply.REJECT_SNAPSHOT)
        self.last_restore = {"height": meta["height"], "seconds": took, "entries": meta["entries"]}
        log.info("snapshot restored height=%d entries=%d app_hash=%s ms=%.1f", meta["height"], meta["entries"],
                 app_hash.hex()[:16], took * 1e3)
        self._abandon()
        self._restored = True
        return _Apply(result=_Apply.ACCEPT)

    def _put_back(self, restore: _Restore) -> None:
        """Replace the state with what it was before the offer (a fresh node: genesis or nothing).
        A storage failure here is fatal (``StorageError`` stops the process)."""
        self.store.restore(*restore.previous)

    def _abandon(self) -> None:
        if self._restore is not None:
            shutil.rmtree(self._restore.folder, ignore_errors=True)
        self._restore = None

    def take_restored(self) -> bool:
        """True once after a snapshot was restored (the application then drops its staged views)."""
        restored, self._restored = self._restored, False
        return restored


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
