"""Private txs on the wire (``protocol.private_tx``): what a block shows of them, who opens them, the commitment
in state, and the execution key's governed rotation, with a validator that lacks a key refusing rather than
diverging."""

from __future__ import annotations

import hashlib
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from abci_app.app import PRIVATE_RESULT
from abci_app.errors import GenesisError
from abci_app.genesis import genesis_entries
from abci_app.privacy import ExecutionKeys
from abci_harness import (CHAIN_ID, EXECUTION_KEY, EXECUTION_KEYS, REGULATOR_KEY, Actors, Node, approve, seal, sealed,
                          transfer)
from protocol import private_tx
from protocol.codec import canonical_json, decode_envelope, tx_hash
from protocol.codes import Code
from protocol.exposure import FIELDS, PRIVATE, readers_of
from protocol.messages import MESSAGES
from protocol.private_tx import PrivateTxError, open_tx, public_bytes
from protocol.sealed import view_key_of


def _order(side: str, price: int, quantity: int) -> dict:
    return {"type": "place_order", "instrument": "KAU25", "side": side, "price": price, "quantity": quantity}


def test_a_sealed_transfer_shows_no_signer_type_amount_or_recipient(node, actors):
    a, b = actors.companies[:2]
    tx = node.sign(a, transfer(b, 321))
    assert private_tx.is_private(tx)
    for secret in (a.address, b.address, "transfer", "321", "KAU25", a.public_key.hex(), "signer", "nonce"):
        assert secret.encode() not in tx, secret
    for address in (a.address, b.address):
        assert bytes.fromhex(address) not in tx
    order = node.sign(a, _order("buy", 10_000, 5))
    assert len(order) == len(tx)  # one size bucket: the size does not tell a transfer from an order
    result, _outcome = node.finalize([tx]).tx_results
    assert result == PRIVATE_RESULT  # code 0, no log, no data, no events, whatever happened
    node.commit()
    assert node.balances(b)["KAU25"] == 1_321


def test_the_validators_and_the_regulator_open_it_and_nobody_else(node, actors):
    a, b = actors.companies[:2]
    inner = a.sign_tx(CHAIN_ID, 0, transfer(b, 7))
    tx = sealed(inner)
    assert open_tx(tx, EXECUTION_KEY) == inner == open_tx(tx, REGULATOR_KEY)
    for outsider in (view_key_of(b), view_key_of(actors.gov[1]), X25519PrivateKey.generate()):
        with pytest.raises(PrivateTxError, match="not among the private tx's readers"):
            open_tx(tx, outsider)
    forged = bytearray(tx)
    forged[-20] ^= 1
    with pytest.raises(PrivateTxError, match="does not open"):
        open_tx(bytes(forged), EXECUTION_KEY)
    for junk in (b"", b"ETSP", tx[:60], b"ETSP\x02" + tx[5:], tx + b"\x00"):
        with pytest.raises(PrivateTxError):
            open_tx(junk, EXECUTION_KEY)


def test_the_state_commits_to_what_was_executed_and_the_signer_reads_its_result(node, actors):
    a, b = actors.companies[:2]
    inner = a.sign_tx(CHAIN_ID, 0, transfer(b, 10**6))  # more than a holds: it fails
    tx = sealed(inner)
    node.block([tx])
    assert node.app.store.get(f"ptx/{tx_hash(tx).hex()}") is None  # a failed tx's writes are discarded, with its commitment
    ok = sealed(a.sign_tx(CHAIN_ID, 1, transfer(b, 3)))
    node.block([ok])
    env = decode_envelope(open_tx(ok, EXECUTION_KEY))
    commitment = hashlib.sha256(env.signature + env.body).hexdigest()
    assert node.read(f"/state/ptx/{tx_hash(ok).hex()}")["value"] is not None  # public, provable, and unguessable
    assert node.app.store.get(f"ptx/{tx_hash(ok).hex()}") == commitment.encode()
    record = node.read(f"/tx/{tx_hash(tx).hex()}", reader=a)
    assert (record["code"], record["private"]) == (Code.INSUFFICIENT_BALANCE, True) and "not enough" in record["log"]
    signed = actors.gov[2].signed_query(CHAIN_ID, f"/tx/{tx_hash(tx).hex()}", node.app.store.block_time)
    assert node.query(f"/tx/{tx_hash(tx).hex()}", signed.data).code == Code.ACCESS_NOT_RECORDED  # not before saying why
    node.record_access(actors.gov[2], a, "a failed transfer reported by the company")
    assert node.read(f"/tx/{tx_hash(tx).hex()}", reader=actors.gov[2])["code"] == Code.INSUFFICIENT_BALANCE


def _rotate(node: Node, actors: Actors, epoch: int, key: X25519PrivateKey) -> None:
    action = {"type": "rotate_execution_key", "epoch": epoch, "public_key": public_bytes(key).hex()}
    proposed = node.run(actors.gov[0], {"type": "propose", "action": action})
    assert proposed.code == Code.OK, proposed.log
    executed = node.run(actors.gov[1], approve(json.loads(proposed.data)["proposal_id"]))
    assert executed.code == Code.OK, executed.log


def test_the_execution_key_rotates_by_governed_action(tmp_path, actors):
    second, third = X25519PrivateKey.generate(), X25519PrivateKey.generate()
    node = Node.start(tmp_path / "n", actors.app_state())
    a, b = actors.companies[:2]
    wrong = node.run(actors.gov[0], {"type": "propose", "action": {
        "type": "rotate_execution_key", "epoch": 5, "public_key": public_bytes(second).hex()}})
    assert wrong.code == Code.EPOCH_NOT_NEXT and "next key is epoch 2" in wrong.log

    node.app.executor.execution_keys = ExecutionKeys(keys={1: EXECUTION_KEY})  # this validator lacks key 2 so far
    _rotate(node, actors, 2, second)
    readers = node.read("/privacy")
    assert (readers["epoch"], readers["previous"]["epoch"], readers["execution_key"]) == (2, 1, public_bytes(second).hex())
    old = seal(a.sign_tx(CHAIN_ID, 0, transfer(b, 1)), epoch=1)  # sealed before the rotation: still read
    assert node.check(old).code == Code.OK
    new = seal(a.sign_tx(CHAIN_ID, 0, transfer(b, 1)), epoch=2, key=second)
    assert node.check(new).code == Code.EXECUTION_KEY_MISSING
    assert node.process([new]) == 2  # REJECT: a validator that cannot open a tx refuses the proposal
    with pytest.raises(RuntimeError, match="cannot open"):
        node.finalize([new])  # and, if the others decided it anyway, stops rather than diverge

    nonces = node.nonces
    node = Node(node.home, nonces=dict(nonces))  # the node restarted with the key added
    node.app.executor.execution_keys = ExecutionKeys(keys={1: EXECUTION_KEY, 2: second, 3: third})
    assert node.block([new])[0].code == Code.OK
    _rotate(node, actors, 3, third)
    stale = seal(a.sign_tx(CHAIN_ID, 1, transfer(b, 1)), epoch=1)
    assert node.check(stale).code == Code.UNKNOWN_KEY_EPOCH  # two epochs back: refused


def test_a_genesis_without_the_keys_private_txs_are_sealed_to_is_refused(actors):
    state = actors.app_state()
    del state["privacy"]
    with pytest.raises(GenesisError, match="privacy"):
        genesis_entries(canonical_json(state))
    state = actors.app_state()
    state["privacy"]["execution_key"] = "00" * 32
    with pytest.raises(GenesisError, match="execution_key"):
        genesis_entries(canonical_json(state))


def test_the_exposure_model_covers_every_message_and_matches_the_rules():
    from abci_app.rules import RULES

    assert set(FIELDS) == set(MESSAGES)
    assert PRIVATE == {cls.TYPE for cls, rule in RULES.items() if not rule.events and not rule.executes_actions}
    classes = {cls.TYPE: cls for cls in RULES}
    for kind in PRIVATE:
        assert "public" not in readers_of(kind, "signer") and "public" not in readers_of(kind, "type")
        fields = set(classes[kind].__dataclass_fields__)
        assert fields <= set(FIELDS[kind]), (kind, fields - set(FIELDS[kind]))
