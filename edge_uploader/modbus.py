"""A Modbus TCP client for one job: reading holding registers (function 0x03) of a data logger.

Wire format (Modbus Application Protocol v1.1b3, "Modbus Messaging on TCP/IP" v1.0b)::

    MBAP header (7 bytes)                             PDU
    transaction id u16 | protocol id u16 = 0 |        function u8 = 0x03 | start address u16 | quantity u16
    length u16 (= 1 + PDU bytes) | unit id u8

    answer:  function 0x03 | byte count u8 (= 2 × quantity) | quantity × u16 register values
    or:      function 0x83 | exception code u8

All fields are big-endian. One request is in flight at a time; every answer must echo the
transaction id, protocol 0 and the unit id, or the connection is dropped (after a timeout the
stream's position is unknown, so it is dropped too). A request reads 1-125 registers;
``read_registers`` splits longer ranges.
"""

from __future__ import annotations

import asyncio
import struct

from .errors import ModbusError, ModbusExceptionResponse, ModbusTimeout

__all__ = ["ModbusTcpClient", "MAX_REGISTERS_PER_READ", "READ_HOLDING_REGISTERS"]

READ_HOLDING_REGISTERS = 0x03
MAX_REGISTERS_PER_READ = 125
_MBAP = struct.Struct(">HHHB")


class ModbusTcpClient:
    """Reads holding registers from ``host:port``, unit ``unit_id``; connects on first use."""

    def __init__(self, host: str, port: int, *, unit_id: int = 1, timeout: float = 3.0):
        if not 0 <= unit_id <= 255:
            raise ValueError(f"Modbus unit id must be 0-255, got {unit_id}")
        self.host, self.port, self.unit_id, self.timeout = host, port, unit_id, timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._tid = 0
        self._lock = asyncio.Lock()

    @property
    def connected(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    async def connect(self) -> None:
        if self.connected:
            return
        try:
            self._reader, self._writer = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout)
        except asyncio.TimeoutError:
            raise ModbusTimeout(f"no TCP connection to the data logger at {self.host}:{self.port} within {self.timeout:g}s") from None
        except OSError as exc:
            raise ModbusError(f"cannot connect to the data logger at {self.host}:{self.port}: {exc.strerror or exc}") from None

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass

    async def read_holding_registers(self, address: int, count: int) -> list[int]:
        """Read ``count`` (1-125) holding registers from ``address`` (0-based protocol address)."""
        if not 1 <= count <= MAX_REGISTERS_PER_READ:
            raise ValueError(f"a Modbus read takes 1-{MAX_REGISTERS_PER_READ} registers, not {count}")
        if not 0 <= address or address + count > 0x10000:
            raise ValueError(f"registers {address}..{address + count - 1} are outside 0..65535")
        pdu = struct.pack(">BHH", READ_HOLDING_REGISTERS, address, count)
        answer = await self._exchange(pdu)
        if len(answer) < 2 or answer[1] != 2 * count or len(answer) != 2 + 2 * count:
            await self.close()
            raise ModbusError(f"data logger answered {len(answer)} bytes for {count} registers at {address}; expected {2 + 2 * count}")
        return list(struct.unpack(f">{count}H", answer[2:]))

    async def read_registers(self, address: int, count: int) -> list[int]:
        """Read any number of registers, in requests of at most 125."""
        out: list[int] = []
        while count > 0:
            chunk = min(count, MAX_REGISTERS_PER_READ)
            out += await self.read_holding_registers(address, chunk)
            address, count = address + chunk, count - chunk
        return out

    async def _exchange(self, pdu: bytes) -> bytes:
        async with self._lock:
            await self.connect()
            assert self._reader is not None and self._writer is not None
            self._tid = (self._tid + 1) & 0xFFFF
            tid = self._tid
            try:
                self._writer.write(_MBAP.pack(tid, 0, len(pdu) + 1, self.unit_id) + pdu)
                await asyncio.wait_for(self._writer.drain(), self.timeout)
                header = await asyncio.wait_for(self._reader.readexactly(_MBAP.size), self.timeout)
                r_tid, protocol, length, unit = _MBAP.unpack(header)
                if r_tid != tid or protocol != 0 or unit != self.unit_id or not 2 <= length <= 254:
                    raise ModbusError(f"bad MBAP header from the data logger (transaction {r_tid}/{tid}, protocol {protocol}, "
                                      f"unit {unit}/{self.unit_id}, length {length}); is this a Modbus TCP server?")
                answer = await asyncio.wait_for(self._reader.readexactly(length - 1), self.timeout)
            except asyncio.TimeoutError:
                await self.close()
                raise ModbusTimeout(f"the data logger at {self.host}:{self.port} did not answer within {self.timeout:g}s") from None
            except asyncio.IncompleteReadError:
                await self.close()
                raise ModbusError(f"the data logger at {self.host}:{self.port} closed the connection mid-answer") from None
            except OSError as exc:
                await self.close()
                raise ModbusError(f"connection to the data logger at {self.host}:{self.port} failed: {exc.strerror or exc}") from None
            except ModbusError:
                await self.close()
                raise
        function = answer[0]
        if function == pdu[0] | 0x80:
            raise ModbusExceptionResponse(pdu[0], answer[1] if len(answer) > 1 else 0)
        if function != pdu[0]:
            await self.close()
            raise ModbusError(f"data logger answered function 0x{function:02x} to a request 0x{pdu[0]:02x}")
        return answer
