"""Prometheus metrics of one validator's app (served only when ``--metrics`` is given).

    ets_app_height                    last committed height
    ets_app_txs_total{stage,code}     tx results by stage (check: a new tx; recheck: one CometBFT checks again
                                      after a block; deliver) and result code
    ets_app_block_seconds{step}       time spent in finalize_block / commit
    ets_app_block_txs                 txs per finalized block
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

__all__ = ["AppMetrics", "STAGES"]
STAGES = ("check", "recheck", "deliver")  # where a tx result is counted


class AppMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.height = Gauge("ets_app_height", "last committed height", registry=self.registry)
        self.txs = Counter("ets_app_txs", "transaction results by stage and code", ["stage", "code"], registry=self.registry)
        self.block_seconds = Histogram("ets_app_block_seconds", "time per block step", ["step"], registry=self.registry,
                                       buckets=(0.001, 0.005, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self.block_txs = Histogram("ets_app_block_txs", "transactions per block", registry=self.registry,
                                   buckets=(0, 1, 10, 100, 500, 1000, 2500, 5000, 10000))
        self._tx_counters: dict[tuple[str, int], object] = {}  # children of ``txs``, bound once per (stage, code)
        for stage in STAGES:  # exported at 0 from the start: a stage nothing reached yet reads 0, not missing
            self.count_tx(stage, 0, by=0)

    def count_tx(self, stage: str, code: int, by: int = 1) -> None:
        """One tx result of ``stage`` with ``code``; the labelled counter is looked up once, not per tx."""
        counter = self._tx_counters.get((stage, code))
        if counter is None:
            counter = self._tx_counters[(stage, code)] = self.txs.labels(stage, str(int(code)))
        counter.inc(by)

    def serve(self, address: str) -> None:
        """Serve /metrics on HOST:PORT (loopback by default)."""
        host, _, port = address.rpartition(":")
        start_http_server(int(port), addr=host or "127.0.0.1", registry=self.registry)
