"""Transfers and governed issuance commit on a real 4-validator network, with one app hash."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from protocol.codes import Code
from protocol.messages import Approve, IssueAllowances, Propose, RecordAccess, Transfer

from ets.rpc import TxRejectedError

from .conftest import REPO, Net

pytestmark = pytest.mark.localnet


def test_transfers_and_issuance_commit_with_one_app_hash(shared_net: Net):
    keys = shared_net.keys
    c1, c2, gov1, gov2 = keys["company-1"], keys["company-2"], keys["gov-1"], keys["gov-2"]
    client = shared_net.client("node0")
    before_c1 = client.query(f"/balances/{c1.address}", reader=c1)
    before_c2 = client.query(f"/balances/{c2.address}", reader=c2)
    supply_before = client.query("/supply")

    for amount in (10, 20, 30):
        commit = client.submit(c1, Transfer(c2.address, "KAU25", amount))
        assert commit.code == Code.OK

    # Governed issuance: proposed on node1, approved on node2 (2-of-3), visible on every node.
    proposal = json.loads(shared_net.client("node1").submit(
        gov1, Propose(IssueAllowances(c2.address, "KAU26", 5_000))
    ).data)
    assert proposal["status"] == "open"
    shared_net.sync(shared_net.height("node1"))  # node2 must know the proposal before it checks the approval
    approved = json.loads(shared_net.client("node2").submit(gov2, Approve(proposal["proposal_id"])).data)
    assert approved == {"proposal_id": proposal["proposal_id"], "status": "executed"}

    shared_net.client("node0").submit(gov1, RecordAccess(c2.address, "checking the recipient's balance on every node"))
    shared_net.assert_same_app_hash()
    for node in shared_net.net.nodes():
        reader = shared_net.client(node)
        after_c1 = reader.query(f"/balances/{c1.address}", reader=c1)
        after_c2 = reader.query(f"/balances/{c2.address}", reader=gov1)
        assert after_c1["KAU25"] == before_c1["KAU25"] - 60
        assert after_c2["KAU25"] == before_c2["KAU25"] + 60
        assert after_c2["KAU26"] == before_c2["KAU26"] + 5_000
        assert reader.query("/supply")["KAU26"] == supply_before["KAU26"] + 5_000
        record = reader.query(f"/proposal/{proposal['proposal_id']}")
        assert [v["official"] for v in record["approvals"]] == [gov1.address, gov2.address]


def test_issuance_needs_two_officials(shared_net: Net):
    keys = shared_net.keys
    gov3, c3 = keys["gov-3"], keys["company-3"]
    client = shared_net.client("node3")
    supply = client.query("/supply")
    proposal = json.loads(client.submit(
        gov3, Propose(IssueAllowances(c3.address, "KAU25", 1))
    ).data)
    with pytest.raises(TxRejectedError) as again:
        client.submit(gov3, Approve(proposal["proposal_id"]))
    assert again.value.code == Code.ALREADY_VOTED  # one official cannot reach 2-of-3 alone
    assert client.query("/supply") == supply
    assert client.query(f"/proposal/{proposal['proposal_id']}")["status"] == "open"


def test_localnet_status_cli_reports_every_node(shared_net: Net):
    out = subprocess.run(
        [sys.executable, "-m", "ets_tools.cli", "localnet", "status", "--home", str(shared_net.net.home), "--json"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=True,
    )
    nodes = json.loads(out.stdout)
    assert [n["name"] for n in nodes] == ["node0", "node1", "node2", "node3"]
    assert all(n["running"] for n in nodes)
    rpcs = [n["rpc"] for n in nodes]
    assert len(set(rpcs)) == 4 and all(r.startswith("http://127.0.0.1:") for r in rpcs)


def test_every_app_serves_its_metrics_on_loopback(shared_net: Net):
    import httpx

    for node in shared_net.net.status():
        text = httpx.get(f"http://127.0.0.1:{node['ports']['app_metrics']}/metrics", timeout=5).text
        height = next(float(line.split()[1]) for line in text.splitlines() if line.startswith("ets_app_height "))
        assert height >= 1, node["name"]
