"""The one read loop every importer shares: a format (``Kind``) bound to a file, read as a stream.

A ``Kind`` declares a format: its columns (``_columns.Column``: Korean and English headers and
variants), optional per-year columns, how one row becomes a record, which key must be unique and
which date or year a record covers. ``open_scan(kind, file)`` finds the header (with any headers a
mapping file adds) and returns a ``Scan``, whose ``records()`` yields records while the file is
read; a bad row is noted in ``scan.problems`` (up to 100, all counted) and skipped, so one pass
finds every problem. ``read_all`` is what the ``read_*`` functions do: every record as a list, or
the file's first problem raised with all of them attached (``DatasetError.problems``).

``scan.label`` is the source label a page shows: a mapping file's or JSON file's own ``source``,
else the format's publisher, saying when the headers were English (not the publisher's own
download) and naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterator

from ._columns import Bound, Column, Mapping, Problems, Row, RowLedger, YearColumns, bind
from ._tables import FileInput, load_tables
from .errors import DatasetError, MalformedFileError

__all__ = ["Kind", "Scan", "open_scan", "read_scan", "read_all"]


@dataclass(frozen=True)
class Kind:
    """A file format the project reads (one per kind of public file)."""

    name: str  # e.g. "market_daily"
    title: str  # e.g. "KRX emissions market daily data (배출권 시장 일별 시세)"
    what: str  # in messages: "a KRX emissions market daily file"
    publisher: str  # who publishes it, for the source label: "KRX (Korea Exchange)"; "" when it varies
    columns: tuple[Column, ...]
    record: Callable[[Row], Any]  # one data row → one record (raises DatasetError subclasses)
    years: YearColumns | None = None
    key: Callable[[Any], tuple[object, str, str]] | None = None  # unique (key, column key, shown), if any
    unique_what: str = ""
    unique_advice: str = ""
    span: Callable[[Any], date | int | str | None] | None = None  # the date or year a record covers
    derived: tuple[tuple[str, str], ...] = ()  # (column key, how it is derived when the file lacks it)

    def fields(self) -> tuple[str, ...]:
        """The column keys a mapping file may name."""
        return tuple(c.key for c in self.columns)


@dataclass
class Scan:
    """A file bound to its kind: header found, records read on demand (``records()``)."""

    kind: Kind
    source: str
    bound: Bound
    unique: bool = True
    allow_repeats: bool = False
    mapping_source: str = ""
    problems: Problems = field(default_factory=Problems)
    rows_seen: int = 0  # data rows met (with or without problems)
    rows_read: int = 0  # records produced

    @property
    def encoding(self) -> str:
        return self.bound.table.encoding

    @property
    def english(self) -> bool:
        """True when every column was found under a plain-ASCII header (not the Korean publisher's own)."""
        return bool(self.bound.matched) and all(h.isascii() for h in self.bound.matched.values())

    @property
    def label(self) -> str:
        """Where the figures came from, as a page shows it."""
        own = self.mapping_source or self.bound.table.publisher
        if own:
            return f"{own} (file {self.source})"
        if self.english and not all(c.label.isascii() for c in self.kind.columns):
            return f"{self.kind.title}, English headers; publisher not stated in the file (file {self.source})"
        if not self.kind.publisher:
            return f"{self.kind.title} (file {self.source})"
        return f"{self.kind.publisher} — {self.kind.title} (file {self.source})"

    def records(self) -> Iterator[Any]:
        ledger = RowLedger(self.kind.unique_what, self.kind.unique_advice)
        key_of = self.kind.key if self.unique else None
        build = self.kind.record
        for row in self.bound.rows(self.problems):
            self.rows_seen += 1
            try:
                record = build(row)
            except DatasetError as error:
                self.problems.add(error)
                continue
            if key_of is None:
                fresh = self.allow_repeats or ledger.add(row, self.problems)
            else:
                key, column, shown = key_of(record)
                fresh = ledger.add(row, self.problems, key, column, shown)
            if fresh:
                self.rows_read += 1
                yield record

    def no_rows_error(self) -> MalformedFileError:
        return MalformedFileError(
            self.bound.source, "there are no data rows below the header: the download is empty or was cut off",
            row=self.bound.header_row,
        )


def open_scan(kind: Kind, file: FileInput, *, name: str | None = None, format: str | None = None,
              unique: bool = True, allow_repeats: bool = False, mapping: Mapping | None = None,
              mapping_source: str = "", max_bytes: int | None = None) -> Scan:
    """Bind ``file`` to ``kind`` (raises ``DatasetError`` when it cannot be read as that kind at all)."""
    source, tables = load_tables(file, name=name, format=format, max_bytes=max_bytes)
    bound = bind(source, tables, kind.columns, years=kind.years, what=kind.what, mapping=mapping)
    return Scan(kind, source, bound, unique=unique, allow_repeats=allow_repeats, mapping_source=mapping_source)


def read_scan(kind: Kind, file: FileInput, **options: Any) -> tuple[Scan, list[Any]]:
    """The scan and every record of the file, or its first problem raised with ``problems`` listing all found."""
    scan = open_scan(kind, file, **options)
    records = list(scan.records())
    if scan.rows_seen == 0 and not scan.problems.count:
        raise scan.no_rows_error()
    scan.problems.raise_first()
    return scan, records


def read_all(kind: Kind, file: FileInput, **options: Any) -> list[Any]:
    """Every record of the file (``read_scan`` without the scan)."""
    return read_scan(kind, file, **options)[1]
