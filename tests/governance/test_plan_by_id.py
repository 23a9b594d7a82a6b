"""Companies and installations by id: the generic long format and EU-style compliance tables as engine inputs,
and ``ets plan compute --company-years / --eu-compliance`` run as a process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from datasets import EntityYear, InstallationYear, shapes, writers
from governance import AllocationInputError, AllocationPlan
from governance.entity_inputs import entity_inputs, installation_inputs

REPO = Path(__file__).resolve().parents[2]
PARAMS = """\
vintages = [2026]
base_years = [2022, 2023]
[cap]
2026 = 1_000_000
[reserves.market_stabilisation]
tonnes = 100
[reserves.market_maker]
tonnes = 0
[reserves.new_entrant]
tonnes = 50
"""


def test_long_format_rows_become_one_input_per_id():
    rows = [
        EntityYear("KR-2", 2022, 100, name="같은이름(주)", sector="산업", auctioned=True, row=2),
        EntityYear("KR-2", 2023, None, row=3),
        EntityYear("KR-1", 2022, 50, name="같은이름(주)", activity=10, benchmark_intensity=1000, row=4),
        EntityYear("KR-3", 2023, 7, row=5),
    ]
    merged = entity_inputs(rows)
    assert [c.company_id for c in merged.companies] == ["KR-1", "KR-2", "KR-3"]
    one, two, three = merged.companies
    assert two.emissions_by_year == {2022: 100} and two.sector == "산업" and two.auctioned
    assert one.activity == 10 and one.benchmark_intensity == 1000 and not one.auctioned
    assert three.sector == "" and three.emissions_by_year == {2023: 7}
    assert merged.notes == ("1 id(s) have no name and 1 name(s) are shared by several ids; the plan is by id, so they "
                            "stay separate", "2 id(s) have no auctioned flag and are taken as fully free")


def test_rows_of_one_id_must_agree():
    rows = [EntityYear("KR-1", 2022, 1, sector="산업", row=2), EntityYear("KR-1", 2023, 1, sector="전환", row=9)]
    with pytest.raises(AllocationInputError, match=r"^companies\.csv row 9: id 'KR-1' has sector '전환', but row 2 gives "
                                                   r"'산업'; the rows of one id must agree"):
        entity_inputs(rows, what="companies.csv")


def test_eu_installations_use_verified_emissions_and_keep_names_apart():
    rows = [InstallationYear("DE-1", "Stadtwerke", "DE", "20", 2022, 10, 300),
            InstallationYear("DE-1", "Stadtwerke Neu", "DE", "20", 2023, 10, None),
            InstallationYear("DE-1", "Stadtwerke", "DE", "1", 2012, 10, 280),  # the code of the earlier period
            InstallationYear("DE-2", "Stadtwerke", "DE", "20", 2022, 10, 200)]
    merged = installation_inputs(rows)
    assert [(c.company_id, c.sector, c.emissions_by_year) for c in merged.companies] == [
        ("DE-1", "20", {2012: 280, 2022: 300}), ("DE-2", "20", {2022: 200})]
    assert merged.notes[0].startswith("0 id(s) have no name and 1 name(s) are shared by several ids")


def run_compute(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    params = tmp_path / "params.toml"
    params.write_text(PARAMS, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "ets_tools.cli", "plan", "compute", "--params", str(params),
                           "--out", str(tmp_path / "plan.json"), "--quiet", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=600, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def test_plan_compute_from_an_eu_table(tmp_path):
    table = tmp_path / "eu.csv"
    table.write_bytes(writers.eu_compliance_csv(shapes.eu_installations(120, 630)))
    done = run_compute(tmp_path, "--eu-compliance", str(table))
    assert done.returncode == 0, done.stderr
    plan = AllocationPlan.from_json((tmp_path / "plan.json").read_bytes())
    ids = {line.company_id for line in plan.lines}
    assert ids <= {f"{r}-{1000 + n}" for n in range(120) for r in ("AT", "BE", "BG", "CZ", "DE", "DK", "ES", "FI", "FR",
                                                                        "GR", "HU", "IE", "IT", "NL", "PL", "PT", "RO",
                                                                        "SE", "SK")}
    assert len(ids) >= 110 and sum(line.amount for line in plan.lines) <= 1_000_000
    header = json.loads((tmp_path / "plan.json").read_text())["header"]
    assert "eu_compliance" in header["inputs"]
    assert "note: " in done.stdout and "have no name" in done.stdout


def test_plan_compute_from_the_long_format(tmp_path):
    table = tmp_path / "companies.csv"
    table.write_bytes(writers.entity_years_csv(shapes.entity_years(12, years=(2022, 2023))))
    done = run_compute(tmp_path, "--company-years", str(table))
    assert done.returncode == 0, done.stderr
    plan = AllocationPlan.from_json((tmp_path / "plan.json").read_bytes())
    assert {line.company_id for line in plan.lines} == {f"KR-{n:04d}" for n in range(1, 13)}


def test_plan_compute_names_every_problem_count_and_refuses_mixing(tmp_path):
    table = tmp_path / "companies.csv"
    table.write_text("id,year,emissions\nA,2022,x\nB,2022,y\nC,2022,z\n", encoding="utf-8")
    done = run_compute(tmp_path, "--company-years", str(table))
    assert done.returncode == 2
    assert done.stderr.startswith("ets: companies.csv row 2, column emissions: expected a whole number")
    assert f"(2 more problem(s) in the file; `ets data inspect {table}` lists them all)" in done.stderr
    done = run_compute(tmp_path, "--company-years", str(table), "--eu-compliance", str(table))
    assert done.returncode == 2 and "give either --company-years or --eu-compliance, not both" in done.stderr
    done = run_compute(tmp_path, "--company-years", str(table), "--pre-allocation", str(table))
    assert done.returncode == 2 and "do not mix them with the files that give companies by name" in done.stderr
