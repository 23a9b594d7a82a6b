"""Account security under random use: whatever the holder and its representatives send, in whatever order and
with whatever fields, no tx escapes the check function, tonnes are never created or lost, and what is held
is exactly what waits for an approver."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from protocol.codes import Code
from abci_harness import CHAIN_ID, Actors, Node
from custody_steps import BALANCES, CUSTODY_PARAMS, DELAY, admit, ok, settings as send_settings
from ets.keys import Signer


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """Company 1 with four eyes and five representatives (initiator, approver, both, read-only, one to be added)."""
    actors = Actors.make()
    node = Node.start(tmp_path_factory.mktemp("custody-fuzz"), actors.app_state(
        balances={c.address: dict(BALANCES) for c in actors.companies}, **CUSTODY_PARAMS))
    holder = actors.companies[0]
    reps = [Signer.from_seed(bytes([0x70 + i]) * 32) for i in range(5)]
    ok(send_settings(node, holder, True, daily=5_000))
    for rep, rights in zip(reps[:4], (["initiate"], ["approve"], ["approve", "initiate"], [])):
        ok(admit(node, holder, rep, rights))
    node.finalize([], node.time + DELAY)
    node.commit()
    return node, actors, holder, reps


def _messages(actors: Actors, reps: list[Signer]):
    others = [c.address for c in actors.companies[1:]] + [actors.companies[0].address, actors.gov[0].address, "cd" * 20]
    address = st.sampled_from(others)
    odd = st.none() | st.booleans() | st.integers(-3, 10**13) | st.text(max_size=6) | st.lists(st.integers(), max_size=2)
    amount = st.integers(1, 1_500) | st.sampled_from([0, 10**12, 10**12 + 1]) | odd
    transfer_id = st.integers(0, 6) | odd
    rep = st.sampled_from(reps)
    representative = st.builds(
        lambda r, rights, op: {"type": "custody_representative", "op": op, "representative": r.address,
                               "public_key": r.public_key.hex(), "name": "fuzzed representative", "rights": rights},
        rep, st.sampled_from([[], ["approve"], ["initiate"], ["approve", "initiate"], ["x"]]), st.sampled_from(["set", "x"]))
    return st.one_of(
        st.fixed_dictionaries({"type": st.just("custody_transfer"), "to": address | odd, "instrument": st.just("KAU25"),
                               "amount": amount}),
        st.fixed_dictionaries({"type": st.sampled_from(["custody_approve", "custody_cancel"]), "transfer_id": transfer_id}),
        st.fixed_dictionaries({"type": st.just("custody_trusted"), "op": st.sampled_from(["add", "confirm", "cancel",
                                                                                            "remove", "x"]),
                               "account": address | odd}),
        st.fixed_dictionaries({"type": st.just("custody_settings"), "four_eyes": st.booleans() | odd},
                              optional={"daily": amount, "transaction": amount}),
        st.fixed_dictionaries({"type": st.just("custody_representative"), "op": st.just("remove"),
                               "representative": rep.map(lambda r: r.address)}),
        representative,
        st.fixed_dictionaries({"type": st.just("transfer"), "to": address, "instrument": st.just("KAU25"), "amount": amount}),
    )


def _ledger(node: Node, actors: Actors, holder: Signer) -> tuple[int, int, int]:
    """(KAU25 available + held across all companies, the holder's held tonnes, the tonnes its waiting transfers hold)."""
    total = sum(node.read(f"/holdings/{c.address}", reader=c).get("KAU25", {"available": 0, "held": 0})["available"]
                + node.read(f"/holdings/{c.address}", reader=c).get("KAU25", {"held": 0})["held"] for c in actors.companies)
    held = node.read(f"/holdings/{holder.address}", reader=holder).get("KAU25", {"held": 0})["held"]
    record = node.read(f"/custody/{holder.address}", reader=holder)
    assert all(t["status"] == "waiting" for t in record["waiting"])
    waiting = sum(t["amount"] for t in record["waiting"])
    return total, held, waiting


def _nonce(node: Node, signer: Signer) -> int | None:
    """The signer's next nonce on chain; None while it is no account and no representative (it signed nothing)."""
    path = f"/nonce/{signer.address}"
    signed = signer.signed_query(CHAIN_ID, path, node.app.store.block_time)
    resp = node.query(path, signed.data)
    if resp.code == Code.UNKNOWN_SIGNER:
        return None
    assert resp.code == Code.OK, resp.log
    return json.loads(signed.open(resp.value))["nonce"]


def test_random_custody_traffic_never_escapes_and_conserves_tonnes(chain):
    node, actors, holder, reps = chain
    signers = st.sampled_from([holder, *reps])
    supply = BALANCES["KAU25"] * len(actors.companies)

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.tuples(signers, _messages(actors, reps)), min_size=1, max_size=6), st.integers(0, 3))
    def check(steps, pause):
        before = dict(node.nonces)
        txs = [node.sign(signer, msg) for signer, msg in steps]
        for tx, result in zip(txs, node.block(txs, time=node.time + 5 + pause * DELAY)):
            assert result.code in set(Code) and result.code != Code.INTERNAL, result.log
        for signer, _ in steps:  # follow the chain: a tx refused past its nonce still consumed it
            known = _nonce(node, signer)
            node.nonces[signer.address] = before.get(signer.address, 0) if known is None else known
        total, held, waiting = _ledger(node, actors, holder)
        assert total == supply and held == waiting
        scheduled = len([k for k, _ in node.app.store.scan("cust/exp/") if k.count("/") == 3])  # the expiry slots
        open_ids = node.read(f"/custody/{holder.address}", reader=holder)["open"]
        assert scheduled == len(open_ids)  # each waiting transfer is in exactly one expiry bucket, nothing else is

    check()
