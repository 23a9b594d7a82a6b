"""Inputs of an edge uploader: where hourly CO2 values come from.

Every source yields ``Measurement`` values (an hour stamp, whole kg of CO2 in that hour, a
substituted flag, a source tag); the uploader numbers and signs them with the device key
and passes them through the same checks as any other reading.

    replay.TurbineReplay     hourly rows of the UCI gas-turbine CSV files, replayed on a clock
    synthetic.SyntheticStack a seeded, deterministic stack with a daily load profile and gaps
    modbus.ModbusLoggerSource a stack monitor's data logger read over Modbus TCP (0x03)

Simulated-clock sources answer ``measurement_for(hour)`` (None = no data for that hour);
the Modbus source is polled and returns the new hours it finds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..days import HOUR
from ..errors import ReadingError

__all__ = ["Measurement", "HourlySource"]


@dataclass(frozen=True, slots=True)
class Measurement:
    """One hour of CO2 (kg) as a source delivers it, before it is numbered and signed."""

    timestamp: int
    co2_kg: int
    source: str
    substituted: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.timestamp, int) or self.timestamp < 0 or self.timestamp % HOUR:
            raise ReadingError(f"measurement timestamp {self.timestamp!r} must be the unix start of an hour")
        if not isinstance(self.co2_kg, int) or isinstance(self.co2_kg, bool) or self.co2_kg < 0:
            raise ReadingError(f"measurement co2_kg {self.co2_kg!r} must be a whole number of kg ≥ 0")


class HourlySource(Protocol):
    """A source that can say what it measured in any hour of the simulated clock."""

    def measurement_for(self, hour: int) -> Measurement | None: ...
