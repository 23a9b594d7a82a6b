"""The state tree behind the app hash (rules in ``protocol.smt``), stored node by node in SQLite.

Every node is written once, under an id that says the version (block height) that made it:

    internal  version (8) | "I" | depth (2) | the first ``depth`` bits of its paths (packed)
    leaf      version (8) | "L" | path (32)

so a block adds only the nodes on the paths it changed (O(changed keys × log n)), and the tree
of every kept version stays readable: ``smt_root`` holds each version's root, and ``smt_stale``
records at which version a node stopped being part of the newest tree. ``prune`` deletes the
nodes no kept version can reach: the last ``window`` versions and every ``checkpoint``-th
version are kept (a node made at version c and replaced at s is needed by versions c … s-1).

A leaf moves up or down when keys beside it come and go, but its hash does not depend on
where it sits, so a moved leaf keeps its id and is not rewritten.

Bodies: an internal node is its two child refs; a ref is ``kind (1)`` and, unless empty,
``hash (32) | id length (1) | id``. A leaf is ``commit (32) | key length (2) | key | value``,
so an old version's values can be read (and proven) from the tree alone.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Callable, Iterable

from protocol.hotpath import native
from protocol.smt import BLIND_DOMAIN, EMPTY, Proof, blind, commit, key_path, leaf_hash

_sha256 = hashlib.sha256

__all__ = ["SCHEMA", "Ref", "EMPTY_REF", "Staged", "Tree", "root_of"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS smt_node (id BLOB PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS smt_root (version INTEGER PRIMARY KEY, ref BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS smt_stale (since INTEGER PRIMARY KEY, ids BLOB NOT NULL);
"""

_EMPTY, _LEAF, _INTERNAL = 0, 1, 2

Ref = tuple  # (kind, hash, id); the empty subtree is EMPTY_REF
EMPTY_REF: Ref = (_EMPTY, EMPTY, b"")
_INTERNAL_TAG = ord("I")
_KEEP_SHARE = (3, 4)  # a full node cache keeps the top levels that fit in this share of it (``Tree._trim``)


def _encode_ref(ref: Ref) -> bytes:
    if ref[0] == _EMPTY:
        return b"\x00"
    return bytes((ref[0],)) + ref[1] + bytes((len(ref[2]),)) + ref[2]


def _decode_ref(body: bytes, pos: int) -> tuple[Ref, int]:
    kind = body[pos]
    if kind == _EMPTY:
        return EMPTY_REF, pos + 1
    length = body[pos + 33]
    return (kind, body[pos + 1:pos + 33], body[pos + 34:pos + 34 + length]), pos + 34 + length


def _children(body: bytes) -> tuple[Ref, Ref]:
    left, pos = _decode_ref(body, 0)
    right, _ = _decode_ref(body, pos)
    return left, right


def _leaf_body(commitment: bytes, key: bytes, value: bytes) -> bytes:
    return commitment + len(key).to_bytes(2, "big") + key + value


def _leaf_parts(body: bytes) -> tuple[bytes, str, bytes]:
    """(commit, key, value) of a leaf body."""
    length = int.from_bytes(body[32:34], "big")
    return body[:32], body[34:34 + length].decode(), body[34 + length:]


def _bit(path: bytes, depth: int) -> int:
    return (path[depth >> 3] >> (7 - (depth & 7))) & 1


def _encode_ids(ids: list[bytes]) -> bytes:
    return b"".join(bytes((len(i),)) + i for i in ids)


def _decode_ids(blob: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(blob):
        length = blob[pos]
        out.append(blob[pos + 1:pos + 1 + length])
        pos += 1 + length
    return out


@dataclass
class Staged:
    """A block's tree change, computed by ``Tree.stage`` and written by ``Tree.write``.

    ``nodes`` holds each new node's id and stored body (encoded as it is made: a block of 10,000 changed keys
    makes some 70,000 nodes, and their bodies take a third of the memory of decoded child refs); ``internal``
    lists the internal ones among them, which the node cache takes once the version is written."""

    version: int
    root: Ref
    nodes: list[tuple[bytes, bytes]] = field(default_factory=list)
    stale: list[bytes] = field(default_factory=list)
    internal: list[tuple[bytes, bytes]] = field(default_factory=list)
    in_id_order: bool = False

    @property
    def root_hash(self) -> bytes:
        return self.root[1]

    def rows(self) -> list[tuple[bytes, bytes]]:
        """(id, stored body) of every new node, in id order (sorted once)."""
        if not self.in_id_order:
            self.nodes.sort()
            self.in_id_order = True
        return self.nodes


class _Builder:
    """One version's new nodes, made from sorted leaf lists and change lists.

    Paths travel as integers (bit ``depth`` of a path is bit ``255 - depth`` of its integer), so
    splitting a sorted run at a depth is one bisection."""

    __slots__ = ("tag", "nodes", "stale", "internal", "children")

    def __init__(self, version: int, children: Callable[[bytes], tuple[Ref, Ref]]):
        self.tag = version.to_bytes(8, "big")
        self.nodes: list[tuple[bytes, bytes]] = []
        self.stale: list[bytes] = []
        self.internal: list[tuple[bytes, bytes]] = []
        self.children = children

    def leaf(self, path: bytes, commitment: bytes, key: bytes, value: bytes) -> Ref:
        node_id = self.tag + b"L" + path
        self.nodes.append((node_id, _leaf_body(commitment, key, value)))
        return (_LEAF, leaf_hash(path, commitment), node_id)

    def join(self, left: Ref, right: Ref, depth: int, path: int) -> Ref:
        if left[0] == _EMPTY:
            if right[0] != _INTERNAL:
                return right  # empty, or a lone leaf that rises to this depth
        elif right[0] == _EMPTY and left[0] == _LEAF:
            return left
        node_id = self.tag + b"I" + depth.to_bytes(2, "big") + (path >> (256 - depth)).to_bytes((depth + 7) >> 3, "big")
        node = (node_id, _encode_ref(left) + _encode_ref(right))
        self.nodes.append(node)
        self.internal.append(node)
        return (_INTERNAL, _sha256(b"\x01" + left[1] + right[1]).digest(), node_id)

    def build(self, paths: list[int], refs: list[Ref], lo: int, hi: int, depth: int) -> Ref:
        """The subtree at ``depth`` holding the leaves ``refs[lo:hi]`` (sorted by ``paths``)."""
        if hi - lo == 1:
            return refs[lo]
        if hi == lo:
            return EMPTY_REF
        shift = 255 - depth
        mid = bisect_left(paths, (((paths[lo] >> shift) | 1) << shift), lo, hi)
        left = self.build(paths, refs, lo, mid, depth + 1)
        right = self.build(paths, refs, mid, hi, depth + 1)
        return self.join(left, right, depth, paths[lo])

    def update(self, ref: Ref, depth: int, paths: list[int], changes: list, lo: int, hi: int) -> Ref:
        """``ref``'s subtree after ``changes[lo:hi]``: (path, commit, key, value) or (path, None, ...) to delete."""
        if lo == hi:
            return ref
        if ref[0] == _INTERNAL:
            self.stale.append(ref[2])
            left, right = self.children(ref[2])
            shift = 255 - depth
            mid = bisect_left(paths, (((paths[lo] >> shift) | 1) << shift), lo, hi)
            new_left = self.update(left, depth + 1, paths, changes, lo, mid) if mid > lo else left
            new_right = self.update(right, depth + 1, paths, changes, mid, hi) if hi > mid else right
            return self.join(new_left, new_right, depth, paths[lo])
        # an empty subtree or a lone leaf: lay out the leaves that end up here
        leaf_paths: list[int] = []
        leaf_refs: list[Ref] = []
        kept = ref if ref[0] == _LEAF else None
        kept_path = int.from_bytes(kept[2][9:41], "big") if kept is not None else -1
        for i in range(lo, hi):
            path = paths[i]
            _, path_bytes, commitment, key, value = changes[i]
            if kept is not None and kept_path <= path:
                if kept_path == path:
                    self.stale.append(kept[2])
                else:
                    leaf_paths.append(kept_path)
                    leaf_refs.append(kept)
                kept = None
            if commitment is not None:
                leaf_paths.append(path)
                leaf_refs.append(self.leaf(path_bytes, commitment, key, value))
        if kept is not None:
            leaf_paths.append(kept_path)
            leaf_refs.append(kept)
        return self.build(leaf_paths, leaf_refs, 0, len(leaf_refs), depth)


def root_of(entries: Iterable[tuple[str, bytes]], blinding_key: bytes) -> bytes:
    """The app hash of a whole state, computed from scratch in memory (for checks and tests)."""
    rows = sorted((key_path(k), k, v) for k, v in entries)
    builder = _Builder(0, lambda node_id: (EMPTY_REF, EMPTY_REF))
    refs = [(_LEAF, leaf_hash(p, commit(blind(blinding_key, k), v)), b"") for p, k, v in rows]
    return builder.build([int.from_bytes(r[0], "big") for r in rows], refs, 0, len(refs), 0)[1]


class Tree:
    """The stored tree: stage a block's writes, write them in the block's transaction, prove keys."""

    def __init__(self, db: sqlite3.Connection, blinding_key: bytes, cache_entries: int = 500_000, key_entries: int = 25_000):
        if len(blinding_key) != 32:
            raise ValueError("the state blinding key is 32 bytes")
        self._db = db
        self.blinding_key = blinding_key
        self._hmac = hmac.new(blinding_key, BLIND_DOMAIN, hashlib.sha256)
        # node id → stored body (compact: decoded when read). Full, it keeps only the top levels (``_trim``).
        # Some 250 bytes an entry: 500,000 are ~120 MB, the internal nodes of a tree of ~350,000 keys whole (a tree
        # has ~1.45 internal nodes a key: chains of single-child nodes where paths share long prefixes), so a national
        # allocation's balances, allocations and accounts are staged from memory; a bigger tree keeps its top levels
        # and reads the rest of a block's paths from SQLite.
        self._cache: dict[bytes, bytes] = {}
        self._cache_entries = cache_entries
        # (cheap to recompute: two hashes, ~400 bytes an entry kept; kept for keys that change block after block)
        self._key_entries = key_entries
        self._keys: dict[str, tuple[int, bytes, bytes]] = {}  # key → (path int, path, blind)
        row = db.execute("SELECT version, ref FROM smt_root ORDER BY version DESC LIMIT 1").fetchone()
        self.version = row[0] if row else -1
        self.root: Ref = _decode_ref(bytes(row[1]), 0)[0] if row else EMPTY_REF

    # ------------------------------------------------------------ reading

    def _node(self, node_id: bytes) -> object:
        """An internal node's two child refs, or a leaf's body."""
        body = self._cache.get(node_id)
        if body is None:
            body = self._load(node_id)
        return _children(body) if node_id[8] == _INTERNAL_TAG else body

    def _load(self, node_id: bytes) -> bytes:
        """A node's stored body read from SQLite, and kept in the cache."""
        row = self._db.execute("SELECT body FROM smt_node WHERE id = ?", (node_id,)).fetchone()
        if row is None:
            raise LookupError(f"state tree node {node_id.hex()} is missing (pruned or never written)")
        body = bytes(row[0])
        if len(self._cache) >= self._cache_entries:
            self._trim()
        self._cache[node_id] = body
        return body

    def versions(self) -> list[int]:
        """Every version whose tree is kept, oldest first."""
        return [v for (v,) in self._db.execute("SELECT version FROM smt_root ORDER BY version")]

    def root_at(self, version: int) -> Ref | None:
        if version == self.version:
            return self.root
        row = self._db.execute("SELECT ref FROM smt_root WHERE version = ?", (version,)).fetchone()
        return _decode_ref(bytes(row[0]), 0)[0] if row else None

    def prove(self, key: str, version: int) -> tuple[bytes | None, Proof]:
        """(value or None, proof) of ``key`` in the tree of ``version`` (``LookupError`` if not kept)."""
        ref = self.root_at(version)
        if ref is None:
            raise LookupError(f"the state of height {version} is not kept on this node")
        path = key_path(key)
        siblings: list[bytes] = []
        while ref[0] == _INTERNAL:
            left, right = self._node(ref[2])
            if _bit(path, len(siblings)):
                siblings.append(left[1])
                ref = right
            else:
                siblings.append(right[1])
                ref = left
        if ref[0] == _EMPTY:
            return None, Proof(tuple(siblings), None)
        leaf_path = ref[2][9:41]
        commitment, leaf_key, value = _leaf_parts(self._node(ref[2]))
        return (value if leaf_path == path else None), Proof(tuple(siblings), (leaf_path, commitment))

    def blind(self, key: str) -> bytes:
        return self._key_parts(key)[2]

    def _key_parts(self, key: str) -> tuple[int, bytes, bytes]:
        parts = self._keys.get(key)
        if parts is None:
            kb = key.encode()
            path = key_path(key)
            mac = self._hmac.copy()
            mac.update(kb)
            parts = (int.from_bytes(path, "big"), path, mac.digest())
            if len(self._keys) >= self._key_entries:
                self._keys.clear()
            self._keys[key] = parts
        return parts

    # ------------------------------------------------------------ writing

    def stage(self, version: int, changes: dict[str, bytes | None]) -> Staged:
        """The tree of ``version``: the current tree with ``changes`` (each a real change of value)."""
        if version <= self.version:
            raise ValueError(f"tree version {version} is not after the current {self.version}")
        rows = []
        for key, value in changes.items():
            path_int, path, blind_ = self._key_parts(key)
            rows.append((path_int, path, None if value is None else commit(blind_, value), key.encode(), value))
        rows.sort(key=lambda r: r[0])
        update = getattr(native(), "smt_update", None)
        if update is not None:  # the same walk in Rust (protocol/native/src/smt.rs): the same nodes, ids and order
            root, nodes, internal, stale = update(version, self.root, rows, self._cache, self._load)
            return Staged(version, root, nodes, stale, internal, in_id_order=True)
        builder = _Builder(version, self._node)
        root = builder.update(self.root, 0, [r[0] for r in rows], rows, 0, len(rows))
        return Staged(version, root, builder.nodes, builder.stale, builder.internal)

    def write(self, cur: sqlite3.Cursor, staged: Staged) -> None:
        """Write a staged version inside the caller's open transaction."""
        cur.executemany("INSERT INTO smt_node (id, body) VALUES (?, ?)", staged.rows())  # ids are new: made at this version
        if staged.stale:
            cur.execute("INSERT OR REPLACE INTO smt_stale (since, ids) VALUES (?, ?)", (staged.version, _encode_ids(staged.stale)))
        cur.execute("INSERT OR REPLACE INTO smt_root (version, ref) VALUES (?, ?)", (staged.version, _encode_ref(staged.root)))

    def written(self, staged: Staged) -> None:
        """Take the version as current once its transaction committed.

        The cache keeps the internal nodes a next block walks, as their stored bodies (about half the memory of
        decoded refs): not the replaced ones (only proofs of past versions read those) and not leaf bodies
        (staging never reads them; proofs read them from SQLite)."""
        self.version, self.root = staged.version, staged.root
        cache = self._cache
        for node_id in staged.stale:
            cache.pop(node_id, None)
        if len(cache) + len(staged.internal) > self._cache_entries:
            self._trim(staged.internal)
        else:
            cache.update(staged.internal)

    def _trim(self, extra: list[tuple[bytes, bytes]] = ()) -> None:
        """Make room in the node cache: of its internal nodes and ``extra`` ones, keep the top levels that fit in
        ``_KEEP_SHARE`` of it (every block walks them; the deeper a node, the fewer blocks pass it), drop the
        deeper levels and any leaf bodies."""
        nodes = [(node_id, body) for node_id, body in self._cache.items() if node_id[8] == _INTERNAL_TAG]
        nodes.extend(extra)
        per_depth: dict[int, int] = {}
        for node_id, _ in nodes:
            depth = (node_id[9] << 8) | node_id[10]
            per_depth[depth] = per_depth.get(depth, 0) + 1
        room = self._cache_entries * _KEEP_SHARE[0] // _KEEP_SHARE[1]
        below = 0  # keep the levels above this depth
        for depth in sorted(per_depth):
            room -= per_depth[depth]
            if room < 0:
                break
            below = depth + 1
        self._cache.clear()  # in place: a native walk in progress holds this dict
        self._cache.update((node_id, body) for node_id, body in nodes if ((node_id[9] << 8) | node_id[10]) < below)

    def rebuild(self, cur: sqlite3.Cursor, version: int, entries: Iterable[tuple[str, bytes]]) -> Staged:
        """Replace the whole tree with one of ``version`` over ``entries`` (inside the caller's transaction)."""
        key = self.blinding_key
        rows = sorted((key_path(k), k.encode(), commit(blind(key, k), v), v) for k, v in entries)
        builder = _Builder(version, self._node)
        refs = [builder.leaf(p, c, kb, v) for p, kb, c, v in rows]
        root = builder.build([int.from_bytes(r[0], "big") for r in rows], refs, 0, len(refs), 0)
        staged = Staged(version, root, builder.nodes, [], builder.internal)
        cur.execute("DELETE FROM smt_node")
        cur.execute("DELETE FROM smt_root")
        cur.execute("DELETE FROM smt_stale")
        self.write(cur, staged)
        self._cache.clear()
        return staged

    def prune(self, cur: sqlite3.Cursor, version: int, window: int, checkpoint: int) -> int:
        """Drop what only versions older than ``version - window`` (and not checkpoints) need; returns nodes deleted."""
        horizon = version - window
        if horizon <= 0:
            return 0
        rows = cur.execute("SELECT since, ids FROM smt_stale WHERE since <= ?", (horizon,)).fetchall()
        doomed = []
        for since, blob in rows:
            for node_id in _decode_ids(bytes(blob)):
                made = int.from_bytes(node_id[:8], "big")
                if checkpoint and ((since - 1) // checkpoint) * checkpoint >= made:
                    continue  # a checkpoint between its making and its replacement still reaches it
                doomed.append((node_id,))
        cur.executemany("DELETE FROM smt_node WHERE id = ?", doomed)
        cur.execute("DELETE FROM smt_stale WHERE since <= ?", (horizon,))
        if checkpoint:
            cur.execute("DELETE FROM smt_root WHERE version < ? AND version % ? != 0", (horizon, checkpoint))
        else:
            cur.execute("DELETE FROM smt_root WHERE version < ?", (horizon,))
        for (node_id,) in doomed:
            self._cache.pop(node_id, None)
        return len(doomed)
