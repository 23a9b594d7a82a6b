"""What a file is and what is wrong with it, in one pass: the engine of ``ets data inspect``.

``inspect_file(file)`` recognises the kind (``datasets.kinds.detect``; ``kind=`` forces one),
then reads every row as a stream and reports the encoding, the header row, which header each
field was read from (or how it is derived), the rows read, the first and last date or year,
and every problem found (the first 100 kept, all counted), each with its row and column. Only
a file that cannot be read at all (not found, too large, undecodable, no header of any kind)
raises ``DatasetError``; problems in rows are reported, not raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ._tables import FileInput
from .kinds import detect
from .mapping import ColumnMapping

__all__ = ["Inspection", "ColumnUse", "Problem", "inspect_file"]


@dataclass(frozen=True)
class ColumnUse:
    """One field of the kind: the header it was read from (None if absent) or how it is derived."""

    field: str
    header: str | None
    derived: str = ""
    required: bool = True


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str | None
    message: str


@dataclass(frozen=True)
class Inspection:
    """The result of inspecting one file (``to_json()`` gives it as plain data)."""

    file: str
    kind: str
    title: str
    source_label: str
    format: str
    encoding: str
    header_row: int
    columns: tuple[ColumnUse, ...]
    rows: int
    first: str | None
    last: str | None
    problems: tuple[Problem, ...]
    problems_total: int

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file, "kind": self.kind, "title": self.title, "source_label": self.source_label,
            "format": self.format, "encoding": self.encoding, "header_row": self.header_row,
            "columns": [{"field": c.field, "header": c.header, "derived": c.derived or None, "required": c.required}
                        for c in self.columns],
            "rows": self.rows, "first": self.first, "last": self.last,
            "problems": [{"row": p.row, "column": p.column, "message": p.message} for p in self.problems],
            "problems_total": self.problems_total,
        }


def _shown(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def inspect_file(file: FileInput, *, kind: str | None = None, mapping: ColumnMapping | None = None,
                 name: str | None = None, max_bytes: int | None = None) -> Inspection:
    """Inspect ``file`` (see the module docstring)."""
    scan = detect(file, kind=kind, mapping=mapping, name=name, max_bytes=max_bytes)
    span = scan.kind.span
    first = last = None
    for record in scan.records():
        if span is not None:
            value = span(record)
            if value is not None:
                first = value if first is None or value < first else first
                last = value if last is None or value > last else last
    if scan.rows_seen == 0 and not scan.problems.count:
        scan.problems.add(scan.no_rows_error())
    if span is None and scan.bound.years:
        first, last = min(scan.bound.years), max(scan.bound.years)
    derived = dict(scan.kind.derived)
    bound = scan.bound
    columns = [ColumnUse(c.key, bound.matched.get(c.key), "" if c.key in bound.matched else derived.get(c.key, ""),
                         c.required) for c in scan.kind.columns]
    if scan.kind.years is not None:
        years = ", ".join(bound.labels[i] for i in bound.years.values())
        columns.append(ColumnUse("years", years or None))
    problems = tuple(Problem(e.row, e.column, str(e)) for e in scan.problems.errors)
    table = bound.table
    return Inspection(
        file=scan.source, kind=scan.kind.name, title=scan.kind.title, source_label=scan.label, format=table.format,
        encoding=table.encoding, header_row=bound.header_row, columns=tuple(columns), rows=scan.rows_read,
        first=_shown(first), last=_shown(last), problems=problems, problems_total=scan.problems.count,
    )
