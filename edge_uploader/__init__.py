"""Edge uploader: MRV at the edge — signed hourly CO2 readings, a durable spool, daily totals on chain.

One uploader serves one edge device (one stack of one company site). It reads hourly CO2
values from its input (a CSV replay, a seeded synthetic stack, or a data logger over Modbus
TCP), signs each as a reading with the device key, checks it (signature, order, limits),
keeps it in a local SQLite spool, seals each finished KST day (missing hours substituted
with mean + 2σ and flagged, total, Merkle root) and posts the day's ``daily_total`` to the
chain exactly once. Any single reading can later be proven against the root on chain.

    readings   the reading, its canonical bytes and signature     merkle    root, proof, verify
    validity   limits, alarm, mean + 2σ substitution, outages     spool     SQLite, day state machine
    ingest     the checks every reading passes                    daybook   sealing a day
    node       the device core: sign, ingest, seal, replay clock  poster    daily_total to the chain
    sources/   csv replay, synthetic stack, Modbus data logger    modbus    Modbus TCP client (0x03)
    config     TOML + ETS_EDGE_* overrides                        service   the asyncio service
    metrics    Prometheus                                         sdnotify  systemd notify protocol
    logs       JSON logs                                          prove     proof against the chain
    cli        ``python -m edge_uploader`` / ``ets edge``         days      KST days and hours
"""

from protocol.merkle import merkle_root, MerkleProof, MerkleTree, verify_proof
from protocol.readings import Reading, sign_reading, SignedReading

from .errors import EdgeError
from .spool import DayRecord, Spool

__all__ = ["EdgeError", "MerkleProof", "MerkleTree", "merkle_root", "verify_proof", "Reading", "SignedReading",
           "sign_reading", "DayRecord", "Spool"]
