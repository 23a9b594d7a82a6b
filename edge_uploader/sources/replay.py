"""Replay of the UCI "Gas Turbine CO and NOx Emission" files as a CO2 stack (hourly).

Data: ``gas_turbine_2011.csv`` / ``gas_turbine_2012.csv`` (UCI Machine Learning Repository,
CC BY 4.0): one row per hour of one gas turbine in Turkey, no header row, 11 columns. The
order in the files is the UCI order

    0 AT ambient temperature °C   1 AP ambient pressure mbar   2 AH ambient humidity %
    3 AFDP air filter difference pressure mbar   4 GTEP turbine exhaust pressure mbar
    5 TIT turbine inlet temperature °C   6 TAT turbine after temperature °C
    7 TEY turbine energy yield MWh   8 CDP compressor discharge pressure mbar
    9 CO mg/m³   10 NOx mg/m³

(TEY, column 7, ranges ~100-180 MWh; CDP, column 8, ~10-15 mbar. The shared datasets README
lists CDP before TEY; the values show the UCI order above.)

CO2 is not measured in these files. The replay derives an hourly CO2 mass from the energy
yield with a natural-gas emission factor per MWh of **electricity** (TEY is the turbine's
electrical output):

    IPCC 2006 Guidelines, Vol. 2, Ch. 2, Table 2.2: natural gas 56,100 kg CO2/TJ of fuel
      = 56,100 × 3.6 / 1000 = 201.96 kg CO2/MWh thermal (fuel energy)
    ÷ 50 % net electrical efficiency (an assumption: a modern gas-turbine plant in combined
      cycle; a simple-cycle turbine at ~35 % would give ~577 kg/MWh)
      = 403.92 kg CO2/MWh electric  →  ``DEFAULT_EMISSION_FACTOR_G_PER_MWH = 403_920``

    co2_kg(hour) = round_half_up(TEY_MWh × factor_g_per_MWh / 1000)

computed exactly in decimal (no binary floats). The factor is a setting of the site
(``[csv] emission_factor_g_per_mwh``).

Shapes read (``read_sensor_file``):

* **Header row**: a first row that is not all numbers is a header. Columns are then found by
  name (``AT, AP, AH, AFDP, GTEP, TIT, TAT, TEY, CDP, CO, NOX``, any case; only TEY is needed),
  and a ``timestamp`` (or ``time``, ``datetime``, ``date``) column gives each row's hour. Without
  a header the file must have the 11 UCI columns in the UCI order.
* **Timestamps**: ISO 8601 (``2011-01-01 05:00``, ``2011-01-01T05:00:00+03:00``; without an offset
  the site's time, KST) or unix seconds; each must be the start of an hour and later than the row
  before. Hours the file skips are missing hours (substituted and flagged by the node), not
  shifted: rows are not assumed to be consecutive.
  Without timestamps row ``i`` (after ``first_row``) becomes the hour ``start_day 00:00 KST + i hours``.
* **Units and column order by range**: TEY is an hourly electrical output of this turbine, about
  100-190 MWh; a TEY column whose median lies at 10-20 (compressor discharge pressure, mbar) while
  another column's lies at 100-190 means the columns are in another order, and a median of
  100,000-190,000 means kWh: either is refused with what to change, before any hour is replayed.
* **End of the file**: ``end`` is the hour after the last row. The service stops the replay there
  (``[csv] at_end = "stop"``, the default) or warns once and lets the node count the meter as down
  (``"warn"``) — never substituting silently past the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from ..days import HOUR, day_start
from ..errors import SourceError
from . import Measurement

__all__ = ["TurbineReplay", "SensorFile", "read_sensor_file", "DEFAULT_EMISSION_FACTOR_G_PER_MWH", "TEY_COLUMN",
           "COLUMNS", "UCI_NAMES", "co2_kg_from_tey"]

DEFAULT_EMISSION_FACTOR_G_PER_MWH = 403_920
TEY_COLUMN = 7
COLUMNS = 11
SOURCE_TAG = "csv"
UCI_NAMES = ("AT", "AP", "AH", "AFDP", "GTEP", "TIT", "TAT", "TEY", "CDP", "CO", "NOX")
_TIME_NAMES = ("timestamp", "time", "datetime", "date", "hour", "date_time")
_TEY_MWH = (Decimal(20), Decimal(400))  # plausible median of an hourly TEY in MWh
_CDP_MBAR = (Decimal(5), Decimal(25))
_KST = timezone(timedelta(hours=9))
MAX_PROBLEMS = 100


def co2_kg_from_tey(tey_mwh: str, factor_g_per_mwh: int) -> int:
    """Whole kg of CO2 for an energy yield written as a decimal string (MWh)."""
    value = Decimal(tey_mwh)
    if not value.is_finite() or value < 0:
        raise InvalidOperation(tey_mwh)
    return int((value * factor_g_per_mwh / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class SensorFile:
    """A sensor file read: kg of CO2 per row, each row's hour (None without timestamps), and what was found."""

    path: Path
    kg: list[int] = field(default_factory=list)
    hours: list[int] | None = None  # unix hour of each row when the file has timestamps
    header_row: int | None = None
    columns: dict[str, int] = field(default_factory=dict)  # name → 0-based column
    problems: list[tuple[int, int | None, str]] = field(default_factory=list)  # (row, column from 1, message)
    problems_total: int = 0

    def problem(self, text: str, collect: bool, row: int, column: int | None = None) -> None:
        if not collect:
            raise SourceError(text)
        self.problems_total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((row, column, text))


def _is_number(text: str) -> bool:
    try:
        return Decimal(text.strip()).is_finite()
    except InvalidOperation:
        return False


def _hour_of(text: str) -> int:
    """Unix start of the hour a timestamp cell names (ValueError if it is not one)."""
    value = text.strip()
    if value.isdigit():
        stamp = int(value)
    else:
        moment = datetime.fromisoformat(value.replace("/", "-"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_KST)
        stamp = int(moment.timestamp())
    if stamp < 0 or stamp % HOUR:
        raise ValueError("not the start of an hour")
    return stamp


def _header_columns(cells: list[str], where: str) -> dict[str, int]:
    names = [c.strip().upper().replace(" ", "") for c in cells]
    columns = {name: i for i, name in enumerate(names) if name in UCI_NAMES}
    for i, name in enumerate(names):
        if name.lower() in _TIME_NAMES:
            columns.setdefault("TIMESTAMP", i)
    if "TEY" not in columns:
        raise SourceError(f"{where}, row 1: the header names no TEY (turbine energy yield, MWh) column (found "
                          f"{', '.join(c.strip() for c in cells)}); name it TEY")
    return columns


def _median(values: list[Decimal]) -> Decimal:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _check_ranges(sample: list[list[str]], columns: dict[str, int], where: str) -> None:
    """Refuse a TEY column whose values are another quantity or another unit (see the module docstring)."""
    def median_of(index: int) -> Decimal | None:
        values = [Decimal(r[index].strip()) for r in sample if index < len(r) and _is_number(r[index])]
        return _median(values) if values else None

    tey = columns["TEY"]
    median = median_of(tey)
    if median is None or _TEY_MWH[0] <= median <= _TEY_MWH[1]:
        return
    if median >= _TEY_MWH[0] * 1000 and median <= _TEY_MWH[1] * 1000:
        raise SourceError(f"{where}, column {tey + 1} (TEY): the median is {median}, about 1,000 × an hourly MWh figure: "
                          "the file looks like kWh; convert it to MWh")
    if _CDP_MBAR[0] <= median <= _CDP_MBAR[1]:
        fits = [i + 1 for i in range(max(len(r) for r in sample)) if i != tey
                and (m := median_of(i)) is not None and _TEY_MWH[0] <= m <= _TEY_MWH[1]]
        if fits:
            raise SourceError(
                f"{where}, column {tey + 1} (TEY): the values (median {median}) look like compressor discharge pressure "
                f"(mbar), and column {fits[0]} looks like TEY (MWh): the columns are in another order; add a header "
                f"row naming them ({','.join(UCI_NAMES)})")
    raise SourceError(f"{where}, column {tey + 1} (TEY): the median is {median}, outside the {_TEY_MWH[0]}-{_TEY_MWH[1]} "
                      "MWh an hour this turbine yields: check the column and its unit")


def read_sensor_file(path: str | Path, *, factor_g_per_mwh: int = DEFAULT_EMISSION_FACTOR_G_PER_MWH,
                     first_row: int = 0, collect: bool = False) -> SensorFile:
    """Read a gas-turbine sensor file (rules in the module docstring).

    ``collect=True`` notes bad rows in ``problems`` (up to 100) and goes on; otherwise the first
    bad row raises ``SourceError`` naming the row and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SourceError(f"CSV file {path} does not exist; set [csv] path to a gas_turbine_*.csv file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read CSV file {path}: {exc}") from None
    out = SensorFile(path)
    rows = [(n, line.split(",")) for n, line in enumerate(text.splitlines(), start=1) if n > first_row and line.strip()]
    if rows and not all(_is_number(c) for c in rows[0][1]):
        out.header_row = rows[0][0]
        out.columns = _header_columns(rows[0][1], str(path))
        rows = rows[1:]
    else:
        out.columns = {name: i for i, name in enumerate(UCI_NAMES)}
    expected = COLUMNS if out.header_row is None else None
    stamp = out.columns.get("TIMESTAMP")
    out.hours = [] if stamp is not None else None
    sample = [c for _, c in rows[:2000] if expected is None or len(c) == expected]
    if sample:
        _check_ranges(sample, out.columns, str(path))
    tey = out.columns["TEY"]
    previous: int | None = None
    for number, cells in rows:
        if expected is not None and len(cells) != expected:
            out.problem(f"{path}, row {number}: expected {COLUMNS} comma-separated columns (no header), found "
                        f"{len(cells)}", collect, number)
            continue
        if tey >= len(cells):
            out.problem(f"{path}, row {number}: the row has {len(cells)} columns; TEY is column {tey + 1}", collect, number)
            continue
        try:
            kg = co2_kg_from_tey(cells[tey].strip(), factor_g_per_mwh)
        except (InvalidOperation, ValueError):
            out.problem(f"{path}, row {number}, column {tey + 1} (turbine energy yield, MWh): {cells[tey]!r} is not a "
                        "number ≥ 0", collect, number, tey + 1)
            continue
        if stamp is not None:
            try:
                hour = _hour_of(cells[stamp])
            except (ValueError, IndexError):
                out.problem(f"{path}, row {number}, column {stamp + 1} (timestamp): {cells[stamp] if stamp < len(cells) else ''!r} "
                            "is not the start of an hour like 2011-01-01 05:00 or unix seconds", collect, number, stamp + 1)
                continue
            if previous is not None and hour <= previous:
                out.problem(f"{path}, row {number}, column {stamp + 1} (timestamp): {cells[stamp].strip()} is not later "
                            "than the row before: sort the file by time and keep one row per hour", collect, number,
                            stamp + 1)
                continue
            previous = hour
            out.hours.append(hour)  # type: ignore[union-attr]
        out.kg.append(kg)
    if not out.kg and not out.problems_total:
        raise SourceError(f"CSV file {path} has no data rows")
    return out


class TurbineReplay:
    """Hourly CO2 from one gas-turbine file: by its timestamps, or mapped onto the hours from ``start_day``."""

    def __init__(self, path: str | Path, start_day: str, *, emission_factor_g_per_mwh: int = DEFAULT_EMISSION_FACTOR_G_PER_MWH,
                 first_row: int = 0):
        self.path = Path(path)
        if not isinstance(emission_factor_g_per_mwh, int) or emission_factor_g_per_mwh <= 0:
            raise SourceError(f"[csv] emission_factor_g_per_mwh must be a positive whole number of g CO2/MWh, got {emission_factor_g_per_mwh!r}")
        if not isinstance(first_row, int) or first_row < 0:
            raise SourceError(f"[csv] first_row must be a row number ≥ 0, got {first_row!r}")
        self.start = day_start(start_day)
        self.factor = emission_factor_g_per_mwh
        read = read_sensor_file(self.path, factor_g_per_mwh=emission_factor_g_per_mwh, first_row=first_row)
        self.kg: list[int] = read.kg
        self._by_hour = dict(zip(read.hours, read.kg)) if read.hours is not None else None
        self.timestamped = read.hours is not None
        self.end = (read.hours[-1] + HOUR) if read.hours else self.start + len(self.kg) * HOUR

    @property
    def hours(self) -> int:
        return len(self.kg)

    def measurement_for(self, hour: int) -> Measurement | None:
        if self._by_hour is not None:
            kg = self._by_hour.get(hour)
            return None if kg is None else Measurement(hour, kg, SOURCE_TAG)
        index = (hour - self.start) // HOUR
        if 0 <= index < len(self.kg):
            return Measurement(hour, self.kg[index], SOURCE_TAG)
        return None
