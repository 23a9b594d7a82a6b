"""Proving one stored reading, link by link, up to a block header the validators signed.

``prove_reading`` takes the reading from the spool, rebuilds that day's tree from the
spool's readings (seq order) and makes the inclusion proof; then

    reading  → the day's Merkle root      the inclusion proof (``protocol.merkle``)
    root     → the chain's state          the daily total record ``em/<device>/<day>`` holding that
                                          root, and the device's registry record (its public key),
                                          each with a state proof (``protocol.smt``)
    state    → a signed header            the app hash of the next header, verified by the
                                          validators' signatures from the genesis (``ets.light``)

and checks the reading's signature with the device key so proven. The verdict is ``proven``
only when every link holds; nothing a node says is taken on trust.
"""

from __future__ import annotations

from typing import Any

import json

from protocol import state_keys
from protocol.merkle import leaf_hash, MerkleTree, verify_proof
from protocol.readings import PublicKeyVerifier

from ets.light import LightClient, VerificationError
from ets.rpc import ChainClient
from ets.verify import verify_state

from .errors import EdgeError
from .spool import Spool

__all__ = ["prove_reading"]


def prove_reading(spool: Spool, *, device: str, day: str, seq: int, client: ChainClient, light: LightClient) -> dict[str, Any]:
    if device != spool.device:
        raise EdgeError(f"the spool belongs to device {spool.device}, not {device}")
    signed = spool.reading(seq)
    if signed is None:
        raise EdgeError(f"the spool has no reading with seq {seq}")
    if signed.reading.day != day:
        raise EdgeError(f"reading {seq} belongs to {signed.reading.day}, not {day}")
    record = spool.day(day)
    if record is None or record.status == "open":
        raise EdgeError(f"day {day} is not sealed yet in the spool; there is no root to prove against")
    readings = spool.readings_of(day)
    index = next(i for i, s in enumerate(readings) if s.reading.seq == seq)
    tree = MerkleTree.from_leaves(s.reading.canonical_bytes() for s in readings)
    proof = tree.proof(index)
    leaf_bytes = signed.reading.canonical_bytes()

    problems: list[str] = []
    chain = account = None
    state: dict[str, Any] = {}
    try:
        total = verify_state(client, light, state_keys.daily_total(device, day))
        registry = verify_state(client, light, state_keys.account(device), height=total.height)
        state = {"height": total.height, "app_hash": total.app_hash.hex().upper(), "header_height": total.header.height,
                 "signed_by": f"{total.header.signers} of {total.header.validators} validators",
                 "keys": [total.key, registry.key]}
        chain = None if total.value is None else json.loads(total.value)
        account = None if registry.value is None else json.loads(registry.value)
    except VerificationError as exc:
        problems.append(f"the chain's answer could not be verified: {exc}")
    if not problems and chain is None:
        problems.append(f"the chain holds no daily total of device {device} for {day} (proven absent at height {state['height']})")
    if not problems and account is None:
        problems.append(f"device {device} is not in the chain's registry (proven absent)")
    chain_root = chain.get("merkle_root") if chain else None
    proof_ok = bool(chain_root) and verify_proof(leaf_bytes, proof, bytes.fromhex(chain_root))
    if chain is not None and not proof_ok:
        problems.append("the proof does not lead to the chain's root: the reading or the day's readings differ from what was posted")
    if chain is not None and chain.get("readings") != proof.size:
        problems.append(f"the chain's record counts {chain.get('readings')} readings for the day, the spool has {proof.size}")
    signature_ok = account is not None and PublicKeyVerifier(bytes.fromhex(account["public_key"])).verify(signed)
    if account is not None and not signature_ok:
        problems.append("the reading's signature does not verify with the device key registered on chain")
    if tree.root.hex() != record.merkle_root:
        problems.append("the spool's readings no longer give the root the spool sealed (the spool was altered)")
    return {
        "verdict": "proven" if not problems else "not proven",
        "problems": problems,
        "reading": signed.reading.to_json(),
        "signature": signed.signature.hex(),
        "leaf_hash": leaf_hash(leaf_bytes).hex(),
        "proof": proof.to_json(),
        "root_spool": tree.root.hex(),
        "root_chain": chain_root,
        "chain_record": chain,
        "state_proof": state,
        "signature_valid": signature_ok,
        "proof_valid": proof_ok,
        "rule": "leaf = sha256(0x00 || canonical reading); node = sha256(0x01 || left || right); odd last node promoted; "
                "the day's record and the device key are proven in the state (protocol.smt) under a header the "
                "validators signed (ets.light)",
    }
