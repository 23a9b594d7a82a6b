"""The site configuration: TOML, ETS_EDGE_* overrides, and errors that name the setting."""

from __future__ import annotations

from pathlib import Path

import pytest

from edge_uploader.config import load_config
from edge_uploader.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "edge_uploader" / "site.example.toml"

BASE = """
[schedule]
start_day = "2024-03-01"
mode = "simulated"
seconds_per_hour = 0.5
[source]
kind = "synthetic"
[limits]
max_kg_per_hour = 90000
"""


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text)
    return path


def test_the_example_file_loads():
    config = load_config(EXAMPLE, environ={})
    assert config.source.kind == "modbus" and config.modbus.ring_slots == 24 and config.metrics.host == "127.0.0.1"


def test_file_values_and_environment_overrides(tmp_path):
    path = write(tmp_path, BASE)
    config = load_config(path, environ={})
    assert (config.schedule.seconds_per_hour, config.limits.max_kg_per_hour, config.chain.backoff_max_seconds) == (0.5, 90000, 60.0)
    env = {
        "ETS_EDGE_LIMITS_MAX_KG_PER_HOUR": "120_000",
        "ETS_EDGE_SCHEDULE_SECONDS_PER_HOUR": "0.01",
        "ETS_EDGE_CHAIN_NODE": "http://127.0.0.1:41007",
        "ETS_EDGE_METRICS_ENABLED": "false",
        "ETS_EDGE_SYNTHETIC_OUTAGES": "[[24, 130]]",
        "ETS_EDGE_LIMITS_FALLBACK_KG_PER_HOUR": "1000",
        "OTHER_VARIABLE": "ignored",
    }
    config = load_config(path, environ=env)
    assert config.limits.max_kg_per_hour == 120_000 and config.limits.fallback == 1000
    assert config.schedule.seconds_per_hour == 0.01 and config.chain.node.endswith(":41007")
    assert config.metrics.enabled is False and config.synthetic.outages == ((24, 130),)


@pytest.mark.parametrize("text, env, message", [
    (BASE + "[limits]\n", {}, "not valid TOML"),
    (BASE + "[nonsense]\nx = 1\n", {}, "unknown section [nonsense]"),
    (BASE.replace("max_kg_per_hour", "max_kg"), {}, "unknown key 'max_kg' in [limits]"),
    (BASE, {"ETS_EDGE_LIMITS_MAX_KG": "5"}, "ETS_EDGE_LIMITS_MAX_KG names no setting"),
    (BASE, {"ETS_EDGE_LIMITS_MAX_KG_PER_HOUR": "lots"}, "[limits] max_kg_per_hour (environment"),
    (BASE.replace("0.5", '"fast"'), {}, "[schedule] seconds_per_hour"),
    (BASE.replace('start_day = "2024-03-01"', ""), {}, "start_day is required"),
    (BASE.replace("2024-03-01", "2024-02-30"), {}, "not a calendar day"),
    (BASE.replace('mode = "simulated"', 'mode = "live"'), {}, 'set [schedule] mode = "simulated"'),
    (BASE.replace('"synthetic"', '"csv"'), {}, "[csv] path is required"),
    (BASE, {"ETS_EDGE_CHAIN_NODE": "127.0.0.1:26657"}, "http(s)://"),
    (BASE, {"ETS_EDGE_LIMITS_ALARM_PER_MILLE": "1200"}, "alarm_per_mille"),
])
def test_errors_name_the_setting(tmp_path, text, env, message):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), environ=env)
    assert message in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "absent.toml", environ={})
