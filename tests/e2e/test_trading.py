"""The market on a real 4-validator network: DvP, escrow, refusals, and sealed block-trade prices."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest

from protocol.codes import Code
from protocol.messages import BlockTradeAccept, BlockTradePropose, CancelOrder, FundCash, PlaceOrder, RecordAccess, SetViewKey
from protocol.sealed import open_price, seal_price_opening, view_key_of, view_public_hex

from ets.rpc import TxRejectedError

from .conftest import Net, start_net, without_hex

pytestmark = pytest.mark.localnet


@pytest.fixture(scope="module")
def market_net(tmp_path_factory) -> Net:
    net = start_net(tmp_path_factory.mktemp("market") / "net", "ets-market", params={"market_around_the_clock": 1})
    yield net
    net.net.stop()



def _order(side: str, price: int, quantity: int, instrument: str = "KAU25") -> PlaceOrder:
    return PlaceOrder(instrument, side, price, quantity)


def test_two_companies_trade_with_exact_escrow_and_dvp(market_net: Net):
    keys = market_net.keys
    a, b, c, bank, gov = keys["company-1"], keys["company-2"], keys["company-3"], keys["bank-1"], keys["gov-1"]
    client = market_net.client("node0")
    client.submit(bank, FundCash(a.address, 5_000_000))
    kau_a, kau_b = client.query(f"/balances/{a.address}", reader=a)["KAU25"], client.query(f"/balances/{b.address}", reader=b)["KAU25"]

    market_net.sync(market_net.height("node0"))  # node2 checks the buyer's cash the bank just funded via node0
    sell = json.loads(market_net.client("node1").submit(b, _order("sell", 10_000, 300)).data)
    buy = json.loads(market_net.client("node2").submit(a, _order("buy", 10_100, 200)).data)
    assert buy["status"] == "filled" and buy["filled"] == 200
    market_net.assert_same_app_hash()
    reader = market_net.client("node3")
    assert reader.query(f"/cash/{a.address}", reader=a) == {"available": 5_000_000 - 2_000_000, "held": 0}
    assert reader.query(f"/cash/{b.address}", reader=b) == {"available": 2_000_000, "held": 0}
    assert reader.query(f"/balances/{a.address}", reader=a)["KAU25"] == kau_a + 200
    assert reader.query(f"/balances/{b.address}", reader=b)["KAU25"] == kau_b - 300  # 100 t held behind the rest

    resting = json.loads(client.submit(a, _order("buy", 9_500, 300)).data)  # holds 2,850,000 KRW
    with pytest.raises(TxRejectedError) as spend:  # escrowed cash cannot be spent again
        client.submit(a, _order("buy", 9_500, 100))
    assert spend.value.code == Code.INSUFFICIENT_BALANCE
    with pytest.raises(TxRejectedError) as steal:
        client.submit(b, CancelOrder(resting["order_id"]))
    assert steal.value.code == Code.ORDER_NOT_FOUND  # another's order answers as no order at all
    with pytest.raises(TxRejectedError) as short:
        client.submit(c, _order("sell", 10_000, 10, "KAU24"))  # holds no KAU24
    assert short.value.code == Code.INSUFFICIENT_BALANCE
    with pytest.raises(TxRejectedError) as broke:
        client.submit(c, _order("buy", 10_000, 1))  # no cash at all
    assert broke.value.code == Code.INSUFFICIENT_BALANCE
    client.submit(a, CancelOrder(resting["order_id"]))
    client.submit(gov, RecordAccess(a.address, "checking the escrow released after a cancel"))
    assert client.query(f"/cash/{a.address}", reader=gov) == {"available": 3_000_000, "held": 0}
    trades = client.query("/market/trades/KAU25")
    assert trades and all("buyer" not in t and "seller" not in t for t in trades)
    assert sell["order_id"] < buy["order_id"]


def test_block_trade_price_is_unreadable_to_a_third_company(market_net: Net):
    keys = market_net.keys
    seller, buyer, third, regulator = keys["company-2"], keys["company-4"], keys["company-3"], keys["gov-2"]
    client = market_net.client("node0")
    for who in (seller, buyer, third, regulator):
        client.submit(who, SetViewKey(view_public_hex(who)))
    price = 10_235
    readers = {s.address: view_public_hex(s) for s in (seller, buyer, regulator)}
    commitment, sealed, salt = seal_price_opening(price, readers)
    proposal = json.loads(client.submit(seller, BlockTradePropose(buyer.address, "KAU25", "sell", 250, commitment, sealed, price, salt)).data)
    market_net.sync(market_net.height("node0"))
    accepted = market_net.client("node1").submit(buyer, BlockTradeAccept(proposal["trade_id"]))

    client.submit(regulator, RecordAccess(buyer.address, "reading a block trade's sealed price"))
    (record,) = [t for t in client.query(f"/block_trades/{buyer.address}", reader=regulator) if t["id"] == proposal["trade_id"]]
    assert open_price(record["sealed_price"][regulator.address], view_key_of(regulator), regulator.address, commitment) == price
    assert open_price(record["sealed_price"][buyer.address], view_key_of(buyer), buyer.address, commitment) == price
    path = f"/block_trades/{buyer.address}"
    code, _, _, _ = client.query_raw(path, third.sign_query(client.chain_id, path, int(time.time())))
    assert code == Code.UNAUTHORIZED
    # Everything a third company can fetch over RPC about those blocks: no clear price anywhere.
    rpc = market_net.net.rpc_url("node2")
    for height in range(accepted.height - 3, accepted.height + 1):
        block = httpx.get(f"{rpc}/block", params={"height": height}, timeout=5).text
        results = httpx.get(f"{rpc}/block_results", params={"height": height}, timeout=5).text
        for text in (block, results):
            assert "10235" not in without_hex(text) and "10,235" not in text
            for tx in json.loads(text)["result"].get("block", {}).get("data", {}).get("txs") or []:
                assert "10235" not in without_hex(base64.b64decode(tx).decode("utf-8", "replace"))
    assert "10235" not in json.dumps(client.query("/market/block_volume/KAU25"))
