"""The exceptions of the edge uploader, in one place.

    EdgeError              base class; the message says what was wrong and what to do
      ConfigError          a site configuration (TOML or ETS_EDGE_* environment) that cannot be used
      ReadingRejected      a well-formed reading that the uploader refuses (``reason`` is a short tag)
      SpoolError           the spool file cannot be used (wrong device, corrupt, an illegal day transition)
      SourceError          an input (CSV file, Modbus data logger) that cannot be read; says file/row/column
        ModbusError        a Modbus TCP exchange failed (``ModbusTimeout``, ``ModbusExceptionResponse``)

From the wire package (ValueErrors, not EdgeErrors: the chain and the portal raise them too):

    ReadingError           bytes or fields that are not a well-formed reading (``protocol.readings``)
    MerkleError            a tree or proof that cannot be built or parsed (``protocol.merkle``)
"""

from __future__ import annotations

from protocol.merkle import MerkleError
from protocol.readings import ReadingError

__all__ = [
    "EdgeError",
    "ConfigError",
    "ReadingError",
    "ReadingRejected",
    "SpoolError",
    "MerkleError",
    "SourceError",
    "ModbusError",
    "ModbusTimeout",
    "ModbusExceptionResponse",
]


class EdgeError(Exception):
    """Base class of every error the edge uploader raises on purpose."""


class ConfigError(EdgeError):
    """The site configuration cannot be used."""


class ReadingRejected(EdgeError):
    """A reading the uploader refuses to store as valid; ``reason`` is a stable short tag for metrics."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"reading rejected ({reason}): {detail}")
        self.reason, self.detail = reason, detail


class SpoolError(EdgeError):
    """The spool cannot be used as asked."""


class SourceError(EdgeError):
    """An input source that cannot be read."""


class ModbusError(SourceError):
    """A Modbus TCP exchange failed."""


class ModbusTimeout(ModbusError):
    """The data logger did not answer in time."""


class ModbusExceptionResponse(ModbusError):
    """The data logger answered with a Modbus exception (``code``: 1 illegal function, 2 illegal address, ...)."""

    def __init__(self, function: int, code: int):
        names = {1: "illegal function", 2: "illegal data address", 3: "illegal data value", 4: "server device failure",
                 5: "acknowledge", 6: "server device busy", 10: "gateway path unavailable", 11: "gateway target failed to respond"}
        super().__init__(f"data logger answered function 0x{function:02x} with exception {code} ({names.get(code, 'unknown')}); "
                         "check the register map in the site configuration")
        self.function, self.code = function, code
