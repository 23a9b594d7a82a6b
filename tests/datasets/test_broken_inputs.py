"""Broken files: each problem raises one DatasetError subclass with the exact message a user sees."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path

import pytest

import datasets
from datasets import (
    CellError,
    DuplicateRecordError,
    EncodingError,
    MalformedFileError,
    MissingColumnError,
)

from dataset_fixtures import STATEMENT_HEADERS, ngms_page, xlsx_bytes

STATEMENT_HEADER = ",".join(STATEMENT_HEADERS)
GOOD_STATEMENT = '{n},기후에너지환경부,회사{n} 주식회사,2024,업체,1차 철강 제조업,"120,487","2,514",한국표준협회,'
PRE_HEADER = '"번호",부문,업종,업체명,유상여부,2021년,2022년,2023년,2024년,2025년'
PRE_ROWS = [
    "1,전환,전기업,(주)에스파워,Y,1656451,1656451,1656451,2375944,2375944,",
    '2,산업,"비료, 농약 및 살균ㆍ살충제 제조업",남해화학(주),N,67752,67752,67752,67118,67118,',
    "3,산업,기초 화학물질 제조업,그린케미칼 주식회사,N,65261,65261,65261,64650,64650,",
]
KRX_HEADER = "\ufeff일자,종목명,종가,대비,등락률,시가,고가,저가,거래량,거래대금,가중평균"
KRX_ROW = '"2025-06-12",KAU24,"8,770",40,"{pct}","8,720","8,790","8,720","143,017","1,251,186,800","8,749"'
CERTIFIED_HEADER = "번호,부문,업종,업체명,이행연도,인증 배출량(톤)"


def statements(*rows: str) -> bytes:
    return ("\n".join([STATEMENT_HEADER, *rows]) + "\n").encode("utf-8")


def pre_allocation(*rows: str, header: str = PRE_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("cp949")


def statement_with(column: int, value: str, *, row: int = 2) -> bytes:
    """Statements where data row ``row`` (file row numbering) has ``value`` in ``column``."""
    lines = [GOOD_STATEMENT.format(n=n) for n in range(1, 14)]
    cells = next(csv.reader([lines[row - 2]]))
    cells[column] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    lines[row - 2] = out.getvalue()
    return statements(*lines)


def read_statements(data: bytes):
    return datasets.read_statements(data, name="statements.csv")


def read_pre(data: bytes):
    return datasets.read_pre_allocation(data, name="pre.csv")


def read_krx(data: bytes):
    return datasets.read_market_daily(data, name="krx.csv")


def read_certified(data: bytes):
    return datasets.read_certified_emissions(data, name="certified.csv")


def _latin1_row() -> tuple[bytes, int]:
    data = (CERTIFIED_HEADER + "\n1,").encode("utf-8") + "Industry,x,Café Ltd,2024,5\n".encode("latin-1")
    return data, data.index(b"\xe9")


LATIN1, LATIN1_AT = _latin1_row()
UTF8_CUT = "\n".join([STATEMENT_HEADER, GOOD_STATEMENT.format(n=1), "2,기후에너지환경부,회사"]).encode("utf-8")[:-1]
CP949_MID_CHAR = pre_allocation(*PRE_ROWS, "4,산업,금속 주조업,대동금속(주),Y,1,1,1,1,1,")
CP949_MID_CHAR = CP949_MID_CHAR[: CP949_MID_CHAR.index("대동".encode("cp949")) + 1]

CASES = [
    # -- encoding ------------------------------------------------------------------------------
    (
        "latin-1 bytes in a UTF-8 file",
        lambda: read_certified(LATIN1),
        EncodingError,
        f"certified.csv row 2: the file is neither UTF-8 nor cp949 (EUC-KR) text: byte 0xe9 at byte offset {LATIN1_AT} "
        "cannot be decoded by either; save it again as 'CSV UTF-8' (or open the original download unchanged)",
    ),
    (
        "a BOM promises UTF-8 but the bytes are cp949",
        lambda: read_pre(codecs.BOM_UTF8 + pre_allocation(*PRE_ROWS)),
        EncodingError,
        "pre.csv row 1: the file is marked or declared as utf-8 but byte 0xb9 at byte offset 4 is not valid utf-8; "
        "download it again or save it as 'CSV UTF-8'",
    ),
    (
        "a page declares UTF-8 but is EUC-KR",
        lambda: datasets.read_statements(
            ngms_page([GOOD_STATEMENT.format(n=1).split(",")], charset="euc-kr").replace(b"charset=euc-kr", b"charset=utf-8"),
            name="list.do",
        ),
        EncodingError,
        None,  # checked by prefix below: the offset depends on the page template
    ),
    (
        "Korean headers lost to '?' by a save in the wrong code page",
        lambda: read_pre(PRE_HEADER.replace("번호", "??").replace("부문", "??").replace("업종", "??").replace("업체명", "???")
                         .replace("유상여부", "????").replace("년", "?").encode("ascii") + b"\n1,x,y,z,Y,1,1,1,1,1,\n"),
        MissingColumnError,
        'pre.csv row 1: none of the columns of an ETRS pre-allocation file were found (expected 부문, 업종, 업체명, '
        "유상여부, 2021년 …; the first row reads: ??, ??, ??, ???, ????, 2021?, 2022?, 2023?, 2024?, 2025?): "
        "is this the right file?",
    ),
    # -- columns -------------------------------------------------------------------------------
    (
        "missing column",
        lambda: read_pre(pre_allocation(
            *[r.replace(",Y,", ",").replace(",N,", ",") for r in PRE_ROWS],
            header=PRE_HEADER.replace("유상여부,", ""),
        )),
        MissingColumnError,
        "pre.csv row 1: missing column '유상여부' in the header (found: 번호, 부문, 업종, 업체명, 2021년, 2022년, "
        "2023년, 2024년, 2025년); an ETRS pre-allocation file needs 부문, 업종, 업체명, 유상여부, 2021년 …",
    ),
    (
        "no per-year columns",
        lambda: read_pre(pre_allocation("1,전환,전기업,(주)에스파워,Y,", header='"번호",부문,업종,업체명,유상여부')),
        MissingColumnError,
        "pre.csv row 1: missing column 'per-year columns like 2021년' in the header (found: 번호, 부문, 업종, 업체명, "
        "유상여부); an ETRS pre-allocation file needs 부문, 업종, 업체명, 유상여부, 2021년 …",
    ),
    # -- cells ---------------------------------------------------------------------------------
    (
        "non-numeric emissions (row 14)",
        lambda: read_statements(statement_with(6, "n/a", row=14)),
        CellError,
        "statements.csv row 14, column 온실가스 배출량(tCO2eq): expected a whole number like 120,487, got 'n/a'",
    ),
    (
        "negative energy",
        lambda: read_statements(statement_with(7, "-5")),
        CellError,
        "statements.csv row 2, column 에너지 사용량(TJ): expected a whole number of 0 or more like 120,487, got '-5'",
    ),
    (
        "empty emissions",
        lambda: read_statements(statement_with(6, " ")),
        CellError,
        "statements.csv row 2, column 온실가스 배출량(tCO2eq): expected a whole number like 120,487, got an empty cell",
    ),
    (
        "badly grouped thousands",
        lambda: read_statements(statement_with(6, "1,20,487")),
        CellError,
        "statements.csv row 2, column 온실가스 배출량(tCO2eq): expected a whole number like 120,487, got '1,20,487'",
    ),
    (
        "a decimal where tonnes are whole",
        lambda: read_statements(statement_with(6, "120487.5")),
        CellError,
        "statements.csv row 2, column 온실가스 배출량(tCO2eq): expected a whole number like 120,487, got '120487.5'",
    ),
    (
        "unknown designation",
        lambda: read_statements(statement_with(4, "본사")),
        CellError,
        "statements.csv row 2, column 지정구분: expected 업체 or 사업장, got '본사'",
    ),
    (
        "two-digit year",
        lambda: read_statements(statement_with(3, "24")),
        CellError,
        "statements.csv row 2, column 대상년도: expected a year like 2024 or 2024년, got '24'",
    ),
    (
        "empty company",
        lambda: read_statements(statement_with(2, "")),
        CellError,
        "statements.csv row 2, column 법인명: expected a company name: a company name must not be empty",
    ),
    (
        "auctioned flag not Y/N",
        lambda: read_pre(pre_allocation(PRE_ROWS[0].replace(",Y,", ",예,"))),
        CellError,
        "pre.csv row 2, column 유상여부: expected Y or N, got '예'",
    ),
    (
        "allocation not a number",
        lambda: read_pre(pre_allocation(PRE_ROWS[0], PRE_ROWS[1].replace("67118,67118", "67118,-"))),
        CellError,
        "pre.csv row 3, column 2025년: expected a whole number like 120,487, got '-'",
    ),
    (
        "percentage with three decimals",
        lambda: read_krx((KRX_HEADER + "\n" + KRX_ROW.format(pct="0.456")).encode("utf-8")),
        CellError,
        "krx.csv row 2, column 등락률: expected a percentage with at most two decimals like 0.46 or -1.20, got '0.456'",
    ),
    (
        "impossible date",
        lambda: read_krx((KRX_HEADER + "\n" + KRX_ROW.format(pct="0.46").replace("2025-06-12", "2025-13-01")).encode("utf-8")),
        CellError,
        "krx.csv row 2, column 일자: expected a date like 2025-06-12, got '2025-13-01'",
    ),
    (
        "yearly totals above the phase total",
        lambda: datasets.read_total_cap('"계획기간 배출권 총수량",2021년 총수량,2022년 총수량\n100,60,50\n'.encode("cp949"), name="cap.csv"),
        CellError,
        "cap.csv row 2: the yearly totals add up to 110, more than the phase total 100",
    ),
    # -- structure and truncation --------------------------------------------------------------
    (
        "empty file",
        lambda: read_pre(b""),
        MalformedFileError,
        "pre.csv: the file is empty: download it again",
    ),
    (
        "header only",
        lambda: read_pre(pre_allocation()),
        MalformedFileError,
        "pre.csv row 1: there are no data rows below the header: the download is empty or was cut off",
    ),
    (
        "truncated mid-row",
        lambda: read_pre(pre_allocation(*PRE_ROWS[:2]) + "3,산업,기초 화학물질 제조업,그린케미칼 주식회사,N,652".encode("cp949")),
        MalformedFileError,
        "pre.csv row 4: the row has 6 cells but the header has 10 columns: the file looks truncated; download it again",
    ),
    (
        "truncated inside the last number (the trailing comma is missing)",
        lambda: read_pre(pre_allocation(*PRE_ROWS)[:-4]),
        MalformedFileError,
        "pre.csv row 4: the last row lacks the trailing empty cell every other row has: the file looks truncated; "
        "download it again",
    ),
    (
        "truncated inside a quoted number",
        lambda: read_krx((KRX_HEADER + "\n" + KRX_ROW.format(pct="0.46") + "\n" + KRX_ROW.format(pct="0.46")[:23]).encode("utf-8")),
        MalformedFileError,
        "krx.csv row 3: the file ends inside a quoted cell: it looks truncated; download it again",
    ),
    (
        "truncated inside a UTF-8 character",
        lambda: read_statements(UTF8_CUT),
        MalformedFileError,
        f"statements.csv row 3: the file ends in the middle of a character (byte offset {len(UTF8_CUT) - 2} of "
        f"{len(UTF8_CUT)}): the download looks truncated; download it again",
    ),
    (
        "truncated inside a cp949 character",
        lambda: read_pre(CP949_MID_CHAR),
        MalformedFileError,
        f"pre.csv row 5: the file ends in the middle of a character (byte offset {len(CP949_MID_CHAR) - 1} of "
        f"{len(CP949_MID_CHAR)}): the download looks truncated; download it again",
    ),
    (
        "HTML page cut off inside the table",
        lambda: datasets.read_statements(
            ngms_page([GOOD_STATEMENT.format(n=n).split(",") for n in (1, 2, 3)], truncate_after_rows=2), name="list.do"
        ),
        MalformedFileError,
        "list.do (table 3) row 4: the page ends inside the table (no </table>): it looks truncated; download it again",
    ),
    (
        "row with extra non-empty cells",
        lambda: read_statements(statements(GOOD_STATEMENT.format(n=1) + ",surplus,cells")),
        MalformedFileError,
        "statements.csv row 2: the row has 12 cells but the header has 10 columns, and the extra cells are not empty: "
        "check this row's commas and quotes",
    ),
    (
        "short row in the middle",
        lambda: read_pre(pre_allocation(PRE_ROWS[0], "2,산업,x,y,N,1,2", PRE_ROWS[2])),
        MalformedFileError,
        "pre.csv row 3: the row has 7 cells but the header has 10 columns: check this row's commas and quotes",
    ),
    (
        "stray quote in the middle",
        lambda: read_statements(statements(GOOD_STATEMENT.format(n=1), '2,"기후"에너지,x', GOOD_STATEMENT.format(n=3))),
        MalformedFileError,
        "statements.csv row 3: broken CSV quoting (',' expected after '\"'): check the quotes on this row",
    ),
    (
        "old binary Excel",
        lambda: read_pre(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
        MalformedFileError,
        "pre.csv: this is an Excel 97-2003 .xls workbook, which is not supported: save it as .xlsx or CSV",
    ),
    (
        "total cap with two rows",
        lambda: datasets.read_total_cap('"계획기간 배출권 총수량",2021년 총수량\n100,60\n100,60\n'.encode("cp949"), name="cap.csv"),
        MalformedFileError,
        "cap.csv row 3: expected exactly one row of totals below the header, found 2: is this the total cap file?",
    ),
    # -- uniqueness ----------------------------------------------------------------------------
    (
        "a KRX day pasted twice",
        lambda: read_krx((KRX_HEADER + "\n" + KRX_ROW.format(pct="0.46") + "\n" + KRX_ROW.format(pct="0.46")).encode("utf-8")),
        DuplicateRecordError,
        "krx.csv row 3: the row repeats row 2 exactly: the file looks like a download pasted in twice (or the same "
        "rows exported twice); remove the repeated rows or download the file again",
    ),
    (
        "a statement row repeated exactly",
        lambda: read_statements(statements(GOOD_STATEMENT.format(n=1), GOOD_STATEMENT.format(n=2), GOOD_STATEMENT.format(n=1))),
        DuplicateRecordError,
        "statements.csv row 4: the row repeats row 2 exactly: the file looks like a download pasted in twice (or the "
        "same rows exported twice); remove the repeated rows or download the file again",
    ),
    (
        "a company's statement twice in a year",
        lambda: read_statements(statements(GOOD_STATEMENT.format(n=1), GOOD_STATEMENT.format(n=2),
                                           GOOD_STATEMENT.format(n=1).replace('"120,487"', '"120,488"'))),
        DuplicateRecordError,
        "statements.csv row 4, column 법인명: company '회사1 주식회사' (2024) already appears in row 2; a company files "
        "one statement per year. If the file really lists it twice, read with unique=False and decide which row counts.",
    ),
    (
        "the same name written with different spaces is the same company",
        lambda: read_pre(pre_allocation(PRE_ROWS[0], PRE_ROWS[0].replace("(주)에스파워", " (주)에스파워 ").replace("1,", "2,", 1))),
        DuplicateRecordError,
        "pre.csv row 3, column 업체명: company '(주)에스파워' already appears in row 2; a company appears once in a "
        "pre-allocation file. If these are two companies that share a name, read with unique=False and decide how "
        "the allocation plan treats them (the chain's company id is the name).",
    ),
    (
        "a KRX day given twice with different figures",
        lambda: read_krx((KRX_HEADER + "\n" + KRX_ROW.format(pct="0.46") + "\n" + KRX_ROW.format(pct="0.47")).encode("utf-8")),
        DuplicateRecordError,
        "krx.csv row 3, column 종목명: KAU24 on 2025-06-12 already appears in row 2; KRX publishes one row per "
        "instrument and day. The download may have been pasted together twice; download it again.",
    ),
    (
        "certified emissions twice for one company-year",
        lambda: read_certified((CERTIFIED_HEADER + "\n1,산업,x,A사,2024,5\n2,산업,x,A사,2023,5\n3,산업,x,A사,2024,6\n").encode("utf-8")),
        DuplicateRecordError,
        "certified.csv row 4, column 업체명: company 'A사' (2024) already appears in row 2; certified emissions are one "
        "figure per company and year. If the file really lists it twice, read with unique=False and decide which row counts.",
    ),
]


@pytest.mark.parametrize(("case", "read", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_broken_input_gets_its_exact_error(case, read, error, message):
    with pytest.raises(datasets.DatasetError) as caught:
        read()
    assert type(caught.value) is error
    if message is None:
        assert str(caught.value).startswith("list.do row ") and "declared as utf-8 but byte 0x" in str(caught.value)
    else:
        assert str(caught.value) == message


def test_truncated_xlsx():
    workbook = xlsx_bytes([("Sheet1", [list(STATEMENT_HEADERS), ["1"] * 10])])
    with pytest.raises(MalformedFileError) as caught:
        datasets.read_statements(workbook[: len(workbook) // 2], name="statements.xlsx")
    assert str(caught.value).startswith("statements.xlsx: not a complete XLSX workbook (")
    assert str(caught.value).endswith("): the download looks truncated; download it again")


def test_xlsx_without_workbook_part():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(MalformedFileError, match=r"^book\.xlsx: not a valid XLSX workbook: part xl/workbook\.xml is missing$"):
        datasets.read_statements(buffer.getvalue(), name="book.xlsx")


def test_missing_file(tmp_path: Path):
    with pytest.raises(MalformedFileError, match=r"^nowhere\.csv: no such file: .*nowhere\.csv$"):
        datasets.read_pre_allocation(tmp_path / "nowhere.csv")


def test_error_parts_are_attributes():
    with pytest.raises(CellError) as caught:
        read_statements(statement_with(6, "n/a", row=14))
    error = caught.value
    assert (error.source, error.row, error.column) == ("statements.csv", 14, "온실가스 배출량(tCO2eq)")
    assert error.reason == "expected a whole number like 120,487, got 'n/a'"


@pytest.mark.parametrize(
    "reader",
    [datasets.read_statements, datasets.read_pre_allocation, datasets.read_additional_allocation,
     datasets.read_certified_emissions, datasets.read_offset_credits, datasets.read_total_cap,
     datasets.read_market_daily, datasets.read_sites],
)
def test_every_importer_rejects_an_unrelated_file(reader):
    with pytest.raises(MissingColumnError, match=r"^other\.csv row 1: none of the columns of .* is this the right file\?$"):
        reader(b"name,colour\nalpha,1\n", name="other.csv")


def test_unique_false_keeps_both_rows():
    data = statements(GOOD_STATEMENT.format(n=1), GOOD_STATEMENT.format(n=1).replace('"120,487"', '"120,488"'))
    assert len(datasets.read_statements(data, unique=False)) == 2


def test_an_exact_repeat_is_refused_even_when_keys_may_repeat_unless_allowed():
    data = statements(GOOD_STATEMENT.format(n=1), GOOD_STATEMENT.format(n=1))
    with pytest.raises(DuplicateRecordError, match=r"^statements\.csv row 3: the row repeats row 2 exactly"):
        datasets.read_statements(data, unique=False, name="statements.csv")
    assert len(datasets.read_statements(data, unique=False, allow_repeats=True)) == 2
