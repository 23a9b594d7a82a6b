"""Sensor files of other shapes for the replay source: header rows, timestamps (gaps are gaps), units and
column order checked by range, and the end of the file (the service stops, or warns once)."""

from __future__ import annotations

import pytest

from edge_uploader.days import HOUR, day_start
from edge_uploader.errors import ConfigError, SourceError
from edge_uploader.sources.replay import TurbineReplay, read_sensor_file

from edge_helpers import device_signer, site_config
from modbus_logger import free_port
from proc_helpers import Uploader

UCI_ROW = "1,2,3,4,5,6,7,{tey},12,10,11\n"


def write(tmp_path, text: str, name: str = "s.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_header_row_maps_columns_by_name_in_any_order(tmp_path):
    path = write(tmp_path, "NOX,TEY,CDP\n1,150,12\n2,100,11\n")
    read = read_sensor_file(path)
    assert read.header_row == 1 and read.columns == {"NOX": 0, "TEY": 1, "CDP": 2}
    assert read.kg == [60_588, 40_392] and read.hours is None


def test_timestamps_place_rows_on_their_hours_and_gaps_stay_missing(tmp_path):
    path = write(tmp_path, "timestamp,TEY\n2024-03-01 00:00,150\n2024-03-01 03:00,100\n"
                           "2024-03-01T05:00:00+09:00,120\n1709240400,110\n")
    replay = TurbineReplay(path, "2024-03-01")
    start = day_start("2024-03-01")
    assert replay.timestamped and replay.end == start + 7 * HOUR
    assert [replay.measurement_for(start + h * HOUR) is not None for h in range(8)] == [
        True, False, False, True, False, True, True, False]
    assert replay.measurement_for(start + 3 * HOUR).co2_kg == 40_392


@pytest.mark.parametrize("text, message", [
    ("timestamp,TEY\n2024-03-01 00:30,150\n", r"row 2, column 1 \(timestamp\): '2024-03-01 00:30' is not the start of an hour"),
    ("timestamp,TEY\n2024-03-01 02:00,150\n2024-03-01 01:00,150\n", r"row 3, column 1 \(timestamp\): 2024-03-01 01:00 is not "
                                                                  "later than the row before: sort the file by time"),
    ("time,CDP\n2024-03-01 02:00,12\n", r"row 1: the header names no TEY"),
    ("".join(UCI_ROW.format(tey=t * 1000) for t in (150, 140)), r"column 8 \(TEY\): the median is 150000, about 1,000 × an "
                                                               "hourly MWh figure: the file looks like kWh"),
    ("1,2,3,4,5,6,7,12,150,10,11\n" * 3, r"column 8 \(TEY\): the values \(median 12\) look like compressor discharge "
                                         r"pressure \(mbar\), and column 9 looks like TEY \(MWh\): the columns are in "
                                         "another order; add a header row"),
    ("".join(UCI_ROW.format(tey=t) for t in (2, 3, 4)), r"column 8 \(TEY\): the median is 3, outside the 20-400 MWh"),
])
def test_sensor_file_errors_name_row_column_and_remedy(tmp_path, text, message):
    with pytest.raises(SourceError, match=message):
        TurbineReplay(write(tmp_path, text), "2024-03-01")


def test_problems_can_be_collected_instead_of_raised(tmp_path):
    path = write(tmp_path, UCI_ROW.format(tey=150) + "1,2\n" + UCI_ROW.format(tey="x") + UCI_ROW.format(tey=151))
    read = read_sensor_file(path, collect=True)
    assert read.kg == [60_588, 60_992] and read.problems_total == 2
    assert [(row, column) for row, column, _ in read.problems] == [(2, None), (3, 8)]
    assert "row 2: expected 11 comma-separated columns" in read.problems[0][2]


def test_at_end_must_be_stop_or_warn(tmp_path):
    from edge_uploader.config import CsvConfig

    with pytest.raises(ConfigError, match=r'\[csv\] at_end must be "stop"'):
        CsvConfig(path="x.csv", at_end="loop")


def replay_service(tmp_path, at_end: str, hours: int = 30):
    path = write(tmp_path, "".join(UCI_ROW.format(tey=150) for _ in range(hours)), "turbine.csv")
    config = site_config(
        tmp_path, device_signer(7), node=f"http://127.0.0.1:{free_port()}",
        source={"source": {"kind": "csv"}, "csv": {"path": str(path), "at_end": at_end}},
        schedule={"start_day": "2024-03-01", "end_day": "2024-03-02", "mode": "simulated", "seconds_per_hour": 0.01},
    )
    return Uploader(config)


def test_the_service_stops_the_replay_at_the_end_of_the_file(tmp_path):
    up = replay_service(tmp_path, "stop")
    try:
        up.wait_for(lambda: up.named("source_ended") and up.named("day_sealed"), 60, "the end of the file")
        ended = up.named("source_ended")[0]
        assert ended["end"] == day_start("2024-03-01") + 30 * HOUR and ended["at_end"] == "stop"
        assert up.terminate() == 0
    finally:
        if up.proc.poll() is None:
            up.kill()
    sealed = up.named("day_sealed")
    assert [e["day"] for e in sealed] == ["2024-03-01"] and sealed[0]["substituted"] == 0, \
        "the incomplete second day is not filled with substitutes"


def test_the_service_warns_once_at_the_end_and_counts_the_meter_as_down(tmp_path):
    up = replay_service(tmp_path, "warn")
    try:
        up.wait_for(lambda: len(up.named("day_sealed")) == 2, 60, "both days sealed")
        assert up.terminate() == 0
    finally:
        if up.proc.poll() is None:
            up.kill()
    assert len(up.named("source_ended")) == 1 and up.named("source_ended")[0]["level"] == "warning"
    sealed = {e["day"]: e for e in up.named("day_sealed")}
    assert sealed["2024-03-01"]["substituted"] == 0 and sealed["2024-03-02"]["substituted"] == 18
