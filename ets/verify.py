"""Verified reads: a state value proven against a header the validators signed.

``verify_state`` asks a node for one raw state key with its proof (``/state/<key>``), asks
the light client (``ets.light``) for the header of the next height — whose ``app_hash`` is the
state root after the block the value was read at — and checks the proof (``protocol.smt``)
against that app hash. Nothing the node says is taken on trust: the value, the blinding factor,
the proof and the header each make the check fail if altered.

    with LightClient(url, TrustOptions.from_genesis("genesis.json"), store_path=...) as light:
        fact = verify_state(client, light, state_keys.balance(addr, "KAU25"), reader=signer)
        fact.value, fact.height, fact.app_hash, fact.header.signers, fact.header.validators

``VerifiedValue.to_json`` is the JSON ``ets verify`` prints.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from protocol import smt

from .keys import Signer
from .light import LightClient, TrustOptions, VerificationError, VerifiedHeader
from .rpc import ChainClient, ChainError

__all__ = ["VerifiedValue", "verify_state", "trust_root", "light_store_path", "trust_fingerprint", "NEXT_HEADER_WAIT"]

NEXT_HEADER_WAIT = 20.0  # seconds to wait for the header that commits to the value's height


def trust_root(genesis: str | Path | None = None, trust_height: int | None = None, trust_hash: str | None = None) -> TrustOptions:
    """What a verifying command trusts: a (height, header hash) obtained out of band, or the chain's
    genesis file (``genesis``, else the ``ETS_GENESIS`` environment variable). ``ValueError`` if neither."""
    if trust_height is not None or trust_hash:
        if trust_height is None or not trust_hash:
            raise ValueError("--trust-height and --trust-hash go together")
        return TrustOptions.from_hash(trust_height, trust_hash)
    genesis = genesis or os.environ.get("ETS_GENESIS")
    if genesis:
        return TrustOptions.from_genesis(Path(genesis))
    raise ValueError("verifying needs what you trust: --genesis FILE (the chain's published genesis.json, or set "
                     "ETS_GENESIS) or --trust-height H --trust-hash HEX obtained out of band")


def light_store_path(chain_id: str, trust: TrustOptions | None = None) -> Path:
    """Where a user's verified headers of ``chain_id`` are kept: ``~/.ets/light/<chain id>-<trust>.json``, one
    file per trust root, so a chain re-created under the same chain id (a new local network) starts afresh
    instead of being refused against the headers of the chain that was there before."""
    folder = Path.home() / ".ets" / "light"
    folder.mkdir(parents=True, exist_ok=True)
    if trust is None:
        return folder / f"{chain_id}.json"
    return folder / f"{chain_id}-{trust_fingerprint(trust)}.json"


def trust_fingerprint(trust: TrustOptions) -> str:
    """16 hex digits naming a trust root: the genesis (time, initial height, validators) or a trusted header."""
    h = hashlib.sha256()
    if trust.header_hash is not None:
        h.update(b"header %d " % trust.height + trust.header_hash)
    else:
        time = trust.genesis_time
        h.update(b"genesis %d %d %d " % (trust.initial_height, time.seconds if time else 0, time.nanos if time else 0))
        for validator in trust.genesis_validators:
            h.update(validator.pub_key + b"%d;" % validator.power)
    return h.hexdigest()[:16]


@dataclass(frozen=True)
class VerifiedValue:
    key: str
    value: bytes | None  # None: the key holds nothing (proven absent)
    height: int  # the state after this block
    header: VerifiedHeader  # height + 1: its app_hash is that state's root

    @property
    def app_hash(self) -> bytes:
        return self.header.app_hash

    def to_json(self, value: Any = None) -> dict[str, Any]:
        """``value`` is the decoded value to show (default: the raw value as text)."""
        if value is None and self.value is not None:
            value = self.value.decode("utf-8", "replace")
        return {
            "verified": True,
            "key": self.key,
            "value": value,
            "present": self.value is not None,
            "height": self.height,
            "app_hash": self.app_hash.hex().upper(),
            "header_height": self.header.height,
            "header_hash": self.header.header_hash.hex().upper(),
            "header_time": str(self.header.time),
            "signed_by": f"{self.header.signers} of {self.header.validators} validators",
            "signed_power": self.header.signed_power,
            "total_power": self.header.total_power,
        }


def _answer_parts(key: str, answer: dict[str, Any], height: int) -> tuple[bytes | None, bytes]:
    if answer.get("key") != key:
        raise VerificationError(f"the node answered for key {str(answer.get('key'))[:80]!r}, not {key!r}")
    if answer.get("height") != height:
        raise VerificationError(f"the node's answer is for height {answer.get('height')}, its response says {height}")
    try:
        blind = bytes.fromhex(answer["blind"])
        raw = answer["value"]
        value = None if raw is None else base64.b64decode(raw, validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise VerificationError(f"the node's answer for {key!r} is malformed") from None
    if len(blind) != 32:
        raise VerificationError(f"the node's blinding factor for {key!r} is not 32 bytes")
    return value, blind


def verify_state(client: ChainClient, light: LightClient, key: str, *, reader: Signer | None = None,
                 height: int = 0, wait: float = NEXT_HEADER_WAIT) -> VerifiedValue:
    """Read ``key`` (at ``height``, default the latest) and prove it; ``VerificationError`` says what failed."""
    answer, proof, at = client.query_state(key, reader, height)
    if height and at != height:
        raise VerificationError(f"asked for height {height}, the node answered for height {at}")
    value, blind = _answer_parts(key, answer, at)
    deadline = time.monotonic() + wait
    while True:
        try:
            header = light.verified_header(at + 1)
            break
        except VerificationError:
            raise
        except ChainError as exc:  # most often: that header is not made yet
            if time.monotonic() > deadline:
                raise ChainError(f"the header of height {at + 1}, which commits to the state of height {at}, "
                                 f"did not come within {wait:.0f}s: {exc}") from None
            time.sleep(0.3)
    try:
        smt.verify(header.app_hash, key, value, blind, proof)
    except smt.SmtError as exc:
        raise VerificationError(f"state proof of {key!r} at height {at} fails against the app hash "
                                f"{header.app_hash.hex().upper()} signed in header {header.height}: {exc}") from None
    return VerifiedValue(key, value, at, header)
