"""Deterministic demo data in the exact formats and encodings of the public K-ETS files.

``generate(seed, companies)`` invents a covered population — companies with Korean-style names,
sectors and industries of the ETRS files, sites, six years of emissions (2019-2024, so Phase 3
grandfathering has base years) — and derives from it everything the real disclosures publish.
``write(data, folder)`` writes it; ``read(folder)`` reads it back through the importers, which
gives back exactly the generated records. Same seed and size → byte-identical files.

    <folder>/README.md                                 what this is, seed, size, SHA-256 of each file
    <folder>/MANIFEST.json                             the same, for programs
    <folder>/ngms/statements_<year>.csv  (2019-2024)   NGMS statements, UTF-8
    <folder>/ngms/statements_2024.html                 the latest year as the NGMS site's HTML table
    <folder>/kets/phase3_pre_allocation_2021_2025.csv  cp949, trailing commas
    <folder>/kets/phase3_additional_allocation_2021_2025.csv   cp949
    <folder>/kets/etrs_certified_emissions_<year>.csv  (2019-2024) UTF-8
    <folder>/kets/offset_credits_issued.csv            cp949, 이행연도 "2024년"
    <folder>/kets/phase3_total_cap.csv                 cp949
    <folder>/kets/krx_emissions_market_daily.csv       UTF-8 with BOM, 2023-06-12 … 2025-06-12
    <folder>/sites.csv                                 the demo's company sites (no public equivalent)

How the numbers are made (integers only; every choice is drawn from ``random.Random(seed)`` or from
``random.Random`` streams seeded from it in a fixed order, one per part below):
- size: the latest year's emissions come from ``SIZE_BUCKETS`` (most companies near the 125,000 t
  company threshold, a few above 20 Mt); heavy industries draw twice and keep the larger. Earlier
  years walk back from it by −3 … +5 % a year; 8 % of companies enter the scheme in 2020-2023.
- statements: 지정구분 업체 at ≥ 125,000 t that year, else 사업장; energy TJ = emissions / the
  industry's tCO2/TJ ± 10 %. Certified emissions equal the statement, except 2 % trimmed in review.
- pre-allocation (2021-2025): mean certified emissions of 2019-2020 (or of the entry year) × 96 %
  (free sectors) or 90 % (auctioned), less 0.8 % a year; 0 before a company enters.
- additional allocation: 45 % of companies, some years, up to 1/12 of their base; none in 2025.
- offsets: 10-40 % of companies by sector, 1-3 issuances in 2015-2024.
- total cap: each year = pre-allocation + additional allocation + a 3 % new-entrant reserve; the
  phase total adds a 6 % market-stabilisation reserve, so allocations never exceed the cap.
- market: two years of KRX-style daily rows for KAU, KCU and KOC instruments (``_demo_market``).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from . import writers
from ._demo_catalog import (
    BRAND_SYLLABLES,
    BUSINESS_WORDS,
    INDUSTRIES,
    LEGAL_FORMS,
    MUNICIPALITIES,
    REGIONS,
    SITE_KINDS,
    SIZE_BUCKETS,
    VERIFIERS,
    Industry,
)
from ._demo_market import MARKET_FIRST_DAY, MARKET_LAST_DAY, market_days
from .etrs import (
    read_additional_allocation,
    read_certified_emissions,
    read_offset_credits,
    read_pre_allocation,
    read_total_cap,
)
from .hashing import file_sha256
from .krx import read_market_daily
from .ngms import read_statements
from .records import (
    AdditionalAllocation,
    CertifiedEmissions,
    MarketDay,
    OffsetIssuance,
    PreAllocation,
    Site,
    Statement,
    TotalCap,
    YearAmounts,
)
from .sites import read_sites

__all__ = [
    "HISTORY_YEARS",
    "PHASE_YEARS",
    "MARKET_FIRST_DAY",
    "MARKET_LAST_DAY",
    "COMPANY_THRESHOLD",
    "DemoData",
    "generate",
    "write",
    "read",
    "main",
]

HISTORY_YEARS = tuple(range(2019, 2025))
PHASE_YEARS = tuple(range(2021, 2026))
OFFSET_YEARS = tuple(range(2015, 2025))
COMPANY_THRESHOLD = 125_000  # tCO2-eq a year: designation as a whole company (업체)
MAX_COMPANIES = 100_000
_ENV_AGENCY = "기후에너지환경부"
_OFFSET_SHARE = {"전환": 40, "폐기물": 35, "산업": 20}  # % of companies with offsets; others 10


@dataclass(frozen=True)
class DemoData:
    """Everything a demo folder holds, as records (statements and certified emissions: all years)."""

    seed: int
    companies: int
    statements: tuple[Statement, ...]
    pre_allocation: tuple[PreAllocation, ...]
    additional_allocation: tuple[AdditionalAllocation, ...]
    certified_emissions: tuple[CertifiedEmissions, ...]
    offset_credits: tuple[OffsetIssuance, ...]
    total_cap: TotalCap
    market_daily: tuple[MarketDay, ...]
    sites: tuple[Site, ...]


@dataclass
class _Company:
    index: int
    name: str
    industry: Industry
    first_year: int
    emissions: dict[int, int]
    intensity: int
    agency: str
    verifier: str
    certified: dict[int, int] = field(default_factory=dict)
    sites: list[Site] = field(default_factory=list)


# -- companies --------------------------------------------------------------------------------


def _weighted(rng: random.Random, weights: Sequence[int]) -> int:
    """Index drawn with integer weights."""
    pick = rng.randrange(sum(weights))
    for i, w in enumerate(weights):
        if pick < w:
            return i
        pick -= w
    raise AssertionError("unreachable")


_BUCKET_WEIGHTS = tuple(w for _, _, w in SIZE_BUCKETS)
_INDUSTRY_WEIGHTS = tuple(i.weight for i in INDUSTRIES)


def _size(rng: random.Random, heavy: bool) -> int:
    def draw() -> int:
        low, high, _ = SIZE_BUCKETS[_weighted(rng, _BUCKET_WEIGHTS)]
        return rng.randrange(low, high)

    return max(draw(), draw()) if heavy else draw()


def _name(rng: random.Random, industry: Industry, taken: set[str], municipalities: list[str]) -> str:
    if industry.sector == "폐기물" and municipalities and rng.randrange(4) == 0:
        return municipalities.pop(rng.randrange(len(municipalities)))
    for attempt in range(1000):
        syllables = 2 + (rng.randrange(3) == 0) + (attempt > 20)
        brand = "".join(rng.choice(BRAND_SYLLABLES) for _ in range(syllables))
        word = rng.choice(industry.words) if rng.randrange(4) else rng.choice(BUSINESS_WORDS)
        if industry.sector == "건물" and word in ("대학교", "병원", "의료재단"):
            name = f"{brand}{word}" if word != "의료재단" else f"(재){brand}{word}"
        else:
            name = rng.choice(LEGAL_FORMS).format(brand + word)
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("could not find a free company name")  # pragma: no cover - 10^7 combinations


def _companies(rng: random.Random, count: int) -> list[_Company]:
    taken: set[str] = set(MUNICIPALITIES)
    municipalities = list(MUNICIPALITIES)
    out: list[_Company] = []
    for index in range(count):
        industry = INDUSTRIES[_weighted(rng, _INDUSTRY_WEIGHTS)]
        name = _name(rng, industry, taken, municipalities)
        latest = _size(rng, industry.heavy)
        first_year = HISTORY_YEARS[0] if rng.randrange(100) >= 8 else rng.choice(HISTORY_YEARS[1:-1])
        emissions = {HISTORY_YEARS[-1]: latest}
        for year in reversed(HISTORY_YEARS[:-1]):
            emissions[year] = emissions[year + 1] * (1000 + rng.randrange(-30, 51)) // 1000
        emissions = {y: emissions[y] for y in HISTORY_YEARS if y >= first_year}
        intensity = max(1, industry.intensity * (900 + rng.randrange(201)) // 1000)
        agency = industry.agency if rng.randrange(10) < 3 else _ENV_AGENCY
        company = _Company(index, name, industry, first_year, emissions, intensity, agency, rng.choice(VERIFIERS))
        company.sites = _sites(rng, company)
        out.append(company)
    return out


def _sites(rng: random.Random, company: _Company) -> list[Site]:
    latest = company.emissions[HISTORY_YEARS[-1]]
    count = 1 + (rng.randrange(3) if latest >= COMPANY_THRESHOLD else 0) + (latest >= 5_000_000)
    kinds = SITE_KINDS[company.industry.sector]
    names: list[tuple[str, str]] = []
    for k in range(count):
        region, towns = rng.choice(REGIONS)
        site_name = f"{rng.choice(towns)}{rng.choice(kinds)}"
        if any(site_name == n for n, _ in names):
            site_name = f"{site_name} {k + 1}"
        names.append((site_name, region))
    weights = [1 + rng.randrange(9) for _ in names]
    shares = [latest * w // sum(weights) for w in weights]
    shares[0] += latest - sum(shares)
    return [
        Site(company.name, f"c{company.index + 1:05d}-s{k + 1}", site_name, region, share)
        for k, ((site_name, region), share) in enumerate(zip(names, shares))
    ]


# -- disclosures ------------------------------------------------------------------------------


def _statements(companies: list[_Company]) -> tuple[list[Statement], list[CertifiedEmissions]]:
    statements: list[Statement] = []
    certified: list[CertifiedEmissions] = []
    for year in HISTORY_YEARS:
        filing = sorted((c for c in companies if year in c.emissions), key=lambda c: c.name)
        for number, c in enumerate(filing, start=1):
            tonnes = c.emissions[year]
            statements.append(
                Statement(
                    number, c.agency, c.name, year, "업체" if tonnes >= COMPANY_THRESHOLD else "사업장",
                    c.industry.name, tonnes, max(1, tonnes // c.intensity), c.verifier, "",
                )
            )
            certified.append(
                CertifiedEmissions(number, c.industry.sector, c.industry.name, c.name, year, c.certified[year])
            )
    return statements, certified


def _certify(rng: random.Random, companies: list[_Company]) -> None:
    for c in companies:
        c.certified = {
            year: tonnes - (tonnes * (1 + rng.randrange(5)) // 1000 if rng.randrange(50) == 0 else 0)
            for year, tonnes in c.emissions.items()
        }


def _pre_allocation(companies: list[_Company]) -> list[PreAllocation]:
    records = []
    for c in companies:
        certified = c.certified
        base_years = [y for y in (2019, 2020) if y in certified] or [c.first_year]
        base = sum(certified[y] for y in base_years) // len(base_years)
        factor = 900 if c.industry.auctioned else 960
        start = max(c.first_year, PHASE_YEARS[0])
        allocation = {
            y: (base * factor // 1000) * (1000 - 8 * (y - PHASE_YEARS[0])) // 1000 if y >= start else 0
            for y in PHASE_YEARS
        }
        records.append(
            PreAllocation(c.index + 1, c.industry.sector, c.industry.name, c.name, c.industry.auctioned, YearAmounts(allocation))
        )
    return records


def _additional(rng: random.Random, companies: list[_Company], pre: list[PreAllocation]) -> list[AdditionalAllocation]:
    records = []
    for c, p in zip(companies, pre):
        if rng.randrange(100) >= 45:
            continue
        ceiling = max(2, max(p.allocation.values()) // 12)
        amounts = {y: (rng.randrange(1, ceiling) if y != PHASE_YEARS[-1] and rng.randrange(100) < 35 else 0) for y in PHASE_YEARS}
        if any(amounts.values()):
            records.append(
                AdditionalAllocation(len(records) + 1, c.industry.sector, c.industry.name, c.name, YearAmounts(amounts))
            )
    return records


def _offsets(rng: random.Random, companies: list[_Company]) -> list[OffsetIssuance]:
    issued: list[tuple[int, str, str, str, int]] = []
    for c in companies:
        if rng.randrange(100) >= _OFFSET_SHARE.get(c.industry.sector, 10):
            continue
        for _ in range(1 + rng.randrange(3)):
            year = rng.choice(OFFSET_YEARS)
            quantity = rng.randrange(1_000, 30_000) if rng.randrange(10) else rng.randrange(30_000, 800_000)
            issued.append((year, c.name, c.industry.sector, c.industry.name, quantity))
    issued.sort(key=lambda x: (-x[0], x[1], x[4]))
    return [
        OffsetIssuance(number, sector, industry, name, year, quantity)
        for number, (year, name, sector, industry, quantity) in enumerate(issued, start=1)
    ]


def _total_cap(pre: list[PreAllocation], additional: list[AdditionalAllocation]) -> TotalCap:
    by_year = {}
    for y in PHASE_YEARS:
        allocated = sum(p.allocation[y] for p in pre) + sum(a.allocation[y] for a in additional)
        by_year[y] = allocated + allocated * 3 // 100
    years_total = sum(by_year.values())
    return TotalCap(years_total + years_total * 6 // 100, YearAmounts(by_year))


# -- public API -------------------------------------------------------------------------------


def generate(seed: int, companies: int = 60) -> DemoData:
    """The demo data set of ``companies`` companies for ``seed`` (same arguments → same records)."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    if not isinstance(companies, int) or isinstance(companies, bool) or not 1 <= companies <= MAX_COMPANIES:
        raise ValueError(f"companies must be a whole number from 1 to {MAX_COMPANIES:,}, got {companies!r}")
    rng = random.Random(seed)
    streams = [random.Random(rng.getrandbits(64)) for _ in range(5)]
    population = _companies(streams[0], companies)
    _certify(streams[1], population)
    statements, certified = _statements(population)
    pre = _pre_allocation(population)
    additional = _additional(streams[2], population, pre)
    return DemoData(
        seed=seed,
        companies=companies,
        statements=tuple(statements),
        pre_allocation=tuple(pre),
        additional_allocation=tuple(additional),
        certified_emissions=tuple(certified),
        offset_credits=tuple(_offsets(streams[3], population)),
        total_cap=_total_cap(pre, additional),
        market_daily=tuple(market_days(streams[4])),
        sites=tuple(site for c in population for site in c.sites),
    )


def _files(data: DemoData) -> dict[str, bytes]:
    latest = HISTORY_YEARS[-1]
    files: dict[str, bytes] = {}
    for year in HISTORY_YEARS:
        files[f"ngms/statements_{year}.csv"] = writers.statements_csv(s for s in data.statements if s.year == year)
    files[f"ngms/statements_{latest}.html"] = writers.statements_html(
        (s for s in data.statements if s.year == latest), title=f"온실가스 배출량 명세서 {latest} (데모 데이터)"
    )
    files["kets/phase3_pre_allocation_2021_2025.csv"] = writers.pre_allocation_csv(data.pre_allocation)
    files["kets/phase3_additional_allocation_2021_2025.csv"] = writers.additional_allocation_csv(data.additional_allocation)
    for year in HISTORY_YEARS:
        files[f"kets/etrs_certified_emissions_{year}.csv"] = writers.certified_emissions_csv(
            r for r in data.certified_emissions if r.year == year
        )
    files["kets/offset_credits_issued.csv"] = writers.offset_credits_csv(data.offset_credits)
    files["kets/phase3_total_cap.csv"] = writers.total_cap_csv(data.total_cap)
    files["kets/krx_emissions_market_daily.csv"] = writers.market_daily_csv(data.market_daily)
    files["sites.csv"] = writers.sites_csv(data.sites)
    return files


def _readme(data: DemoData, hashes: dict[str, str]) -> bytes:
    lines = [
        "# K-ETS demo data (synthetic)",
        "",
        "Generated by `python -m datasets.demo`: invented companies and figures, **not** real disclosures.",
        "The files have the formats and encodings of the public ETRS, NGMS and KRX downloads, so the",
        "importers in `datasets` read them unchanged. Regenerating with the same seed and size gives",
        "byte-identical files.",
        "",
        f"- seed: {data.seed}",
        f"- companies: {data.companies}",
        f"- emission years: {HISTORY_YEARS[0]}-{HISTORY_YEARS[-1]}; allocation years: {PHASE_YEARS[0]}-{PHASE_YEARS[-1]}",
        f"- market days: {MARKET_FIRST_DAY.isoformat()} … {MARKET_LAST_DAY.isoformat()}",
        "",
        "| file | SHA-256 |",
        "|---|---|",
        *(f"| `{name}` | `{digest}` |" for name, digest in sorted(hashes.items())),
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def write(data: DemoData, folder: str | Path) -> list[Path]:
    """Write ``data`` into ``folder`` (created if needed; our files are overwritten). Returns the paths."""
    root = Path(folder)
    written: list[Path] = []
    for name, content in _files(data).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    hashes = {str(p.relative_to(root)): file_sha256(p) for p in written}
    manifest = {"seed": data.seed, "companies": data.companies, "files": hashes}
    (root / "MANIFEST.json").write_text(json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n", "utf-8")
    (root / "README.md").write_bytes(_readme(data, hashes))
    return [root / "README.md", root / "MANIFEST.json", *written]


def read(folder: str | Path) -> DemoData:
    """Read a demo folder back through the importers (raises ``DatasetError`` on a damaged file)."""
    root = Path(folder)
    manifest = json.loads((root / "MANIFEST.json").read_text("utf-8"))
    return DemoData(
        seed=manifest["seed"],
        companies=manifest["companies"],
        statements=tuple(s for y in HISTORY_YEARS for s in read_statements(root / f"ngms/statements_{y}.csv")),
        pre_allocation=tuple(read_pre_allocation(root / "kets/phase3_pre_allocation_2021_2025.csv")),
        additional_allocation=tuple(read_additional_allocation(root / "kets/phase3_additional_allocation_2021_2025.csv")),
        certified_emissions=tuple(
            r for y in HISTORY_YEARS for r in read_certified_emissions(root / f"kets/etrs_certified_emissions_{y}.csv")
        ),
        offset_credits=tuple(read_offset_credits(root / "kets/offset_credits_issued.csv")),
        total_cap=read_total_cap(root / "kets/phase3_total_cap.csv"),
        market_daily=tuple(read_market_daily(root / "kets/krx_emissions_market_daily.csv")),
        sites=tuple(read_sites(root / "sites.csv")),
    )


# -- command line -----------------------------------------------------------------------------

_EPILOG = """\
files written (formats and encodings of the real downloads):
  ngms/statements_<year>.csv, 2019-2024      NGMS company statements, UTF-8
  ngms/statements_2024.html                  the same list as the NGMS site's HTML table
  kets/phase3_pre_allocation_2021_2025.csv   ETRS pre-allocation, cp949, trailing commas
  kets/phase3_additional_allocation_2021_2025.csv   ETRS additional allocation, cp949
  kets/etrs_certified_emissions_<year>.csv   ETRS certified emissions 2019-2024, UTF-8
  kets/offset_credits_issued.csv             ETRS offset credits issued, cp949
  kets/phase3_total_cap.csv                  ETRS total cap, cp949
  kets/krx_emissions_market_daily.csv        KRX daily market data, UTF-8 with BOM
  sites.csv                                  company sites (demo only)
  README.md, MANIFEST.json                   seed, size and SHA-256 of every file

The data is synthetic (invented names and figures) and deterministic: the same --seed and
--companies always give byte-identical files. Read it back with datasets.demo.read(folder)
or the datasets.read_* importers.

example:
  python -m datasets.demo --out demo-data --seed 7
  python -m datasets.demo --out big --seed 7 --companies 20000
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m datasets.demo",
        description="Write a deterministic, synthetic K-ETS demo data set in the formats of the public "
        "ETRS, NGMS and KRX files.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--out", required=True, type=Path, help="folder to write into (created if missing)")
    parser.add_argument("--seed", required=True, type=int, help="seed of the generator: same seed, same files")
    parser.add_argument(
        "--companies", type=int, default=60, help=f"number of covered companies, 1 to {MAX_COMPANIES:,} (default 60)"
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)
    if not 1 <= args.companies <= MAX_COMPANIES:
        parser.error(f"--companies must be from 1 to {MAX_COMPANIES:,}, got {args.companies}")
    started = time.perf_counter()
    data = generate(args.seed, args.companies)
    paths = write(data, args.out)
    if not args.quiet:
        for path in paths:
            print(f"{path.stat().st_size:>12,} bytes  {path}")
        print(
            f"{args.companies:,} companies, {len(data.statements):,} statements, {len(data.market_daily):,} market rows "
            f"(seed {args.seed}) in {time.perf_counter() - started:.1f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
