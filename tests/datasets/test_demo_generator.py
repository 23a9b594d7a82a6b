"""The demo generator: read back exactly, deterministic, realistic in shape, same formats as the real files."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

import datasets
from datasets import demo
from datasets._demo_catalog import INDUSTRIES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small() -> demo.DemoData:
    return demo.generate(7, 60)


@pytest.fixture(scope="module")
def large() -> demo.DemoData:
    return demo.generate(11, 2_000)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_round_trip_through_the_importers(small, tmp_path):
    demo.write(small, tmp_path)
    assert demo.read(tmp_path) == small


def test_round_trip_large(large, tmp_path):
    demo.write(large, tmp_path)
    back = demo.read(tmp_path)
    for name in demo.DemoData.__dataclass_fields__:
        assert getattr(back, name) == getattr(large, name), name


def test_html_statements_equal_the_csv_of_that_year(small, tmp_path):
    demo.write(small, tmp_path)
    html = datasets.read_statements(tmp_path / "ngms/statements_2024.html")
    assert html == datasets.read_statements(tmp_path / "ngms/statements_2024.csv")
    assert html == [s for s in small.statements if s.year == 2024]


def test_same_seed_gives_byte_identical_files(tmp_path):
    demo.write(demo.generate(3, 120), tmp_path / "a")
    demo.write(demo.generate(3, 120), tmp_path / "b")
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert list(first) == list(second) and len(first) == 21
    assert first == second


def test_another_seed_gives_other_data():
    assert demo.generate(3, 50).pre_allocation != demo.generate(4, 50).pre_allocation


def test_files_have_the_encodings_and_quirks_of_the_published_ones(small, tmp_path):
    demo.write(small, tmp_path)
    pre = (tmp_path / "kets/phase3_pre_allocation_2021_2025.csv").read_bytes()
    assert pre.startswith('"번호",부문,업종,업체명,유상여부,2021년'.encode("cp949"))
    assert all(line.endswith(b",") for line in pre.split(b"\n")[1:-1])
    for name in ("phase3_additional_allocation_2021_2025.csv", "offset_credits_issued.csv", "phase3_total_cap.csv"):
        data = (tmp_path / "kets" / name).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        data.decode("cp949")
    krx = (tmp_path / "kets/krx_emissions_market_daily.csv").read_bytes()
    assert krx.startswith(b"\xef\xbb\xbf\xec\x9d\xbc\xec\x9e\x90,") and not krx.endswith(b"\n")
    statements = (tmp_path / "ngms/statements_2024.csv").read_text("utf-8")
    assert statements.startswith("번호,관장기관,법인명,대상년도,지정구분")
    assert "2024년," in (tmp_path / "kets/offset_credits_issued.csv").read_bytes().decode("cp949")


def test_manifest_records_seed_size_and_hashes(small, tmp_path):
    paths = demo.write(small, tmp_path)
    manifest = json.loads((tmp_path / "MANIFEST.json").read_text("utf-8"))
    assert (manifest["seed"], manifest["companies"]) == (7, 60)
    assert len(paths) == len(manifest["files"]) + 2
    for name, digest in manifest["files"].items():
        assert datasets.file_sha256(tmp_path / name) == digest
    assert "synthetic" in (tmp_path / "README.md").read_text("utf-8")


def test_population_shape(large):
    latest = [s for s in large.statements if s.year == 2024]
    assert len(latest) == 2_000
    sizes = sorted(s.emissions_tco2eq for s in latest)
    near_threshold = sum(1 for t in sizes if 60_000 <= t < 300_000)
    assert near_threshold > len(sizes) * 0.5, "most companies sit near the 125,000 t threshold"
    assert 1 <= sum(1 for t in sizes if t >= 20_000_000) <= len(sizes) * 0.03, "a few very large emitters"
    assert min(sizes) >= 25_000
    top_share = sum(sizes[-20:]) / sum(sizes)
    assert top_share > 0.25, "the top 1 % emit a large share, as in the real data"
    for s in latest:
        assert s.designation == ("업체" if s.emissions_tco2eq >= 125_000 else "사업장")
    assert len({s.company for s in latest}) == 2_000


def test_sectors_industries_and_auctioned_flags_are_those_of_the_catalog(large):
    catalog = {(i.sector, i.name): i.auctioned for i in INDUSTRIES}
    for p in large.pre_allocation:
        assert catalog[(p.sector, p.industry)] == p.auctioned
    sectors = Counter(p.sector for p in large.pre_allocation)
    assert set(sectors) == {"전환", "산업", "건물", "수송", "폐기물", "공공ㆍ기타"}
    assert sectors.most_common(1)[0][0] == "산업"


def test_history_gives_grandfathering_base_years(large):
    years = Counter(c.year for c in large.certified_emissions)
    assert sorted(years) == list(range(2019, 2025))
    assert years[2019] < years[2024] == 2_000  # late entrants have no early years
    certified = {(c.company, c.year): c.tonnes for c in large.certified_emissions}
    statements = {(s.company, s.year): s.emissions_tco2eq for s in large.statements}
    assert certified.keys() == statements.keys()
    trimmed = [k for k in certified if certified[k] != statements[k]]
    assert 0 < len(trimmed) < len(certified) * 0.05
    assert all(certified[k] < statements[k] for k in trimmed)


def test_allocations_never_exceed_the_cap(large):
    cap = large.total_cap
    for year in demo.PHASE_YEARS:
        allocated = sum(p.allocation[year] for p in large.pre_allocation)
        allocated += sum(a.allocation[year] for a in large.additional_allocation)
        assert allocated <= cap.by_year[year]
    assert cap.reserve > 0 and cap.phase == 3
    entrants = [p for p in large.pre_allocation if p.allocation[2021] == 0]
    assert entrants and all(p.allocation[2025] > 0 for p in entrants)


def test_offsets_and_sites(large):
    assert {o.compliance_year for o in large.offset_credits} <= set(range(2015, 2025))
    numbers = [o.number for o in large.offset_credits]
    assert numbers == list(range(1, len(numbers) + 1))
    latest = {s.company: s.emissions_tco2eq for s in large.statements if s.year == 2024}
    per_company = Counter()
    for site in large.sites:
        per_company[site.company] += site.emissions_tco2eq
    assert per_company == Counter(latest)
    assert len({(s.company, s.site_id) for s in large.sites}) == len(large.sites)


def test_market_rows_follow_krx_rules(small):
    rows = list(reversed(small.market_daily))  # oldest first
    previous: dict[str, int] = {}
    for row in rows:
        assert row.date.weekday() < 5
        before = previous.get(row.instrument)
        if before is not None:
            assert row.change == row.close - before
            assert abs(row.change) <= before // 10, "inside the ±10 % price band"
            assert abs(row.change_bp * before - row.change * 10_000) * 2 <= before, "등락률 is the change, rounded"
        assert row.close % 10 == 0
        if row.volume:
            assert row.low <= row.vwap <= row.high and row.low <= row.close <= row.high
            assert row.value_krw // row.volume <= row.vwap <= -(-row.value_krw // row.volume)
        else:
            assert (row.open, row.high, row.low, row.value_krw, row.vwap, row.change) == (0, 0, 0, 0, 0, 0)
        previous[row.instrument] = row.close
    days = sorted({r.date for r in rows})
    assert days[0] == demo.MARKET_FIRST_DAY and days[-1] == demo.MARKET_LAST_DAY
    assert all(b - a <= timedelta(days=3) for a, b in zip(days, days[1:]))
    last = [r.instrument for r in small.market_daily if r.date == demo.MARKET_LAST_DAY]
    assert last == ["KAU24", "KAU25", "KCU24", "KCU25", "KOC21-26", "KOC22-27", "KOC23-28", "KOC24-29", "KOC25-30"]


@pytest.mark.parametrize("arguments", [(7, 0), (7, -1), (7, 100_001), ("7", 60), (7, True), (None, 60)])
def test_generate_refuses_bad_arguments(arguments):
    with pytest.raises(ValueError):
        demo.generate(*arguments)


def test_cli_help_and_run(tmp_path):
    help_text = subprocess.run(
        [sys.executable, "-m", "datasets.demo", "--help"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    for needle in ("--seed", "--companies", "--out", "cp949", "byte-identical", "synthetic"):
        assert needle in help_text
    done = subprocess.run(
        [sys.executable, "-m", "datasets.demo", "--out", str(tmp_path / "d"), "--seed", "5", "--companies", "30"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    assert "30 companies" in done.stdout
    assert demo.read(tmp_path / "d") == demo.generate(5, 30)
    refused = subprocess.run(
        [sys.executable, "-m", "datasets.demo", "--out", str(tmp_path / "e"), "--seed", "5", "--companies", "0"],
        cwd=REPO, capture_output=True, text=True,
    )
    assert refused.returncode == 2 and "--companies must be from 1 to 100,000, got 0" in refused.stderr
