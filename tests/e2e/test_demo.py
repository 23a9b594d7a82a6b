"""The main job's demo: a network with the demo genesis, seeded once (a market that trades, a compliance year),
edge uploaders fill the chain, the portal serves it, and it stops cleanly."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys

import httpx
import pytest

from tests.ports import free_port

from ets.keys import Keystore
from ets.rpc import ChainClient
from ets_tools.devnet import DEV_PASSPHRASE

from .conftest import REPO, wait_until

pytestmark = [pytest.mark.localnet, pytest.mark.long(seconds=60)]


def _free_port() -> int:
    return free_port()


def test_demo_seeds_uploads_and_serves(tmp_path):
    from .conftest import COMETBFT, free_base_port
    from ets_tools.localnet import LocalNet

    if not COMETBFT.exists():
        pytest.skip("bin/cometbft is missing: run ./scripts/setup.sh")
    home = tmp_path / "net"
    demo = [sys.executable, "-m", "ets_tools.demo"]
    created = subprocess.run([*demo, "create", "--home", str(home), "--validators", "1", "--base-port",
                              str(free_base_port(1))], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr
    assert "24 hours a day" in created.stdout
    kept = subprocess.run([*demo, "create", "--home", str(home)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert kept.returncode == 0 and "kept the existing network" in kept.stdout, kept.stderr  # up.sh runs it every time
    net = LocalNet(home)
    net.start()
    port = _free_port()
    try:
        up = subprocess.run([*demo, "up", "--home", str(home), "--portal-port", str(port)], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
        assert up.returncode == 0, up.stderr
        record = json.loads((home / "demo" / "seeded.json").read_text())
        assert len(record["devices"]) == 3 and len({d["company"] for d in record["devices"]}) == 3
        client = ChainClient(net.rpc_url("node0"))
        assert client.query(f"/plan/{record['plan_hash']}")["status"] == "sealed"
        assert client.query(f"/proposal/{record['proposal_id']}")["status"] == "open"  # awaiting the 2nd official
        _assert_portal_users_are_the_readmes(home)
        _assert_market(client, Keystore(home / "keys"), record)
        _assert_compliance(client, Keystore(home / "keys"), record)
        wait_until(lambda: all(client.query(f"/emissions/daily?device={d['address']}") for d in record["devices"]),
                   120, "every demo device to post a daily total")
        wait_until(lambda: httpx.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status_code == 200
                   if _port_open(port) else False, 60, "the portal to answer")
        again = subprocess.run([*demo, "up", "--home", str(home), "--portal-port", str(port)], cwd=REPO,
                               capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr  # re-running seeds nothing twice, restarts the services
        assert json.loads((home / "demo" / "seeded.json").read_text()) == record
        services = json.loads((home / "demo" / "services.json").read_text())
        assert set(services) == {"device-1", "device-2", "device-3", "market-maker", "portal"}
        wait_until(lambda: "keeps KAU26 quoted" in (home / "demo" / "market-maker.log").read_text(), 60,
                   "the market maker's service to start")
        subprocess.run([*demo, "down", "--home", str(home)], cwd=REPO, timeout=60, check=True)
        _assert_requoted(client, Keystore(home / "keys"), record)
    finally:
        subprocess.run([*demo, "down", "--home", str(home)], cwd=REPO, timeout=60)
        net.stop()
    assert not (home / "demo" / "services.json").exists()
    assert not _port_open(port)


def _assert_portal_users_are_the_readmes(home) -> None:
    """The README's table of demo users names exactly the portal users the demo made, each with its chain role."""
    from portal.users import list_users

    made = {u["name"] for u in list_users(home / "demo" / "portal-users")}
    section = (REPO / "README.md").read_text().split("Portal users, all with the password `portal-demo-password`")[1]
    table = [line for line in section.split("\n\n")[1].splitlines() if line.startswith("| `")]
    listed = {name for line in table for name in re.findall(r"`([a-z0-9-]+)`", line.split("|")[1])}
    assert listed == made == {"gov-1", "gov-2", "gov-3", "verifier-1", "company-d001", "company-1", "market-maker-1"}


def _assert_market(client: ChainClient, keystore: Keystore, record: dict) -> None:
    """A 24-hour session; the maker registered and quoting both sides; trades, a daily bar; companies hold KRW."""
    assert int(client.query("/params")["market_around_the_clock"]) == 1
    maker = keystore.load("market-maker-1", DEV_PASSPHRASE)
    assert [(m["account"], m["class"], m["instrument"]) for m in client.query("/makers")] == [
        (maker.address, "market_maker", "KAU26")]
    (row,) = client.query("/market/instruments")
    assert row["phase"] == "continuous" and row["best_bid"] < row["best_ask"] <= row["best_bid"] + 500
    depth = client.query("/market/depth/KAU26")
    assert len(depth["bids"]) >= 4 and len(depth["asks"]) >= 4  # the maker's levels and companies' resting orders
    trades = client.query("/market/trades/KAU26")
    assert len(trades) == record["market"]["trades"] >= 4
    assert {t["price"] for t in trades} == {row["best_bid"], row["best_ask"]}  # both sides of the quote were taken
    (bar,) = client.query("/market/bars/KAU26")
    assert bar["volume"] == sum(t["quantity"] for t in trades) == record["market"]["traded_tonnes"]
    for name in ("company-d001", "company-d060", "market-maker-1"):
        who = keystore.load(name, DEV_PASSPHRASE)
        cash = client.query(f"/cash/{who.address}", who)
        assert cash["available"] + cash["held"] > 0, (name, cash)


def _assert_requoted(client: ChainClient, keystore: Keystore, record: dict) -> None:
    """With every ask gone (as at midnight KST, when day orders expire) a market round quotes that side again."""
    from protocol.messages import CancelOrder

    from ets_tools.demo import DEMO_SEED, _buyers, _demo_keys
    from ets_tools.demo_activity import market_round, submit_all

    keys = _demo_keys(keystore, DEV_PASSPHRASE, record)
    (before,) = client.query("/market/instruments")
    for name in ("market-maker-1", "company-1", "company-2", "company-3"):
        signer = keys[name]
        asks = [o["id"] for o in client.query(f"/orders/{signer.address}", signer)
                if o["side"] == "sell" and o["status"] in ("open", "partially_filled")]
        submit_all(client, [(signer, CancelOrder(order_id)) for order_id in asks])
    assert client.query("/market/instruments")[0]["best_ask"] is None
    done = market_round(client, keys, _buyers(record), DEMO_SEED)
    assert (done["quoted"], done["traded"]) == (["sell"], False)  # today has traded already: no second opening
    (after,) = client.query("/market/instruments")
    assert (after["best_bid"], after["best_ask"]) == (before["best_bid"], before["best_ask"])


def _assert_compliance(client: ChainClient, keystore: Keystore, record: dict) -> None:
    """The verifier has reports waiting; company-1 is certified and has allowances to surrender."""
    year = record["compliance"]["year"]
    verifier = keystore.load("verifier-1", DEV_PASSPHRASE)
    rows = client.query(f"/compliance/assignments/{verifier.address}/{year}")
    waiting = {r["company"] for r in rows if r["statement"] is None and r["reported"]}
    names = {keystore.load(n, DEV_PASSPHRASE).address: n for n in ("company-1", "company-2", "company-d001")}
    assert {names.get(a) for a in waiting} == {"company-2", "company-d001"}
    company = keystore.load("company-1", DEV_PASSPHRASE)
    position = client.query(f"/compliance/position/{company.address}", company)["years"][str(year)]
    assert position["certified"] == position["shortfall"] == 48_000 and position["status"] == "open"
    assert position["eligible"][f"KAU{year % 100:02d}"] >= position["shortfall"]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0
