"""Every rejection a transaction can get, through CheckTx and FinalizeBlock alike (one check function)."""

from __future__ import annotations

import json
from typing import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.codes import Code, CODESPACE
from abci_app.rules import BlockContext
from abci_app.state import Overlay
from abci_harness import seal, sealed, CHAIN_ID, Actors, Node, approve, issue, register, sign_body, transfer
from protocol.codec import canonical_json, SIGNATURE_SIZE
from ets.keys import Signer


def _body(a: Actors, **msg_overrides) -> dict:
    msg = transfer(a.companies[1], 5)
    msg.update(msg_overrides)
    return {"chain_id": CHAIN_ID, "msg": msg, "nonce": 0, "signer": a.companies[0].address}


def _bad_signature(node: Node, a: Actors) -> bytes:
    tx = bytearray(a.companies[0].sign_tx(CHAIN_ID, 0, transfer(a.companies[1], 5)))
    tx[4 + SIGNATURE_SIZE // 2] ^= 0x01
    return sealed(bytes(tx))  # the signature inside the sealed tx is wrong


def _signed_by_another_key(node: Node, a: Actors) -> bytes:
    return sign_body(Signer.generate(), canonical_json(_body(a)))


def _replayed(node: Node, a: Actors) -> bytes:
    assert node.run(a.companies[0], transfer(a.companies[1], 1)).code == Code.OK
    return sealed(a.companies[0].sign_tx(CHAIN_ID, 0, transfer(a.companies[1], 2)))


def _replayed_identical(node: Node, a: Actors) -> bytes:
    tx = a.gov[0].sign_tx(CHAIN_ID, 0, issue(a.companies[0], 1))  # public: its second result is public too
    assert node.block([tx])[0].code == Code.OK
    return tx


def _altered_ciphertext(node: Node, a: Actors) -> bytes:
    tx = bytearray(sealed(a.companies[0].sign_tx(CHAIN_ID, 0, transfer(a.companies[1], 5))))
    tx[-1] ^= 0x01
    return bytes(tx)


def _transfer(a: Actors) -> bytes:
    return a.companies[0].sign_tx(CHAIN_ID, 0, transfer(a.companies[1], 5))


def _name_of(node: Node, who: Signer) -> str:
    return json.loads(node.query(f"/account/{who.address}").value)["name"]


def _already_voted(node: Node, a: Actors) -> bytes:
    node.run(a.gov[0], issue(a.companies[0], 1))
    return sealed(a.gov[0].sign_tx(CHAIN_ID, 1, approve(1)))


def _closed(node: Node, a: Actors) -> bytes:
    node.run(a.gov[0], issue(a.companies[0], 1))
    node.run(a.gov[1], approve(1))
    return sealed(a.gov[2].sign_tx(CHAIN_ID, 0, approve(1)))


def _expired(node: Node, a: Actors) -> bytes:
    node.run(a.gov[0], issue(a.companies[0], 1))
    node.block([], time=node.time + 7 * 24 * 3600 + 1)
    return sealed(a.gov[1].sign_tx(CHAIN_ID, 0, approve(1)))


Case = Callable[[Node, Actors], bytes]
# (id, build tx (may commit setup blocks first), expected code, does FinalizeBlock consume the nonce?)
CASES: list[tuple[str, Case, Code, bool]] = [
    ("garbage bytes", lambda n, a: b"\x00\x01 not a tx", Code.MALFORMED_TX, False),
    ("empty tx", lambda n, a: b"", Code.MALFORMED_TX, False),
    ("non-canonical JSON", lambda n, a: sign_body(a.companies[0], json.dumps(_body(a)).encode()), Code.MALFORMED_TX, False),
    ("float amount", lambda n, a: sign_body(a.companies[0], canonical_json(_body(a, amount=5.0))), Code.MALFORMED_TX, False),
    ("duplicate keys", lambda n, a: sign_body(a.companies[0], canonical_json(_body(a))[:-1] + b',"signer":"' + a.companies[0].address.encode() + b'"}'),
     Code.MALFORMED_TX, False),
    ("wrong chain id", lambda n, a: sealed(a.companies[0].sign_tx("ets-other", 0, transfer(a.companies[1], 5))), Code.WRONG_CHAIN_ID, False),
    ("unknown signer", lambda n, a: sealed(Signer.generate().sign_tx(CHAIN_ID, 0, transfer(a.companies[1], 5))), Code.UNKNOWN_SIGNER, False),
    ("bad signature (flipped bit)", _bad_signature, Code.BAD_SIGNATURE, False),
    ("bad signature (another key)", _signed_by_another_key, Code.BAD_SIGNATURE, False),
    ("replayed nonce", _replayed, Code.NONCE_REPLAYED, False),
    ("replayed identical tx", _replayed_identical, Code.NONCE_REPLAYED, False),
    ("nonce ahead", lambda n, a: sealed(a.companies[0].sign_tx(CHAIN_ID, 1, transfer(a.companies[1], 5))), Code.NONCE_AHEAD, False),
    ("unknown message type", lambda n, a: sealed(a.companies[0].sign_tx(CHAIN_ID, 0, {"type": "mint", "amount": 5})), Code.UNKNOWN_MESSAGE, False),
    ("invalid fields", lambda n, a: sealed(a.companies[0].sign_tx(CHAIN_ID, 0, transfer(a.companies[1], 0))), Code.INVALID_MESSAGE, False),
    ("unauthorized role", lambda n, a: sealed(a.verifier.sign_tx(CHAIN_ID, 0, transfer(a.companies[1], 5))), Code.UNAUTHORIZED, False),
    ("insufficient balance", lambda n, a: sealed(a.companies[0].sign_tx(CHAIN_ID, 0, transfer(a.companies[1], 1_001))), Code.INSUFFICIENT_BALANCE, True),
    ("instrument not held", lambda n, a: sealed(a.companies[0].sign_tx(CHAIN_ID, 0, transfer(a.companies[1], 1, "KCU25"))), Code.INSUFFICIENT_BALANCE, True),
    ("transfer to self", lambda n, a: sealed(a.companies[0].sign_tx(CHAIN_ID, 0, transfer(a.companies[0], 5))), Code.INVALID_MESSAGE, True),
    ("transfer to a non-company", lambda n, a: sealed(a.companies[0].sign_tx(CHAIN_ID, 0, transfer(a.bank, 5))), Code.INVALID_RECIPIENT, True),
    ("transfer to the edge device", lambda n, a: sealed(a.companies[0].sign_tx(CHAIN_ID, 0, transfer(a.edge, 5))), Code.INVALID_RECIPIENT, True),
    ("unknown recipient", lambda n, a: sealed(a.companies[0].sign_tx(CHAIN_ID, 0, transfer("cd" * 20, 5))), Code.UNKNOWN_ACCOUNT, True),
    ("account exists", lambda n, a: sealed(a.gov[0].sign_tx(CHAIN_ID, 0, register(a.bank, "bank", "again"))), Code.ACCOUNT_EXISTS, True),
    ("name taken", lambda n, a: sealed(a.gov[0].sign_tx(CHAIN_ID, 0, register(Signer.generate(), "company", _name_of(n, a.companies[0]).upper()))),
     Code.NAME_TAKEN, True),
    ("proposal not found", lambda n, a: sealed(a.gov[0].sign_tx(CHAIN_ID, 0, approve(9))), Code.PROPOSAL_NOT_FOUND, True),
    ("already voted", _already_voted, Code.ALREADY_VOTED, True),
    ("proposal closed", _closed, Code.PROPOSAL_CLOSED, True),
    ("proposal expired", _expired, Code.PROPOSAL_EXPIRED, True),
    ("private message in clear", lambda n, a: _transfer(a), Code.MUST_BE_SEALED, False),
    ("public message sealed", lambda n, a: seal(a.gov[0].sign_tx(CHAIN_ID, 0, issue(a.companies[0], 1))),
     Code.NOT_A_PRIVATE_MESSAGE, False),
    ("sealed to an unknown epoch", lambda n, a: seal(_transfer(a), epoch=7), Code.UNKNOWN_KEY_EPOCH, False),
    ("not sealed to the regulator", lambda n, a: seal(_transfer(a), regulator=False), Code.REGULATOR_NOT_A_READER, False),
    ("sealed to another key", lambda n, a: seal(_transfer(a), key=X25519PrivateKey.generate()), Code.PRIVATE_TX_UNREADABLE, False),
    ("altered ciphertext", _altered_ciphertext, Code.PRIVATE_TX_UNREADABLE, False),
]


@pytest.mark.parametrize("build, code, consumes_nonce", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rejection_codes(node, actors, build, code, consumes_nonce):
    tx = build(node, actors)
    checked = node.check(tx)
    assert (checked.code, checked.codespace) == (code, CODESPACE), checked.log
    assert checked.log

    nonces_before = {s.address: node.committed_nonce(s) for s in [*actors.gov, actors.companies[0], actors.verifier]}
    (result,) = node.block([tx])
    assert (result.code, result.codespace) == (code, CODESPACE)
    assert result.log == checked.log
    nonces_after = {s.address: node.committed_nonce(s) for s in [*actors.gov, actors.companies[0], actors.verifier]}
    changed = {a for a in nonces_before if nonces_after[a] != nonces_before[a]}
    assert len(changed) == (1 if consumes_nonce else 0)
    # the state moved only by that nonce: rejected writes are discarded
    if consumes_nonce:
        (who,) = changed
        assert nonces_after[who] == nonces_before[who] + 1
        assert node.check(tx).code == Code.NONCE_REPLAYED  # a failed signed tx can never be replayed


def test_every_tx_rejection_code_is_exercised():
    not_from_txs = {Code.OK, Code.LIMIT_EXCEEDED, Code.BLOCK_FULL, Code.NOT_FOUND, Code.BAD_QUERY, Code.NOT_SUPPORTED, Code.INTERNAL}
    not_from_txs |= {Code.MALFORMED_REQUEST}  # unparseable ABCI requests (test_server.py)
    # exercised by the plan and MRV tests (test_plans.py, test_mrv.py, test_limits.py)
    not_from_txs |= {Code.ALREADY_REPORTED, Code.DAY_NOT_ENDED, Code.PLAN_CONFLICT, Code.PLAN_HASH_MISMATCH, Code.CHUNK_OUT_OF_ORDER, Code.PLAN_NOT_FOUND}
    not_from_txs |= {Code.MARKET_CLOSED, Code.ORDER_REJECTED, Code.ORDER_NOT_FOUND, Code.MISSING_VIEW_KEY}  # test_trading.py
    not_from_txs |= {Code.EXECUTION_KEY_MISSING, Code.EPOCH_NOT_NEXT}  # test_private_txs.py
    not_from_txs |= {Code.VALIDATOR_NOT_FOUND, Code.VALIDATOR_UNCHANGED, Code.VALIDATOR_POWER_SHIFT,  # test_validators.py
                     Code.VALIDATOR_SET_EMPTY, Code.VALIDATOR_SET_FULL, Code.VALIDATOR_CHANGED_IN_BLOCK}
    not_from_txs |= {Code.NOT_A_CLIENT_TX, Code.OBSERVER_ONLY_PUBLIC}  # test_outcome.py, test_observer.py
    not_from_txs |= {Code.ACCESS_NOT_RECORDED}  # a query refusal: test_access.py
    not_from_txs |= {Code.CHECK_BACKLOG}  # the server's overload refusal: test_server.py
    not_from_txs |= {Code.CHANNEL_NOT_FOUND, Code.CHANNEL_EXISTS, Code.CHANNEL_NOT_A_MEMBER,  # test_channels.py
                     Code.CHANNEL_NEEDS_REKEY, Code.CHANNEL_WRONG_EPOCH, Code.CHANNEL_WRAPS_MISMATCH,
                     Code.CHANNEL_POST_TOO_LARGE, Code.CHANNEL_DUPLICATE_POST, Code.CHANNEL_UNCHANGED}
    not_from_txs |= {Code(c) for c in Code if 1100 <= c < 1200}  # the compliance cycle's limits: test_compliance.py
    not_from_txs |= {Code(c) for c in Code if 1400 <= c < 1600}  # auctions, stabilisation: test_auctions.py, test_stabilisation*.py
    not_from_txs |= {Code.BLOCK_TRADE_OUT_OF_BAND, Code.PRICE_OPENING_MISMATCH}  # test_makers_integrity.py
    not_from_txs |= {Code(c) for c in Code if 1600 <= c < 1700}  # holding limits, market makers: test_makers.py
    not_from_txs |= {Code(c) for c in Code if 1700 <= c < 1800}  # account security: test_custody*.py
    assert {c[2] for c in CASES} == set(Code) - not_from_txs


def test_rejected_tx_leaves_balances_untouched(node, actors):
    before = node.balances(actors.companies[0]), node.balances(actors.companies[1])
    results = node.block([sealed(actors.companies[0].sign_tx(CHAIN_ID, 0, transfer(actors.companies[1], 1_001)))])
    assert results[0].code == Code.INSUFFICIENT_BALANCE
    assert "KAU25" in results[0].log and "1,001" in results[0].log
    assert (node.balances(actors.companies[0]), node.balances(actors.companies[1])) == before


# ------------------------------------------------------------------ fuzz: signed, registered, odd messages


@pytest.fixture(scope="module")
def fuzz_chain(tmp_path_factory):
    actors = Actors.make()
    node = Node.start(tmp_path_factory.mktemp("fuzz"), actors.app_state())
    node.run(actors.gov[1], issue(actors.companies[1], 1))  # proposal 1 open
    return actors, node


def _messages(actors: Actors):
    addresses = st.sampled_from([s.address for s in [*actors.gov, *actors.companies, actors.bank, actors.edge]] + ["cd" * 20])
    odd = st.none() | st.booleans() | st.integers(-5, 10**13) | st.text(max_size=8) | st.lists(st.integers(), max_size=2)
    amount = st.integers(-1, 2_000) | st.sampled_from([10**12, 10**12 + 1]) | odd
    instrument = st.sampled_from(["KAU25", "KAU26", "KCU25", "KAU2", ""]) | odd
    new_key = st.binary(min_size=32, max_size=32).map(lambda b: Signer.from_seed(b))
    register_action = st.builds(
        lambda s, role, company, name: {"type": "register_account", "address": s.address, "public_key": s.public_key.hex(),
                                        "role": role, "name": name, **({} if company is None else {"company": company})},
        new_key | st.sampled_from([actors.bank]), st.sampled_from(["company", "edge_device", "government", "x"]) | odd,
        st.none() | addresses | odd, st.text(max_size=5) | odd)
    issue_action = st.fixed_dictionaries({"type": st.just("issue_allowances"), "to": addresses | odd, "instrument": instrument, "amount": amount})
    return st.one_of(
        st.fixed_dictionaries({"type": st.just("transfer"), "to": addresses | odd, "instrument": instrument, "amount": amount}),
        st.fixed_dictionaries({"type": st.just("propose"),
                              "action": register_action | issue_action | odd | st.fixed_dictionaries({"type": odd})}),
        st.fixed_dictionaries({"type": st.sampled_from(["approve", "reject"]), "proposal_id": st.integers(-1, 3) | odd},
                              optional={"reason": st.text(max_size=10) | odd}),
    )


def test_signed_messages_from_registered_accounts_never_escape_the_check_function(fuzz_chain):
    actors, node = fuzz_chain

    @settings(max_examples=300, deadline=None)
    @given(st.sampled_from([actors.companies[0], actors.gov[0], actors.bank]), _messages(actors))
    def check(signer, msg):
        view = Overlay(node.app.store)
        tx = sealed(signer.sign_tx(CHAIN_ID, node.committed_nonce(signer), msg))
        outcome = node.app.executor.execute_tx(view, tx, BlockContext(CHAIN_ID, node.height + 1, node.time + 5),
                                               consume_nonce_on_failure=True)
        assert outcome.code in set(Code)
        assert bool(outcome.log) == (outcome.code != Code.OK)
        nonce_key = f"nonce/{signer.address}"
        if outcome.code == Code.OK:
            assert view.writes[nonce_key] == str(node.committed_nonce(signer) + 1).encode()
        else:
            assert set(view.writes) <= {nonce_key}  # a rejected tx's writes are discarded

    check()
