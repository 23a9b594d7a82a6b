"""The wire package (protocol/): every message class round-trips through to_json, and the package stands alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from protocol.codec import canonical_json
from protocol.messages import (
    ACTIONS, MESSAGES, Approve, BlockTradeAccept, BlockTradeCancel, BlockTradePropose, CancelOrder, ChannelKey,
    ChannelMembers, ChannelOpen, ChannelPost, DailyTotal, FundCash,
    IssueAllowances, IssuePlan, PlaceOrder, PlanChunk, PlanOpen, Propose, RegisterAccount, RegisterAccounts, RegisterDevice,
    RecordAccess, Reject, RotateExecutionKey, SetValidatorPower, SetViewKey, Transfer, WithdrawCash, parse_action,
    parse_message, AssignVerifiers, Bank, Borrow, CertifyEmissions, ConvertOffsets, DecideObjection, EmissionsReport,
    IssueOffsets, Objection, OtherSource, SetComplianceDeadline, SetParticipantClass, Surrender, VerificationStatement,
    IssueOffsets, Objection, OtherSource, SetComplianceDeadline, Surrender, VerificationStatement,
    CustodyApprove, CustodyCancel, CustodyRepresentative, CustodySettings, CustodyTransfer, CustodyTrusted,
)
from protocol.messages import AmendAuction, AuctionBid, AuctionCancelBid, AuctionEntry, ScheduleAuctions
from protocol.messages import SetReferenceSeries, StabilisationMeasure
from protocol.stabilisation import series_hash
from protocol.channel_box import new_key, seal_post, to_chunks, wrap_key
from protocol.private_tx import public_bytes
from protocol.sealed import seal_document, seal_price
from protocol.codec import address_of

PROTOCOL = Path(__file__).resolve().parents[2] / "protocol"
KEY = bytes(range(32))
ADDR = address_of(KEY)
A, B = "ab" * 20, "cd" * 20
_, SEALED = seal_price(12_345, {A: "11" * 32})
CHANNEL_KEY = new_key(lambda n: bytes(range(1, n + 1)))
WRAPS = {m: wrap_key(CHANNEL_KEY, "steel-mrv", 2, bytes.fromhex("11" * 32)).hex() for m in (A, B)}
POST = to_chunks(seal_post("검증 의견서".encode(), channel="steel-mrv", epoch=2, kind="statement", author=A,
                           channel_public=public_bytes(CHANNEL_KEY)))
DOC_HASH, SEALED_DOC = seal_document(b"verification statement", {A: "11" * 32, B: "22" * 32})

ACCOUNT = RegisterAccount(ADDR, KEY.hex(), "company", "한빛철강 (주)", company_id="한빛철강㈜", sector="철강")
SAMPLES = [
    Transfer(A, "KAU25", 10),
    Propose(IssueAllowances(A, "KCU26", 5)),
    Propose(ACCOUNT),
    Propose(RegisterAccounts((ACCOUNT,))),
    Propose(IssuePlan("1" * 64)),
    Propose(SetValidatorPower("6" * 64, 10, "validator of the exchange")),
    Propose(SetParticipantClass(B, "market_maker", "KAU25")),
    Propose(SetParticipantClass(A, "third_party")),
    Propose(RotateExecutionKey(2, "7" * 64)),
    Propose(ChannelOpen("steel-mrv", "2025 MRV of 한빛철강: raw data and the verification statement", (B, A))),
    Propose(ChannelMembers("steel-mrv", (A, B))),
    Approve(7),
    Reject(7, "double counting of site 4"),
    PlanOpen("2" * 64, {"phase": 4, "vintages": ["KAU26"]}, 3),
    PlanChunk("2" * 64, 0, (("한빛철강㈜", "KAU26", 100), ("대한시멘트", "KAU26", 5))),
    RegisterDevice(ADDR, KEY.hex(), A, "stack-1", "CO2", "kg"),
    DailyTotal("2025-01-15", 20103, 1_234_567, "kg", 24, 1, "3" * 64),
    FundCash(A, 5_000_000),
    WithdrawCash(A, 1_000),
    PlaceOrder("KAU25", "buy", 10_000, 300),
    CancelOrder(12),
    SetViewKey("4" * 64),
    BlockTradePropose(B, "KAU25", "sell", 300, "5" * 64, SEALED, 10_345, "6" * 32),
    BlockTradeAccept(3),
    BlockTradeCancel(3),
    RecordAccess(A, "quarterly inspection of holdings"),
    RecordAccess("*", "listing every company's cash for the annual report"),
    ChannelKey("steel-mrv", 2, public_bytes(CHANNEL_KEY).hex(), WRAPS),
    ChannelPost("steel-mrv", 2, "statement", POST),
    EmissionsReport(2025, (OtherSource("boiler 2", "fuel x emission factor", 1_200, "8" * 64),)),
    VerificationStatement(A, 2025, 101_200, "unmodified", 0, DOC_HASH, SEALED_DOC),
    Surrender(2025, "KAU25", 100_000),
    Borrow(2024, 5_000),
    Bank(2025, 2_000),
    Objection("certification", 2025, "site 3 was shut in May", "9" * 64, requested=99_000),
    Objection("allocation", 2026, "new line not counted", "9" * 64, plan_hash="a" * 64),
    Propose(AssignVerifiers(2025, ((A, B),))),
    Propose(CertifyEmissions(2025, ((A, 101_000),), "verified with one finding")),
    Propose(SetComplianceDeadline(2025, 1_774_969_200, 1_782_831_600)),
    Propose(IssueOffsets(A, "KOC25", 3_000, "Gimpo landfill gas", "b" * 64)),
    Propose(ConvertOffsets(A, "KOC25", 3_000)),
    Propose(DecideObjection(4, "upheld", "meter fault confirmed", 99_500)),
    Propose(DecideObjection(5, "dismissed", "no evidence")),
    CustodyRepresentative("set", ADDR, KEY.hex(), "김대표 (approver)", ("approve", "initiate")),
    CustodyRepresentative("set", ADDR, KEY.hex(), "read-only auditor", ()),
    CustodyRepresentative("remove", ADDR),
    CustodySettings(True, transaction=50_000, daily=100_000, weekly=0, monthly=1_000_000),
    CustodyTrusted("confirm", A),
    CustodyTransfer(B, "KAU25", 1_500),
    CustodyApprove(7),
    CustodyCancel(8),
    AuctionBid(3, 10_500, 20_000),
    AuctionCancelBid(3, 7),
    Propose(ScheduleAuctions((AuctionEntry("KAU26", 1_781_409_600, 1_781_413_200, 4_000_000),))),
    Propose(AmendAuction(3, 1_781_409_600, 1_781_413_200, 3_500_000)),
    Propose(SetReferenceSeries("KRX 배출권 일별 시세 2024-2025", series_hash([["2024-01", 90_000, 10, 2]]),
                               (("2024-01", 90_000, 10, 2),))),
    Propose(StabilisationMeasure("price_floor", "price_slump", "the slump of May", price=9_000, duration=86_400)),
    Propose(StabilisationMeasure("reserve_auction", "price_surge", "six months at 3×", instrument="KAU26",
                                 volume=1_000_000, opens_after=604_800, window=3_600)),
    Propose(StabilisationMeasure("param", "manual", "holding limit for a month", param="compliance_offset_cap_bps",
                                 value=300, duration=2_592_000)),
]


@pytest.mark.parametrize("msg", SAMPLES, ids=lambda m: f"{m.TYPE}-{getattr(getattr(m, 'action', None), 'TYPE', '')}")
def test_to_json_is_what_from_json_reads_back(msg):
    obj = msg.to_json()
    assert obj["type"] == msg.TYPE
    assert parse_message(obj) == msg
    assert parse_message(__import__("json").loads(canonical_json(obj))) == msg  # through the bytes a client signs


def test_every_registered_message_and_action_has_a_sample():
    assert {m.TYPE for m in SAMPLES} == set(MESSAGES)
    assert {m.action.TYPE for m in SAMPLES if isinstance(m, Propose)} == set(ACTIONS)
    assert parse_action(ACCOUNT.to_json()) == ACCOUNT


def test_the_wire_package_imports_nothing_else_of_the_project():
    project = {"abci_app", "ets", "governance", "datasets", "edge_uploader", "portal", "benchmarks", "tests"}
    for path in PROTOCOL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in project, f"{path.name} imports {name}"


def test_the_state_keys_clients_prove_are_the_keys_the_modules_write():
    from abci_app.modules.accounts import keys as accounts
    from abci_app.modules.mrv import keys as mrv
    from abci_app.modules.plans import keys as plans
    from abci_app.modules.transfers import keys as transfers
    from protocol import state_keys

    a, plan = "ab" * 20, "cd" * 32
    assert state_keys.balance(a, "KAU25") == transfers.balance(a, "KAU25")
    assert state_keys.held(a, "KAU25") == transfers.held(a, "KAU25")
    assert state_keys.supply("KAU25") == transfers.supply("KAU25")
    assert state_keys.daily_total(a, "2026-03-01") == mrv.daily_total(a, "2026-03-01")
    assert state_keys.allocation(a, plan, "2026") == plans.allocation(a, plan, "2026")
    assert state_keys.account(a) == accounts.account(a)
