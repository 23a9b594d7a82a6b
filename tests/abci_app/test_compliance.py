"""The compliance cycle in process: reports, statements, certification, every limit of surrender, borrowing and
banking (table-driven), deadlines, penalties, the transfer-out block, offsets, objections, and the public table."""

from __future__ import annotations

import json

import pytest

from protocol.codes import Code
from protocol.compliance import next_borrow_limit_bps, offset_cap, penalty_per_tonne
from protocol.sealed import open_document, seal_price_opening, view_key_of, view_public_hex
from abci_harness import GENESIS_TIME, Actors, Node, approve, proposal_id, transfer
from ets.keys import Signer
from custody_steps import ask
from compliance_steps import (
    JAN, JUL, assign, bank, borrow, certified_year, certify, ok, position, propose, report, statement, surrender,
)

HOLDINGS = {"KAU24": 2_000, "KAU25": 2_000, "KAU26": 2_000, "KAU27": 2_000, "KAU28": 2_000, "KCU24": 200, "KCU25": 200, "KCU26": 200}


def _start(tmp_path, actors: Actors, name: str = "node", **params) -> Node:
    balances = {c.address: dict(HOLDINGS) for c in actors.companies}
    return Node.start(tmp_path / name, actors.app_state(balances=balances, **params))


@pytest.fixture
def chain(tmp_path):
    actors = Actors.make(companies=4)
    return actors, _start(tmp_path, actors)


def _code(result) -> Code:
    return Code(result.code)


# ------------------------------------------------------------------ reports, statements, certification


def test_report_compiles_the_sites_daily_totals_and_keeps_every_version(chain):
    actors, node = chain
    company, device = actors.companies[0], Signer.generate()
    ok(node.run(actors.verifier, {"type": "register_device", "device": device.address, "public_key": device.public_key.hex(),
                                  "company": company.address, "site": "stack-1", "measures": "CO2", "unit": "kg"}))
    for day, kg in (("2024-03-01", 1_234_567), ("2024-03-02", 765_433), ("2025-01-02", 9_999_999)):
        ok(node.run(device, {"type": "daily_total", "day": day, "total": kg, "unit": "kg", "readings": 24,
                                  "substituted": 0, "merkle_root": "ab" * 32}))
    first = ok(report(node, company, 2024, other=300))
    assert first == {"year": 2024, "version": 1, "sites_tonnes": 2_000, "other_tonnes": 300, "total": 2_300}
    second = ok(report(node, company, 2024, other=350))
    assert second["version"] == 2 and second["total"] == 2_350
    record = node.read(f"/compliance/report/{company.address}/2024")
    assert record["sites_kg"] == 2_000_000 and record["daily_reports"] == 2
    assert record["late"] is True  # June 2025: after the end of March, the report deadline
    assert [v["total"] for v in record["history"]] == [2_300]
    assert _code(report(node, company, 2025)) == Code.YEAR_NOT_ENDED  # 2025 has not ended at genesis (June 2025)


def test_statement_needs_the_assigned_verifier_a_report_and_sealing_to_company_and_regulator(tmp_path):
    actors = Actors.make(companies=2)
    node = _start(tmp_path, actors)
    company, other_verifier = actors.companies[0], Signer.generate()
    ok(propose(node, actors, {"type": "register_account", "address": other_verifier.address,
                              "public_key": other_verifier.public_key.hex(), "role": "verifier", "name": "Second Body"}))
    assert _code(statement(node, actors, company, 2024, 1_000)) == Code.VERIFIER_NOT_ASSIGNED
    ok(assign(node, actors, company, 2024))
    assert _code(statement(node, actors, company, 2024, 1_000)) == Code.REPORT_NOT_FOUND
    ok(report(node, company, 2024, other=1_000))
    stranger = actors.companies[1]
    assert _code(statement(node, actors, company, 2024, 1_000, readers=[company, stranger])) == Code.INVALID_MESSAGE
    assert _code(statement(node, actors, company, 2024, 1_000, readers=[company, actors.verifier])) == Code.INVALID_MESSAGE
    ok(statement(node, actors, company, 2024, 990))
    record = node.read(f"/compliance/statement/{company.address}/2024")
    document = open_document(record["sealed_document"], view_key_of(company), company.address, record["document_hash"])
    assert b"990 t" in document  # the company opens it; the public sees its hash only
    assert open_document(record["sealed_document"], view_key_of(actors.gov[0]), actors.gov[0].address, record["document_hash"])
    # a correction of the report supersedes the statement: certification waits for a new one
    ok(report(node, company, 2024, other=1_010))
    assert node.read(f"/compliance/statement/{company.address}/2024")["status"] == "superseded"
    refused = node.run(actors.gov[0], {"type": "propose", "action": {
        "type": "certify_emissions", "year": 2024, "entries": [[company.address, 1_000]], "reason": "x"}})
    assert _code(refused) == Code.STATEMENT_NOT_FOUND
    assert node.read("/compliance/queue/2024") == []
    ok(statement(node, actors, company, 2024, 1_010))
    assert [q["verified"] for q in node.read("/compliance/queue/2024")] == [1_010]
    assert _code(statement(node, actors, company, 2024, 1_010, verifier=other_verifier)) == Code.VERIFIER_NOT_ASSIGNED


def test_certification_needs_a_current_statement_and_m_of_n(chain):
    actors, node = chain
    company = actors.companies[0]
    ok(report(node, company, 2024, other=1_000))
    ok(assign(node, actors, company, 2024))
    refused = node.run(actors.gov[0], {"type": "propose", "action": {
        "type": "certify_emissions", "year": 2024, "entries": [[company.address, 1_000]], "reason": "as verified"}})
    assert _code(refused) == Code.STATEMENT_NOT_FOUND
    ok(statement(node, actors, company, 2024, 1_000))
    pid = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": {
        "type": "certify_emissions", "year": 2024, "entries": [[company.address, 1_100]], "reason": "site 2 under-reported"}}))
    assert node.query(f"/compliance/certification/{company.address}/2024").code == Code.NOT_FOUND  # one approval of two
    ok(node.run(actors.gov[1], approve(pid)))
    record = node.read(f"/compliance/certification/{company.address}/2024")
    assert (record["quantity"], record["verified"], record["proposal_id"], record["version"]) == (1_100, 1_000, pid, 1)
    assert record["approvals"] == [actors.gov[0].address, actors.gov[1].address]
    assert _code(report(node, company, 2024, other=900)) == Code.ALREADY_CERTIFIED
    assert _code(statement(node, actors, company, 2024, 900)) == Code.ALREADY_CERTIFIED
    # re-certification keeps the history; the scorecard follows the latest figure
    ok(certify(node, actors, [(company, 1_050)], 2024))
    record = node.read(f"/compliance/certification/{company.address}/2024")
    assert record["quantity"] == 1_050 and [h["quantity"] for h in record["history"]] == [1_100]
    (score,) = node.read("/compliance/scorecards")
    assert score["verifier"] == actors.verifier.address
    assert (score["statements"], score["certified"], score["abs_difference"], score["raised"], score["error_bps"]) == (1, 1, 50, 1, 500)


def test_every_record_keeps_at_most_its_revision_limit(chain):
    actors, node = chain
    company = actors.companies[1]
    for version in range(1, 22):
        ok(report(node, company, 2024, other=version))
    assert _code(report(node, company, 2024, other=99)) == Code.HISTORY_FULL
    assert node.read(f"/compliance/report/{company.address}/2024")["version"] == 21


# ------------------------------------------------------------------ surrender: vintages, offset cap, obligation


SURRENDER_CASES = [
    # (already surrendered [(instrument, t)], instrument, amount, late, expected)
    ([], "KAU24", 1_000, False, Code.OK),
    ([], "KAU24", 1_001, False, Code.OBLIGATION_EXCEEDED),
    ([("KAU24", 1_000)], "KAU24", 1, False, Code.OBLIGATION_EXCEEDED),
    ([], "KAU25", 10, False, Code.VINTAGE_NOT_ELIGIBLE),  # the next vintage only after the deadline
    ([], "KAU25", 10, True, Code.OK),  # the obligation carried over: the current vintage
    ([], "KAU26", 10, True, Code.VINTAGE_NOT_ELIGIBLE),
    ([], "KCU24", 50, False, Code.OK),  # 5% of 1,000 t
    ([], "KCU24", 51, False, Code.OFFSET_CAP_EXCEEDED),
    ([("KCU24", 30)], "KCU24", 20, False, Code.OK),
    ([("KCU24", 30)], "KCU24", 21, False, Code.OFFSET_CAP_EXCEEDED),
    ([], "KCU25", 10, False, Code.VINTAGE_NOT_ELIGIBLE),
    ([], "KAU24", 2_001, False, Code.OBLIGATION_EXCEEDED),
]


@pytest.mark.parametrize("before, instrument, amount, late, expected", SURRENDER_CASES)
def test_surrender_limits(tmp_path, before, instrument, amount, late, expected):
    actors = Actors.make(companies=2)
    node = _start(tmp_path, actors)
    company = actors.companies[0]
    certified_year(node, actors, company, 2024, 1_000)
    for done_instrument, done in before:
        ok(surrender(node, company, 2024, done_instrument, done))
    time = JUL(2025) + 60 if late else None
    result = surrender(node, company, 2024, instrument, amount, time=time)
    assert _code(result) == expected, result.log
    held = position(node, company, 2024)
    if expected == Code.OK:
        assert held["surrendered_total"] == sum(t for _, t in before) + amount
        assert node.balances(company)[instrument] == HOLDINGS[instrument] - amount - sum(t for i, t in before if i == instrument)
    else:
        assert held["surrendered_total"] == sum(t for _, t in before) and result.log


@pytest.mark.parametrize("cap_bps, amount, expected", [(1_000, 100, Code.OK), (1_000, 101, Code.OFFSET_CAP_EXCEEDED),
                                                       (0, 1, Code.OFFSET_CAP_EXCEEDED)])
def test_the_offset_cap_is_a_parameter(tmp_path, cap_bps, amount, expected):
    actors = Actors.make(companies=2)
    node = _start(tmp_path, actors, compliance_offset_cap_bps=cap_bps)
    certified_year(node, actors, actors.companies[0], 2024, 1_000)
    assert _code(surrender(node, actors.companies[0], 2024, "KCU24", amount)) == expected


def test_surrender_needs_a_certified_figure_and_the_tonnes(chain):
    actors, node = chain
    company = actors.companies[0]
    assert _code(surrender(node, company, 2024, "KAU24", 1)) == Code.NOT_CERTIFIED
    certified_year(node, actors, company, 2024, 5_000)
    result = surrender(node, company, 2024, "KAU24", 2_001)
    assert _code(result) == Code.INSUFFICIENT_BALANCE and "KAU24" in result.log
    koc = node.run(company, {"type": "surrender", "year": 2024, "instrument": "KOC24", "amount": 1})
    assert _code(koc) == Code.INVALID_MESSAGE and "converted to KCU" in koc.log


# ------------------------------------------------------------------ borrowing


def test_borrow_limit_rule_as_a_function():
    assert next_borrow_limit_bps(1_500, 0, 1_000) == 1_500
    assert next_borrow_limit_bps(1_500, 150, 1_000) == 750  # borrowed the full 15%: half of it comes off
    assert next_borrow_limit_bps(1_500, 100, 1_000) == 1_000
    assert next_borrow_limit_bps(100, 1_000, 1_000) == 0  # never negative
    assert next_borrow_limit_bps(1_500, 5, 0) == 1_500  # no obligation last year: no share borrowed


BORROW_CASES = [
    # (year, amount, expected): 2024 is not the first year of phase 3, so its limit follows 2021-23 (none borrowed: 15%)
    (2024, 150, Code.OK),
    (2024, 151, Code.BORROW_LIMIT_EXCEEDED),
    (2025, 1, Code.BORROWING_NOT_ALLOWED),  # the last year of phase 3: KAU26 is another phase
]


@pytest.mark.parametrize("year, amount, expected", BORROW_CASES)
def test_borrowing_limits(tmp_path, year, amount, expected):
    actors = Actors.make(companies=2)
    node = _start(tmp_path, actors)
    company = actors.companies[0]
    if year == 2024:
        certified_year(node, actors, company, 2024, 1_000)
    result = borrow(node, company, year, amount)
    assert _code(result) == expected, result.log
    if expected == Code.OK:
        balances = node.balances(company)
        assert (balances["KAU24"], balances["KAU25"]) == (HOLDINGS["KAU24"] + amount, HOLDINGS["KAU25"] - amount)
        supply = node.read("/supply")
        assert supply["KAU24"] == 2 * HOLDINGS["KAU24"] + amount  # two companies' holdings, plus the relabelled tonnes
        assert position(node, company, 2024)["borrowed"] == amount


def test_borrowing_in_a_later_year_is_the_previous_limit_minus_half_the_share_borrowed(tmp_path):
    actors = Actors.make(companies=2)
    node = _start(tmp_path, actors)
    company = actors.companies[0]
    node.block([], time=JAN(2027))
    certified_year(node, actors, company, 2026, 1_000)  # 2026: the first year of phase 4 → 15%
    assert position(node, company, 2026)["limits"]["borrow_limit"] == 150
    ok(borrow(node, company, 2026, 100))  # a share of 10%
    node.block([], time=JAN(2028))
    certified_year(node, actors, company, 2027, 2_000)
    limits = position(node, company, 2027)["limits"]
    assert (limits["borrow_limit_bps"], limits["borrow_limit"]) == (1_000, 200)  # 15% − 10%/2
    assert _code(borrow(node, company, 2027, 201)) == Code.BORROW_LIMIT_EXCEEDED
    ok(borrow(node, company, 2027, 200))
    assert _code(borrow(node, company, 2026, 1)) == Code.DEADLINE_PASSED  # 2026's deadline was 1 July 2027


def test_borrowing_cannot_exceed_what_remains_and_excludes_banking(tmp_path):
    actors = Actors.make(companies=2)
    node = _start(tmp_path, actors, market_around_the_clock=1)
    company = actors.companies[0]
    certified_year(node, actors, company, 2024, 1_000)
    ok(surrender(node, company, 2024, "KAU24", 900))
    assert _code(borrow(node, company, 2024, 101)) == Code.OBLIGATION_EXCEEDED
    ok(borrow(node, company, 2024, 100))
    ok(surrender(node, company, 2024, "KAU24", 100))
    assert _code(bank(node, company, 2024, 1)) == Code.BANKING_NOT_ALLOWED  # a year that borrowed does not bank


# ------------------------------------------------------------------ banking


def _sell_on_the_market(node: Node, seller, buyer, instrument: str, tonnes: int) -> None:
    ok(node.run(node_bank(node), {"type": "fund_cash", "to": buyer.address, "amount": 10_000 * tonnes}))
    ok(node.run(seller, {"type": "place_order", "instrument": instrument, "side": "sell", "price": 10_000, "quantity": tonnes}))
    ok(node.run(buyer, {"type": "place_order", "instrument": instrument, "side": "buy", "price": 10_000, "quantity": tonnes}))


_BANKS: dict[int, object] = {}


def node_bank(node: Node):
    return _BANKS[id(node)]


BANK_CASES = [
    # (net sales of KAU24, surrendered first, amount, expected); the limit is 3 × net sales
    (40, 1_000, 120, Code.OK),
    (40, 1_000, 121, Code.BANK_LIMIT_EXCEEDED),
    (0, 1_000, 1, Code.BANK_LIMIT_EXCEEDED),
    (40, 999, 1, Code.BANKING_NOT_ALLOWED),  # the obligation is not met yet
]


@pytest.mark.parametrize("sold, surrendered, amount, expected", BANK_CASES)
def test_banking_limits(tmp_path, sold, surrendered, amount, expected):
    actors = Actors.make(companies=2)
    node = _start(tmp_path, actors, market_around_the_clock=1)
    _BANKS[id(node)] = actors.bank
    company, buyer = actors.companies
    if sold:
        _sell_on_the_market(node, company, buyer, "KAU24", sold)
    certified_year(node, actors, company, 2024, 1_000)
    ok(surrender(node, company, 2024, "KAU24", surrendered))
    result = bank(node, company, 2024, amount)
    assert _code(result) == expected, result.log
    if expected == Code.OK:
        balances = node.balances(company)
        assert balances["KAU25"] == HOLDINGS["KAU25"] + amount
        assert balances["KAU24"] == HOLDINGS["KAU24"] - sold - surrendered - amount
        assert _code(borrow(node, company, 2024, 1)) == Code.BORROWING_NOT_ALLOWED  # a year that banked does not borrow


def test_banking_rolls_the_last_vintage_of_a_phase_into_the_next_phase(tmp_path):
    actors = Actors.make(companies=2)
    node = _start(tmp_path, actors, market_around_the_clock=1)
    _BANKS[id(node)] = actors.bank
    company, buyer = actors.companies
    _sell_on_the_market(node, company, buyer, "KAU25", 100)
    node.block([], time=JAN(2026))
    certified_year(node, actors, company, 2025, 500)
    ok(surrender(node, company, 2025, "KAU25", 500))
    before = node.read("/supply")
    ok(bank(node, company, 2025, 300))
    after = node.read("/supply")
    assert (after["KAU25"], after["KAU26"]) == (before["KAU25"] - 300, before["KAU26"] + 300)
    assert node.balances(company)["KAU26"] == HOLDINGS["KAU26"] + 300
    assert _code(bank(node, company, 2030, 1)) == Code.BANKING_NOT_ALLOWED  # nothing after 2030 yet
    assert _code(bank(node, company, 2025, 1, time=JUL(2026))) == Code.DEADLINE_PASSED


# ------------------------------------------------------------------ deadline, penalty, block


def test_penalty_formula_as_a_function():
    assert penalty_per_tonne(10_000, 3, 100_000) == 30_000
    assert penalty_per_tonne(40_000, 3, 100_000) == 100_000  # capped
    assert penalty_per_tonne(0, 3, 100_000) == 0
    assert offset_cap(1_000, 500) == 50 and offset_cap(1_019, 500) == 50  # rounds down: never above the cap


PENALTY_CASES = [
    # (initial reference price = the trading price, expected penalty per tonne)
    (10_000, 30_000),
    (40_000, 100_000),  # 3 × 40,000 is above the KRW 100,000/t cap
]


@pytest.mark.parametrize("price, per_tonne", PENALTY_CASES)
def test_deadline_assesses_the_penalty_from_the_chains_own_market_price_and_blocks(tmp_path, price, per_tonne):
    actors = Actors.make(companies=3)
    node = _start(tmp_path, actors, market_around_the_clock=1, market_initial_reference_price=price)
    short, compliant, buyer = actors.companies
    ok(node.run(actors.bank, {"type": "fund_cash", "to": buyer.address, "amount": price * 20}))  # trades of 2025
    ok(node.run(compliant, {"type": "place_order", "instrument": "KAU25", "side": "sell", "price": price, "quantity": 10}))
    ok(node.run(buyer, {"type": "place_order", "instrument": "KAU25", "side": "buy", "price": price, "quantity": 10}))
    node.block([], time=JAN(2026))
    for side, who in (("sell", compliant), ("buy", buyer)):  # a 2026 trade at the top of the band: not in 2025's average
        ok(node.run(who, {"type": "place_order", "instrument": "KAU25", "side": side, "price": price + price // 10, "quantity": 5}))
    assert node.read("/market/trades/KAU25")[0]["price"] == price + price // 10
    certified_year(node, actors, short, 2025, 3_000)
    certified_year(node, actors, compliant, 2025, 1_000)
    ok(surrender(node, short, 2025, "KAU25", 2_000))
    ok(surrender(node, compliant, 2025, "KAU25", 1_000))
    live = position(node, short, 2025)
    assert (live["shortfall"], live["penalty_per_tonne"], live["penalty_if_unpaid"], live["status"]) == (
        1_000, per_tonne, 1_000 * per_tonne, "open")
    ok(node.run(short, transfer(buyer, 1, "KAU26")))  # not blocked before the deadline

    node.block([], time=JUL(2026))  # the deadline passes in block time: settled in this block's end hook
    year = node.read("/compliance/year/2025")
    assert (year["status"], year["average_price"], year["price_source"], year["penalty_per_tonne"]) == (
        "settled", price, "market", per_tonne)
    rows = {r["company"]: r for r in node.read("/compliance/table/2025")["rows"]}
    assert (rows[short.address]["status"], rows[short.address]["surrendered"], rows[short.address]["penalty"]) == (
        "B", 2_000, 1_000 * per_tonne)
    assert (rows[compliant.address]["status"], rows[compliant.address]["penalty"]) == ("A", 0)
    assert rows[buyer.address]["status"] == "C"  # never certified

    # the 2025 vintage stopped trading at its deadline; what was banked rolled into KAU26 (the next phase)
    assert _code(node.run(compliant, transfer(buyer, 1, "KAU25"))) == Code.VINTAGE_CLOSED
    closed = node.run(compliant, {"type": "place_order", "instrument": "KAU25", "side": "sell", "price": price, "quantity": 1})
    assert _code(closed) == Code.VINTAGE_CLOSED and "can still be surrendered" in closed.log
    ok(node.run(compliant, transfer(buyer, 1, "KAU26")))
    # blocked for transfers out, sell orders and block-trade sales; surrender is never limited
    assert _code(node.run(short, transfer(buyer, 1, "KAU26"))) == Code.ACCOUNT_BLOCKED
    sell = node.run(short, {"type": "place_order", "instrument": "KAU26", "side": "sell", "price": price, "quantity": 1})
    assert _code(sell) == Code.ACCOUNT_BLOCKED
    for who in (short, buyer, actors.gov[0]):
        ok(node.run(who, {"type": "set_view_key", "public_key": view_public_hex(who)}))
    commitment, sealed, salt = seal_price_opening(price, {w.address: view_public_hex(w) for w in (short, buyer, actors.gov[0])})
    block_sale = node.run(short, {"type": "block_trade_propose", "counterparty": buyer.address, "instrument": "KAU26",
                                  "side": "sell", "quantity": 1, "price_commitment": commitment, "sealed_price": sealed,
                                  "price": price, "salt": salt})
    assert _code(block_sale) == Code.ACCOUNT_BLOCKED
    assert _code(borrow(node, short, 2025, 1)) == Code.BORROWING_NOT_ALLOWED
    assert _code(surrender(node, short, 2025, "KAU25", 1)) == Code.INSUFFICIENT_BALANCE  # none left of KAU25
    ok(surrender(node, short, 2025, "KAU26", 999))
    assert node.read(f"/compliance/position/{short.address}", reader=short)["blocked_years"] == [2025]
    assert _code(node.run(short, transfer(buyer, 1, "KAU26"))) == Code.ACCOUNT_BLOCKED
    ok(surrender(node, short, 2025, "KAU26", 1))  # made good: status D, block lifted, the penalty stays
    ok(node.run(short, transfer(buyer, 1, "KAU26")))
    row = {r["company"]: r for r in node.read("/compliance/table/2025")["rows"]}[short.address]
    assert (row["status"], row["surrendered"], row["penalty"]) == ("D", 3_000, 1_000 * per_tonne)


def test_settlement_is_spread_over_blocks_and_late_certification_settles_at_once(tmp_path, monkeypatch):
    from abci_app.modules.compliance import settlement

    monkeypatch.setattr(settlement, "SETTLE_PER_BLOCK", 2)
    actors = Actors.make(companies=5)
    node = _start(tmp_path, actors)
    for company in actors.companies[:4]:
        certified_year(node, actors, company, 2024, 100)
    node.block([], time=JUL(2025))
    assert node.read("/compliance/year/2024")["status"] == "settling"
    assert node.read("/compliance/year/2024")["settled_companies"] == 2
    node.block([])
    year = node.read("/compliance/year/2024")
    assert (year["status"], year["settled_companies"], year["counts"]) == ("settled", 4, {"A": 0, "B": 4})
    late = actors.companies[4]
    ok(report(node, late, 2024, other=10))
    ok(assign(node, actors, late, 2024))
    ok(statement(node, actors, late, 2024, 10))
    ok(certify(node, actors, [(late, 10)], 2024))
    row = {r["company"]: r for r in node.read("/compliance/table/2024")["rows"]}[late.address]
    assert (row["status"], row["penalty"]) == ("B", 10 * 30_000)
    year = node.read("/compliance/year/2024")
    assert (year["settled_companies"], year["counts"]) == (5, {"A": 0, "B": 5})
    ok(certify(node, actors, [(late, 0)], 2024))  # re-certified to zero after settlement: settled again
    row = {r["company"]: r for r in node.read("/compliance/table/2024")["rows"]}[late.address]
    assert (row["status"], row["penalty"]) == ("D", 10 * 30_000)  # the penalty assessed at the time stays
    assert node.read("/compliance/year/2024")["counts"] == {"A": 0, "B": 4, "D": 1}


def test_a_deadline_is_set_by_notice_and_cannot_move_once_passed(chain):
    actors, node = chain
    due = GENESIS_TIME + 3_600
    ok(propose(node, actors, {"type": "set_compliance_deadline", "year": 2025, "report_due": due - 60, "surrender_due": due}))
    assert node.read("/compliance/year/2025")["surrender_due"] == due
    node.block([], time=due)
    assert node.read("/compliance/year/2025")["status"] == "settled"
    refused = node.run(actors.gov[0], {"type": "propose", "action": {
        "type": "set_compliance_deadline", "year": 2025, "report_due": due, "surrender_due": due + 86_400}})
    assert _code(refused) == Code.DEADLINE_PASSED



def _moves(node, company, newest: int) -> list[tuple]:
    """The ``newest`` entries of the company's transfer record: (kind, direction, instrument, amount)."""
    code, answer = ask(node, company, f"/transfers/{company.address}?limit={newest}")
    assert code == Code.OK, answer
    return [(e["kind"], e["direction"], e["instrument"], e["amount"]) for e in answer["entries"]]


# ------------------------------------------------------------------ offsets


def test_koc_is_issued_converted_to_kcu_and_surrendered_within_the_cap(chain):
    actors, node = chain
    company = actors.companies[0]
    ok(propose(node, actors, {"type": "issue_offsets", "to": company.address, "instrument": "KOC24", "amount": 80,
                              "project": "landfill gas 7", "evidence": "c" * 64}))
    refused = node.run(actors.gov[0], {"type": "propose", "action": {
        "type": "convert_offsets", "holder": company.address, "instrument": "KOC24", "amount": 81}})
    assert _code(refused) == Code.INSUFFICIENT_BALANCE
    ok(propose(node, actors, {"type": "convert_offsets", "holder": company.address, "instrument": "KOC24", "amount": 80}))
    balances = node.balances(company)
    assert "KOC24" not in balances and balances["KCU24"] == HOLDINGS["KCU24"] + 80
    assert [r["kind"] for r in node.read("/compliance/offsets")] == ["converted", "issued"]
    assert _moves(node, company, 3) == [("offset_convert", "in", "KCU24", 80), ("offset_convert", "out", "KOC24", 80),
                                        ("offset_issue", "in", "KOC24", 80)]  # the account's transfer record, newest first
    certified_year(node, actors, company, 2024, 1_000)
    ok(surrender(node, company, 2024, "KCU24", 50))
    assert _code(surrender(node, company, 2024, "KCU24", 1)) == Code.OFFSET_CAP_EXCEEDED


# ------------------------------------------------------------------ objections


def test_an_upheld_objection_re_certifies_with_its_e_order_and_the_window_closes(chain):
    actors, node = chain
    company = actors.companies[0]
    objection = {"type": "objection", "kind": "certification", "year": 2024, "reason": "meter 3 drifted", "evidence": "d" * 64}
    assert _code(node.run(company, objection)) == Code.OBJECTION_WINDOW_CLOSED  # nothing certified yet
    certified_year(node, actors, company, 2024, 1_000)
    objection_id = ok(node.run(company, objection))["objection_id"]
    decide = {"type": "decide_objection", "objection_id": objection_id, "decision": "upheld", "reason": "drift confirmed",
              "quantity": 940}
    ok(propose(node, actors, decide))
    record = node.read(f"/compliance/objection/{objection_id}")
    assert record["status"] == "upheld" and record["eorder"]["effect"] == "re-certified"
    assert record["eorder"]["approvals"][1]["official"] == actors.gov[1].address
    certification = node.read(f"/compliance/certification/{company.address}/2024")
    assert (certification["quantity"], certification["basis"], certification["history"][0]["quantity"]) == (
        940, f"objection {objection_id}", 1_000)
    assert _code(node.run(actors.gov[0], {"type": "propose", "action": decide})) == Code.OBJECTION_CLOSED
    assert _code(node.run(actors.gov[0], {"type": "propose", "action": {**decide, "objection_id": 99}})) == Code.OBJECTION_NOT_FOUND
    late = node.run(company, objection, time=node.time + 31 * 86_400)
    assert _code(late) == Code.OBJECTION_WINDOW_CLOSED


# ------------------------------------------------------------------ the public table and the private position


def test_positions_are_private_and_the_table_shows_surrendered_only_after_the_deadline(chain):
    actors, node = chain
    company, other = actors.companies[:2]
    certified_year(node, actors, company, 2024, 1_000)
    ok(surrender(node, company, 2024, "KAU24", 400))
    assert node.query(f"/compliance/position/{company.address}").code == Code.UNAUTHORIZED
    signed = other.signed_query("ets-test-1", f"/compliance/position/{company.address}", node.app.store.block_time)
    assert node.query(f"/compliance/position/{company.address}", signed.data).code == Code.UNAUTHORIZED
    node.record_access(actors.gov[2], company, "checking a surrender before the deadline")  # who looked
    assert node.read(f"/compliance/position/{company.address}", reader=actors.gov[2])["years"]["2024"]["surrendered_total"] == 400
    row = {r["company"]: r for r in node.read("/compliance/table/2024")["rows"]}[company.address]
    assert (row["certified"], row["surrendered"], row["status"]) == (1_000, None, "open")
    assert node.query(f"/state/cmp/pos/{company.address}/2024").code == Code.UNAUTHORIZED


def test_every_compliance_code_is_exercised_here():
    from pathlib import Path

    text = Path(__file__).read_text()
    missing = [c.name for c in Code if 1100 <= c < 1200 and f"Code.{c.name}" not in text.replace("Code.OK", "")]
    assert missing == []


def test_an_allocation_objection_trues_up_or_claws_back_by_e_order(chain):
    from protocol.plan_format import plan_hash

    actors, node = chain
    newcomer = Signer.generate()
    ok(propose(node, actors, {"type": "register_account", "address": newcomer.address, "public_key": newcomer.public_key.hex(),
                              "role": "company", "name": "Objecting Steel", "company_id": "objecting-steel", "sector": "steel"}))
    header, lines = {"kind": "initial", "vintages": ["KAU24"]}, [("objecting-steel", "KAU24", 1_000)]
    digest = plan_hash(header, lines)
    ok(node.run(actors.gov[0], {"type": "plan_open", "plan_hash": digest, "header": header, "lines": 1}))
    ok(node.run(actors.gov[0], {"type": "plan_chunk", "plan_hash": digest, "offset": 0, "lines": [list(lines[0])]}))
    ok(propose(node, actors, {"type": "issue_plan", "plan_hash": digest}))
    objection = {"type": "objection", "kind": "allocation", "year": 2024, "reason": "new kiln not counted",
                 "evidence": "d" * 64, "plan_hash": digest, "requested": 1_200}
    assert _code(node.run(actors.companies[0], objection)) == Code.OBJECTION_WINDOW_CLOSED  # the plan allocated it nothing
    first = ok(node.run(newcomer, objection))["objection_id"]
    second = ok(node.run(newcomer, objection))["objection_id"]
    supply = node.read("/supply")["KAU24"]
    ok(propose(node, actors, {"type": "decide_objection", "objection_id": first, "decision": "upheld",
                              "reason": "kiln 2 verified", "quantity": 200}))
    assert node.balances(newcomer)["KAU24"] == 1_200 and node.read("/supply")["KAU24"] == supply + 200
    clawback = {"type": "decide_objection", "objection_id": second, "decision": "upheld", "reason": "double count",
                "quantity": -1_201}
    assert _code(propose(node, actors, clawback)) == Code.INSUFFICIENT_BALANCE  # the approval fails as a whole
    ok(propose(node, actors, {**clawback, "quantity": -300}))
    assert node.balances(newcomer)["KAU24"] == 900
    assert _moves(node, newcomer, 2) == [("adjustment", "out", "KAU24", 300), ("adjustment", "in", "KAU24", 200)]
    record = node.read(f"/compliance/objection/{second}")
    assert (record["status"], record["eorder"]["effect"], record["eorder"]["quantity"]) == ("upheld", "clawback", -300)
    row = {r["company"]: r for r in node.read("/compliance/table/2024")["rows"]}[newcomer.address]
    assert row["allocated"] == 1_000 + 200 - 300
    dismissed = ok(node.run(newcomer, objection))["objection_id"]
    ok(propose(node, actors, {"type": "decide_objection", "objection_id": dismissed, "decision": "dismissed",
                              "reason": "no evidence"}))
    assert node.read(f"/compliance/objection/{dismissed}")["eorder"]["effect"] == "none"


HOSTILE = [
    ({"type": "emissions_report", "year": 2014, "other_sources": []}, "year"),
    ({"type": "emissions_report", "year": 2024, "other_sources": [{"source": "a", "method": "b", "quantity": -1,
                                                                  "evidence": "e" * 64}]}, "quantity"),
    ({"type": "emissions_report", "year": 2024, "other_sources": [{"source": "a", "method": "b", "quantity": 1,
                                                                  "evidence": "e" * 64}] * 2}, "twice"),
    ({"type": "emissions_report", "year": 2024, "other_sources": [[]] * 51}, "other_sources"),
    ({"type": "emissions_report", "year": True, "other_sources": []}, "year"),
    ({"type": "surrender", "year": 2024, "instrument": "KAU24", "amount": 0}, "amount"),
    ({"type": "surrender", "year": 2024, "instrument": "KAU24", "amount": 10**12 + 1}, "amount"),
    ({"type": "borrow", "year": 2024, "amount": 5, "extra": 1}, "extra"),
    ({"type": "verification_statement", "company": "ab" * 20, "year": 2024, "verified": 1, "opinion": "fine",
      "findings": 0, "document_hash": "0" * 64, "sealed_document": {}}, "opinion"),
    ({"type": "verification_statement", "company": "ab" * 20, "year": 2024, "verified": 1, "opinion": "adverse",
      "findings": 0, "document_hash": "0" * 64, "sealed_document": {"ct": "00" * 40_000, "nonce": "0" * 24, "keys": {}}},
     "sealed_document.ct"),
    ({"type": "objection", "kind": "allocation", "year": 2024, "reason": "x", "evidence": "0" * 64}, "plan_hash"),
    ({"type": "propose", "action": {"type": "certify_emissions", "year": 2024, "entries": [["ab" * 20, 1]] * 2,
                                    "reason": "x"}}, "twice"),
    ({"type": "propose", "action": {"type": "certify_emissions", "year": 2024, "entries": [["ab" * 20, 1]] * 1001,
                                    "reason": "x"}}, "entries"),
    ({"type": "propose", "action": {"type": "set_compliance_deadline", "year": 2024, "report_due": 10,
                                    "surrender_due": 5}}, "surrender_due"),
    ({"type": "propose", "action": {"type": "issue_offsets", "to": "ab" * 20, "instrument": "KAU24", "amount": 1,
                                    "project": "p", "evidence": "0" * 64}}, "KOC"),
    ({"type": "propose", "action": {"type": "decide_objection", "objection_id": 1, "decision": "upheld",
                                    "reason": "x"}}, "quantity"),
]


@pytest.mark.parametrize("msg, named", HOSTILE, ids=lambda v: str(v)[:40] if isinstance(v, dict) else v)
def test_malformed_compliance_messages_are_refused_naming_the_field(msg, named):
    from protocol.codes import TxRejected
    from protocol.messages import parse_message

    with pytest.raises(TxRejected) as info:
        parse_message(msg)
    assert info.value.code == Code.INVALID_MESSAGE and named in info.value.log
