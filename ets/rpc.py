"""A small client for CometBFT's JSON-RPC and the ETS queries behind ``abci_query``.

``ChainClient`` builds, signs and broadcasts transactions, waits for their commit, and
reads state. Errors form a small hierarchy:

    ChainError           base class
      RpcUnavailable     the node could not be reached (connection refused, timeout)
      TxRejectedError    the chain rejected a transaction: ``code`` and ``log`` say why
      QueryError         a query was refused: ``code`` and ``log`` say why
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from protocol.codec import tx_hash
from .keys import Signer
from protocol.replies import ReplyError

__all__ = ["ChainClient", "ChainError", "RpcUnavailable", "TxRejectedError", "QueryError", "TxCommit", "parse_block_time"]


class ChainError(Exception):
    """Base class of everything the chain client raises."""


class RpcUnavailable(ChainError):
    """The node's RPC could not be reached."""


class TxRejectedError(ChainError):
    def __init__(self, code: int, log: str, tx_hash_hex: str = "", stage: str = "check"):
        super().__init__(f"transaction rejected ({stage}) with code {code}: {log}")
        self.code, self.log, self.hash, self.stage = code, log, tx_hash_hex, stage


class QueryError(ChainError):
    def __init__(self, path: str, code: int, log: str):
        super().__init__(f"query {path} refused with code {code}: {log}")
        self.path, self.code, self.log = path, code, log


@dataclass(frozen=True)
class TxCommit:
    hash: str
    height: int
    code: int
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
            raise ChainError(f"{method} failed: {body['error'].get('message')} {body['error'].get('data', '')}")
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

    def next_nonce(self, address: str) -> int:
        return int(self.query(f"/nonce/{address}")["nonce"])

    def sign(self, signer: Signer, msg: dict[str, Any], nonce: int | None = None) -> bytes:
        if nonce is None:
            nonce = max(self._nonces.get(signer.address, 0), self.next_nonce(signer.address))
        self._nonces[signer.address] = nonce + 1
        return signer.sign_tx(self.chain_id, nonce, msg)

    def broadcast(self, tx: bytes) -> str:
        """Broadcast and wait for CheckTx; returns the tx hash (hex) or raises TxRejectedError."""
        result = self.call("broadcast_tx_sync", tx=base64.b64encode(tx).decode())
        if int(result["code"]) != 0:
            raise TxRejectedError(int(result["code"]), result.get("log", ""), result.get("hash", "").lower())
        return result["hash"].lower()

    def wait_for_tx(self, hash_hex: str, timeout: float = 30.0) -> TxCommit:
        deadline = time.monotonic() + timeout
        while True:
            try:
                result = self.call("tx", hash=base64.b64encode(bytes.fromhex(hash_hex)).decode())
                tx_result = result["tx_result"]
                return TxCommit(hash_hex, int(result["height"]), int(tx_result.get("code", 0)),
                                tx_result.get("log", ""), base64.b64decode(tx_result.get("data") or ""))
            except RpcUnavailable:
                raise
            except ChainError as exc:
                if "not found" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise ChainError(f"transaction {hash_hex} was not committed within {timeout:.0f}s") from None
            time.sleep(0.1)

    def submit(self, signer: Signer, msg: dict[str, Any], *, wait: bool = True, timeout: float = 30.0) -> TxCommit | str:
        """Sign, broadcast and (by default) wait for commit; raises TxRejectedError on any rejection."""
        tx = self.sign(signer, msg)
        try:
            hash_hex = self.broadcast(tx)
        except TxRejectedError:
            self._nonces.pop(signer.address, None)
            raise
        if not wait:
            return hash_hex
        commit = self.wait_for_tx(hash_hex, timeout)
        if commit.code != 0:
            self._nonces.pop(signer.address, None)
            raise TxRejectedError(commit.code, commit.log, hash_hex, stage="deliver")
        return commit

    # ------------------------------------------------------------ queries

    def query_raw(self, path: str, data: bytes = b"") -> tuple[int, bytes, str, int]:
        result = self.call("abci_query", path=path, data=data.hex())["response"]
        value = base64.b64decode(result.get("value") or "")
        return int(result.get("code", 0)), value, result.get("log", ""), int(result.get("height", 0))

    def query(self, path: str, reader: Signer | None = None) -> Any:
        """Read ``path``; with ``reader``, a signed query (one RPC) whose sealed answer only this call can open."""
        if reader is None:
            code, value, log, _ = self.query_raw(path)
        else:
            signed = reader.signed_query(self.chain_id, path, int(time.time()))
            code, value, log, _ = self.query_raw(path, signed.data)
            if code == 0:
                try:
                    value = signed.open(value)
                except ReplyError as exc:
                    raise ChainError(f"query {path}: the node's sealed answer could not be opened ({exc}); "
                                     "the node may be faulty or tampered with: ask another node") from None
        if code != 0:
            raise QueryError(path, code, log)
        return json.loads(value)

    def tx_status(self, tx: bytes) -> Any:
        return self.query(f"/tx/{tx_hash(tx).hex()}")
