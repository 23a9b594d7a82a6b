"""Files of shapes other publishers use, each generated here in that shape: English market histories,
auction results (JSON and CSV), EU-style compliance tables, the generic long format, mapping files."""

from __future__ import annotations

import json
from datetime import date

import pytest

import datasets
from datasets import CellError, DuplicateRecordError, MalformedFileError, MappingError, MissingColumnError
from datasets import shapes, writers
from datasets.mapping import load_mapping

ENGLISH_MARKET = (
    "date,symbol,open,high,low,close,volume,value\n"
    "2025-06-10,KAU25,8700,8800,8650,8750,1000,8745500\n"
    "2025-06-11,KAU25,8750,8900,8700,8890,0,0\n"
    "2025-06-12,KAU25,8890,8900,8800,8801,3,26403\n"
)


# -- market prices with English headers -------------------------------------------------------

def test_english_market_history_reads_with_vwap_and_change_derived_and_marked():
    days = datasets.read_market_daily(ENGLISH_MARKET.encode(), name="prices.csv")
    assert [d.vwap for d in days] == [8746, 0, 8801]  # 8,745.5 halves up; no volume → 0 as KRX prints it
    assert [d.change for d in days] == [None, 140, -89]  # the first day has nothing to compare with
    assert [d.change_bp for d in days] == [None, 160, -100]  # 140/8750 = 1.6 %; -89/8890 = -1.0011 %
    assert days[0].derived == ("vwap",) and days[1].derived == ("vwap", "change", "change_bp")


def test_streamed_english_history_leaves_change_unknown():
    (first, *_rest) = list(datasets.iter_market_daily(ENGLISH_MARKET.encode(), name="prices.csv"))
    assert first.change is None and first.vwap == 8746


def test_a_published_weighted_average_is_kept_not_derived():
    text = ENGLISH_MARKET.replace(",value\n", ",value,vwap\n").replace("8745500\n", "8745500,8740\n")
    text = text.replace(",0,0\n", ",0,0,0\n").replace("26403\n", "26403,8801\n")
    days = datasets.read_market_daily(text.encode(), name="prices.csv")
    assert days[0].vwap == 8740 and "vwap" not in days[0].derived


def test_english_history_without_value_names_what_a_weighted_average_needs():
    text = "date,symbol,open,high,low,close,volume\n2025-06-10,KAU25,1,1,1,1,1\n"
    with pytest.raises(MissingColumnError, match=r"^prices\.csv row 1: missing column '거래대금'"):
        datasets.read_market_daily(text.encode(), name="prices.csv")


def test_generated_english_history_round_trips():
    history = shapes.english_market_history(20)
    days = datasets.read_market_daily(writers.market_daily_english_csv(history), name="prices.csv")
    assert len(days) == 40 and {d.instrument for d in days} == {"KAU25", "KAU26"}
    assert all(d.vwap == (d.value_krw * 2 + d.volume) // (2 * d.volume) for d in days if d.volume)


# -- mapping files ----------------------------------------------------------------------------

def test_a_mapping_file_reads_headers_no_format_knows_and_labels_the_source(tmp_path):
    mapping = tmp_path / "exchange.toml"
    mapping.write_text('kind = "market_daily"\nsource = "Exchange X settlement prices"\n[columns]\n'
                       'date = "Trade Date"\ninstrument = ["Contract"]\nclose = "Settlement"\n', encoding="utf-8")
    text = ENGLISH_MARKET.replace("date,symbol,open,high,low,close", "Trade Date,Contract,open,high,low,Settlement")
    loaded = load_mapping(mapping)
    from datasets.inspect import inspect_file

    report = inspect_file(text.encode(), name="x.csv", mapping=loaded)
    assert report.kind == "market_daily" and report.rows == 3
    assert report.source_label == "Exchange X settlement prices (file x.csv)"
    assert {c.field: c.header for c in report.columns}["close"] == "Settlement"
    days = datasets.read_market_daily(text.encode(), name="x.csv", mapping=loaded.for_kind(datasets.kinds.MARKET_DAILY))
    assert days[2].close == 8801


@pytest.mark.parametrize("content, message", [
    ('kind = "market_daily"\n[columns]\nprice = "Settlement"\n',
     r"^m\.toml: \[columns\]: market_daily has no field 'price'; its fields are date, instrument, close"),
    ('[columns\n', r"^m\.toml: not valid TOML"),
    ('source = "x"\n', r"^m\.toml: \[columns\]: a table naming at least one field"),
    ('colums = {}\n', r"^m\.toml: unknown key colums"),
    ('[columns]\ndate = 3\n', r"^m\.toml: \[columns\] date: must be a header"),
])
def test_mapping_file_errors_name_the_file_and_key(tmp_path, content, message):
    path = tmp_path / "m.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(MappingError, match=message):
        load_mapping(path).for_kind(datasets.kinds.MARKET_DAILY)


def test_mapping_for_another_kind_is_refused(tmp_path):
    path = tmp_path / "m.toml"
    path.write_text('kind = "eu_compliance"\n[columns]\nyear = "Jahr"\n', encoding="utf-8")
    with pytest.raises(MappingError, match=r"the mapping is for kind 'eu_compliance', not 'market_daily'"):
        load_mapping(path).for_kind(datasets.kinds.MARKET_DAILY)


# -- auction results --------------------------------------------------------------------------

def test_auction_results_json_with_its_own_source_label():
    history = shapes.auction_history(3)
    data = writers.auction_results_json(history, source="환경부 배출권 유상할당 경매 결과")
    results = datasets.read_auction_results(data, name="auctions.json")
    assert [(r.date, r.instrument, r.sold) for r in results] == [(a.date, a.instrument, a.sold) for a in history]
    assert results[0].date == "2025-01-08"  # the second Wednesday
    assert all(r.source == "환경부 배출권 유상할당 경매 결과 (file auctions.json)" for r in results)
    assert all(isinstance(r.clearing_price, int) and r.sold <= min(r.offered, r.bid) for r in results)


def test_auction_results_csv_korean_and_english_headers_read_alike():
    history = shapes.auction_history(4)
    korean = datasets.read_auction_results(writers.auction_results_csv(history), name="k.csv")
    english = datasets.read_auction_results(writers.auction_results_csv(history, korean=False), name="e.csv")
    assert [dataclass_values(r) for r in korean] == [dataclass_values(r) for r in english]
    assert korean[0].source == "government auction results (배출권 경매 결과) (file k.csv)"
    assert english[0].source.startswith("government auction results (배출권 경매 결과), English headers; publisher not")


def dataclass_values(result):
    return (result.date, result.instrument, result.offered, result.bid, result.sold, result.clearing_price)


def test_auction_results_sorted_oldest_first_and_instrument_optional():
    data = json.dumps([{"date": "2025-06-11", "offered": 10, "bid": 5, "sold": 5, "clearing_price": 9000.0},
                       {"date": "2025/05/14", "offered": 10, "bid": 20, "sold": 10, "clearing_price": 8800}])
    results = datasets.read_auction_results(data.encode(), name="a.json")
    assert [r.date for r in results] == ["2025-05-14", "2025-06-11"] and results[0].instrument is None
    assert results[1].clearing_price == 9000
    assert results[0].source == ("government auction results (배출권 경매 결과), English headers; publisher not stated in "
                                 "the file (file a.json)")


@pytest.mark.parametrize("data, error, message", [
    (b'[{"date": "2025-06-11", "offered": 10, "bid": 5, "sold": 6, "clearing_price": 1}]', CellError,
     r"^a\.json row 1: sold \(6 t\) exceeds the volume offered \(10 t\) or bid \(5 t\)"),
    (b'[{"date": "2025-06-11", "offered": 10, "bid": 5, "sold": 5, "clearing_price": 8950.5}]', CellError,
     r"^a\.json row 1, column clearing_price: expected a whole number like 120,487, got '8950\.5'"),
    (b'[{"date": "2025-06-11", "offered": {"t": 1}}]', MalformedFileError,
     r"^a\.json row 1, column offered: expected a text or number, got a nested dict"),
    (b'[{"date": "2025-06-11", "offered": 1', MalformedFileError, r"^a\.json row 1: not valid JSON .*looks truncated"),
    (b'{"a": [], "b": []}', MalformedFileError, r"^a\.json: the JSON object must hold exactly one list of rows"),
    (b'[1, 2]', MalformedFileError, r"^a\.json row 1: expected an object per row, got int"),
    (b'[{"date": "2025-06-11", "offered": 1, "bid": 1, "sold": 1}]', MissingColumnError,
     r"^a\.json row 0: missing column '낙찰가'"),
])
def test_auction_results_errors_name_row_and_column(data, error, message):
    with pytest.raises(error, match=message):
        datasets.read_auction_results(data, name="a.json")


def test_every_bad_auction_row_is_reported_at_once():
    rows = [{"date": f"2025-0{m}-11", "offered": 10, "bid": 5, "sold": 5 if m % 2 else 7, "clearing_price": 1}
            for m in range(1, 8)]
    with pytest.raises(CellError) as caught:
        datasets.read_auction_results(json.dumps(rows).encode(), name="a.json")
    assert [p.row for p in caught.value.problems] == [2, 4, 6]


# -- EU-style compliance tables ---------------------------------------------------------------

def test_eu_table_keys_installations_by_registry_and_id_with_blank_names_and_figures():
    text = ("REGISTRY_CODE,INSTALLATION_IDENTIFIER,INSTALLATION_NAME,ACTIVITY_TYPE,YEAR,ALLOCATED_FREE,VERIFIED_EMISSIONS\n"
            "DE,1,Stadtwerke,20,2022,100,250\n"
            "DE,2,Stadtwerke,20,2022,100,-\n"
            "AT,1,,21,2022,,300\n")
    records = datasets.read_eu_compliance(text.encode(), name="eutl.csv")
    assert [(r.installation_id, r.name, r.allocated, r.verified) for r in records] == [
        ("DE-1", "Stadtwerke", 100, 250), ("DE-2", "Stadtwerke", 100, None), ("AT-1", "", None, 300)]


def test_generated_eu_table_has_the_published_size_and_reads_back():
    table = shapes.eu_installations(300, 1_550)
    records = datasets.read_eu_compliance(writers.eu_compliance_csv(table), name="eu.csv")
    assert records == table and len({r.installation_id for r in records}) == 300
    assert sum(1 for r in records if not r.name) > 30 and sum(1 for r in records if r.verified is None) > 0


def test_eu_table_one_row_per_installation_and_year():
    text = "installation_id,year,allocated,verified\nX1,2022,1,2\nX1,2022,1,3\n"
    with pytest.raises(DuplicateRecordError, match=r"^eu\.csv row 3, column installation_id: installation 'X1' \(2022\) "
                                                   r"already appears in row 2"):
        datasets.read_eu_compliance(text.encode(), name="eu.csv")


def test_eu_table_amount_that_is_not_a_number():
    text = "installation_id,year,allocated,verified\nX1,2022,1,excluded\n"
    with pytest.raises(CellError, match=r"^eu\.csv row 2, column verified: expected a whole number"):
        datasets.read_eu_compliance(text.encode(), name="eu.csv")


# -- the generic long format ------------------------------------------------------------------

def test_long_format_round_trips_and_reads_korean_headers():
    rows = shapes.entity_years(10)
    assert datasets.read_entity_years(writers.entity_years_csv(rows), name="l.csv") == [
        datasets.EntityYear(**{**r.__dict__, "row": i}) for i, r in enumerate(rows, start=2)]
    korean = "업체ID,업체명,연도,배출량,유상여부\nKR-1,(주)가,2022,100,Y\nKR-1,,2023,,\n"
    (first, second) = datasets.read_entity_years(korean.encode(), name="k.csv")
    assert (first.entity_id, first.auctioned, second.emissions, second.auctioned) == ("KR-1", True, None, None)


def test_long_format_needs_both_activity_and_intensity():
    text = "id,year,emissions,activity\nA,2022,1,5\n"
    with pytest.raises(CellError, match=r"^l\.csv row 2: give both activity and benchmark_intensity, or neither"):
        datasets.read_entity_years(text.encode(), name="l.csv")


def test_long_format_rejects_a_bad_yes_no():
    text = "id,year,emissions,auctioned\nA,2022,1,maybe\n"
    with pytest.raises(CellError, match=r"^l\.csv row 2, column auctioned: expected Y or N, got 'maybe'"):
        datasets.read_entity_years(text.encode(), name="l.csv")


def test_shapes_generator_is_deterministic():
    assert writers.eu_compliance_csv(shapes.eu_installations(50, 260)) == writers.eu_compliance_csv(
        shapes.eu_installations(50, 260))
    with pytest.raises(ValueError, match="rows must be between 5 and 6 times"):
        shapes.eu_installations(10, 10)
    assert shapes.english_market_history(1)[0].date == date(2025, 1, 2)
