"""The Decree Art. 38 triggers as pure functions, against hand-computed series; the reference series built
from KRX's real daily file (read in place, never copied) and its hash."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from abci_app.genesis import PARAM_DEFAULTS
from protocol.stabilisation import (
    daily_volume, evaluate, month_price, months_needed, monthly_series, previous_month, same_month_volume, series_hash,
    two_year_average,
)

KRX = Path("/work/shared/datasets/kets/krx_emissions_market_daily_2024_2025.csv")
THRESHOLDS = {k: v for k, v in PARAM_DEFAULTS.items() if k.startswith("stabilisation_") and k != "stabilisation_reserve"}


def _base() -> dict[str, tuple[int, int, int]]:
    """2024 at 10,000 KRW and 2025 at 12,000 KRW, 1,000 t over 20 trading days every month: two-year average of
    2026 = (12 × 10 M + 12 × 12 M) / 24,000 t = 11,000 KRW; same-month volume = 2,000 t / 40 days = 50 t a day."""
    stats = {f"2024-{m:02d}": (10_000 * 1_000, 1_000, 20) for m in range(1, 13)}
    stats.update({f"2025-{m:02d}": (12_000 * 1_000, 1_000, 20) for m in range(1, 13)})
    return stats


def _result(stats, month: str, trigger: str) -> dict:
    return next(r for r in evaluate(stats, month, THRESHOLDS) if r["trigger"] == trigger)


def test_averages_are_hand_computed():
    stats = _base()
    assert two_year_average(stats, 2026) == 11_000 and two_year_average(stats, 2025) == 10_000
    assert two_year_average(stats, 2024) is None
    assert same_month_volume(stats, "2026-03") == 50
    assert month_price((1_000_005, 200, 3)) == 5_000 and month_price((1_000_100, 200, 3)) == 5_001  # 5,000.5 → 5,001
    assert daily_volume((0, 10, 4)) == 3 and daily_volume((0, 0, 0)) is None  # 2.5 t → 3
    assert previous_month("2026-01") == "2025-12" and previous_month("2026-07") == "2026-06"


@pytest.mark.parametrize("price, tripped", [(6_600, True), (6_605, False), (1, True)])
def test_price_slump_at_sixty_percent_of_the_two_year_average(price, tripped):
    stats = {**_base(), "2026-01": (price * 500, 500, 10)}
    result = _result(stats, "2026-01", "price_slump")
    assert (result["tripped"], result["price"], result["two_year"]) == (tripped, price, 11_000)  # 60% = 6,600


def test_price_surge_needs_six_consecutive_months_at_three_times():
    stats = {**_base(), **{f"2026-{m:02d}": (33_000 * 100, 100, 5) for m in range(1, 7)}}
    assert _result(stats, "2026-06", "price_surge")["tripped"]
    assert not _result(stats, "2026-05", "price_surge")["tripped"]  # 2025-12 at 12,000 is one of its six
    stats["2026-03"] = (32_995 * 100, 100, 5)
    result = _result(stats, "2026-06", "price_surge")
    assert not result["tripped"] and [r["price"] for r in result["months"]] == [33_000, 33_000, 32_995, 33_000, 33_000, 33_000]


def test_volume_and_price_trips_only_with_both():
    stats = {**_base(), "2026-03": (22_000 * 2_000, 2_000, 20)}  # 100 t a day = 2 × 50; 22,000 = 2 × 11,000
    result = _result(stats, "2026-03", "volume_and_price")
    assert result["tripped"] and (result["daily_volume"], result["same_month_volume"], result["price"]) == (100, 50, 22_000)
    stats["2026-03"] = (22_000 * 1_990, 1_990, 20)  # 99.5 → 100 t a day still; price the same
    assert _result(stats, "2026-03", "volume_and_price")["tripped"]
    stats["2026-03"] = (22_000 * 1_980, 1_980, 20)  # 99 t a day
    assert not _result(stats, "2026-03", "volume_and_price")["tripped"]
    stats["2026-03"] = (21_995 * 2_000, 2_000, 20)
    assert not _result(stats, "2026-03", "volume_and_price")["tripped"]


def test_missing_inputs_never_trip_and_say_what_is_missing():
    results = evaluate(_base(), "2026-02", THRESHOLDS)
    assert not any(r["tripped"] for r in results)
    slump = next(r for r in results if r["trigger"] == "price_slump")
    assert slump["missing"] == ["price"]
    assert evaluate({}, "2026-02", THRESHOLDS)[2]["missing"] == ["price", "two_year"]


def test_months_needed_cover_the_surge_window_and_two_years_before_it():
    needed = months_needed("2026-06", 6)
    assert needed[0] == "2024-01" and needed[-1] == "2026-06" and len(needed) == 30
    assert months_needed("2026-03", 6)[0] == "2023-01"  # the window starts in 2025-10, whose two years are 2023-24


def test_reference_series_from_the_real_krx_file():
    from datasets.krx import read_market_daily

    rows = read_market_daily(KRX)
    series = monthly_series((d.date.isoformat(), d.instrument, d.volume, d.value_krw) for d in rows)
    # the same month summed by hand from the raw CSV (KAU rows with volume)
    value = volume = 0
    days = set()
    with KRX.open(encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["일자"].startswith("2025-03") and row["종목명"].startswith("KAU") and int(row["거래량"].replace(",", "")):
                value += int(row["거래대금"].replace(",", ""))
                volume += int(row["거래량"].replace(",", ""))
                days.add(row["일자"])
    assert ["2025-03", value, volume, len(days)] in series
    assert [r[0] for r in series] == sorted(r[0] for r in series) and volume > 0
    digest = series_hash(series)
    assert len(digest) == 64 and series_hash([list(r) for r in series]) == digest
    series[0][2] += 1
    assert series_hash(series) != digest  # one tonne changed, another commitment


def test_the_cli_builds_the_series_and_its_action_as_a_process(tmp_path):
    import json
    import subprocess
    import sys

    from datasets.krx import read_market_daily

    out = tmp_path / "series.json"
    done = subprocess.run([sys.executable, "-m", "ets_tools.cli", "stabilisation", "series", "--krx", str(KRX),
                           "--until", "2025-05", "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    printed, action = json.loads(done.stdout), json.loads(out.read_text())
    rows = [r for r in monthly_series((d.date.isoformat(), d.instrument, d.volume, d.value_krw)
                                      for d in read_market_daily(KRX)) if r[0] <= "2025-05"]
    assert printed["sha256"] == action["sha256"] == series_hash(rows) and printed["last"] == "2025-05"
    from protocol.messages import parse_action

    assert parse_action(action).months[-1][0] == "2025-05"  # the chain will parse exactly this action
    helped = subprocess.run([sys.executable, "-m", "ets_tools.cli", "auction", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert helped.returncode == 0 and "uniform price" in helped.stdout and "escrowed" in helped.stdout
    refused = subprocess.run([sys.executable, "-m", "ets_tools.cli", "stabilisation", "propose", "floor", "--price", "0",
                              "--days", "2", "--reason", "test", "--key", "nobody"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "nothing was sent" in refused.stderr
