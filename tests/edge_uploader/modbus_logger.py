"""A stack monitor's data logger for tests: a real pymodbus Modbus TCP server on 127.0.0.1.

It serves the register map of ``edge_uploader.sources.modbus`` from a Python list the test
changes over time (``write_hour``), and can be stopped and started again on the same port
(the logger going away and coming back). The server runs in its own thread and event loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from edge_uploader.sources.modbus import SLOT_REGISTERS, RegisterMap
from tests.ports import free_port as allocate_port

logging.getLogger("pymodbus").setLevel(logging.ERROR)


def free_port() -> int:
    """A free port from the suite's one allocator (tests/ports.py)."""
    return allocate_port()


class DataLogger:
    def __init__(self, register_map: RegisterMap, *, port: int | None = None, unit_id: int = 1):
        self.map = register_map
        self.port = port or free_port()
        self.unit_id = unit_id
        self.size = register_map.ring_base + register_map.ring_slots * SLOT_REGISTERS + 8
        self.registers = [0] * self.size
        self.lock = threading.Lock()
        self.requests = 0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: ModbusTcpServer | None = None
        self._next_slot = 0

    # -- the register map -------------------------------------------------------------------

    def write_hour(self, hour: int, kg: int, status: int = 0, slot: int | None = None) -> int:
        """Write one completed hour into the next ring slot (or ``slot``); returns the slot used."""
        if slot is None:
            slot = self._next_slot
            self._next_slot = (self._next_slot + 1) % self.map.ring_slots
        base = self.map.ring_base + slot * SLOT_REGISTERS
        with self.lock:
            self.registers[base:base + SLOT_REGISTERS] = self.map.encode_u32(hour) + self.map.encode_u32(kg) + [status, 0]
        return slot

    async def _action(self, function_code, start_address, address, count, registers, set_values):
        with self.lock:
            self.requests += 1
            registers[:self.size] = self.registers
        return None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        ready = threading.Event()
        errors: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            device = SimDevice(self.unit_id, simdata=[SimData(0, count=self.size, values=0, datatype=DataType.REGISTERS)],
                               action=self._action)

            async def boot() -> None:
                self._server = ModbusTcpServer(device, address=("127.0.0.1", self.port))
                await self._server.serve_forever(background=True)

            try:
                loop.run_until_complete(boot())
            except BaseException as exc:  # reported to the starting thread
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._server.shutdown())
            loop.close()

        self._thread = threading.Thread(target=serve, name=f"modbus-logger-{self.port}", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._thread = self._loop = self._server = None

    def __enter__(self) -> "DataLogger":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
