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

import sqlite3
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Callable, Iterable

from protocol.smt import EMPTY, Proof, blind, commit, key_path, leaf_hash, node_hash

__all__ = ["SCHEMA", "Ref", "EMPTY_REF", "Staged", "Tree", "root_of"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS smt_node (id BLOB PRIMARY KEY, body BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS smt_root (version INTEGER PRIMARY KEY, ref BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS smt_stale (since INTEGER NOT NULL, id BLOB NOT NULL, PRIMARY KEY (since, id)) WITHOUT ROWID;
"""

_EMPTY, _LEAF, _INTERNAL = 0, 1, 2

Ref = tuple  # (kind, hash, id); the empty subtree is EMPTY_REF
EMPTY_REF: Ref = (_EMPTY, EMPTY, b"")


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


def _threshold(path: bytes, depth: int) -> bytes:
    """The smallest path that shares ``path``'s first ``depth`` bits and has bit ``depth`` set."""
    shift = 255 - depth
    return ((((int.from_bytes(path, "big") >> shift) | 1) << shift)).to_bytes(32, "big")


def _prefix(path: bytes, depth: int) -> bytes:
    whole, rest = divmod(depth, 8)
    if not rest:
        return path[:whole]
    return path[:whole] + bytes((path[whole] & (0xFF << (8 - rest)) & 0xFF,))


@dataclass
class Staged:
    """A block's tree change, computed by ``Tree.stage`` and written by ``Tree.write``."""

    version: int
    root: Ref
    nodes: dict[bytes, bytes] = field(default_factory=dict)
    stale: list[bytes] = field(default_factory=list)

    @property
    def root_hash(self) -> bytes:
        return self.root[1]


class _Builder:
    """One version's new nodes, made from sorted (path, leaf ref) lists and change lists."""

    __slots__ = ("version", "tag", "nodes", "stale", "read")

    def __init__(self, version: int, read: Callable[[bytes], bytes]):
        self.version = version
        self.tag = version.to_bytes(8, "big")
        self.nodes: dict[bytes, bytes] = {}
        self.stale: list[bytes] = []
        self.read = read

    def leaf(self, path: bytes, commitment: bytes, key: bytes, value: bytes) -> Ref:
        node_id = self.tag + b"L" + path
        self.nodes[node_id] = _leaf_body(commitment, key, value)
        return (_LEAF, leaf_hash(path, commitment), node_id)

    def join(self, left: Ref, right: Ref, depth: int, path: bytes) -> Ref:
        if left[0] == _EMPTY:
            if right[0] != _INTERNAL:
                return right  # empty, or a lone leaf that rises to this depth
        elif right[0] == _EMPTY and left[0] == _LEAF:
            return left
        node_id = self.tag + b"I" + depth.to_bytes(2, "big") + _prefix(path, depth)
        self.nodes[node_id] = _encode_ref(left) + _encode_ref(right)
        return (_INTERNAL, node_hash(left[1], right[1]), node_id)

    def build(self, paths: list[bytes], refs: list[Ref], lo: int, hi: int, depth: int) -> Ref:
        """The subtree at ``depth`` holding the leaves ``refs[lo:hi]`` (sorted by ``paths``)."""
        if hi - lo == 1:
            return refs[lo]
        if hi == lo:
            return EMPTY_REF
        mid = bisect_left(paths, _threshold(paths[lo], depth), lo, hi)
        left = self.build(paths, refs, lo, mid, depth + 1)
        right = self.build(paths, refs, mid, hi, depth + 1)
        return self.join(left, right, depth, paths[lo])

    def update(self, ref: Ref, depth: int, paths: list[bytes], changes: list, lo: int, hi: int) -> Ref:
        """``ref``'s subtree after ``changes[lo:hi]``: (path, commit, key, value) or (path, None, ...) to delete."""
        if lo == hi:
            return ref
        if ref[0] == _INTERNAL:
            self.stale.append(ref[2])
            left, right = _children(self.read(ref[2]))
            mid = bisect_left(paths, _threshold(paths[lo], depth), lo, hi)
            new_left = self.update(left, depth + 1, paths, changes, lo, mid)
            new_right = self.update(right, depth + 1, paths, changes, mid, hi)
            return self.join(new_left, new_right, depth, paths[lo])
        # an empty subtree or a lone leaf: lay out the leaves that end up here
        leaf_paths: list[bytes] = []
        leaf_refs: list[Ref] = []
        kept = ref if ref[0] == _LEAF else None
        kept_path = kept[2][9:41] if kept is not None else None
        for i in range(lo, hi):
            path, commitment, key, value = changes[i]
            if kept is not None and kept_path <= path:
                if kept_path == path:
                    self.stale.append(kept[2])
                else:
                    leaf_paths.append(kept_path)
                    leaf_refs.append(kept)
                kept = None
            if commitment is not None:
                leaf_paths.append(path)
                leaf_refs.append(self.leaf(path, commitment, key, value))
        if kept is not None:
            leaf_paths.append(kept_path)
            leaf_refs.append(kept)
        return self.build(leaf_paths, leaf_refs, 0, len(leaf_refs), depth)


def root_of(entries: Iterable[tuple[str, bytes]], blinding_key: bytes) -> bytes:
    """The app hash of a whole state, computed from scratch in memory (for checks and tests)."""
    rows = sorted((key_path(k), k, v) for k, v in entries)
    builder = _Builder(0, lambda node_id: b"")
    refs = [(_LEAF, leaf_hash(p, commit(blind(blinding_key, k), v)), b"") for p, k, v in rows]
    return builder.build([r[0] for r in rows], refs, 0, len(refs), 0)[1]


class Tree:
    """The stored tree: stage a block's writes, write them in the block's transaction, prove keys."""

    def __init__(self, db: sqlite3.Connection, blinding_key: bytes, cache_entries: int = 400_000):
        if len(blinding_key) != 32:
            raise ValueError("the state blinding key is 32 bytes")
        self._db = db
        self.blinding_key = blinding_key
        self._cache: dict[bytes, bytes] = {}
        self._cache_entries = cache_entries
        row = db.execute("SELECT version, ref FROM smt_root ORDER BY version DESC LIMIT 1").fetchone()
        self.version = row[0] if row else -1
        self.root: Ref = _decode_ref(bytes(row[1]), 0)[0] if row else EMPTY_REF

    # ------------------------------------------------------------ reading

    def _read(self, node_id: bytes) -> bytes:
        body = self._cache.get(node_id)
        if body is None:
            row = self._db.execute("SELECT body FROM smt_node WHERE id = ?", (node_id,)).fetchone()
            if row is None:
                raise LookupError(f"state tree node {node_id.hex()} is missing (pruned or never written)")
            body = bytes(row[0])
            if len(self._cache) >= self._cache_entries:
                self._cache.clear()
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
            left, right = _children(self._read(ref[2]))
            if _bit(path, len(siblings)):
                siblings.append(left[1])
                ref = right
            else:
                siblings.append(right[1])
                ref = left
        if ref[0] == _EMPTY:
            return None, Proof(tuple(siblings), None)
        leaf_path = ref[2][9:41]
        commitment, leaf_key, value = _leaf_parts(self._read(ref[2]))
        return (value if leaf_path == path else None), Proof(tuple(siblings), (leaf_path, commitment))

    def blind(self, key: str) -> bytes:
        return blind(self.blinding_key, key)

    # ------------------------------------------------------------ writing

    def stage(self, version: int, changes: dict[str, bytes | None]) -> Staged:
        """The tree of ``version``: the current tree with ``changes`` (each a real change of value)."""
        if version <= self.version:
            raise ValueError(f"tree version {version} is not after the current {self.version}")
        key_of = self.blinding_key
        rows = []
        for key, value in changes.items():
            kb = key.encode()
            path = key_path(key)
            rows.append((path, None if value is None else commit(blind(key_of, key), value), kb, value))
        rows.sort(key=lambda r: r[0])
        builder = _Builder(version, self._read)
        root = builder.update(self.root, 0, [r[0] for r in rows], rows, 0, len(rows))
        return Staged(version, root, builder.nodes, builder.stale)

    def write(self, cur: sqlite3.Cursor, staged: Staged) -> None:
        """Write a staged version inside the caller's open transaction."""
        cur.executemany("INSERT OR REPLACE INTO smt_node (id, body) VALUES (?, ?)", list(staged.nodes.items()))
        cur.executemany("INSERT OR IGNORE INTO smt_stale (since, id) VALUES (?, ?)",
                        [(staged.version, node_id) for node_id in staged.stale])
        cur.execute("INSERT OR REPLACE INTO smt_root (version, ref) VALUES (?, ?)", (staged.version, _encode_ref(staged.root)))

    def written(self, staged: Staged) -> None:
        """Take the version as current once its transaction committed."""
        self.version, self.root = staged.version, staged.root
        if len(self._cache) + len(staged.nodes) >= self._cache_entries:
            self._cache.clear()
        self._cache.update(staged.nodes)

    def rebuild(self, cur: sqlite3.Cursor, version: int, entries: Iterable[tuple[str, bytes]]) -> Staged:
        """Replace the whole tree with one of ``version`` over ``entries`` (inside the caller's transaction)."""
        rows = sorted((key_path(k), k.encode(), commit(blind(self.blinding_key, k), v), v) for k, v in entries)
        builder = _Builder(version, self._read)
        refs = [builder.leaf(p, c, kb, v) for p, kb, c, v in rows]
        root = builder.build([r[0] for r in rows], refs, 0, len(refs), 0)
        staged = Staged(version, root, builder.nodes, [])
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
        rows = cur.execute("SELECT since, id FROM smt_stale WHERE since <= ?", (horizon,)).fetchall()
        doomed = []
        for since, node_id in rows:
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
