"""Proving one stored reading against the Merkle root the chain holds for its day.

``prove_reading`` takes the reading from the spool, rebuilds that day's tree from the
spool's readings (seq order), makes the inclusion proof, then checks it against the root
in the chain's public ``/emissions/daily`` record — not against the spool's own root — and
checks the reading's signature with the device key registered on chain. The verdict is
``proven`` only when all of this holds.
"""

from __future__ import annotations

from typing import Any

from protocol.merkle import leaf_hash, MerkleTree, verify_proof
from protocol.readings import PublicKeyVerifier

from ets.rpc import ChainClient

from .errors import EdgeError
from .spool import Spool

__all__ = ["prove_reading"]


def prove_reading(spool: Spool, *, device: str, day: str, seq: int, client: ChainClient) -> dict[str, Any]:
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

    rows = client.query(f"/emissions/daily?device={device}&from={day}&to={day}")
    chain = next((r for r in rows if r.get("day") == day), None)
    account = client.query(f"/account/{device}")
    problems: list[str] = []
    if chain is None:
        problems.append(f"the chain has no daily total of device {device} for {day}")
    chain_root = chain.get("merkle_root") if chain else None
    proof_ok = bool(chain_root) and verify_proof(leaf_bytes, proof, bytes.fromhex(chain_root))
    if chain is not None and not proof_ok:
        problems.append("the proof does not lead to the chain's root: the reading or the day's readings differ from what was posted")
    if chain is not None and chain.get("readings") != proof.size:
        problems.append(f"the chain's record counts {chain.get('readings')} readings for the day, the spool has {proof.size}")
    signature_ok = PublicKeyVerifier(bytes.fromhex(account["public_key"])).verify(signed)
    if not signature_ok:
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
        "signature_valid": signature_ok,
        "proof_valid": proof_ok,
        "rule": "leaf = sha256(0x00 || canonical reading); node = sha256(0x01 || left || right); odd last node promoted",
    }
