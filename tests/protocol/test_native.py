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

import edwards_helpers as edwards
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


def _batched_run(count: int) -> tuple[bytes, list[bytes], list[bytes]]:
    private, public = _key(3)
    messages = [hashlib.sha256(b"batched %d" % i).digest() for i in range(count)]
    return public, [private.sign(m) for m in messages], messages


def _with_small_order_part(signature: bytes, point: bytes) -> bytes:
    r = edwards.add(edwards.decode(signature[:32]), edwards.decode(point))
    return edwards.encode(r) + signature[32:]


def test_a_long_run_of_good_signatures_is_accepted_whole(fast):
    public, signatures, messages = _batched_run(1000)
    assert ed25519.verify_many([public] * 1000, signatures, messages) == [True] * 1000


def test_batched_runs_refuse_what_the_single_check_refuses(fast):
    """One key's long run is checked in batches: every bad signature among good ones gets the single
    check's verdict. R plus a small-order point is among them, also twice in one batch (a plain batch
    equation with odd weights passes two R + T of order 2 every time), and so are a small-order R,
    S + L, S = 0, non-canonical R, a flipped bit and another message."""
    count = 600
    public, signatures, messages = _batched_run(count)
    bad: dict[int, tuple[bytes, bytes]] = {}
    for n, point in enumerate(SMALL_ORDER[1:]):
        bad[5 + 7 * n] = (_with_small_order_part(signatures[5 + 7 * n], point), messages[5 + 7 * n])
    for i in (60, 61, 300, 599):  # R + T of order 2, twice in one batch
        bad[i] = (_with_small_order_part(signatures[i], SMALL_ORDER[1]), messages[i])
    for n, point in enumerate(SMALL_ORDER + NON_CANONICAL[:6]):
        bad[100 + 3 * n] = (point + signatures[100 + 3 * n][32:], messages[100 + 3 * n])
    s = int.from_bytes(signatures[200][32:], "little")
    bad[200] = (signatures[200][:32] + (s + GROUP_ORDER).to_bytes(32, "little"), messages[200])
    bad[201] = (signatures[201][:32] + bytes(32), messages[201])
    bad[202] = (bytes([signatures[202][0] ^ 1]) + signatures[202][1:], messages[202])
    bad[203] = (signatures[203], messages[204])
    bad[420] = (bytes(64), messages[420])
    for i, (signature, message) in bad.items():
        signatures[i], messages[i] = signature, message
    native, reference = _both([(public, sig, msg) for sig, msg in zip(signatures, messages)])
    assert native == reference
    assert native == [i not in bad for i in range(count)]


def _signer_made_run(parts: dict[int, bytes], count: int) -> tuple[list[tuple[bytes, bytes, bytes]], list[bool]]:
    """``count`` signatures of one key, those at ``parts`` with R carrying that small-order point."""
    triples = []
    for i in range(count):
        message = b"signer-made %d" % i
        public, signature = edwards.sign_with_small_order_r(424242, parts.get(i, SMALL_ORDER[0]), message, i)
        triples.append((public, signature, message))
    return triples, [i not in parts for i in range(count)]


def test_r_with_a_small_order_part_is_refused_in_a_batch(fast):
    """A key holder can sign with R = [r]B + T, T of order 2: S answers R's challenge, the single check
    refuses it (it recomputes [r]B), and a batch sum with 128-bit weights misses T for every weight whose
    negation is even. Only the test that R is in the prime-order subgroup keeps the batch's verdict
    the single check's: one such R, then two, among good signatures of one batch."""
    for parts in ({9: SMALL_ORDER[1]}, {3: SMALL_ORDER[1], 17: SMALL_ORDER[1]}):
        triples, expected = _signer_made_run(parts, 24)
        native, reference = _both(triples)
        assert native == reference == expected


def test_r_with_small_order_parts_of_every_order_among_many(fast):
    parts = {7 * n + 4: point for n, point in enumerate(SMALL_ORDER[1:] * 3)}
    triples, expected = _signer_made_run(parts, 300)
    native, reference = _both(triples)
    assert native == reference == expected


def test_a_key_outside_the_prime_order_subgroup_gets_the_single_check(fast):
    """A key with a small-order part (not of small order itself) is accepted by libsodium, and so are its
    signatures that meet the cofactorless equation; such a run is not batched, and gets the same verdicts."""
    triples = []
    for i in range(24):
        message = b"torsion key %d" % i
        public, signature = edwards.sign_with_torsion_key(987654321, 1 + i % 7, message, 1000 * i)
        triples.append((public, signature, message if i % 5 else message + b"!"))
    same_key = [(triples[0][0], *edwards.sign_with_torsion_key(987654321, 1, b"again %d" % i, 50_000 + 1000 * i)[1:], b"again %d" % i)
                for i in range(12)]
    native, reference = _both(triples + same_key)
    assert native == reference
    assert native == [bool(i % 5) for i in range(24)] + [True] * 12


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
