"""Facts proven against a header the validators signed: a company's balances, devices' daily totals.

What a page shows it reads with the JSON queries of the other modules; this module proves the
same figures with ``ets.verify.verify_state`` (the check ``ets verify`` runs): each raw state key
(``protocol.state_keys``) with its Merkle proof, against the app hash of a header that the
light client (``ets.light``) verified from the trusted genesis. The outcome is a ``Verification``:

    verified      every value proven at one height and equal to what the page shows
    discrepancy   proven, but the node's JSON answer differs from the proven value (listed)
    failed        the proof, a header or the node failed (``failure`` says what); nothing proven
    untrusted     no trusted genesis is configured, so nothing was checked

    check_balances(client, light, address, reader, shown)     {instrument: tonnes available}
    verified_balances(client, light, address, reader)         (balances frame, Verification)
    check_daily_totals(client, light, records)                rows of emissions.emissions_daily

``light`` is anything with ``verified_header(height)``: an ``ets.light.LightClient``, or
``SharedLight``, the one the portal process shares between its sessions (each Streamlit session
runs in its own thread and a light client is not thread-safe, so a lock serialises its use; it is
built on first use). Values are proven at the block before the node's latest (``_recent_height``),
whose header is already signed, so no check waits for a block. Nothing here raises for a node
that fails or lies: it becomes a ``failed`` outcome, and the RPC address is never in its text.
No Streamlit: the page side is ``portal.verified``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping

import httpx
import pandas as pd

from ets.keys import Signer
from ets.light import LightClient, TrustOptions, VerificationError, VerifiedHeader
from ets.rpc import ChainClient, ChainError, RpcUnavailable
from ets.verify import VerifiedValue, verify_state
from protocol import state_keys

from ._base import KST
from .holdings import balances

__all__ = ["VERIFIED", "DISCREPANCY", "FAILED", "UNTRUSTED", "SharedLight", "SignedBlock", "Discrepancy", "Verification",
           "untrusted", "failed", "check_balances", "verified_balances", "check_daily_totals", "MAX_RECORDS"]

VERIFIED, DISCREPANCY, FAILED, UNTRUSTED = "verified", "discrepancy", "failed", "untrusted"
MAX_RECORDS = 8  # daily totals proven in one check (each is one RPC)
_HEADER_WAIT = 5.0  # seconds verify_state may wait for a header (only when asked for the latest height)
_URL = re.compile(r"https?://\S+")
_LOG = logging.getLogger(__name__)
_RECORD_FIELDS = (("total", "total_kg", "total (kg)"), ("readings", "readings", "readings"),
                  ("substituted", "substituted", "substituted readings"), ("merkle_root", "merkle_root", "Merkle root"))


class SharedLight:
    """One light client for every thread of a process: built on first use, used under a lock."""

    def __init__(self, client: ChainClient, trust: TrustOptions, store_path: Path | None):
        self._client, self._trust, self._store_path = client, trust, store_path
        self._lock = threading.Lock()
        self._light: LightClient | None = None

    def verified_header(self, height: int | None = None) -> VerifiedHeader:
        with self._lock:
            if self._light is None:
                if self._store_path is not None:
                    try:
                        self._store_path.parent.mkdir(parents=True, exist_ok=True)
                    except OSError as exc:
                        raise VerificationError("the light client's store folder cannot be created: "
                                                f"{exc.strerror or exc}") from None
                self._light = LightClient(self._client, self._trust, store_path=self._store_path)
            return self._light.verified_header(height)


@dataclass(frozen=True)
class SignedBlock:
    """The verified header a check ended at: the state after ``height`` is committed to by block ``block``."""

    height: int
    block: int
    signers: int
    validators: int
    signed_power: int
    total_power: int
    time_kst: str  # the block's time
    app_hash: str

    @classmethod
    def of(cls, fact: VerifiedValue) -> "SignedBlock":
        h = fact.header
        when = datetime.fromtimestamp(h.time.ns // 1_000_000_000, KST).strftime("%Y-%m-%d %H:%M:%S KST")
        return cls(fact.height, h.height, h.signers, h.validators, h.signed_power, h.total_power, when,
                   h.app_hash.hex().upper())


@dataclass(frozen=True)
class Discrepancy:
    """One figure where the node's JSON answer and the proven value differ."""

    what: str
    shown: str
    proven: str


@dataclass(frozen=True)
class Verification:
    """The outcome of one check; ``block`` is set when something was proven (verified, discrepancy)."""

    status: str
    block: SignedBlock | None = None
    discrepancies: tuple[Discrepancy, ...] = ()
    failure: str = ""
    unreachable: bool = False
    checked: int = 0

    @property
    def ok(self) -> bool:
        return self.status == VERIFIED


def untrusted() -> Verification:
    return Verification(UNTRUSTED)


def failed(what: str, *, unreachable: bool = False) -> Verification:
    return Verification(FAILED, failure=_URL.sub("the node", what), unreachable=unreachable)


def _recent_height(client: ChainClient) -> int:
    """The block before the node's latest: its state's root is in the latest header, signed already."""
    return max(0, client.height() - 1)


def _prove(client: ChainClient, light: Any, keys: list[str], reader: Signer | None,
           height: int) -> list[VerifiedValue]:
    """Every key proven at one height (the first fixes it when ``height`` is 0)."""
    facts: list[VerifiedValue] = []
    for key in keys:
        fact = verify_state(client, light, key, reader=reader, height=height, wait=_HEADER_WAIT)
        height = fact.height
        facts.append(fact)
    return facts


def _guarded(run, doing: str) -> Verification:
    """``run()``, with every way a node can fail or lie turned into a ``failed`` outcome."""
    try:
        return run()
    except VerificationError as exc:
        _LOG.warning("verification failed while %s: %s", doing, exc)
        return failed(exc.what)
    except RpcUnavailable as exc:
        _LOG.warning("chain node unreachable while %s: %s", doing, exc)  # names the RPC address: log only
        return failed(f"the chain node could not be reached while {doing}", unreachable=True)
    except ChainError as exc:
        _LOG.warning("chain error while %s: %s", doing, exc)
        return failed(f"{doing}: {exc}")
    except (ValueError, TypeError, KeyError, httpx.HTTPError) as exc:
        _LOG.warning("unreadable answer while %s: %r", doing, exc)
        return failed(f"{doing}: the node's answer could not be read ({type(exc).__name__})")


def _tonnes(fact: VerifiedValue) -> int:
    return 0 if fact.value is None else int(fact.value.decode("ascii"))


def check_balances(client: ChainClient, light: Any, address: str, reader: Signer, shown: Mapping[str, int], *,
                   height: int | None = None) -> Verification:
    """Prove ``address``'s available tonnes of each instrument in ``shown`` at one height and compare.

    ``height`` None: the block before the latest; 0: the latest (waits for its header)."""
    def run() -> Verification:
        instruments = sorted(shown)
        if not instruments:
            return Verification(VERIFIED, checked=0)
        at = _recent_height(client) if height is None else height
        facts = _prove(client, light, [state_keys.balance(address, i) for i in instruments], reader, at)
        wrong = tuple(Discrepancy(f"{i} available", f"{int(shown[i]):,} t", f"{_tonnes(f):,} t")
                      for i, f in zip(instruments, facts) if _tonnes(f) != int(shown[i]))
        return Verification(DISCREPANCY if wrong else VERIFIED, SignedBlock.of(facts[-1]), wrong, checked=len(facts))
    return _guarded(run, "verifying the balances")


def verified_balances(client: ChainClient, light: Any, address: str, reader: Signer) -> tuple[pd.DataFrame, Verification]:
    """``holdings.balances`` and its proof. A block may change a balance between the read and the proof, so
    a discrepancy is checked once more: a fresh read, proven at the latest height; only a second one stands.

    Raises what ``holdings.balances`` raises (the page reports a refused or failed read itself)."""
    frame = balances(client, address, reader)
    check = check_balances(client, light, address, reader, _amounts(frame))
    if check.status == DISCREPANCY:
        frame = balances(client, address, reader)
        check = check_balances(client, light, address, reader, _amounts(frame), height=0)
    return frame, check


def _amounts(frame: pd.DataFrame) -> dict[str, int]:
    return {str(r.instrument): int(r.amount) for r in frame.itertuples()}


def _record_text(name: str, value: Any) -> str:
    if value is None:
        return "none"
    return f"{int(value):,}" if name != "merkle_root" else str(value)


def check_daily_totals(client: ChainClient, light: Any, records: Iterable[Mapping[str, Any]]) -> Verification:
    """Prove each record's daily total (device, day; at most ``MAX_RECORDS``) and compare the shown figures.

    A record is a row of ``emissions.emissions_daily`` (or a dict with its columns). Daily totals
    are written once, so the proven record must equal the shown one at any later height."""
    rows = [dict(r) for r in records][:MAX_RECORDS]

    def run() -> Verification:
        if not rows:
            return Verification(VERIFIED, checked=0)
        keys = [state_keys.daily_total(str(r["device"]), str(r["day"])) for r in rows]
        facts = _prove(client, light, keys, None, _recent_height(client))
        wrong: list[Discrepancy] = []
        for row, fact in zip(rows, facts):
            where = f"device {str(row['device'])[:10]}… on {row['day']}"
            if fact.value is None:
                wrong.append(Discrepancy(where, "a daily total", "proven absent"))
                continue
            proven = json.loads(fact.value)
            for key, column, label in _RECORD_FIELDS:
                shown_value, proven_value = row.get(column), proven.get(key)
                if (str(shown_value) if key == "merkle_root" else _as_int(shown_value)) != (
                        str(proven_value) if key == "merkle_root" else _as_int(proven_value)):
                    wrong.append(Discrepancy(f"{where}: {label}", _record_text(key, shown_value),
                                             _record_text(key, proven_value)))
        return Verification(DISCREPANCY if wrong else VERIFIED, SignedBlock.of(facts[-1]), tuple(wrong),
                            checked=len(facts))
    return _guarded(run, "verifying the daily totals")


def _as_int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None
