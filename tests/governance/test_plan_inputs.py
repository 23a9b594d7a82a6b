"""From imported public records to engine inputs: merging rules and the company-data supplement."""

from __future__ import annotations

import pytest

from datasets.records import AdditionalAllocation, CertifiedEmissions, PreAllocation, Statement
from governance import AllocationInputError
from governance.company_data import CompanyData, read_company_data
from governance.inputs import build_company_inputs


def pre(number, company, allocation, *, sector="산업", industry="1차 철강 제조업", auctioned=False):
    return PreAllocation(number, sector, industry, company, auctioned, allocation)


def certified(company, year, tonnes):
    return CertifiedEmissions(None, "산업", "1차 철강 제조업", company, year, tonnes)


def statement(company, year, tonnes, sector="1차 철강 제조업"):
    return Statement(None, "산업통상자원부", company, year, "업체", sector, tonnes, 10, "", "")


def test_certified_emissions_take_precedence_over_statements():
    merged = build_company_inputs(
        pre_allocation=[pre(1, "포스코", {2021: 9}, auctioned=True)],
        certified_emissions=[certified("포스코", 2021, 100)],
        statements=[statement("포스코", 2021, 999), statement("포스코", 2022, 120)],
    )
    (c,) = merged.companies
    assert (c.company_id, c.sector, c.industry, c.auctioned) == ("포스코", "산업", "1차 철강 제조업", True)
    assert c.emissions_by_year == {2021: 100, 2022: 120}


def test_companies_outside_the_pre_allocation_list_are_left_out_and_noted():
    merged = build_company_inputs(
        pre_allocation=[pre(1, "A", {2021: 1})],
        certified_emissions=[certified("A", 2021, 5), certified("Z", 2021, 7)],
    )
    assert [c.company_id for c in merged.companies] == ["A"]
    assert any("1 company(ies)" in n and "left out" in n for n in merged.notes)


def test_a_name_listed_twice_is_one_company_with_its_rows_added():
    merged = build_company_inputs(
        pre_allocation=[pre(473, "경원여객자동차(주)", {2021: 0, 2022: 49_686}), pre(723, "경원여객자동차(주)", {2021: 26_539, 2022: 26_539})],
        history="pre_allocation",
    )
    (c,) = merged.companies
    assert c.emissions_by_year == {2021: 26_539, 2022: 76_225}
    assert any("listed 2 times" in n for n in merged.notes)


def test_rows_of_one_name_that_disagree_are_an_error():
    with pytest.raises(AllocationInputError, match="different sector, industry or auctioned"):
        build_company_inputs(pre_allocation=[pre(1, "A", {2021: 1}), pre(2, "A", {2021: 1}, auctioned=True)])


def test_pre_allocation_history_adds_additional_allocation_and_skips_empty_years():
    merged = build_company_inputs(
        pre_allocation=[pre(1, "A", {2021: 0, 2022: 100, 2023: 100})],
        additional_allocation=[AdditionalAllocation(1, "산업", "", "A", {2021: 0, 2022: 5, 2023: 0})],
        history="pre_allocation",
    )
    assert merged.companies[0].emissions_by_year == {2022: 105, 2023: 100}


def test_additional_allocation_is_not_emissions():
    merged = build_company_inputs(
        pre_allocation=[pre(1, "A", {2021: 10})],
        additional_allocation=[AdditionalAllocation(1, "산업", "", "A", {2021: 5})],
    )
    assert merged.companies[0].emissions == ()
    assert any("used only with history=pre_allocation" in n for n in merged.notes)


def test_conflicting_certified_figures_are_an_error():
    with pytest.raises(AllocationInputError, match="given twice with different figures"):
        build_company_inputs(certified_emissions=[certified("A", 2021, 5), certified("A", 2021, 6)])


def test_without_a_pre_allocation_list_every_company_is_taken_and_assumed_free():
    merged = build_company_inputs(certified_emissions=[certified("A", 2021, 5)], statements=[statement("B", 2022, 6, "전기업")])
    by_id = {c.company_id: c for c in merged.companies}
    assert set(by_id) == {"A", "B"}
    assert by_id["B"].industry == "전기업" and by_id["B"].auctioned is False
    assert any("taken as fully free" in n for n in merged.notes)


def test_company_data_adds_benchmark_data_and_new_entrants():
    merged = build_company_inputs(
        pre_allocation=[pre(1, "A", {2021: 10})],
        company_data=[CompanyData("A", activity=100, benchmark_intensity=900),
                      CompanyData("N", sector="전환", industry="전기업", auctioned=True, new_entrant=True)],
    )
    by_id = {c.company_id: c for c in merged.companies}
    assert (by_id["A"].activity, by_id["A"].benchmark_intensity, by_id["A"].new_entrant) == (100, 900, False)
    assert (by_id["N"].sector, by_id["N"].auctioned, by_id["N"].new_entrant) == ("전환", True, True)


def test_company_data_that_contradicts_the_pre_allocation_is_an_error():
    with pytest.raises(AllocationInputError, match="row 7.*auctioned"):
        build_company_inputs(pre_allocation=[pre(1, "A", {2021: 10})], company_data=[CompanyData("A", auctioned=True, row=7)])


def test_reading_a_company_data_file(tmp_path):
    path = tmp_path / "company_data.csv"
    path.write_text(
        "\ufeffcompany,sector,industry,auctioned,activity,benchmark_intensity,new_entrant\n"
        '(주)예시시멘트,산업,"시멘트, 석회 제조업",N,"1,250,000",812,N\n'
        "  신규발전(주) ,전환,전기업,Y,,,Y\n\n",
        encoding="utf-8",
    )
    first, second = read_company_data(path)
    assert first == CompanyData("(주)예시시멘트", "산업", "시멘트, 석회 제조업", False, 1_250_000, 812, False, row=2)
    assert (second.company_id, second.auctioned, second.activity, second.new_entrant, second.row) == ("신규발전(주)", True, None, True, 3)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty file"),
        ("name,activity\nA,1\n", "header must name `company`"),
        ("company,activity\nA,1.5\n", "row 2, column activity: expected a whole number"),
        ("company,new_entrant\nA,yes\n", "row 2, column new_entrant: expected Y or N"),
        ("company,activity\nA,5\n", "both activity and benchmark_intensity"),
        ("company\nA\nA\n", "row 3: company 'A' already appears in row 2"),
        ("company,sector\n,산업\n", "row 2, column company"),
        ("company\nA,extra\n", "row 2: 2 cells"),
    ],
)
def test_company_data_errors_name_row_and_column(tmp_path, text, message):
    path = tmp_path / "cd.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AllocationInputError, match=message):
        read_company_data(path)


def test_company_data_must_be_utf8(tmp_path):
    path = tmp_path / "cd.csv"
    path.write_bytes("company\n가나\n".encode("cp949"))
    with pytest.raises(AllocationInputError, match="not UTF-8"):
        read_company_data(path)
