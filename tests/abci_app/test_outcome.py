"""The block outcome (the last tx of every block) and the observer node that follows the chain from it.

A validator and an observer (no blinding or execution key) are fed the same blocks, proposals
included: the observer answers FinalizeBlock byte for byte as the validator does, keeps exactly
the public state, and refuses what it cannot know."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from abci_app.observer import NotPublic, Observer, PublicStore, read_genesis_app_hash
from abci_app.proto import abci
from abci_app.rules import CHAIN
from protocol.codec import canonical_json
from protocol.codes import Code
from protocol.outcome import Outcome, OutcomeError, Result, decode_outcome, encode_outcome, is_outcome

from abci_harness import CHAIN_ID, GENESIS_TIME, GENESIS_VALIDATORS, VALIDATOR_POWER, Node, ts
from abci_scenario import ScenarioWriter
from ets.keys import Signer

ACCEPT, REJECT = abci.ResponseProcessProposal.ACCEPT, abci.ResponseProcessProposal.REJECT


def _observer(home, app_state, genesis_hash: bytes) -> Observer:
    observer = Observer(home, genesis_app_hash=genesis_hash, clock=lambda: observer.store.block_time)
    resp = observer.init_chain(abci.RequestInitChain(
        time=ts(GENESIS_TIME), chain_id=CHAIN_ID, initial_height=1, app_state_bytes=canonical_json(app_state),
        validators=[abci.ValidatorUpdate(pub_key={"ed25519": v.public_key}, power=VALIDATOR_POWER) for v in GENESIS_VALIDATORS]))
    assert resp.app_hash == genesis_hash
    return observer


def _follow(observer: Observer, block: list[bytes], height: int, time: int) -> abci.ResponseFinalizeBlock:
    assert observer.process_proposal(abci.RequestProcessProposal(txs=block, height=height, time=ts(time))).status == ACCEPT
    resp = observer.finalize_block(abci.RequestFinalizeBlock(txs=block, height=height, time=ts(time)))
    observer.commit(abci.RequestCommit())
    return resp


def _public_state(node: Node) -> dict[str, bytes]:
    return {k: v for k, v in node.app.store.items() if CHAIN.to_observers(k)}


@pytest.mark.parametrize("seed", [2, 5])
def test_an_observer_fed_the_validators_blocks_returns_their_exact_responses(tmp_path, seed):
    writer = ScenarioWriter(seed)
    app_state = writer.app_state()
    node = Node.start(tmp_path / "validator", app_state)
    observer = _observer(tmp_path / "observer", app_state, node.app.store.app_hash)
    for height in range(1, 31):
        txs, time = writer.next_block(node)
        block = node.with_outcome(txs, time)
        assert is_outcome(block[-1]) and block[:-1] == txs
        theirs = _follow(observer, block, height, time)
        ours = node.finalize(block, time=time)
        node.commit()
        assert theirs.SerializeToString(deterministic=True) == ours.SerializeToString(deterministic=True), height
        assert observer.store.app_hash == node.app.store.app_hash
    public = _public_state(node)
    assert dict(observer.store.items()) == public  # every public key, and nothing else
    assert any(k.startswith("prop/") for k in public) and not any(k.startswith("ptx/") for k in public)
    assert any(k.startswith("ptx/") for k, _ in node.app.store.items())  # kept by validators, provable, not sent
    assert not any(k.startswith(("bal/", "nonce/", "cash/")) for k, _ in observer.store.items())
    info = observer.info(abci.RequestInfo())
    assert (info.last_block_height, info.last_block_app_hash) == (30, node.app.store.app_hash)


def test_a_governed_validator_change_reaches_the_observer(tmp_path, node, actors):
    observer = _observer(tmp_path / "observer", actors.app_state(), node.app.store.app_hash)
    g = actors.gov
    action = {"type": "set_validator_power", "pub_key": Signer.generate().public_key.hex(), "power": 3, "name": "observed"}
    proposal = None
    for height, (signer, msg) in enumerate([(g[0], {"type": "propose", "action": action}), (g[1], None)], start=1):
        tx = node.sign(signer, msg or {"type": "approve", "proposal_id": proposal})
        t = node.time + 5
        block = node.with_outcome([tx], t)
        theirs = _follow(observer, block, height, t)
        ours = node.finalize(block, time=t)
        node.commit()
        assert theirs.SerializeToString(deterministic=True) == ours.SerializeToString(deterministic=True)
        proposal = json.loads(ours.tx_results[0].data)["proposal_id"]
    assert [(u.pub_key.ed25519.hex(), u.power) for u in ours.validator_updates] == [(action["pub_key"], 3)]
    assert observer.query(abci.RequestQuery(path="/validators")).value == node.query("/validators").value


def test_a_client_cannot_send_an_outcome_and_a_proposal_must_end_with_the_right_one(node, actors):
    a, b = actors.companies[:2]
    tx = node.sign(a, {"type": "transfer", "to": b.address, "instrument": "KAU25", "amount": 3})
    outcome = node.app.outcome_of(1, node.time + 5, [tx])
    checked = node.check(outcome)
    assert checked.code == Code.NOT_A_CLIENT_TX and "proposer" in checked.log
    t = node.time + 5

    def process(txs: list[bytes]) -> int:
        return node.app.process_proposal(abci.RequestProcessProposal(txs=txs, height=1, time=ts(t), hash=b"p" * 32)).status

    assert process([tx, outcome]) == ACCEPT
    assert process([tx]) == REJECT  # no outcome
    assert process([outcome, tx]) == REJECT  # not last
    assert process([tx, node.app.outcome_of(2, t, [tx])]) == REJECT  # the outcome of another height
    doc = json.loads(outcome[4:])
    doc["events"] = [["auction", [["price", "1", 0]]]]  # claims a block event that did not happen
    assert process([tx, b"ETSO" + canonical_json(doc)]) == REJECT
    with pytest.raises(RuntimeError, match="differs"):  # committed anyway (a faulty 2/3): this node stops
        node.app.finalize_block(abci.RequestFinalizeBlock(txs=[tx, b"ETSO" + canonical_json(doc)], height=1, time=ts(t)))


def test_prepare_proposal_leaves_txs_for_the_next_block_when_the_outcome_outgrows_its_reserve(node, actors):
    g = actors.gov
    signers = [Signer.generate() for _ in range(40)]
    newcomers = [{"address": s.address, "public_key": s.public_key.hex(), "role": "company", "name": f"신규 회사 {i}",
                  "company_id": f"C-NEW-{i}", "sector": "steel"} for i, s in enumerate(signers)]
    txs = [node.sign(g[0], {"type": "propose", "action": {"type": "register_accounts", "accounts": newcomers[i:i + 1]}})
           for i in range(40)]
    full = node.prepare(txs)
    assert full[:-1] == txs  # every proposal is a public tx whose record the outcome writes
    size = len(abci.ResponsePrepareProposal(txs=full).SerializeToString())
    for cap in (size, size * 3 // 4, size // 2):
        prepared = node.prepare(txs, max_tx_bytes=cap)
        assert len(abci.ResponsePrepareProposal(txs=prepared).SerializeToString()) <= cap
        assert prepared[:-1] == txs[:len(prepared) - 1] and is_outcome(prepared[-1])
        assert node.process(prepared) == ACCEPT


def test_an_observer_answers_public_routes_and_refuses_the_rest_without_internal_errors(tmp_path, node, actors):
    observer = _observer(tmp_path / "observer", actors.app_state(), node.app.store.app_hash)
    for height in (1, 2):
        t = node.time + 5
        txs = [node.sign(actors.companies[0], {"type": "transfer", "to": actors.companies[1].address,
                                               "instrument": "KAU25", "amount": height})]
        block = node.with_outcome(txs, t)
        _follow(observer, block, height, t)
        node.finalize(block, time=t)
        node.commit()
    c = actors.companies[0]
    for route in sorted(CHAIN.routes):
        for path in (f"/{route}", f"/{route}/{c.address}", f"/{route}/KAU25"):
            plain = observer.query(abci.RequestQuery(path=path))
            signed = c.signed_query(CHAIN_ID, path, observer.store.block_time)
            sealed = observer.query(abci.RequestQuery(path=path, data=signed.data))
            for resp in (plain, sealed):
                assert resp.code != Code.INTERNAL, (path, resp.log)
    assert observer.query(abci.RequestQuery(path="/supply")).value == node.query("/supply").value
    refused = observer.query(abci.RequestQuery(path=f"/balances/{c.address}",
                                               data=c.signed_query(CHAIN_ID, f"/balances/{c.address}", observer.store.block_time).data))
    assert refused.code == Code.OBSERVER_ONLY_PUBLIC and "validator" in refused.log
    proof = observer.query(abci.RequestQuery(path="/state/supply/KAU25", prove=True))
    assert proof.code == Code.OBSERVER_ONLY_PUBLIC
    assert observer.check_tx(abci.RequestCheckTx(tx=b"anything")).code == Code.OBSERVER_ONLY_PUBLIC
    with pytest.raises(NotPublic):
        observer.store.get("bal/x/KAU25")


def test_an_observer_stops_on_a_block_it_cannot_read(tmp_path, node, actors):
    observer = _observer(tmp_path / "observer", actors.app_state(), node.app.store.app_hash)
    tx = node.sign(actors.companies[0], {"type": "transfer", "to": actors.companies[1].address, "instrument": "KAU25", "amount": 1})
    good = node.app.outcome_of(1, node.time + 5, [tx])
    bad = {
        "no outcome": [tx],
        "another height": [tx, node.app.outcome_of(2, node.time + 5, [tx])],
        "a result short": [tx, tx, good],
        "garbled": [tx, good[:-3]],
    }
    for why, block in bad.items():
        req = abci.RequestProcessProposal(txs=block, height=1, time=ts(node.time + 5))
        assert observer.process_proposal(req).status == REJECT, why
        with pytest.raises(RuntimeError, match="observer stops"):
            observer.finalize_block(abci.RequestFinalizeBlock(txs=block, height=1, time=ts(node.time + 5)))
    assert observer.store.height == 0


def test_the_observer_reads_its_genesis_app_hash_and_refuses_a_genesis_without_one(tmp_path):
    path = tmp_path / "genesis.json"
    path.write_text(json.dumps({"app_hash": "AB" * 32}))
    assert read_genesis_app_hash(path) == bytes.fromhex("AB" * 32)
    path.write_text(json.dumps({"app_hash": ""}))
    with pytest.raises(Exception, match="app_hash"):
        read_genesis_app_hash(path)
    store = PublicStore(tmp_path / "p.sqlite")
    with pytest.raises(NotPublic):
        store.prove("supply/KAU25")


_text = st.text(max_size=12)
_events = st.lists(st.tuples(_text, st.lists(st.tuples(_text, _text, st.booleans()), max_size=3).map(tuple)), max_size=3).map(tuple)
_results = st.one_of(st.none(), st.builds(Result, st.integers(0, 2000), _text, st.binary(max_size=20), _text, _events))


@settings(max_examples=200, deadline=None)
@given(height=st.integers(1, 2**40), app_hash=st.binary(min_size=32, max_size=32), results=st.lists(_results, max_size=5),
       events=_events, writes=st.dictionaries(st.text(min_size=1, max_size=20), st.one_of(st.none(), st.binary(max_size=30)), max_size=5),
       validators=st.lists(st.tuples(st.just("ed25519"), st.binary(min_size=32, max_size=32), st.integers(0, 100)), max_size=3))
def test_outcomes_round_trip_and_every_prefix_or_flip_is_refused_or_differs(height, app_hash, results, events, writes, validators):
    outcome = Outcome(height, app_hash, tuple(results), events, tuple(validators), tuple(sorted(writes.items())))
    raw = encode_outcome(outcome)
    assert decode_outcome(raw) == outcome
    assert encode_outcome(decode_outcome(raw)) == raw
    for cut in (len(raw) - 1, len(raw) // 2, 5):
        with pytest.raises(OutcomeError):
            decode_outcome(raw[:cut])
    deep = b"ETSO" + b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(OutcomeError):
        decode_outcome(deep)
