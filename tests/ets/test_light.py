"""The light client against a real chain: four CometBFT v0.39.4 validators with the ETS app on 127.0.0.1.

Headers verify from the genesis file alone, and the hashes the client computes are the ones
CometBFT reports. A node that lies is played by a small HTTP proxy started here, forwarding
JSON-RPC to a validator and rewriting one thing in its answers; each lie is refused with its
own message. Trust from a height and header hash works forwards and backwards.
"""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ets.light import LightClient, Timestamp, TrustOptions, Validator, VerificationError
from ets_tools.localnet import LocalNet
from tests.ports import network_base
from rpc_proxy import NodeProxy, Rewrite

pytestmark = pytest.mark.localnet
REPO = Path(__file__).resolve().parents[2]
CHAIN_ID = "ets-light"
TARGET = 4  # the height whose answers the proxy rewrites

def _base_port() -> int:
    return network_base(4)


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    if not (REPO / "bin" / "cometbft").exists():
        pytest.skip("bin/cometbft is missing: run ./scripts/setup.sh (the README's test command does)")
    network = LocalNet(tmp_path_factory.mktemp("light") / "net", base_port=_base_port())
    network.create(4, chain_id=CHAIN_ID)
    network.start()
    try:
        _wait_height(network.rpc_url("node0"), TARGET + 3)
        yield network
    finally:
        network.stop()


def _rpc(url: str, method: str, **params) -> dict[str, Any]:
    return httpx.get(f"{url}/{method}", params=params, timeout=5).json()["result"]


def _wait_height(url: str, height: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while int(_rpc(url, "status")["sync_info"]["latest_block_height"]) < height:
        assert time.monotonic() < deadline, f"the chain did not reach height {height}"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def genesis(net) -> TrustOptions:
    return TrustOptions.from_genesis(net.home / "genesis.json")


def _at_target(method: str, params: dict[str, Any], wanted: str) -> bool:
    return method == wanted and str(params.get("height")) == str(TARGET)


def _header_rewrite(change: Callable[[dict[str, Any]], None]) -> Rewrite:
    def rewrite(method, params, result):
        if _at_target(method, params, "commit"):
            change(result["signed_header"]["header"])
        return result
    return rewrite


def _commit_rewrite(change: Callable[[list[dict[str, Any]]], None]) -> Rewrite:
    def rewrite(method, params, result):
        if _at_target(method, params, "commit"):
            change(result["signed_header"]["commit"]["signatures"])
        return result
    return rewrite


def _set_app_hash(header):
    header["app_hash"] = "AB" * 32


def _shift_time(shift_seconds: int, nanos: str) -> Callable[[dict[str, Any]], None]:
    def change(header):
        stamp = Timestamp.parse(header["time"])
        header["time"] = str(Timestamp(stamp.seconds + shift_seconds, int(nanos)))
    return change


def _keep_two_signatures(signatures):
    kept = 0
    for sig in signatures:
        if sig["block_id_flag"] == 2 and kept < 2:
            kept += 1
        else:
            sig.update(block_id_flag=1, validator_address="", timestamp="0001-01-01T00:00:00Z", signature=None)


def _corrupt_first_signature(signatures):
    sig = next(s for s in signatures if s["block_id_flag"] == 2)
    raw = bytearray(base64.b64decode(sig["signature"]))
    raw[10] ^= 0x01
    sig["signature"] = base64.b64encode(bytes(raw)).decode()


def _foreign_validator(method, params, result):
    if _at_target(method, params, "validators"):
        key = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        stranger = Validator(key, int(result["validators"][0]["voting_power"]))
        result["validators"][0].update(address=stranger.address.hex().upper(),
                                       pub_key={"type": "tendermint/PubKeyEd25519", "value": base64.b64encode(key).decode()})
    return result


def _set_chain_id(header):
    header["chain_id"] = "another-chain"


def test_headers_verify_from_the_genesis_and_hash_as_cometbft_reports(net, genesis):
    url = net.rpc_url("node0")
    with LightClient(url, genesis) as light:
        latest = light.verified_header()
        for height in (1, 2, 3, latest.height - 1):
            verified = light.verified_header(height)
            block = _rpc(url, "block", height=height)
            assert verified.header_hash.hex().upper() == block["block_id"]["hash"]
            assert verified.validators_hash.hex().upper() == block["block"]["header"]["validators_hash"]
            assert verified.app_hash.hex().upper() == block["block"]["header"]["app_hash"]
            assert verified.height == height and verified.chain_id == CHAIN_ID
            assert verified.validators == 4 and verified.total_power == 40
            assert verified.signers >= 3 and verified.signed_power * 3 > verified.total_power * 2
        assert len(latest.app_hash) == 32 and latest.header_hash == light.verified_header(latest.height).header_hash
        assert light.trusted_heights()[0] == 1  # the genesis validators' first header is the root


H = TARGET
HEX = "[0-9A-F]{64}"


@pytest.mark.parametrize(("rewrite", "expected"), [
    pytest.param(_header_rewrite(_set_app_hash),
                 rf"^header {H}: the header \(app hash {'AB' * 32}, time [^)]+\) hashes to {HEX}, but the validators "
                 rf"signed block {HEX}: the header was altered$", id="altered-app-hash"),
    pytest.param(_header_rewrite(_shift_time(3600, "0")),
                 rf"^header {H}: time \S+ is in the future \(now \S+, allowed clock drift 10 s\)$", id="time-in-the-future"),
    pytest.param(_header_rewrite(_shift_time(0, "1")),
                 rf"^header {H}: the header \(app hash {HEX}, time \S+\.000000001Z\) hashes to {HEX}, but the validators", id="altered-time"),
    pytest.param(_commit_rewrite(_keep_two_signatures),
                 rf"^header {H}: commit signed by 2 of 4 validators \(power 20 of 40\), needs more than 2/3$", id="dropped-signatures"),
    pytest.param(_commit_rewrite(_corrupt_first_signature),
                 rf"^signature of validator [0-9A-F]{{12}}… on header {H} is invalid$", id="corrupted-signature"),
    pytest.param(_foreign_validator,
                 rf"^validator set of height {H} does not match the header's validators_hash \({HEX} ≠ {HEX}\)$", id="foreign-validator-key"),
    pytest.param(_header_rewrite(_set_chain_id),
                 rf"^header {H}: chain id 'another-chain', expected '{CHAIN_ID}' \(the node serves another chain\)$", id="wrong-chain-id"),
])
def test_a_node_that_alters_its_answers_is_refused(net, genesis, rewrite, expected):
    proxy = NodeProxy(net.rpc_url("node0"), rewrite)
    try:
        with LightClient(proxy.url, genesis) as light, pytest.raises(VerificationError) as refused:
            light.verified_header(TARGET)
    finally:
        proxy.close()
    assert re.search(expected, str(refused.value)), str(refused.value)
    assert TARGET in proxy.commit_heights()


def test_trust_from_a_height_and_hash_works_both_ways_and_a_wrong_hash_is_refused(net):
    url = net.rpc_url("node1")
    trusted_height = TARGET + 1
    trusted_hash = _rpc(url, "block", height=trusted_height)["block_id"]["hash"]
    proxy = NodeProxy(url)
    try:
        with LightClient(proxy.url, TrustOptions.from_hash(trusted_height, trusted_hash)) as light:
            later = light.verified_header(trusted_height + 2)
            earlier = light.verified_header(trusted_height - 2)
        assert later.chain_id == CHAIN_ID and later.header_hash.hex().upper() == _rpc(url, "block", height=trusted_height + 2)["block_id"]["hash"]
        assert earlier.header_hash.hex().upper() == _rpc(url, "block", height=trusted_height - 2)["block_id"]["hash"]
        assert 1 not in proxy.commit_heights()  # the genesis was never needed
    finally:
        proxy.close()
    other_hash = _rpc(url, "block", height=trusted_height - 1)["block_id"]["hash"]
    with LightClient(url, TrustOptions.from_hash(trusted_height, other_hash)) as light, pytest.raises(VerificationError) as refused:
        light.verified_header()
    assert str(refused.value) == f"header {trusted_height} hashes to {trusted_hash}, not the trusted hash {other_hash}"
    with LightClient(url, TrustOptions.from_hash(trusted_height, trusted_hash, chain_id="another-chain")) as light:
        with pytest.raises(VerificationError, match="chain id 'ets-light', expected 'another-chain'"):
            light.verified_header()


def test_trusted_headers_are_stored_and_the_next_run_starts_from_the_latest(net, genesis, tmp_path):
    url = net.rpc_url("node2")
    store = tmp_path / "light.json"
    with LightClient(url, genesis, store_path=store) as light:
        first = light.verified_header()
    saved = json.loads(store.read_text())
    assert saved["chain_id"] == CHAIN_ID and [int(b["header"]["height"]) for b in saved["blocks"]] == light.trusted_heights()
    _wait_height(url, first.height + 2)
    proxy = NodeProxy(url)
    try:
        with LightClient(proxy.url, genesis, store_path=store) as again:
            assert again.verified_header(first.height) == first  # from the store, nothing asked
            assert proxy.commit_heights() == []
            newer = again.verified_header()
        assert newer.height > first.height and min(proxy.commit_heights()) > first.height
    finally:
        proxy.close()
    saved["blocks"][-1]["header"]["app_hash"] = "00" * 32
    store.write_text(json.dumps(saved))
    with pytest.raises(VerificationError, match="hashes to .* but the validators signed block"):
        LightClient(url, genesis, store_path=store)
