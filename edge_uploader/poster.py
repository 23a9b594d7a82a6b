"""Posting a sealed day to the chain as a ``daily_total`` signed by the device key.

``DayPoster.post`` is blocking (the service runs it in a worker thread) and never raises for
chain trouble: it returns a ``PostOutcome`` whose ``kind`` says what to do next.

    kind              done?  meaning
    posted            yes    committed with ``Code.OK`` (tx hash and height known)
    already_reported  yes    ``ALREADY_REPORTED``: this device already reported the day (a
                             previous attempt that committed before a crash); the chain's record
                             matches the spool
    conflict          yes    ``ALREADY_REPORTED``, but the chain's record differs from the spool (alert)
    not_yet           no     ``DAY_NOT_ENDED``: the day has not ended in block time yet
    nonce             no     ``NONCE_REPLAYED`` / ``NONCE_AHEAD``: a previous attempt is still in the mempool
    rejected          no     any other code (e.g. the device is not registered yet, or a day the
                             protocol's checks refuse before sending): retried slowly, never
                             skipped, logged as an error
    unreachable       no     the node could not be reached or did not commit in time

Each attempt signs afresh with the account's next nonce from the chain, so an attempt whose
tx was dropped never blocks the next one, and one that committed turns the retry into
``already_reported``: the chain's one-report-per-device-and-day rule makes posting
exactly-once whatever the uploader's crash timing.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from protocol.codes import Code

from ets.keys import Signer
from ets.rpc import ChainClient, ChainError, CommitTimeout, InvalidMessage, RpcUnavailable, TxRejectedError

from .spool import DayRecord

__all__ = ["DayPoster", "PostOutcome"]

_NONCE_CODES = (Code.NONCE_REPLAYED, Code.NONCE_AHEAD)


@dataclass(frozen=True, slots=True)
class PostOutcome:
    kind: str
    day: str
    tx_hash: str | None = None
    height: int | None = None
    code: Code | int | None = None
    log: str = ""

    @property
    def done(self) -> bool:
        return self.kind in ("posted", "already_reported", "conflict")


class DayPoster:
    def __init__(self, node: str, signer: Signer, *, timeout: float = 10.0, commit_timeout: float = 30.0,
                 stop: threading.Event | None = None):
        self.node = node
        self.signer = signer
        self.commit_timeout = commit_timeout
        self.stop = stop or threading.Event()
        self.client = ChainClient(node, timeout=timeout)

    def close(self) -> None:
        self.client.close()

    # ------------------------------------------------------------------ chain reads

    def daily_record(self, day: str) -> dict[str, Any] | None:
        rows = self.client.query(f"/emissions/daily?device={self.signer.address}&from={day}&to={day}")
        return next((r for r in rows if r.get("day") == day), None)

    def registration_problem(self, site: str, company: str) -> str | None:
        """None when the chain has this key as an edge device bound to ``site``/``company`` (when given)."""
        try:
            acct = self.client.query(f"/account/{self.signer.address}")
        except ChainError as exc:
            if isinstance(exc, RpcUnavailable):
                raise
            return f"device {self.signer.address} is not registered on chain ({exc}); a verifier must send register_device"
        if acct.get("role") != "edge_device":
            return f"account {self.signer.address} is a {acct.get('role')} account, not an edge_device"
        if site and acct.get("site") != site:
            return f"device {self.signer.address} is registered for site {acct.get('site')!r}, not {site!r}: check [device] site"
        if company and acct.get("company") != company:
            return f"device {self.signer.address} belongs to company {acct.get('company')}, not {company}: check [device] company"
        return None

    # ------------------------------------------------------------------ posting

    def _wait_commit(self, tx_hash: str) -> tuple[int, Code | int, str] | None:
        deadline = time.monotonic() + self.commit_timeout
        while not self.stop.is_set():
            try:
                commit = self.client.wait_for_tx(tx_hash, timeout=0.5)
                return commit.height, commit.code, commit.log
            except CommitTimeout:
                if time.monotonic() > deadline:
                    raise
        return None

    def post(self, record: DayRecord) -> PostOutcome:
        day = record.day
        msg = record.daily_total_msg()
        try:
            nonce = self.client.next_nonce(self.signer)
            tx = self.client.sign(self.signer, msg, nonce)
            tx_hash = self.client.broadcast(tx)
            committed = self._wait_commit(tx_hash)
            if committed is None:
                return PostOutcome("unreachable", day, tx_hash, log="stopping before the commit was seen")
            height, code, log = committed
            if code == Code.OK:
                return PostOutcome("posted", day, tx_hash, height, Code.OK)
        except InvalidMessage as exc:
            return PostOutcome("rejected", day, code=exc.code, log=exc.log)
        except TxRejectedError as exc:
            code, log, tx_hash, height = exc.code, exc.log, exc.hash or None, None
        except RpcUnavailable as exc:
            return PostOutcome("unreachable", day, log=str(exc))
        except ChainError as exc:
            return PostOutcome("unreachable", day, log=str(exc))
        if code == Code.ALREADY_REPORTED:
            return self._already_reported(record, log)
        if code == Code.DAY_NOT_ENDED:
            return PostOutcome("not_yet", day, tx_hash, code=code, log=log)
        if code in _NONCE_CODES:
            return PostOutcome("nonce", day, tx_hash, code=code, log=log)
        return PostOutcome("rejected", day, tx_hash, code=code, log=log)

    def _already_reported(self, record: DayRecord, log: str) -> PostOutcome:
        try:
            chain = self.daily_record(record.day)
        except ChainError as exc:
            return PostOutcome("unreachable", record.day, log=f"day already reported, but its record cannot be read: {exc}")
        if chain is None:
            return PostOutcome("rejected", record.day, code=Code.ALREADY_REPORTED, log=f"{log}; but no record is visible for the day")
        same = (chain.get("merkle_root"), chain.get("total"), chain.get("readings"), chain.get("substituted")) == (
            record.merkle_root, record.total, record.readings, record.substituted)
        return PostOutcome("already_reported" if same else "conflict", record.day, None, chain.get("height"), Code.ALREADY_REPORTED,
                           log if same else f"the chain holds root {chain.get('merkle_root')} total {chain.get('total')} "
                                            f"for {record.day}, the spool has root {record.merkle_root} total {record.total}")
