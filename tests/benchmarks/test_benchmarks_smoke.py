"""Every benchmark script runs, as the command a reader runs, with tiny parameters: it exits 0, prints its
figures and writes its JSON result, so no benchmark rots between the runs that quote it. The figures
themselves are not judged here (benchmarks are measured, never asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ports import network_base

REPO = Path(__file__).resolve().parents[2]


def _free_base_port() -> int:
    return network_base(4)


def _run(script: str, *args: str, out: Path, timeout: float = 300, env: dict | None = None) -> tuple[str, dict]:
    """Run ``benchmarks/<script>``; returns its stdout and the JSON result it wrote into ``out``."""
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / script), *args, "--out", str(out)], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=env)
    assert done.returncode == 0, f"{script} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    (result,) = sorted(out.glob("*.json"))
    return done.stdout, json.loads(result.read_text())


def test_app_cpu(tmp_path):
    stdout, figures = _run("app_cpu.py", "--txs", "300", "--block", "100", "--senders", "10", out=tmp_path)
    assert "total per node" in stdout and figures["txs"] == 300 and figures["sealed_bytes"] > figures["inner_bytes"]


def test_state_tree(tmp_path):
    stdout, figures = _run("state_tree.py", "--sizes", "300", "--changes", "20", "--blocks", "1", "--proofs", "10",
                           out=tmp_path)
    (result,) = figures["results"]
    assert "proof" in stdout and result["keys"] == 300 and result["proof"]["bytes_max"] > 0
    assert result["snapshot_chunks"] >= 1


def test_book(tmp_path):
    stdout, figures = _run("book.py", "--depths", "0", "400", "--orders", "60", "--block", "20", "--json-orders", "6", out=tmp_path)
    empty, deep, *json_value = figures["rows"]
    assert (empty["resting"], deep["resting"], deep["orders"]) == (0, 400, 60) and "orders/s with 400 resting" in stdout
    assert deep["state_keys"] > 2 * 400 and deep["fills"] > 0 and json_value[1]["layout"] == "one JSON value per book"


def test_edge(tmp_path):
    stdout, figures = _run("edge.py", "--readings", "2000", "--ingest", "100", out=tmp_path)
    assert stdout and figures


@pytest.mark.localnet
def test_throughput_socket_baseline(tmp_path):
    """The no-op app over the ABCI socket runs as its own process on each node, and every tx commits."""
    stdout, figures = _run("throughput.py", "--skip-ets", "--baselines", "socket", "--rates", "40", "--seconds", "2",
                           "--base-port", str(_free_base_port()), out=tmp_path)
    (row,) = figures["null_socket"]
    assert row["committed"] == row["sent"] == 80 and row["rpc_errors"] == 0
    assert row["cpu_seconds"]["app(4)"] > 0  # the four app processes' CPU is counted
    assert "ets" not in figures and "kvstore" not in figures and figures["best_committed_tps"]["null_socket"] > 0
    assert "no-op app over the ABCI socket" in stdout


@pytest.mark.localnet
def test_throughput(tmp_path):
    stdout, figures = _run("throughput.py", "--rates", "40", "--seconds", "2", "--senders", "8", "--skip-kvstore",
                           "--set", "mempool.size=900", "--check-backlog", "262144", "--base-port", str(_free_base_port()),
                           out=tmp_path)
    (row,) = figures["ets"]
    assert row["committed"] == row["sent"] == 80 and row["rpc_errors"] == 0  # every sealed transfer committed
    assert figures["config_overrides"] == {"mempool": {"size": 900}} and figures["check_backlog"] == 262144
    assert 1 <= row["blocks"] <= 80 and row["txs_per_block_max"] >= row["txs_per_block_mean"] > 0
    assert row["mempool_node0_max"] is not None and row["mempool_node0_max"] <= 900
    assert 1 <= row["app_checks_per_tx"] <= 4  # every node checks each tx once when it arrives
    # each counter was found on the nodes' metrics pages (a renamed or missing one is None)
    assert all(row[f"{k}_per_tx"] is not None and row[f"{k}_per_tx"] >= 0 for k in ("app_rechecks", "gossip_repeats", "recheck_passes"))
    assert set(figures["app_peak_rss_mb"]["per_node"]) == {"node0", "node1", "node2", "node3"}
    assert 20 < row["app_peak_rss_mb"] == figures["app_peak_rss_mb"]["max"] < 2000  # MB: a real process's peak


@pytest.mark.localnet
def test_market(tmp_path):
    stdout, figures = _run("market.py", "--rates", "20", "--seconds", "2", "--companies", "6",
                           "--base-port", str(_free_base_port()), out=tmp_path)
    assert figures["rows"] and figures["rows"][0]["committed"] > 0
    assert 20 < figures["rows"][0]["app_peak_rss_mb"] <= figures["app_peak_rss_mb"]["max"] < 2000


@pytest.mark.localnet
def test_allocation(tmp_path):
    stdout, figures = _run("allocation.py", "--companies", "30", "--base-port", str(_free_base_port()), out=tmp_path,
                           timeout=600)
    assert figures["balances_checked"] > 0 and figures["final_approval_to_all_eorders_committed_seconds"] > 0
    assert len(figures["app_peak_rss_mb_per_node"]) == 4 and 20 < figures["app_peak_rss_mb"] < 2000


@pytest.mark.localnet
def test_compliance(tmp_path):
    if not (REPO.parent / "shared" / "datasets" / "kets" / "phase3_pre_allocation_2021_2025.csv").exists():
        pytest.skip("the real ETRS Phase 3 list is not in ../shared/datasets")
    stdout, figures = _run("compliance.py", "--companies", "12", "--base-port", str(_free_base_port()), out=tmp_path)
    assert figures["certified_companies"] == figures["table_rows"] == 12 and sum(figures["status_counts"].values()) == 12


@pytest.mark.localnet
def test_portal_render(tmp_path):
    if not (REPO.parent / "shared" / "datasets" / "kets" / "phase3_pre_allocation_2021_2025.csv").exists():
        pytest.skip("the real ETRS Phase 3 list is not in ../shared/datasets")
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # as its docstring runs it: the pages import the portal package
    stdout, figures = _run("portal_render.py", "--companies", "5", "--runs", "1", "--base-port", str(_free_base_port()),
                           out=tmp_path, env=env)
    assert figures["companies"] == figures["reports_accepted"] == 5 and figures["runs"] == 1
    assert {"transparency (ko)", "transparency (en)", "my_compliance (ko)"} <= set(figures["pages"])
    assert all(0 < page["p50"] <= page["p95"] <= page["max"] for page in figures["pages"].values())
    assert figures["worst_p95"]["page"] in figures["pages"] and "worst p95" in stdout


def test_demo_data(tmp_path):
    stdout, figures = _run("demo_data.py", "--companies", "40", out=tmp_path)
    assert figures["companies"] == 40 and figures["statements"] >= 40 and "40 companies: generate" in stdout


def test_importers(tmp_path):
    stdout, figures = _run("importers.py", "--mb", "1", "--installations", "200", "--rows", "1010", out=tmp_path)
    assert "ets data inspect" in stdout and figures["inspect"]["read"] == figures["inspect"]["rows"] > 5_000
    assert figures["inspect"]["problems"] == 0 and figures["inspect"]["peak_rss_mb"] > 0
    assert figures["plan"]["exit"] == 0 and figures["plan"]["plan_lines"] > 0


@pytest.mark.localnet
def test_soak(tmp_path):
    from ets_tools.netns.links import namespaces_unavailable

    reason = namespaces_unavailable()
    if reason:
        pytest.skip(reason)
    stdout, figures = _run("soak.py", "--seconds", "6", "--quiet", "2", "--fault-seconds", "3", "--seed", "3",
                           out=tmp_path)
    assert "longest stall" in stdout and figures["faults"] and figures["blocks"] > 0 and figures["txs_acknowledged"] > 0
    assert figures["divergences"] == [] and figures["lost_txs"] == []


def test_auctions(tmp_path):
    stdout, figures = _run("auctions.py", "--bids", "40", "--bidders", "8", "--block", "20", "--volume", "5000",
                           "--runs", "1", out=tmp_path)
    assert "closing block" in stdout and figures["bids"] == 40 and figures["sold"] == 5_000  # demand ≈ 2 × volume
    assert figures["closing_ms"] > 0 and figures["winners"] <= 8
