"""The Modbus TCP client and the data-logger source against a real pymodbus server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

from edge_uploader.days import HOUR
from edge_uploader.errors import ModbusError, ModbusExceptionResponse, ModbusTimeout
from edge_uploader.modbus import ModbusTcpClient
from edge_uploader.node import EdgeNode
from edge_uploader.sources.modbus import STATUS_INVALID, STATUS_SUBSTITUTED, ModbusLoggerSource, RegisterMap
from edge_uploader.validity import Limits

from edge_helpers import HOUR0
from modbus_logger import DataLogger, free_port


def run(coro):
    return asyncio.run(coro)


@pytest.mark.parametrize("word_order", ["big", "little"])
def test_reads_holding_registers_and_decodes_u32(word_order):
    rmap = RegisterMap(ring_base=40, ring_slots=30, word_order=word_order)  # 180 registers: two requests
    with DataLogger(rmap) as logger:
        logger.write_hour(HOUR0, 4_123_456_789, slot=29)

        async def go():
            client = ModbusTcpClient("127.0.0.1", logger.port, unit_id=1, timeout=2)
            try:
                regs = await client.read_registers(40, 180)
                raw = await client.read_holding_registers(40 + 29 * 6, 6)
                poll = await ModbusLoggerSource(client, rmap).poll(None)
            finally:
                await client.close()
            return regs, raw, poll

        regs, raw, poll = run(go())
    assert len(regs) == 180 and regs[29 * 6:29 * 6 + 6] == raw
    assert rmap.u32(raw[0], raw[1]) == HOUR0 and rmap.u32(raw[2], raw[3]) == 4_123_456_789
    assert [(m.timestamp, m.co2_kg, m.substituted) for m in poll.measurements] == [(HOUR0, 4_123_456_789, False)]


def test_exception_responses_are_reported():
    rmap = RegisterMap(ring_base=0, ring_slots=2)
    with DataLogger(rmap) as logger:
        async def go():
            client = ModbusTcpClient("127.0.0.1", logger.port, unit_id=1, timeout=2)
            other_unit = ModbusTcpClient("127.0.0.1", logger.port, unit_id=9, timeout=2)
            try:
                with pytest.raises(ModbusExceptionResponse) as bad_address:
                    await client.read_holding_registers(5000, 4)
                with pytest.raises(ModbusExceptionResponse) as bad_unit:
                    await other_unit.read_holding_registers(0, 4)
                assert await client.read_holding_registers(0, 4) == [0, 0, 0, 0], "the connection is still usable"
            finally:
                await client.close()
                await other_unit.close()
            return bad_address.value, bad_unit.value

        bad_address, bad_unit = run(go())
    assert bad_address.code == 2 and "illegal data address" in str(bad_address)
    assert bad_unit.code == 4


def test_a_silent_server_times_out():
    listener = socket.socket()
    listener.bind(("127.0.0.1", free_port()))
    listener.listen(1)
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()

    async def go():
        client = ModbusTcpClient("127.0.0.1", listener.getsockname()[1], timeout=0.3)
        try:
            with pytest.raises(ModbusTimeout, match="did not answer"):
                await client.read_holding_registers(0, 2)
            assert not client.connected, "after a timeout the stream position is unknown: the connection is dropped"
        finally:
            await client.close()

    try:
        run(go())
    finally:
        for s in accepted:
            s.close()
        listener.close()


def test_nothing_listening_is_a_modbus_error():
    async def go():
        client = ModbusTcpClient("127.0.0.1", free_port(), timeout=1)
        with pytest.raises(ModbusError, match="cannot connect"):
            await client.read_holding_registers(0, 1)

    run(go())


def test_ring_that_changes_over_time_and_a_logger_that_goes_away(spool_factory, signer):
    """Hours appear over time; the logger stops and comes back; no hour is lost or read twice."""
    rmap = RegisterMap(ring_base=100, ring_slots=12)
    logger = DataLogger(rmap)
    spool = spool_factory(signer)
    node = EdgeNode(spool, signer, Limits(max_kg_per_hour=100_000))
    client = ModbusTcpClient("127.0.0.1", logger.port, timeout=1)
    source = ModbusLoggerSource(client, rmap)
    served: dict[int, int] = {}
    statuses: dict[int, int] = {}

    def serve_hours(first: int, last: int) -> None:
        for h in range(first, last):
            kg = 40_000 + 37 * h
            status = STATUS_INVALID if h == 7 else STATUS_SUBSTITUTED if h == 9 else 0
            logger.write_hour(HOUR0 + h * HOUR, kg, status)
            served[h], statuses[h] = kg, status

    async def poll_once() -> int:
        poll = await source.poll(spool.last_hour())
        for m in poll.measurements:
            result, _ = node.record(m)
            assert result.accepted, result
        return len(poll.measurements)

    async def scenario() -> None:
        logger.start()
        try:
            serve_hours(0, 5)
            assert await poll_once() == 5
            assert await poll_once() == 0, "the same hours are not read twice"
            serve_hours(5, 10)  # the register map changes while we are connected
            assert await poll_once() == 4, "hour 7 is marked invalid by the logger and is skipped"
            logger.stop()
            with pytest.raises(ModbusError):
                await poll_once()
            serve_hours(10, 20)  # the logger keeps recording while the link is down
            logger.start()
            assert await poll_once() == 10, "the ring still holds every hour completed during the outage"
            serve_hours(20, 26)  # crosses midnight: the first day is sealed when hour 24 arrives
            assert await poll_once() == 6
        finally:
            await client.close()
            logger.stop()

    run(scenario())
    stored = {(s.reading.timestamp - HOUR0) // HOUR: s.reading for s in spool.readings_of("2024-03-01")}
    for h, kg in served.items():
        if h < 24 and h != 7:
            assert stored[h].co2_kg == kg and stored[h].source == "modbus" and stored[h].substituted == (statuses[h] == 1)
    assert stored[7].source == "substitute" and stored[7].substituted
    day = spool.day("2024-03-01")
    assert day.status == "sealed" and day.readings == 24 and day.substituted == 2  # hour 9 (logger) + hour 7 (uploader)
    assert spool.day("2024-03-02").status == "open" and len(spool.readings_of("2024-03-02")) == 2
    assert logger.requests == 5, "one read of 72 registers per successful poll"
