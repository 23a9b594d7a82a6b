"""Hourly CO2 from a stack monitor's data logger over Modbus TCP (holding registers, 0x03).

Register map (documented here and set in the site configuration, section ``[modbus]``):
the logger keeps a ring of its last ``ring_slots`` completed hours, slot ``k`` at holding
register ``ring_base + k × 6`` (0-based protocol addresses), each slot six registers::

    +0, +1   hour start, unix seconds, u32 (two registers; ``word_order`` "big" = high word first)
    +2, +3   CO2 emitted in that hour, whole kg, u32 (same word order)
    +4       status: 0 = valid measurement, 1 = substituted by the logger, 2 = invalid / maintenance
    +5       reserved (0)

An empty slot has hour 0. The logger writes each completed hour into the next slot (the
order of slots does not matter to the reader). Every poll reads the whole ring and returns
the hours newer than the last hour the uploader has, oldest first, so hours completed while
the uploader or the link was down are picked up when it comes back (as long as the ring
covers the gap; anything older is missing and will be substituted, visibly).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..days import HOUR
from ..errors import ConfigError
from ..modbus import ModbusTcpClient
from . import Measurement

__all__ = ["RegisterMap", "ModbusLoggerSource", "LoggerPoll", "SLOT_REGISTERS", "STATUS_VALID", "STATUS_SUBSTITUTED", "STATUS_INVALID"]

SLOT_REGISTERS = 6
STATUS_VALID, STATUS_SUBSTITUTED, STATUS_INVALID = 0, 1, 2
SOURCE_TAG = "modbus"


@dataclass(frozen=True, slots=True)
class RegisterMap:
    ring_base: int = 100
    ring_slots: int = 24
    word_order: str = "big"

    def __post_init__(self) -> None:
        if not isinstance(self.ring_base, int) or not isinstance(self.ring_slots, int) or self.ring_base < 0 or self.ring_slots < 1:
            raise ConfigError("[modbus] ring_base must be ≥ 0 and ring_slots ≥ 1")
        if self.ring_base + self.ring_slots * SLOT_REGISTERS > 0x10000:
            raise ConfigError(f"[modbus] the ring ({self.ring_slots} slots of {SLOT_REGISTERS} registers from {self.ring_base}) "
                              "does not fit in registers 0..65535")
        if self.word_order not in ("big", "little"):
            raise ConfigError(f"[modbus] word_order must be \"big\" (high word first) or \"little\", got {self.word_order!r}")

    def u32(self, first: int, second: int) -> int:
        return (first << 16 | second) if self.word_order == "big" else (second << 16 | first)

    def encode_u32(self, value: int) -> list[int]:
        """Two registers for ``value`` in this map's word order (for test servers and simulators)."""
        high, low = value >> 16 & 0xFFFF, value & 0xFFFF
        return [high, low] if self.word_order == "big" else [low, high]


@dataclass(frozen=True, slots=True)
class LoggerPoll:
    """What one poll found: new measurements (oldest first) and slots that cannot be used."""

    measurements: tuple[Measurement, ...]
    invalid: tuple[tuple[int, str], ...]  # (hour or slot index, why)


class ModbusLoggerSource:
    def __init__(self, client: ModbusTcpClient, register_map: RegisterMap):
        self.client = client
        self.map = register_map

    async def poll(self, after_hour: int | None) -> LoggerPoll:
        """Read the ring; return the hours newer than ``after_hour`` (None: every hour in the ring)."""
        regs = await self.client.read_registers(self.map.ring_base, self.map.ring_slots * SLOT_REGISTERS)
        found: dict[int, Measurement] = {}
        invalid: list[tuple[int, str]] = []
        for k in range(self.map.ring_slots):
            slot = regs[k * SLOT_REGISTERS:(k + 1) * SLOT_REGISTERS]
            hour = self.map.u32(slot[0], slot[1])
            if hour == 0 or (after_hour is not None and hour <= after_hour):
                continue
            kg, status = self.map.u32(slot[2], slot[3]), slot[4]
            if hour % HOUR:
                invalid.append((k, f"slot {k}: hour stamp {hour} is not the start of an hour"))
            elif status == STATUS_INVALID:
                invalid.append((hour, f"the logger marked hour {hour} invalid (maintenance or fault); it will be substituted"))
            elif status not in (STATUS_VALID, STATUS_SUBSTITUTED):
                invalid.append((hour, f"slot {k}: unknown status {status} for hour {hour}"))
            elif hour in found and found[hour].co2_kg != kg:
                invalid.append((hour, f"two ring slots disagree about hour {hour}"))
            else:
                found[hour] = Measurement(hour, kg, SOURCE_TAG, substituted=status == STATUS_SUBSTITUTED)
        return LoggerPoll(tuple(found[h] for h in sorted(found)), tuple(invalid))

    async def close(self) -> None:
        await self.client.close()
