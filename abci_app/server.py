"""The ABCI socket server: CometBFT's wire protocol over asyncio.

Frames are protobuf ``Request``/``Response`` messages, each preceded by its length as an
unsigned varint. CometBFT opens four connections (consensus, mempool, query, snapshot);
each is served in order, so answers go back FIFO per connection. Responses are buffered
and written out when CometBFT sends ``Flush`` (or the buffer grows large).

All handlers are synchronous and run on the event loop one at a time, so the application
never sees two requests at once. A failure while handling a consensus request stops the
process (fail-stop); on other connections it becomes a ``ResponseException``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from typing import Callable

from google.protobuf.message import DecodeError

from .errors import StorageError
from .proto import abci

__all__ = ["AbciServer", "encode_varint", "decode_varint", "parse_listen"]

log = logging.getLogger("abci_app.server")
MAX_FRAME = 256 * 1024 * 1024
_CONSENSUS = frozenset({"init_chain", "prepare_proposal", "process_proposal", "finalize_block", "commit", "extend_vote", "verify_vote_extension"})
_WRITE_HIGH_WATER = 4 * 1024 * 1024
_YIELD_EVERY = 32


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


class AbciServer:
    def __init__(self, app, listen: str):
        self.app = app
        self.listen = listen
        self._handlers: dict[str, Callable] = {}
        for field in abci.Request.DESCRIPTOR.oneofs_by_name["value"].fields:
            handler = getattr(app, field.name, None)
            if handler is not None:
                self._handlers[field.name] = handler
        self._server: asyncio.base_events.Server | None = None
        self._stopped = asyncio.Event()

    def _dispatch(self, request) -> bytes:
        kind = request.WhichOneof("value")
        handler = self._handlers.get(kind)
        try:
            if handler is None:
                raise NotImplementedError(f"no handler for ABCI request {kind!r}")
            response = abci.Response(**{kind: handler(getattr(request, kind))})
        except StorageError as exc:
            log.critical("storage failure, stopping: %s", exc)
            os._exit(70)
        except Exception as exc:  # the boundary where a failure must not corrupt consensus
            if kind in _CONSENSUS:
                log.critical("consensus request %s failed, stopping: %r", kind, exc, exc_info=True)
                os._exit(70)
            log.error("request %s failed: %r", kind, exc, exc_info=True)
            response = abci.Response(exception=abci.ResponseException(error=f"{kind}: {exc}"))
        data = response.SerializeToString()
        return encode_varint(len(data)) + data

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername") or "unix"
        log.info("connection from %s", peer)
        buf = bytearray()
        out: list[bytes] = []
        pending = 0
        handled = 0
        try:
            while True:
                chunk = await reader.read(1 << 20)
                if not chunk:
                    break
                buf += chunk
                pos = 0
                while True:
                    header = decode_varint(buf, pos)
                    if header is None:
                        break
                    length, start = header
                    if length > MAX_FRAME:
                        raise ValueError(f"frame of {length} bytes exceeds the {MAX_FRAME} limit")
                    end = start + length
                    if end > len(buf):
                        break
                    request = abci.Request.FromString(bytes(buf[start:end]))
                    pos = end
                    frame = self._dispatch(request)
                    out.append(frame)
                    pending += len(frame)
                    if request.WhichOneof("value") == "flush" or pending > _WRITE_HIGH_WATER:
                        writer.write(b"".join(out))
                        out.clear()
                        pending = 0
                        await writer.drain()
                    handled += 1
                    if handled % _YIELD_EVERY == 0:
                        await asyncio.sleep(0)  # let the consensus connection in during a CheckTx flood
                if pos:
                    del buf[:pos]
        except (ConnectionError, asyncio.IncompleteReadError) as exc:
            log.info("connection %s closed: %r", peer, exc)
        except (ValueError, DecodeError) as exc:
            log.error("protocol error from %s, closing: %s", peer, exc)
        finally:
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
