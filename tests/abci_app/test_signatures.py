"""Signatures the chain refuses, through CheckTx and FinalizeBlock: malformed, malleated, forged
under a small-order key (which OpenSSL's Ed25519 would accept) — always ``BAD_SIGNATURE``."""

from __future__ import annotations

import pytest

from protocol.codec import address_of, canonical_json, encode_envelope, SIGNATURE_SIZE
from protocol.codes import Code
from protocol.ed25519 import verify_openssl
from abci_harness import sealed, CHAIN_ID, OPENING, Actors, Node, transfer

GROUP_ORDER = 2**252 + 27742317777372353535851937790883648493
IDENTITY = bytes([1]) + bytes(31)  # a small-order public key: R = identity, S = 0 "signs" anything under OpenSSL
WEAK = address_of(IDENTITY)


@pytest.fixture
def node_actors(tmp_path):
    actors = Actors.make()
    balances = {c.address: dict(OPENING) for c in actors.companies}
    state = actors.app_state(balances={**balances, WEAK: {"KAU25": 1_000}})
    state["accounts"].append({"address": WEAK, "public_key": IDENTITY.hex(), "role": "company", "name": "weak key"})
    return Node.start(tmp_path / "node", state), actors


def _resigned(tx: bytes, signature: bytes) -> bytes:
    return encode_envelope(tx[4 + SIGNATURE_SIZE:], signature)


def _malleated(tx: bytes) -> bytes:
    s = int.from_bytes(tx[4 + 32: 4 + SIGNATURE_SIZE], "little") + GROUP_ORDER
    return _resigned(tx, tx[4:4 + 32] + s.to_bytes(32, "little"))


CASES = {
    "S + L": _malleated,
    "zero signature": lambda tx: _resigned(tx, bytes(SIGNATURE_SIZE)),
    "R of another signature": lambda tx: _resigned(tx, bytes(32) + tx[4 + 32: 4 + SIGNATURE_SIZE]),
    "S bit flipped": lambda tx: _resigned(tx, tx[4:4 + 40] + bytes([tx[4 + 40] ^ 4]) + tx[4 + 41: 4 + SIGNATURE_SIZE]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_corrupted_signature_is_refused_in_check_and_block(node_actors, case):
    node, actors = node_actors
    good = actors.companies[0].sign_tx(CHAIN_ID, 0, transfer(actors.companies[1], 5))
    bad = sealed(CASES[case](good))
    check = node.check(bad)
    assert check.code == Code.BAD_SIGNATURE, check.log
    (result,) = node.block([bad])
    assert result.code == Code.BAD_SIGNATURE
    assert node.committed_nonce(actors.companies[0]) == 0, "a tx that fails its signature uses no nonce"
    assert node.run(actors.companies[0], transfer(actors.companies[1], 5)).code == Code.OK


def test_small_order_key_forgery_is_refused(node_actors):
    node, actors = node_actors
    body = canonical_json({"chain_id": CHAIN_ID, "msg": transfer(actors.companies[1], 1_000), "nonce": 0, "signer": WEAK})
    forged_signature = IDENTITY + bytes(32)
    assert verify_openssl(IDENTITY, forged_signature, b"any message at all")
    forged = sealed(encode_envelope(body, forged_signature))
    assert node.check(forged).code == Code.BAD_SIGNATURE
    (result,) = node.block([forged])
    assert result.code == Code.BAD_SIGNATURE
    assert node.balances(actors.companies[1])["KAU25"] == 1_000, "nothing moved"
