"""Proofs of state (``/state/<key>`` with ``protocol.smt``): present and absent keys against the app hash,
past heights, read rules, and refusals of tampered proofs; random states checked against a model."""

from __future__ import annotations

import base64
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.proto import abci
from abci_app.smt import root_of
from abci_app.state import History, Store
from abci_harness import BLINDING_KEY, Actors, Node, transfer
from protocol import smt
from protocol.codes import Code
from protocol.replies import ReplyError


def _answer(resp) -> tuple[dict, bytes]:
    assert resp.code == Code.OK, resp.log
    (op,) = resp.proof_ops.ops
    assert op.type == smt.PROOF_OP_TYPE and op.key.decode() == json.loads(resp.value)["key"]
    return json.loads(resp.value), op.data


def _value(answer: dict) -> bytes | None:
    return None if answer["value"] is None else base64.b64decode(answer["value"])


@pytest.fixture
def chain(tmp_path):
    actors = Actors.make()
    node = Node.start(tmp_path, actors.app_state())
    a, b = actors.companies[:2]
    node.run(a, transfer(b, 100))
    node.record_access(actors.gov[0], a)
    return node, actors


def test_a_public_key_is_proven_present_and_an_unknown_one_absent(chain):
    node, actors = chain
    root = node.info().last_block_app_hash
    answer, proof = _answer(node.query("/state/supply/KAU25"))
    assert answer["height"] == node.height and _value(answer) == node.app.store.get("supply/KAU25")
    smt.verify(root, "supply/KAU25", _value(answer), bytes.fromhex(answer["blind"]), proof)
    answer, proof = _answer(node.query("/state/supply/KAU99"))
    assert answer["value"] is None
    smt.verify(root, "supply/KAU99", None, bytes.fromhex(answer["blind"]), proof)
    with pytest.raises(smt.SmtError):  # the same proof does not show the key holding any value
        smt.verify(root, "supply/KAU99", b"1", bytes.fromhex(answer["blind"]), proof)


def test_a_balance_needs_the_owner_or_government_and_its_answer_is_sealed(chain):
    node, actors = chain
    a, b = actors.companies[:2]
    key = f"bal/{a.address}/KAU25"
    resp = node.query(f"/state/{key}")
    assert resp.code == Code.UNAUTHORIZED and not resp.value and not resp.proof_ops.ops
    signed = b.signed_query("ets-test-1", f"/state/{key}", node.app.store.block_time)
    assert node.query(f"/state/{key}", signed.data).code == Code.UNAUTHORIZED
    for reader in (a, actors.gov[0]):
        signed = reader.signed_query("ets-test-1", f"/state/{key}", node.app.store.block_time)
        resp = node.query(f"/state/{key}", signed.data)
        assert resp.code == Code.OK and b'"blind"' not in resp.value  # sealed: only the reader opens it
        answer = json.loads(signed.open(resp.value))
        assert _value(answer) == b"900"
        smt.verify(node.info().last_block_app_hash, key, b"900", bytes.fromhex(answer["blind"]), resp.proof_ops.ops[0].data)
        with pytest.raises(ReplyError):
            b.signed_query("ets-test-1", f"/state/{key}", node.app.store.block_time).open(resp.value)


def test_a_past_height_is_proven_against_that_heights_root(chain):
    node, actors = chain
    a, b = actors.companies[:2]
    before_height, before_root = node.height, node.info().last_block_app_hash
    node.run(a, transfer(b, 50))
    key = f"bal/{b.address}/KAU25"
    signed = b.signed_query("ets-test-1", f"/state/{key}", node.app.store.block_time)
    resp = node.query(f"/state/{key}", signed.data, height=before_height)
    answer = json.loads(signed.open(resp.value))
    assert resp.height == answer["height"] == before_height and _value(answer) == b"1100"
    blind = bytes.fromhex(answer["blind"])
    smt.verify(before_root, key, b"1100", blind, resp.proof_ops.ops[0].data)
    with pytest.raises(smt.SmtError, match="does not lead to the app hash"):
        smt.verify(node.info().last_block_app_hash, key, b"1100", blind, resp.proof_ops.ops[0].data)
    assert node.query("/state/supply/KAU25", height=node.height + 5).code == Code.BAD_QUERY


def test_refusals_say_what_to_do(chain):
    node, _ = chain
    cases = {
        "/state/": "1 to 512 characters",
        "/state/" + "k" * 600: "1 to 512 characters",
        "/state/book/KAU25": "cannot be read raw",
    }
    for path, words in cases.items():
        resp = node.query(path)
        assert resp.code == Code.BAD_QUERY and words in resp.log, (path, resp.log)
    resp = node.app.query(abci.RequestQuery(path="/params", prove=True))  # a JSON path with prove=true
    assert resp.code == Code.BAD_QUERY and "/state/<key>" in resp.log


def test_tampered_proofs_values_and_roots_are_refused(chain):
    node, _ = chain
    root = node.info().last_block_app_hash
    answer, data = _answer(node.query("/state/supply/KAU25"))
    value, blind = _value(answer), bytes.fromhex(answer["blind"])
    smt.verify(root, "supply/KAU25", value, blind, data)
    attempts = {
        "value": lambda: smt.verify(root, "supply/KAU25", value + b"0", blind, data),
        "blind": lambda: smt.verify(root, "supply/KAU25", value, bytes(32), data),
        "root": lambda: smt.verify(bytes(32), "supply/KAU25", value, blind, data),
        "key": lambda: smt.verify(root, "supply/KAU26", value, blind, data),
        "truncated": lambda: smt.verify(root, "supply/KAU25", value, blind, data[:-1]),
        "version": lambda: smt.verify(root, "supply/KAU25", value, blind, b"\x02" + data[1:]),
        "huge": lambda: smt.verify(root, "supply/KAU25", value, blind, data + bytes(smt.MAX_PROOF_BYTES)),
    }
    for i in range(3, len(data)):  # every single flipped byte of the proof is caught
        flipped = data[:i] + bytes((data[i] ^ 1,)) + data[i + 1:]
        attempts[f"byte {i}"] = lambda flipped=flipped: smt.verify(root, "supply/KAU25", value, blind, flipped)
    for name, attempt in attempts.items():
        with pytest.raises(smt.SmtError):
            attempt()
            pytest.fail(f"tampered {name} was accepted")


keys = st.text(st.sampled_from("ab/1é"), min_size=1, max_size=5)
states = st.dictionaries(keys, st.binary(max_size=4), max_size=25)


@settings(max_examples=60, deadline=None)
@given(states, st.lists(st.dictionaries(keys, st.none() | st.binary(max_size=4), max_size=8), max_size=4), keys)
def test_every_key_present_or_absent_is_proven_against_a_model(initial, blocks, extra):
    """Over random states and blocks of writes: every key of the model proves its value, every other
    key its absence, at every height, and the root equals one recomputed from the model."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "s.sqlite", BLINDING_KEY, History(window=10, checkpoint=0))
        store.reset_genesis("c", initial, 0)
        models = [dict(initial)]
        for height, writes in enumerate(blocks, 1):
            staged = store.stage(height, writes)
            store.commit_block(height, staged, height, writes, [])
            model = dict(models[-1])
            for k, v in writes.items():
                if v is None:
                    model.pop(k, None)
                else:
                    model[k] = v
            models.append(model)
        for height, model in enumerate(models):
            root = store.tree.root_at(height)[1]
            assert root == root_of(model.items(), BLINDING_KEY)
            for key in set(model) | {extra, extra + "/x"}:
                value, blind, proof = store.prove(key, height)
                assert value == model.get(key)
                smt.verify(root, key, value, blind, smt.decode(proof.encode()))
                if value is not None:
                    with pytest.raises(smt.SmtError):
                        smt.verify(root, key, None, blind, proof)
        store.close()
