"""The uploader service: the clock, the input, the spool, the poster, metrics and systemd.

One asyncio loop runs three tasks; the spool is only touched from the loop's thread, and the
chain is called from a worker thread (``asyncio.to_thread``) so a slow node never blocks
ingestion:

    clock     simulated: every ``seconds_per_hour`` replay the next hour (seal the days before it,
              ingest the source's value, advance the clock — atomically); stop after ``end_day``, or at
              the end of a replayed file (``[csv] at_end = "stop"``; "warn" warns once and goes on).
              With at_end = "warn", or a source without an end, hours past its data count as the
              meter being down (substituted, the outage alert after five days).
              live: every ``poll_seconds`` poll the source (Modbus) and ingest the new hours;
              seal days that ended more than ``seal_grace_seconds`` ago.
    poster    post every sealed day exactly once, oldest first; on failure retry the same day with
              exponential backoff (``backoff_initial_seconds`` doubling to ``backoff_max_seconds``)
              while the clock keeps spooling.
    watchdog  ``WATCHDOG=1`` at half of systemd's period, and metric gauges from the spool.

SIGTERM / SIGINT: the tasks stop at their next await (a spool write is synchronous and
therefore always finished), the spool is closed, ``STOPPING=1`` is sent, exit code 0.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from pathlib import Path

from ets.keys import Keystore, KeystoreError, Signer

from .config import SiteConfig
from .days import HOUR, day_end, day_of
from .errors import ConfigError, EdgeError, SourceError
from .ingest import IngestResult
from .logs import ALERT, log_event
from .metrics import EdgeMetrics
from .modbus import ModbusTcpClient
from .node import EdgeNode
from .poster import DayPoster, PostOutcome
from .sdnotify import Notifier
from .sources import HourlySource
from .sources.modbus import ModbusLoggerSource
from .sources.replay import TurbineReplay
from .sources.synthetic import SyntheticStack
from .spool import DayRecord, Spool

__all__ = ["UploaderService", "load_device_signer", "build_hourly_source"]


def load_device_signer(config: SiteConfig) -> Signer:
    """Unlock the device key named in ``[device]`` (passphrase from ``passphrase_file`` or ``ETS_PASSPHRASE``)."""
    dev = config.device
    if dev.passphrase_file:
        try:
            passphrase = Path(dev.passphrase_file).read_text(encoding="utf-8").rstrip("\n")
        except OSError as exc:
            raise ConfigError(f"[device] passphrase_file {dev.passphrase_file} cannot be read: {exc}") from None
    elif os.environ.get("ETS_PASSPHRASE"):
        passphrase = os.environ["ETS_PASSPHRASE"]
    else:
        raise ConfigError("no passphrase for the device key: set [device] passphrase_file (a systemd credential) or ETS_PASSPHRASE")
    try:
        return Keystore(dev.keystore).load(dev.key, passphrase)
    except KeystoreError as exc:
        raise ConfigError(f"[device] cannot unlock key {dev.key!r} in {dev.keystore}: {exc}") from None


def build_hourly_source(config: SiteConfig) -> HourlySource | None:
    kind = config.source.kind
    if kind == "csv":
        return TurbineReplay(config.csv.path, config.schedule.start_day,
                             emission_factor_g_per_mwh=config.csv.emission_factor_g_per_mwh, first_row=config.csv.first_row)
    if kind == "synthetic":
        s = config.synthetic
        return SyntheticStack(seed=s.seed, start_day=config.schedule.start_day, base_kg_per_hour=s.base_kg_per_hour,
                              noise_per_mille=s.noise_per_mille, weekend_per_mille=s.weekend_per_mille,
                              missing_per_mille=s.missing_per_mille, spike_per_mille=s.spike_per_mille,
                              spike_kg=s.spike_kg or None, outages=s.outages)
    return None


class UploaderService:
    def __init__(self, config: SiteConfig, signer: Signer, *, environ: dict[str, str] | None = None):
        self.config = config
        self.signer = signer
        self.notifier = Notifier(environ)
        self.metrics = EdgeMetrics()
        self.metrics_port: int | None = None
        self.spool = Spool(config.spool.path, device=signer.address, public_key=signer.public_key,
                           start_day=config.schedule.start_day)
        self.node = EdgeNode(self.spool, signer, config.limits)
        self.hourly = build_hourly_source(config)
        self.modbus: ModbusLoggerSource | None = None
        if config.source.kind == "modbus":
            m = config.modbus
            self.modbus = ModbusLoggerSource(ModbusTcpClient(m.host, m.port, unit_id=m.unit_id, timeout=m.timeout_seconds),
                                             m.register_map())
        self._thread_stop = threading.Event()
        self.poster = DayPoster(config.chain.node, signer, timeout=config.chain.timeout_seconds,
                                commit_timeout=config.chain.commit_timeout_seconds, stop=self._thread_stop)
        self._stop: asyncio.Event | None = None
        self._sealed: asyncio.Event | None = None
        self._outage_alerted = False
        self._source_ended = False
        self._invalid_seen: set[int] = set()

    # ------------------------------------------------------------------ helpers

    async def _pause(self, seconds: float) -> None:
        assert self._stop is not None
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    def request_stop(self) -> None:
        if self._stop is not None:
            self._stop.set()
        self._thread_stop.set()

    def _on_ingest(self, result: IngestResult | None, hour: int) -> None:
        if result is None:
            return
        if result.accepted:
            self.metrics.ingested.inc()
            if result.alarm:
                self.metrics.alarms.inc()
                log_event(logging.WARNING, "alarm", hour=hour, day=day_of(hour),
                          detail=f"value at or above {self.config.limits.alarm_per_mille / 10:g} % of the site's limit")
        elif result.reason != "duplicate":
            self.metrics.rejected.labels(result.reason).inc()
            log_event(logging.WARNING, "reading_rejected", reason=result.reason, hour=hour, detail=result.detail)

    def _on_sealed(self, days: list[DayRecord]) -> None:
        for record in days:
            subs = sum(1 for s in self.spool.readings_of(record.day) if s.reading.substituted and s.reading.source == "substitute")
            self.metrics.substituted.inc(subs)
            log_event(logging.INFO, "day_sealed", day=record.day, total_kg=record.total, readings=record.readings,
                      substituted=record.substituted, merkle_root=record.merkle_root, substitute_kg=record.substitute_kg)
        if days:
            self.metrics.update_from_spool(self.spool.stats())
            if self._sealed is not None:
                self._sealed.set()

    def _check_outage(self, now: int) -> None:
        state = self.node.outage(now)
        self.metrics.meter_down.set(state.down_seconds)
        self.metrics.outage_alert.set(1 if state.alert else 0)
        if state.alert and not self._outage_alerted:
            self._outage_alerted = True
            log_event(ALERT, "meter_outage", down_since=state.down_since, down_hours=state.down_seconds // HOUR,
                      limit_hours=self.config.limits.outage_alert_hours,
                      detail="the meter has delivered no measured hour for more than the alert limit; tell the authority")
        elif not state.alert and self._outage_alerted:
            self._outage_alerted = False
            log_event(logging.INFO, "meter_restored", down_hours=state.down_seconds // HOUR)

    # ------------------------------------------------------------------ tasks

    async def _clock_simulated(self) -> None:
        assert self._stop is not None
        sched = self.config.schedule
        end = day_end(sched.end_day) if sched.end_day else None
        while not self._stop.is_set():
            hour = self.node.clock_hour()
            if end is not None and hour >= end:
                self._on_sealed(self.node.seal_before(day_of(hour)))
                self._check_outage(end)
                await self._pause(1.0)
                continue
            if self._past_source_end(hour):
                await self._pause(1.0)
                continue
            m = self.hourly.measurement_for(hour) if self.hourly is not None else None
            hour, result, sealed = self.node.replay_hour(m)
            self._on_sealed(sealed)
            self._on_ingest(result, hour)
            self._check_outage(hour + HOUR)
            await self._pause(sched.seconds_per_hour)

    def _past_source_end(self, hour: int) -> bool:
        """At the replayed file's end: stop the clock (seal the complete days) or warn once and go on."""
        end = getattr(self.hourly, "end", None)
        if end is None or hour < end:
            return False
        stop = self.config.csv.at_end == "stop"
        if not self._source_ended:
            self._source_ended = True
            log_event(logging.INFO if stop else logging.WARNING, "source_ended", end=end, at_end=self.config.csv.at_end,
                      detail="the replayed file has no rows past this hour: " + (
                          "the replay stops here (days not complete stay open)" if stop else
                          "later hours count as the meter being down and are substituted"))
        if stop:
            self._on_sealed(self.node.seal_before(day_of(end)))
        return stop

    async def _clock_live(self) -> None:
        assert self._stop is not None
        sched = self.config.schedule
        while not self._stop.is_set():
            if self.modbus is not None:
                await self._poll_modbus()
            now = int(time.time())
            self._on_sealed(self.node.seal_before(day_of(now - sched.seal_grace_seconds)))
            self._check_outage(now)
            await self._pause(sched.poll_seconds)

    async def _poll_modbus(self) -> None:
        assert self.modbus is not None
        try:
            poll = await self.modbus.poll(self.spool.last_hour())
        except SourceError as exc:
            self.metrics.source_errors.inc()
            log_event(logging.WARNING, "source_error", source="modbus", detail=str(exc))
            return
        for hour, why in poll.invalid:
            if hour not in self._invalid_seen:
                self._invalid_seen.add(hour)
                self._on_ingest(self.node.ingestor.reject_unparsed("logger_invalid", why, None), hour)
        for m in poll.measurements:
            result, sealed = self.node.record(m)
            self._on_sealed(sealed)
            self._on_ingest(result, m.timestamp)

    async def _post_loop(self) -> None:
        assert self._stop is not None and self._sealed is not None
        chain = self.config.chain
        backoff = chain.backoff_initial_seconds
        registered = False
        while not self._stop.is_set():
            record = self.spool.oldest_unposted()
            if record is None:
                self._sealed.clear()
                try:
                    await asyncio.wait_for(self._sealed.wait(), 1.0)
                except asyncio.TimeoutError:
                    pass
                continue
            if not registered:
                try:
                    problem = await asyncio.to_thread(self.poster.registration_problem, self.config.device.site,
                                                      self.config.device.company)
                except EdgeError:
                    raise
                except Exception as exc:  # the node is unreachable: same backoff as a failed post
                    problem, kind = f"cannot check the device registration: {exc}", "unreachable"
                else:
                    kind = "registration"
                if problem is None:
                    registered = True
                else:
                    self.metrics.post_errors.labels(kind).inc()
                    log_event(logging.ERROR if kind == "registration" else logging.WARNING, "post_blocked", day=record.day,
                              kind=kind, detail=problem, retry_in_seconds=backoff)
                    await self._pause(backoff)
                    backoff = min(backoff * 2, chain.backoff_max_seconds)
                    continue
            outcome = await asyncio.to_thread(self.poster.post, record)
            if self._apply(outcome):
                backoff = chain.backoff_initial_seconds
                continue
            if self._stop.is_set():
                break
            await self._pause(backoff)
            backoff = min(backoff * 2, chain.backoff_max_seconds)

    def _apply(self, outcome: PostOutcome) -> bool:
        if outcome.done:
            note = outcome.kind if outcome.kind != "conflict" else f"conflict: {outcome.log}"
            record = self.spool.mark_posted(outcome.day, tx_hash=outcome.tx_hash, height=outcome.height, note=note)
            self.metrics.update_from_spool(self.spool.stats())
            if outcome.kind == "conflict":
                self.metrics.post_errors.labels("conflict").inc()
                log_event(ALERT, "day_conflict", day=outcome.day, detail=outcome.log)
            else:
                log_event(logging.INFO, "day_posted", day=record.day, total_kg=record.total, readings=record.readings,
                          substituted=record.substituted, merkle_root=record.merkle_root, tx_hash=outcome.tx_hash,
                          height=outcome.height, note=outcome.kind)
            return True
        self.metrics.post_errors.labels(outcome.kind).inc()
        level = logging.ERROR if outcome.kind == "rejected" else logging.WARNING
        log_event(level, "post_failed", day=outcome.day, kind=outcome.kind, code=outcome.code, detail=outcome.log)
        return False

    async def _watchdog_loop(self) -> None:
        assert self._stop is not None
        period = min(5.0, (self.notifier.watchdog_seconds or 10.0) / 2)
        while not self._stop.is_set():
            self.notifier.watchdog()
            stats = self.spool.stats()
            self.metrics.update_from_spool(stats)
            self.notifier.status(f"{stats.readings} readings, {stats.unposted_days} days waiting, last posted {stats.last_posted_day or '-'}")
            await self._pause(period)

    # ------------------------------------------------------------------ run

    async def run(self) -> int:
        self._stop = asyncio.Event()
        self._sealed = asyncio.Event()
        loop = asyncio.get_running_loop()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self.request_stop)
        cfg = self.config
        if cfg.metrics.enabled:
            self.metrics_port = self.metrics.serve(cfg.metrics.host, cfg.metrics.port)
        stats = self.spool.stats()
        self.metrics.update_from_spool(stats)
        log_event(logging.INFO, "ready", device=self.signer.address, site=cfg.device.site, spool=str(self.spool.path),
                  mode=cfg.schedule.mode, source=cfg.source.kind, node=cfg.chain.node, metrics_port=self.metrics_port,
                  readings=stats.readings, unposted_days=stats.unposted_days, last_posted_day=stats.last_posted_day)
        self.notifier.ready(f"spooling for device {self.signer.address}")
        clock = self._clock_simulated() if cfg.schedule.mode == "simulated" else self._clock_live()
        tasks = [asyncio.create_task(c) for c in (clock, self._post_loop(), self._watchdog_loop())]
        code = 0
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                if task.exception() is not None:
                    exc = task.exception()
                    log_event(logging.CRITICAL, "fatal", detail=f"{type(exc).__name__}: {exc}")
                    code = 1
        finally:
            log_event(logging.INFO, "stopping")
            self.notifier.stopping()
            self.request_stop()
            for task in tasks:
                if not task.done():
                    try:
                        await asyncio.wait_for(asyncio.shield(task), 30)
                    except (asyncio.TimeoutError, Exception):
                        task.cancel()
            if self.modbus is not None:
                await self.modbus.close()
            self.poster.close()
            self.metrics.close()
            self.spool.close()
            log_event(logging.INFO, "stopped", exit_code=code)
        return code
