"""Column-mapping files: how to read a file whose headers none of the formats know.

A mapping file is TOML. It names the format (optional), where the file came from (shown as
its source label) and, per field of the format, the header (or headers) that hold it::

    kind = "market_daily"                  # optional; one of datasets.kinds.KIND_NAMES
    source = "Exchange X, daily settlement prices, downloaded 2025-06-13"
    [columns]
    date = "Trade Date"
    instrument = ["Contract", "Product"]
    close = "Settlement"

The fields of each format are its column keys (``ets data inspect --json`` prints them under
``columns``). Headers are compared as every header is: without spaces, case or width
differences. A mapping adds headers; it never removes the ones a format already knows.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ._columns import Mapping
from ._scan import Kind
from .errors import MappingError

__all__ = ["ColumnMapping", "load_mapping"]


@dataclass(frozen=True)
class ColumnMapping:
    """A mapping file's content: ``columns`` maps a field to the headers that hold it."""

    path: str
    kind: str | None = None
    source: str = ""
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def for_kind(self, kind: Kind) -> Mapping:
        """The headers for ``kind``'s fields; a field the format does not have is a ``MappingError``."""
        if self.kind is not None and self.kind != kind.name:
            raise MappingError(self.path, f"the mapping is for kind {self.kind!r}, not {kind.name!r}: give --kind "
                               f"{self.kind} or use another mapping file")
        unknown = sorted(set(self.columns) - set(kind.fields()))
        if unknown:
            raise MappingError(self.path, f"[columns]: {kind.name} has no field {', '.join(repr(u) for u in unknown)}; "
                               f"its fields are {', '.join(kind.fields())}")
        return dict(self.columns)


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read a mapping file (TOML, see the module docstring); errors name the file and the key."""
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise MappingError(path.name, f"no such mapping file: {path}") from None
    except UnicodeDecodeError:
        raise MappingError(path.name, "the mapping file is not UTF-8 text: save it as UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise MappingError(path.name, f"not valid TOML ({error}): see `datasets.mapping` for the layout") from None
    unknown = sorted(set(document) - {"kind", "source", "columns"})
    if unknown:
        raise MappingError(path.name, f"unknown key {', '.join(unknown)}: a mapping file has kind, source and [columns]")
    kind, source, columns = document.get("kind"), document.get("source", ""), document.get("columns", {})
    if kind is not None and not isinstance(kind, str):
        raise MappingError(path.name, "kind: must be text such as \"market_daily\"")
    if not isinstance(source, str):
        raise MappingError(path.name, "source: must be text saying where the file came from")
    if not isinstance(columns, dict) or not columns:
        raise MappingError(path.name, "[columns]: a table naming at least one field's header is needed")
    headers: dict[str, tuple[str, ...]] = {}
    for key, value in columns.items():
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
            raise MappingError(path.name, f"[columns] {key}: must be a header (text) or a list of headers")
        headers[key] = tuple(names)
    return ColumnMapping(path.name, kind, source.strip(), headers)
