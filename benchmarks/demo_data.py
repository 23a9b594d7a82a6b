"""The demo data generator at scale (``datasets.demo``): generate N companies' public files, write them in
the real formats, and read them back, timing each step and the peak memory of the process.

    .venv/bin/python benchmarks/demo_data.py                      # 20,000 companies
    .venv/bin/python benchmarks/demo_data.py --companies 100000   # the generator's upper limit

Prints the figures and writes ``benchmarks/results/demo_data-<time>.json``. The read-back is checked
(every company is there again), so a figure is never of a broken run.
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

from datasets import demo  # noqa: E402
from _results import write_figures  # noqa: E402


def figures(companies: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        data = demo.generate(seed, companies)
        generated = time.perf_counter()
        files = demo.write(data, folder)
        written = time.perf_counter()
        size = sum(Path(f).stat().st_size for f in files)
        back = demo.read(folder)
        read = time.perf_counter()
    if len(back.pre_allocation) != companies:
        raise SystemExit(f"read back {len(back.pre_allocation):,} companies of {companies:,}: the files are broken")
    return {
        "companies": companies, "seed": seed,
        "generate_seconds": round(generated - started, 2), "write_seconds": round(written - generated, 2),
        "read_seconds": round(read - written, 2), "bytes_written": size,
        "statements": len(data.statements), "certified": len(data.certified_emissions), "sites": len(data.sites),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=int, default=20_000, help="how many companies (1 to 100,000; default 20,000)")
    parser.add_argument("--seed", type=int, default=2024, help="the generator's seed (default 2024)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"), help="folder for the JSON result")
    args = parser.parse_args(argv)
    if not 1 <= args.companies <= 100_000:
        parser.error(f"--companies must be from 1 to 100,000, got {args.companies}")
    result = figures(args.companies, args.seed)
    print(f"{result['companies']:,} companies: generate {result['generate_seconds']:.2f} s, "
          f"write {result['write_seconds']:.2f} s ({result['bytes_written'] / 1e6:.1f} MB), "
          f"read back {result['read_seconds']:.2f} s; {result['statements']:,} statements, "
          f"{result['certified']:,} certified, {result['sites']:,} sites; peak memory {result['peak_rss_mb']} MB")
    write_figures(args.out, "demo_data", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
