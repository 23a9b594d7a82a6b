"""``portal.proofs``: inclusion proofs of single readings, in both accepted forms, against real roots."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from protocol.merkle import leaf_hash, MerkleTree
from protocol.codec import canonical_json
from portal import proofs


def _readings(n: int) -> list[dict]:
    return [{"co2_kg": 1000 + i, "device": "ab" * 20, "seq": i, "source": "synthetic", "substituted": i % 5 == 4,
             "timestamp": 1_735_657_200 + 3600 * i} for i in range(n)]


def _sided(tree: MerkleTree, index: int) -> list[dict]:
    """The same path as tree.proof(index), with each sibling's side spelled out."""
    steps, i = [], index
    for level in tree.levels[:-1]:
        count = len(level) // 32
        sibling = i ^ 1
        if sibling < count:
            steps.append({"side": "left" if sibling < i else "right", "hash": level[sibling * 32:sibling * 32 + 32].hex()})
        i //= 2
    return steps


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=40), st.data())
def test_every_reading_of_a_day_verifies_in_both_forms(n, data):
    readings = _readings(n)
    tree = MerkleTree.from_leaves(canonical_json(r) for r in readings)
    index = data.draw(st.integers(min_value=0, max_value=n - 1))
    positional = proofs.parse_proof(json.dumps({"reading": readings[index], "proof": tree.proof(index).to_json()}))
    assert proofs.verify_inclusion(positional, tree.root.hex()).ok
    sided = proofs.parse_proof(json.dumps({"leaf": canonical_json(readings[index]).hex(), "proof": _sided(tree, index),
                                           "root": tree.root.hex()}))
    assert proofs.verify_inclusion(sided, tree.root.hex()).ok


@pytest.mark.parametrize("tamper", ["value", "substituted flag", "wrong index", "other root", "claimed root"])
def test_altered_proofs_fail_and_say_why(tamper):
    readings = _readings(9)
    tree = MerkleTree.from_leaves(canonical_json(r) for r in readings)
    reading, proof, root = dict(readings[3]), tree.proof(3).to_json(), tree.root.hex()
    doc = {"reading": reading, "proof": proof}
    if tamper == "value":
        reading["co2_kg"] += 1
    elif tamper == "substituted flag":
        reading["substituted"] = not reading["substituted"]
    elif tamper == "wrong index":
        proof["index"] = 2
    elif tamper == "other root":
        root = leaf_hash(b"another day").hex()
    else:
        doc["root"] = leaf_hash(b"another day").hex()
    result = proofs.verify_inclusion(proofs.parse_proof(json.dumps(doc)), root)
    assert not result.ok
    assert ("different root" in result.message) or ("claims a different root" in result.message)


def test_reading_from_another_device_is_named():
    readings = _readings(4)
    tree = MerkleTree.from_leaves(canonical_json(r) for r in readings)
    proof = proofs.parse_proof(json.dumps({"reading": readings[0], "proof": tree.proof(0).to_json()}))
    result = proofs.verify_inclusion(proof, tree.root.hex(), device="cd" * 20)
    assert not result.ok and "cd" * 20 in result.message


def test_signed_reading_form_is_accepted():
    readings = _readings(3)
    tree = MerkleTree.from_leaves(canonical_json(r) for r in readings)
    doc = {"reading": {"reading": readings[1], "signature": "00" * 64}, "proof": tree.proof(1).to_json()}
    assert proofs.verify_inclusion(proofs.parse_proof(json.dumps(doc)), tree.root.hex()).ok


@pytest.mark.parametrize("text,message", [
    ("not json", "not JSON"),
    ("[1, 2]", "one JSON object"),
    ('{"proof": {"index": 0, "size": 1, "path": []}}', '"reading"'),
    ('{"leaf": "zz", "proof": {"index": 0, "size": 1, "path": []}}', '"leaf" must be the hex'),
    ('{"leaf": "00", "proof": {"index": 3, "size": 2, "path": []}}', "proof.index"),
    ('{"leaf": "00", "proof": {"index": 0, "size": 0, "path": []}}', "proof.size"),
    ('{"leaf": "00", "proof": {"index": 0, "size": 2, "path": ["abc"]}}', "proof.path[0]"),
    ('{"leaf": "00", "proof": [{"side": "up", "hash": "00"}]}', "proof[0]"),
    ('{"leaf": "00", "proof": "nope"}', '"proof" must be'),
    ('{"leaf": "00", "proof": [], "device": "XYZ"}', '"device"'),
    ('{"leaf": "00", "proof": [], "day": "31/01/2025"}', '"day"'),
    ('{"leaf": "00", "proof": [], "root": "12"}', "root must be 64 hex"),
])
def test_malformed_proofs_are_explained(text, message):
    with pytest.raises(proofs.ProofError) as exc:
        proofs.parse_proof(text)
    assert message in str(exc.value)


@pytest.mark.localnet
def test_a_seeded_reading_verifies_against_the_root_on_chain(chain):
    from portal.data import emissions
    from portal_chain import reading_bytes

    label, day = "steel-stack", "2025-01-31"
    readings = chain.readings[(label, day)]
    tree = MerkleTree.from_leaves(reading_bytes(r) for r in readings)
    record = emissions.emissions_daily(chain.client, device=chain.device(label).address, start=day, end=day).iloc[0]
    for index in (0, 11, len(readings) - 1):
        doc = {"device": chain.device(label).address, "day": day, "reading": readings[index],
               "proof": tree.proof(index).to_json()}
        assert proofs.verify_inclusion(proofs.parse_proof(json.dumps(doc)), record["merkle_root"]).ok


def _edge_prove_output(signer, readings: list[dict], index: int, day: str) -> dict:
    """A document shaped like ``ets edge prove`` output (edge_uploader.prove.prove_reading)."""
    from protocol.readings import Reading, sign_reading

    tree = MerkleTree.from_leaves(canonical_json(r) for r in readings)
    signed = sign_reading(signer, Reading.from_json(readings[index]))
    return {"verdict": "proven", "problems": [], "reading": readings[index], "signature": signed.signature.hex(),
            "leaf_hash": leaf_hash(canonical_json(readings[index])).hex(), "proof": tree.proof(index).to_json(),
            "root_spool": tree.root.hex(), "root_chain": tree.root.hex(),
            "chain_record": {"device": readings[index]["device"], "day": day}, "signature_valid": True,
            "proof_valid": True, "rule": "..."}


def test_edge_prove_output_is_read_and_its_signature_checked():
    from ets.keys import Signer

    device = Signer.from_seed(b"\x07" * 32)
    readings = [{**r, "device": device.address, "timestamp": 1_735_657_200 + 3600 * i}  # 2025-01-01 00:00 KST onwards
                for i, r in enumerate(_readings(24))]
    doc = _edge_prove_output(device, readings, 5, "2025-01-01")
    proof = proofs.parse_proof(json.dumps(doc))
    assert (proof.device, proof.day) == (device.address, "2025-01-01")
    root = MerkleTree.from_leaves(canonical_json(r) for r in readings).root.hex()
    assert proofs.verify_inclusion(proof, root, device=device.address).ok
    assert proofs.verify_signature(proof, device.public_key.hex()) is True
    assert proofs.verify_signature(proof, Signer.from_seed(b"\x08" * 32).public_key.hex()) is False
    doc["reading"] = {**doc["reading"], "co2_kg": doc["reading"]["co2_kg"] + 1}
    altered = proofs.parse_proof(json.dumps(doc))
    assert proofs.verify_signature(altered, device.public_key.hex()) is False
    assert not proofs.verify_inclusion(altered, root).ok
    doc = _edge_prove_output(device, readings, 5, "2025-01-01")
    doc["root_spool"] = leaf_hash(b"a spool that was altered").hex()
    assert "claims a different root" in proofs.verify_inclusion(proofs.parse_proof(json.dumps(doc)), root).message


def test_day_and_device_default_to_the_readings():
    reading = {**_readings(1)[0], "timestamp": 1_735_657_200 - 3600}  # 2024-12-31 23:00 KST
    proof = proofs.parse_proof(json.dumps({"reading": reading, "proof": {"index": 0, "size": 1, "path": []}}))
    assert (proof.device, proof.day, proof.signature) == ("ab" * 20, "2024-12-31", None)
    assert proofs.verify_signature(proof, "00" * 32) is None
