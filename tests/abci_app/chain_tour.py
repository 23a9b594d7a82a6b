"""A tour of the whole chain in one node: every message type accepted at least once, and both block hooks at work.

``tour(home)`` returns a ``Tour``: the node, every accepted tx's result by message type, and the
FinalizeBlock responses of the blocks in which the hooks worked (the opening auction, the close of
day, an e-order batch). The market runs KRX hours, so the opening call auction really uncrosses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from protocol.channel_box import new_key, seal_post, to_chunks, wrap_key
from protocol.codes import Code
from protocol.private_tx import public_bytes
from protocol.plan_format import plan_hash as compute_plan_hash
from protocol.sealed import seal_document, seal_price_opening, view_public_hex
from protocol.stabilisation import series_hash
from abci_harness import GENESIS_TIME, Actors, Node, approve, issue, proposal_id, register, reject, transfer
from abci_app.proto import abci
from ets.keys import Signer

KST_MIDNIGHT = 1_749_999_600  # 2025-06-16 00:00 KST, a Monday; GENESIS_TIME is 00:06:40 that day
JAN_2026 = 1_767_193_200 + 4 * 86_400  # 2026-01-05 00:00 KST: 2025 has ended, 2024's surrender deadline has passed
FEB_2026 = JAN_2026 + 28 * 86_400 + 3600  # 2026-02-02 01:00 KST: January has ended
AT_0930, AT_1000, AT_1100, AT_1205 = (KST_MIDNIGHT + s for s in (34_200, 36_005, 39_600, 43_205))


@dataclass
class Tour:
    node: Node
    actors: Actors
    device: Signer
    plan_hash: str
    transfer_to: Signer
    results: dict[str, list[abci.ExecTxResult]] = field(default_factory=dict)  # accepted txs by message type
    blocks: dict[str, abci.ResponseFinalizeBlock] = field(default_factory=dict)  # "open", "close", "eorder", "validator", "settle"


def _order(side: str, price: int, quantity: int) -> dict:
    return {"type": "place_order", "instrument": "KAU25", "side": side, "price": price, "quantity": quantity}


def tour(home: Path) -> Tour:
    actors = Actors.make()
    node = Node.start(home, actors.app_state())
    g, c = actors.gov, actors.companies
    device = Signer.generate()
    out = Tour(node, actors, device, "", c[1])

    def run(signer: Signer, msg: dict, time: int | None = None) -> abci.ExecTxResult:
        """The tx's public result goes into ``out.results``; the caller gets it as its signer reads it."""
        tx = node.sign(signer, msg)
        response = node.finalize([tx], time)
        node.commit()
        public, _outcome = response.tx_results
        result = node.detailed(tx, public)
        assert result.code == Code.OK, (msg["type"], result.log)
        out.results.setdefault(msg["type"], []).append(public)
        return result

    run(c[0], transfer(c[1], 25))
    run(g[0], {"type": "record_access", "subject": c[0].address, "reason": "inspection of holdings after a transfer"})
    run(g[1], approve(proposal_id(run(g[0], register(Signer.generate(), "verifier", "Second Verification Body")))))
    pid = proposal_id(run(g[0], issue(c[2], 40, "KCU25")))
    run(g[1], reject(pid, "not in the plan"))
    run(g[2], reject(pid, "not in the plan"))
    run(g[1], approve(proposal_id(run(g[0], issue(c[2], 40, "KCU25")))))

    plan_companies = [(f"(주)투어{i}", Signer.generate()) for i in range(3)]
    accounts = [{"address": s.address, "public_key": s.public_key.hex(), "role": "company", "name": cid,
                 "company_id": cid, "sector": "산업"} for cid, s in plan_companies]
    run(g[1], approve(proposal_id(run(g[0], {"type": "propose", "action": {"type": "register_accounts", "accounts": accounts}}))))
    new_validator = {"type": "set_validator_power", "pub_key": Signer.generate().public_key.hex(), "power": 3, "name": "tour validator"}
    response = node.finalize([node.sign(g[1], approve(proposal_id(run(g[0], {"type": "propose", "action": new_validator}))))])
    node.commit()
    assert response.tx_results[0].code == Code.OK, response.tx_results[0].log
    out.results["approve"].append(response.tx_results[0])
    out.blocks["validator"] = response  # carries the validator update
    header = {"kind": "initial", "phase": 4, "vintages": ["KAU28"], "inputs": {}}
    lines = sorted((cid, "KAU28", 100 + i) for i, (cid, _) in enumerate(plan_companies))
    out.plan_hash = compute_plan_hash(header, lines)
    run(g[0], {"type": "plan_open", "plan_hash": out.plan_hash, "header": header, "lines": len(lines)})
    run(g[0], {"type": "plan_chunk", "plan_hash": out.plan_hash, "offset": 0, "lines": [list(l) for l in lines[:2]]})
    run(g[0], {"type": "plan_chunk", "plan_hash": out.plan_hash, "offset": 2, "lines": [list(l) for l in lines[2:]]})
    pid = proposal_id(run(g[0], {"type": "propose", "action": {"type": "issue_plan", "plan_hash": out.plan_hash}}))
    response = node.finalize([node.sign(g[1], approve(pid))])  # the end-of-block hook credits the batch
    node.commit()
    out.results["approve"].append(response.tx_results[0])
    out.blocks["eorder"] = response

    run(actors.verifier, {"type": "register_device", "device": device.address, "public_key": device.public_key.hex(),
                          "company": c[0].address, "site": "stack-1", "measures": "CO2", "unit": "kg"})
    run(device, {"type": "daily_total", "day": "2025-06-15", "total": 1_234, "unit": "kg", "readings": 24,
                 "substituted": 1, "merkle_root": "ab" * 32}, time=GENESIS_TIME + 600)
    _compliance_2024(run, actors)
    run(actors.bank, {"type": "fund_cash", "to": c[0].address, "amount": 10_000_000})
    run(actors.bank, {"type": "withdraw_cash", "account": c[0].address, "amount": 1_000})

    run(c[0], _order("buy", 10_100, 30), time=AT_0930)  # the opening call collects
    run(c[1], _order("sell", 9_900, 20), time=AT_0930 + 5)
    run(c[2], _order("sell", 10_000, 20), time=AT_0930 + 10)
    out.blocks["open"] = node.finalize([], AT_1000)  # the chain uncrosses the opening auction
    node.commit()
    run(c[2], _order("sell", 10_050, 5), time=AT_1100)
    run(c[0], _order("buy", 10_050, 2), time=AT_1100 + 5)
    resting = json.loads(run(c[0], _order("buy", 9_500, 3), time=AT_1100 + 10).data)["order_id"]
    run(c[0], {"type": "cancel_order", "order_id": resting}, time=AT_1100 + 15)
    out.blocks["close"] = node.finalize([], AT_1205)  # closing call, expiry, next reference price
    node.commit()

    for who in (c[0], c[1], g[0]):
        run(who, {"type": "set_view_key", "public_key": view_public_hex(who)})
    readers = {s.address: view_public_hex(s) for s in (c[0], c[1], g[0])}
    for quantity, closing in ((50, "block_trade_accept"), (7, "block_trade_cancel")):
        commitment, sealed, salt = seal_price_opening(10_345, readers)
        proposed = run(c[1], {"type": "block_trade_propose", "counterparty": c[0].address, "instrument": "KAU25",
                              "side": "sell", "quantity": quantity, "price_commitment": commitment, "sealed_price": sealed,
                              "price": 10_345, "salt": salt})
        run(c[0], {"type": closing, "trade_id": json.loads(proposed.data)["trade_id"]})
    maker = {"type": "set_participant_class", "account": c[1].address, "participant_class": "market_maker", "instrument": "KAU25"}
    run(g[1], approve(proposal_id(run(g[0], {"type": "propose", "action": maker}))))  # a market maker, measured from now

    members = sorted([c[0].address, c[1].address])
    channel = {"type": "channel_open", "name": "tour-mrv", "purpose": "raw data and statement", "members": members}
    run(g[1], approve(proposal_id(run(g[0], {"type": "propose", "action": channel}))))
    members = sorted(members + [g[0].address])
    change = {"type": "channel_members", "name": "tour-mrv", "members": members}
    run(g[2], approve(proposal_id(run(g[0], {"type": "propose", "action": change}))))
    key = new_key()
    wraps = {m: wrap_key(key, "tour-mrv", 1, bytes.fromhex(readers[m])).hex() for m in members}
    run(c[0], {"type": "channel_key", "name": "tour-mrv", "epoch": 1, "public_key": public_bytes(key).hex(), "wraps": wraps})
    sealed = seal_post(b"verification statement", channel="tour-mrv", epoch=1, kind="statement", author=c[1].address,
                       channel_public=public_bytes(key))
    run(c[1], {"type": "channel_post", "name": "tour-mrv", "epoch": 1, "kind": "statement", "ciphertext": list(to_chunks(sealed))})
    # 2026: the 2024 deadline passes (company 2 is short and penalised); company 2 meets 2025 and banks
    out.blocks["settle"] = node.finalize([], JAN_2026)
    node.commit()
    _certified(run, actors, c[1], 2025, 10)
    run(c[1], {"type": "surrender", "year": 2025, "instrument": "KAU25", "amount": 10})
    run(c[1], {"type": "bank", "year": 2025, "amount": 5})
    _auction(run, node, out, actors)
    _stabilisation(run, node, out, actors)
    _custody(run, node, c[2], c[0])  # after them: it moves the clock by the custody delay
    return out


def _custody(run, node: Node, company: Signer, trusted: Signer) -> None:
    """Company 3 goes under custody: four eyes, an initiator and an approver, a trusted account, a transfer
    approved and one cancelled."""
    initiator, approver = Signer.generate(), Signer.generate()
    run(company, {"type": "custody_settings", "four_eyes": True, "daily": 100})
    for rep, rights in ((initiator, ["initiate"]), (approver, ["approve"])):
        run(company, {"type": "custody_representative", "op": "set", "representative": rep.address,
                      "public_key": rep.public_key.hex(), "name": f"{rights[0]} of company 3", "rights": rights})
    later = node.time + node.read("/params")["custody_delay_seconds"] + 1  # the new rights take effect
    run(initiator, {"type": "custody_trusted", "op": "add", "account": trusted.address}, time=later)
    run(approver, {"type": "custody_trusted", "op": "confirm", "account": trusted.address})
    for closing in ("custody_approve", "custody_cancel"):
        waiting = run(initiator, {"type": "custody_transfer", "to": trusted.address, "instrument": "KAU25", "amount": 3})
        closer = approver if closing == "custody_approve" else initiator
        run(closer, {"type": closing, "transfer_id": json.loads(waiting.data)["transfer_id"]})


def _stabilisation(run, node: Node, out: Tour, actors: Actors) -> None:
    """The reference series by m-of-n; on 2 February the chain's daily evaluation trips the slump of January
    (a month the chain did not trade: the series covers it) and proposes a floor; approved; expired by rule."""
    g = actors.gov
    months = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)] + ["2026-01"]
    rows = [[m, (10_000 if m == "2026-01" else 20_000) * 1_000, 1_000, 20] for m in months]
    series = {"type": "set_reference_series", "source": "tour series", "sha256": series_hash(rows), "months": rows}
    run(g[1], approve(proposal_id(run(g[0], {"type": "propose", "action": series}))))
    out.blocks["stabilisation_day"] = node.finalize([], FEB_2026)  # the first block of the day: the chain proposes
    node.commit()
    floor = json.loads(node.query("/stabilisation").value)["latest"]["proposals"][0]["proposal_id"]
    run(g[0], approve(floor))
    run(g[1], approve(floor))
    expires = json.loads(node.query("/stabilisation").value)["active"][0]["expires"]
    out.blocks["measure_expiry"] = node.finalize([], expires)  # the floor's parameter is restored
    node.commit()


def _auction(run, node: Node, out: Tour, actors: Actors) -> None:
    """A government auction: scheduled and amended by m-of-n, opened by the chain, a bid and a cancelled bid,
    cleared and settled by the chain at the close."""
    g, c = actors.gov, actors.companies
    opens = JAN_2026 + 13 * 3600
    window = {"opens": opens, "closes": opens + 3600}
    schedule = {"type": "schedule_auctions", "auctions": [{"instrument": "KAU26", **window, "volume": 1_000}]}
    run(g[1], approve(proposal_id(run(g[0], {"type": "propose", "action": schedule}))))
    amend = {"type": "amend_auction", "auction_id": 1, **window, "volume": 900}
    run(g[1], approve(proposal_id(run(g[0], {"type": "propose", "action": amend}))))
    out.blocks["auction_open"] = node.finalize([], opens)  # the chain fixes the reserve price
    node.commit()
    run(c[0], {"type": "auction_bid", "auction_id": 1, "price": 10_000, "quantity": 100}, time=opens + 60)
    withdrawn = json.loads(run(c[0], {"type": "auction_bid", "auction_id": 1, "price": 10_500, "quantity": 10}).data)
    run(c[0], {"type": "auction_cancel_bid", "auction_id": 1, "bid_id": withdrawn["bid_id"]})
    out.blocks["auction_close"] = node.finalize([], opens + 3600)  # cleared and settled at the close
    node.commit()


def _certified(run, actors: Actors, company: Signer, year: int, tonnes: int) -> None:
    """Report (other sources only), assignment, a sealed statement, certification (2 of 3)."""
    g = actors.gov
    run(company, {"type": "emissions_report", "year": year, "other_sources": [
        {"source": "boiler", "method": "fuel use x emission factor", "quantity": tonnes, "evidence": "e" * 64}]})
    run(g[1], approve(proposal_id(run(g[0], {"type": "propose", "action": {
        "type": "assign_verifiers", "year": year, "assignments": [[company.address, actors.verifier.address]]}}))))
    digest, sealed = seal_document(f"statement {year}".encode(), {company.address: view_public_hex(company),
                                                                  g[0].address: view_public_hex(g[0])})
    run(actors.verifier, {"type": "verification_statement", "company": company.address, "year": year, "verified": tonnes,
                          "opinion": "unmodified", "findings": 0, "document_hash": digest, "sealed_document": sealed})
    run(g[1], approve(proposal_id(run(g[0], {"type": "propose", "action": {
        "type": "certify_emissions", "year": year, "entries": [[company.address, tonnes]], "reason": "as verified"}}))))


def _compliance_2024(run, actors: Actors) -> None:
    """Company 2's 2024: certified 1,000 t, borrows 150 t of KAU25, surrenders them, objects."""
    c = actors.companies
    _certified(run, actors, c[1], 2024, 1_000)
    run(c[1], {"type": "borrow", "year": 2024, "amount": 150})
    run(c[1], {"type": "surrender", "year": 2024, "instrument": "KAU24", "amount": 150})
    run(c[1], {"type": "objection", "kind": "certification", "year": 2024, "reason": "boiler 2 was idle", "evidence": "f" * 64})
