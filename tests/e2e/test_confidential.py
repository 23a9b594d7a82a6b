"""Confidentiality on a real 4-validator network, seen by a third party that reaches every RPC endpoint of every
node: company-1 transfers to company-2 and trades; nothing in /block, /block_results, /tx_search,
/unconfirmed_txs, their events or the nodes' logs shows the type, amount, recipient or signer of those txs.
The parties and the regulator read them; the public market aggregates stay correct."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from protocol.exposure import PRIVATE
from protocol.messages import FundCash, PlaceOrder, Transfer
from protocol.private_tx import PrivateTxError, is_private, open_tx
from protocol.sealed import view_key_of
from protocol.codec import decode_envelope, tx_hash
from protocol.outcome import decode_outcome, is_outcome
from abci_app.rules import CHAIN

from .conftest import Net, start_net, without_hex

pytestmark = pytest.mark.localnet

AMOUNT = 739_157  # six digits: never in a ciphertext by chance across a few hundred txs
SECRET_PRICE, SECRET_QUANTITY = 10_135, 277


@pytest.fixture(scope="module")
def net(tmp_path_factory) -> Net:
    net = start_net(tmp_path_factory.mktemp("confidential") / "net", "ets-confidential",
                    params={"market_around_the_clock": 1})
    yield net
    net.net.stop()


def _rpc(url: str, method: str, **params) -> dict:
    return httpx.get(f"{url}/{method}", params=params, timeout=10).json()["result"]



def test_a_third_party_with_every_rpc_endpoint_learns_nothing_private(net: Net):
    keys = net.keys
    c1, c2, c3, bank, gov = keys["company-1"], keys["company-2"], keys["company-3"], keys["bank-1"], keys["gov-1"]
    client = net.client("node0")
    start = net.height("node0") + 1
    client.submit(bank, FundCash(c1.address, 50_000_000))
    transfer = client.submit(c1, Transfer(c2.address, "KAU25", AMOUNT))
    sell = client.submit(c2, PlaceOrder("KAU25", "sell", SECRET_PRICE, SECRET_QUANTITY))
    # a pending order, caught in every mempool before it is matched
    pending = client.sign(c1, PlaceOrder("KAU25", "buy", SECRET_PRICE, 93))
    client.call("broadcast_tx_async", tx=base64.b64encode(pending).decode())
    mempools = [_rpc(net.net.rpc_url(n), "unconfirmed_txs", limit=100) for n in net.net.nodes()]
    buy = client.private_result(c1, client.wait_for_tx(tx_hash(pending).hex()))
    end = net.assert_same_app_hash()

    seen: list[str] = []  # everything the third party saw, as text
    raw_txs: list[bytes] = []
    for node in net.net.nodes():
        url = net.net.rpc_url(node)
        for height in range(start, end + 1):
            block = _rpc(url, "block", height=height)
            raw_txs += [base64.b64decode(t) for t in block["block"]["data"]["txs"] or []]
            seen.append(json.dumps(block))
            seen.append(json.dumps(_rpc(url, "block_results", height=height)))
        seen.append(json.dumps(_rpc(url, "tx_search", query=f'"tx.height>={start}"', per_page=100)))
    seen += [json.dumps(m) for m in mempools]
    raw_txs += [base64.b64decode(t) for m in mempools for t in m.get("txs") or []]
    for node in net.net.nodes():
        for proc in ("app", "cometbft"):
            seen.append(net.net.log_file(node, proc).read_text(errors="replace"))

    private = [tx for tx in raw_txs if is_private(tx)]
    assert len({bytes(t) for t in private}) >= 4  # funding, transfer, two orders: all sealed
    outcomes = [decode_outcome(tx) for tx in raw_txs if is_outcome(tx)]
    assert outcomes  # every block ends with its public outcome, which must hold nothing private either
    for tx in raw_txs:
        if is_outcome(tx):  # its public writes, decoded, go into the search too
            seen.append(tx.decode())
            seen += [base64.b64decode(v).decode() for _, v in json.loads(tx[4:])["writes"] if v is not None]
        elif not is_private(tx):
            assert decode_envelope(tx).msg["type"] not in PRIVATE
    assert all(CHAIN.to_observers(key) for o in outcomes for key, _ in o.writes)
    text = "\n".join(seen)
    clear = without_hex(text)
    for who in (c1, c2, bank):  # no signer, no recipient, anywhere
        assert who.address not in text.lower(), who.address
    assert str(AMOUNT) not in clear and f"{AMOUNT:,}" not in clear
    for kind in PRIVATE:
        assert f'"{kind}"' not in clear and f"type={kind}" not in clear, kind
    for tx in private:
        assert b'"signer"' not in tx and b'"amount"' not in tx and bytes.fromhex(c2.address) not in tx

    # the parties read their own results; the regulator opens the block's bytes; nobody else does
    assert client.private_result(c1, transfer).code == 0
    regulator_view = view_key_of(gov)
    opened = [decode_envelope(open_tx(tx, regulator_view)) for tx in {bytes(t) for t in private}]
    assert any(env.msg.get("amount") == AMOUNT and env.msg.get("to") == c2.address for env in opened)
    with pytest.raises(PrivateTxError):
        open_tx(private[0], view_key_of(c3))
    assert client.query(f"/balances/{c2.address}", reader=c2)["KAU25"] == 1_000_000 + AMOUNT - SECRET_QUANTITY

    # the public aggregates: a trade without counterparties, the rest of the sell order in the depth
    assert {"price": SECRET_PRICE, "quantity": 93} in [{k: t[k] for k in ("price", "quantity")}
                                                       for t in client.query("/market/trades/KAU25")]
    assert [SECRET_PRICE, SECRET_QUANTITY - 93] in client.query("/market/depth/KAU25")["asks"]
    assert json.loads(sell.data)["status"] == "open" and buy.code == 0 and json.loads(buy.data)["status"] == "filled"
