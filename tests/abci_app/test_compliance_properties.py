"""Property tests of the compliance cycle: random surrenders, borrowings, bankings, transfers and replays against
certified obligations, before and after the deadline. After every step: supply is conserved (held + retired),
no tonne is surrendered twice, every limit holds; the penalty formula is the minimum of its two bounds."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.codes import Code
from protocol.compliance import offset_cap, penalty_per_tonne, share_of
from abci_app.rules import BlockContext
from abci_app.state import Overlay
from abci_harness import CHAIN_ID, Actors, Node, sealed
from compliance_steps import JUL, certified_year, ok

INSTRUMENTS = ("KAU24", "KAU25", "KCU24", "KCU25")
HOLDINGS = {"KAU24": 900, "KAU25": 900, "KCU24": 120, "KCU25": 50}
OBLIGATIONS = (1_000, 1_500, 800)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    actors = Actors.make(companies=3)
    balances = {c.address: dict(HOLDINGS) for c in actors.companies}
    node = Node.start(tmp_path_factory.mktemp("props"), actors.app_state(balances=balances, market_around_the_clock=1))
    seller, buyer = actors.companies[0], actors.companies[2]
    ok(node.run(actors.bank, {"type": "fund_cash", "to": buyer.address, "amount": 1_000_000}))
    for who, side in ((seller, "sell"), (buyer, "buy")):  # company 1 has net sales of 60 t KAU24: it may bank 180 t
        ok(node.run(who, {"type": "place_order", "instrument": "KAU24", "side": side, "price": 10_000, "quantity": 60}))
    for company, tonnes in zip(actors.companies, OBLIGATIONS):
        certified_year(node, actors, company, 2024, tonnes)
    return actors, node


def _get(view: Overlay, key: str) -> int:
    raw = view.get(key)
    return int(raw) if raw else 0


def _position(view: Overlay, company: str) -> dict:
    raw = view.get(f"cmp/pos/{company}/2024")
    return json.loads(raw) if raw else {"surrendered": {}, "surrendered_total": 0, "kcu": 0, "borrowed": 0, "banked": 0}


def _check_invariants(view: Overlay, actors: Actors, supply0: dict[str, int]) -> None:
    companies = [c.address for c in actors.companies]
    for instrument in INSTRUMENTS:
        held = sum(_get(view, f"bal/{c}/{instrument}") + _get(view, f"held/{c}/{instrument}") for c in companies)
        retired = _get(view, f"cmp/retired/{instrument}")
        assert held + retired == _get(view, f"supply/{instrument}"), instrument
        # every retired tonne is in exactly one company's position: none surrendered twice
        assert retired == sum(_position(view, c)["surrendered"].get(instrument, 0) for c in companies), instrument
    # borrowing and banking only relabel KAU24 <-> KAU25: their supplies together are conserved
    assert _get(view, "supply/KAU24") + _get(view, "supply/KAU25") == supply0["KAU24"] + supply0["KAU25"]
    for company, obligation in zip(companies, OBLIGATIONS):
        held = _position(view, company)
        assert held["surrendered_total"] == sum(held["surrendered"].values()) <= obligation
        assert held["kcu"] == sum(t for i, t in held["surrendered"].items() if i.startswith("KCU")) <= offset_cap(obligation, 500)
        assert held["borrowed"] <= share_of(obligation, 1_500)
        assert not (held["borrowed"] and held["banked"])
        assert held["banked"] <= 3 * max(0, _get(view, f"netsold/{company}/KAU24"))
        result = view.get(f"cmp/result/{company}/2024")
        if result is not None:
            result = json.loads(result)
            assert (result["shortfall"] > 0) == (result["status"] == "B")
            assert result["shortfall"] == max(0, obligation - held["surrendered_total"])
            assert (view.get(f"cmp/blocked/{company}") is not None) == (result["status"] == "B")


_STEP = st.one_of(
    st.tuples(st.just("surrender"), st.integers(0, 2), st.sampled_from(INSTRUMENTS), st.integers(1, 1_200)),
    st.tuples(st.just("borrow"), st.integers(0, 2), st.just(""), st.integers(1, 300)),
    st.tuples(st.just("bank"), st.integers(0, 2), st.just(""), st.integers(1, 300)),
    st.tuples(st.just("transfer"), st.integers(0, 2), st.sampled_from(INSTRUMENTS), st.integers(1, 500)),
    st.tuples(st.just("replay"), st.integers(0, 2), st.just(""), st.just(0)),
    st.tuples(st.just("deadline"), st.just(0), st.just(""), st.just(0)),
)


def test_random_compliance_actions_conserve_supply_and_never_surrender_twice(chain):
    actors, node = chain
    executor = node.app.executor
    seen: dict[tuple[str, int], int] = {}  # (kind, code) → how often: the properties were exercised, not skipped

    @settings(max_examples=60, deadline=None)
    @given(st.lists(_STEP, min_size=1, max_size=25))
    def run(steps):
        view = Overlay(node.app.store)
        supply0 = {i: _get(view, f"supply/{i}") for i in INSTRUMENTS}
        time, height, sent = node.time, node.height, []
        for kind, who, instrument, amount in steps:
            height += 1
            ctx = BlockContext(CHAIN_ID, height, time)
            if kind == "deadline":
                time = max(time, JUL(2025))
                executor.end_block(view, BlockContext(CHAIN_ID, height, time))
                _check_invariants(view, actors, supply0)
                continue
            signer = actors.companies[who]
            if kind == "replay":
                if not sent:
                    continue
                before = dict(view.writes)
                outcome = executor.execute_tx(view, sent[-1], ctx)
                assert outcome.code == Code.NONCE_REPLAYED and view.writes == before
                continue
            msg = {"surrender": {"type": "surrender", "year": 2024, "instrument": instrument, "amount": amount},
                   "borrow": {"type": "borrow", "year": 2024, "amount": amount},
                   "bank": {"type": "bank", "year": 2024, "amount": amount},
                   "transfer": {"type": "transfer", "to": actors.companies[(who + 1) % 3].address, "instrument": instrument,
                                "amount": amount}}[kind]
            tx = sealed(signer.sign_tx(CHAIN_ID, _get(view, f"nonce/{signer.address}"), msg))
            balance_before = _get(view, f"bal/{signer.address}/{instrument}") if instrument else 0
            outcome = executor.execute_tx(view, tx, ctx, consume_nonce_on_failure=True)
            assert outcome.code in set(Code) and bool(outcome.log) == (outcome.code != Code.OK)
            seen[kind, outcome.code] = seen.get((kind, outcome.code), 0) + 1
            if outcome.code == Code.OK:
                sent.append(tx)
                if kind == "surrender":
                    assert _get(view, f"bal/{signer.address}/{instrument}") == balance_before - amount
            _check_invariants(view, actors, supply0)

    run()
    assert {("surrender", Code.OK), ("transfer", Code.OK), ("borrow", Code.OK)} <= set(seen), sorted(seen)
    assert {code for kind, code in seen if kind == "surrender"} & {Code.OFFSET_CAP_EXCEEDED, Code.OBLIGATION_EXCEEDED,
                                                                  Code.VINTAGE_NOT_ELIGIBLE}, sorted(seen)


@given(st.integers(0, 10**7), st.integers(0, 10), st.integers(0, 10**9), st.integers(0, 10**7))
def test_the_penalty_is_the_smaller_of_the_multiple_of_the_price_and_the_cap(price, multiple, cap, higher):
    per_tonne = penalty_per_tonne(price, multiple, cap)
    assert per_tonne == min(price * multiple, cap)
    assert per_tonne <= cap and per_tonne <= price * multiple
    assert penalty_per_tonne(price + higher, multiple, cap) >= per_tonne  # never falls as the price rises


@given(st.integers(0, 10**12), st.integers(0, 10_000))
def test_shares_round_down_so_a_limit_is_never_exceeded(total, bps):
    share = share_of(total, bps)
    assert share * 10_000 <= total * bps < (share + 1) * 10_000
