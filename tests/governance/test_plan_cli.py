"""``ets plan compute|verify|explain`` run in-process on files in the published formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from datasets import writers
from datasets.records import CertifiedEmissions, PreAllocation, Statement
from governance import AllocationPlan
from governance.cli import main

REPO = Path(__file__).resolve().parents[2]
PARAMS = """\
vintages = [2026, 2027]
base_years = [2022, 2023]
auction_share_bp = 1000
[cap]
2026 = 10_000
2027 = 1_000
[reserves.market_stabilisation]
tonnes = 100
[reserves.new_entrant]
tonnes = 50
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    pre = [
        PreAllocation(1, "전환", "전기업", "(주)에스파워", True, {2021: 1, 2022: 1}),
        PreAllocation(2, "산업", "1차 철강 제조업", "철강  주식회사", False, {2021: 1, 2022: 1}),
        PreAllocation(3, "산업", "1차 철강 제조업", "자료없음(주)", False, {2021: 1, 2022: 1}),
    ]
    cert = [CertifiedEmissions(1, "전환", "전기업", "(주)에스파워", 2022, 3_000),
            CertifiedEmissions(2, "전환", "전기업", "(주)에스파워", 2023, 3_200)]
    stmt = [Statement(1, "산업통상자원부", "철강 주식회사", 2023, "업체", "1차 철강 제조업", 1_500, 20, "", "")]
    paths = {
        "pre": tmp_path / "pre.csv", "cert": tmp_path / "cert.csv", "stmt": tmp_path / "stmt.csv",
        "params": tmp_path / "params.toml", "supplement": tmp_path / "company_data.csv",
    }
    paths["pre"].write_bytes(writers.pre_allocation_csv(pre))
    paths["cert"].write_bytes(writers.certified_emissions_csv(cert))
    paths["stmt"].write_bytes(writers.statements_csv(stmt))
    paths["params"].write_text(PARAMS, encoding="utf-8")
    paths["supplement"].write_text("company,sector,industry,auctioned,new_entrant\n신규(주),산업,1차 철강 제조업,N,Y\n", encoding="utf-8")
    return paths


def _compute(files, out, *extra) -> list[str]:
    return ["plan", "compute", "--params", str(files["params"]), "--pre-allocation", str(files["pre"]),
            "--certified", str(files["cert"]), "--statements", str(files["stmt"]), "--out", str(out), *extra]


def test_compute_writes_a_plan_that_verifies(files, tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main(_compute(files, out)) == 0
    printed = capsys.readouterr()
    plan = AllocationPlan.from_json(out.read_bytes())
    assert f"plan hash  {plan.plan_hash}" in printed.out
    assert "KAU26" in printed.out and "auction pool" in printed.out
    assert "demand computed for 3 of 3 companies" in printed.err
    # (주)에스파워: (3,000 + 3,200) / 2 = 3,100, 10 % auctioned → 2,790 free; 철강 주식회사: 1,500 (2022 missing)
    lines = {(l.company_id, l.vintage): l.amount for l in plan.lines}
    assert lines[("(주)에스파워", "KAU26")] == 2_790 and lines[("철강 주식회사", "KAU26")] == 1_500
    # KAU27: 1,000 − 150 reserves = 850 for a demand of 4,600: 3,100 × 850 / 4,600 = 572.83, 1,500 × 850 / 4,600
    # = 277.17 → 572 + 277 = 849, the last tonne to the larger remainder: 573 (free 515, auctioned 58) and 277
    assert lines[("(주)에스파워", "KAU27")] == 515 and lines[("철강 주식회사", "KAU27")] == 277
    assert plan.header.totals_of("KAU27").auction_pool == 58
    assert "자료없음(주)" not in {c for c, _ in lines} and "1 company: no emissions" in printed.out

    assert main(["plan", "verify", str(out)]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["plan", "explain", str(out), "철강   주식회사"]) == 0
    explained = capsys.readouterr().out
    assert "1,500 t per vintage" in explained and "2022 missing" in explained


def test_input_file_hashes_are_recorded(files, tmp_path, capsys):
    import hashlib

    out = tmp_path / "plan.json"
    assert main(_compute(files, out, "--quiet")) == 0
    assert capsys.readouterr().err == ""
    inputs = json.loads(out.read_bytes())["header"]["inputs"]
    assert inputs == {
        "pre_allocation": hashlib.sha256(files["pre"].read_bytes()).hexdigest(),
        "certified_emissions": hashlib.sha256(files["cert"].read_bytes()).hexdigest(),
        "statements": hashlib.sha256(files["stmt"].read_bytes()).hexdigest(),
    }


def test_additional_plan_allocates_new_entrants_from_the_reserve(files, tmp_path, capsys):
    out = tmp_path / "additional.json"
    assert main(["plan", "compute", "--params", str(files["params"]), "--company-data", str(files["supplement"]),
                 "--certified", str(files["cert"]), "--kind", "additional", "--out", str(out), "--quiet"]) == 0
    plan = AllocationPlan.from_json(out.read_bytes())
    assert plan.kind == "additional"
    for t in plan.header.totals:
        assert t.free_allocation + t.auction_pool <= 50


def test_tampered_plan_fails_verification(files, tmp_path, capsys):
    out = tmp_path / "plan.json"
    assert main(_compute(files, out, "--quiet")) == 0
    value = json.loads(out.read_bytes())
    value["header"]["warnings"] = []
    out.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["plan", "verify", str(out)]) == 2
    assert "plan hash mismatch" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["plan", "verify", "/nonexistent/plan.json"], "plan file not found"),
        (["plan", "compute", "--params", "/nonexistent.toml", "--out", "x.json", "--certified", "c.csv"], "parameters file not found"),
    ],
)
def test_errors_are_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_broken_data_file_is_reported_with_its_name(files, tmp_path, capsys):
    broken = tmp_path / "broken.csv"
    broken.write_text("번호,부문\n1,산업\n", encoding="utf-8")
    assert main(["plan", "compute", "--params", str(files["params"]), "--pre-allocation", str(broken),
                 "--out", str(tmp_path / "p.json"), "--quiet"]) == 2
    assert "broken.csv" in capsys.readouterr().err


def test_help_explains_the_command():
    result = subprocess.run([sys.executable, "-m", "governance", "plan", "compute", "--help"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "params.example.toml" in result.stdout and "--pre-allocation" in result.stdout
