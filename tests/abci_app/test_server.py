"""The ABCI socket server (abci_app/server.py) over real TCP / Unix sockets, with varint-framed requests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.app import Application
from abci_app.errors import Code
from abci_app.proto import abci
from abci_app.server import MAX_FRAME, AbciServer, decode_varint, encode_varint, parse_listen
from abci_harness import CHAIN_ID, GENESIS_TIME, Actors, transfer, ts
from ets.codec import canonical_json

TIMEOUT = 5.0

# ------------------------------------------------------------------ varints


@pytest.mark.parametrize("value, encoded", [
    (0, b"\x00"), (1, b"\x01"), (127, b"\x7f"), (128, b"\x80\x01"), (300, b"\xac\x02"), (16384, b"\x80\x80\x01"),
    (2**64 - 1, b"\xff" * 9 + b"\x01"),
])
def test_varint_known_encodings(value, encoded):
    assert encode_varint(value) == encoded
    assert decode_varint(encoded, 0) == (value, len(encoded))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**64 - 1), st.binary(max_size=8), st.binary(max_size=8))
def test_varint_round_trip_at_any_offset(value, prefix, suffix):
    data = prefix + encode_varint(value) + suffix
    assert decode_varint(data, len(prefix)) == (value, len(data) - len(suffix))


@settings(max_examples=100, deadline=None)
@given(st.integers(128, 2**64 - 1))
def test_truncated_varint_is_incomplete_not_wrong(value):
    encoded = encode_varint(value)
    for cut in range(len(encoded)):
        assert decode_varint(encoded[:cut], 0) is None


def test_overlong_varint_is_a_protocol_error():
    with pytest.raises(ValueError):
        decode_varint(b"\xff" * 10 + b"\x01", 0)


@pytest.mark.parametrize("address, parsed", [
    ("tcp://127.0.0.1:26658", ("tcp", "127.0.0.1", 26658)),
    ("127.0.0.1:1", ("tcp", "127.0.0.1", 1)),
    ("unix:///run/ets/app.sock", ("unix", "/run/ets/app.sock", None)),
])
def test_parse_listen(address, parsed):
    assert parse_listen(address) == parsed


@pytest.mark.parametrize("address", ["tcp://127.0.0.1", "tcp://:26658", "tcp://host:port", "26658"])
def test_parse_listen_rejects(address):
    with pytest.raises(ValueError, match="should look like"):
        parse_listen(address)


# ------------------------------------------------------------------ a live server


def frame(**request) -> bytes:
    data = abci.Request(**request).SerializeToString()
    return encode_varint(len(data)) + data


FLUSH = frame(flush=abci.RequestFlush())


class Conn:
    """One client connection, reading varint-framed ``abci.Response``s."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer, self.buf = reader, writer, bytearray()

    @classmethod
    async def open(cls, listen: str) -> "Conn":
        kind, host, port = parse_listen(listen)
        if kind == "unix":
            return cls(*await asyncio.open_unix_connection(host))
        return cls(*await asyncio.open_connection(host, port))

    async def send(self, *frames: bytes) -> None:
        self.writer.write(b"".join(frames))
        await self.writer.drain()

    def _pop(self) -> abci.Response | None:
        header = decode_varint(self.buf, 0)
        if header is None or header[1] + header[0] > len(self.buf):
            return None
        length, start = header
        response = abci.Response.FromString(bytes(self.buf[start:start + length]))
        del self.buf[:start + length]
        return response

    async def receive(self, n: int, timeout: float = TIMEOUT) -> list[abci.Response]:
        out: list[abci.Response] = []
        while len(out) < n:
            response = self._pop()
            if response is not None:
                out.append(response)
                continue
            chunk = await asyncio.wait_for(self.reader.read(65536), timeout)
            if not chunk:
                raise EOFError(f"connection closed after {len(out)} of {n} responses")
            self.buf += chunk
        return out

    async def closed_by_peer(self, timeout: float = TIMEOUT) -> bool:
        while True:
            chunk = await asyncio.wait_for(self.reader.read(65536), timeout)
            if not chunk:
                return True

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await self.writer.wait_closed()


def free_tcp_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{s.getsockname()[1]}"


@contextlib.asynccontextmanager
async def serving(app: Application, listen: str | None = None):
    listen = listen or free_tcp_address()
    task = asyncio.create_task(AbciServer(app, listen).serve())
    for _ in range(200):  # wait until it accepts connections
        try:
            probe = await Conn.open(listen)
        except OSError:
            assert not task.done(), task.exception()
            await asyncio.sleep(0.01)
            continue
        await probe.close()
        break
    try:
        yield listen
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
def actors_state():
    actors = Actors.make()
    return actors, canonical_json(actors.app_state())


def init_chain_frame(app_state: bytes) -> bytes:
    return frame(init_chain=abci.RequestInitChain(time=ts(GENESIS_TIME), chain_id=CHAIN_ID, initial_height=1, app_state_bytes=app_state))


def run(coro) -> None:
    asyncio.run(asyncio.wait_for(coro, 30))


def test_echo_info_and_check_tx_batch_answered_fifo(tmp_path, actors_state):
    actors, app_state = actors_state
    a, b = actors.companies[:2]
    batch = [
        a.sign_tx(CHAIN_ID, 0, transfer(b, 1)),    # OK
        b"not a tx",                                # MALFORMED_TX
        a.sign_tx(CHAIN_ID, 1, transfer(b, 2)),    # OK (mempool view has nonce 1 next)
        a.sign_tx(CHAIN_ID, 0, transfer(b, 3)),    # NONCE_REPLAYED
        a.sign_tx(CHAIN_ID, 5, transfer(b, 4)),    # NONCE_AHEAD
        b.sign_tx("other", 0, transfer(a, 1)),     # WRONG_CHAIN_ID
    ]

    async def scenario():
        async with serving(Application(tmp_path)) as listen:
            conn = await Conn.open(listen)
            await conn.send(frame(echo=abci.RequestEcho(message="héllo")), FLUSH)
            echo, flush = await conn.receive(2)
            assert echo.echo.message == "héllo" and flush.WhichOneof("value") == "flush"

            await conn.send(init_chain_frame(app_state), frame(info=abci.RequestInfo(version="0.39.4")), FLUSH)
            init, info, _ = await conn.receive(3)
            assert len(init.init_chain.app_hash) == 32
            assert info.info.last_block_height == 0 and info.info.data == "ets"

            await conn.send(*[frame(check_tx=abci.RequestCheckTx(tx=tx)) for tx in batch], FLUSH)
            responses = await conn.receive(len(batch) + 1)
            assert [r.WhichOneof("value") for r in responses] == ["check_tx"] * len(batch) + ["flush"]
            assert [r.check_tx.code for r in responses[:-1]] == [
                Code.OK, Code.MALFORMED_TX, Code.OK, Code.NONCE_REPLAYED, Code.NONCE_AHEAD, Code.WRONG_CHAIN_ID]
            await conn.close()

    run(scenario())


def test_hostile_input_gets_an_answer_not_an_exception(tmp_path, actors_state):
    """CometBFT stops the node when any connection gets a ResponseException, so CheckTx and Query never raise."""
    actors, app_state = actors_state
    envelope = b"ETS1" + b"\x00" * 64
    hostile_txs = [
        envelope + b"[" * 50_000,                        # nesting beyond the recursion limit
        envelope + b'"\\ud800"',                        # a lone surrogate escape
        envelope + b"1" * 5_000,                         # more digits than int() takes
        actors.gov[0].sign_tx(CHAIN_ID, 0, {"type": "propose", "action": {"type": ["issue_allowances"]}}),
    ]
    query_body = canonical_json({"chain_id": 5, "issued_at": 0, "path": "/balances/" + "ab" * 20, "reader": "ab" * 20})
    hostile_queries = [("/proposal/²", b""), ("/proposal/" + "9" * 5_000, b""),
                       ("/balances/" + "ab" * 20, b"ETSQ" + b"\x00" * 64 + query_body)]

    async def scenario():
        async with serving(Application(tmp_path)) as listen:
            mempool, query = await Conn.open(listen), await Conn.open(listen)
            await mempool.send(init_chain_frame(app_state), FLUSH)
            await mempool.receive(2)
            await mempool.send(*[frame(check_tx=abci.RequestCheckTx(tx=tx)) for tx in hostile_txs], FLUSH)
            answers = await mempool.receive(len(hostile_txs) + 1)
            assert [a.WhichOneof("value") for a in answers[:-1]] == ["check_tx"] * len(hostile_txs)
            assert [a.check_tx.code for a in answers[:-1]] == [Code.MALFORMED_TX] * 3 + [Code.INVALID_MESSAGE]
            await query.send(*[frame(query=abci.RequestQuery(path=p, data=d)) for p, d in hostile_queries], FLUSH)
            answers = await query.receive(len(hostile_queries) + 1)
            assert [a.WhichOneof("value") for a in answers[:-1]] == ["query"] * len(hostile_queries)
            assert [a.query.code for a in answers[:-1]] == [Code.BAD_QUERY] * 3
            for c in (mempool, query):
                await c.close()

    run(scenario())


def test_responses_are_held_until_flush(tmp_path):
    async def scenario():
        async with serving(Application(tmp_path)) as listen:
            conn = await Conn.open(listen)
            await conn.send(frame(echo=abci.RequestEcho(message="1")), frame(echo=abci.RequestEcho(message="2")))
            with pytest.raises(asyncio.TimeoutError):
                await conn.receive(1, timeout=0.3)
            await conn.send(FLUSH)
            responses = await conn.receive(3)
            assert [r.echo.message for r in responses[:2]] == ["1", "2"]
            assert responses[2].WhichOneof("value") == "flush"
            await conn.close()

    run(scenario())


@pytest.mark.parametrize("chunk", [1, 3, 7])
def test_frames_split_across_writes(tmp_path, actors_state, chunk):
    actors, app_state = actors_state
    tx = actors.companies[0].sign_tx(CHAIN_ID, 0, transfer(actors.companies[1], 1))
    stream = init_chain_frame(app_state) + frame(check_tx=abci.RequestCheckTx(tx=tx)) + frame(echo=abci.RequestEcho(message="x" * 300)) + FLUSH

    async def scenario():
        async with serving(Application(tmp_path)) as listen:
            conn = await Conn.open(listen)
            for i in range(0, len(stream), chunk):
                conn.writer.write(stream[i:i + chunk])
                await conn.writer.drain()
                if i % (chunk * 10) == 0:
                    await asyncio.sleep(0.001)  # let the server see the partial frame
            init, check, echo, flush = await conn.receive(4)
            assert len(init.init_chain.app_hash) == 32
            assert check.check_tx.code == Code.OK
            assert echo.echo.message == "x" * 300
            assert flush.WhichOneof("value") == "flush"
            await conn.close()

    run(scenario())


def test_split_inside_the_length_prefix_and_inside_the_body(tmp_path):
    echo = frame(echo=abci.RequestEcho(message="y" * 200))  # a two-byte length prefix
    assert echo[1] & 0x80 == 0 and echo[0] & 0x80

    async def scenario():
        async with serving(Application(tmp_path)) as listen:
            conn = await Conn.open(listen)
            for piece in (echo[:1], echo[1:50], echo[50:-1], echo[-1:] + FLUSH[:1], FLUSH[1:]):
                await conn.send(piece)
                await asyncio.sleep(0.05)  # the server reads each piece on its own
            answer, flush = await conn.receive(2)
            assert answer.echo.message == "y" * 200 and flush.WhichOneof("value") == "flush"
            await conn.close()

    run(scenario())


@pytest.mark.parametrize("garbage", [
    encode_varint(2) + b"\x0a\xff",                 # a field claims 255 bytes, the frame has none: not protobuf
    encode_varint(5) + b"\xff\xff\xff\xff\xff",     # invalid tag
    b"\xff" * 11,                                   # a length varint longer than 64 bits
    encode_varint(MAX_FRAME + 1),                   # a frame above the size limit
], ids=["bad protobuf", "bad tag", "overlong varint", "oversized frame"])
def test_garbage_frame_closes_only_that_connection(tmp_path, caplog, garbage):
    async def scenario():
        async with serving(Application(tmp_path)) as listen:
            good, bad = await Conn.open(listen), await Conn.open(listen)
            await bad.send(frame(echo=abci.RequestEcho(message="before")), FLUSH)
            assert (await bad.receive(2))[0].echo.message == "before"
            await bad.send(garbage + FLUSH)
            assert await bad.closed_by_peer()

            await good.send(frame(echo=abci.RequestEcho(message="still here")), FLUSH)
            assert (await good.receive(2))[0].echo.message == "still here"
            fresh = await Conn.open(listen)
            await fresh.send(frame(echo=abci.RequestEcho(message="new")), FLUSH)
            assert (await fresh.receive(2))[0].echo.message == "new"
            for c in (good, bad, fresh):
                await c.close()

    with caplog.at_level(logging.ERROR):
        run(scenario())
    assert [r.name for r in caplog.records] == ["abci_app.server"]  # handled as a protocol error, nothing escaped
    assert "protocol error" in caplog.records[0].getMessage()


def test_request_without_a_value_gets_an_exception_and_the_connection_stays(tmp_path):
    async def scenario():
        async with serving(Application(tmp_path)) as listen:
            conn = await Conn.open(listen)
            await conn.send(encode_varint(0), frame(echo=abci.RequestEcho(message="after")), FLUSH)
            exc, echo, _ = await conn.receive(3)
            assert exc.WhichOneof("value") == "exception" and exc.exception.error
            assert echo.echo.message == "after"
            await conn.close()

    run(scenario())


def test_four_connections_like_cometbft_and_a_block_over_the_consensus_one(tmp_path, actors_state):
    actors, app_state = actors_state
    a, b = actors.companies[:2]
    tx = a.sign_tx(CHAIN_ID, 0, transfer(b, 10))

    async def scenario():
        async with serving(Application(tmp_path / "app"), f"unix://{tmp_path}/app.sock") as listen:
            consensus, mempool, query, snapshot = [await Conn.open(listen) for _ in range(4)]
            await consensus.send(init_chain_frame(app_state), FLUSH)
            await consensus.receive(2)

            await mempool.send(frame(check_tx=abci.RequestCheckTx(tx=tx)), FLUSH)
            assert (await mempool.receive(2))[0].check_tx.code == Code.OK
            await snapshot.send(frame(list_snapshots=abci.RequestListSnapshots()), FLUSH)
            assert (await snapshot.receive(2))[0].WhichOneof("value") == "list_snapshots"

            t = ts(GENESIS_TIME + 5)
            await consensus.send(
                frame(prepare_proposal=abci.RequestPrepareProposal(max_tx_bytes=1 << 20, txs=[tx, b"junk"], height=1, time=t)),
                frame(process_proposal=abci.RequestProcessProposal(txs=[tx], height=1, time=t, hash=b"h" * 32)),
                frame(finalize_block=abci.RequestFinalizeBlock(txs=[tx], height=1, time=t, hash=b"h" * 32)),
                frame(commit=abci.RequestCommit()),
                FLUSH,
            )
            prepared, processed, finalized, _, _ = await consensus.receive(5)
            assert list(prepared.prepare_proposal.txs) == [tx]
            assert processed.process_proposal.status == abci.ResponseProcessProposal.ACCEPT
            assert [r.code for r in finalized.finalize_block.tx_results] == [Code.OK]

            path = f"/balances/{b.address}"
            data = b.sign_query(CHAIN_ID, path, GENESIS_TIME + 5)
            await query.send(frame(query=abci.RequestQuery(path=path, data=data)), frame(info=abci.RequestInfo()), FLUSH)
            answer, info, _ = await query.receive(3)
            assert answer.query.code == Code.OK and answer.query.height == 1
            assert json.loads(answer.query.value)["KAU25"] == 1_010
            assert info.info.last_block_app_hash == finalized.finalize_block.app_hash

            await mempool.send(frame(check_tx=abci.RequestCheckTx(tx=tx, type=abci.CheckTxType.RECHECK)), FLUSH)
            assert (await mempool.receive(2))[0].check_tx.code == Code.NONCE_REPLAYED
            for c in (consensus, mempool, query, snapshot):
                await c.close()

    run(scenario())
