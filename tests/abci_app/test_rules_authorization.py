"""Who may send what (rules.RULES), and m-of-n governance with 2 of 3 officials."""

from __future__ import annotations

import json

import pytest

from protocol.codes import Code
from protocol.constants import ROLES
from abci_app.rules import RULES, BlockContext
from abci_app.state import Overlay
from abci_harness import sealed, CHAIN_ID, GENESIS_TIME, Actors, Node, approve, issue, proposal_id, register, reject, transfer
from ets.keys import Signer

# ------------------------------------------------------------------ role × message matrix

MESSAGES = {
    "transfer": lambda a: transfer(a.companies[1], 1),
    "propose/register_account": lambda a: register(Signer.generate(), "verifier", "Korea Verification Body 2"),
    "propose/issue_allowances": lambda a: issue(a.companies[1], 10),
    "propose/set_validator_power": lambda a: {"type": "propose", "action": {
        "type": "set_validator_power", "pub_key": Signer.generate().public_key.hex(), "power": 1, "name": "validator 5"}},
    "approve": lambda a: approve(1),
    "reject": lambda a: reject(1),
}
ALLOWED = {
    "transfer": {"company"},
    "propose/register_account": {"government"},
    "propose/issue_allowances": {"government"},
    "propose/set_validator_power": {"government"},
    "approve": {"government"},
    "reject": {"government"},
}


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """A committed chain with proposal 1 open (proposed by official 0)."""
    actors = Actors.make()
    node = Node.start(tmp_path_factory.mktemp("authz"), actors.app_state())
    assert proposal_id(node.run(actors.gov[0], issue(actors.companies[0], 1))) == 1
    return actors, node


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_role_may_send_message(chain, role, kind):
    actors, node = chain
    signer = actors.gov[1] if role == "government" else actors.by_role()[role]  # gov[1] has not voted on proposal 1
    tx = sealed(signer.sign_tx(CHAIN_ID, node.committed_nonce(signer), MESSAGES[kind](actors)))
    view = Overlay(node.app.store)
    outcome = node.app.executor.execute_tx(view, tx, BlockContext(CHAIN_ID, node.height + 1, node.time + 5))
    expected = Code.OK if role in ALLOWED[kind] else Code.UNAUTHORIZED
    assert outcome.code == expected, outcome.log
    if expected == Code.OK:
        assert view.writes[f"nonce/{signer.address}"] == str(node.committed_nonce(signer) + 1).encode()
    else:
        assert f"a {role} account may not send" in outcome.log
        assert view.writes == {}  # no nonce consumed, nothing staged


def test_rules_table_matches_the_matrix():
    assert {cls.TYPE: set(rule.roles) for cls, rule in RULES.items()} == {
        "transfer": {"company"}, "propose": {"government"}, "approve": {"government"}, "reject": {"government"},
        "plan_open": {"government"}, "plan_chunk": {"government"}, "register_device": {"verifier", "government"},
        "daily_total": {"edge_device"}, "fund_cash": {"bank"}, "withdraw_cash": {"bank"},
        "place_order": {"company"}, "cancel_order": {"company"}, "set_view_key": set(ROLES),
        "block_trade_propose": {"company"}, "block_trade_accept": {"company"}, "block_trade_cancel": {"company"},
        "record_access": {"government"},
        "channel_key": set(ROLES), "channel_post": set(ROLES),  # membership is the handler's check (test_channels.py)
        "emissions_report": {"company"}, "verification_statement": {"verifier"}, "surrender": {"company"},
        "borrow": {"company"}, "bank": {"company"}, "objection": {"company"},
        # account security: the holder's own key, and representatives (their rights: test_custody.py)
        "custody_representative": {"company"}, "custody_settings": {"company"},
        "custody_trusted": {"company", "representative"}, "custody_transfer": {"company", "representative"},
        "custody_approve": {"representative"}, "custody_cancel": {"company", "representative"},
        "auction_bid": {"company"}, "auction_cancel_bid": {"company"},
    }


def test_unauthorized_tx_in_a_block_does_not_consume_the_nonce(node, actors):
    (result,) = node.block([sealed(actors.bank.sign_tx(CHAIN_ID, 0, transfer(actors.companies[0], 1)))])
    assert result.code == Code.UNAUTHORIZED and result.codespace == "ets"
    assert node.committed_nonce(actors.bank) == 0


# ------------------------------------------------------------------ governance: 2 of 3


def _proposal(node: Node, pid: int) -> dict:
    return node.read(f"/proposal/{pid}")


def test_issue_executes_exactly_at_the_mth_approval(node, actors):
    gov, company = actors.gov, actors.companies[1]
    before = node.balances(company)["KAU25"]
    supply_before = node.read("/supply")["KAU25"]

    result = node.run(gov[0], issue(company, 250))
    pid = proposal_id(result)
    assert json.loads(result.data) == {"proposal_id": pid, "status": "open"}
    assert node.balances(company)["KAU25"] == before  # one approval of two: nothing yet

    again = node.run(gov[0], approve(pid))  # the proposer's approval counts once
    assert again.code == Code.ALREADY_VOTED and again.log
    assert [v["official"] for v in _proposal(node, pid)["approvals"]] == [gov[0].address]

    done = node.run(gov[1], approve(pid))
    assert done.code == Code.OK and json.loads(done.data) == {"proposal_id": pid, "status": "executed"}
    assert node.balances(company)["KAU25"] == before + 250
    assert node.read("/supply")["KAU25"] == supply_before + 250
    record = _proposal(node, pid)
    assert record["status"] == "executed" and record["executed"]["height"] == node.height

    late = node.run(gov[2], approve(pid))
    assert late.code == Code.PROPOSAL_CLOSED and "executed" in late.log
    assert node.balances(company)["KAU25"] == before + 250  # executed once only


def test_an_official_who_rejected_cannot_then_approve(node, actors):
    pid = proposal_id(node.run(actors.gov[0], issue(actors.companies[0], 5)))
    assert node.run(actors.gov[1], reject(pid, "needs verifier report")).code == Code.OK
    assert node.run(actors.gov[1], approve(pid)).code == Code.ALREADY_VOTED
    assert node.run(actors.gov[1], reject(pid)).code == Code.ALREADY_VOTED
    # one rejection of three: two approvals are still reachable
    assert _proposal(node, pid)["status"] == "open"
    assert json.loads(node.run(actors.gov[2], approve(pid)).data)["status"] == "executed"


def test_rejection_closes_once_m_is_unreachable_and_issues_nothing(node, actors):
    company = actors.companies[2]
    before, supply = node.balances(company), node.read("/supply")
    pid = proposal_id(node.run(actors.gov[0], issue(company, 10_000)))
    first = node.run(actors.gov[1], reject(pid, "allocation exceeds the plan"))
    assert json.loads(first.data)["status"] == "open"
    second = node.run(actors.gov[2], reject(pid, "agreed"))
    assert json.loads(second.data)["status"] == "rejected"
    record = _proposal(node, pid)
    assert record["status"] == "rejected"
    assert [r["reason"] for r in record["rejections"]] == ["allocation exceeds the plan", "agreed"]
    assert node.balances(company) == before and node.read("/supply") == supply
    assert node.run(actors.gov[1], approve(pid)).code == Code.PROPOSAL_CLOSED


def test_unknown_proposal(node, actors):
    result = node.run(actors.gov[0], approve(42))
    assert result.code == Code.PROPOSAL_NOT_FOUND and "42" in result.log


@pytest.mark.parametrize("delay, code", [(60, Code.OK), (61, Code.PROPOSAL_EXPIRED)])
def test_expiry_uses_block_time(tmp_path, actors, delay, code):
    node = Node.start(tmp_path, actors.app_state(proposal_ttl_seconds=60))
    proposed_at = GENESIS_TIME + 1_000_000  # far from the wall clock on purpose
    pid = proposal_id(node.run(actors.gov[0], issue(actors.companies[0], 1), time=proposed_at))
    assert _proposal(node, pid)["expires_time"] == proposed_at + 60
    result = node.run(actors.gov[1], approve(pid), time=proposed_at + delay)
    assert result.code == code, result.log
    if code == Code.PROPOSAL_EXPIRED:
        assert "propose it again" in result.log
        assert node.run(actors.gov[2], reject(pid), time=proposed_at + delay + 5).code == Code.PROPOSAL_EXPIRED


def test_single_approval_executes_at_once(tmp_path, actors):
    node = Node.start(tmp_path, actors.app_state(approvals_required=1))
    before = node.balances(actors.companies[0])["KAU26"]
    result = node.run(actors.gov[2], issue(actors.companies[0], 3, "KAU26"))
    assert json.loads(result.data)["status"] == "executed"
    assert node.balances(actors.companies[0])["KAU26"] == before + 3


def test_registered_account_can_sign_afterwards(node, actors):
    newcomer = Signer.generate()
    early = node.block([sealed(newcomer.sign_tx(CHAIN_ID, 0, transfer(actors.companies[0], 1)))])[0]
    assert early.code == Code.UNKNOWN_SIGNER

    pid = proposal_id(node.run(actors.gov[0], register(newcomer, "company", "Newco Steel")))
    assert node.query(f"/account/{newcomer.address}").code == Code.NOT_FOUND
    assert node.run(actors.gov[1], approve(pid)).code == Code.OK
    account = node.read(f"/account/{newcomer.address}")
    assert account == {"address": newcomer.address, "public_key": newcomer.public_key.hex(), "role": "company",
                       "name": "Newco Steel", "since": node.height}

    assert node.run(actors.companies[0], transfer(newcomer, 40)).code == Code.OK
    assert node.run(newcomer, transfer(actors.companies[1], 15)).code == Code.OK
    assert node.balances(newcomer) == {"KAU25": 25}

    again = node.run(actors.gov[2], register(newcomer, "company", "Newco Steel"))
    assert again.code == Code.ACCOUNT_EXISTS


def test_registered_official_counts_towards_rejection_threshold(node, actors):
    fourth = Signer.generate()
    pid = proposal_id(node.run(actors.gov[0], register(fourth, "government", "Official 4")))
    node.run(actors.gov[1], approve(pid))
    # four officials, m = 2: a proposal now survives two rejections
    pid = proposal_id(node.run(fourth, issue(actors.companies[0], 1)))
    assert json.loads(node.run(actors.gov[0], reject(pid)).data)["status"] == "open"
    assert json.loads(node.run(actors.gov[1], reject(pid)).data)["status"] == "open"
    assert json.loads(node.run(actors.gov[2], reject(pid)).data)["status"] == "rejected"


@pytest.mark.parametrize("company, code", [
    (None, Code.INVALID_MESSAGE),             # an edge device must name its company
    ("gov", Code.INVALID_RECIPIENT),          # ... and it must be a company
    ("unknown", Code.UNKNOWN_ACCOUNT),
    ("company", Code.OK),
])
def test_edge_device_must_name_a_company(node, actors, company, code):
    address = {"gov": actors.gov[1].address, "unknown": "cd" * 20, "company": actors.companies[1].address}.get(company)
    device = Signer.generate()
    result = node.run(actors.gov[0], register(device, "edge_device", "Site 7 CEMS", company=address))
    assert result.code == code, result.log
    if code == Code.OK:
        node.run(actors.gov[1], approve(proposal_id(result)))
        assert node.read(f"/account/{device.address}")["company"] == actors.companies[1].address


def test_company_field_only_for_edge_devices(node, actors):
    result = node.run(actors.gov[0], register(Signer.generate(), "company", "Acme", company=actors.companies[0].address))
    assert result.code == Code.INVALID_MESSAGE and "only for edge_device" in result.log


def test_issue_to_a_non_company_is_refused_when_proposed(node, actors):
    result = node.run(actors.gov[0], issue(actors.exchange, 10))
    assert result.code == Code.INVALID_RECIPIENT and "allowances go to companies" in result.log


def test_action_that_became_invalid_before_execution_fails_the_approval(node, actors):
    newcomer = Signer.generate()
    first = proposal_id(node.run(actors.gov[0], register(newcomer, "company", "A")))
    second = proposal_id(node.run(actors.gov[1], register(newcomer, "company", "B")))
    assert node.run(actors.gov[2], approve(first)).code == Code.OK
    late = node.run(actors.gov[2], approve(second))
    assert late.code == Code.ACCOUNT_EXISTS
    assert _proposal(node, second)["status"] == "open" and len(_proposal(node, second)["approvals"]) == 1
    assert node.read(f"/account/{newcomer.address}")["name"] == "A"
