"""No unauthenticated input stops, bloats or forks a validator: on 4 real CometBFT validators.

* one HTTP request with a query path that is not UTF-8 (it used to stop every node it reached);
* a fuzzer on each app's ABCI socket: truncated varints, huge lengths, invalid UTF-8 in every string
  field of every request kind, unknown fields, wrong oneofs, random frames, consensus requests
  from a stray connection;
* 100 unique ~240 KB envelopes signed by unregistered keys (they used to pin ~270 MiB per app).

After each: every cometbft and app process is alive, the chain commits a transfer, and all nodes
have the same app hash.
"""

from __future__ import annotations

import base64
import random
import socket
import time

import httpx
import pytest

from protocol.codes import Code
from protocol.messages import Transfer

from abci_app.proto import abci
from abci_app.server import encode_varint
from ets.keys import Signer

from .conftest import Net, start_net

pytestmark = pytest.mark.localnet


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    net = start_net(tmp_path_factory.mktemp("robust") / "net", "ets-robust")
    yield net
    net.net.stop()


def _alive(net: Net) -> None:
    for node in net.net.nodes():
        assert net.net.pid(node, "cometbft") is not None, f"{node}: cometbft is not running"
        assert net.net.pid(node, "app") is not None, f"{node}: the app is not running"


def _chain_still_works(net: Net) -> None:
    _alive(net)
    c1, c2 = net.keys["company-1"], net.keys["company-2"]
    client = net.client("node0")
    commit = client.submit(c1, Transfer(c2.address, "KAU25", 1))
    assert commit.code == Code.OK
    net.sync(commit.height)
    net.assert_same_app_hash()
    _alive(net)


def test_a_query_path_that_is_not_utf8_answers_and_stops_nothing(net: Net):
    for node in net.net.nodes():
        response = httpx.get(f"{net.net.rpc_url(node)}/abci_query", params={"path": "0x2f706172ff616d73"}, timeout=10)
        answer = response.json()["result"]["response"]
        assert int(answer["code"]) == Code.MALFORMED_REQUEST, answer
        assert "could not be parsed" in answer["log"]
    for node in net.net.nodes():  # and the nodes answer the next request normally
        response = httpx.get(f"{net.net.rpc_url(node)}/abci_query", params={"path": '"/params"'}, timeout=10)
        assert int(response.json()["result"]["response"].get("code", 0)) == Code.OK
    _chain_still_works(net)


# ------------------------------------------------------------------ the socket fuzzer


def _field(number: int, payload: bytes) -> bytes:
    return encode_varint(number << 3 | 2) + encode_varint(len(payload)) + payload


def _frame(data: bytes) -> bytes:
    return encode_varint(len(data)) + data


def _bad_string_frames() -> list[bytes]:
    """For every request kind, each string field (also inside nested messages) set to bytes that are not UTF-8."""
    frames = []

    def walk(descriptor, depth: int):
        for field in descriptor.fields:
            if field.type == field.TYPE_STRING:
                yield _field(field.number, b"\xff\xfe\xc3")
            elif field.type == field.TYPE_MESSAGE and depth < 3:
                for inner in walk(field.message_type, depth + 1):
                    yield _field(field.number, inner)

    for kind in abci.Request.DESCRIPTOR.oneofs_by_name["value"].fields:
        for payload in walk(kind.message_type, 1):
            frames.append(_frame(_field(kind.number, payload)))
    return frames


def _hostile_frames(rng: random.Random) -> list[bytes]:
    frames = _bad_string_frames()
    kinds = [f.number for f in abci.Request.DESCRIPTOR.oneofs_by_name["value"].fields]
    for number in kinds:
        frames.append(_frame(_field(number, b"\x0a\xff")))                        # an inner field claims 255 bytes
        frames.append(_frame(_field(number, b"") + _field(999, b"unknown")))     # an unknown top-level field
        frames.append(_frame(_field(number, _field(77, b"x" * 100))))            # an unknown inner field
        frames.append(_frame(_field(kinds[0], b"") + _field(number, b"")))      # two oneof members: the last wins
    frames.append(_frame(b"\xff\xff\xff\xff\xff"))                               # an invalid tag
    frames.append(_frame(b""))                                                  # no value at all
    frames.append(_frame(abci.Request(commit=abci.RequestCommit()).SerializeToString()))  # consensus, stray connection
    frames.append(_frame(abci.Request(finalize_block=abci.RequestFinalizeBlock(height=10**6)).SerializeToString()))
    frames.append(_frame(abci.Request(init_chain=abci.RequestInitChain(chain_id="x")).SerializeToString()))
    for _ in range(300):
        frames.append(_frame(rng.randbytes(rng.randrange(0, 200))))
    return frames


def _send(port: int, data: bytes, *, read_reply: bool = True) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        if not read_reply:
            return b""
        sock.shutdown(socket.SHUT_WR)
        out = bytearray()
        while chunk := sock.recv(65536):
            out += chunk
        return bytes(out)


def test_a_fuzzer_on_every_abci_socket_stops_no_node(net: Net):
    rng = random.Random(2026)
    frames = _hostile_frames(rng)
    flush = _frame(abci.Request(flush=abci.RequestFlush()).SerializeToString())
    for node in net.net.nodes():
        port = net.net.node_entry(node)["ports"]["abci"]
        for start in range(0, len(frames), 50):  # batches of frames on fresh connections, each ended by a Flush
            reply = _send(port, b"".join(frames[start:start + 50]) + flush)
            assert reply, f"{node}: no answer to a batch of hostile frames"
        _send(port, encode_varint(2**40), read_reply=False)           # a huge length, then the peer goes away
        _send(port, b"\x80\x80\x80", read_reply=False)                # a truncated varint, then the peer goes away
        _send(port, b"\xff" * 11 + flush, read_reply=False)           # a length prefix longer than 64 bits
        _alive(net)
    _chain_still_works(net)


# ------------------------------------------------------------------ memory


def _rss_mib(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def test_junk_envelopes_from_unregistered_keys_do_not_pin_app_memory(net: Net):
    client = net.client("node0")
    pid = net.net.pid("node0", "app")
    before = _rss_mib(pid)
    for i in range(100):
        stranger = Signer.generate()
        msg = {"type": "transfer", "to": "ab" * 20, "instrument": "KAU25", "amount": 1, "memo": [f"{i:05d}" + "x" * 49_995] * 4}
        tx = client.seal(stranger.sign_tx(client.chain_id, 0, msg))
        assert 200_000 < len(tx) < 256 * 1024
        body = httpx.post(net.net.rpc_url("node0"), json={"jsonrpc": "2.0", "id": i, "method": "broadcast_tx_sync",
                                                          "params": {"tx": base64.b64encode(tx).decode()}}, timeout=30).json()
        assert int(body["result"]["code"]) == Code.UNKNOWN_SIGNER, body
    time.sleep(1)
    after = _rss_mib(pid)
    print(f"app RSS before {before:.0f} MiB, after 100 junk envelopes {after:.0f} MiB")
    assert after - before < 40, f"app memory grew from {before:.0f} to {after:.0f} MiB on junk it refused"
    _chain_still_works(net)
