"""Prometheus metrics of one uploader, served on 127.0.0.1 (prometheus-client).

    ets_edge_readings_ingested_total            readings stored as valid (measured or logger-substituted)
    ets_edge_readings_rejected_total{reason}    readings refused (see ``ingest`` for the reasons)
    ets_edge_readings_substituted_total         substitute readings the uploader created at sealing
    ets_edge_alarms_total                       valid hours at or above the alarm share of the limit
    ets_edge_spool_depth_days                   sealed days waiting to be posted
    ets_edge_spool_open_days                    days still collecting readings
    ets_edge_last_posted_day_timestamp_seconds  00:00 KST of the newest posted day (unix seconds)
    ets_edge_last_posted_day_info{day}          the same day as text
    ets_edge_post_errors_total{kind}            failed posting attempts (unreachable, rejected, conflict, ...)
    ets_edge_source_errors_total                failed polls of the input (e.g. the Modbus data logger)
    ets_edge_meter_down_seconds                 time since the last measured hour
    ets_edge_meter_outage_alert                 1 when the meter has been down longer than the alert limit

Counters count since the process started; gauges are set from the spool.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Info, start_http_server

from .days import day_start
from .spool import SpoolStats

__all__ = ["EdgeMetrics"]


class EdgeMetrics:
    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.ingested = Counter("ets_edge_readings_ingested", "Readings stored as valid", registry=r)
        self.rejected = Counter("ets_edge_readings_rejected", "Readings refused", ["reason"], registry=r)
        self.substituted = Counter("ets_edge_readings_substituted", "Substitute readings created at sealing", registry=r)
        self.alarms = Counter("ets_edge_alarms", "Valid hours at or above the alarm level", registry=r)
        self.spool_depth = Gauge("ets_edge_spool_depth_days", "Sealed days waiting to be posted", registry=r)
        self.open_days = Gauge("ets_edge_spool_open_days", "Days still collecting readings", registry=r)
        self.last_posted = Gauge("ets_edge_last_posted_day_timestamp_seconds", "00:00 KST of the newest posted day", registry=r)
        self.last_posted_info = Info("ets_edge_last_posted_day", "The newest posted day", registry=r)
        self.post_errors = Counter("ets_edge_post_errors", "Failed posting attempts", ["kind"], registry=r)
        self.source_errors = Counter("ets_edge_source_errors", "Failed polls of the input", registry=r)
        self.meter_down = Gauge("ets_edge_meter_down_seconds", "Seconds since the last measured hour", registry=r)
        self.outage_alert = Gauge("ets_edge_meter_outage_alert", "1 when the meter is down beyond the alert limit", registry=r)
        self._server = None

    def update_from_spool(self, stats: SpoolStats) -> None:
        self.spool_depth.set(stats.unposted_days)
        self.open_days.set(stats.open_days)
        if stats.last_posted_day:
            self.last_posted.set(day_start(stats.last_posted_day))
            self.last_posted_info.info({"day": stats.last_posted_day})

    def serve(self, host: str, port: int) -> int:
        """Start the HTTP endpoint; returns the bound port."""
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        self._server = server
        return int(server.server_port)

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
