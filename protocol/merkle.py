"""The Merkle tree over one day's readings: root, inclusion proof, verification.

The exact rule (the chain stores only the root, so anyone can re-derive it):

    leaf  = SHA-256(0x00 || canonical reading bytes)          (see ``protocol.readings``)
    node  = SHA-256(0x01 || left || right)

Leaves are the day's readings in ascending ``seq`` order. Level 0 is the list of leaves;
each next level pairs nodes (0,1), (2,3), ... of the level below. When a level has an odd
number of nodes, **the last node is promoted unchanged** to the next level (it is neither
hashed alone nor duplicated, so two different leaf lists can never share a root the way a
duplicating tree allows). The root is the single node of the top level. This is the same
tree shape as RFC 6962 / RFC 9162 (split at the largest power of two below n); a tree of one
leaf has that leaf's hash as its root; an empty tree has no root.

A proof for leaf ``index`` in a tree of ``size`` leaves is the list of sibling hashes from the
leaf upwards, skipping the levels where the node was promoted. Which side each sibling is on
follows from (index, size), so the proof carries no side bits and a proof cannot be replayed
for another position.

Memory: ``MerkleTree`` keeps every level as one contiguous ``bytes`` (32 bytes per node), so
1,000,000 leaves take ~64 MB; ``leaf_hashes`` returns the leaves as one such buffer. The hashing
loops run in the native hot path when it is built (``protocol.hotpath``); the Python code here is
the reference it is tested against.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Iterable

from .hotpath import native


class MerkleError(ValueError):
    """A tree or proof that cannot be built or parsed."""


__all__ = ["MerkleError", "LEAF_PREFIX", "NODE_PREFIX", "leaf_hash", "leaf_hashes", "node_hash", "merkle_root",
           "root_of_leaves", "MerkleTree", "MerkleProof", "verify_proof"]

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256
_NO_LEAVES = "a Merkle tree needs at least one leaf; a day always has readings once sealed"


def leaf_hash(data: bytes) -> bytes:
    return _sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(NODE_PREFIX + left + right).digest()


def leaf_hashes(leaves: Iterable[bytes]) -> bytes:
    """The leaf hashes of the leaves' data (canonical reading bytes), as one buffer of 32 bytes each."""
    fast = native()
    if fast is not None:
        return fast.leaf_hashes(leaves)
    return b"".join(leaf_hash(data) for data in leaves)


def root_of_leaves(leaves: Iterable[bytes]) -> bytes:
    """The root over the leaves' data (canonical reading bytes), in order."""
    return merkle_root(leaf_hashes(leaves))


def merkle_root(hashes: bytes | Iterable[bytes]) -> bytes:
    """Root over already-hashed leaves: one buffer of 32-byte hashes, or an iterable of them."""
    fast = native()
    if fast is None and not isinstance(hashes, bytes):
        return _streamed_root(hashes)
    level = hashes if isinstance(hashes, bytes) else b"".join(hashes)
    if len(level) % 32:
        raise MerkleError(f"leaf hashes are 32 bytes each; {len(level)} bytes are not a list of them")
    if fast is None:
        return _streamed_root(level[i:i + 32] for i in range(0, len(level), 32))
    if not level:
        raise MerkleError(_NO_LEAVES)
    return fast.root(level)


def _streamed_root(hashes: Iterable[bytes]) -> bytes:
    """The reference: streams the leaves with O(log n) memory."""
    stack: list[tuple[int, bytes]] = []  # (height, hash) of perfect subtrees, left to right
    for h in hashes:
        if len(h) != 32:
            raise MerkleError(f"leaf hashes are 32 bytes each, not {len(h)}")
        height = 0
        while stack and stack[-1][0] == height:
            h = node_hash(stack.pop()[1], h)
            height += 1
        stack.append((height, h))
    if not stack:
        raise MerkleError(_NO_LEAVES)
    acc = stack.pop()[1]
    while stack:  # fold the smaller subtrees into their left neighbours: the promotion rule
        acc = node_hash(stack.pop()[1], acc)
    return acc


def _next_level(level: bytes) -> bytes:
    count = len(level) // 32
    out = bytearray()
    sha, prefix = _sha256, NODE_PREFIX
    for off in range(0, (count - count % 2) * 32, 64):
        out += sha(prefix + level[off:off + 64]).digest()
    if count % 2:
        out += level[-32:]
    return bytes(out)


@dataclass(frozen=True, slots=True)
class MerkleProof:
    """Inclusion proof of leaf ``index`` in a tree of ``size`` leaves: sibling hashes, bottom up."""

    index: int
    size: int
    path: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.size, int) or self.size < 1 or not isinstance(self.index, int) or not 0 <= self.index < self.size:
            raise MerkleError(f"proof index {self.index!r} must be within a tree of {self.size!r} leaves")
        if any(not isinstance(h, bytes) or len(h) != 32 for h in self.path):
            raise MerkleError("every proof hash is 32 bytes")

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "size": self.size, "path": [h.hex() for h in self.path]}

    @classmethod
    def from_json(cls, obj: Any) -> "MerkleProof":
        try:
            return cls(int(obj["index"]), int(obj["size"]), tuple(bytes.fromhex(h) for h in obj["path"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise MerkleError(f"not a Merkle proof ({exc}); expected {{index, size, path: [hex, ...]}}") from None


class MerkleTree:
    """Every level of the tree over a list of leaves, for roots and proofs."""

    def __init__(self, hashes: bytes | Iterable[bytes]):
        level = hashes if isinstance(hashes, bytes) else b"".join(hashes)
        if not level:
            raise MerkleError("a Merkle tree needs at least one leaf")
        if len(level) % 32:
            raise MerkleError("leaf hashes are 32 bytes each")
        self.levels: list[bytes] = [level]
        fast = native()
        if fast is not None:
            self.levels += fast.tree_levels(level)
            return
        while len(level) > 32:
            level = _next_level(level)
            self.levels.append(level)

    @classmethod
    def from_leaves(cls, leaves: Iterable[bytes]) -> "MerkleTree":
        """Build from the leaves' data (canonical reading bytes), hashing each as a leaf."""
        return cls(leaf_hashes(leaves))

    @property
    def size(self) -> int:
        return len(self.levels[0]) // 32

    @property
    def root(self) -> bytes:
        return self.levels[-1]

    def leaf(self, index: int) -> bytes:
        return self.levels[0][index * 32:index * 32 + 32]

    def proof(self, index: int) -> MerkleProof:
        if not 0 <= index < self.size:
            raise MerkleError(f"leaf {index} is not in a tree of {self.size} leaves")
        path: list[bytes] = []
        i = index
        for level in self.levels[:-1]:
            count = len(level) // 32
            sibling = i ^ 1
            if sibling < count:
                path.append(level[sibling * 32:sibling * 32 + 32])
            i //= 2
        return MerkleProof(index, self.size, tuple(path))


def verify_proof(leaf_data: bytes, proof: MerkleProof, root: bytes) -> bool:
    """True when ``leaf_data`` is leaf ``proof.index`` of a ``proof.size``-leaf tree with this ``root``."""
    h = leaf_hash(leaf_data)
    i, count = proof.index, proof.size
    steps = iter(proof.path)
    used = 0
    while count > 1:
        if i % 2 == 1:
            sibling = next(steps, None)
            if sibling is None:
                return False
            h = node_hash(sibling, h)
            used += 1
        elif i + 1 < count:
            sibling = next(steps, None)
            if sibling is None:
                return False
            h = node_hash(h, sibling)
            used += 1
        i //= 2
        count = (count + 1) // 2
    return used == len(proof.path) and h == root
