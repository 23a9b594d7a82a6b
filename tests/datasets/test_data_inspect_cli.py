"""``ets data inspect`` run as the command a user runs, on files generated here in every shape the project
reads (and on the shared public files where present): kind, encoding, header, column mapping, span, problems."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from datasets import shapes, writers
from datasets.records import CertifiedEmissions, OffsetIssuance, PreAllocation, Statement, TotalCap, YearAmounts

from dataset_fixtures import real_file

REPO = Path(__file__).resolve().parents[2]


def inspect(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ets_tools.cli", "data", "inspect", str(path), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def inspect_json(path: Path, *args: str) -> dict:
    done = inspect(path, "--json", *args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def generated_files(folder: Path) -> dict[str, Path]:
    files = {
        "ngms_statements": writers.statements_csv([Statement(1, "환경부", "가(주)", 2024, "업체", "전기업", 1_000, 20, "", "")]),
        "pre_allocation": writers.pre_allocation_csv([PreAllocation(1, "전환", "전기업", "가(주)", True, {2026: 5, 2027: 6})]),
        "certified_emissions": writers.certified_emissions_csv([CertifiedEmissions(1, "전환", "전기업", "가(주)", 2024, 9)]),
        "offset_credits": writers.offset_credits_csv([OffsetIssuance(1, "전환", "전기업", "가(주)", 2024, 3)]),
        "total_cap": writers.total_cap_csv(TotalCap(100, YearAmounts({2026: 40, 2027: 50}))),
        "market_daily": writers.market_daily_english_csv(shapes.english_market_history(5)),
        "auction_results": writers.auction_results_json(shapes.auction_history(3)),
        "eu_compliance": writers.eu_compliance_csv(shapes.eu_installations(20, 110)),
        "long_format": writers.entity_years_csv(shapes.entity_years(4)),
    }
    paths = {}
    for kind, data in files.items():
        paths[kind] = folder / f"{kind}.dat"
        paths[kind].write_bytes(data)
    return paths


def test_every_generated_shape_is_recognised(tmp_path):
    spans = {"ngms_statements": ("2024", "2024"), "pre_allocation": ("2026", "2027"), "total_cap": ("2026", "2027"),
             "market_daily": ("2025-01-02", "2025-01-08"), "auction_results": ("2025-01-08", "2025-03-12"),
             "eu_compliance": ("2018", "2023"), "long_format": ("2021", "2023")}
    for kind, path in generated_files(tmp_path).items():
        report = inspect_json(path)
        assert report["kind"] == kind, (kind, report["kind"])
        assert {"kind", "rows", "encoding", "columns", "problems"} <= set(report) and report["problems"] == []
        assert report["rows"] >= 1 and report["header_row"] in (0, 1)
        if kind in spans:
            assert (report["first"], report["last"]) == spans[kind], kind
    pre = inspect_json(tmp_path / "pre_allocation.dat")
    assert pre["encoding"] == "cp949" and {"field": "company", "header": "업체명", "derived": None, "required": True} \
        in pre["columns"]


def test_text_report_shows_the_mapping_and_derived_fields(tmp_path):
    path = generated_files(tmp_path)["market_daily"]
    done = inspect(path)
    assert done.returncode == 0, done.stderr
    assert "kind:      market_daily" in done.stdout and "English headers; publisher not stated" in done.stdout
    assert "  close                ← close" in done.stdout
    assert "  vwap                 derived: traded value ÷ volume, rounded half up" in done.stdout
    assert "rows read: 10, 2025-01-02 … 2025-01-08" in done.stdout and "problems:  none" in done.stdout


def test_problems_are_listed_and_the_exit_status_stays_zero(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("installation_id,year,allocated,verified\nA,2022,1,2\nA,2022,1,2\nB,20x2,1,2\nC,2022,,lots\n",
                    encoding="utf-8")
    report = inspect_json(path)
    assert report["kind"] == "eu_compliance" and report["rows"] == 1 and report["problems_total"] == 3
    assert [(p["row"], p["column"]) for p in report["problems"]] == [(3, None), (4, "year"), (5, "verified")]
    assert "repeats row 2 exactly" in report["problems"][0]["message"]


def test_a_file_of_no_known_kind_exits_2_naming_the_closest(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("colour,size\nred,1\n", encoding="utf-8")
    done = inspect(path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("ets: other.csv row 1: not a file of any kind the project reads (the closest is ")
    assert "--mapping FILE" in done.stderr


def test_missing_and_oversized_files_exit_2(tmp_path):
    done = inspect(tmp_path / "nope.csv")
    assert done.returncode == 2 and "no such file" in done.stderr
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" * 1000)
    done = subprocess.run([sys.executable, "-m", "ets_tools.cli", "data", "inspect", str(path)], cwd=REPO,
                          capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "ETS_DATA_MAX_BYTES": "1K"})
    assert done.returncode == 2 and "over the limit of 1,024 bytes" in done.stderr


def test_kind_and_mapping_options(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Day,Contract,open,high,low,Last,volume,value\n2025-06-10,KAU25,1,2,1,2,10,15\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text('source = "Exchange X"\n[columns]\ndate = "Day"\ninstrument = "Contract"\nclose = "Last"\n',
                       encoding="utf-8")
    report = inspect_json(path, "--mapping", str(mapping))
    assert report["kind"] == "market_daily" and report["source_label"] == "Exchange X (file p.csv)"
    assert report["rows"] == 1
    done = inspect(path, "--kind", "eu_compliance")
    assert done.returncode == 2 and "none of the columns of an EU-style compliance table" in done.stderr


def test_sensor_files_with_and_without_header(tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text("1,2,3,4,5,6,7,150,12,10,11\n" * 3, encoding="utf-8")
    report = inspect_json(plain)
    assert report["kind"] == "sensor_csv" and report["rows"] == 3 and report["header_row"] is None
    stamped = tmp_path / "stamped.csv"
    stamped.write_text("timestamp,TEY,CDP\n2011-01-01 00:00,150,12\n2011-01-01 03:00,151,12\n2011-01-01 02:00,1,1\n",
                       encoding="utf-8")
    report = inspect_json(stamped)
    assert report["kind"] == "sensor_csv" and report["rows"] == 2
    assert (report["first"], report["last"]) == ("2011-01-01T00:00+09:00", "2011-01-01T03:00+09:00")
    assert report["problems_total"] == 1 and "is not later than the row before" in report["problems"][0]["message"]
    assert (report["problems"][0]["row"], report["problems"][0]["column"]) == (4, "TIMESTAMP")


@pytest.mark.parametrize("relative, kind, rows", [
    ("kets/phase3_pre_allocation_2021_2025.csv", "pre_allocation", 780),
    ("kets/phase3_additional_allocation_2021_2025.csv", "additional_allocation", 410),
    ("kets/offset_credits_issued.csv", "offset_credits", 318),
    ("kets/phase3_total_cap.csv", "total_cap", 1),
    ("kets/krx_emissions_market_daily_2024_2025.csv", "market_daily", 1624),
    ("kets/etrs_certified_emissions_2024_sample.csv", "certified_emissions", 13),
    ("ngms/statements_2024_sample.csv", "ngms_statements", 17),
    ("sensors/gas_turbine_2012.csv", "sensor_csv", None),
])
def test_the_shared_public_files(relative, kind, rows):
    report = inspect_json(real_file(relative))
    assert report["kind"] == kind and (rows is None or report["rows"] == rows)
    if kind == "pre_allocation":  # 경원여객자동차(주) is listed twice in the real file
        assert report["problems_total"] == 1 and report["problems"][0]["row"] == 724
    else:
        assert report["problems_total"] == 0
