"""The state commitment: a sparse Merkle tree over every (key, value) of the chain's state.

The app hash in every block header is the root of this tree, so anyone holding a header signed
by the validators checks a value (or its absence) with a proof of a few hundred bytes, without
trusting the node that served it. This file is the whole rule; ``abci_app.smt`` stores the tree.

    path(key)       = SHA-256("ets/smt/key/v1" 0x00 || UTF-8 key)              256 bits, MSB first
    blind(key)      = HMAC-SHA-256(validators' blinding key, "ets/smt/blind/v1" 0x00 || UTF-8 key)
    commit(value)   = SHA-256("ets/smt/value/v1" 0x00 || blind || value)
    leaf            = SHA-256(0x00 || path || commit)
    node            = SHA-256(0x01 || left || right)
    empty subtree   = 32 zero bytes

The tree is binary over the bits of ``path``; a subtree holding a single leaf *is* that leaf
(it sits at the shallowest depth where its path differs from every other path), so the shape
depends only on the set of keys, never on the order of writes, and a tree of n random paths
is about log2(n) + 1 deep. A node with two empty children does not exist; an internal node
may have one empty child when its other child is internal.

Why ``blind``: a proof shows the hashes beside the path, and a lone leaf's hash would let
anyone test guesses of a neighbour's small integer value (a balance). The blinding key is
shared by the validators only; whoever may read a key also gets its ``blind``, and the
commitment of any other key stays a random-looking 32 bytes.

A proof for a key is the list of sibling hashes from the root down to where the walk ends,
and what it ends on: an empty subtree, or a leaf (the key's own leaf, or, for an absent key,
another key's leaf whose path shares every bit walked so far). Binary encoding (``encode``):

    0x01 version | depth (2 bytes, big-endian, ≤ 256)
    | bitmap of non-empty siblings (ceil(depth / 8) bytes, bit i = sibling at depth i, MSB first)
    | the non-empty siblings, 32 bytes each, root side first
    | 0x00 (ends on empty) or 0x01 path (32) commit (32) (ends on a leaf)

``verify`` refuses anything malformed or longer than these limits before hashing anything.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

__all__ = [
    "SmtError", "EMPTY", "BLIND_DOMAIN", "PROOF_OP_TYPE", "MAX_DEPTH", "MAX_PROOF_BYTES", "key_path", "blind", "commit",
    "leaf_hash", "node_hash", "Proof", "decode", "root_from_proof", "verify",
]

EMPTY = bytes(32)
PROOF_OP_TYPE = "ets:smt:v1"  # the ProofOp type of an abci_query answer with prove=true
MAX_DEPTH = 256
MAX_PROOF_BYTES = 3 + MAX_DEPTH // 8 + MAX_DEPTH * 32 + 65

_KEY_DOMAIN = b"ets/smt/key/v1\x00"
BLIND_DOMAIN = b"ets/smt/blind/v1\x00"
_VALUE_DOMAIN = b"ets/smt/value/v1\x00"
_VERSION = 1
_sha256 = hashlib.sha256


class SmtError(ValueError):
    """A proof that is malformed, or that does not prove what it was asked to."""


def key_path(key: str) -> bytes:
    return _sha256(_KEY_DOMAIN + key.encode()).digest()


def blind(blinding_key: bytes, key: str) -> bytes:
    return hmac.new(blinding_key, BLIND_DOMAIN + key.encode(), hashlib.sha256).digest()


def commit(blind_: bytes, value: bytes) -> bytes:
    return _sha256(_VALUE_DOMAIN + blind_ + value).digest()


def leaf_hash(path: bytes, commitment: bytes) -> bytes:
    return _sha256(b"\x00" + path + commitment).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def _bit(path: bytes, depth: int) -> int:
    return (path[depth >> 3] >> (7 - (depth & 7))) & 1


def _shares_prefix(a: bytes, b: bytes, bits: int) -> bool:
    whole, rest = divmod(bits, 8)
    if a[:whole] != b[:whole]:
        return False
    if rest == 0:
        return True
    mask = (0xFF << (8 - rest)) & 0xFF
    return (a[whole] & mask) == (b[whole] & mask)


@dataclass(frozen=True)
class Proof:
    """Siblings from the root down (``EMPTY`` for an empty one) and the walk's end:
    ``leaf`` = (path, commit) of the leaf it ended on, or None for an empty subtree."""

    siblings: tuple[bytes, ...]
    leaf: tuple[bytes, bytes] | None

    def encode(self) -> bytes:
        depth = len(self.siblings)
        bitmap = bytearray((depth + 7) // 8)
        hashes = []
        for i, sibling in enumerate(self.siblings):
            if sibling != EMPTY:
                bitmap[i >> 3] |= 0x80 >> (i & 7)
                hashes.append(sibling)
        end = b"\x00" if self.leaf is None else b"\x01" + self.leaf[0] + self.leaf[1]
        return bytes([_VERSION]) + depth.to_bytes(2, "big") + bytes(bitmap) + b"".join(hashes) + end


def decode(data: bytes) -> Proof:
    """Parse a proof strictly (version, depth ≤ 256, exact length)."""
    if not isinstance(data, (bytes, bytearray)) or len(data) > MAX_PROOF_BYTES:
        raise SmtError(f"a state proof is at most {MAX_PROOF_BYTES} bytes")
    if len(data) < 4 or data[0] != _VERSION:
        raise SmtError("not a version-1 state proof")
    depth = int.from_bytes(data[1:3], "big")
    if depth > MAX_DEPTH:
        raise SmtError(f"state proof claims depth {depth}; paths have {MAX_DEPTH} bits")
    pos = 3 + (depth + 7) // 8
    bitmap = data[3:pos]
    if len(bitmap) != (depth + 7) // 8:
        raise SmtError("state proof is cut short in its bitmap")
    if depth % 8 and bitmap and bitmap[-1] & (0xFF >> (depth % 8)):
        raise SmtError("state proof has bits set past its depth")
    siblings = []
    for i in range(depth):
        if bitmap[i >> 3] & (0x80 >> (i & 7)):
            sibling = bytes(data[pos:pos + 32])
            if len(sibling) != 32:
                raise SmtError("state proof is cut short in its sibling hashes")
            if sibling == EMPTY:
                raise SmtError("state proof lists an empty sibling as non-empty")
            siblings.append(sibling)
            pos += 32
        else:
            siblings.append(EMPTY)
    tail = bytes(data[pos:])
    if tail == b"\x00":
        return Proof(tuple(siblings), None)
    if len(tail) == 65 and tail[0] == 1:
        return Proof(tuple(siblings), (tail[1:33], tail[33:65]))
    raise SmtError("state proof does not end on an empty subtree or one leaf")


def root_from_proof(key: str, proof: Proof, commitment: bytes | None) -> bytes:
    """The root that ``proof`` implies for ``key`` holding ``commitment`` (None: absent).

    Raises ``SmtError`` when the proof's end contradicts the claim: a present key must end on its
    own leaf with that commitment; an absent key on an empty subtree or on another key's leaf
    whose path shares every bit walked."""
    path = key_path(key)
    depth = len(proof.siblings)
    if commitment is not None:
        if proof.leaf is None or proof.leaf[0] != path:
            raise SmtError(f"the proof does not end on the leaf of {key!r}: it proves the key absent")
        if proof.leaf[1] != commitment:
            raise SmtError(f"the value shown for {key!r} is not the value the proof commits to")
        node = leaf_hash(path, commitment)
    elif proof.leaf is None:
        node = EMPTY
    else:
        other, other_commit = proof.leaf
        if other == path:
            raise SmtError(f"the proof shows {key!r} present, not absent")
        if not _shares_prefix(other, path, depth):
            raise SmtError("the proof ends on a leaf that is not on the key's path")
        node = leaf_hash(other, other_commit)
    for d in range(depth - 1, -1, -1):
        sibling = proof.siblings[d]
        node = node_hash(sibling, node) if _bit(path, d) else node_hash(node, sibling)
    return node


def verify(root: bytes, key: str, value: bytes | None, blind_: bytes, proof: Proof | bytes) -> None:
    """Check that under ``root`` the state maps ``key`` to ``value`` (None: holds no value).

    ``blind_`` is the key's blinding factor, given with the value to whoever may read the key.
    Raises ``SmtError`` saying what failed; returns None when the proof holds."""
    if isinstance(proof, (bytes, bytearray)):
        proof = decode(proof)
    if len(root) != 32:
        raise SmtError("an app hash (state root) is 32 bytes")
    commitment = None if value is None else commit(blind_, value)
    if root_from_proof(key, proof, commitment) != root:
        raise SmtError(f"the proof for {key!r} does not lead to the app hash {root.hex()}")
