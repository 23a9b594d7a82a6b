"""Hostile input through the RPC: every kind is rejected with its code, changes nothing, crashes nothing."""

from __future__ import annotations

import base64
import os

import httpx
import pytest

from protocol.codec import canonical_json, encode_envelope
from protocol.codes import Code
from protocol.private_tx import seal_tx

from ets.keys import Signer

from .conftest import Net, wait_until

pytestmark = pytest.mark.localnet


def _broadcast(net: Net, tx: bytes, node: str = "node0") -> dict:
    body = httpx.post(net.net.rpc_url(node), json={
        "jsonrpc": "2.0", "id": 1, "method": "broadcast_tx_sync", "params": {"tx": base64.b64encode(tx).decode()},
    }, timeout=10).json()
    return body.get("result") or {"error": body.get("error")}


def _snapshot(net: Net) -> dict:
    client = net.client("node1")
    accounts = {name: s for name, s in sorted(net.keys.items())}  # each reads its own private data
    return {
        "balances": {n: client.query(f"/balances/{s.address}", reader=s) for n, s in accounts.items() if n.startswith("company")},
        "nonces": {n: client.query(f"/nonce/{s.address}", reader=s)["nonce"] for n, s in accounts.items()},
        "supply": client.query("/supply"),
        "proposals": client.query("/proposals"),
    }


def test_hostile_transactions_are_rejected_with_their_codes(shared_net: Net):
    keys = shared_net.keys
    c1, c2 = keys["company-1"], keys["company-2"]
    client = shared_net.client("node0")
    chain = client.chain_id

    # One honest transfer first, so that its nonce can be replayed.
    honest = client.seal(c1.sign_tx(chain, client.next_nonce(c1), {"type": "transfer", "to": c2.address, "instrument": "KAU25", "amount": 1}))
    client.wait_for_tx(client.broadcast(honest))
    shared_net.assert_same_app_hash()  # every node has committed it, so each one's CheckTx sees the used nonce
    used_nonce = client.next_nonce(c1) - 1
    before = _snapshot(shared_net)
    nonce = client.next_nonce(c1)
    transfer = {"type": "transfer", "to": c2.address, "instrument": "KAU25", "amount": 5}
    good = c1.sign_tx(chain, nonce, transfer)
    sealed = client.seal(good)
    stranger = Signer.generate()
    tampered_body = canonical_json({"chain_id": chain, "msg": {**transfer, "amount": 5_000}, "nonce": nonce, "signer": c1.address})

    cases = {
        "random bytes": (os.urandom(300), Code.MALFORMED_TX),
        "a private message in clear": (good, Code.MUST_BE_SEALED),
        "a private tx sealed to another key": (seal_tx(good, client.privacy()["epoch"], [os.urandom(32)]), Code.REGULATOR_NOT_A_READER),
        "an altered private tx": (sealed[:-1] + bytes((sealed[-1] ^ 1,)), Code.PRIVATE_TX_UNREADABLE),
        "empty-ish": (b"ETS1", Code.MALFORMED_TX),
        "truncated envelope": (good[: len(good) - 7], Code.MALFORMED_TX),
        "non-canonical body": (good[:68] + good[68:].replace(b'"amount":5', b'"amount": 5'), Code.MALFORMED_TX),
        "bad signature": (encode_envelope(tampered_body, good[4:68]), Code.BAD_SIGNATURE),
        "unknown signer": (client.seal(stranger.sign_tx(chain, 0, transfer)), Code.UNKNOWN_SIGNER),
        "wrong chain id": (client.seal(c1.sign_tx("another-chain", nonce, transfer)), Code.WRONG_CHAIN_ID),
        "replayed nonce": (client.seal(c1.sign_tx(chain, used_nonce, {**transfer, "amount": 7})), Code.NONCE_REPLAYED),
        "nonce from the future": (client.seal(c1.sign_tx(chain, nonce + 5, transfer)), Code.NONCE_AHEAD),
        "company sends a government message": (
            c1.sign_tx(chain, nonce, {"type": "propose", "action": {"type": "issue_allowances", "to": c1.address, "instrument": "KAU25", "amount": 10**9}}),
            Code.UNAUTHORIZED,
        ),
        "company approves": (c1.sign_tx(chain, nonce, {"type": "approve", "proposal_id": 1}), Code.UNAUTHORIZED),
        "overdraft": (client.seal(c1.sign_tx(chain, nonce, {**transfer, "amount": 10**12})), Code.INSUFFICIENT_BALANCE),
        "unknown message": (c1.sign_tx(chain, nonce, {"type": "mint"}), Code.UNKNOWN_MESSAGE),
        "float amount": (encode_envelope(b'{"chain_id":"%s","msg":{"amount":1.5}}' % chain.encode(), bytes(64)), Code.MALFORMED_TX),
    }
    for index, (name, (tx, code)) in enumerate(cases.items()):
        result = _broadcast(shared_net, tx, node=f"node{index % 4}")
        assert int(result.get("code", -1)) == code, f"{name}: expected code {int(code)}, got {result}"
        assert result.get("codespace") == "ets" and result.get("log"), f"{name}: rejection needs codespace and log: {result}"

    # The exact bytes of a committed tx are refused again (CometBFT's cache or our nonce rule).
    replay = _broadcast(shared_net, honest)
    assert "error" in replay or int(replay.get("code", 0)) == Code.NONCE_REPLAYED, replay

    # Nothing changed, and every node is still alive and committing.
    height = shared_net.height("node0")
    wait_until(lambda: all(shared_net.height(n) > height + 1 for n in shared_net.net.nodes()), 30, "blocks after the attack")
    assert _snapshot(shared_net) == before
    assert all(row["running"] for row in shared_net.net.status())
    shared_net.assert_same_app_hash()


def test_oversized_and_garbage_rpc_requests_do_not_crash(shared_net: Net):
    url = shared_net.net.rpc_url("node2")
    big = _broadcast(shared_net, b"ETS1" + os.urandom(300_000), node="node2")
    assert "error" in big or int(big.get("code", 0)) == Code.MALFORMED_TX, big
    garbage = httpx.post(url, content=b"\x00\xff{not json", headers={"content-type": "application/json"}, timeout=10)
    assert garbage.status_code in (200, 400, 500)
    query = httpx.get(f"{url}/abci_query", params={"path": '"/balances/zz"', "data": "0x00ff"}, timeout=10).json()
    assert int(query["result"]["response"]["code"]) == Code.BAD_QUERY
    assert all(row["running"] for row in shared_net.net.status())
