"""The Merkle tree: roots, proofs for every leaf, tampering, the promotion rule, 1,000,000 leaves."""

from __future__ import annotations

import hashlib
import resource
import time

import pytest
from hypothesis import given, settings, strategies as st

from protocol.merkle import leaf_hash, merkle_root, MerkleProof, MerkleTree, node_hash, verify_proof
from protocol.readings import Reading

from edge_uploader.errors import MerkleError


def reference_root(leaves: list[bytes]) -> bytes:
    """The documented rule, written as plainly as possible: pair up, promote the odd last node."""
    level = [hashlib.sha256(b"\x00" + leaf).digest() for leaf in leaves]
    while len(level) > 1:
        nxt = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def leaves_of(n: int) -> list[bytes]:
    return [f"reading-{i}".encode() for i in range(n)]


@pytest.mark.parametrize("n", list(range(1, 34)) + [63, 64, 65, 100, 127, 128, 129])
def test_every_leaf_has_a_proof_that_verifies(n):
    leaves = leaves_of(n)
    tree = MerkleTree.from_leaves(leaves)
    assert tree.root == reference_root(leaves) == merkle_root(leaf_hash(x) for x in leaves)
    for i, leaf in enumerate(leaves):
        proof = tree.proof(i)
        assert verify_proof(leaf, proof, tree.root), (n, i)
        assert not verify_proof(leaf + b"x", proof, tree.root), "a tampered leaf must fail"
        assert not verify_proof(leaves[(i + 1) % n], proof, tree.root) or n == 1
        if n > 1:
            other = MerkleProof((i + 1) % n, n, proof.path)
            assert not verify_proof(leaf, other, tree.root), "a proof must not hold at another position"


def test_known_shapes():
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    assert MerkleTree([a]).root == a
    assert MerkleTree([a, b]).root == node_hash(a, b)
    assert MerkleTree([a, b, c]).root == node_hash(node_hash(a, b), c)  # c is promoted, not duplicated
    assert MerkleTree([a, b, c]).root != MerkleTree([a, b, c, c]).root
    assert leaf_hash(b"a") == hashlib.sha256(b"\x00a").digest()


def test_tampered_path_and_truncated_path_fail():
    leaves = leaves_of(13)
    tree = MerkleTree.from_leaves(leaves)
    proof = tree.proof(6)
    bad = bytearray(proof.path[0])
    bad[0] ^= 1
    assert not verify_proof(leaves[6], MerkleProof(6, 13, (bytes(bad),) + proof.path[1:]), tree.root)
    assert not verify_proof(leaves[6], MerkleProof(6, 13, proof.path[:-1]), tree.root)
    assert not verify_proof(leaves[6], MerkleProof(6, 13, proof.path + (proof.path[0],)), tree.root)
    assert not verify_proof(leaves[6], MerkleProof(6, 7, proof.path), tree.root)  # fewer levels than the path has
    assert MerkleProof.from_json(proof.to_json()) == proof


@pytest.mark.parametrize("bad", [{"index": 5, "size": 5, "path": []}, {"index": -1, "size": 3, "path": []},
                                 {"index": 0, "size": 2, "path": ["00"]}, {"size": 2}])
def test_malformed_proofs_are_refused(bad):
    with pytest.raises(MerkleError):
        MerkleProof.from_json(bad)


def test_empty_tree_has_no_root():
    with pytest.raises(MerkleError):
        merkle_root([])
    with pytest.raises(MerkleError):
        MerkleTree([])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=70), st.data())
def test_property_root_and_proofs(leaves, data):
    tree = MerkleTree.from_leaves(leaves)
    assert tree.root == reference_root(leaves) == merkle_root(leaf_hash(x) for x in leaves)
    i = data.draw(st.integers(0, len(leaves) - 1))
    proof = tree.proof(i)
    assert verify_proof(leaves[i], proof, tree.root)
    changed = data.draw(st.binary(max_size=40).filter(lambda x: x != leaves[i]))
    assert not verify_proof(changed, proof, tree.root)
    modified = list(leaves)
    modified[i] = changed
    assert MerkleTree.from_leaves(modified).root != tree.root


def test_one_million_readings():
    n = 1_000_000
    device = "ab" * 20
    start = time.perf_counter()
    readings = (Reading(device, i, 1_700_000_000 // 3600 * 3600 + 3600 * i, 40_000 + i % 977, i % 50 == 0, "csv") for i in range(n))
    leaves = [leaf_hash(r.canonical_bytes()) for r in readings]
    t_leaves = time.perf_counter() - start
    start = time.perf_counter()
    streamed = merkle_root(leaves)
    t_stream = time.perf_counter() - start
    start = time.perf_counter()
    tree = MerkleTree(leaves)
    t_tree = time.perf_counter() - start
    start = time.perf_counter()
    proof = tree.proof(765_432)
    r = Reading(device, 765_432, 1_700_000_000 // 3600 * 3600 + 3600 * 765_432, 40_000 + 765_432 % 977, False, "csv")
    ok = verify_proof(r.canonical_bytes(), proof, tree.root)
    t_proof = time.perf_counter() - start
    assert ok and tree.root == streamed and len(proof.path) == 20
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n[merkle, 1,000,000 readings] readings built + canonical bytes + leaf hashes {t_leaves:.2f}s; "
          f"streaming root {t_stream:.2f}s; full tree (all levels, {sum(len(x) for x in tree.levels) / 2**20:.0f} MiB) {t_tree:.2f}s; "
          f"one proof + verify {t_proof * 1000:.2f} ms; peak RSS of the test process {peak_mb:.0f} MB")
