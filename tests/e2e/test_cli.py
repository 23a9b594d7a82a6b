"""The `ets` command against a real network: keys, a transfer, queries, and clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from protocol.codes import Code

from ets_tools.devnet import DEV_PASSPHRASE

from .conftest import REPO, Net

pytestmark = pytest.mark.localnet


def ets(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run([sys.executable, "-m", "ets_tools.cli", *args], cwd=REPO, env=full_env,
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise AssertionError(f"ets {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


def test_keys_are_encrypted_and_listed(tmp_path):
    store = tmp_path / "keys"
    env = {"ETS_PASSPHRASE": "a long enough passphrase"}
    created = json.loads(ets("keys", "create", "alice", "--keystore", str(store), env=env).stdout)
    listed = json.loads(ets("keys", "list", "--keystore", str(store)).stdout)
    assert listed == [{"name": "alice", "address": created["address"], "public_key": created["public_key"]}]
    raw = (store / "alice.key.json").read_text()
    assert "ciphertext" in raw and oct((store / "alice.key.json").stat().st_mode & 0o777) == "0o600"
    again = ets("keys", "create", "alice", "--keystore", str(store), env=env, check=False)
    assert again.returncode == 2 and "already exists" in again.stderr
    no_pass = ets("keys", "create", "bob", "--keystore", str(store), env={"ETS_PASSPHRASE": ""}, check=False)
    assert no_pass.returncode == 2 and "passphrase" in no_pass.stderr


def test_query_help_names_the_transfer_record_and_its_pages():
    text = ets("query", "--help").stdout
    assert "transfers" in text and "--before SEQ" in text and "--from SEQ" in text and "at most 200" in text


def test_transfer_and_queries_through_the_cli(shared_net: Net):
    keys = shared_net.keys
    node = shared_net.net.rpc_url("node1")
    env = {"ETS_KEYSTORE": str(shared_net.net.home / "keys"), "ETS_PASSPHRASE": DEV_PASSPHRASE, "ETS_NODE": node}
    c3, c4 = keys["company-3"], keys["company-4"]
    before = json.loads(ets("query", "balances", c4.address, "--key", "company-4", env=env).stdout)
    out = json.loads(ets("tx", "transfer", "--key", "company-3", "--to", c4.address, "--instrument", "KAU26",
                         "--amount", "1,250", env=env).stdout)
    assert out["code"] == Code.OK and out["height"] > 0
    after = json.loads(ets("query", "balances", c4.address, "--key", "company-4", env=env).stdout)
    assert after["KAU26"] == before["KAU26"] + 1250
    unsigned = ets("query", "tx", out["hash"], env=env, check=False)  # a transfer's result is private
    assert unsigned.returncode == 2 and "private" in unsigned.stderr
    record = json.loads(ets("query", "tx", out["hash"], "--key", "company-3", env=env).stdout)
    assert record["code"] == Code.OK and record["type"] == "transfer" and record["signer"] == c3.address
    (incoming,) = json.loads(ets("query", "transfers", c4.address, "--limit", "1", "--key", "company-4", env=env).stdout)["entries"]
    assert (incoming["direction"], incoming["counterparty"], incoming["amount"], incoming["height"]) == (
        "in", c3.address, 1250, out["height"])
    outgoing = json.loads(ets("query", "transfers", c3.address, "--key", "company-3", env=env).stdout)
    assert outgoing["entries"][0] == incoming | {"seq": outgoing["count"], "direction": "out", "counterparty": c4.address}
    older = json.loads(ets("query", "transfers", c3.address, "--before", str(outgoing["count"]), "--key", "company-3",
                           env=env).stdout)
    assert [e["seq"] for e in older["entries"]] == list(range(outgoing["count"] - 1, 0, -1))[:200]
    stranger = ets("query", "transfers", c4.address, "--key", "company-3", env=env, check=False)
    assert stranger.returncode == 2 and "transfer records are confidential" in stranger.stderr

    denied = ets("query", "balances", c4.address, "--key", "company-3", env=env, check=False)
    assert denied.returncode == 2 and "confidential" in denied.stderr
    overdraft = ets("tx", "transfer", "--key", "company-3", "--to", c4.address, "--instrument", "KAU26",
                    "--amount", str(10**11), env=env, check=False)
    assert overdraft.returncode == 3 and f"code {Code.INSUFFICIENT_BALANCE:d}" in overdraft.stderr
    unauthorized = ets("tx", "approve", "1", "--key", "company-3", env=env, check=False)
    assert unauthorized.returncode == 3 and "may not send approve" in unauthorized.stderr
