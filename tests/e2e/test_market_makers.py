"""Market makers on a real 4-validator network: a registered maker's day is scored from its two-sided quote in
block time and read with ``ets makers report`` (a process); holding limits refuse an order and a transfer."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from protocol.codes import Code
from protocol.messages import Approve, PlaceOrder, Propose, SetParticipantClass, Transfer, FundCash

from ets.rpc import TxRejectedError
from ets_tools.devnet import DEV_PASSPHRASE

from .conftest import REPO, Net, start_net, wait_until

pytestmark = pytest.mark.localnet

OPENING = 2_000_000  # every localnet company opens with 1,000,000 t of KAU25 and of KAU26


@pytest.fixture(scope="module")
def makers_net(tmp_path_factory) -> tuple[Net, str]:
    home = tmp_path_factory.mktemp("makers") / "net"
    net = start_net(home, "ets-makers", params={
        "market_around_the_clock": 1, "mm_min_quote_tonnes": 100, "mm_min_quote_seconds": 5,
        "holding_limit_market_maker": 3_000_000, "holding_limit_third_party": OPENING + 100})
    yield net, str(home.parent / f"{home.name}-keys")
    net.net.stop()


def _governed(net: Net, action) -> None:
    client = net.client("node0")
    proposed = json.loads(client.submit(net.keys["gov-1"], Propose(action)).data)
    done = json.loads(client.submit(net.keys["gov-2"], Approve(proposed["proposal_id"])).data)
    assert done["status"] == "executed", done


def _ets(keystore: str, net: Net, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ETS_PASSPHRASE": DEV_PASSPHRASE, "ETS_KEYSTORE": keystore, "ETS_NODE": net.net.rpc_url("node2")}
    return subprocess.run([sys.executable, "-m", "ets_tools.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_a_market_makers_day_is_scored_from_its_quote(makers_net):
    net, keystore = makers_net
    maker, taker, bank, regulator = net.keys["company-2"], net.keys["company-1"], net.keys["bank-1"], net.keys["gov-1"]
    client = net.client("node0")
    _governed(net, SetParticipantClass(maker.address, "market_maker", "KAU25"))
    listed = _ets(keystore, net, "makers", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {r["account"]: r["class"] for r in json.loads(listed.stdout)} == {maker.address: "market_maker"}
    client.submit(bank, FundCash(maker.address, 10_000_000))
    net.sync(net.height("node0"))
    quoting = net.client("node1")
    quoting.submit(maker, PlaceOrder("KAU25", "buy", 9_900, 100))
    quoting.submit(maker, PlaceOrder("KAU25", "sell", 10_300, 100))  # spread 400 ≤ 500, 100 t a side

    def met() -> bool:
        (month,) = client.query(f"/makers/report/{maker.address}", maker)["months"]
        return month["days_met"] >= 1

    wait_until(met, 180, "the maker's day to be met (5 s of block time quoted)", interval=1.0)
    shown = _ets(keystore, net, "makers", "report", maker.address, "--key", "company-2")
    assert shown.returncode == 0, shown.stderr
    assert "days met 충족일 1 /" in shown.stdout and "KAU25" in shown.stdout and "met 충족" in shown.stdout
    as_regulator = json.loads(_ets(keystore, net, "makers", "report", maker.address, "--key", "gov-1", "--json").stdout)
    (month,) = as_regulator["months"]
    (today,) = [d for d in month["days"] if d["seconds"]]
    assert today["met"] and today["seconds"] >= 5 and month["days_required"] >= 28
    stranger = _ets(keystore, net, "makers", "report", maker.address, "--key", "company-3")
    assert stranger.returncode == 2 and "confidential" in stranger.stderr
    # a fill that takes the bid below 100 t ends the quote: the seconds stop growing
    client.submit(taker, PlaceOrder("KAU25", "sell", 9_900, 50))
    net.sync(net.height("node0") + 1)
    frozen = client.query(f"/makers/report/{maker.address}", regulator)["months"][0]
    net.sync(net.height("node0") + 3)
    assert client.query(f"/makers/report/{maker.address}", regulator)["months"][0] == frozen
    net.assert_same_app_hash()


def test_holding_limits_refuse_an_order_and_a_transfer(makers_net):
    net, _ = makers_net
    firm, other, bank = net.keys["company-3"], net.keys["company-4"], net.keys["bank-1"]
    client = net.client("node0")
    _governed(net, SetParticipantClass(firm.address, "third_party"))  # limit: its opening holding + 100 t
    client.submit(bank, FundCash(firm.address, 10_000_000))
    with pytest.raises(TxRejectedError) as order:
        client.submit(firm, PlaceOrder("KAU26", "buy", 9_500, 101))
    assert order.value.code == Code.HOLDING_LIMIT_EXCEEDED and f"{OPENING + 101:,}" in str(order.value)
    client.submit(firm, PlaceOrder("KAU26", "buy", 9_500, 60))  # 60 t resting count towards the limit
    net.caught_up()  # node3 checks the transfers against the order placed through node0
    with pytest.raises(TxRejectedError) as transfer:
        net.client("node3").submit(other, Transfer(firm.address, "KAU25", 41))
    assert transfer.value.code == Code.HOLDING_LIMIT_EXCEEDED
    net.client("node3").submit(other, Transfer(firm.address, "KAU25", 40))  # exactly at the limit
    net.caught_up()
    assert client.query(f"/balances/{firm.address}", firm)["KAU25"] == 1_000_040
    net.assert_same_app_hash()


def _makers_page():
    from portal.views import market_makers

    market_makers.render()


def test_the_portal_page_shows_the_makers_and_the_makers_own_report(makers_net, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from portal.auth import PortalUser

    net, _ = makers_net
    maker = net.keys["company-2"]
    if maker.address not in {r["account"] for r in net.client().query("/makers")}:  # run alone: register it here
        _governed(net, SetParticipantClass(maker.address, "market_maker", "KAU25"))
    monkeypatch.setenv("ETS_PORTAL_NODE", net.net.rpc_url("node1"))
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "en")  # the page's English text (Korean is the default)
    for name in ("ETS_PORTAL_GENESIS", "ETS_PORTAL_LIGHT_STORE"):
        monkeypatch.delenv(name, raising=False)
    st.cache_resource.clear()
    st.cache_data.clear()
    public = AppTest.from_function(_makers_page, default_timeout=30)
    public.run()
    assert not public.exception, [e.value for e in public.exception]
    shown = public.dataframe[0].value
    assert maker.address in set(shown["account"]) and "market maker" in set(shown["class"])
    assert not public.metric  # no report without a login
    own = AppTest.from_function(_makers_page, default_timeout=30)
    own.session_state["portal_user"] = PortalUser("company-2", maker.address, "company", "company-2", signer=maker)
    own.run()
    assert not own.exception, [e.value for e in own.exception]
    (metric,) = own.metric
    assert metric.label == "Days met" and int(metric.value.split(" / ")[1]) >= 28
    assert any("spread ≤ 500 KRW" in m.value for m in own.markdown)
