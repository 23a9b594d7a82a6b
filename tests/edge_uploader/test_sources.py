"""Inputs: the UCI gas-turbine replay (real file) and the seeded synthetic stack."""

from __future__ import annotations

import re

import pytest

from edge_uploader.days import HOUR, day_start
from edge_uploader.errors import SourceError
from edge_uploader.sources.replay import DEFAULT_EMISSION_FACTOR_G_PER_MWH, TurbineReplay, co2_kg_from_tey
from edge_uploader.sources.synthetic import DAILY_PROFILE_PER_MILLE, SyntheticStack

from edge_helpers import gas_turbine_csv


def test_replay_of_the_real_gas_turbine_file():
    path = gas_turbine_csv(2011)
    replay = TurbineReplay(path, "2011-01-01")
    first_line = path.read_text().splitlines()[0].split(",")
    assert replay.hours == len(path.read_text().splitlines()) == 7411
    start = day_start("2011-01-01")
    m = replay.measurement_for(start)
    assert m.co2_kg == co2_kg_from_tey(first_line[7], DEFAULT_EMISSION_FACTOR_G_PER_MWH) == 54_396  # 134.67 MWh × 403.92 kg
    assert replay.measurement_for(start + 7410 * HOUR) is not None and replay.measurement_for(start + 7411 * HOUR) is None
    assert replay.measurement_for(start - HOUR) is None
    # TEY spans ~100-170 MWh → ~40-69 t CO2 per hour with the default factor
    assert 40_000 <= min(replay.kg) and max(replay.kg) <= 70_000


GOOD_ROW = "1,2,3,4,5,6,7,150,9,10,11\n"


@pytest.mark.parametrize("text, message", [
    (GOOD_ROW * 2 + "1,2,3\n", "row 3: expected 11"),
    (GOOD_ROW * 2 + "1,2,3,4,5,6,7,abc,9,10,11\n", "row 3, column 8 (turbine energy yield"),
    (GOOD_ROW + "1,2,3,4,5,6,7,-4,9,10,11\n", "row 2, column 8"),
    ("", "no data rows"),
])
def test_replay_errors_name_the_row_and_column(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(SourceError, match=re.escape(message)):
        TurbineReplay(path, "2011-01-01")


def test_replay_missing_file_says_what_to_set(tmp_path):
    with pytest.raises(SourceError, match=r"\[csv\] path"):
        TurbineReplay(tmp_path / "nope.csv", "2011-01-01")


def test_emission_factor_is_exact_decimal():
    assert co2_kg_from_tey("100", 403_920) == 40_392
    assert co2_kg_from_tey("0.0012378", 403_920) == 0  # 0.49998 kg
    assert co2_kg_from_tey("0.0012379", 403_920) == 1  # 0.50002 kg, half up


def test_synthetic_is_deterministic_and_random_access():
    a = SyntheticStack(seed=5, start_day="2024-03-01", missing_per_mille=50)
    b = SyntheticStack(seed=5, start_day="2024-03-01", missing_per_mille=50)
    c = SyntheticStack(seed=6, start_day="2024-03-01", missing_per_mille=50)
    start = day_start("2024-03-01")
    hours = [start + i * HOUR for i in range(24 * 14)]
    forward = [a.measurement_for(h) for h in hours]
    assert forward == [b.measurement_for(h) for h in reversed(hours)][::-1]
    assert forward != [c.measurement_for(h) for h in hours]
    missing = sum(m is None for m in forward)
    assert 5 <= missing <= 35  # ~5 % of 336 hours


def test_synthetic_profile_weekends_outages_and_spikes():
    stack = SyntheticStack(seed=1, start_day="2024-03-04", noise_per_mille=0, outages=[[24, 48]], spike_per_mille=0)
    monday = day_start("2024-03-04")  # a Monday
    night = stack.expected_kg(monday + 3 * HOUR)
    afternoon = stack.expected_kg(monday + 14 * HOUR)
    assert night == 50_000 * DAILY_PROFILE_PER_MILLE[3] // 1000 and afternoon > night
    saturday = day_start("2024-03-09")
    assert stack.expected_kg(saturday + 14 * HOUR) == afternoon * 880 // 1000
    assert stack.measurement_for(monday + 23 * HOUR) is not None
    assert all(stack.measurement_for(monday + h * HOUR) is None for h in range(24, 72))
    spiky = SyntheticStack(seed=1, start_day="2024-03-04", spike_per_mille=1000)
    assert spiky.measurement_for(monday).co2_kg == 300_000


def test_synthetic_bad_settings():
    with pytest.raises(SourceError, match="outages"):
        SyntheticStack(seed=1, start_day="2024-03-04", outages=[[1]])
    with pytest.raises(SourceError, match="noise_per_mille"):
        SyntheticStack(seed=1, start_day="2024-03-04", noise_per_mille=1000)
