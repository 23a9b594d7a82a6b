"""A small client for CometBFT's JSON-RPC and the ETS queries behind ``abci_query``.

``ChainClient`` builds, signs and broadcasts transactions, waits for their commit, and
reads state. Transactions are protocol messages (``protocol.messages``, e.g. ``Transfer(...)``):
each is checked with ``parse_message(msg.to_json())`` before it is signed, so a bad field is
an ``InvalidMessage`` that says which field, and nothing is sent. A plain ``dict`` is still
accepted and sent as it is (wire-format tests, callers not yet moved to the classes).

Errors form a small hierarchy; codes are ``protocol.codes.Code`` members (a number the
registry does not know stays an ``int``):

    ChainError           base class
      RpcUnavailable     the node could not be reached (connection refused, timeout)
      RpcError           the node answered the JSON-RPC call with an error (``method``, ``rpc_code``)
      CommitTimeout      a broadcast transaction was not seen committed in time (``hash``)
      TxRejectedError    the chain rejected a transaction: ``code`` and ``log`` say why, ``stage``
                         where ("check", "deliver")
        InvalidMessage   the message failed the protocol's own checks before signing (stage "client")
      QueryError         a query was refused: ``code`` and ``log`` say why
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Union

import httpx

from protocol.codec import tx_hash
from protocol.codes import Code, TxRejected
from protocol.messages import Message, Wire, parse_message
from protocol.exposure import PRIVATE
from protocol.private_tx import is_private, seal_to
from protocol.replies import ReplyError

from .keys import Signer

__all__ = [
    "ChainClient", "ChainError", "RpcUnavailable", "RpcError", "CommitTimeout", "TxRejectedError", "InvalidMessage",
    "QueryError", "TxCommit", "parse_block_time", "result_code", "checked_message",
]

Sendable = Union[Message, dict[str, Any]]


def result_code(value: int | str) -> Code | int:
    """A result code as the ``Code`` member it is registered as (unknown numbers stay ``int``)."""
    number = int(value)
    try:
        return Code(number)
    except ValueError:
        return number


class ChainError(Exception):
    """Base class of everything the chain client raises."""


class RpcUnavailable(ChainError):
    """The node's RPC could not be reached."""


class RpcError(ChainError):
    """The node answered a JSON-RPC call with an error object."""

    def __init__(self, method: str, rpc_code: int | None, message: str, data: str = ""):
        super().__init__(f"{method} failed: {message} {data}")
        self.method, self.rpc_code, self.message, self.data = method, rpc_code, message, data


class CommitTimeout(ChainError):
    """A transaction was broadcast but not seen in a committed block within the timeout."""

    def __init__(self, hash_hex: str, timeout: float):
        super().__init__(f"transaction {hash_hex} was not committed within {timeout:.0f}s")
        self.hash, self.timeout = hash_hex, timeout


class TxRejectedError(ChainError):
    def __init__(self, code: int, log: str, tx_hash_hex: str = "", stage: str = "check"):
        code = result_code(code)
        super().__init__(f"transaction rejected ({stage}) with code {int(code)}: {log}")
        self.code, self.log, self.hash, self.stage = code, log, tx_hash_hex, stage


class InvalidMessage(TxRejectedError):
    """A protocol message that fails the protocol's own checks; it was neither signed nor sent."""

    def __init__(self, code: int, log: str):
        super().__init__(code, log, stage="client")


class QueryError(ChainError):
    def __init__(self, path: str, code: int, log: str):
        code = result_code(code)
        super().__init__(f"query {path} refused with code {int(code)}: {log}")
        self.path, self.code, self.log = path, code, log


def checked_message(msg: Sendable) -> dict[str, Any]:
    """The ``msg`` object to sign: a protocol message checked by ``parse_message``, or a dict as it is."""
    if isinstance(msg, Wire):
        obj = msg.to_json()
        try:
            parse_message(obj)
        except TxRejected as exc:
            raise InvalidMessage(exc.code, f"{exc.log} (nothing was sent)") from None
        return obj
    if isinstance(msg, dict):
        return msg
    raise TypeError(f"a transaction message is a protocol.messages class (or a dict), not {type(msg).__name__}")


@dataclass(frozen=True)
class TxCommit:
    hash: str
    height: int
    code: Code | int
    log: str
    data: bytes


def parse_block_time(text: str) -> int:
    """CometBFT's RFC 3339 time with nanoseconds → unix seconds."""
    head = text.split(".")[0].rstrip("Z")
    return int(datetime.fromisoformat(head + "+00:00").timestamp())


class ChainClient:
    def __init__(self, rpc_url: str, *, timeout: float = 10.0, chain_id: str | None = None):
        self.rpc_url = rpc_url.rstrip("/")
        self._http = httpx.Client(base_url=self.rpc_url, timeout=timeout)
        self._chain_id = chain_id
        self._nonces: dict[str, int] = {}
        self._privacy: dict[str, Any] | None = None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ChainClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ raw RPC

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        try:
            response = self._http.post("/", json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        except (httpx.TransportError, OSError) as exc:
            raise RpcUnavailable(f"cannot reach {self.rpc_url} ({method}): {exc}") from None
        body = response.json()
        if "error" in body:
            error = body["error"]
            raise RpcError(method, error.get("code"), str(error.get("message")), str(error.get("data", "")))
        return body["result"]

    def status(self) -> dict[str, Any]:
        return self.call("status")

    @property
    def chain_id(self) -> str:
        if self._chain_id is None:
            self._chain_id = self.status()["node_info"]["network"]
        return self._chain_id

    def height(self) -> int:
        return int(self.status()["sync_info"]["latest_block_height"])

    def chain_time(self) -> int:
        return parse_block_time(self.status()["sync_info"]["latest_block_time"])

    # ------------------------------------------------------------ transactions

    def next_nonce(self, signer: Signer) -> int:
        """The signer's next nonce, read with a signed query (nonces are private: they show activity).
        An account the chain does not know yet has nonce 0 (its tx is then refused with ``UNKNOWN_SIGNER``)."""
        try:
            return int(self.query(f"/nonce/{signer.address}", reader=signer)["nonce"])
        except QueryError as exc:
            if exc.code == Code.UNKNOWN_SIGNER:
                return 0
            raise

    def privacy(self, refresh: bool = False) -> dict[str, Any]:
        """The keys private txs are sealed to (``/privacy``), kept until ``refresh``."""
        if self._privacy is None or refresh:
            self._privacy = self.query("/privacy")
        return self._privacy

    def seal(self, tx: bytes) -> bytes:
        """``tx`` sealed to the current execution key and the regulator's view key (``protocol.private_tx``)."""
        return seal_to(tx, self.privacy())

    def sign(self, signer: Signer, msg: Sendable, nonce: int | None = None) -> bytes:
        """The signed tx of ``msg`` (checked first, see ``checked_message``) with ``nonce`` or the next one;
        a private message (``protocol.exposure.PRIVATE``) comes back sealed, ready to broadcast."""
        body = checked_message(msg)
        if nonce is None:
            nonce = max(self._nonces.get(signer.address, 0), self.next_nonce(signer))
        self._nonces[signer.address] = nonce + 1
        tx = signer.sign_tx(self.chain_id, nonce, body)
        return self.seal(tx) if body.get("type") in PRIVATE else tx

    def private_result(self, signer: Signer, commit: "TxCommit") -> "TxCommit":
        """The real outcome of a committed private tx, read by its signer (``/tx/<hash>``, signed)."""
        record = self.query(f"/tx/{commit.hash}", reader=signer)
        return TxCommit(commit.hash, int(record["height"]), result_code(record["code"]), record["log"],
                        record.get("data", "").encode())

    def broadcast(self, tx: bytes) -> str:
        """Broadcast and wait for CheckTx; returns the tx hash (hex) or raises TxRejectedError."""
        result = self.call("broadcast_tx_sync", tx=base64.b64encode(tx).decode())
        if int(result["code"]) != Code.OK:
            raise TxRejectedError(int(result["code"]), result.get("log", ""), result.get("hash", "").lower())
        return result["hash"].lower()

    def find_tx(self, hash_hex: str) -> TxCommit | None:
        """The committed result of a transaction, or None while no block holds it (``tx_search`` by hash)."""
        found = self.call("tx_search", query=f"tx.hash='{hash_hex.upper()}'")
        txs = found.get("txs") or []
        if not txs:
            return None
        result = txs[0]
        tx_result = result["tx_result"]
        return TxCommit(hash_hex, int(result["height"]), result_code(tx_result.get("code", 0)),
                        tx_result.get("log", ""), base64.b64decode(tx_result.get("data") or ""))

    def wait_for_tx(self, hash_hex: str, timeout: float = 30.0) -> TxCommit:
        """Poll until the transaction is committed; ``CommitTimeout`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            commit = self.find_tx(hash_hex)
            if commit is not None:
                return commit
            if time.monotonic() > deadline:
                raise CommitTimeout(hash_hex, timeout)
            time.sleep(0.1)

    def submit(self, signer: Signer, msg: Sendable, *, wait: bool = True, timeout: float = 30.0) -> TxCommit | str:
        """Check, sign, broadcast and (by default) wait for commit; raises TxRejectedError on any rejection."""
        tx = self.sign(signer, msg)
        try:
            try:
                hash_hex = self.broadcast(tx)
            except TxRejectedError as exc:
                if exc.code != Code.UNKNOWN_KEY_EPOCH:
                    raise
                self.privacy(refresh=True)  # the execution key was rotated since it was read: seal again
                self._nonces.pop(signer.address, None)
                tx = self.sign(signer, msg)
                hash_hex = self.broadcast(tx)
        except TxRejectedError:
            self._nonces.pop(signer.address, None)
            raise
        if not wait:
            return hash_hex
        commit = self.wait_for_tx(hash_hex, timeout)
        if is_private(tx):
            commit = self.private_result(signer, commit)
        if commit.code != Code.OK:
            self._nonces.pop(signer.address, None)
            raise TxRejectedError(commit.code, commit.log, hash_hex, stage="deliver")
        return commit

    # ------------------------------------------------------------ queries

    def query_raw(self, path: str, data: bytes = b"") -> tuple[Code | int, bytes, str, int]:
        result = self.call("abci_query", path=path, data=data.hex())["response"]
        value = base64.b64decode(result.get("value") or "")
        return result_code(result.get("code", 0)), value, result.get("log", ""), int(result.get("height", 0))

    def _read(self, path: str, reader: Signer | None, height: int = 0, prove: bool = False) -> tuple[bytes, dict[str, Any]]:
        """One ``abci_query``: (the answer's bytes, opened if signed by ``reader``; the whole response).
        A refusal raises ``QueryError``; an answer that cannot be opened, ``ChainError``."""
        signed = reader.signed_query(self.chain_id, path, int(time.time())) if reader is not None else None
        params: dict[str, Any] = {"path": path, "data": signed.data.hex() if signed else ""}
        if prove:
            params["prove"] = True
        if height:
            params["height"] = str(height)
        result = self.call("abci_query", **params)["response"]
        code = result_code(result.get("code", 0))
        if code != Code.OK:
            raise QueryError(path, code, result.get("log", ""))
        value = base64.b64decode(result.get("value") or "")
        if signed is not None:
            try:
                value = signed.open(value)
            except ReplyError as exc:
                raise ChainError(f"query {path}: the node's sealed answer could not be opened ({exc}); "
                                 "the node may be faulty or tampered with: ask another node") from None
        return value, result

    def query_state(self, key: str, reader: Signer | None = None, height: int = 0) -> tuple[dict[str, Any], bytes, int]:
        """One raw state key with its proof (``/state/<key>``, prove=true): (answer, proof bytes, height).

        ``answer`` is ``{"key", "height", "value" (base64 or None), "blind" (hex)}``, opened for a signed
        query. Nothing here is trusted yet: ``ets.verify`` checks the proof against a verified header."""
        path = f"/state/{key}"
        value, result = self._read(path, reader, height, prove=True)
        ops = ((result.get("proofOps") or {}).get("ops")) or []
        if len(ops) != 1:
            raise ChainError(f"query {path}: the node sent {len(ops)} proof ops, expected one")
        try:
            answer = json.loads(value)
            proof = base64.b64decode(ops[0].get("data") or "", validate=True)
        except (ValueError, TypeError) as exc:
            raise ChainError(f"query {path}: the node's answer is malformed ({exc})") from None
        if not isinstance(answer, dict) or ops[0].get("type") != "ets:smt:v1":
            raise ChainError(f"query {path}: the node's answer is not a state proof")
        return answer, proof, int(result.get("height", 0))

    def query(self, path: str, reader: Signer | None = None) -> Any:
        """Read ``path``; with ``reader``, a signed query (one RPC) whose sealed answer only this call can open."""
        return json.loads(self._read(path, reader)[0])

    def query_or_none(self, path: str, reader: Signer | None = None) -> Any:
        """``query``, but None when nothing is stored under ``path`` (``Code.NOT_FOUND``)."""
        try:
            return self.query(path, reader)
        except QueryError as exc:
            if exc.code == Code.NOT_FOUND:
                return None
            raise

    def tx_status(self, tx: bytes, reader: Signer | None = None) -> Any:
        """The committed result of ``tx``; a private tx's only for its signer or an official (``reader``)."""
        return self.query(f"/tx/{tx_hash(tx).hex()}", reader=reader)
