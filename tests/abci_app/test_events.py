"""ABCI events in process: every message type and block hook emits its declared events, with public attributes only."""

from __future__ import annotations

import json

import pytest

from protocol.exposure import PRIVATE as EXPOSED_PRIVATE

from abci_app.proto import abci
from abci_app.rules import CHAIN, RULES
from protocol.codes import Code
from protocol.events import MESSAGE
from abci_harness import Actors, Node, transfer
from chain_tour import AT_0930, AT_1000, tour

DECLARED = {MESSAGE.name: MESSAGE}
for _module in CHAIN.modules:
    for _owner in _module.messages + _module.actions + _module.hooks:
        DECLARED.update({event.name: event for event in _owner.events})
ACTION_EVENTS = {event.name for action in CHAIN.actions.values() for event in action.events}
HOOK_EVENTS = {event.name for hook in CHAIN.begin_block + CHAIN.end_block for event in hook.events}
PRIVATE = sorted(cls.TYPE for cls, rule in RULES.items() if not rule.events and not rule.executes_actions)


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    return tour(tmp_path_factory.mktemp("events") / "node")


def _events(events) -> list[tuple[str, dict[str, str]]]:
    """(type, attributes) of ABCI events, each checked against its declaration (keys, order, index flags)."""
    out = []
    for event in events:
        declared = DECLARED[event.type]
        assert [(a.key, a.index) for a in event.attributes] == [(a.key, a.index) for a in declared.attributes], event.type
        out.append((event.type, {a.key: a.value for a in event.attributes}))
    return out


def _values(events) -> list[str]:
    return [a.value for event in events for a in event.attributes]


@pytest.mark.parametrize("rule", [r for r in RULES.values() if r.message.TYPE not in EXPOSED_PRIVATE],
                         ids=lambda r: r.message.TYPE)
def test_every_public_message_emits_its_message_event_and_declared_events(chain, rule):
    results = chain.results.get(rule.message.TYPE)
    assert results, f"the tour sends no accepted {rule.message.TYPE}"
    allowed = {MESSAGE.name} | {e.name for e in rule.events} | (ACTION_EVENTS if rule.executes_actions else set())
    emitted = set()
    for result in results:
        events = _events(result.events)
        assert events[0] == ("message", {"type": rule.message.TYPE, "module": rule.module})
        assert {kind for kind, _ in events} <= allowed
        emitted |= {kind for kind, _ in events}
    assert emitted >= {e.name for e in rule.events}


@pytest.mark.parametrize("kind", PRIVATE)
def test_private_messages_carry_nothing_in_their_public_result(chain, kind):
    for result in chain.results[kind]:
        assert (result.code, result.log, result.data, list(result.events), result.codespace) == (0, "", b"", [], "")


RULES_BY_TYPE = {cls.TYPE: rule for cls, rule in RULES.items()}


def test_a_transfer_shows_neither_amount_nor_recipient(chain):
    (result,) = chain.results["transfer"]
    values = _values(result.events)
    assert chain.transfer_to.address not in values and "25" not in values and result.data == b"" and result.log == ""
    assert PRIVATE == ["auction_bid", "auction_cancel_bid", "bank", "block_trade_accept", "block_trade_cancel", "block_trade_propose", "borrow", "cancel_order",
                       "custody_approve", "custody_cancel", "custody_representative", "custody_settings", "custody_transfer",
                       "custody_trusted",
                       "fund_cash", "place_order", "record_access", "surrender", "transfer", "withdraw_cash"] == sorted(EXPOSED_PRIVATE)


def test_block_trades_and_orders_show_no_price_quantity_or_party(chain):
    parties = {s.address for s in chain.actors.companies}
    for kind in ("block_trade_propose", "block_trade_accept", "block_trade_cancel", "place_order", "cancel_order", "fund_cash"):
        for result in chain.results[kind]:
            values = set(_values(result.events))
            assert values == set() and result.data == b"" and result.log == ""


def test_governance_events_name_the_proposal_its_status_and_the_vote(chain):
    proposed = chain.results["propose"][0]
    events = _events(proposed.events)
    pid = str(json.loads(proposed.data)["proposal_id"])
    assert ("vote", {"proposal_id": pid, "official": chain.actors.gov[0].address, "vote": "approve"}) in events
    assert events[-1] == ("proposal", {"id": pid, "action": "register_account", "status": "open"})
    executed = _events(chain.results["approve"][0].events)
    assert [kind for kind, _ in executed] == ["message", "vote", "account_registered", "proposal"]
    assert executed[-1][1] == {"id": pid, "action": "register_account", "status": "executed"}
    rejected = _events(chain.results["reject"][-1].events)
    assert rejected[-1][1]["status"] == "rejected" and rejected[1][1]["vote"] == "reject"
    issued = [attrs for r in chain.results["approve"] for kind, attrs in _events(r.events) if kind == "allowances_issued"]
    assert issued == [{"proposal_id": "3", "company": chain.actors.companies[2].address, "instrument": "KCU25", "amount": "40"}]


def test_plan_and_eorder_events_follow_the_plan(chain):
    plan_events = [attrs for kind in ("plan_open", "plan_chunk") for r in chain.results[kind]
                   for event, attrs in _events(r.events) if event == "plan"]
    assert [(e["status"], e["received"]) for e in plan_events] == [("uploading", "0"), ("uploading", "2"), ("sealed", "3")]
    assert {e["hash"] for e in plan_events} == {chain.plan_hash}
    block = chain.blocks["eorder"]
    queued = [attrs for kind, attrs in _events(block.tx_results[0].events) if kind == "eorder"]
    credited = _events(block.events)
    assert queued == [{"plan_hash": chain.plan_hash, "proposal_id": queued[0]["proposal_id"], "status": "issuing",
                       "issued_lines": "0", "lines": "3"}]
    assert credited == [("eorder", {**queued[0], "status": "issued", "issued_lines": "3"})]


def test_registry_and_mrv_events_name_device_company_and_day(chain):
    (registered,) = chain.results["register_device"]
    company = chain.actors.companies[0].address
    assert _events(registered.events)[1] == ("device_registered", {
        "device": chain.device.address, "company": company, "site": "stack-1", "registered_by": chain.actors.verifier.address})
    (reported,) = chain.results["daily_total"]
    assert _events(reported.events)[1] == ("daily_total", {
        "device": chain.device.address, "company": company, "site": "stack-1", "day": "2025-06-15", "total": "1234",
        "unit": "kg", "merkle_root": "ab" * 32})


def test_block_hooks_emit_market_aggregates_only(chain):
    opening = _events(chain.blocks["open"].events)
    assert opening == [("market_session", {"event": "open", "trading_day": "2025-06-16"}),
                       ("auction", {"instrument": "KAU25", "trading_day": "2025-06-16", "session": "open", "price": "10000",
                                    "volume": "30"})]
    closing = _events(chain.blocks["close"].events)
    assert [kind for kind, _ in closing] == ["market_session", "market_session", "reference_price"]
    assert [attrs["event"] for kind, attrs in closing if kind == "market_session"] == ["closing_call", "close"]
    assert closing[-1][1] == {"instrument": "KAU25", "trading_day": "2025-06-16", "price": "10000"}
    emitted = {kind for block in chain.blocks.values() for kind, _ in _events(block.events)}
    assert emitted == HOOK_EVENTS  # every declared hook event was seen, and nothing else
    parties = {s.address for s in chain.actors.companies}
    market = [e for block in chain.blocks.values() for e in block.events if e.type != "penalty_assessed"]
    assert not parties & set(_values(market))  # a penalty names its company: the law publishes non-compliance
    settled = _events(chain.blocks["settle"].events)
    assert ("penalty_assessed", {"company": chain.actors.companies[1].address, "year": "2024", "shortfall": "850",
                                 "penalty": str(850 * 3 * 10_000)}) in settled


def test_a_rejected_tx_emits_nothing(node, actors):
    (result,) = node.block([node.sign(actors.companies[0], transfer(actors.companies[1], 10**9))])
    assert result.code == Code.INSUFFICIENT_BALANCE and list(result.events) == []


def test_block_events_are_the_same_whether_the_proposal_was_processed_first(tmp_path):
    actors = Actors.make()
    cold, warm = (Node.start(tmp_path / name, actors.app_state()) for name in ("cold", "warm"))
    buyer, seller = actors.companies[:2]
    funding = cold.sign(actors.bank, {"type": "fund_cash", "to": buyer.address, "amount": 1_000_000})  # one sealed tx
    warm.nonces = dict(cold.nonces)
    for node in (cold, warm):
        node.block([funding])
    for msg, who in (({"type": "place_order", "instrument": "KAU25", "side": "buy", "price": 10_000, "quantity": 10}, buyer),
                     ({"type": "place_order", "instrument": "KAU25", "side": "sell", "price": 10_000, "quantity": 10}, seller)):
        txs = [cold.sign(who, msg)]
        warm.nonces = dict(cold.nonces)
        cold.block(txs, time=AT_0930)
        warm.block(txs, time=AT_0930)
    assert warm.process([], time=AT_1000) == abci.ResponseProcessProposal.ACCEPT
    a, b = cold.finalize([], time=AT_1000), warm.finalize([], time=AT_1000)
    assert list(a.events) == list(b.events) and [e.type for e in a.events] == ["market_session", "auction"]
    assert a.app_hash == b.app_hash
