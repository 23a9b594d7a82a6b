"""The uploader as a real process (no chain needed): systemd notify, metrics, SIGTERM, outages, Modbus live."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import httpx

from edge_uploader.days import HOUR
from edge_uploader.sources.modbus import RegisterMap
from edge_uploader.spool import Spool

from edge_helpers import HOUR0, REPO, device_signer, site_config
from modbus_logger import DataLogger, free_port
from proc_helpers import Uploader


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"metric {name} not served")


def test_notify_watchdog_metrics_and_clean_sigterm(tmp_path):
    signer = device_signer(4)
    notify_path = str(tmp_path / "notify.sock")
    port = free_port()
    config = site_config(
        tmp_path, signer, node=f"http://127.0.0.1:{free_port()}",  # nothing listens: the chain is unreachable
        source={"source": {"kind": "synthetic"}, "synthetic": {"seed": 3, "missing_per_mille": 60, "spike_per_mille": 30}},
        schedule={"start_day": "2024-03-01", "end_day": "2024-03-02", "mode": "simulated", "seconds_per_hour": 0.02},
        extra={"metrics": {"enabled": True, "port": port}},
    )
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(notify_path)
        notify.settimeout(10)
        up = Uploader(config, {"NOTIFY_SOCKET": notify_path, "WATCHDOG_USEC": "1000000"})
        try:
            messages = [notify.recv(4096).decode()]
            assert messages[0].startswith("READY=1")
            while "WATCHDOG=1" not in messages:
                messages.append(notify.recv(4096).decode())
            up.wait_for(lambda: len(up.named("day_sealed")) == 2, 30, "both days sealed")
            up.wait_for(lambda: up.named("post_blocked") or up.named("post_failed"), 60, "a failed post (the chain is down)")
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            ready = up.named("ready")[0]
            assert ready["metrics_port"] == port and ready["device"] == signer.address
            code = up.terminate()
            while True:
                msg = notify.recv(4096).decode()
                if msg == "STOPPING=1":
                    break
        finally:
            if up.proc.poll() is None:
                up.kill()
    assert code == 0 and up.named("stopped")
    sealed = up.named("day_sealed")
    assert [e["day"] for e in sealed] == ["2024-03-01", "2024-03-02"] and all(e["readings"] == 24 for e in sealed)
    substituted = sum(e["substituted"] for e in sealed)
    rejected = len(up.named("reading_rejected"))
    assert metric(text, "ets_edge_readings_ingested_total") + substituted == 48
    assert metric(text, "ets_edge_readings_substituted_total") == substituted >= rejected >= 1
    assert metric(text, 'ets_edge_readings_rejected_total{reason="out_of_range"}') == rejected
    assert metric(text, "ets_edge_spool_depth_days") == 2
    assert metric(text, 'ets_edge_post_errors_total{kind="unreachable"}') >= 1
    assert "ets_edge_last_posted_day_timestamp_seconds" in text and "ets_edge_meter_outage_alert" in text
    out = subprocess.run([sys.executable, "-m", "edge_uploader", "status", "--spool", str(tmp_path / "spool.sqlite")],
                         cwd=REPO, capture_output=True, text=True, timeout=30)
    status = json.loads(out.stdout)
    assert [d["status"] for d in status["days"]] == ["sealed", "sealed"] and status["days_waiting"] == 2
    assert [d["total"] for d in status["days"]] == [e["total_kg"] for e in sealed]


def test_meter_down_more_than_five_days_raises_an_alert(tmp_path):
    signer = device_signer(5)
    config = site_config(
        tmp_path, signer, node=f"http://127.0.0.1:{free_port()}",
        source={"source": {"kind": "synthetic"}, "synthetic": {"seed": 1, "outages": [[10, 24 * 6]]}},
        schedule={"start_day": "2024-03-01", "end_day": "2024-03-08", "mode": "simulated", "seconds_per_hour": 0.003},
        limits={"max_kg_per_hour": 100_000, "fallback_kg_per_hour": 99_000},
    )
    up = Uploader(config)
    try:
        up.wait_for(lambda: len(up.named("day_sealed")) == 8, 60, "eight days sealed")
        alert = up.named("meter_outage")
        assert alert and alert[0]["level"] == "alert" and alert[0]["down_since"] == HOUR0 + 10 * HOUR
        up.wait_for(lambda: up.named("meter_restored"), 60, "the meter back")
        assert up.terminate() == 0
    finally:
        if up.proc.poll() is None:
            up.kill()
    sealed = {e["day"]: e for e in up.named("day_sealed")}
    assert sealed["2024-03-03"]["substituted"] == 24, "a whole day down: every hour substituted, visibly"
    assert sealed["2024-03-03"]["substitute_kg"] == sealed["2024-03-01"]["substitute_kg"], "carried from the last day with data"


def test_live_modbus_service_survives_the_logger_going_away(tmp_path):
    signer = device_signer(6)
    rmap = RegisterMap(ring_base=100, ring_slots=48)
    logger = DataLogger(rmap)
    config = site_config(
        tmp_path, signer, node=f"http://127.0.0.1:{free_port()}",
        source={"source": {"kind": "modbus"}, "modbus": {"port": logger.port, "ring_slots": 48, "timeout_seconds": 1.0}},
        schedule={"start_day": "2024-03-01", "mode": "live", "poll_seconds": 0.2, "seal_grace_seconds": 10 * 365 * 86400},
    )
    for h in range(10):
        logger.write_hour(HOUR0 + h * HOUR, 30_000 + h)
    logger.start()
    up = Uploader(config)
    try:
        spool_path = tmp_path / "spool.sqlite"
        up.wait_for(lambda: len(up.named("ready")), 60, "the service to start")

        def stored() -> int:
            with Spool.open_existing(spool_path) as spool:
                return spool.stats().readings

        up.wait_for(lambda: stored() == 10, 60, "ten hours read from the logger")
        logger.stop()
        up.wait_for(lambda: up.named("source_error"), 60, "the service to notice the logger is gone")
        for h in range(10, 26):
            logger.write_hour(HOUR0 + h * HOUR, 30_000 + h)
        logger.start()
        up.wait_for(lambda: up.named("day_sealed"), 60, "the first day sealed once hour 24 arrives")
        assert up.terminate() == 0
    finally:
        if up.proc.poll() is None:
            up.kill()
        logger.stop()
    sealed = up.named("day_sealed")[0]
    assert sealed["day"] == "2024-03-01" and sealed["substituted"] == 0 and sealed["readings"] == 24
    assert sealed["total_kg"] == sum(30_000 + h for h in range(24))
    with Spool.open_existing(tmp_path / "spool.sqlite") as spool:
        assert len(spool.readings_of("2024-03-02")) == 2
