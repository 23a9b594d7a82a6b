"""Account security on 4 real validators, driven through ``ets custody`` as a process where a person would use it.

    company-1  admits an initiator and an approver; a transfer to untrusted company-2 above the central cap is
               refused; company-2 is added by the initiator, confirmed by the approver, and once the delay has
               passed in block time the same transfer goes through
    company-3  requires four eyes: its own transfer is refused; its initiator starts one (the tonnes are held), the
               approver sees it pending and confirms it, and it executes in that block

The chain's custody delay is 30 s of block time here (4 days by default) and the central cap 100,000 t.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from protocol.codes import Code
from protocol.messages.custody import CustodySettings
from ets.custody import representative_message
from ets.keys import Keystore
from ets.rpc import TxRejectedError
from ets_tools.devnet import DEV_PASSPHRASE

from .conftest import REPO, Net, start_net, wait_until, without_hex

pytestmark = [pytest.mark.localnet, pytest.mark.long(seconds=90)]

DELAY, CAP = 30, 100_000
PARAMS = {"custody_delay_seconds": DELAY, "custody_untrusted_cap": CAP, "custody_transfer_ttl_seconds": 600}
REPS = {"c1-initiator": ("company-1", ["initiate"]), "c1-approver": ("company-1", ["approve"]),
        "c3-initiator": ("company-3", ["initiate"]), "c3-approver": ("company-3", ["approve"])}


def ets(net: Net, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    """The CLI through node1, once node1 has every block committed anywhere (the test's own txs go to other nodes)."""
    net.caught_up()
    env = {**os.environ, "ETS_KEYSTORE": str(_keystore_dir(net)), "ETS_PASSPHRASE": DEV_PASSPHRASE,
           "ETS_NODE": net.net.rpc_url("node1")}
    result = subprocess.run([sys.executable, "-m", "ets_tools.cli", *args], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=180, stdin=subprocess.DEVNULL)
    if ok:
        assert result.returncode == 0, f"ets {' '.join(args)} failed ({result.returncode}): {result.stderr}"
    return result


def _keystore_dir(net: Net):
    return net.net.home.parent / f"{net.net.home.name}-keys"


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    """The network, with every representative admitted (two through the CLI) and their rights in effect."""
    net = start_net(tmp_path_factory.mktemp("custody") / "net", "ets-custody", params=PARAMS)
    keystore = Keystore(_keystore_dir(net))
    for name in REPS:
        net.keys[name] = keystore.create(name, DEV_PASSPHRASE, scrypt_n=2**14)
    client = net.client("node0")
    try:
        for name, (holder, rights) in REPS.items():
            rep = net.keys[name]
            if holder == "company-1":
                ets(net, "custody", "add-representative", "--public-key", rep.public_key.hex(), "--name", name,
                    "--rights", ",".join(rights), "--key", holder)
            else:
                client.submit(net.keys[holder], representative_message(rep.public_key.hex(), name, rights))
        client.submit(net.keys["company-3"], CustodySettings(True))
        start = client.chain_time()
        wait_until(lambda: client.chain_time() > start + DELAY, 180, "the custody delay to pass in block time")
    finally:
        client.close()
    yield net
    net.net.stop()


def _kau25(net: Net, company: str, node: str = "node0") -> dict:
    net.caught_up()  # the holding after the last step, whichever node it went through
    with net.client(node) as client:
        return client.query(f"/holdings/{net.keys[company].address}", reader=net.keys[company])["KAU25"]


def test_above_the_cap_to_an_untrusted_account_is_refused_and_goes_through_once_trusted(net):
    partner = net.keys["company-2"].address
    refused = ets(net, "tx", "transfer", "--to", partner, "--instrument", "KAU25", "--amount", str(CAP + 50_000),
                  "--key", "company-1", ok=False)
    assert refused.returncode == 3 and str(int(Code.CUSTODY_LIMIT_EXCEEDED)) in refused.stderr
    assert "not on the account's trusted list" in refused.stderr
    added = json.loads(ets(net, "custody", "trusted", "add", partner, "--key", "c1-initiator").stdout)
    assert added["result"]["status"] == "proposed"
    same = ets(net, "custody", "trusted", "confirm", partner, "--key", "c1-initiator", ok=False)
    assert same.returncode == 3 and str(int(Code.CUSTODY_NO_RIGHT)) in same.stderr
    confirmed = json.loads(ets(net, "custody", "trusted", "confirm", partner, "--key", "c1-approver").stdout)["result"]
    assert confirmed["status"] == "waiting"
    with net.client("node2") as client:
        before = _kau25(net, "company-2")["available"]
        if client.chain_time() < confirmed["from"] - 2:  # still within the delay: still capped
            with pytest.raises(TxRejectedError) as info:
                client.submit(net.keys["company-1"], {"type": "transfer", "to": partner, "instrument": "KAU25",
                                                      "amount": CAP + 50_000})
            assert info.value.code == Code.CUSTODY_LIMIT_EXCEEDED
        wait_until(lambda: client.chain_time() > confirmed["from"], 120, "the trusted account to take effect")
        client.submit(net.keys["company-1"], {"type": "transfer", "to": partner, "instrument": "KAU25",
                                              "amount": CAP + 50_000})
    assert _kau25(net, "company-2", "node3")["available"] == before + CAP + 50_000
    shown = json.loads(ets(net, "custody", "show", "--key", "c1-approver").stdout)
    assert shown["acting_for"] == net.keys["company-1"].address and shown["rights"] == ["approve"]
    assert [(t["account"], t["status"]) for t in shown["record"]["trusted"]] == [(partner, "trusted")]
    net.assert_same_app_hash()


def test_a_four_eyes_transfer_initiated_by_one_representative_executes_at_the_approvers_confirmation(net):
    holder, to = net.keys["company-3"], net.keys["company-4"].address
    with net.client("node1") as client:
        with pytest.raises(TxRejectedError) as info:
            client.submit(holder, {"type": "transfer", "to": to, "instrument": "KAU25", "amount": 10})
        assert info.value.code == Code.FOUR_EYES_REQUIRED
    before = _kau25(net, "company-3")
    initiated = json.loads(ets(net, "custody", "initiate", "--to", to, "--instrument", "KAU25", "--amount", "12345",
                               "--key", "c3-initiator").stdout)
    started = initiated["result"]
    assert started["status"] == "waiting"
    assert _kau25(net, "company-3") == {"available": before["available"] - 12_345, "held": before["held"] + 12_345}
    pending = json.loads(ets(net, "custody", "pending", "--key", "c3-approver").stdout)
    assert [(t["id"], t["to"], t["amount"]) for t in pending] == [(started["transfer_id"], to, 12_345)]
    own = ets(net, "custody", "approve", str(started["transfer_id"]), "--key", "c3-initiator", ok=False)
    assert own.returncode == 3 and str(int(Code.CUSTODY_NO_RIGHT)) in own.stderr
    received = _kau25(net, "company-4")["available"]
    done = json.loads(ets(net, "custody", "approve", str(started["transfer_id"]), "--key", "c3-approver").stdout)
    assert done["result"]["status"] == "executed" and done["code"] == 0
    assert _kau25(net, "company-4", "node2")["available"] == received + 12_345
    assert _kau25(net, "company-3") == {"available": before["available"] - 12_345, "held": before["held"]}
    assert json.loads(ets(net, "custody", "pending", "--key", "company-3").stdout) == []
    # what anyone reaching RPC sees of it: sealed txs, empty public results, no representative, no amount
    public = [json.dumps(net.rpc("node0", what, height=h)) for h in range(initiated["height"], done["height"] + 1)
              for what in ("block", "block_results")]
    for secret in (net.keys["c3-initiator"].address, net.keys["c3-approver"].address, holder.address, to):
        assert all(secret not in text for text in public), secret
    assert all("12345" not in without_hex(text) and "12,345" not in text for text in public)
    net.assert_same_app_hash()
