"""The demo's work in progress, sent as real signed transactions: a market that trades and a compliance year.

    seed_market(client, keys, buyers)        the bank funds the demo companies and the market maker with KRW
                                             (``fund_cash``); officials register the maker (2 of 3,
                                             ``set_participant_class``); company-4 hands it allowances; it quotes
                                             both sides around the reference price; companies trade against it
                                             and leave orders resting (``datasets.demo_activity``, seeded)
    market_round(client, keys, buyers, seed) one round of the maker's day: re-quote a side the book lacks (day
                                             orders expire at midnight KST); on a day without a trade yet, the
                                             day's takers and resting orders (seeded by the day)
    keep_market(rpc_url, keys, buyers, seed) market rounds every 30 s: the demo's market on every day it runs
    seed_compliance(client, keys)            the last ended year: deadlines by notice (2 of 3), reports, the
                                             verifier assigned (2 of 3); company-1 verified and certified (2 of 3),
                                             so it has KAU to surrender; the other reports await the verifier

``keys`` maps account names (gov-1, gov-2, bank-1, verifier-1, company-1 … company-4, the maker, the demo
companies) to signers. A market on KRX hours (a network created without the demo genesis) is left alone,
with the reason in the result: orders outside the session would be refused.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import date, datetime
from typing import Iterable

from protocol.calendar import KST_ZONE
from protocol.messages import (
    Approve, AssignVerifiers, CertifyEmissions, EmissionsReport, FundCash, OtherSource, PlaceOrder, Propose,
    SetComplianceDeadline, SetParticipantClass, SetViewKey, Transfer,
)
from protocol.private_tx import is_private
from protocol.sealed import view_public_hex

from datasets.demo_activity import MAKER_ALLOWANCES, opening
from ets.compliance import build_statement
from ets.keys import Signer
from ets.rpc import ChainClient, ChainError, TxRejectedError

__all__ = ["MAKER", "INSTRUMENT", "SELLERS", "REPORTS", "submit_all", "governed", "seed_market", "market_round",
           "keep_market", "seed_compliance"]

MAKER = "market-maker-1"          # registered as a company, then given the market-maker class
INSTRUMENT = "KAU26"              # every local network's company holds it from genesis
SELLERS = ("company-1", "company-2", "company-3")
MAKER_SUPPLIER = "company-4"
# the last ended year's reports, in tonnes (fixed demo figures): company-1 is verified and certified at its figure
REPORTS = {"company-1": 48_000, "company-2": 52_500, "company-d001": 131_200}
CERTIFIED = "company-1"
_DAY = 86_400


def submit_all(client: ChainClient, items: Iterable[tuple[Signer, object]]) -> list:
    """Broadcast every (signer, message) at once (nonces run on in the mempool), then wait for each commit;
    raises ``TxRejectedError`` naming the first that failed."""
    sent = []
    for signer, msg in items:
        tx = client.sign(signer, msg)
        sent.append((signer, msg, tx, client.broadcast(tx)))
    commits = []
    for signer, msg, tx, hash_hex in sent:
        commit = client.wait_for_tx(hash_hex, 60)
        if is_private(tx):
            commit = client.private_result(signer, commit)
        if commit.code != 0:
            raise TxRejectedError(commit.code, f"{type(msg).__name__} by {signer.address}: {commit.log}", hash_hex, "deliver")
        commits.append(commit)
    return commits


def governed(client: ChainClient, keys: dict[str, Signer], action: object) -> dict:
    """Propose as gov-1, approve as gov-2 (the demo genesis needs 2 of 3); returns the executed proposal."""
    proposal = json.loads(client.submit(keys["gov-1"], Propose(action)).data)
    done = json.loads(client.submit(keys["gov-2"], Approve(proposal["proposal_id"])).data)
    if done.get("status") != "executed":
        raise ChainError(f"{type(action).__name__} was not executed: {done}")
    return done


def _reference(client: ChainClient, instrument: str) -> int:
    listed = {row["instrument"]: row for row in client.query("/market/instruments")}
    if instrument in listed:
        return int(listed[instrument]["reference_price"])
    return int(client.query("/params")["market_initial_reference_price"])


def seed_market(client: ChainClient, keys: dict[str, Signer], buyers: list[str], seed: int) -> dict:
    """Fund, register the maker, quote and trade (see the module docstring); returns what was done."""
    if not _around_the_clock(client):
        return {"skipped": "this network was created without the demo genesis and trades on KRX hours only "
                           "(10:00-12:00 KST); for the 24-hour demo market start from an empty --home, which "
                           "scripts/up.sh creates with `python -m ets_tools.demo create`"}
    maker = keys[MAKER]
    if maker.address not in {row["account"] for row in client.query("/makers")}:
        governed(client, keys, SetParticipantClass(maker.address, "market_maker", INSTRUMENT))
    plan = opening(seed, _reference(client, INSTRUMENT), buyers, list(SELLERS))
    submit_all(client, [(keys[MAKER_SUPPLIER], Transfer(maker.address, INSTRUMENT, MAKER_ALLOWANCES))] +
               [(keys["bank-1"], FundCash(_who(keys)[name].address, krw)) for name, krw in plan.fundings])
    done = market_round(client, keys, buyers, seed)
    trades = client.query(f"/market/trades/{INSTRUMENT}")
    return {"instrument": INSTRUMENT, "maker": maker.address, "reference_price": done["reference_price"],
            "funded": len(plan.fundings), "quote_levels": len(plan.quote), "trades": len(trades),
            "traded_tonnes": sum(t["quantity"] for t in trades)}


def _around_the_clock(client: ChainClient) -> bool:
    return bool(int(client.query("/params").get("market_around_the_clock", 0)))


def _who(keys: dict[str, Signer]) -> dict[str, Signer]:
    return {**keys, "maker": keys[MAKER]}


def _trading_day(client: ChainClient) -> date:
    return datetime.fromtimestamp(client.chain_time(), KST_ZONE).date()


def market_round(client: ChainClient, keys: dict[str, Signer], buyers: list[str], seed: int) -> dict:
    """Re-quote each side the book lacks; on a day with no trade yet, the day's takers and resting orders.
    The day's orders come from ``opening(seed × 100,000 + days since 1970 (KST), reference)``."""
    day = _trading_day(client)
    reference = _reference(client, INSTRUMENT)
    plan = opening(seed * 100_000 + (day - date(1970, 1, 1)).days, reference, buyers, list(SELLERS))
    listed = {row["instrument"]: row for row in client.query("/market/instruments")}.get(INSTRUMENT, {})
    missing = {side for side, best in (("buy", listed.get("best_bid")), ("sell", listed.get("best_ask"))) if best is None}
    who = _who(keys)
    quote = [o for o in plan.quote if o.side in missing]
    submit_all(client, [(who[o.who], PlaceOrder(INSTRUMENT, o.side, o.price, o.quantity)) for o in quote])
    bars = client.query(f"/market/bars/{INSTRUMENT}") if listed else []
    traded_today = any(bar["trading_day"] == day.isoformat() for bar in bars)
    if not traded_today:
        for batch in (plan.takers, plan.resting):
            submit_all(client, [(who[o.who], PlaceOrder(INSTRUMENT, o.side, o.price, o.quantity)) for o in batch])
    return {"trading_day": day.isoformat(), "reference_price": reference, "quoted": sorted(missing),
            "traded": not traded_today}


def keep_market(rpc_url: str, keys: dict[str, Signer], buyers: list[str], seed: int, *,
                interval: float = 30.0, say=print) -> None:
    """Market rounds every ``interval`` seconds until stopped; a round that fails is reported and retried
    (with a new client: nonces are read again from the chain)."""
    while True:
        try:
            with ChainClient(rpc_url, timeout=60) as client:
                done = market_round(client, keys, buyers, seed)
            if done["quoted"] or done["traded"]:
                say(f"{done['trading_day']}: quoted {', '.join(done['quoted']) or 'nothing'}; "
                    f"day's trades {'sent' if done['traded'] else 'already done'} (reference KRW {done['reference_price']:,})")
        except (ChainError, ValueError, OSError) as exc:
            say(f"market round failed, retrying in {interval:.0f} s: {exc}")
        time.sleep(interval)


def _evidence(name: str, year: int) -> str:
    return hashlib.sha256(f"demo fuel and process records of {name}, {year}".encode()).hexdigest()


def seed_compliance(client: ChainClient, keys: dict[str, Signer]) -> dict:
    """The last ended year (KST, block time): deadlines 60 / 120 days ahead, reports, verification, one
    certification (see the module docstring); returns what was done."""
    now = client.chain_time()
    year = datetime.fromtimestamp(now, KST_ZONE).year - 1
    governed(client, keys, SetComplianceDeadline(year, now + 60 * _DAY, now + 120 * _DAY))
    readers = ["gov-1", *REPORTS]
    submit_all(client, [(keys[name], SetViewKey(view_public_hex(keys[name]))) for name in readers])
    submit_all(client, [(keys[name], EmissionsReport(year, (OtherSource("stacks and boilers", "fuel use x emission factor",
                                                                        tonnes, _evidence(name, year)),)))
                        for name, tonnes in REPORTS.items()])
    verifier = keys["verifier-1"]
    assignments = sorted((keys[name].address, verifier.address) for name in REPORTS)
    governed(client, keys, AssignVerifiers(year, tuple(assignments)))
    company = keys[CERTIFIED]
    statement = build_statement(client, company.address, year, REPORTS[CERTIFIED], "unmodified", 0,
                                f"Verification statement {year}, {CERTIFIED}: {REPORTS[CERTIFIED]:,} t (demo)".encode())
    client.submit(verifier, statement)
    governed(client, keys, CertifyEmissions(year, ((company.address, REPORTS[CERTIFIED]),), "as verified (demo)"))
    pending = sorted(name for name in REPORTS if name != CERTIFIED)
    return {"year": year, "certified": {CERTIFIED: REPORTS[CERTIFIED]}, "awaiting_verification": pending,
            "surrender_due": now + 120 * _DAY}
