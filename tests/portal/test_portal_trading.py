"""The trading pages against a real market: a 1-validator network trading 24 hours, ``streamlit run``, Chromium.

(a) a company sees today's band before ordering, is stopped client-side by a price outside it,
    then buys into another company's resting sell; both see the fill (the seller's live panel
    follows without a reload), and the seller cancels the rest of its order with its button;
(b) the public Market page shows the chain's trade price and volume and never a trader;
(c) the Market page's KRX section renders the real KRX file, labelled as historical, apart
    from chain data, and names the file, row and column of a broken upload (uploads need a login);
(d) ``portal.data`` (market, holdings, trading, blocktrades) against the same chain: the
    chain's own order rules, limits, depth, trades, bars, cash, holdings, fills, orders, who may
    read what, sealed block trades;
(e) a block trade in two browsers: proposed with a sealed price, accepted by the counterparty
    who sees the decrypted price; the regulator reads it; the public sees aggregates only.

Screenshots of every open page go to the test's tmp dir when a browser test fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from abci_app.market import MarketRules
from ets.rpc import QueryError, TxRejectedError
from protocol.codes import Code
from protocol.messages import BlockTradeAccept, PlaceOrder, RecordAccess, SetViewKey
from protocol.sealed import view_public_hex
from portal.data import blocktrades, holdings, trading
from portal.data import market as mkt
from portal.krx_history import KrxHistoryError, load_krx_history
from portal_pages import absent, body, choose, confirm, expect, go, login_with, nav_links
from trading_chain import GENESIS, TRADER_PASSWORDS, MarketChain, add_portal_users, start_market_chain, start_portal

pytestmark = [pytest.mark.localnet, pytest.mark.long(seconds=60)]

CHROMIUM = Path("/usr/bin/chromium")
DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
KRX_FILE = DATASETS / "kets" / "krx_emissions_market_daily_2024_2025.csv"
UNAUTHORIZED = Code.UNAUTHORIZED

# the browser's trade (KAU25): the seller rests a sell, the buyer's limit crosses it
RESTING = {"price": 10_250, "quantity": 400}
BUY = {"price": 10_300, "quantity": 150}
BLOCK = {"price": 9_555, "quantity": 700}  # the browser's block trade, seller → buyer


@pytest.fixture(scope="module")
def market(tmp_path_factory) -> MarketChain:
    chain = start_market_chain(tmp_path_factory.mktemp("trading-net") / "net")
    yield chain
    chain.client.close()
    chain.net.stop()


@pytest.fixture(scope="module")
def portal_url(market: MarketChain, tmp_path_factory) -> str:
    users = add_portal_users(market, tmp_path_factory.mktemp("trading-users"))
    work = tmp_path_factory.mktemp("trading-portal")
    env = {"ETS_PORTAL_KRX": str(KRX_FILE)} if KRX_FILE.exists() else {}
    with start_portal(market.rpc_url, users, work, **env) as url:
        yield url


# ---------------------------------------------------------------- browser helpers


login = login_with(TRADER_PASSWORDS)


def number(page, label: str, value: int) -> None:
    page.get_by_role("spinbutton", name=label).fill(str(value))


# ---------------------------------------------------------------- (a) trading in the browser


def test_company_buys_into_a_resting_sell_and_both_see_the_fill(market: MarketChain, portal_url: str, open_page):
    buyer, seller = market.trader("buyer"), market.trader("seller")
    client = market.client
    cash_before = holdings.cash(client, buyer.address, buyer.signer).available
    orders_before = len(trading.orders(client, buyer.address, buyer.signer))
    resting = client.submit(seller.signer, PlaceOrder("KAU25", "sell", RESTING["price"], RESTING["quantity"]).to_json())
    resting_id = int(json.loads(resting.data)["order_id"])

    seller_page = open_page()
    login(seller_page, portal_url, "seller")
    assert {"Trading", "Block trades"} <= set(nav_links(seller_page))
    go(seller_page, "Trading")
    seller_main = body(seller_page)
    expect(seller_main).to_contain_text(f"#{resting_id} Sell KAU25 — {RESTING['quantity']:,} of {RESTING['quantity']:,} t left")
    expect(seller_main).to_contain_text("No fill yet.")

    page = open_page()
    login(page, portal_url, "buyer")
    go(page, "Trading")
    main = body(page)
    limits = mkt.order_limits(client, "KAU25")
    # the rules are on the page before anything is written
    expect(main).to_contain_text(f"price band {limits.band_low:,} – {limits.band_high:,} KRW/t")
    expect(main).to_contain_text(f"tick {limits.tick:,} KRW")
    expect(main).to_contain_text(f"at most {limits.max_quantity:,} t per order")
    expect(main).to_contain_text(f"best ask {RESTING['price']:,}")
    expect(main).to_contain_text(f"{cash_before:,} KRW")  # cash available

    # outside the band: refused on the page, nothing sent
    number(page, "Limit price (KRW per tonne)", limits.band_high + limits.tick)
    number(page, "Quantity (tonnes)", BUY["quantity"])
    page.get_by_role("button", name="Place order").click()
    expect(main).to_contain_text("The order was not sent")
    expect(main).to_contain_text(f"outside today's band {limits.band_low:,}–{limits.band_high:,} KRW/t")
    assert len(trading.orders(client, buyer.address, buyer.signer)) == orders_before

    number(page, "Limit price (KRW per tonne)", BUY["price"])
    number(page, "Quantity (tonnes)", BUY["quantity"])
    page.get_by_role("button", name="Place order").click()
    expect(page.locator(".st-key-confirm_yes_place_order button")).to_be_visible()  # restated: nothing sent yet
    assert len(trading.orders(client, buyer.address, buyer.signer)) == orders_before
    confirm(page, "place_order")
    expect(main).to_contain_text(re.compile(rf"is filled: {BUY['quantity']:,} t filled in 1 trade\(s\)"))
    fills = trading.fills(client, buyer.address, buyer.signer)
    fill = fills[fills["instrument"] == "KAU25"].iloc[0]
    assert (fill["price"], fill["quantity"], fill["counterparty"]) == (RESTING["price"], BUY["quantity"], seller.address)
    value = RESTING["price"] * BUY["quantity"]
    expect(main).to_contain_text(f"{value:,}")  # the fill's value, at the resting sell's price
    expect(main).to_contain_text("Seoul Power")
    expect(main).to_contain_text(f"{cash_before - value:,} KRW")  # the unused escrow was released

    # the seller's live panel follows without a reload: the fill, and the rest of its order
    left = RESTING["quantity"] - BUY["quantity"]
    expect(seller_main).to_contain_text("Daehan Cement")
    expect(seller_main).to_contain_text(f"{value:,}")
    expect(seller_main).to_contain_text(f"#{resting_id} Sell KAU25 — {left:,} of {RESTING['quantity']:,} t left")
    seller_page.get_by_role("button", name=f"Cancel #{resting_id}").click()
    confirm(seller_page, "cancel_order")
    expect(seller_main).to_contain_text(f"Order #{resting_id} cancelled")
    expect(seller_main).to_contain_text("You have no order in the book.")
    order = trading.orders(client, seller.address, seller.signer).set_index("order_id").loc[resting_id]
    assert (order["status"], order["remaining"]) == ("cancelled", left)


# ---------------------------------------------------------------- (b) the public market page


def _ensure_a_kau25_trade(market: MarketChain) -> None:
    if mkt.trades(market.client, "KAU25").empty:  # run alone: make the trade (a) would have made
        seller, buyer = market.trader("seller"), market.trader("buyer")
        market.client.submit(seller.signer, PlaceOrder("KAU25", "sell", RESTING["price"], BUY["quantity"]).to_json())
        market.client.submit(buyer.signer, PlaceOrder("KAU25", "buy", BUY["price"], BUY["quantity"]).to_json())


def test_public_market_shows_chain_prices_and_volume_but_no_trader(market: MarketChain, portal_url: str, open_page):
    _ensure_a_kau25_trade(market)
    trades = mkt.trades(market.client, "KAU25")
    bar = mkt.bars(market.client, "KAU25").iloc[-1]
    page = open_page()
    page.goto(f"{portal_url}/market")
    expect(page.get_by_role("heading", name="Market", level=1)).to_be_visible()
    assert "Market" in nav_links(page) and "Trading" not in nav_links(page)
    main = body(page)
    expect(main).to_contain_text(f"{int(trades['price'].iloc[0]):,} KRW/t")  # last trade
    expect(main).to_contain_text(f"Volume {bar['trading_day']}")
    expect(main).to_contain_text(f"{int(bar['volume']):,} t")
    expect(main).to_contain_text(f"{int(bar['vwap']):,} KRW/t")
    for row in trades.head(5).itertuples():
        expect(main).to_contain_text(f"{row.value_krw:,}")
    expect(main).to_contain_text("Buyers and sellers are confidential")
    expect(page.get_by_test_id("stVegaLiteChart").nth(1)).to_be_visible()  # chain price and volume charts (they render last)
    text = main.inner_text()
    for t in market.traders:
        assert t.address not in text and t.address[:10] not in text and t.name not in text
    # the company pages stay out of reach
    page.goto(f"{portal_url}/trading")
    absent(page, page.get_by_role("button", name="Place order"))


# ---------------------------------------------------------------- (c) historical KRX data


def test_krx_history_is_rendered_from_the_real_file_and_labelled(portal_url: str, open_page):
    if not KRX_FILE.exists():
        pytest.skip(f"{KRX_FILE} is absent (the shared datasets folder is not next to the repository)")
    from datasets import read_market_daily

    rows = read_market_daily(KRX_FILE)
    volume: dict[str, int] = {}
    for r in rows:
        volume[r.instrument] = volume.get(r.instrument, 0) + r.volume
    shown = max(sorted(volume), key=volume.get)  # the most traded instrument is shown first
    days = sorted((r for r in rows if r.instrument == shown), key=lambda r: r.date)
    assert sum(r.volume for r in days) > 0
    page = open_page()
    page.goto(f"{portal_url}/market")
    main = body(page)
    heading = page.get_by_role("heading", name="Historical KRX data (imported file, not chain data)")
    expect(heading).to_be_visible()
    expect(main).to_contain_text("Source: KRX (Korea Exchange) emissions market daily data")
    expect(main).to_contain_text(f"Imported file {KRX_FILE.name}")
    expect(main).to_contain_text(f"{len(rows):,} rows, {min(r.date for r in rows)} to {max(r.date for r in rows)}")
    expect(main).to_contain_text("not recorded on or checked by the chain")
    expect(main).to_contain_text(f"KRX close {days[-1].date:%Y-%m-%d}")
    expect(main).to_contain_text(f"{days[-1].close:,} KRW/t")
    expect(main).to_contain_text(f"{sum(r.volume for r in days):,} t")
    expect(main).to_contain_text(f"{sum(1 for r in days if r.volume):,} of {len(days):,}")  # days with trades
    # the chain section comes first, the KRX section after it
    chain_section = re.compile(r"Order book \(aggregated\)|No order has been placed on chain yet")  # run alone: no order
    expect(main).to_contain_text(chain_section)
    text = main.inner_text()
    assert chain_section.search(text).start() < text.index("Historical KRX data")
    absent(page, page.get_by_test_id("stFileUploader"))  # a visitor cannot upload
    # a logged-in user can; a broken upload is named by file and row, and nothing is shown from it
    page = open_page()
    login(page, portal_url, "buyer")
    go(page, "Market")
    main = body(page)
    expect(page.get_by_role("heading", name="Historical KRX data (imported file, not chain data)")).to_be_visible()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "broken.csv", "mimeType": "text/csv", "buffer": "일자,종목명\n2025-01-02\n".encode()}])
    expect(main).to_contain_text("The file cannot be read as a KRX daily export: broken.csv row 1")
    expect(main).to_contain_text("upload it unchanged")


def test_krx_history_reads_the_real_file():
    if not KRX_FILE.exists():
        pytest.skip(f"{KRX_FILE} is absent (the shared datasets folder is not next to the repository)")
    history = load_krx_history(KRX_FILE)
    assert history.provenance().startswith("Source: KRX")
    assert history.instruments[0] == "KAU24"  # the most traded instrument of the file
    kau25 = history.of("KAU25")
    assert list(kau25["date"]) == sorted(kau25["date"]) and (kau25["instrument"] == "KAU25").all()
    assert history.first_day == "2024-12-12" and history.last_day == "2025-06-12"
    with pytest.raises(KrxHistoryError, match=r"broken\.csv row 1") as bad:
        load_krx_history(b"a,b\n1,2\n", name="broken.csv")
    assert bad.value.kind == "content" and bad.value.detail.startswith("broken.csv row 1")
    with pytest.raises(KrxHistoryError, match="ETS_PORTAL_KRX") as missing:
        load_krx_history(KRX_FILE.with_name("no-such-file.csv"))
    assert missing.value.kind == "unreadable" and "no-such-file.csv" in missing.value.detail


# ---------------------------------------------------------------- (d) the data layer against the chain


RULES = MarketRules(tick_size=5, max_order_quantity=100_000, band_bps=1_000, initial_reference_price=10_000)
LIMITS = mkt.OrderLimits("KAU25", RULES, 10_000, "continuous")


@pytest.mark.parametrize("side,price,quantity,cash,tonnes,expected", [
    ("buy", 10_000, 100, 10**9, 0, []),
    ("sell", 11_000, 100_000, 0, 100_000, []),
    ("buy", 10_001, 10, 10**9, 0, ["The price 10,001 KRW/t is not on the 5 KRW tick grid; use 10,000 or 10,005."]),
    ("buy", 3, 10, 10**9, 0, ["The price 3 KRW/t is not on the 5 KRW tick grid; use 5."]),  # the chain's first rule
    ("buy", 11_005, 10, 10**9, 0, ["outside today's band 9,000–11,000 KRW/t (±10% of the reference price 10,000"]),
    ("sell", 10_000, 100_001, 0, 10**6, ["exceeds the limit of 100,000 t per order"]),
    ("buy", 10_000, 0, 10**9, 0, ["at least 1"]),
    ("buy", 10**10, 1, 10**12, 0, ["place_order.price must be a whole number between 1 and 1,000,000,000"]),
    ("buy", 10_000, 100, 999_999, 0, ["holds 1,000,000 KRW, but only 999,999 KRW"]),
    ("sell", 10_000, 101, 0, 100, ["needs 101 t available, but you have 100 t"]),
    ("hold", 10_000, 1, 10**9, 10, ["Choose Buy or Sell"]),
])
def test_order_problems_say_what_to_change(side, price, quantity, cash, tonnes, expected):
    problems = LIMITS.problems(side, price, quantity, available_cash=cash, available_tonnes=tonnes)
    assert len(problems) == len(expected), problems
    for problem, words in zip(problems, expected):
        assert words in problem
    closed = mkt.OrderLimits("KAU25", RULES, 10_000, "closed")
    if not expected:
        assert closed.problems(side, price, quantity, available_cash=cash, available_tonnes=tonnes) == [
            "The market is closed now: orders are taken only during the trading session."]


def test_market_queries_follow_a_kau26_trade(market: MarketChain):
    client = market.client
    buyer, other, seller = market.trader("buyer"), market.trader("other"), market.trader("seller")
    before = mkt.order_limits(client, "KAU26")  # no KAU26 order yet: from the chain's parameters
    params = client.query("/params")
    assert before.rules == MarketRules(params["market_tick_size"], params["market_max_order_quantity"],
                                       params["market_band_bps"], params["market_initial_reference_price"])
    assert before.reference_price == params["market_initial_reference_price"]
    assert before.band == before.rules.price_band(before.reference_price)
    assert mkt.depth(client, "KAU26").empty and mkt.trades(client, "KAU26").empty and mkt.bars(client, "KAU26").empty
    cash_before = holdings.cash(client, buyer.address, buyer.signer)

    client.submit(other.signer, PlaceOrder("KAU26", "sell", 10_100, 500).to_json())
    client.submit(other.signer, PlaceOrder("KAU26", "sell", 10_200, 300).to_json())
    after = mkt.order_limits(client, "KAU26")
    assert (after.band_low, after.band_high, after.best_ask, after.phase) == (before.band_low, before.band_high, 10_100,
                                                                              "continuous")
    client.submit(buyer.signer, PlaceOrder("KAU26", "buy", 10_200, 600).to_json())

    book = mkt.depth(client, "KAU26")
    assert book.to_dict("records") == [{"side": "ask", "price": 10_200, "quantity": 200, "cumulative": 200}]
    trades = mkt.trades(client, "KAU26")
    assert [(t.price, t.quantity, t.value_krw) for t in trades.itertuples()] == [(10_200, 100, 1_020_000),
                                                                                 (10_100, 500, 5_050_000)]
    assert not {"buyer", "seller", "counterparty", "owner"} & set(trades.columns)
    bar = mkt.bars(client, "KAU26").iloc[-1]
    assert (bar["open"], bar["high"], bar["low"], bar["close"], bar["volume"], bar["value"], bar["trades"]) == (
        10_100, 10_200, 10_100, 10_200, 600, 6_070_000, 2)
    assert bar["vwap"] == (2 * 6_070_000 + 600) // 1_200

    spent = 6_070_000
    assert holdings.cash(client, buyer.address, buyer.signer) == holdings.CashBalance(cash_before.available - spent, cash_before.held)
    mine = trading.fills(client, buyer.address, buyer.signer)
    kau26 = mine[mine["instrument"] == "KAU26"]
    assert set(kau26["side"]) == {"buy"} and set(kau26["counterparty_name"]) == {"Busan Chemical"}
    assert int(kau26["value_krw"].sum()) == spent
    theirs = trading.fills(client, other.address, other.signer)
    assert set(theirs["side"]) == {"sell"} and set(theirs["counterparty"]) == {buyer.address}
    held = holdings.holdings(client, other.address, other.signer).set_index("instrument").loc["KAU26"]
    assert (held["available"], held["held"], held["total"]) == (GENESIS[("other", "KAU26")] - 800, 200,
                                                                GENESIS[("other", "KAU26")] - 600)
    statuses = trading.orders(client, other.address, other.signer).set_index("price")["status"]
    assert (statuses[10_100], statuses[10_200]) == ("filled", "partially_filled")

    # who may read what: the owner and the regulator, not another company, not the public
    for read in (holdings.cash, trading.orders, trading.fills, holdings.holdings, blocktrades.block_trades):
        with pytest.raises(QueryError) as refused:
            read(client, buyer.address, seller.signer)
        assert refused.value.code == UNAUTHORIZED
    with pytest.raises(QueryError):
        client.query(f"/fills/{buyer.address}")
    with pytest.raises(QueryError) as refused:  # the regulator too, until it records why (who looked)
        trading.fills(client, buyer.address, market.regulator)
    assert refused.value.code == Code.ACCESS_NOT_RECORDED
    client.submit(market.regulator, RecordAccess(buyer.address, "review of the buyer's fills after the auction"))
    assert len(trading.fills(client, buyer.address, market.regulator)) == len(mine)
    assert holdings.cash(client, buyer.address, market.bank) == holdings.cash(client, buyer.address, buyer.signer)


def test_block_trade_prices_are_sealed_to_the_parties_and_the_regulator(market: MarketChain):
    client = market.client
    other, steel, seller = market.trader("other"), market.trader("steel"), market.trader("seller")
    with pytest.raises(blocktrades.BlockTradeError, match="register it first"):
        blocktrades.block_trade_message(client, other.signer, steel.address, "KAU26", "sell", 100, 9_000)
    client.submit(other.signer, SetViewKey(view_public_hex(other.signer)).to_json())
    with pytest.raises(blocktrades.BlockTradeError, match="Incheon Steel has not published a view key"):
        blocktrades.block_trade_message(client, other.signer, steel.address, "KAU26", "sell", 100, 9_000)
    with pytest.raises(blocktrades.BlockTradeError, match="another company"):
        blocktrades.block_trade_message(client, other.signer, other.address, "KAU26", "sell", 100, 9_000)
    client.submit(steel.signer, SetViewKey(view_public_hex(steel.signer)).to_json())
    held_before = holdings.holdings(client, other.address, other.signer).set_index("instrument").loc["KAU26"]

    msg = blocktrades.block_trade_message(client, other.signer, steel.address, "KAU26", "sell", 1_234, 9_765)
    assert set(msg.sealed_price) == {other.address, steel.address, market.regulator.address}
    # the price opens the commitment for the validators inside the private tx (sealed on the wire); the stored
    # proposal keeps only the commitment and the sealed entries
    assert msg.price == 9_765 and "9765" not in str(msg.sealed_price) and "9765" not in msg.price_commitment
    trade_id = int(json.loads(client.submit(other.signer, msg.to_json()).data)["trade_id"])

    held = holdings.holdings(client, other.address, other.signer).set_index("instrument").loc["KAU26"]
    assert (held["available"], held["held"]) == (held_before["available"] - 1_234, held_before["held"] + 1_234)
    client.submit(market.regulator, RecordAccess(steel.address, "review of a proposed block trade's price"))
    for reader, address in ((other.signer, other.address), (steel.signer, steel.address),
                            (market.regulator, steel.address)):
        row = blocktrades.block_trades(client, address, reader).set_index("trade_id").loc[trade_id]
        assert (row["price"], row["value_krw"], row["status"]) == (9_765, 9_765 * 1_234, "proposed"), row["price_note"]
        assert row["seller"] == other.address and row["buyer"] == steel.address
    client.submit(market.keys["gov-2"], RecordAccess(steel.address, "second official checking the same block trade"))
    gov2 = blocktrades.block_trades(client, steel.address, market.keys["gov-2"]).set_index("trade_id").loc[trade_id]
    assert pd.isna(gov2["price"]) and gov2["price_note"] == "not sealed to your view key"
    with pytest.raises(QueryError) as refused:
        blocktrades.block_trades(client, steel.address, seller.signer)
    assert refused.value.code == UNAUTHORIZED

    volume_before = mkt.block_volume(client, "KAU26")
    client.submit(steel.signer, BlockTradeAccept(trade_id).to_json())
    everything = blocktrades.block_trades(client, steel.address, market.regulator).set_index("trade_id")
    assert everything.loc[trade_id, "status"] == "settled" and everything.loc[trade_id, "price"] == 9_765
    volume = mkt.block_volume(client, "KAU26")
    assert int(volume["volume"].sum()) == int(volume_before["volume"].sum()) + 1_234
    assert int(volume["trades"].sum()) == int(volume_before["trades"].sum()) + 1
    assert list(volume.columns) == ["day", "trades", "volume"]  # no price, no parties
    assert holdings.holdings(client, steel.address, steel.signer).set_index("instrument").loc["KAU26", "available"] == 1_234
    with pytest.raises(TxRejectedError):  # settled: nothing left to accept
        client.submit(steel.signer, BlockTradeAccept(trade_id).to_json())


# ---------------------------------------------------------------- (e) a block trade in the browser


_HEX = re.compile(r"[0-9a-f]+")


def _price_absent(value, price: int) -> bool:
    """No number equals ``price`` and no text other than hex (ciphertexts, keys, hashes, where any four
    digits can occur by chance) holds it, written plain or with separators."""
    if isinstance(value, dict):
        return all(_price_absent(v, price) for v in value.values())
    if isinstance(value, list):
        return all(_price_absent(v, price) for v in value)
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return value != price
    text = str(value)
    return bool(_HEX.fullmatch(text)) or (str(price) not in text and f"{price:,}" not in text)


def _register_view_key(page) -> None:
    button = page.get_by_role("button", name="Register my view key")
    button.click()
    expect(body(page)).to_contain_text("Your view key is on chain")


def test_block_trade_in_two_browsers_with_the_price_sealed(market: MarketChain, portal_url: str, open_page):
    buyer, seller = market.trader("buyer"), market.trader("seller")
    client = market.client
    buyer_page = open_page()
    login(buyer_page, portal_url, "buyer")
    go(buyer_page, "Block trades")
    if client.query(f"/account/{buyer.address}").get("view_key") is None:
        _register_view_key(buyer_page)

    page = open_page()
    login(page, portal_url, "seller")
    go(page, "Block trades")
    if client.query(f"/account/{seller.address}").get("view_key") is None:
        _register_view_key(page)
    choose(page, "Counterparty", "Daehan Cement")
    number(page, "Quantity (tonnes)", BLOCK["quantity"])
    number(page, "Price (KRW per tonne, sealed)", BLOCK["price"])
    page.get_by_role("button", name="Seal price and propose").click()
    confirm(page, "block_trade")
    main = body(page)
    expect(main).to_contain_text(re.compile(r"Block trade #\d+ proposed to Daehan Cement"))
    (trade_id,) = [int(t["id"]) for t in client.query(f"/block_trades/{seller.address}", reader=seller.signer)
                   if t["status"] == "proposed" and t["buyer"] == buyer.address]
    raw = client.query(f"/block_trades/{seller.address}", reader=seller.signer)
    assert _price_absent(raw, BLOCK["price"])  # only the commitment and ciphertexts are on chain

    buyer_main = body(buyer_page)  # the live panel shows the proposal, with the price opened
    expect(buyer_main).to_contain_text(f"Block trade #{trade_id} from Seoul Power: you buy {BLOCK['quantity']:,} t KAU25")
    expect(buyer_main).to_contain_text(f"{BLOCK['price']:,} KRW/t (value {BLOCK['price'] * BLOCK['quantity']:,} KRW)")
    kau25_before = holdings.holdings(client, buyer.address, buyer.signer).set_index("instrument")["available"].get("KAU25", 0)
    buyer_page.get_by_role("button", name=f"Accept #{trade_id}").click()
    confirm(buyer_page, "block_trade")
    expect(buyer_main).to_contain_text(f"Block trade #{trade_id} settled")
    after = holdings.holdings(client, buyer.address, buyer.signer).set_index("instrument").loc["KAU25", "available"]
    assert after == kau25_before + BLOCK["quantity"]

    official = open_page()
    login(official, portal_url, "regulator")
    assert "Block trades" in nav_links(official) and "Trading" not in nav_links(official)
    go(official, "Block trades")
    expect(body(official)).to_contain_text("recorded on chain first")  # who looked: the reason goes on chain first
    assert f"{BLOCK['price']:,} KRW" not in body(official).inner_text()
    official.get_by_label("Reason (at least 10 characters)").fill("quarterly review of OTC prices")
    official.get_by_role("button", name="Record and read").click()
    expect(body(official)).to_contain_text("Recorded at height")
    expect(body(official)).to_contain_text(f"{BLOCK['price']:,}")
    expect(body(official)).to_contain_text("opened, matches the commitment")

    public = open_page()
    public.goto(f"{portal_url}/market")
    expect(body(public)).to_contain_text("Block trades (aggregates only)")
    expect(body(public)).to_contain_text("Block tonnes")
    volume = int(mkt.block_volume(client, "KAU25")["volume"].sum())
    expect(body(public)).to_contain_text(f"{volume:,} t")
    assert f"{BLOCK['price']:,}" not in body(public).inner_text()
