"""The native hot path (protocol._native) gives exactly the bytes and verdicts of the Python reference:
Merkle leaves, levels and roots, and strict Ed25519 verification (forgeries, small-order and
non-canonical keys and R, malleated S). Under CI=true a missing extension fails (tests/ci_strict.py)."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from protocol import ed25519, hotpath, merkle
from protocol.merkle import MerkleError, MerkleTree

from test_ed25519 import GROUP_ORDER, VECTORS

REPO = Path(__file__).resolve().parents[2]
P = 2**255 - 19
SMALL_ORDER = [bytes.fromhex(h) for h in (
    "0100000000000000000000000000000000000000000000000000000000000000",  # identity
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
)]
NON_CANONICAL = [(P + k).to_bytes(32, "little")[:31] + bytes([((P + k) >> 248) | sign]) for k in range(19) for sign in (0, 0x80)]


@pytest.fixture(scope="module")
def fast():
    module = hotpath.native()
    if module is None:
        pytest.skip(f"the native hot path is not built ({hotpath.load_error()}); run scripts/build_native.sh "
                    "(scripts/setup.sh does) — CI needs it")
    return module


def _reference(call, *args):
    with hotpath.python_only():
        return call(*args)


def _key(i: int) -> tuple[Ed25519PrivateKey, bytes]:
    private = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"native key %d" % i).digest())
    return private, private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _both(triples):
    keys, signatures, messages = (list(x) for x in zip(*triples))
    native = ed25519.verify_many(keys, signatures, messages)
    reference = _reference(ed25519.verify_many, keys, signatures, messages)
    assert reference == [ed25519.verify(k, s, m) for k, s, m in triples]
    return native, reference


def test_the_switch_really_switches(fast):
    assert hotpath.native() is fast
    with hotpath.python_only():
        assert hotpath.native() is None
    assert hotpath.native() is fast


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 7, 8, 9, 31, 33, 255, 256, 257, 1000, 4097])
def test_merkle_levels_and_roots_are_the_reference_bytes(fast, count):
    rng = random.Random(count)
    leaves = [rng.randbytes(rng.randrange(0, 200)) for _ in range(count)]
    hashes = merkle.leaf_hashes(leaves)
    assert hashes == _reference(merkle.leaf_hashes, leaves) == b"".join(merkle.leaf_hash(x) for x in leaves)
    tree = MerkleTree(hashes)
    reference = _reference(MerkleTree, hashes)
    assert tree.levels == reference.levels
    assert merkle.merkle_root(hashes) == tree.root == _reference(merkle.merkle_root, iter([hashes[i:i + 32] for i in range(0, len(hashes), 32)]))
    assert merkle.root_of_leaves(iter(leaves)) == tree.root
    index = rng.randrange(count)
    assert tree.proof(index) == reference.proof(index)
    assert merkle.verify_proof(leaves[index], tree.proof(index), tree.root)


def test_merkle_refuses_what_the_reference_refuses(fast):
    for call in (merkle.merkle_root, MerkleTree):
        for bad in (b"", [], b"x" * 33, [b"x" * 32, b"y"]):
            with pytest.raises(MerkleError):
                call(bad)
            with pytest.raises(MerkleError):
                _reference(call, bad)
    with pytest.raises(TypeError):
        merkle.leaf_hashes([b"ok", "text"])


def test_the_vectors_of_the_single_check_give_the_same_verdicts(fast):
    native, reference = _both([(public, signature, message) for _, public, signature, message, _ in VECTORS])
    assert native == reference == [valid for *_, valid in VECTORS]


def test_small_order_and_non_canonical_keys_and_r_are_refused_as_libsodium_does(fast):
    private, public = _key(1)
    message = b"m" * 32
    signature = private.sign(message)
    s = int.from_bytes(signature[32:], "little")
    triples = [(public, signature, message), (public, signature[:32] + (s + GROUP_ORDER).to_bytes(32, "little"), message)]
    for point in SMALL_ORDER + NON_CANONICAL:
        triples += [(point, signature, message), (point, point + bytes(32), message),  # R = point, S = 0
                    (public, point + signature[32:], message), (point, point + signature[32:], b"")]
    native, reference = _both(triples)
    assert native == reference
    assert native[0] and not any(native[1:])


def test_many_keys_and_signatures_in_one_call(fast):
    rng = random.Random(7)
    keys = [_key(i) for i in range(5)]
    triples = []
    for i in range(1500):
        private, public = keys[min(i // 300, 4) if i % 7 else rng.randrange(5)]
        message = rng.randbytes(rng.choice((0, 1, 32, 100)))
        signature = private.sign(message)
        if i % 11 == 0:
            signature = bytes([signature[0] ^ 1]) + signature[1:]
        elif i % 13 == 0:
            message += b"!"
        elif i % 17 == 0:
            public = keys[(keys.index((private, public)) + 1) % 5][1]
        triples.append((public, signature, message))
    native, reference = _both(triples)
    assert native == reference
    assert 0 < sum(native) < len(native)


def test_bad_lengths_are_refused_not_crashed(fast):
    _, public = _key(2)
    with pytest.raises(ValueError):
        ed25519.verify_many([public], [], [])
    assert ed25519.verify_many([public[:31], public], [bytes(64), bytes(63)], [b"", b""]) == [False, False]
    assert ed25519.verify_many([], [], []) == []


def test_without_the_extension_the_reference_runs_and_says_so_once():
    probe = ("import logging, sys; logging.basicConfig(level=logging.WARNING, stream=sys.stderr); "
             "sys.modules['protocol._native'] = None; "
             "from protocol import ed25519, hotpath, merkle; "
             "assert hotpath.native() is None and 'protocol._native' in hotpath.load_error(); "
             "print(merkle.root_of_leaves([b'a', b'b', b'c']).hex()); "
             "print(ed25519.verify_many([bytes(32)], [bytes(64)], [b'']))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr
    a, b, c = (merkle.leaf_hash(x) for x in (b"a", b"b", b"c"))
    assert result.stdout.split("\n")[:2] == [merkle.node_hash(merkle.node_hash(a, b), c).hex(), "[False]"]
    assert result.stderr.count("native hot path not built") == 1, result.stderr
