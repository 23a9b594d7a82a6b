"""Edge uploader figures: readings ingested per second with signature verification (one durable
commit per reading, and group commit), and the daily root and one proof for 1,000,000 readings
(time and peak memory).

    .venv/bin/python benchmarks/edge.py [--readings 1000000] [--ingest 20000] [--group 1000]

Prints the figures and writes ``benchmarks/results/edge-<time>.json``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from protocol.merkle import leaf_hash, merkle_root, MerkleTree, verify_proof  # noqa: E402
from protocol.readings import PublicKeyVerifier, Reading, sign_reading  # noqa: E402

from edge_uploader.ingest import Ingestor  # noqa: E402
from edge_uploader.spool import Spool  # noqa: E402
from edge_uploader.validity import Limits  # noqa: E402
from ets.keys import Signer  # noqa: E402
from _results import write_figures  # noqa: E402

HOUR0 = 1_709_218_800  # 2024-03-01 00:00 KST


def ingest_figures(count: int, group: int) -> dict:
    signer = Signer.from_seed(bytes([7]) * 32)
    signed = [sign_reading(signer, Reading(signer.address, i, HOUR0 + 3600 * i, 50_000 + i % 977, False, "csv")) for i in range(count)]
    verifier = PublicKeyVerifier(signer.public_key)
    start = time.perf_counter()
    assert all(verifier.verify(s) for s in signed)
    verify_rate = count / (time.perf_counter() - start)
    rates = {}
    for name, size in (("one_commit_per_reading", 1), (f"group_commit_{group}", group)):
        with tempfile.TemporaryDirectory() as folder:
            spool = Spool(Path(folder) / "spool.sqlite", device=signer.address, public_key=signer.public_key, start_day="2024-03-01")
            ingestor = Ingestor(spool, Limits())
            part = signed[: count // 10] if size == 1 else signed  # one fsync per reading: a tenth is enough to measure
            start = time.perf_counter()
            accepted = sum(r.accepted for i in range(0, len(part), size) for r in ingestor.ingest_many(part[i:i + size]))
            rates[f"full_ingest_readings_per_s_{name}"] = round(len(part) / (time.perf_counter() - start))
            spool.close()
        assert accepted == len(part)
    return {"signature_verification_readings_per_s": round(verify_rate), **rates}


def merkle_figures(count: int) -> dict:
    device = "ab" * 20
    start = time.perf_counter()
    leaves = [leaf_hash(Reading(device, i, HOUR0 + 3600 * i, 40_000 + i % 977, i % 50 == 0, "csv").canonical_bytes()) for i in range(count)]
    t_leaves = time.perf_counter() - start
    start = time.perf_counter()
    streamed = merkle_root(leaves)
    t_root = time.perf_counter() - start
    start = time.perf_counter()
    tree = MerkleTree(leaves)
    t_tree = time.perf_counter() - start
    index = count * 3 // 4
    start = time.perf_counter()
    proof = tree.proof(index)
    ok = verify_proof(Reading(device, index, HOUR0 + 3600 * index, 40_000 + index % 977, index % 50 == 0, "csv").canonical_bytes(), proof, tree.root)
    t_proof = time.perf_counter() - start
    assert ok and streamed == tree.root
    return {
        "readings": count, "leaf_hashes_seconds": round(t_leaves, 2), "streaming_root_seconds": round(t_root, 2),
        "full_tree_seconds": round(t_tree, 2), "proof_and_verify_ms": round(t_proof * 1000, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readings", type=int, default=1_000_000, help="readings in the Merkle figure")
    parser.add_argument("--ingest", type=int, default=20000, help="readings in the ingest figure")
    parser.add_argument("--group", type=int, default=1000, help="readings per durable commit in the group-commit figure")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    figures = {"ingest": ingest_figures(args.ingest, args.group), "merkle": merkle_figures(args.readings)}
    for group, values in figures.items():
        for key, value in values.items():
            print(f"{group:>7} {key:>40}: {value}")
    write_figures(args.out, "edge", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
