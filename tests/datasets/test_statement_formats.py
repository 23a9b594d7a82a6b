"""NGMS statements read the same from the site's HTML table, a CSV export and an XLSX export."""

from __future__ import annotations

import pytest

import datasets
from datasets import writers

from dataset_fixtures import STATEMENT_HEADERS, ngms_page, real_file, xlsx_bytes

ROWS = [
    ("1", "기후에너지환경부", "롯데이노베이트(주)", "2024", "사업장", "컴퓨터 프로그래밍, 시스템 통합 및 관리업", "120,487", "2,514", "한국표준협회", ""),
    ("517", "기후에너지환경부", "삼성디스플레이 주식회사", "2024", "업체", "전자 부품 제조업", "4,000,544", "60,771", "(재)한국품질재단", ""),
    ("677", "기후에너지환경부", "에스케이하이닉스 시스템아이씨(주)", "2024", "업체", "반도체 제조업", "125", "2", "(주)비에스아이그룹코리아", "정정 보고"),
    ("1167", "산업통상부", "희성촉매(주)", "2024", "사업장", "석유화학", "23,978", "488", "한국표준협회", ""),
]

EXPECTED = [
    datasets.Statement(1, "기후에너지환경부", "롯데이노베이트(주)", 2024, "사업장", "컴퓨터 프로그래밍, 시스템 통합 및 관리업", 120_487, 2_514, "한국표준협회", ""),
    datasets.Statement(517, "기후에너지환경부", "삼성디스플레이 주식회사", 2024, "업체", "전자 부품 제조업", 4_000_544, 60_771, "(재)한국품질재단", ""),
    datasets.Statement(677, "기후에너지환경부", "에스케이하이닉스 시스템아이씨(주)", 2024, "업체", "반도체 제조업", 125, 2, "(주)비에스아이그룹코리아", "정정 보고"),
    datasets.Statement(1167, "산업통상부", "희성촉매(주)", 2024, "사업장", "석유화학", 23_978, 488, "한국표준협회", ""),
]


def _numeric(cells):
    """Cells as an XLSX export stores them: numbers as numeric cells, empty cells omitted."""
    out = []
    for i, c in enumerate(cells):
        if i in (0, 3, 6, 7):
            out.append(int(c.replace(",", "")))
        else:
            out.append(c or None)
    return out


@pytest.mark.parametrize("charset", ["euc-kr", "utf-8", "ks_c_5601-1987"])
@pytest.mark.parametrize("omit_end_tags", [False, True])
def test_html_page_as_the_site_serves_it(charset, omit_end_tags):
    page = ngms_page(ROWS, charset=charset, omit_end_tags=omit_end_tags)
    assert datasets.read_statements(page, name="list.do") == EXPECTED


def test_html_page_with_the_real_sample_gives_the_csv_records():
    path = real_file("ngms/statements_2024_sample.csv")
    import csv

    rows = list(csv.reader(path.read_text("utf-8").splitlines()))[1:]
    assert datasets.read_statements(ngms_page(rows)) == datasets.read_statements(path)


def test_html_written_by_the_writer_reads_back():
    page = writers.statements_html(EXPECTED)
    assert datasets.read_statements(page) == EXPECTED
    assert datasets.read_statements(page, format="html") == EXPECTED


def test_html_entities_and_markup_inside_cells():
    rows = [list(ROWS[0])]
    rows[0][2] = "에스앤디 & 케미칼(주)"
    page = ngms_page(rows, charset="utf-8")
    assert datasets.read_statements(page)[0].company == "에스앤디 & 케미칼(주)"


def test_html_page_without_a_statement_table():
    page = "<html><body><table><tr><td>로그인이 필요합니다</td></tr></table></body></html>".encode()
    with pytest.raises(datasets.MissingColumnError) as caught:
        datasets.read_statements(page, name="list.do")
    assert str(caught.value).startswith(
        "list.do row 1: none of the columns of an NGMS statements (명세서) file were found (expected 관장기관, 법인명,"
    )


def test_xlsx_export_with_shared_strings_and_numbers():
    workbook = xlsx_bytes([("명세서", [list(STATEMENT_HEADERS), *(_numeric(r) for r in ROWS)])])
    assert datasets.read_statements(workbook, name="statements.xlsx") == EXPECTED


def test_xlsx_export_with_inline_text_cells_a_title_row_and_a_second_sheet():
    title = ["2024년 온실가스 배출량 명세서"]
    sheet = [title, [], list(STATEMENT_HEADERS), *(list(r) for r in ROWS)]
    workbook = xlsx_bytes([("안내", [["이 파일은 공개 자료입니다"]]), ("명세서", sheet)], first_row=3, inline_strings=True)
    assert datasets.read_statements(workbook) == EXPECTED


def test_xlsx_numbers_stored_with_a_decimal_point_or_exponent():
    row = _numeric(ROWS[1])
    row[6] = ("n", "4000544.0")
    row[7] = ("n", "6.0771E4")
    workbook = xlsx_bytes([("Sheet1", [list(STATEMENT_HEADERS), row])])
    assert datasets.read_statements(workbook) == [EXPECTED[1]]


def test_xlsx_fraction_is_rejected_with_its_cell():
    row = _numeric(ROWS[1])
    row[6] = ("n", "4000544.5")
    workbook = xlsx_bytes([("Sheet1", [list(STATEMENT_HEADERS), row])])
    with pytest.raises(datasets.CellError) as caught:
        datasets.read_statements(workbook, name="statements.xlsx")
    assert str(caught.value) == (
        "statements.xlsx row 2, column 온실가스 배출량(tCO2eq): expected a whole number like 120,487, got '4000544.5'"
    )


def test_the_three_formats_agree_on_the_real_sample():
    path = real_file("ngms/statements_2024_sample.csv")
    from_csv = datasets.read_statements(path)
    as_xlsx = xlsx_bytes(
        [("Sheet1", [list(STATEMENT_HEADERS)] + [
            [s.number, s.agency, s.company, s.year, s.designation, s.sector, s.emissions_tco2eq, s.energy_tj,
             s.verifier, s.note or None]
            for s in from_csv
        ])]
    )
    assert datasets.read_statements(as_xlsx) == from_csv
    assert datasets.read_statements(writers.statements_html(from_csv)) == from_csv


def test_forcing_a_format_that_the_bytes_contradict():
    with pytest.raises(datasets.MalformedFileError, match=r"^x\.csv: expected an XLSX file but the bytes look like CSV$"):
        datasets.read_statements(writers.statements_csv(EXPECTED), name="x.csv", format="xlsx")
