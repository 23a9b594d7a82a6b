"""Channels (채널) on a real 4-validator network, driven through the `ets` command as a process.

A company and its verification body share a channel: both read the statement and the raw data
from their own nodes (one of them proving every commitment against signed headers); a third
company with a view key of its own, reading every RPC endpoint of every node and the logs, finds
ciphertext and commitments only. The verifier is then removed, a member rekeys: the removed
verifier cannot read the new post and still reads the old ones.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest

from protocol.channel_box import ChannelBoxError, from_chunks, unwrap_key
from protocol.codec import CodecError, decode_envelope
from protocol.messages import Approve, ChannelOpen, Propose, SetViewKey
from protocol.private_tx import is_private
from protocol.sealed import view_key_of, view_public_hex
from rpc_proxy import NodeProxy

from ets.channels import post_message, read_ledger, rekey_message
from ets.light import LightClient, TrustOptions
from ets.rpc import ChainClient
from ets.verify import verify_state
from ets_tools.devnet import DEV_PASSPHRASE

from .conftest import Net
from .test_cli import ets

pytestmark = pytest.mark.localnet

NAME = "hanbit-mrv-2025"
STATEMENT = "검증 의견서 (verification statement): 2025 배출량 7,391,573 tCO2-eq, reasonable assurance"
READINGS = "site,day,kg\nstack-1,2025-06-15,8264419\nstack-1,2025-06-16,8264420\n"
AFTER = "인증 검토 메모 (certification note): 5,902,661 tCO2-eq after the verifier left"
SECRETS = ("7,391,573", "7391573", "8264419", "5,902,661", "5902661", "reasonable assurance", "certification note")


def _rpc(url: str, method: str, **params) -> dict:
    return httpx.get(f"{url}/{method}", params=params, timeout=10).json()["result"]


def _message(tx: bytes) -> dict | None:
    """The message of a public ETS tx; None for anything else a block holds (private txs, the proposer's own)."""
    if is_private(tx):
        return None
    try:
        return decode_envelope(tx).msg
    except CodecError:
        return None


def _json(result) -> dict:
    return json.loads(result.stdout)


def test_a_channel_is_read_by_its_members_only(shared_net: Net, tmp_path: Path):
    keys, net = shared_net.keys, shared_net.net
    company, verifier, third, gov1 = keys["company-1"], keys["verifier-1"], keys["company-2"], keys["gov-1"]
    env = {"ETS_KEYSTORE": str(net.home / "keys"), "ETS_PASSPHRASE": DEV_PASSPHRASE, "ETS_NODE": net.rpc_url("node1")}

    def on(node: str) -> dict:
        """The CLI through ``node``, once every node has the blocks of the steps before (each step may use another)."""
        shared_net.caught_up()
        return {**env, "ETS_NODE": net.rpc_url(node)}

    start = shared_net.height("node0") + 1

    for name in ("company-1", "verifier-1", "company-2", "gov-1"):
        assert _json(ets("channel", "view-key", "--key", name, env=on("node1")))["code"] == 0
    opened = _json(ets("channel", "open", NAME, "--purpose", "2025 MRV of company-1: raw data and the statement",
                       "--member", company.address, "--member", verifier.address, "--key", "gov-1", env=on("node1")))
    assert opened["result"]["status"] == "open" and "ets tx approve" in opened["next"]
    ets("tx", "approve", str(opened["result"]["proposal_id"]), "--key", "gov-2", env=on("node1"))
    shown = _json(ets("channel", "show", NAME, env=on("node1")))
    assert shown["members"] == sorted([company.address, verifier.address]) and shown["needs_rekey"]

    statement = tmp_path / "statement.txt"
    statement.write_text(STATEMENT, encoding="utf-8")
    early = ets("channel", "post", NAME, "--file", str(statement), "--key", "verifier-1", env=on("node1"), check=False)
    assert early.returncode == 2 and "rekey" in early.stderr
    outsider = ets("channel", "rekey", NAME, "--key", "company-2", env=on("node1"), check=False)
    assert outsider.returncode == 2 and "not a member" in outsider.stderr
    rekeyed = _json(ets("channel", "rekey", NAME, "--key", "company-1", env=on("node1")))
    assert rekeyed["result"]["epoch"] == 1 and rekeyed["wrapped_to"] == shown["members"]
    posted = _json(ets("channel", "post", NAME, "--file", str(statement), "--kind", "statement", "--key", "verifier-1",
                       env=on("node2")))
    assert posted["result"]["seq"] == 1
    assert _json(ets("channel", "post", NAME, "--text", READINGS, "--kind", "readings", "--key", "company-1",
                     env=on("node1")))["result"]["seq"] == 2
    too_big = tmp_path / "big.csv"
    too_big.write_bytes(b"x" * (64 * 1024 + 1))
    refused = ets("channel", "post", NAME, "--file", str(too_big), "--key", "company-1", env=on("node1"), check=False)
    assert refused.returncode == 2 and "65,536" in refused.stderr

    # both members read both posts, each from its own node; the verifier proves every commitment
    by_company = _json(ets("channel", "read", NAME, "--key", "company-1", env=on("node1")))
    by_verifier = _json(ets("channel", "read", NAME, "--key", "verifier-1", "--genesis", str(net.home / "genesis.json"),
                            "--no-light-store", env=on("node3")))
    for read in (by_company, by_verifier):
        assert [(p["seq"], p["kind"], p.get("text")) for p in read["posts"]] == [(1, "statement", STATEMENT),
                                                                                 (2, "readings", READINGS)]
        assert read["unreadable"] == []
    assert by_verifier["verified"] and by_company["posts"][0]["author"] == verifier.address

    # the third company: refused by the CLI, and nothing in clear on any endpoint of any node
    denied = ets("channel", "read", NAME, "--key", "company-2", env=on("node1"), check=False)
    assert denied.returncode == 2 and "never was a member" in denied.stderr
    end = shared_net.assert_same_app_hash()
    seen: list[str] = []
    raw: list[bytes] = []
    for node in net.nodes():
        url = net.rpc_url(node)
        for height in range(start, end + 1):
            block = _rpc(url, "block", height=height)
            raw += [base64.b64decode(t) for t in block["block"]["data"]["txs"] or []]
            seen += [json.dumps(block), json.dumps(_rpc(url, "block_results", height=height))]
        found = _rpc(url, "tx_search", query=f"\"channel_post.channel='{NAME}'\"", per_page=100)
        assert int(found["total_count"]) == 2
        seen += [json.dumps(found), json.dumps(_rpc(url, "unconfirmed_txs", limit=100))]
        for path in (f"/channel/{NAME}", f"/channel/{NAME}/posts", f"/channel/{NAME}/key/1",
                     f"/state/channel/{NAME}/post/{1:012d}"):
            response = _rpc(url, "abci_query", path=f'"{path}"')["response"]
            assert response.get("code", 0) == 0, (path, response)
            seen.append(base64.b64decode(response.get("value") or "").decode())
        for proc in ("app", "cometbft"):
            seen.append(net.log_file(node, proc).read_text(errors="replace"))
    text = "\n".join(seen) + "\n" + "\n".join(t.decode("latin-1") for t in raw)
    for secret in SECRETS:
        assert secret not in text, secret
    assert STATEMENT.encode() not in b"".join(raw) and READINGS.encode() not in b"".join(raw)
    posts = [msg for msg in map(_message, raw) if msg is not None and msg["type"] == "channel_post"]
    assert {p["name"] for p in posts} == {NAME} and len({json.dumps(p) for p in posts}) == 2
    record = json.loads(base64.b64decode(_rpc(net.rpc_url("node0"), "abci_query", path=f'"/channel/{NAME}"')
                                         ["response"]["value"]))
    assert sorted(record["wraps"]) == sorted([company.address, verifier.address])
    for wrap in record["wraps"].values():  # the third company's own view key opens none of the wraps
        with pytest.raises(ChannelBoxError):
            unwrap_key(bytes.fromhex(wrap), view_key_of(third), NAME, 1, bytes.fromhex(record["public_key"]))
    member_key = unwrap_key(bytes.fromhex(record["wraps"][company.address]), view_key_of(company), NAME, 1,
                            bytes.fromhex(record["public_key"]))  # while the member's opens its own
    assert member_key is not None
    assert from_chunks(posts[0]["ciphertext"])  # only ciphertext travels

    # the verifier leaves, an official joins: posting waits for a key; the verifier reads nothing new
    changed = _json(ets("channel", "members", NAME, "--member", company.address, "--member", gov1.address,
                        "--key", "gov-1", env=on("node1")))
    ets("tx", "approve", str(changed["result"]["proposal_id"]), "--key", "gov-3", env=on("node1"))
    after = tmp_path / "after.txt"
    after.write_text(AFTER, encoding="utf-8")
    waiting = ets("channel", "post", NAME, "--file", str(after), "--key", "company-1", env=on("node1"), check=False)
    assert waiting.returncode == 2 and "left" in waiting.stderr
    gone = ets("channel", "rekey", NAME, "--key", "verifier-1", env=on("node1"), check=False)
    assert gone.returncode == 2 and "not a member" in gone.stderr
    assert _json(ets("channel", "rekey", NAME, "--key", "gov-1", env=on("node1")))["result"]["epoch"] == 2
    assert _json(ets("channel", "post", NAME, "--file", str(after), "--kind", "message", "--key", "company-1",
                     env=on("node1")))["result"]["seq"] == 3

    by_removed = ets("channel", "read", NAME, "--key", "verifier-1", env=on("node2"))
    removed = _json(by_removed)
    assert [(p["seq"], p.get("text")) for p in removed["posts"]] == [(1, STATEMENT), (2, READINGS), (3, None)]
    assert removed["unreadable"] == [3] and "epoch 2" in removed["posts"][2]["problem"]
    assert "not readable" in by_removed.stderr
    by_official = _json(ets("channel", "read", NAME, "--key", "gov-1", env=on("node0")))
    assert [(p["seq"], p.get("text")) for p in by_official["posts"]] == [(1, None), (2, None), (3, AFTER)]
    by_company = _json(ets("channel", "read", NAME, "--key", "company-1", "--seq", "3", env=on("node1")))
    assert [p.get("text") for p in by_company["posts"]] == [AFTER]


def test_a_node_that_swaps_posts_is_caught_by_the_proven_commitments(shared_net: Net):
    """A lying node serves the channel's two post txs in each other's place (and a listing to match); read with
    commitments proven against signed headers, both posts are flagged and neither is shown as the other."""
    keys, net = shared_net.keys, shared_net.net
    a, b = keys["company-3"], keys["company-4"]
    name = "otc-e2e-negotiation"
    with ChainClient(net.rpc_url("node0")) as client:
        for who in (a, b):
            client.submit(who, SetViewKey(view_public_hex(who)))
        commit = client.submit(keys["gov-1"], Propose(ChannelOpen(name, "bilateral OTC negotiation", (a.address, b.address))))
        client.submit(keys["gov-3"], Approve(json.loads(commit.data)["proposal_id"]))
        client.submit(a, rekey_message(client, a, name))
        client.submit(a, post_message(client, a, name, "offer: 40,000 t KAU25 at 9,870".encode(), "message"))
        client.submit(b, post_message(client, b, name, "counter: 40,000 t at 9,910".encode(), "message"))
        honest = read_ledger(client, b, name)
    assert [p.payload for p in honest] == [b"offer: 40,000 t KAU25 at 9,870", b"counter: 40,000 t at 9,910"]

    def swap(method: str, params: dict, result: dict) -> dict:
        if method == "tx_search" and len(result.get("txs") or []) == 2:
            first, second = result["txs"]
            first["tx"], second["tx"] = second["tx"], first["tx"]
        if method == "abci_query" and str(params.get("path", "")).startswith(f"/channel/{name}/posts"):
            rows = json.loads(base64.b64decode(result["response"]["value"]))
            for field in ("sha256", "signer", "size"):
                rows[0][field], rows[1][field] = rows[1][field], rows[0][field]
            result["response"]["value"] = base64.b64encode(json.dumps(rows).encode()).decode()
        return result

    proxy = NodeProxy(net.rpc_url("node1"), swap)
    try:
        with ChainClient(proxy.url) as client:
            fooled = read_ledger(client, b, name)  # trusting the node's listing, the order can be faked
            assert [p.payload for p in fooled] == [b"counter: 40,000 t at 9,910", b"offer: 40,000 t KAU25 at 9,870"]
            with LightClient(client, TrustOptions.from_genesis(net.home / "genesis.json")) as light:
                proven = read_ledger(client, b, name, verified=lambda key: verify_state(client, light, key).value)
    finally:
        proxy.close()
    assert [p.payload for p in proven] == [None, None]
    assert all("does not match the commitment" in p.problem for p in proven)
    assert [p.author for p in proven] == [a.address, b.address]  # the proven commitments name the real authors
