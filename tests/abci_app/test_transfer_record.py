"""Each account's private transfer record (``/transfers/<addr>``): entries on both sides of a transfer, custody
transfers, surrenders, issues and borrowing with their height, nothing for a rejected tx, paging and limits, who may read it, and
none of it in a block outcome or on an observer node."""

from __future__ import annotations

import pytest

from abci_app.proto import abci
from abci_app.modules.transfers import journal
from abci_app.modules.transfers.journal import MAX_ENTRIES_PER_QUERY, MAX_ENTRY_BYTES
from abci_app.rules import CHAIN
from protocol.codec import canonical_json
from protocol.codes import Code
from protocol.outcome import decode_outcome
from abci_harness import CHAIN_ID, Actors, Node, issue, transfer
from compliance_steps import borrow, certified_year, propose, surrender
from custody_steps import admit, approve_transfer, ask, send, settings
from ets.keys import Signer
from test_outcome import _follow, _observer


@pytest.fixture
def chain(tmp_path):
    actors = Actors.make(companies=3)
    balances = {c.address: {"KAU24": 2_000, "KAU25": 10_000} for c in actors.companies}
    return actors, Node.start(tmp_path / "node", actors.app_state(balances=balances))


def _record(node: Node, account: Signer, query: str = "", reader: Signer | None = None) -> dict:
    code, answer = ask(node, reader or account, f"/transfers/{account.address}{query}")
    assert code == Code.OK, answer
    return answer


def test_a_transfer_writes_one_entry_on_each_side_with_height_time_and_counterparty(chain):
    actors, node = chain
    a, b, c = actors.companies
    assert node.run(a, transfer(b, 300)).code == Code.OK
    height, time = node.height, node.time
    (out,) = _record(node, a)["entries"]
    (inn,) = _record(node, b)["entries"]
    assert out == {"seq": 1, "height": height, "time": time, "kind": "transfer", "direction": "out",
                   "counterparty": b.address, "instrument": "KAU25", "amount": 300, "reference": ""}
    assert inn == out | {"direction": "in", "counterparty": a.address}
    assert _record(node, c) == {"account": c.address, "count": 0, "limit": MAX_ENTRIES_PER_QUERY, "entries": []}
    assert node.run(b, transfer(a, 50, "KAU24")).code == Code.OK
    newest, oldest = _record(node, a)["entries"]
    assert (newest["seq"], newest["direction"], newest["amount"], newest["instrument"]) == (2, "in", 50, "KAU24")
    assert oldest == out and newest["height"] == height + 1


def test_a_rejected_transfer_writes_nothing(chain):
    actors, node = chain
    a, b, _ = actors.companies
    before = {k: v for k, v in node.app.store.items() if k.startswith("xlog/")}
    refused = node.run(a, transfer(b, 10_001))
    assert refused.code == Code.INSUFFICIENT_BALANCE
    assert node.run(a, transfer(a, 1)).code == Code.INVALID_MESSAGE
    assert {k: v for k, v in node.app.store.items() if k.startswith("xlog/")} == before == {}
    assert _record(node, a)["count"] == 0 == _record(node, b)["count"]


def test_paging_newest_first_before_and_from_and_the_limit(chain):
    actors, node = chain
    a, b, _ = actors.companies
    count = MAX_ENTRIES_PER_QUERY + 5
    for start in range(0, count, 60):
        results = node.block([node.sign(a, transfer(b, 1)) for _ in range(start, min(count, start + 60))])
        assert {r.code for r in results} == {Code.OK}
    first = _record(node, a)
    assert first["count"] == count and len(first["entries"]) == MAX_ENTRIES_PER_QUERY
    assert [e["seq"] for e in first["entries"]] == list(range(count, count - MAX_ENTRIES_PER_QUERY, -1))
    rest = _record(node, a, f"?before={first['entries'][-1]['seq']}")
    assert [e["seq"] for e in rest["entries"]] == [5, 4, 3, 2, 1]
    assert [e["seq"] for e in _record(node, a, "?from=3&limit=4")["entries"]] == [3, 4, 5, 6]
    assert [e["seq"] for e in _record(node, a, f"?from={count - 1}")["entries"]] == [count - 1, count]
    assert _record(node, a, f"?from={count + 1}")["entries"] == []
    assert [e["seq"] for e in _record(node, a, "?limit=2")["entries"]] == [count, count - 1]
    for bad in (f"?limit={MAX_ENTRIES_PER_QUERY + 1}", "?limit=0", "?before=1&from=1", "?before=x", "?from=-1",
                "?seq=1", "?limit=1&limit=2", "?from=" + "9" * 20, "?before=١"):
        code, log = ask(node, a, f"/transfers/{a.address}{bad}")
        assert code == Code.BAD_QUERY, (bad, log)
    stored = [v for k, v in node.app.store.scan(f"xlog/{a.address}/")]
    assert len(stored) == count and max(map(len, stored)) <= MAX_ENTRY_BYTES


def test_custody_transfers_show_on_both_sides_executed_at_once_or_at_approval(chain):
    actors, node = chain
    a, b, _ = actors.companies
    assert send(node, a, b, 70).code == Code.OK  # not under custody: executes at once
    initiator, approver = Signer.generate(), Signer.generate()
    assert settings(node, a, True).code == Code.OK
    assert admit(node, a, initiator, ["initiate"]).code == Code.OK
    assert admit(node, a, approver, ["approve"]).code == Code.OK
    node.finalize([], node.time + 5 * 86_400)  # past the custody delay: the new rights are in effect
    node.commit()
    waiting = send(node, initiator, b, 40)
    assert waiting.code == Code.OK and _record(node, b)["count"] == 1  # waiting: nothing moved, nothing recorded
    assert approve_transfer(node, approver, 1).code == Code.OK
    approved, at_once = _record(node, b)["entries"]
    assert (at_once["kind"], at_once["direction"], at_once["amount"], at_once["reference"]) == ("custody_transfer", "in", 70, "")
    assert (approved["kind"], approved["counterparty"], approved["amount"]) == ("custody_transfer", a.address, 40)
    assert approved["reference"] == "custody transfer #1" and approved["height"] == node.height
    assert _record(node, a, reader=approver)["entries"][0] == approved | {"direction": "out", "counterparty": b.address}


def test_a_surrender_is_recorded_with_its_height(chain):
    actors, node = chain
    a = actors.companies[0]
    certified_year(node, actors, a, 2024, 1_500)
    assert surrender(node, a, 2024, "KAU24", 1_200).code == Code.OK
    (entry,) = _record(node, a)["entries"]
    assert entry == {"seq": 1, "height": node.height, "time": node.time, "kind": "surrender", "direction": "out",
                     "counterparty": "", "instrument": "KAU24", "amount": 1_200, "reference": "surrendered for 2024"}
    assert surrender(node, a, 2024, "KAU24", 301).code == Code.OBLIGATION_EXCEEDED
    assert _record(node, a)["count"] == 1


def test_an_issue_and_borrowing_are_recorded_with_the_proposal_and_both_vintages(chain):
    actors, node = chain
    a = actors.companies[0]
    assert propose(node, actors, issue(a, 700, "KCU25")["action"]).code == Code.OK
    (issued,) = _record(node, a)["entries"]
    assert (issued["kind"], issued["direction"], issued["instrument"], issued["amount"]) == ("issue", "in", "KCU25", 700)
    assert issued["reference"].startswith("proposal #") and issued["height"] == node.height
    certified_year(node, actors, a, 2024, 1_500)
    assert borrow(node, a, 2024, 100).code == Code.OK
    into, out_of = _record(node, a, "?limit=2")["entries"]
    assert (out_of["direction"], out_of["instrument"], into["direction"], into["instrument"]) == ("out", "KAU25", "in", "KAU24")
    assert {out_of["kind"], into["kind"]} == {"borrow"} and into["reference"] == "borrow for 2024: KAU25 → KAU24"
    assert out_of["seq"] + 1 == into["seq"] and out_of["height"] == into["height"] == node.height


def test_a_stranger_is_refused_as_on_other_private_paths_and_an_official_needs_an_access_record(chain):
    actors, node = chain
    a, b, c = actors.companies
    assert node.run(a, transfer(b, 5)).code == Code.OK
    path = f"/transfers/{a.address}"
    stranger, balances = ask(node, c, path), ask(node, c, f"/balances/{a.address}")
    assert stranger[0] == balances[0] == Code.UNAUTHORIZED and "transfer records are confidential" in stranger[1]
    assert node.query(path).code == Code.UNAUTHORIZED  # unsigned
    assert ask(node, c, f"/state/xlog/{a.address}/000000000001")[0] == Code.UNAUTHORIZED
    official = actors.gov[0]
    assert ask(node, official, path)[0] == Code.ACCESS_NOT_RECORDED
    node.record_access(official, a)
    assert _record(node, a, reader=official)["count"] == 1
    assert ask(node, a, f"/transfers/{a.address}/extra")[0] == Code.BAD_QUERY
    assert ask(node, a, "/transfers/" + "AB" * 20)[0] == Code.BAD_QUERY


def test_no_entry_reaches_a_block_outcome_or_an_observer_node(tmp_path, chain):
    actors, node = chain
    a, b, _ = actors.companies
    observer = _observer(tmp_path / "observer", actors.app_state(
        balances={c.address: {"KAU24": 2_000, "KAU25": 10_000} for c in actors.companies}), node.app.store.app_hash)
    for height in (1, 2):
        t = node.time + 5
        block = node.with_outcome([node.sign(a, transfer(b, height))], t)
        assert not [k for k, _ in decode_outcome(block[-1]).writes if k.startswith("xlog/")]
        _follow(observer, block, height, t)
        node.finalize(block, time=t)
        node.commit()
    assert len([k for k, _ in node.app.store.items() if k.startswith("xlog/")]) == 6  # 2 counters, 4 entries
    assert not CHAIN.to_observers(f"xlog/{a.address}/000000000001") and not CHAIN.is_public(f"xlog/{a.address}")
    assert observer.store.app_hash == node.app.store.app_hash
    path = f"/transfers/{a.address}"
    refused = observer.query(abci.RequestQuery(path=path, data=a.signed_query(CHAIN_ID, path, observer.store.block_time).data))
    assert refused.code == Code.OBSERVER_ONLY_PUBLIC
    assert observer.store._db.execute("SELECT count(*) FROM kv WHERE k LIKE 'xlog/%'").fetchone() == (0,)



@pytest.mark.parametrize("entry", [
    {"kind": "transfer", "direction": "out", "counterparty": "ab" * 20, "instrument": "KAU25", "amount": 1, "reference": ""},
    {"kind": "custody_transfer", "direction": "in", "counterparty": "0f" * 20, "instrument": "KCU30",
     "amount": 10**15, "reference": "custody transfer #123456789012"},
    {"kind": "surrender", "direction": "out", "counterparty": "", "instrument": "KAU24", "amount": 7,
     "reference": "surrendered for 2024"},
    {"kind": "borrow", "direction": "in", "counterparty": "", "instrument": "KAU24", "amount": 7,
     "reference": 'borrow for 2024: KAU25 → KAU24 "quoted" \\ \n'},
])
def test_an_entry_is_stored_exactly_as_canonical_json(entry):
    full = {"seq": 10**11, "height": 2**40, "time": 1_750_000_000, **entry}
    assert journal._encode(full) == canonical_json(full)
