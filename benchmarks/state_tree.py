"""What the state commitment costs: the sparse Merkle tree behind the app hash, at growing state sizes.

For each state size N (keys shaped like balances, ``bal/<address>/KAU25``) it measures, on a real
``Store`` in a temporary SQLite file:

    build        ``Store.restore`` of N entries (the tree built from scratch; a state-sync restore)
    block        app hash of a block changing K keys (``Store.stage``) and its commit, per block and
                 per changed key; the baseline in the same run is the multiset hash it replaced
                 (two 4096-bit SHAKE-256 element hashes per changed key)
    proof        size, making and checking of proofs for present and absent keys
    snapshot     taking a state-sync snapshot (``abci_app.snapshots``) and restoring it into an
                 empty node through OfferSnapshot / ApplySnapshotChunk

    .venv/bin/python benchmarks/state_tree.py [--sizes 10000 100000 1000000] [--changes 1000 4000]

Prints a table and writes ``benchmarks/results/state_tree-<time>.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from protocol import smt  # noqa: E402

from abci_app.blinding import new_blinding_key  # noqa: E402
from abci_app.proto import abci  # noqa: E402
from abci_app.snapshots import Snapshots  # noqa: E402
from abci_app.state import History, Store  # noqa: E402
from _results import write_figures  # noqa: E402


def _key(i: int) -> str:
    return f"bal/{hashlib.sha256(i.to_bytes(8, 'big')).hexdigest()[:40]}/KAU25"


def _multiset_baseline(changes: list[tuple[str, bytes]], old: dict[str, bytes]) -> float:
    """Seconds the replaced AdHash needed for the same changes (remove old element, add new one)."""
    acc, mask = 0, (1 << 4096) - 1
    started = time.perf_counter()
    for key, value in changes:
        for v, sign in ((old[key], -1), (value, 1)):
            kb = key.encode()
            digest = hashlib.shake_256(b"ets/state-element/v1\x00" + len(kb).to_bytes(4, "big") + kb + v).digest(512)
            acc = (acc + sign * int.from_bytes(digest, "little")) & mask
    return time.perf_counter() - started


def _snapshot_round_trip(folder: Path, store: Store, key: bytes) -> dict[str, float]:
    snaps = Snapshots(folder / "snaps", store, interval=0)
    started = time.perf_counter()
    snaps.take()
    took = time.perf_counter() - started
    (listed,) = snaps.list_snapshots(abci.RequestListSnapshots()).snapshots
    fresh = Store(folder / "fresh.sqlite", key)
    target = Snapshots(folder / "fresh-snaps", fresh, interval=0)
    started = time.perf_counter()
    offer = target.offer_snapshot(abci.RequestOfferSnapshot(snapshot=listed, app_hash=store.app_hash))
    assert offer.result == abci.ResponseOfferSnapshot.ACCEPT, offer
    for index in range(listed.chunks):
        chunk = snaps.load_snapshot_chunk(abci.RequestLoadSnapshotChunk(height=listed.height, format=listed.format, chunk=index)).chunk
        applied = target.apply_snapshot_chunk(abci.RequestApplySnapshotChunk(index=index, chunk=chunk, sender="bench"))
        assert applied.result == abci.ResponseApplySnapshotChunk.ACCEPT, applied
    restored = time.perf_counter() - started
    assert fresh.app_hash == store.app_hash and fresh.height == store.height
    size = sum(p.stat().st_size for p in (folder / "snaps").rglob("*") if p.is_file())
    fresh.close()
    return {"snapshot_take_s": took, "snapshot_restore_s": restored, "snapshot_bytes": size, "snapshot_chunks": listed.chunks}


def measure(size: int, change_counts: list[int], blocks: int, proofs: int, snapshot: bool, rng: random.Random) -> dict:
    key = new_blinding_key()
    out: dict = {"keys": size}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = Store(folder / "state.sqlite", key, History(window=100, checkpoint=0))
        entries = {_key(i): str(rng.randrange(10**9)).encode() for i in range(size)}
        started = time.perf_counter()
        store.restore("bench", 1, 0, entries.items())
        out["build_s"] = time.perf_counter() - started
        out["db_bytes"] = (folder / "state.sqlite").stat().st_size
        keys = list(entries)
        height = 1
        for count in change_counts:
            stage, commit, baseline = [], [], []
            for _ in range(blocks):
                height += 1
                writes = {k: str(rng.randrange(10**9)).encode() for k in rng.sample(keys, count)}
                baseline.append(_multiset_baseline(list(writes.items()), entries))
                started = time.perf_counter()
                staged = store.stage(height, writes)
                stage.append(time.perf_counter() - started)
                started = time.perf_counter()
                store.commit_block(height, staged, height, writes, [])
                commit.append(time.perf_counter() - started)
                entries.update(writes)
            out[f"block_{count}"] = {
                "app_hash_ms": statistics.median(stage) * 1e3, "commit_ms": statistics.median(commit) * 1e3,
                "app_hash_us_per_key": statistics.median(stage) / count * 1e6,
                "commit_us_per_key": statistics.median(commit) / count * 1e6,
                "multiset_baseline_us_per_key": statistics.median(baseline) / count * 1e6,
            }
        sizes, depths, make, check = [], [], [], []
        for i in range(proofs):
            k = rng.choice(keys) if i % 2 == 0 else f"bal/{i:040x}/KAU99"
            started = time.perf_counter()
            value, blind, proof = store.prove(k)
            make.append(time.perf_counter() - started)
            data = proof.encode()
            sizes.append(len(data))
            depths.append(len(proof.siblings))
            started = time.perf_counter()
            smt.verify(store.app_hash, k, value, blind, data)
            check.append(time.perf_counter() - started)
        out["proof"] = {"bytes_median": statistics.median(sizes), "bytes_max": max(sizes),
                        "depth_median": statistics.median(depths),
                        "make_us": statistics.median(make) * 1e6, "verify_us": statistics.median(check) * 1e6}
        if snapshot:
            out.update(_snapshot_round_trip(folder, store, key))
        store.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000], help="state sizes (keys)")
    parser.add_argument("--changes", type=int, nargs="+", default=[1000, 4000], help="changed keys per block")
    parser.add_argument("--blocks", type=int, default=3, help="blocks per measurement (the median is shown)")
    parser.add_argument("--proofs", type=int, default=400, help="proofs made and checked per size")
    parser.add_argument("--no-snapshot", action="store_true", help="skip the snapshot take/restore")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    results = []
    for size in args.sizes:
        print(f"state of {size:,} keys ...", file=sys.stderr, flush=True)
        result = measure(size, args.changes, args.blocks, args.proofs, not args.no_snapshot, rng)
        results.append(result)
        line = [f"{size:>9,} keys  build {result['build_s']:7.1f} s  db {result['db_bytes'] / 2**20:7.1f} MiB"]
        for count in args.changes:
            b = result[f"block_{count}"]
            line.append(f"  {count:,} changed: app hash {b['app_hash_ms']:7.1f} ms ({b['app_hash_us_per_key']:5.1f} µs/key; "
                        f"multiset {b['multiset_baseline_us_per_key']:4.1f} µs/key), commit {b['commit_ms']:7.1f} ms")
        p = result["proof"]
        line.append(f"  proof {p['bytes_median']:.0f} B (max {p['bytes_max']}), depth {p['depth_median']:.0f}, "
                    f"make {p['make_us']:.0f} µs, verify {p['verify_us']:.0f} µs")
        if "snapshot_take_s" in result:
            line.append(f"  snapshot: take {result['snapshot_take_s']:.1f} s, restore {result['snapshot_restore_s']:.1f} s, "
                        f"{result['snapshot_bytes'] / 2**20:.1f} MiB in {result['snapshot_chunks']} chunks")
        print("\n".join(line), flush=True)
    write_figures(args.out, "state_tree", {"args": vars(args), "results": results}, log=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
