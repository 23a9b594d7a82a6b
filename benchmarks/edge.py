"""Edge uploader figures, on the native hot path and on the pure-Python reference in the same run:
readings ingested per second with signature verification (one durable commit per reading, and
group commit), where the time of one grouped reading goes, and the daily root, full tree and one
proof for 1,000,000 readings (time and peak memory).

    .venv/bin/python benchmarks/edge.py [--readings 1000000] [--ingest 20000] [--group 1000] [--native-only]

Prints the figures and writes ``benchmarks/results/edge-<time>.json``. Without the native extension
(scripts/build_native.sh) only the reference is measured, and the figures say so.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from protocol import hotpath  # noqa: E402
from protocol.ed25519 import verify_many  # noqa: E402
from protocol.merkle import leaf_hashes, merkle_root, MerkleTree, root_of_leaves, verify_proof  # noqa: E402
from protocol.readings import PublicKeyVerifier, Reading, sign_reading  # noqa: E402

from edge_uploader.ingest import Ingestor  # noqa: E402
from edge_uploader.spool import Spool  # noqa: E402
from edge_uploader.validity import Limits  # noqa: E402
from ets.keys import Signer  # noqa: E402
from _results import write_figures  # noqa: E402

HOUR0 = 1_709_218_800  # 2024-03-01 00:00 KST
DEVICE = "ab" * 20


def _rate(count: int, seconds: float) -> int:
    return round(count / seconds)


def _ingest_rate(signer: Signer, signed: list, size: int) -> tuple[int, float]:
    """Readings per second (wall clock), and CPU microseconds per reading over all threads."""
    with tempfile.TemporaryDirectory() as folder:
        spool = Spool(Path(folder) / "spool.sqlite", device=signer.address, public_key=signer.public_key, start_day="2024-03-01")
        ingestor = Ingestor(spool, Limits())
        start, cpu = time.perf_counter(), time.process_time()
        accepted = sum(r.accepted for i in range(0, len(signed), size) for r in ingestor.ingest_many(signed[i:i + size]))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        spool.close()
    assert accepted == len(signed)
    return _rate(len(signed), seconds), round(1e6 * cpu / len(signed), 1)


def ingest_figures(count: int, group: int) -> dict:
    signer = Signer.from_seed(bytes([7]) * 32)
    signed = [sign_reading(signer, Reading(signer.address, i, HOUR0 + 3600 * i, 50_000 + i % 977, False, "csv")) for i in range(count)]
    verifier = PublicKeyVerifier(signer.public_key)
    cpu = time.process_time()
    digests = [s.reading.signing_digest() for s in signed]
    cpu_digest = time.process_time() - cpu
    start = time.perf_counter()
    assert all(verifier.verify(s) for s in signed)
    one_by_one = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    assert all(verify_many([signer.public_key] * count, [s.signature for s in signed], digests))
    t_batch, cpu_batch = time.perf_counter() - start, time.process_time() - cpu
    figures = {"signature_verification_readings_per_s_one_by_one": _rate(count, one_by_one),
               "signature_verification_readings_per_s_batch": _rate(count, t_batch)}
    figures["full_ingest_readings_per_s_one_commit_per_reading"] = _ingest_rate(signer, signed[: count // 10], 1)[0]  # a tenth is enough
    grouped, cpu = _ingest_rate(signer, signed, group)
    figures[f"full_ingest_readings_per_s_group_commit_{group}"] = grouped
    split = {"signing_digest": 1e6 * cpu_digest / count, "signature_check": 1e6 * cpu_batch / count}
    split["checks_sqlite_writes_commit"] = cpu - sum(split.values())
    figures["grouped_cpu_us_per_reading_all_threads"] = {"total": cpu, **{k: round(v, 1) for k, v in split.items()}}
    figures["grouped_wall_us_per_reading"] = round(1e6 / grouped, 1)
    return figures


def _readings(count: int):
    return (Reading(DEVICE, i, HOUR0 + 3600 * i, 40_000 + i % 977, i % 50 == 0, "csv") for i in range(count))


def streamed_root_figures(count: int) -> dict:
    """Readings made and encoded on the fly into one buffer of leaf hashes: what sealing a day holds in memory."""
    start = time.perf_counter()
    root_of_leaves(r.canonical_bytes() for r in _readings(count))
    return {"readings_built_encoded_and_rooted_seconds": round(time.perf_counter() - start, 2),
            "peak_rss_mb_so_far": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def merkle_figures(data: list[bytes]) -> dict:
    """From the readings' canonical bytes: leaf hashes + root, the full tree, one proof."""
    count = len(data)
    start = time.perf_counter()
    hashes = leaf_hashes(data)
    root = merkle_root(hashes)
    t_root = time.perf_counter() - start
    start = time.perf_counter()
    tree = MerkleTree(hashes)
    t_tree = time.perf_counter() - start
    index = count * 3 // 4
    start = time.perf_counter()
    ok = verify_proof(data[index], tree.proof(index), tree.root)
    t_proof = time.perf_counter() - start
    assert ok and root == tree.root
    return {"root_from_canonical_bytes_seconds": round(t_root, 3), "full_tree_seconds": round(t_tree, 3),
            "proof_and_verify_ms": round(t_proof * 1000, 3), "root": root.hex()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readings", type=int, default=1_000_000, help="readings in the Merkle figure (0: no Merkle figure)")
    parser.add_argument("--ingest", type=int, default=20000, help="readings in the ingest figure")
    parser.add_argument("--group", type=int, default=1000, help="readings per durable commit in the group-commit figure")
    parser.add_argument("--native-only", action="store_true", help="do not measure the pure-Python reference")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    paths = {"native": nullcontext} if hotpath.native() is not None else {}
    if not args.native_only or not paths:
        paths["python"] = hotpath.python_only
    figures: dict = {"native_built": hotpath.native() is not None, "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()[0]}
    for name, switch in paths.items():
        with switch():
            figures[f"ingest_{name}"] = ingest_figures(args.ingest, args.group)
            if args.readings:
                figures[f"merkle_{name}"] = streamed_root_figures(args.readings)
    if args.readings:
        figures.update(_merkle_from_bytes(args.readings, paths))
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    for group, values in figures.items():
        for key, value in (values.items() if isinstance(values, dict) else [("", values)]):
            print(f"{group:>24} {key:>46}: {value}")
    write_figures(args.out, "edge", figures)
    return 0


def _merkle_from_bytes(count: int, paths: dict) -> dict:
    figures: dict = {}
    start = time.perf_counter()
    data = [r.canonical_bytes() for r in _readings(count)]
    figures["merkle_input"] = {"readings": count, "readings_built_and_encoded_seconds": round(time.perf_counter() - start, 2)}
    for name, switch in paths.items():
        with switch():
            figures[f"merkle_{name}_from_bytes"] = merkle_figures(data)
    assert len({figures[f"merkle_{name}_from_bytes"]["root"] for name in paths}) == 1, "the native root differs from the reference"
    return figures


if __name__ == "__main__":
    sys.exit(main())
