"""``ets verify`` against a real network, run as the command a company runs: a value proven against a
header the validators signed, trusting only the genesis file; a node that alters the value, the
proof, the header or the app hash it serves is caught, each with a message saying what failed."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest

from ets_tools.devnet import DEV_PASSPHRASE
from protocol.messages import Transfer
from rpc_proxy import NodeProxy, alter_proof, header_rewrite, state_rewrite

from .conftest import REPO, Net

pytestmark = pytest.mark.localnet


def ets(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ets_tools.cli", *args], cwd=REPO, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


@pytest.fixture
def env(shared_net: Net, tmp_path) -> dict[str, str]:
    return {"ETS_KEYSTORE": str(shared_net.net.home / "keys"), "ETS_PASSPHRASE": DEV_PASSPHRASE,
            "ETS_NODE": shared_net.net.rpc_url("node2"), "ETS_GENESIS": str(shared_net.net.home / "genesis.json"),
            "HOME": str(tmp_path)}  # the light store goes to a fresh ~/.ets/light


def _verified(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["verified"] is True and len(bytes.fromhex(out["app_hash"])) == 32
    return out


def test_a_balance_is_verified_now_and_at_a_past_height(shared_net: Net, env, tmp_path):
    keys = shared_net.keys
    c1, c2 = keys["company-1"], keys["company-2"]
    first = _verified(ets("verify", "balance", c1.address, "--instrument", "KAU25", "--key", "company-1", env=env))
    queried = json.loads(ets("query", "balances", c1.address, "--key", "company-1", env=env).stdout)
    assert first["value"] == queried["KAU25"] and first["header_height"] == first["height"] + 1
    assert first["signed_by"] == "4 of 4 validators" or first["signed_by"].endswith("of 4 validators")
    assert (tmp_path / ".ets" / "light").is_dir()  # verified headers are kept for the next run

    with shared_net.client("node1") as client:
        client.submit(c1, Transfer(c2.address, "KAU25", 7))
    shared_net.caught_up()  # sent through node1, verified through node2
    now = _verified(ets("verify", "balance", c1.address, "--instrument", "KAU25", "--key", "company-1", env=env))
    assert now["value"] == first["value"] - 7 and now["height"] > first["height"]
    # an official verifies it too, after recording why (who looked), with the CLI as a user runs it
    unrecorded = ets("verify", "balance", c1.address, "--instrument", "KAU25", "--key", "gov-1", env=env)
    assert unrecorded.returncode == 2 and "ets access record" in unrecorded.stderr
    recorded = ets("access", "record", "--subject", c1.address, "--reason", "checking a past balance", "--key", "gov-1", env=env)
    assert recorded.returncode == 0, recorded.stderr
    looked = json.loads(ets("access", "list", c1.address, "--key", "company-1", env=env).stdout)
    assert [(r["reader"], r["reason"]) for r in looked][-1:] == [(keys["gov-1"].address, "checking a past balance")]
    past = _verified(ets("verify", "balance", c1.address, "--instrument", "KAU25", "--key", "gov-1",
                         "--height", str(first["height"]), env=env))
    assert past["value"] == first["value"] and past["height"] == first["height"]

    denied = ets("verify", "balance", c1.address, "--instrument", "KAU25", "--key", "company-2", env=env)
    assert denied.returncode == 2 and "confidential" in denied.stderr
    untrusting = ets("verify", "key", "supply/KAU25", env={**env, "ETS_GENESIS": ""})
    assert untrusting.returncode == 2 and "--genesis FILE" in untrusting.stderr


def test_public_keys_are_verified_and_absence_is_proven(shared_net: Net, env):
    out = _verified(ets("verify", "key", "supply/KAU25", env=env))
    assert out["present"] and int(out["value"]) > 0
    absent = _verified(ets("verify", "key", "supply/NOPE99", env=env))
    assert absent["present"] is False and absent["value"] is None
    c1 = shared_net.keys["company-1"]
    none = _verified(ets("verify", "balance", c1.address, "--instrument", "KAU99", "--key", "company-1", env=env))
    assert none["value"] == 0 and none["present"] is False






def _alter_value(response):
    answer = json.loads(base64.b64decode(response["value"]))
    answer["value"] = base64.b64encode(str(int(base64.b64decode(answer["value"])) + 1).encode()).decode()
    response["value"] = base64.b64encode(json.dumps(answer).encode()).decode()




def _alter_blind(response):
    answer = json.loads(base64.b64decode(response["value"]))
    answer["blind"] = "00" * 32
    response["value"] = base64.b64encode(json.dumps(answer).encode()).decode()


def _alter_height(response):
    response["height"] = str(int(response["height"]) - 1)


def _alter_app_hash(signed_header):
    signed_header["header"]["app_hash"] = "CD" * 32


def _drop_signatures(signed_header):
    for sig in signed_header["commit"]["signatures"][1:]:
        sig.update(block_id_flag=1, validator_address="", timestamp="0001-01-01T00:00:00Z", signature=None)


@pytest.mark.parametrize("rewrite, words", [
    (state_rewrite(_alter_value), "not the value the proof commits to"),
    (state_rewrite(alter_proof), "state proof of 'supply/KAU25'"),
    (state_rewrite(_alter_blind), "not the value the proof commits to"),
    (state_rewrite(_alter_height), "height"),
    (header_rewrite(_alter_app_hash), "hash"),
    (header_rewrite(_drop_signatures), "needs more than 2/3"),
], ids=["value", "proof", "blind", "height", "app-hash", "signatures"])
def test_a_node_that_alters_what_it_serves_is_caught(shared_net: Net, env, rewrite, words):
    proxy = NodeProxy(shared_net.net.rpc_url("node2"), rewrite)
    try:
        result = ets("verify", "key", "supply/KAU25", "--node", proxy.url, "--no-light-store", env=env)
    finally:
        proxy.close()
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "NOT VERIFIED" in result.stderr and words in result.stderr, result.stderr
    assert result.stdout == ""


def test_an_altered_sealed_balance_is_refused(shared_net: Net, env):
    def garble(response):
        sealed = bytearray(base64.b64decode(response["value"]))
        sealed[-1] ^= 1
        response["value"] = base64.b64encode(bytes(sealed)).decode()

    proxy = NodeProxy(shared_net.net.rpc_url("node2"), state_rewrite(garble))
    c1 = shared_net.keys["company-1"]
    try:
        result = ets("verify", "balance", c1.address, "--instrument", "KAU25", "--key", "company-1",
                     "--node", proxy.url, "--no-light-store", env=env)
    finally:
        proxy.close()
    assert result.returncode != 0 and "could not be opened" in result.stderr and result.stdout == ""
