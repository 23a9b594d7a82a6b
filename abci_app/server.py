"""The ABCI socket server: CometBFT's wire protocol over asyncio.

Frames are protobuf ``Request``/``Response`` messages, each preceded by its length as an
unsigned varint. CometBFT opens four connections (consensus, mempool, query, snapshot);
each is served in order, so answers go back FIFO per connection. Responses are buffered
and written out when CometBFT sends ``Flush`` (or the buffer grows large).

All handlers are synchronous and run on the event loop one at a time, so the application
never sees two requests at once.

What no input may do (CometBFT stops the whole node when a connection closes or gets a
``ResponseException``, and RPC clients reach the query and mempool connections):

* A request that cannot be parsed (a query path that is not UTF-8, a wrong oneof, a broken
  field) is answered with the typed response of its kind carrying ``MALFORMED_REQUEST``;
  an unexpected failure while handling a query or CheckTx is answered the same way with
  ``INTERNAL``. A frame whose kind cannot even be read gets a ``ResponseException``, which
  only the sender sees: CometBFT never sends such frames.
* A frame above ``MAX_FRAME`` is answered with a ``ResponseException`` and its bytes are
  skipped as they arrive, without buffering them. Only a length prefix longer than 64 bits
  closes the connection: after it no frame boundary can be found again.
* A flood of new txs is refused, not queued: when more than ``check_backlog`` bytes of requests wait
  on a connection (read but not yet answered, plus what the kernel holds for it), a NEW CheckTx is
  answered at once with ``CHECK_BACKLOG`` instead of being executed. CometBFT waits for every queued
  CheckTx before each Commit, so an unbounded queue would stall the chain; a RECHECK is never refused.
* Consensus requests (InitChain, PrepareProposal, ..., Commit) are accepted on one
  connection only: the first that sends one claims the role until it closes. The same
  requests from any other connection are refused with a ``ResponseException`` and touch
  nothing. A failure while handling a consensus request on that connection stops the
  process (fail-stop): CometBFT replays the block after restart rather than diverge.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import signal
import struct
import termios
from typing import Callable

from google.protobuf.message import DecodeError

from .errors import StorageError
from protocol.codes import Code, CODESPACE
from .proto import abci

__all__ = ["AbciServer", "encode_varint", "decode_varint", "parse_listen"]

log = logging.getLogger("abci_app.server")
MAX_FRAME = 64 * 1024 * 1024  # far above CometBFT's block and RPC limits
_CONSENSUS = frozenset({"init_chain", "prepare_proposal", "process_proposal", "finalize_block", "commit", "extend_vote", "verify_vote_extension"})
_KIND_BY_NUMBER = {f.number: f.name for f in abci.Request.DESCRIPTOR.oneofs_by_name["value"].fields}
_WRITE_HIGH_WATER = 4 * 1024 * 1024
_YIELD_EVERY = 32
_MAX_LOG = 200
CHECK_BACKLOG = 1 << 20  # bytes of waiting requests (~1,300 txs, about a second of checks) before NEW CheckTx are refused
MIN_BACKLOG, MAX_BACKLOG = 64 * 1024, 64 << 20  # what --check-backlog accepts
_BACKLOG_LOG = "this validator has too many txs waiting to be checked; send the tx again shortly, or to another validator"


def _refusal(kind: str | None, code: Code, log_text: str) -> abci.Response:
    """The answer to a request that failed without touching state: its own response type where
    that type can say "refused" without a ``ResponseException``, which would stop CometBFT."""
    text = log_text[:_MAX_LOG]
    if kind == "query":
        return abci.Response(query=abci.ResponseQuery(code=code, log=text, codespace=CODESPACE))
    if kind == "check_tx":
        return abci.Response(check_tx=abci.ResponseCheckTx(code=code, log=text, codespace=CODESPACE))
    if kind == "insert_tx":
        return abci.Response(insert_tx=abci.ResponseInsertTx(code=code))
    if kind == "echo":
        return abci.Response(echo=abci.ResponseEcho(message=""))
    if kind == "flush":
        return abci.Response(flush=abci.ResponseFlush())
    if kind == "reap_txs":
        return abci.Response(reap_txs=abci.ResponseReapTxs())
    if kind == "list_snapshots":
        return abci.Response(list_snapshots=abci.ResponseListSnapshots())
    if kind == "load_snapshot_chunk":
        return abci.Response(load_snapshot_chunk=abci.ResponseLoadSnapshotChunk())
    if kind == "offer_snapshot":
        return abci.Response(offer_snapshot=abci.ResponseOfferSnapshot(result=abci.ResponseOfferSnapshot.REJECT))
    if kind == "apply_snapshot_chunk":
        return abci.Response(apply_snapshot_chunk=abci.ResponseApplySnapshotChunk(result=abci.ResponseApplySnapshotChunk.ABORT))
    return abci.Response(exception=abci.ResponseException(error=f"{kind or 'request'}: {text}"))


def _request_kind(data: bytes) -> str | None:
    """The oneof field of a ``Request`` that protobuf could not parse, read from its top-level
    wire tags (the last one wins, as in protobuf); None if no known field can be found."""
    kind, pos = None, 0
    try:
        while pos < len(data):
            tag = decode_varint(data, pos)
            if tag is None:
                break
            key, pos = tag
            wire = key & 7
            if wire == 0:
                value = decode_varint(data, pos)
                if value is None:
                    break
                pos = value[1]
            elif wire == 2:
                value = decode_varint(data, pos)
                if value is None:
                    break
                pos = value[1] + value[0]
                if key >> 3 in _KIND_BY_NUMBER:
                    kind = _KIND_BY_NUMBER[key >> 3]
            elif wire in (1, 5):
                pos += 8 if wire == 1 else 4
            else:
                break
    except ValueError:
        pass
    return kind


def encode_varint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def decode_varint(buf: bytes | bytearray, pos: int) -> tuple[int, int] | None:
    """(value, next position), or None if the varint is not complete yet."""
    result = shift = 0
    while pos < len(buf):
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 64 bits")
    return None


def parse_listen(address: str) -> tuple[str, str | int | None]:
    """``tcp://HOST:PORT`` or ``unix:///path`` → (kind, host/path, port)."""
    if address.startswith("unix://"):
        return "unix", address[len("unix://"):], None  # type: ignore[return-value]
    rest = address[len("tcp://"):] if address.startswith("tcp://") else address
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"listen address {address!r} should look like tcp://127.0.0.1:26658 or unix:///path/app.sock")
    return "tcp", host, int(port)  # type: ignore[return-value]


class _Connection:
    """What the server knows about one connection: its peer, whether it holds the consensus role, and
    whether its requests are backed up (``backlogged``: new txs are refused until it catches up)."""

    __slots__ = ("peer", "consensus", "backlogged", "_fd")

    def __init__(self, peer: object, fd: int = -1):
        self.peer = peer
        self.consensus = False
        self.backlogged = False
        self._fd = fd

    def kernel_bytes(self) -> int:
        """Bytes the kernel holds for this connection that the server has not read yet."""
        if self._fd < 0:
            return 0
        try:
            return struct.unpack("i", fcntl.ioctl(self._fd, termios.FIONREAD, b"\0\0\0\0"))[0]
        except OSError:
            return 0


class AbciServer:
    def __init__(self, app, listen: str, *, max_frame: int = MAX_FRAME, check_backlog: int = CHECK_BACKLOG):
        self.app = app
        self.listen = listen
        self.max_frame = max_frame
        self.check_backlog = check_backlog
        self._handlers: dict[str, Callable] = {}
        for field in abci.Request.DESCRIPTOR.oneofs_by_name["value"].fields:
            handler = getattr(app, field.name, None)
            if handler is not None:
                self._handlers[field.name] = handler
        self._server: asyncio.base_events.Server | None = None
        self._stopped = asyncio.Event()
        self._consensus_conn: _Connection | None = None

    def _count_refusal(self) -> None:
        metrics = getattr(self.app, "metrics", None)
        if metrics is not None:
            metrics.count_tx("check", Code.CHECK_BACKLOG)

    def _claims_consensus(self, conn: _Connection, kind: str) -> bool:
        if self._consensus_conn is None:
            self._consensus_conn = conn
            conn.consensus = True
            log.info("consensus connection is %s (first %s)", conn.peer, kind)
        return self._consensus_conn is conn

    def _dispatch_frame(self, conn: _Connection, data: bytes) -> tuple[bytes, str | None]:
        """Answer one request frame; returns (framed response, request kind)."""
        try:
            request = abci.Request.FromString(data)
        except (DecodeError, ValueError) as exc:
            kind = _request_kind(data)
            if kind in _CONSENSUS and conn.consensus:
                log.critical("unparseable %s on the consensus connection, stopping: %s", kind, exc)
                os._exit(70)
            log.warning("unparseable %s request from %s: %s", kind or "unknown", conn.peer, exc)
            response = _refusal(kind, Code.MALFORMED_REQUEST,
                                "the request could not be parsed (a string field that is not UTF-8, or a broken field)")
        else:
            kind = request.WhichOneof("value")
            if kind == "check_tx" and conn.backlogged and request.check_tx.type != abci.CheckTxType.RECHECK:
                self._count_refusal()
                return _BUSY, kind
            response = self._dispatch(conn, kind, request)
        return _encoded(response), kind

    def _dispatch(self, conn: _Connection, kind: str | None, request) -> abci.Response:
        handler = self._handlers.get(kind) if kind else None
        if handler is None:
            log.warning("request without a known value from %s (%s)", conn.peer, kind)
            return _refusal(None, Code.MALFORMED_REQUEST, f"no handler for ABCI request {kind!r}")
        if kind in _CONSENSUS and not self._claims_consensus(conn, kind):
            log.warning("%s from %s refused: another connection is the consensus connection", kind, conn.peer)
            return _refusal(None, Code.UNAUTHORIZED, f"{kind} is only served on the consensus connection")
        try:
            return abci.Response(**{kind: handler(getattr(request, kind))})
        except StorageError as exc:
            log.critical("storage failure, stopping: %s", exc)
            os._exit(70)
        except Exception as exc:  # the boundary where a failure must not corrupt consensus
            if kind in _CONSENSUS:
                log.critical("consensus request %s failed, stopping: %r", kind, exc, exc_info=True)
                os._exit(70)
            log.error("request %s failed: %r", kind, exc, exc_info=True)
            return _refusal(kind, Code.INTERNAL, f"internal error while handling {kind}")

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        conn = _Connection(writer.get_extra_info("peername") or "unix", sock.fileno() if sock is not None else -1)
        log.info("connection from %s", conn.peer)
        buf = bytearray()
        out: list[bytes] = []
        pending = 0
        handled = 0
        skip = 0  # bytes of an oversized frame still to discard
        try:
            while True:
                chunk = await reader.read(1 << 20)
                if not chunk:
                    break
                buf += chunk
                pos = 0
                conn.backlogged = len(buf) + conn.kernel_bytes() > self.check_backlog
                while True:
                    if skip:
                        dropped = min(skip, len(buf) - pos)
                        skip -= dropped
                        pos += dropped
                        if skip:
                            break
                    header = decode_varint(buf, pos)
                    if header is None:
                        break
                    length, start = header
                    if length > self.max_frame:
                        log.warning("frame of %d bytes from %s exceeds the %d limit; skipping it", length, conn.peer, self.max_frame)
                        limit_text = f"frame of {length} bytes exceeds the {self.max_frame} limit"
                        frame, kind = _encoded(_refusal(None, Code.MALFORMED_REQUEST, limit_text)), None
                        pos, skip = start, length
                    else:
                        end = start + length
                        if end > len(buf):
                            break
                        frame, kind = self._dispatch_frame(conn, bytes(buf[start:end]))
                        pos = end
                    out.append(frame)
                    pending += len(frame)
                    if kind == "flush" or pending > _WRITE_HIGH_WATER:
                        writer.write(b"".join(out))
                        out.clear()
                        pending = 0
                        await writer.drain()
                    handled += 1
                    if handled % _YIELD_EVERY == 0:
                        await asyncio.sleep(0)  # let the consensus connection in during a CheckTx flood
                        conn.backlogged = len(buf) - pos + conn.kernel_bytes() > self.check_backlog
                if pos:
                    del buf[:pos]
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            log.info("connection %s closed: %r", conn.peer, exc)
        except ValueError as exc:
            log.error("protocol error from %s, closing: %s", conn.peer, exc)
        finally:
            if self._consensus_conn is conn:
                self._consensus_conn = None
                log.info("consensus connection %s closed", conn.peer)
            writer.close()

    async def serve(self) -> None:
        kind, host, port = parse_listen(self.listen)
        if kind == "unix":
            self._server = await asyncio.start_unix_server(self._serve_connection, path=host)
        else:
            self._server = await asyncio.start_server(self._serve_connection, host=host, port=port, reuse_address=True)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stopped.set)
        log.info("ABCI server listening on %s (height %d)", self.listen, self.app.store.height)
        async with self._server:
            await self._stopped.wait()
        log.info("ABCI server stopped")


def _encoded(response: abci.Response) -> bytes:
    data = response.SerializeToString()
    return encode_varint(len(data)) + data


_BUSY = _encoded(abci.Response(check_tx=abci.ResponseCheckTx(code=Code.CHECK_BACKLOG, log=_BACKLOG_LOG, codespace=CODESPACE)))
