"""Records validate on construction; YearAmounts is an immutable mapping; numbers survive write → read."""

from __future__ import annotations

import pickle
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import datasets
from datasets import (
    CertifiedEmissions,
    MarketDay,
    OffsetIssuance,
    PreAllocation,
    Site,
    Statement,
    TotalCap,
    YearAmounts,
    writers,
)

STATEMENT = dict(
    number=1, agency="기후에너지환경부", company="A사", year=2024, designation="업체", sector="전기업",
    emissions_tco2eq=1, energy_tj=1, verifier="", note="",
)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"emissions_tco2eq": -1}, "emissions_tco2eq must be 0 or more, got -1"),
        ({"emissions_tco2eq": 1.5}, "emissions_tco2eq must be a whole number (int), got 1.5"),
        ({"energy_tj": True}, "energy_tj must be a whole number (int), got True"),
        ({"year": 1989}, "year must be a year from 1990 to 2100, got 1989"),
        ({"designation": "본사"}, "designation must be 업체 or 사업장, got '본사'"),
        ({"company": "  "}, "a company name must not be empty"),
        ({"number": "1"}, "number must be a whole number (int), got '1'"),
        ({"verifier": None}, "verifier must be text, got None"),
    ],
)
def test_statement_validation(changes, message):
    with pytest.raises(ValueError) as caught:
        Statement(**{**STATEMENT, **changes})
    assert str(caught.value) == message


def test_company_is_stored_as_its_id():
    assert Statement(**{**STATEMENT, "company": "  A사\t(주) "}).company == "A사 (주)"
    assert PreAllocation(None, "", "", " B사", False, {2021: 5}).company == "B사"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: PreAllocation(1, "전환", "전기업", "A", "Y", {2021: 1}), "auctioned must be True or False, got 'Y'"),
        (lambda: PreAllocation(1, "전환", "전기업", "A", True, {2021: -1}), "amount for 2021 must be 0 or more, got -1"),
        (lambda: PreAllocation(1, "전환", "전기업", "A", True, [1, 2]), "allocation must be a mapping of year to tonnes, got [1, 2]"),
        (lambda: CertifiedEmissions(1, "산업", "x", "A", 2024, -5), "tonnes must be 0 or more, got -5"),
        (lambda: OffsetIssuance(1, "", "", "A", 2014.0, 5), "compliance_year must be a whole number (int), got 2014.0"),
        (lambda: TotalCap(10, {}), "by_year must have at least one year"),
        (lambda: TotalCap(10, {2021: 6, 2022: 5}), "the yearly totals add up to 11, more than the phase total 10"),
        (lambda: MarketDay("2025-06-12", "KAU25", 1, 0, 0, 0, 0, 0, 0, 0, 0), "date must be a datetime.date, got '2025-06-12'"),
        (lambda: MarketDay(date(2025, 6, 12), "KAU25", -1, 0, 0, 0, 0, 0, 0, 0, 0), "close must be 0 or more, got -1"),
        (lambda: Site("A", "울산 1", "울산공장", "울산광역시", 1), "site_id must be 1-64 ASCII letters, digits, '_', '.', '-', got '울산 1'"),
    ],
)
def test_record_validation(build, message):
    with pytest.raises(ValueError) as caught:
        build()
    assert str(caught.value) == message


def test_year_amounts_is_an_immutable_sorted_hashable_mapping():
    amounts = YearAmounts({2023: 3, 2021: 1, 2022: 2})
    assert list(amounts) == [2021, 2022, 2023]
    assert amounts[2022] == 2 and amounts.total == 6 and len(amounts) == 3
    assert amounts == {2021: 1, 2022: 2, 2023: 3} == dict(amounts)
    assert hash(amounts) == hash(YearAmounts({2021: 1, 2022: 2, 2023: 3}))
    assert pickle.loads(pickle.dumps(amounts)) == amounts
    with pytest.raises(KeyError):
        amounts[2024]
    with pytest.raises(AttributeError):
        amounts._items = ()
    record = PreAllocation(1, "전환", "전기업", "A", True, {2021: 1})
    assert isinstance(record.allocation, YearAmounts)
    assert hash(record) == hash(PreAllocation(1, "전환", "전기업", "A", True, YearAmounts({2021: 1})))


def test_total_cap_reserve_and_phase():
    cap = TotalCap(100, {2026: 40, 2027: 50})
    assert (cap.reserve, cap.phase) == (10, 4)
    assert TotalCap(1, {2031: 1}).phase is None


@pytest.mark.parametrize(("bp", "text"), [(46, "0.46"), (-68, "-0.68"), (0, "0.00"), (-5, "-0.05"), (1234, "12.34")])
def test_change_pct_prints_like_krx(bp, text):
    assert MarketDay(date(2025, 1, 2), "KAU25", 1, 0, bp, 0, 0, 0, 0, 0, 0).change_pct == text


_count = st.integers(min_value=0, max_value=10**13)


@settings(max_examples=60, deadline=None)
@given(
    close=_count, change=st.integers(min_value=-10**9, max_value=10**9), bp=st.integers(min_value=-99_999, max_value=99_999),
    volume=_count, value=_count, day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)
def test_market_numbers_survive_write_and_read(close, change, bp, volume, value, day):
    row = MarketDay(day, "KAU25", close, change, bp, close, close, close, volume, value, close)
    assert datasets.read_market_daily(writers.market_daily_csv([row])) == [row]


_text = st.text(alphabet=st.sampled_from(list('가나다 ,"\'()ㆍ㈜AZ09-')), max_size=20).map(datasets._text.clean_text)


@settings(max_examples=60, deadline=None)
@given(sector=_text, industry=_text, company=_text.filter(bool), auctioned=st.booleans(),
       amounts=st.lists(_count, min_size=1, max_size=6))
def test_allocation_text_and_numbers_survive_cp949_write_and_read(sector, industry, company, auctioned, amounts):
    record = PreAllocation(3, sector, industry, company, auctioned, {2021 + i: a for i, a in enumerate(amounts)})
    assert datasets.read_pre_allocation(writers.pre_allocation_csv([record])) == [record]


def test_writer_refuses_text_cp949_cannot_hold():
    record = PreAllocation(1, "전환", "전기업", "에너지😀", True, {2021: 1})
    with pytest.raises(ValueError, match=r"^pre-allocation: '😀' on line 2 cannot be written in cp949"):
        writers.pre_allocation_csv([record])
