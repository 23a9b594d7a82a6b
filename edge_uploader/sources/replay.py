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

Clock: row ``i`` (after ``first_row``) becomes the hour ``start_day 00:00 KST + i hours``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from ..days import HOUR, day_start
from ..errors import SourceError
from . import Measurement

__all__ = ["TurbineReplay", "DEFAULT_EMISSION_FACTOR_G_PER_MWH", "TEY_COLUMN", "COLUMNS", "co2_kg_from_tey"]

DEFAULT_EMISSION_FACTOR_G_PER_MWH = 403_920
TEY_COLUMN = 7
COLUMNS = 11
SOURCE_TAG = "csv"


def co2_kg_from_tey(tey_mwh: str, factor_g_per_mwh: int) -> int:
    """Whole kg of CO2 for an energy yield written as a decimal string (MWh)."""
    value = Decimal(tey_mwh)
    if not value.is_finite() or value < 0:
        raise InvalidOperation(tey_mwh)
    return int((value * factor_g_per_mwh / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class TurbineReplay:
    """Hourly CO2 from one UCI gas-turbine file, mapped onto the days from ``start_day``."""

    def __init__(self, path: str | Path, start_day: str, *, emission_factor_g_per_mwh: int = DEFAULT_EMISSION_FACTOR_G_PER_MWH,
                 first_row: int = 0):
        self.path = Path(path)
        if not isinstance(emission_factor_g_per_mwh, int) or emission_factor_g_per_mwh <= 0:
            raise SourceError(f"[csv] emission_factor_g_per_mwh must be a positive whole number of g CO2/MWh, got {emission_factor_g_per_mwh!r}")
        if not isinstance(first_row, int) or first_row < 0:
            raise SourceError(f"[csv] first_row must be a row number ≥ 0, got {first_row!r}")
        self.start = day_start(start_day)
        self.factor = emission_factor_g_per_mwh
        self.kg: list[int] = self._load(first_row)

    def _load(self, first_row: int) -> list[int]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SourceError(f"CSV file {self.path} does not exist; set [csv] path to a gas_turbine_*.csv file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"cannot read CSV file {self.path}: {exc}") from None
        out: list[int] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if number <= first_row:
                continue
            if not line.strip():
                continue
            cells = line.split(",")
            if len(cells) != COLUMNS:
                raise SourceError(f"{self.path}, row {number}: expected {COLUMNS} comma-separated columns (no header), found {len(cells)}")
            try:
                out.append(co2_kg_from_tey(cells[TEY_COLUMN].strip(), self.factor))
            except (InvalidOperation, ValueError):
                raise SourceError(f"{self.path}, row {number}, column {TEY_COLUMN + 1} (turbine energy yield, MWh): "
                                  f"{cells[TEY_COLUMN]!r} is not a number ≥ 0") from None
        if not out:
            raise SourceError(f"CSV file {self.path} has no data rows")
        return out

    @property
    def hours(self) -> int:
        return len(self.kg)

    def measurement_for(self, hour: int) -> Measurement | None:
        index = (hour - self.start) // HOUR
        if 0 <= index < len(self.kg):
            return Measurement(hour, self.kg[index], SOURCE_TAG)
        return None
