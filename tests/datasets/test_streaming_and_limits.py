"""Bounded reading: size limits, streamed CSV (same records as read whole), every problem of a file in one
pass, rows pasted in twice, garbled text (mojibake) with its likely encoding, and the UTF-8 writers."""

from __future__ import annotations

import pytest

import datasets
from datasets import CellError, DuplicateRecordError, EncodingError, FileTooLargeError, MalformedFileError, MissingColumnError
from datasets import _tables, writers
from datasets._tables import max_bytes_from_env
from datasets.records import PreAllocation, YearAmounts

KRX_HEADER = "\ufeff일자,종목명,종가,대비,등락률,시가,고가,저가,거래량,거래대금,가중평균"
PRE_HEADER = '"번호",부문,업종,업체명,유상여부,2021년,2022년'


def krx_rows(count: int) -> list[str]:
    return [f'"2025-06-12",I{n:06d},"8,770",40,"0.46","8,720","8,790","8,720","143,017","1,251,186,800","8,749"'
            for n in range(count)]


def big_krx_file(tmp_path, rows: list[str], *, tail: str = "") -> object:
    path = tmp_path / "krx.csv"
    path.write_bytes(("\n".join([KRX_HEADER, *rows]) + "\n" + tail).encode("utf-8"))
    assert path.stat().st_size > _tables.STREAM_FROM_BYTES  # read as a stream
    return path


# -- size ------------------------------------------------------------------------------------

def test_a_file_over_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(b"x" * 5_000)
    with pytest.raises(FileTooLargeError, match=r"^s\.csv: the file is 5,000 bytes, over the limit of 4,096 bytes: "
                                                r"split it .* ETS_DATA_MAX_BYTES"):
        datasets.read_statements(path, max_bytes=4_096)


def test_the_limit_comes_from_the_environment(tmp_path, monkeypatch):
    assert max_bytes_from_env({}) == 1 << 30
    assert max_bytes_from_env({"ETS_DATA_MAX_BYTES": "512M"}) == 512 << 20
    with pytest.raises(ValueError, match="ETS_DATA_MAX_BYTES must be a positive number"):
        max_bytes_from_env({"ETS_DATA_MAX_BYTES": "lots"})
    monkeypatch.setenv("ETS_DATA_MAX_BYTES", "1K")
    with pytest.raises(FileTooLargeError, match="over the limit of 1,024 bytes"):
        datasets.read_market_daily(b"x" * 2_000, name="m.csv")


def test_html_over_the_whole_file_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(_tables, "WHOLE_FILE_MAX_BYTES", 100)
    with pytest.raises(FileTooLargeError, match=r"^p\.html: the HTML file is 200 bytes; HTML files are read whole .* "
                                                "save it as CSV"):
        datasets.read_statements(b"<html>" + b" " * 194, name="p.html")


# -- streaming --------------------------------------------------------------------------------

def test_a_large_csv_streams_to_the_same_records_as_its_bytes(tmp_path):
    path = big_krx_file(tmp_path, krx_rows(45_000))
    (table,) = _tables.load_tables(path)[1]
    assert table.stream is not None and len(table.rows) == _tables.HEAD_ROWS
    from_file = datasets.read_market_daily(path)
    assert len(from_file) == 45_000 and from_file[-1].instrument == "I044999"
    assert from_file == datasets.read_market_daily(path.read_bytes(), name="krx.csv")


def test_a_streamed_file_cut_inside_quotes_is_truncated(tmp_path):
    path = big_krx_file(tmp_path, krx_rows(45_000), tail='"2025-06-12",X,"8,7')
    with pytest.raises(MalformedFileError, match=r"^krx\.csv row 45002: the file ends inside a quoted cell: it looks "
                                                 "truncated"):
        datasets.read_market_daily(path)


def test_a_streamed_file_that_changes_encoding_midway(tmp_path):
    path = big_krx_file(tmp_path, krx_rows(45_000), tail="\"2025-06-12\",한국".encode("cp949").decode("latin-1"))
    path.write_bytes(path.read_bytes()[: -len("한국".encode("utf-8") * 2)] + "한국".encode("cp949"))
    with pytest.raises(EncodingError, match=r"^krx\.csv row 45002: byte 0xc7 at byte offset [0-9]+ is not valid "
                                            r"utf-8-sig, although the file starts as utf-8-sig: it mixes encodings"):
        datasets.read_market_daily(path)


def test_a_streamed_file_ending_mid_character_is_truncated(tmp_path):
    path = big_krx_file(tmp_path, krx_rows(45_000), tail='"2025-06-12",한')
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(MalformedFileError, match=r"^krx\.csv row 45002: the file ends in the middle of a character"):
        datasets.read_market_daily(path)


# -- every problem in one pass -----------------------------------------------------------------

def test_every_problem_of_a_file_is_collected_the_first_raised():
    rows = krx_rows(6)
    rows[1] = rows[1].replace('"8,770"', '"n/a"')
    rows[3] = rows[3].replace('"0.46"', '"0.4x"')
    rows[4] = rows[4] + ",extra"
    data = ("\n".join([KRX_HEADER, *rows]) + "\n").encode("utf-8")
    with pytest.raises(CellError) as caught:
        datasets.read_market_daily(data, name="krx.csv")
    assert str(caught.value).startswith("krx.csv row 3, column 종가: expected a whole number")
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "종가"), (5, "등락률"), (6, None)]


def test_problems_are_kept_up_to_a_hundred_and_all_counted():
    from datasets.inspect import inspect_file

    rows = [r.replace('"8,770"', '"bad"') for r in krx_rows(250)]
    report = inspect_file(("\n".join([KRX_HEADER, *rows]) + "\n").encode("utf-8"), name="krx.csv")
    assert (report.rows, len(report.problems), report.problems_total) == (0, 100, 250)
    assert report.problems[0].row == 2 and report.problems[0].column == "종가"


# -- repeated downloads ------------------------------------------------------------------------

def test_a_block_pasted_twice_is_one_problem_naming_both_ranges():
    rows = krx_rows(4)
    data = ("\n".join([KRX_HEADER, *rows, *rows]) + "\n").encode("utf-8")
    with pytest.raises(DuplicateRecordError) as caught:
        datasets.read_market_daily(data, name="krx.csv")
    assert str(caught.value) == ("krx.csv row 6: rows 6-9 repeat rows 2-5 exactly: the file looks like a download "
                                 "pasted in twice; remove the repeated rows or download the file again")
    assert len(caught.value.problems) == 1


def test_a_pre_allocation_pasted_twice_is_refused_not_summed():
    rows = ["1,전환,전기업,(주)에스파워,Y,100,200,", "2,산업,기초 화학물질 제조업,그린케미칼 주식회사,N,10,20,"]
    data = ("\n".join([PRE_HEADER, *rows, *rows]) + "\n").encode("cp949")
    with pytest.raises(DuplicateRecordError, match=r"^pre\.csv row 4: rows 4-5 repeat rows 2-3 exactly"):
        datasets.read_pre_allocation(data, name="pre.csv", unique=False)


# -- mojibake ---------------------------------------------------------------------------------

def test_a_header_garbled_by_a_wrong_encoding_names_the_likely_one():
    garbled = PRE_HEADER.encode("cp949").decode("latin-1")
    data = (garbled + "\n1,a,b,c,Y,1,2,\n").encode("utf-8")
    with pytest.raises(MissingColumnError, match=r"The header is garbled: the text looks like cp949 bytes that were read "
                                                 r"as Latin-1 .*save it again as 'CSV UTF-8'"):
        datasets.read_pre_allocation(data, name="pre.csv")


def test_a_header_of_utf8_read_as_cp949_names_utf8():
    garbled = "번호,관장기관,법인명".encode("utf-8").decode("cp949", errors="replace")
    with pytest.raises(MissingColumnError, match=r"The header is garbled: .*replacement characters|UTF-8 bytes that "
                                                 "were read as cp949"):
        datasets.read_statements((garbled + "\n1,2,3\n").encode("utf-8"), name="s.csv")


def test_a_garbled_company_name_is_a_cell_error_with_the_hint():
    name = "(주)에스파워".encode("cp949").decode("latin-1")
    data = (PRE_HEADER + "\n" + f"1,전환,전기업,{name},Y,100,200,\n").encode("utf-8")
    with pytest.raises(CellError, match=r"^pre\.csv row 2, column 업체명: the name is garbled: the text looks like cp949"):
        datasets.read_pre_allocation(data, name="pre.csv")


def test_a_latin_company_name_is_not_mojibake():
    data = (PRE_HEADER + "\n1,전환,전기업,Müller Énergie GmbH,Y,100,200,\n").encode("utf-8")
    assert datasets.read_pre_allocation(data, name="pre.csv")[0].company == "Müller Énergie GmbH"


# -- UTF-8 writers ----------------------------------------------------------------------------

def test_the_cp949_formats_also_write_utf8_for_names_cp949_cannot_hold():
    records = [PreAllocation(1, "산업", "제조", "Ørsted 😀 Korea", True, YearAmounts({2026: 5}))]
    with pytest.raises(ValueError, match="cannot be written in cp949"):
        writers.pre_allocation_csv(records)
    data = writers.pre_allocation_csv(records, encoding="utf-8")
    assert datasets.read_pre_allocation(data, name="p.csv") == records
    with pytest.raises(ValueError, match="encoding must be one of cp949, utf-8"):
        writers.total_cap_csv(datasets.TotalCap(10, YearAmounts({2026: 5})), encoding="latin-1")
