"""The site configuration: one TOML file (``tomllib``) plus ``ETS_EDGE_<SECTION>_<KEY>`` overrides.

Every key of every section can be overridden by an environment variable named
``ETS_EDGE_`` + section + ``_`` + key in upper case, e.g. ``ETS_EDGE_CHAIN_NODE`` or
``ETS_EDGE_LIMITS_MAX_KG_PER_HOUR``; the value is parsed as the key's type (whole numbers,
decimals, ``true``/``false``, text; ``[synthetic] outages`` as JSON). Unknown sections, keys
or ``ETS_EDGE_*`` variables are errors, so a typo never silently falls back to a default.
An example with every key and its meaning: ``edge_uploader/site.example.toml``.

Sections: ``device`` (key and site), ``chain`` (node, timeouts, retry backoff), ``spool``,
``schedule`` (first day, simulated or live clock), ``limits`` (validity rules), ``source``
(which input), ``csv`` / ``synthetic`` / ``modbus`` (the inputs), ``metrics``, ``log``.
"""

import json
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping

from .days import parse_day
from .errors import ConfigError, ReadingError
from .sources.modbus import RegisterMap
from .sources.replay import DEFAULT_EMISSION_FACTOR_G_PER_MWH
from .validity import Limits

__all__ = ["SiteConfig", "DeviceConfig", "ChainConfig", "SpoolConfig", "ScheduleConfig", "SourceConfig", "CsvConfig",
           "SyntheticConfig", "ModbusConfig", "MetricsConfig", "LogConfig", "load_config", "ENV_PREFIX"]

ENV_PREFIX = "ETS_EDGE_"
_SITE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class DeviceConfig:
    keystore: str = "/etc/ets-edge/keys"      # folder of encrypted keys (ets.keys.Keystore)
    key: str = "device"                       # name of the device key in the keystore
    passphrase_file: str = ""                 # file holding the key's passphrase (systemd credential)
    site: str = ""                            # the site id the device was registered for (checked on chain)
    company: str = ""                         # the company address it was registered for (checked on chain)

    def __post_init__(self) -> None:
        if self.site and not _SITE.match(self.site):
            raise ConfigError(f"[device] site {self.site!r} must be 1-64 letters, digits, '_', '.', '-'")


@dataclass(frozen=True)
class ChainConfig:
    node: str = "http://127.0.0.1:26657"       # CometBFT RPC of any validator
    timeout_seconds: float = 10.0              # one RPC call
    commit_timeout_seconds: float = 30.0       # waiting for a daily total to be committed
    backoff_initial_seconds: float = 1.0       # first retry delay when the chain is unreachable
    backoff_max_seconds: float = 60.0          # retry delay cap (doubling)

    def __post_init__(self) -> None:
        if not re.match(r"^https?://", self.node):
            raise ConfigError(f"[chain] node must be an http(s):// RPC address, got {self.node!r}")
        if not 0 < self.backoff_initial_seconds <= self.backoff_max_seconds:
            raise ConfigError("[chain] needs 0 < backoff_initial_seconds ≤ backoff_max_seconds")
        if self.timeout_seconds <= 0 or self.commit_timeout_seconds <= 0:
            raise ConfigError("[chain] timeouts must be positive")


@dataclass(frozen=True)
class SpoolConfig:
    path: str = "/var/lib/ets-edge-uploader/spool.sqlite"   # StateDirectory= of the systemd unit


@dataclass(frozen=True)
class ScheduleConfig:
    start_day: str = ""               # first monitored KST day, YYYY-MM-DD (required)
    mode: str = "live"                # "live": wall clock; "simulated": replay hours on an accelerated clock
    seconds_per_hour: float = 1.0     # simulated: real seconds per simulated hour (a day = 24 × this)
    end_day: str = ""                 # simulated: last day to replay (empty: no end)
    poll_seconds: float = 60.0        # live: how often the source is polled
    seal_grace_seconds: int = 3600    # live: how long after midnight KST late hours may still arrive

    def __post_init__(self) -> None:
        if not self.start_day:
            raise ConfigError("[schedule] start_day is required: the first KST day this device monitors, YYYY-MM-DD")
        try:
            parse_day(self.start_day)
            if self.end_day:
                parse_day(self.end_day)
        except ReadingError as exc:
            raise ConfigError(f"[schedule] {exc}") from None
        if self.end_day and self.end_day < self.start_day:
            raise ConfigError("[schedule] end_day is before start_day")
        if self.mode not in ("live", "simulated"):
            raise ConfigError(f"[schedule] mode must be \"live\" or \"simulated\", got {self.mode!r}")
        if self.seconds_per_hour <= 0 or self.poll_seconds <= 0 or self.seal_grace_seconds < 0:
            raise ConfigError("[schedule] seconds_per_hour and poll_seconds must be positive, seal_grace_seconds ≥ 0")


@dataclass(frozen=True)
class SourceConfig:
    kind: str = "none"                # "csv", "synthetic" (simulated clock), "modbus" (live), "none"

    def __post_init__(self) -> None:
        if self.kind not in ("csv", "synthetic", "modbus", "none"):
            raise ConfigError(f"[source] kind must be csv, synthetic, modbus or none, got {self.kind!r}")


@dataclass(frozen=True)
class CsvConfig:
    path: str = ""                                                   # a gas_turbine_*.csv file (UCI)
    emission_factor_g_per_mwh: int = DEFAULT_EMISSION_FACTOR_G_PER_MWH  # g CO2 per MWh electric (see sources/replay.py)
    first_row: int = 0                                               # rows to skip before hour 0
    at_end: str = "stop"                                             # past the file's last row: "stop" or "warn"

    def __post_init__(self) -> None:
        if self.at_end not in ("stop", "warn"):
            raise ConfigError(f"[csv] at_end must be \"stop\" (end the replay at the file's last row) or \"warn\" "
                              f"(warn once, then the meter counts as down), got {self.at_end!r}")


@dataclass(frozen=True)
class SyntheticConfig:
    seed: int = 1
    base_kg_per_hour: int = 50_000
    noise_per_mille: int = 30
    weekend_per_mille: int = 880
    missing_per_mille: int = 0
    spike_per_mille: int = 0
    spike_kg: int = 0                 # 0: 6 × base_kg_per_hour
    outages: tuple = ()               # [[first hour index, hours], ...]


@dataclass(frozen=True)
class ModbusConfig:
    host: str = "127.0.0.1"
    port: int = 502
    unit_id: int = 1
    timeout_seconds: float = 3.0
    ring_base: int = 100              # holding register of slot 0 (0-based protocol address)
    ring_slots: int = 24              # slots of 6 registers: hour u32, kg u32, status, reserved
    word_order: str = "big"           # "big": high word first

    def register_map(self) -> RegisterMap:
        return RegisterMap(self.ring_base, self.ring_slots, self.word_order)


@dataclass(frozen=True)
class MetricsConfig:
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 9464                  # 0: any free port (logged at start)

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"[metrics] port must be 0-65535, got {self.port}")


@dataclass(frozen=True)
class LogConfig:
    level: str = "info"               # debug, info, warning, error

    def __post_init__(self) -> None:
        if self.level not in ("debug", "info", "warning", "error"):
            raise ConfigError(f"[log] level must be debug, info, warning or error, got {self.level!r}")


@dataclass(frozen=True)
class SiteConfig:
    device: DeviceConfig = field(default_factory=DeviceConfig)
    chain: ChainConfig = field(default_factory=ChainConfig)
    spool: SpoolConfig = field(default_factory=SpoolConfig)
    schedule: ScheduleConfig = field(default_factory=lambda: ScheduleConfig(start_day="1970-01-01"))
    limits: Limits = field(default_factory=Limits)
    source: SourceConfig = field(default_factory=SourceConfig)
    csv: CsvConfig = field(default_factory=CsvConfig)
    synthetic: SyntheticConfig = field(default_factory=SyntheticConfig)
    modbus: ModbusConfig = field(default_factory=ModbusConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    log: LogConfig = field(default_factory=LogConfig)

    def __post_init__(self) -> None:
        kind, mode = self.source.kind, self.schedule.mode
        if kind in ("csv", "synthetic") and mode != "simulated":
            raise ConfigError(f"[source] kind {kind!r} replays hours: set [schedule] mode = \"simulated\"")
        if kind == "modbus" and mode != "live":
            raise ConfigError("[source] kind \"modbus\" reads a live data logger: set [schedule] mode = \"live\"")
        if kind == "csv" and not self.csv.path:
            raise ConfigError("[csv] path is required for [source] kind = \"csv\"")

    def redacted(self) -> dict[str, Any]:
        """The effective configuration as plain data (no secrets are stored in it, only file names)."""
        return {f.name: {g.name: getattr(getattr(self, f.name), g.name) for g in fields(getattr(self, f.name))}
                for f in fields(self)}


_SECTIONS: dict[str, type] = {
    "device": DeviceConfig, "chain": ChainConfig, "spool": SpoolConfig, "schedule": ScheduleConfig, "limits": Limits,
    "source": SourceConfig, "csv": CsvConfig, "synthetic": SyntheticConfig, "modbus": ModbusConfig,
    "metrics": MetricsConfig, "log": LogConfig,
}


def _coerce(section: str, key: str, kind: Any, value: Any, origin: str) -> Any:
    optional = isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union
    if optional:
        if value is None or value == "":
            return None
        kind = next(t for t in typing.get_args(kind) if t is not type(None))
    where = f"[{section}] {key} ({origin})"
    if isinstance(value, str) and origin.startswith("environment"):
        text = value.strip()
        try:
            if kind is bool:
                lowered = text.lower()
                if lowered not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(text)
                return lowered in ("true", "1", "yes")
            if kind is int:
                return int(text.replace("_", ""))
            if kind is float:
                return float(text)
            if kind is tuple:
                return tuple(tuple(x) for x in json.loads(text or "[]"))
        except (ValueError, TypeError):
            raise ConfigError(f"{where}: {value!r} is not a valid {kind.__name__}") from None
        return value
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is tuple and isinstance(value, list):
        return tuple(tuple(x) if isinstance(x, list) else x for x in value)
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        raise ConfigError(f"{where}: expected {kind.__name__}, got {type(value).__name__} {value!r}")
    return value


def load_config(path: str | Path | None, environ: Mapping[str, str] | None = None) -> SiteConfig:
    """Read ``path`` (may be None: environment only), apply ``ETS_EDGE_*`` overrides, validate."""
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"configuration file {path} does not exist (see edge_uploader/site.example.toml)") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"configuration file {path} is not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"cannot read configuration file {path}: {exc}") from None
    origin_file = f"file {path}"
    values: dict[str, dict[str, tuple[Any, str]]] = {}
    for section, table in raw.items():
        if section not in _SECTIONS:
            raise ConfigError(f"{path}: unknown section [{section}]; known: {', '.join(sorted(_SECTIONS))}")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {section} must be a [table]")
        known = {f.name for f in fields(_SECTIONS[section])}
        for key, value in table.items():
            if key not in known:
                raise ConfigError(f"{path}: unknown key {key!r} in [{section}]; known: {', '.join(sorted(known))}")
            values.setdefault(section, {})[key] = (value, origin_file)
    for name, value in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX):
            continue
        rest = name[len(ENV_PREFIX):].lower()
        section, _, key = rest.partition("_")
        if section not in _SECTIONS or key not in {f.name for f in fields(_SECTIONS[section])}:
            raise ConfigError(f"environment variable {name} names no setting; use ETS_EDGE_<SECTION>_<KEY> with a key of "
                              f"edge_uploader/site.example.toml (sections: {', '.join(sorted(_SECTIONS))})")
        values.setdefault(section, {})[key] = (value, f"environment {name}")
    built: dict[str, Any] = {}
    for section, cls in _SECTIONS.items():
        hints = typing.get_type_hints(cls)
        kwargs = {key: _coerce(section, key, hints[key], value, origin)
                  for key, (value, origin) in values.get(section, {}).items()}
        try:
            built[section] = cls(**kwargs)
        except ConfigError:
            raise
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"[{section}]: {exc}") from None
    return SiteConfig(**built)
