"""Importer figures: a large daily-prices file through ``ets data inspect`` (time and peak memory), and an
EU-sized allocation (17,644 installations, 89,831 rows) through ``ets plan compute --eu-compliance``.

Each step runs as its own process, exactly the command a user runs; its wall time, CPU time and
peak resident memory are that process's alone (``getrusage`` of the only child of a fresh interpreter). The files are generated
(``datasets.shapes``: synthetic, deterministic) in a temporary folder.

    .venv/bin/python benchmarks/importers.py                          # 200 MB KRX-shaped file, EU-sized plan
    .venv/bin/python benchmarks/importers.py --mb 20 --english        # English headers (vwap derived)
    .venv/bin/python benchmarks/importers.py --installations 2000 --rows 10000

Prints the figures and writes ``benchmarks/results/importers-<time>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from datasets import shapes, writers  # noqa: E402

PARAMS = """\
vintages = [2026, 2027, 2028, 2029, 2030]
base_years = [2021, 2022, 2023]
[cap]
2026 = 1_500_000_000
2027 = 1_470_000_000
2028 = 1_440_000_000
2029 = 1_410_000_000
2030 = 1_380_000_000
[reserves.market_stabilisation]
tonnes = 20_000_000
[reserves.new_entrant]
tonnes = 10_000_000
"""


def measured(*args: str) -> dict:
    """Run ``python -m ets_tools.cli ARGS`` (the only child of this interpreter): exit status, wall and CPU
    seconds, and peak RSS (``getrusage(RUSAGE_CHILDREN)`` after it ended)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ETS_DATA_MAX_BYTES": "4G"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "ets_tools.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"exit": done.returncode, "wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "stdout": done.stdout, "stderr": done.stderr}


def run(command: list[str]) -> dict:
    """Run one measured command in a fresh interpreter, so peak RSS is that command's alone."""
    done = subprocess.run([sys.executable, __file__, "--measure-one", json.dumps(command)], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"measuring {command} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=200, help="size of the daily-prices file (MiB)")
    parser.add_argument("--english", action="store_true", help="English headers, no weighted average (derived)")
    parser.add_argument("--installations", type=int, default=17_644)
    parser.add_argument("--rows", type=int, default=89_831)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument("--measure-one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_one:
        result = measured(*json.loads(args.measure_one))
        print(json.dumps(result))
        return 0
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="ets-importers-") as folder:
        big = Path(folder) / "prices.csv"
        rows = shapes.write_bulk_market_csv(big, args.mb << 20, english=args.english)
        result = run(["data", "inspect", str(big), "--json"])
        report = json.loads(result.pop("stdout"))
        size = big.stat().st_size
        figures["inspect"] = {"file_bytes": size, "rows": rows, "read": report["rows"], "problems": report["problems_total"],
                              **{k: v for k, v in result.items() if k != "stderr"},
                              "rss_per_file_size": round(result["peak_rss_mb"] * (1 << 20) / size, 2)}
        print(f"ets data inspect, {size / (1 << 20):,.0f} MiB ({rows:,} rows, {'English' if args.english else 'KRX'} "
              f"shape): {result['wall_s']} s wall, {result['cpu_s']} s CPU, peak RSS {result['peak_rss_mb']} MB "
              f"({figures['inspect']['rss_per_file_size']}× the file)")
        big.unlink()
        table, params, plan = Path(folder) / "eu.csv", Path(folder) / "params.toml", Path(folder) / "plan.json"
        table.write_bytes(writers.eu_compliance_csv(shapes.eu_installations(args.installations, args.rows)))
        params.write_text(PARAMS, encoding="utf-8")
        result = run(["plan", "compute", "--params", str(params), "--eu-compliance", str(table), "--out", str(plan),
                      "--quiet"])
        if result["exit"] != 0:
            raise SystemExit(f"ets plan compute failed: {result['stderr'][-2000:]}")
        lines = len(json.loads(plan.read_text())["lines"])
        figures["plan"] = {"installations": args.installations, "rows": args.rows, "plan_lines": lines,
                           **{k: v for k, v in result.items() if k not in ("stdout", "stderr")}}
        print(f"ets plan compute --eu-compliance, {args.installations:,} installations ({args.rows:,} rows): "
              f"{result['wall_s']} s wall, {result['cpu_s']} s CPU, peak RSS {result['peak_rss_mb']} MB, "
              f"{lines:,} plan lines")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"importers-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
