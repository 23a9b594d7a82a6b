"""An observer node (no blinding or execution key) follows a real 4-validator chain through private
transfers, orders and governance: it commits the validators' app hashes and tx results byte for
byte, serves public state, refuses private reads and txs, and keeps nothing private on its disk."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import sys

import pytest

from abci_app.blinding import BLINDING_KEY_FILE
from abci_app.privacy import EXECUTION_KEYS_FILE
from abci_app.rules import CHAIN
from ets.rpc import QueryError
from protocol.codes import Code
from protocol.messages import Approve, FundCash, PlaceOrder, Propose, RegisterAccount, Transfer
from ets.keys import Signer

from .conftest import Net, start_net, wait_until

pytestmark = pytest.mark.localnet

AMOUNT = 684_213  # six digits: never in a ciphertext or a hash by chance
PRICE, QUANTITY = 10_245, 311


@pytest.fixture(scope="module")
def net(tmp_path_factory) -> Net:
    net = start_net(tmp_path_factory.mktemp("observer") / "net", "ets-observer", params={"market_around_the_clock": 1})
    yield net
    net.net.stop()


def _results(net: Net, node: str, height: int) -> dict:
    result = net.rpc(node, "block_results", height=height)
    return {k: result.get(k) for k in ("txs_results", "finalize_block_events", "validator_updates", "app_hash")}


def test_an_observer_follows_the_chain_serves_public_state_and_learns_nothing_private(net: Net):
    keys = net.keys
    c1, c2, bank, gov1, gov2 = keys["company-1"], keys["company-2"], keys["bank-1"], keys["gov-1"], keys["gov-2"]
    refused_cli = subprocess.run([sys.executable, "-m", "ets_tools.cli", "localnet", "add-node", "--home", str(net.net.home),
                                  "--observer", "--state-sync"], capture_output=True, text=True, timeout=60)
    assert refused_cli.returncode != 0 and "--state-sync" in refused_cli.stderr + refused_cli.stdout
    added = net.net.add_node(observer=True, timeout=120)
    observer = added["name"]
    app_home = net.net.home / observer / "app"
    assert not (app_home / BLINDING_KEY_FILE).exists() and not (app_home / EXECUTION_KEYS_FILE).exists()

    client = net.client("node0")
    start = net.height("node0") + 1
    client.submit(bank, FundCash(c1.address, 40_000_000))
    client.submit(c1, Transfer(c2.address, "KAU25", AMOUNT))
    client.submit(c2, PlaceOrder("KAU25", "sell", PRICE, QUANTITY))
    client.submit(c1, PlaceOrder("KAU25", "buy", PRICE, 100))
    newcomer = Signer.generate()
    proposed = client.submit(gov1, Propose(RegisterAccount(newcomer.address, newcomer.public_key.hex(), "company",
                                                           "관찰 테스트 주식회사", company_id="C-OBS-1", sector="steel")))
    client.submit(gov2, Approve(json.loads(proposed.data)["proposal_id"]))
    end = net.assert_same_app_hash()  # all five nodes, the observer included, commit the validators' app hash

    # byte for byte the validators' results: every tx result, the block events, the validator updates
    for height in range(start, end + 1):
        assert _results(net, observer, height) == _results(net, "node0", height), f"results differ at height {height}"

    # public state: served from the outcomes' writes, equal to a validator's answers
    seen = net.client(observer)
    for path in ("/supply", "/params", "/proposals", f"/account/{newcomer.address}", "/accounts?role=company", "/privacy",
                 "/validators", "/market/bars/KAU25", "/plans"):
        assert seen.query(path) == client.query(path), path
    # private state and txs: refused with a code that says where to go
    for path, reader in ((f"/balances/{c2.address}", c2), ("/market/depth/KAU25", None), (f"/nonce/{c1.address}", c1)):
        with pytest.raises(QueryError) as refused:
            seen.query(path, reader=reader)
        assert refused.value.code == Code.OBSERVER_ONLY_PUBLIC, (path, refused.value)
    with pytest.raises(QueryError) as refused:
        seen.query_state("supply/KAU25")
    assert refused.value.code == Code.OBSERVER_ONLY_PUBLIC
    tx = client.sign(c1, Transfer(c2.address, "KAU25", 1))
    checked = seen.call("broadcast_tx_sync", tx=base64.b64encode(tx).decode())
    assert int(checked["code"]) == Code.OBSERVER_ONLY_PUBLIC
    assert int(client.call("broadcast_tx_sync", tx=base64.b64encode(tx).decode())["code"]) == 0  # a validator takes it

    # nothing private on its disk: only public keys in its state, no amount, no balance, no private result
    db = sqlite3.connect(app_home / "public.sqlite")
    stored = [k for (k,) in db.execute("SELECT k FROM kv")]
    db.close()
    assert stored and all(CHAIN.to_observers(k) for k in stored)
    assert not any(k.startswith(("bal/", "cash/", "order/", "nonce/", "fill/")) for k in stored)
    everything = b"".join(p.read_bytes() for p in (net.net.home / observer).rglob("*") if p.is_file()
                          and "data" not in p.relative_to(net.net.home / observer).parts[:1])
    for secret in (str(AMOUNT).encode(), f"{AMOUNT:,}".encode(), b'"transfer"', b'"place_order"'):
        assert secret not in everything, secret

    # killed and restarted, it catches up from its own stores like any node
    net.net.kill(observer)
    client.submit(c1, Transfer(c2.address, "KAU25", 5))
    net.net.start_node(observer)
    wait_until(lambda: net.height(observer) >= net.height("node0"), 90, "the restarted observer to catch up")
    net.assert_same_app_hash()
