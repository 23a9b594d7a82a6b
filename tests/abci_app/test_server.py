"""The ABCI socket server (abci_app/server.py) over real TCP / Unix sockets, with varint-framed requests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import pytest

from tests.ports import free_port
from hypothesis import given, settings
from hypothesis import strategies as st

from abci_app.app import Application
from protocol.codes import Code
from abci_app.proto import abci
from abci_app.server import AbciServer, decode_varint, encode_varint, parse_listen
from abci_harness import EXECUTION_KEYS, sealed, BLINDING_KEY, CHAIN_ID, GENESIS_TIME, Actors, transfer, ts
from protocol.codec import canonical_json

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
    return f"tcp://127.0.0.1:{free_port()}"


@contextlib.asynccontextmanager
async def serving(app: Application, listen: str | None = None, **options):
    listen = listen or free_tcp_address()
    task = asyncio.create_task(AbciServer(app, listen, **options).serve())
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
        sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 1))),    # OK
        b"not a tx",                                # MALFORMED_TX
        sealed(a.sign_tx(CHAIN_ID, 1, transfer(b, 2))),    # OK (mempool view has nonce 1 next)
        sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 3))),    # NONCE_REPLAYED
        sealed(a.sign_tx(CHAIN_ID, 5, transfer(b, 4))),    # NONCE_AHEAD
        sealed(b.sign_tx("other", 0, transfer(a, 1))),     # WRONG_CHAIN_ID
    ]

    async def scenario():
        async with serving(Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)) as listen:
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
        sealed(actors.gov[0].sign_tx(CHAIN_ID, 0, {"type": "propose", "action": {"type": ["issue_allowances"]}})),
    ]
    query_body = canonical_json({"chain_id": 5, "issued_at": 0, "path": "/balances/" + "ab" * 20, "reader": "ab" * 20})
    hostile_queries = [("/proposal/²", b""), ("/proposal/" + "9" * 5_000, b""),
                       ("/balances/" + "ab" * 20, b"ETSQ" + b"\x00" * 64 + query_body)]

    async def scenario():
        async with serving(Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)) as listen:
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
        async with serving(Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)) as listen:
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
    tx = sealed(actors.companies[0].sign_tx(CHAIN_ID, 0, transfer(actors.companies[1], 1)))
    stream = init_chain_frame(app_state) + frame(check_tx=abci.RequestCheckTx(tx=tx)) + frame(echo=abci.RequestEcho(message="x" * 300)) + FLUSH

    async def scenario():
        async with serving(Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)) as listen:
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
        async with serving(Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)) as listen:
            conn = await Conn.open(listen)
            for piece in (echo[:1], echo[1:50], echo[50:-1], echo[-1:] + FLUSH[:1], FLUSH[1:]):
                await conn.send(piece)
                await asyncio.sleep(0.05)  # the server reads each piece on its own
            answer, flush = await conn.receive(2)
            assert answer.echo.message == "y" * 200 and flush.WhichOneof("value") == "flush"
            await conn.close()

    run(scenario())


def raw_frame(data: bytes) -> bytes:
    return encode_varint(len(data)) + data


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return encode_varint(number << 3 | 2) + encode_varint(len(payload)) + payload


# A RequestQuery whose path (field 2, a proto3 string) is not UTF-8: what
# GET /abci_query?path=0x2f706172ff616d73 makes CometBFT send.
NON_UTF8_QUERY = raw_frame(_field(6, _field(2, bytes.fromhex("2f706172ff616d73"))))


@pytest.mark.parametrize("garbage, kind, code", [
    (NON_UTF8_QUERY, "query", Code.MALFORMED_REQUEST),
    (raw_frame(_field(6, _field(2, b"/params\xc3"))), "query", Code.MALFORMED_REQUEST),
    (raw_frame(_field(8, b"\x0a\xff")), "check_tx", Code.MALFORMED_REQUEST),   # tx field claims 255 bytes
    (raw_frame(_field(1, _field(1, b"\xfe\xfe"))), "echo", None),              # echo message not UTF-8
    (raw_frame(_field(12, b"\xff")), "list_snapshots", None),
    (raw_frame(_field(13, b"\x0a\xff")), "offer_snapshot", None),
    (raw_frame(_field(15, b"\x1a\xff\xff")), "apply_snapshot_chunk", None),
    (raw_frame(b"\x0a\xff"), None, None),                                        # a field claims 255 bytes, none follow
    (raw_frame(b"\xff\xff\xff\xff\xff"), None, None),                           # an invalid tag
    (raw_frame(_field(999, b"x")), None, None),                                     # only an unknown field
], ids=["query path not UTF-8", "query path cut mid-character", "check_tx broken field", "echo not UTF-8",
        "list_snapshots broken", "offer_snapshot broken", "apply_snapshot_chunk broken", "bad protobuf", "bad tag",
        "unknown field only"])
def test_unparseable_request_is_answered_and_the_connection_stays(tmp_path, garbage, kind, code):
    async def scenario():
        async with serving(Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)) as listen:
            conn = await Conn.open(listen)
            await conn.send(garbage, frame(echo=abci.RequestEcho(message="after")), FLUSH)
            answer, echo, flush = await conn.receive(3)
            if kind is None:
                assert answer.WhichOneof("value") == "exception" and answer.exception.error
            else:
                assert answer.WhichOneof("value") == kind
            if code is not None:
                assert getattr(answer, kind).code == code
                assert "could not be parsed" in getattr(answer, kind).log
            assert echo.echo.message == "after" and flush.WhichOneof("value") == "flush"
            await conn.close()

    run(scenario())


def test_wrong_oneof_and_unknown_fields_are_ignored_as_protobuf_does(tmp_path):
    query = abci.RequestQuery(path="/params").SerializeToString()
    both = _field(1, _field(1, b"x")) + _field(6, query) + _field(77, b"junk")  # echo, then query: the last one wins

    async def scenario():
        async with serving(Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)) as listen:
            conn = await Conn.open(listen)
            await conn.send(raw_frame(both), FLUSH)
            answer, _ = await conn.receive(2)
            assert answer.WhichOneof("value") == "query" and answer.query.code == Code.NOT_FOUND  # no chain yet
            await conn.close()

    run(scenario())


def test_oversized_frame_is_refused_and_skipped_without_buffering(tmp_path):
    limit = 4096

    async def scenario():
        async with serving(Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS), max_frame=limit) as listen:
            conn = await Conn.open(listen)
            body = b"\x00" * (limit + 1)
            await conn.send(encode_varint(len(body)))
            for i in range(0, len(body), 1000):  # the skipped bytes arrive in pieces
                await conn.send(body[i:i + 1000])
            await conn.send(frame(echo=abci.RequestEcho(message="after")), FLUSH)
            refused, echo, _ = await conn.receive(3)
            assert refused.WhichOneof("value") == "exception" and "exceeds" in refused.exception.error
            assert echo.echo.message == "after"
            await conn.close()

    run(scenario())


def test_overlong_length_prefix_closes_only_that_connection(tmp_path, caplog):
    async def scenario():
        async with serving(Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)) as listen:
            good, bad = await Conn.open(listen), await Conn.open(listen)
            await bad.send(b"\xff" * 11 + FLUSH)
            assert await bad.closed_by_peer()
            await good.send(frame(echo=abci.RequestEcho(message="still here")), FLUSH)
            assert (await good.receive(2))[0].echo.message == "still here"
            for c in (good, bad):
                await c.close()

    with caplog.at_level(logging.ERROR):
        run(scenario())
    assert [r.name for r in caplog.records] == ["abci_app.server"]
    assert "protocol error" in caplog.records[0].getMessage()


def test_consensus_requests_are_served_on_one_connection_only(tmp_path, actors_state):
    """A stray connection cannot run InitChain, FinalizeBlock or Commit (a Commit without a block
    would otherwise fail-stop the process), and the consensus connection keeps working."""
    actors, app_state = actors_state
    a, b = actors.companies[:2]
    tx = sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 10)))
    t = ts(GENESIS_TIME + 5)

    async def scenario():
        app = Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)
        async with serving(app) as listen:
            consensus, stray = await Conn.open(listen), await Conn.open(listen)
            await consensus.send(init_chain_frame(app_state), FLUSH)
            init, _ = await consensus.receive(2)
            await stray.send(frame(commit=abci.RequestCommit()), init_chain_frame(b"{}"),
                             frame(finalize_block=abci.RequestFinalizeBlock(txs=[tx], height=1, time=t, hash=b"s" * 32)),
                             frame(echo=abci.RequestEcho(message="alive")), FLUSH)
            *refused, echo, _ = await stray.receive(5)
            assert [r.WhichOneof("value") for r in refused] == ["exception"] * 3
            assert all("consensus connection" in r.exception.error for r in refused)
            assert echo.echo.message == "alive"
            assert app.store.height == 0 and app.staged is None
            block = [tx, app.outcome_of(1, t.seconds, [tx])]  # as its proposer would end it
            await consensus.send(frame(finalize_block=abci.RequestFinalizeBlock(txs=block, height=1, time=t, hash=b"h" * 32)),
                                 frame(commit=abci.RequestCommit()), FLUSH)
            finalized, _, _ = await consensus.receive(3)
            assert [r.code for r in finalized.finalize_block.tx_results] == [Code.OK, Code.OK]
            assert app.store.height == 1
            await consensus.close()
            await asyncio.sleep(0.1)  # the server sees the close and frees the role
            successor = await Conn.open(listen)
            t2 = ts(GENESIS_TIME + 6)
            empty = [app.outcome_of(2, t2.seconds, [])]
            await successor.send(frame(finalize_block=abci.RequestFinalizeBlock(txs=empty, height=2, time=t2, hash=b"i" * 32)),
                                 frame(commit=abci.RequestCommit()), FLUSH)
            finalized, _, _ = await successor.receive(3)
            assert finalized.WhichOneof("value") == "finalize_block" and app.store.height == 2
            for c in (stray, successor):
                await c.close()

    run(scenario())


def test_failing_query_handler_answers_internal_not_an_exception(tmp_path, actors_state, monkeypatch):
    _, app_state = actors_state
    app = Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)

    def broken(req):
        raise RuntimeError("a bug")

    async def scenario():
        async with serving(app) as listen:
            conn = await Conn.open(listen)
            await conn.send(init_chain_frame(app_state), FLUSH)
            await conn.receive(2)
            monkeypatch.setattr(app, "query", broken)
            async with serving(app) as listen2:
                probe = await Conn.open(listen2)
                await probe.send(frame(query=abci.RequestQuery(path="/params")), FLUSH)
                answer, _ = await probe.receive(2)
                assert answer.WhichOneof("value") == "query" and answer.query.code == Code.INTERNAL
                await probe.close()
            await conn.close()

    run(scenario())


def test_request_without_a_value_gets_an_exception_and_the_connection_stays(tmp_path):
    async def scenario():
        async with serving(Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)) as listen:
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
    tx = sealed(a.sign_tx(CHAIN_ID, 0, transfer(b, 10)))

    async def scenario():
        app = Application(tmp_path / "app", blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS, clock=lambda: GENESIS_TIME + 5)
        async with serving(app, f"unix://{tmp_path}/app.sock") as listen:
            consensus, mempool, query, snapshot = [await Conn.open(listen) for _ in range(4)]
            await consensus.send(init_chain_frame(app_state), FLUSH)
            await consensus.receive(2)

            await mempool.send(frame(check_tx=abci.RequestCheckTx(tx=tx)), FLUSH)
            assert (await mempool.receive(2))[0].check_tx.code == Code.OK
            await snapshot.send(frame(list_snapshots=abci.RequestListSnapshots()), FLUSH)
            assert (await snapshot.receive(2))[0].WhichOneof("value") == "list_snapshots"

            t = ts(GENESIS_TIME + 5)
            block = [tx, app.outcome_of(1, t.seconds, [tx])]  # what PrepareProposal will make of [tx, junk]
            await consensus.send(
                frame(prepare_proposal=abci.RequestPrepareProposal(max_tx_bytes=1 << 20, txs=[tx, b"junk"], height=1, time=t)),
                frame(process_proposal=abci.RequestProcessProposal(txs=block, height=1, time=t, hash=b"h" * 32)),
                frame(finalize_block=abci.RequestFinalizeBlock(txs=block, height=1, time=t, hash=b"h" * 32)),
                frame(commit=abci.RequestCommit()),
                FLUSH,
            )
            prepared, processed, finalized, _, _ = await consensus.receive(5)
            assert list(prepared.prepare_proposal.txs) == block
            assert processed.process_proposal.status == abci.ResponseProcessProposal.ACCEPT
            assert [r.code for r in finalized.finalize_block.tx_results] == [Code.OK, Code.OK]

            path = f"/balances/{b.address}"
            signed = b.signed_query(CHAIN_ID, path, GENESIS_TIME + 5)
            await query.send(frame(query=abci.RequestQuery(path=path, data=signed.data)), frame(info=abci.RequestInfo()), FLUSH)
            answer, info, _ = await query.receive(3)
            assert answer.query.code == Code.OK and answer.query.height == 1
            assert json.loads(signed.open(answer.query.value))["KAU25"] == 1_010
            assert info.info.last_block_app_hash == finalized.finalize_block.app_hash

            await mempool.send(frame(check_tx=abci.RequestCheckTx(tx=tx, type=abci.CheckTxType.RECHECK)), FLUSH)
            assert (await mempool.receive(2))[0].check_tx.code == Code.NONCE_REPLAYED
            for c in (consensus, mempool, query, snapshot):
                await c.close()

    run(scenario())


def test_a_flood_of_new_txs_is_refused_with_check_backlog_and_rechecks_are_not(tmp_path):
    junk = [bytes([i % 251]) * 2000 for i in range(120)]  # not envelopes: checked, they get MALFORMED_TX
    flood = [frame(check_tx=abci.RequestCheckTx(tx=tx, type=abci.CheckTxType.RECHECK if i % 10 == 0 else abci.CheckTxType.NEW))
             for i, tx in enumerate(junk)]

    async def go():
        app = Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)
        async with serving(app, check_backlog=64 * 1024) as listen:
            conn = await Conn.open(listen)
            await conn.send(*flood, FLUSH)
            answers = [r.check_tx for r in (await conn.receive(len(flood) + 1))[:-1]]
            refused = [i for i, a in enumerate(answers) if a.code == Code.CHECK_BACKLOG]
            assert refused and refused[0] < 20, "the flood is refused from its start, without checking it"
            assert all(i % 10 for i in refused), "a RECHECK is never refused"
            assert answers[refused[0]].codespace == "ets" and "again shortly" in answers[refused[0]].log
            assert answers[-1].code == Code.MALFORMED_TX, "the tail, under the bound again, is checked"
            assert all(answers[i].code == Code.MALFORMED_TX for i in range(0, len(flood), 10))
            await conn.send(frame(check_tx=abci.RequestCheckTx(tx=junk[0])), FLUSH)
            (alone, _) = await conn.receive(2)
            assert alone.check_tx.code == Code.MALFORMED_TX, "once caught up, new txs are checked again"
            await conn.close()
    run(go())
