"""Every importer on every real public file in ../shared/datasets: row counts, known values, cross-checks.

Row counts are the datasets README's, except the KRX file, which holds 1,624 data rows (12 instruments
on 118 days and 4 more listed on the last 52), one more than the README's 1,623.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from datetime import date

import pytest

import datasets
from datasets import writers

from dataset_fixtures import real_file

PRE = "kets/phase3_pre_allocation_2021_2025.csv"
ADDITIONAL = "kets/phase3_additional_allocation_2021_2025.csv"
OFFSETS = "kets/offset_credits_issued.csv"
CAP = "kets/phase3_total_cap.csv"
KRX = "kets/krx_emissions_market_daily_2024_2025.csv"
CERTIFIED = "kets/etrs_certified_emissions_2024_sample.csv"
STATEMENTS = "ngms/statements_2024_sample.csv"


def test_statements_sample():
    rows = datasets.read_statements(real_file(STATEMENTS))
    assert len(rows) == 17
    assert rows[0] == datasets.Statement(
        1, "기후에너지환경부", "롯데이노베이트(주)", 2024, "사업장", "컴퓨터 프로그래밍, 시스템 통합 및 관리업",
        120_487, 2_514, "한국표준협회", "",
    )
    assert rows[-1] == datasets.Statement(1167, "산업통상부", "희성촉매(주)", 2024, "사업장", "석유화학", 23_978, 488, "한국표준협회", "")
    by_company = {r.company: r for r in rows}
    assert by_company["주식회사 포스코"].emissions_tco2eq == 71_065_143
    assert by_company["주식회사 포스코"].energy_tj == 377_507
    assert by_company["에스케이하이닉스 시스템아이씨(주)"].emissions_tco2eq == 125  # no separator in the file
    assert sum(r.emissions_tco2eq for r in rows) == 103_294_840
    assert sum(r.energy_tj for r in rows) == 960_540
    assert Counter(r.designation for r in rows) == {"업체": 10, "사업장": 7}


def test_pre_allocation_lists_one_company_twice():
    path = real_file(PRE)
    with pytest.raises(datasets.DuplicateRecordError) as caught:
        datasets.read_pre_allocation(path)
    assert str(caught.value) == (
        "phase3_pre_allocation_2021_2025.csv row 724, column 업체명: company '경원여객자동차(주)' already appears "
        "in row 474; a company appears once in a pre-allocation file. If these are two companies that share a "
        "name, read with unique=False and decide how the allocation plan treats them (the chain's company id is "
        "the name)."
    )
    assert (caught.value.row, caught.value.column) == (724, "업체명")


def test_pre_allocation():
    rows = datasets.read_pre_allocation(real_file(PRE), unique=False)
    assert len(rows) == 781
    assert rows[0] == datasets.PreAllocation(
        1, "전환", "전기업", "(주)에스파워", True,
        datasets.YearAmounts({2021: 1_656_451, 2022: 1_656_451, 2023: 1_656_451, 2024: 2_375_944, 2025: 2_375_944}),
    )
    assert rows[-1].company == "리뉴에너지그린 주식회사"
    assert rows[-1].auctioned is False
    assert dict(rows[-1].allocation) == {2021: 0, 2022: 0, 2023: 0, 2024: 56_853, 2025: 56_853}
    assert Counter(r.sector for r in rows) == {"산업": 469, "폐기물": 118, "전환": 73, "수송": 69, "건물": 49, "공공ㆍ기타": 3}
    assert sum(r.auctioned for r in rows) == 267
    totals = {y: sum(r.allocation[y] for r in rows) for y in range(2021, 2026)}
    assert totals == {2021: 587_529_422, 2022: 590_856_979, 2023: 592_664_440, 2024: 580_241_724, 2025: 582_886_057}
    # names published with stray spaces become their company id
    assert "롯데이노베이트(주)" in {r.company for r in rows}
    assert all(r.company == datasets.company_id(r.company) for r in rows)


def test_additional_allocation():
    rows = datasets.read_additional_allocation(real_file(ADDITIONAL))
    assert len(rows) == 410
    assert rows[1].company == "GS파워"
    assert rows[1].industry == "증기, 냉ㆍ온수 및 공기 조절 공급업"
    assert dict(rows[1].allocation) == {2021: 211_092, 2022: 1_188_503, 2023: 234_159, 2024: 1_761_152, 2025: 0}
    no_industry = [r for r in rows if not r.industry]
    assert [(r.number, r.sector, r.company) for r in no_industry] == [(316, "건물", "에스케이엔텀 주식회사")]
    assert rows[-1].allocation.total == 153


def test_certified_emissions_sample_matches_statements():
    certified = datasets.read_certified_emissions(real_file(CERTIFIED))
    statements = {s.company: s for s in datasets.read_statements(real_file(STATEMENTS))}
    assert len(certified) == 13
    assert certified[0] == datasets.CertifiedEmissions(8, "산업", "도축, 육류 가공 및 저장 처리업", "(주)하림", 2024, 102_619)
    assert {r.year for r in certified} == {2024}
    both = [r for r in certified if r.company in statements]
    assert len(both) == 12  # 포스코스틸리온(주) is not in the statements sample
    assert all(r.tonnes == statements[r.company].emissions_tco2eq for r in both)


def test_offset_credits():
    rows = datasets.read_offset_credits(real_file(OFFSETS))
    assert len(rows) == 318
    assert rows[0] == datasets.OffsetIssuance(1, "폐기물", "폐기물 처리업", "부산광역시", 2024, 19_726)
    assert rows[-1] == datasets.OffsetIssuance(318, "산업", "석유화학", "티케이지휴켐스 주식회사", 2015, 54_390)
    assert {r.compliance_year for r in rows} == set(range(2015, 2025))
    assert sum(r.quantity for r in rows) == 33_624_686
    blank = [r for r in rows if not r.sector]
    assert [(r.number, r.company) for r in blank] == [(241, "휘닉스중앙평창(주)")]


def test_total_cap_rows_add_up():
    cap = datasets.read_total_cap(real_file(CAP))
    assert cap.phase_total == 3_069_509_248
    assert dict(cap.by_year) == {
        2021: 583_112_071, 2022: 564_568_844, 2023: 548_858_984, 2024: 642_724_152, 2025: 549_472_616,
    }
    assert cap.by_year.total == 2_888_736_667
    assert cap.reserve == 180_772_581
    assert cap.phase == 3


def test_krx_market_daily():
    rows = datasets.read_market_daily(real_file(KRX))
    assert len(rows) == 1_624
    assert rows[0] == datasets.MarketDay(
        date(2025, 6, 12), "KAU24", 8_770, 40, 46, 8_720, 8_790, 8_720, 143_017, 1_251_186_800, 8_749
    )
    assert rows[0].change_pct == "0.46"
    kau24 = {r.date: r for r in rows if r.instrument == "KAU24"}
    assert (kau24[date(2025, 6, 11)].change, kau24[date(2025, 6, 11)].change_bp) == (-60, -68)
    assert kau24[date(2025, 6, 11)].change_pct == "-0.68"
    days = {r.date for r in rows}
    assert (len(days), min(days), max(days)) == (118, date(2024, 12, 12), date(2025, 6, 12))
    counts = Counter(r.instrument for r in rows)
    assert counts["KAU24"] == 118 and counts["KCU25"] == 52 and len(counts) == 16
    assert sum(r.volume for r in rows if r.instrument == "KAU24") == 48_291_894
    assert sum(r.value_krw for r in rows) == 449_051_128_960
    assert rows[-1].instrument == "i-KOC24-29" and rows[-1].volume == 0


@pytest.mark.parametrize(
    ("relative", "read", "write"),
    [
        (STATEMENTS, datasets.read_statements, writers.statements_csv),
        (ADDITIONAL, datasets.read_additional_allocation, writers.additional_allocation_csv),
        (CERTIFIED, datasets.read_certified_emissions, writers.certified_emissions_csv),
        (OFFSETS, datasets.read_offset_credits, writers.offset_credits_csv),
        (CAP, datasets.read_total_cap, writers.total_cap_csv),
        (KRX, datasets.read_market_daily, writers.market_daily_csv),
    ],
)
def test_writers_reproduce_the_published_bytes(relative, read, write):
    path = real_file(relative)
    assert write(read(path)) == path.read_bytes()


def test_pre_allocation_writer_differs_only_where_names_had_stray_spaces():
    path = real_file(PRE)
    original = path.read_bytes().split(b"\n")
    rewritten = writers.pre_allocation_csv(datasets.read_pre_allocation(path, unique=False)).split(b"\n")
    assert len(original) == len(rewritten)
    differing = [(a.decode("cp949"), b.decode("cp949")) for a, b in zip(original, rewritten) if a != b]
    assert len(differing) == 7
    for a, b in differing:
        published, written = next(csv.reader([a])), next(csv.reader([b]))
        assert published != written and [cell.strip() for cell in published] == written


@pytest.mark.parametrize("relative", [PRE, ADDITIONAL, OFFSETS, CAP, KRX, CERTIFIED, STATEMENTS])
def test_file_sha256_is_over_the_raw_bytes(relative):
    path = real_file(relative)
    assert datasets.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_uploaded_bytes_read_like_the_file():
    path = real_file(PRE)
    from_bytes = datasets.read_pre_allocation(path.read_bytes(), unique=False)
    assert from_bytes == datasets.read_pre_allocation(path, unique=False)
    with pytest.raises(datasets.DuplicateRecordError, match=r"^upload\.csv row 724"):
        datasets.read_pre_allocation(path.read_bytes(), name="upload.csv")
