"""The app's Prometheus metrics count what happened, and are served over HTTP on loopback."""

from __future__ import annotations

import httpx

from abci_app.metrics import STAGES, AppMetrics
from abci_harness import transfer
from tests.ports import free_port


def _free_port() -> int:
    return free_port()


def test_metrics_count_results_and_heights(node, actors):
    ok = node.sign(actors.companies[0], transfer(actors.companies[1], 1))
    node.check(ok)
    node.check(b"garbage")
    node.check(ok, recheck=True)  # CometBFT's check after a block: counted apart from new txs
    node.block([ok])
    m = node.app.metrics
    registry = m.registry
    assert registry.get_sample_value("ets_app_txs_total", {"stage": "check", "code": "0"}) == 1
    assert registry.get_sample_value("ets_app_txs_total", {"stage": "check", "code": "1"}) == 1
    assert registry.get_sample_value("ets_app_txs_total", {"stage": "recheck", "code": "0"}) == 1
    assert registry.get_sample_value("ets_app_txs_total", {"stage": "deliver", "code": "0"}) == 1
    assert registry.get_sample_value("ets_app_height") == node.height
    port = _free_port()
    m.serve(f"127.0.0.1:{port}")
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    assert f"ets_app_height {float(node.height)}" in text


def test_every_stage_is_exported_before_its_first_tx():
    """A scraper reading a counter before and after a run sees 0, not a missing series, for a stage that
    nothing reached yet (say, no RECHECK before the first block)."""
    registry = AppMetrics().registry
    assert [registry.get_sample_value("ets_app_txs_total", {"stage": s, "code": "0"}) for s in STAGES] == [0.0] * len(STAGES)
