"""The four-eyes transfer in real Chromium: a representative with the initiate right starts a transfer on the
Account security page, a second representative with the approve right sees it waiting there and approves it,
and the chain executes it; each step is restated and sent only once confirmed. The chain is a validator of its own, with a custody delay of a few seconds."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from protocol.messages.custody import CustodySettings
from ets.custody import representative_message
from ets.keys import Keystore, Signer
from ets.rpc import ChainClient
from ets_tools.devnet import create_localnet_accounts
from ets_tools.localnet import LocalNet
from portal_chain import COMETBFT, free_base_port
from portal_process import start_portal

pytestmark = pytest.mark.localnet

if not Path("/usr/bin/chromium").exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402
from portal_pages import body as main, confirm, go, login_with, settled  # noqa: E402

DELAY, AMOUNT = 3, 777
PASSWORDS = {"holder": "holder-company-pw", "initiator": "initiator-rep-pw", "approver": "approver-rep-pw"}
login = login_with(PASSWORDS)


def _wait_block_time(client: ChainClient, after: int) -> None:
    deadline = time.monotonic() + 120
    while client.chain_time() <= after:
        assert time.monotonic() < deadline, "the custody delay did not pass in block time within 120 s"
        time.sleep(0.3)


@pytest.fixture(scope="module")
def custody_chain(tmp_path_factory):
    """One validator; company-1 requires four eyes and has an initiator and an approver whose rights are in effect."""
    if not COMETBFT.exists():
        pytest.skip("bin/cometbft is missing: run ./scripts/setup.sh")
    home = tmp_path_factory.mktemp("custody-portal-net") / "net"
    keystore = Keystore(home.parent / "keys")
    app_state = create_localnet_accounts(keystore, passphrase="custody-portal-test")
    app_state["params"]["custody_delay_seconds"] = DELAY
    net = LocalNet(home, base_port=free_base_port(1))
    net.create(1, chain_id="ets-portal-custody", app_state=app_state)
    net.start()
    client = ChainClient(net.rpc_url("node0"))
    try:
        keys = {info["name"]: keystore.load(info["name"], "custody-portal-test") for info in keystore.list()}
        keys["initiator"], keys["approver"] = Signer.generate(), Signer.generate()
        for name, rights in (("initiator", ["initiate"]), ("approver", ["approve"])):
            client.submit(keys["company-1"], representative_message(keys[name].public_key.hex(), f"{name} of company 1", rights))
        client.submit(keys["company-1"], CustodySettings(True))
        _wait_block_time(client, client.chain_time() + DELAY)
        yield net, client, keys
    finally:
        client.close()
        net.stop()


@pytest.fixture(scope="module")
def portal_url(custody_chain, tmp_path_factory):
    from portal.users import add_user

    net, _, keys = custody_chain
    work = tmp_path_factory.mktemp("custody-portal")
    users = work / "users"
    for user, key in (("holder", "company-1"), ("initiator", "initiator"), ("approver", "approver")):
        add_user(users, user, PASSWORDS[user], keys[key], scrypt_n=2**12)
    with start_portal(net.rpc_url("node0"), users, work, ETS_PORTAL_TTL="1") as url:
        yield url


def test_a_four_eyes_transfer_is_initiated_by_one_representative_and_approved_by_another(custody_chain, portal_url,
                                                                                       open_page):
    _, client, keys = custody_chain
    holder, to = keys["company-1"], keys["company-2"]
    before = client.query(f"/balances/{to.address}", reader=to)["KAU25"]

    initiator = open_page()
    login(initiator, portal_url, "initiator")
    go(initiator, "Account security")
    body = main(initiator)
    expect(body).to_contain_text("rights: initiate")
    expect(body).to_contain_text("No transfer awaits an approver.")
    initiator.get_by_role("textbox", name="Recipient account (address)").fill(to.address)
    initiator.get_by_role("spinbutton", name="Tonnes").fill(str(AMOUNT))
    initiator.get_by_role("spinbutton", name="Tonnes").press("Tab")  # the widget takes the value on blur
    initiator.get_by_role("button", name="Initiate transfer").click()
    expect(body).to_contain_text(f"Initiate a transfer of {AMOUNT:,} t CO₂-eq KAU25 to company-2 ({to.address[:12]}…) "
                                 f"({to.address})")  # restated first: nothing is held yet
    assert client.query(f"/holdings/{holder.address}", reader=holder)["KAU25"]["held"] == 0
    confirm(initiator, "custody_initiate")
    expect(body).to_contain_text("transfer #1 awaits an approver")
    settled(initiator)
    expect(body).to_contain_text(f"Transfer #1: {AMOUNT:,} t CO₂-eq KAU25 → company-2 ({to.address[:12]}…)")
    expect(initiator.get_by_role("button", name="Approve")).to_be_disabled()  # an initiator never approves
    held = client.query(f"/holdings/{holder.address}", reader=holder)["KAU25"]["held"]
    assert held == AMOUNT and client.query(f"/balances/{to.address}", reader=to)["KAU25"] == before

    approver = open_page()
    login(approver, portal_url, "approver")
    go(approver, "Account security")
    body = main(approver)
    expect(body).to_contain_text(f"Transfer #1: {AMOUNT:,} t CO₂-eq KAU25 → company-2 ({to.address[:12]}…)")
    approver.get_by_role("button", name="Approve").click()
    expect(body).to_contain_text(f"Approve transfer #1: {AMOUNT:,} t CO₂-eq KAU25 to company-2")  # restated first
    assert client.query(f"/balances/{to.address}", reader=to)["KAU25"] == before
    confirm(approver, "custody_waiting")
    expect(body).to_contain_text("Transfer #1 approved and executed at block")
    settled(approver)
    expect(body).to_contain_text("No transfer awaits an approver.")
    assert client.query(f"/balances/{to.address}", reader=to)["KAU25"] == before + AMOUNT
    assert client.query(f"/holdings/{holder.address}", reader=holder)["KAU25"]["held"] == 0
