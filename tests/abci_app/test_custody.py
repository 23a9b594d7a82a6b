"""Account security: representatives' rights, four eyes with held tonnes, expiry, and who reads the records."""

from __future__ import annotations

from pathlib import Path

import pytest

from protocol.codes import Code
from abci_app.modules.custody.queries import MAX_LISTED_TRANSFERS
from protocol.messages.custody import MAX_OPEN_TRANSFERS, MAX_REPRESENTATIVES
from abci_harness import Actors, Node, approve, proposal_id, register, transfer
from custody_steps import (
    BALANCES, CUSTODY_PARAMS, DELAY, TTL, admit, approve_transfer, ask, cancel_transfer, custody, holdings, ok, send,
    settings,
)
from ets.keys import Signer


@pytest.fixture
def cast(tmp_path):
    """Company 1 under custody with four eyes: an initiator, an approver, a read-only representative, rights in effect."""
    actors = Actors.make()
    node = Node.start(tmp_path / "node", actors.app_state(
        balances={c.address: dict(BALANCES) for c in actors.companies}, **CUSTODY_PARAMS))
    holder = actors.companies[0]
    reps = {"initiator": Signer.generate(), "approver": Signer.generate(), "reader": Signer.generate(),
            "both": Signer.generate()}
    ok(settings(node, holder, True))
    for name, rights in (("initiator", ["initiate"]), ("approver", ["approve"]), ("reader", []),
                         ("both", ["approve", "initiate"])):
        ok(admit(node, holder, reps[name], rights, name))
    node.finalize([], node.time + DELAY)
    node.commit()
    return node, actors, holder, reps


def test_an_account_never_under_custody_works_as_before_and_writes_nothing_new(tmp_path):
    actors = Actors.make()
    node = Node.start(tmp_path / "node", actors.app_state(
        balances={c.address: {"KAU25": 5_000_000} for c in actors.companies}, **CUSTODY_PARAMS))
    a, b = actors.companies[0], actors.companies[1]
    ok(node.run(a, transfer(b, 3_000_000)))  # above the central cap: caps apply only to accounts under custody
    ok(send(node, a, b, 1_500_000))  # custody_transfer without custody executes at once, uncapped
    assert node.balances(b)["KAU25"] == 9_500_000
    assert [k for k, _ in node.app.store.items() if k.startswith("cust/")] == []


def test_four_eyes_a_transfer_waits_with_its_tonnes_held_until_a_second_person_approves(cast):
    node, actors, holder, reps = cast
    to = actors.companies[1]
    refused = node.run(holder, transfer(to, 10))
    assert refused.code == Code.FOUR_EYES_REQUIRED and "custody_transfer" in refused.log
    waiting = ok(send(node, reps["initiator"], to, 600))
    assert waiting["status"] == "waiting" and waiting["expires"] == node.time + TTL
    assert holdings(node, holder) == {"available": 9_400, "held": 600}
    assert approve_transfer(node, reps["initiator"], waiting["transfer_id"]).code == Code.CUSTODY_NO_RIGHT
    assert approve_transfer(node, reps["reader"], waiting["transfer_id"]).code == Code.CUSTODY_NO_RIGHT
    assert approve_transfer(node, reps["both"], 99).code == Code.CUSTODY_NOT_FOUND
    assert node.balances(to)["KAU25"] == 10_000
    assert ok(approve_transfer(node, reps["approver"], waiting["transfer_id"]))["status"] == "executed"
    assert node.balances(to)["KAU25"] == 10_600 and holdings(node, holder) == {"available": 9_400, "held": 0}
    assert approve_transfer(node, reps["both"], waiting["transfer_id"]).code == Code.CUSTODY_NOT_FOUND  # once only
    assert [k for k, _ in node.app.store.scan("cust/exp/") if k.count("/") == 3] == []  # its expiry slot is freed
    record = custody(node, holder, reader=reps["reader"])
    (done,) = record["transfers"]
    assert (done["status"], done["initiator"], done["closed"]["by"]) == ("executed", reps["initiator"].address,
                                                                          reps["approver"].address)
    assert record["open"] == [] and record["usage"] == {"daily": 600, "weekly": 600, "monthly": 600}  # untrusted: counted


def test_held_tonnes_cannot_be_sent_twice(cast):
    node, actors, holder, reps = cast
    for _ in range(10):
        ok(send(node, reps["initiator"], actors.companies[1], 1_000))
    assert holdings(node, holder) == {"available": 0, "held": 10_000}
    assert send(node, reps["both"], actors.companies[2], 1).code == Code.INSUFFICIENT_BALANCE


def test_a_representative_with_both_rights_still_needs_a_second_person(cast):
    node, actors, holder, reps = cast
    mine = ok(send(node, reps["both"], actors.companies[1], 5))["transfer_id"]
    assert approve_transfer(node, reps["both"], mine).code == Code.CUSTODY_SAME_PERSON
    by_holder = ok(send(node, holder, actors.companies[1], 5))["transfer_id"]  # the holder initiates, never approves
    assert ok(approve_transfer(node, reps["both"], by_holder))["status"] == "executed"
    assert ok(approve_transfer(node, reps["approver"], mine))["status"] == "executed"


def test_cancel_by_initiator_approver_or_holder_and_expiry_release_the_held_tonnes(cast):
    node, actors, holder, reps = cast
    to = actors.companies[1]
    ids = [ok(send(node, reps["initiator"], to, 100))["transfer_id"] for _ in range(4)]
    assert holdings(node, holder)["held"] == 400
    assert cancel_transfer(node, reps["reader"], ids[0]).code == Code.CUSTODY_NO_RIGHT
    assert cancel_transfer(node, reps["both"], ids[0]).code == Code.OK  # an approver may cancel
    assert cancel_transfer(node, reps["initiator"], ids[1]).code == Code.OK
    assert cancel_transfer(node, holder, ids[2]).code == Code.OK
    assert cancel_transfer(node, holder, ids[2]).code == Code.CUSTODY_NOT_FOUND
    assert holdings(node, holder) == {"available": 9_900, "held": 100}
    expires = custody(node, holder)["transfers"][0]["expires"]
    assert approve_transfer(node, reps["approver"], ids[3], time=expires).code == Code.CUSTODY_EXPIRED
    node.finalize([], expires + 60)  # the end-of-block hook expires it
    node.commit()
    assert holdings(node, holder) == {"available": 10_000, "held": 0}
    record = custody(node, holder)
    assert [t["status"] for t in record["transfers"]] == ["expired", "cancelled", "cancelled", "cancelled"]
    assert record["open"] == [] and [k for k, _ in node.app.store.items() if k.startswith("cust/exp")] == []
    assert node.balances(to)["KAU25"] == 10_000


def test_new_rights_wait_the_delay_fewer_rights_and_removal_act_at_once(cast):
    node, actors, holder, reps = cast
    newcomer = Signer.generate()
    ok(admit(node, holder, newcomer, ["approve"], "newcomer"))
    pending = ok(send(node, reps["initiator"], actors.companies[1], 5))["transfer_id"]
    assert approve_transfer(node, newcomer, pending).code == Code.CUSTODY_NO_RIGHT  # not yet
    (entry,) = [r for r in custody(node, holder)["representatives"] if r["representative"] == newcomer.address]
    assert entry["rights"] == [] and entry["next"]["rights"] == ["approve"]
    ok(admit(node, holder, reps["approver"], [], "approver, now read-only"))
    assert approve_transfer(node, reps["approver"], pending).code == Code.CUSTODY_NO_RIGHT  # at once
    assert ok(approve_transfer(node, newcomer, pending, time=node.time + DELAY))["status"] == "executed"
    second = ok(send(node, reps["initiator"], actors.companies[1], 7))["transfer_id"]
    removed = ok(node.run(holder, {"type": "custody_representative", "op": "remove", "representative": reps["initiator"].address}))
    assert removed["cancelled"] == [second] and holdings(node, holder)["held"] == 0
    gone = send(node, reps["initiator"], actors.companies[1], 1)
    assert gone.code == Code.UNKNOWN_SIGNER


def test_loosening_settings_waits_the_delay_and_sending_the_settings_again_cancels_it(cast):
    node, actors, holder, reps = cast
    to = actors.companies[1]
    loose = ok(settings(node, holder, False, daily=500))
    assert loose["four_eyes"] is True and loose["limits"]["daily"] == 500  # the stricter part at once
    assert node.run(holder, transfer(to, 1)).code == Code.FOUR_EYES_REQUIRED
    ok(settings(node, holder, True, daily=500))  # the same again: the scheduled loosening is gone
    assert custody(node, holder)["next"] is None
    ok(settings(node, holder, False, daily=500))
    assert node.run(holder, transfer(to, 1), time=node.time + DELAY - 10).code == Code.FOUR_EYES_REQUIRED
    assert node.run(holder, transfer(to, 1), time=node.time + 20).code == Code.OK
    assert settings(node, holder, False, daily=500).code == Code.CUSTODY_UNCHANGED


def test_a_representative_never_acts_beyond_the_custody_messages_or_for_another_account(cast):
    node, actors, holder, reps = cast
    other = actors.companies[1]
    for msg in (transfer(other, 1), {"type": "custody_settings", "four_eyes": False},
                {"type": "custody_representative", "op": "remove", "representative": reps["reader"].address},
                {"type": "surrender", "year": 2024, "instrument": "KAU24", "amount": 1},
                {"type": "place_order", "instrument": "KAU25", "side": "sell", "price": 10_000, "quantity": 1}):
        result = node.run(reps["both"], msg)
        assert result.code == Code.UNAUTHORIZED and "a representative account may not send" in result.log, msg["type"]
    ok(settings(node, other, True))
    theirs = ok(send(node, other, holder, 3))["transfer_id"]  # company 2's own transfer 1
    mine = ok(send(node, reps["initiator"], other, 3))["transfer_id"]
    assert theirs == mine == 1  # ids are per account: the approver confirms its own account's
    ok(approve_transfer(node, reps["approver"], 1))
    assert node.balances(holder)["KAU25"] == 9_997 and custody(node, other)["open"] == [1]
    # a representative's key cannot serve a second account, nor a registered account's key be one
    assert admit(node, other, reps["approver"], ["approve"]).code == Code.CUSTODY_KEY_IN_USE
    assert admit(node, holder, other, ["approve"]).code == Code.CUSTODY_KEY_IN_USE
    assert admit(node, holder, holder, ["approve"]).code == Code.CUSTODY_KEY_IN_USE


def test_the_record_lists_every_waiting_transfer_and_the_latest_two_hundred(cast):
    node, actors, holder, reps = cast
    to = actors.companies[1].address
    for _ in range(3):
        node.block([node.sign(reps["initiator"], {"type": "custody_transfer", "to": to, "instrument": "KAU25", "amount": 1})
                    for _ in range(MAX_OPEN_TRANSFERS)])
        assert send(node, reps["initiator"], actors.companies[1], 1).code == Code.CUSTODY_FULL
        opened = custody(node, holder)["open"]
        node.block([node.sign(reps["approver"], {"type": "custody_approve", "transfer_id": i}) for i in opened])
    last = ok(send(node, reps["both"], actors.companies[1], 2))["transfer_id"]
    record = custody(node, holder)
    assert [t["id"] for t in record["waiting"]] == record["open"] == [last] == [3 * MAX_OPEN_TRANSFERS + 1]
    assert [t["id"] for t in record["transfers"]] == list(range(last, last - MAX_LISTED_TRANSFERS, -1))
    assert node.balances(actors.companies[1])["KAU25"] == 10_000 + 3 * MAX_OPEN_TRANSFERS


def test_an_account_has_at_most_twenty_representatives(cast):
    node, actors, holder, reps = cast
    for i in range(MAX_REPRESENTATIVES - len(reps)):
        ok(admit(node, holder, Signer.generate(), [], f"reader {i}"))
    full = admit(node, holder, Signer.generate(), [])
    assert full.code == Code.CUSTODY_FULL and f"at most {MAX_REPRESENTATIVES}" in full.log
    assert len(custody(node, holder)["representatives"]) == MAX_REPRESENTATIVES


def test_every_custody_code_is_exercised_by_these_tests():
    source = "".join(p.read_text() for p in Path(__file__).parent.glob("test_custody*.py"))
    assert [c.name for c in Code if 1700 <= c < 1800 and f"Code.{c.name}" not in source] == []


def test_a_representative_whose_key_is_later_registered_acts_only_as_that_account(cast):
    node, actors, holder, reps = cast
    rep = reps["approver"]
    ok(node.run(actors.gov[1], approve(proposal_id(node.run(actors.gov[0], register(rep, "company", "Later Registered"))))))
    waiting = ok(send(node, reps["initiator"], actors.companies[1], 5))["transfer_id"]
    refused = approve_transfer(node, rep, waiting)
    assert refused.code == Code.UNAUTHORIZED  # it signs as the registered company now, which never approves
    assert admit(node, holder, rep, ["approve"]).code == Code.CUSTODY_KEY_IN_USE
    ok(node.run(holder, {"type": "custody_representative", "op": "remove", "representative": rep.address}))
    assert rep.address not in [r["representative"] for r in custody(node, holder)["representatives"]]


def test_a_representatives_tx_is_good_once_even_after_it_is_removed_and_admitted_again(cast):
    node, actors, holder, reps = cast
    tx = node.sign(reps["initiator"], {"type": "custody_transfer", "to": actors.companies[1].address,
                                       "instrument": "KAU25", "amount": 2})
    (first,) = node.block([tx])
    assert first.code == Code.OK
    assert node.check(tx).code == Code.NONCE_REPLAYED
    node.block([tx])  # a proposer that includes it anyway: refused in the block too
    ok(node.run(holder, {"type": "custody_representative", "op": "remove", "representative": reps["initiator"].address}))
    assert node.check(tx).code == Code.UNKNOWN_SIGNER
    ok(admit(node, holder, reps["initiator"], ["initiate"]))
    node.finalize([], node.time + DELAY)
    node.commit()
    assert node.check(tx).code == Code.NONCE_REPLAYED  # its nonces survived the removal
    record = custody(node, holder)
    assert [(t["id"], t["status"]) for t in record["transfers"]] == [(1, "cancelled")]  # once; the removal cancelled it


def test_the_records_are_read_by_the_account_its_representatives_and_an_official_who_recorded_why(cast):
    node, actors, holder, reps = cast
    path = f"/custody/{holder.address}"
    for reader in (holder, reps["reader"], reps["approver"]):
        code, answer = ask(node, reader, path)
        assert code == Code.OK and answer["four_eyes"] is True and len(answer["representatives"]) == 4
    assert ask(node, reps["reader"], f"/holdings/{holder.address}")[1]["KAU25"]["available"] == 10_000
    assert ask(node, reps["reader"], f"/custody/{actors.companies[1].address}")[0] == Code.UNAUTHORIZED
    assert ask(node, actors.companies[1], path)[0] == Code.UNAUTHORIZED
    assert node.query(path).code == Code.UNAUTHORIZED  # unsigned
    assert ask(node, actors.gov[0], path)[0] == Code.ACCESS_NOT_RECORDED
    node.record_access(actors.gov[0], holder, "supervision of account security settings")
    assert ask(node, actors.gov[0], path)[0] == Code.OK
    code, me = ask(node, reps["approver"], f"/representative/{reps['approver'].address}")
    assert code == Code.OK and (me["account"], me["rights"]) == (holder.address, ["approve"])
    assert ask(node, holder, f"/representative/{reps['approver'].address}")[0] == Code.UNAUTHORIZED
    key = f"/state/cust/acct/{holder.address}"
    assert ask(node, reps["reader"], key)[0] == Code.OK and ask(node, actors.companies[1], key)[0] == Code.UNAUTHORIZED
