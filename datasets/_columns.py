"""Finding a format's columns in a table and reading its data rows cell by cell.

An importer declares its columns (``Column``: the header as published plus accepted variants) and,
for per-year columns, a ``YearColumns`` pattern (``2021년``, ``추가 할당량(2021년)``…). ``bind``
finds the header row — the first row, within the first 30 of any table, that holds every required
column — comparing headers without whitespace, case or Unicode width differences. ``Bound.rows``
then yields each data row as a ``Row`` whose typed getters (``whole``, ``year``, ``yes_no``,
``basis_points``, ``date``…) raise ``CellError`` naming the file, row and column.

A column matches its published (Korean) header, its English header or one of the variants, or a
header a mapping file names (``mapping``: key → headers); ``Bound.matched`` records which header
each column was found under. Rows are read as a stream (``Bound.rows``), so a file of any size
needs memory only for what the importer keeps; with a ``Problems`` collector a bad row is noted
and skipped instead of ending the read, and ``RowLedger`` spots repeated keys and rows that
repeat an earlier row exactly (a download pasted in twice).

Row shape rules: blank rows are skipped; cells beyond the header must be empty (the ETRS trailing
comma); a CSV row with fewer cells than the header is an error, reported as truncation when it is
the last row or when every other row carries the trailing empty cell and the last does not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator, Sequence, TypeVar

from ._problems import Problems, RowLedger
from ._tables import HEAD_ROWS, Table
from ._text import clean_text, mojibake_hint
from .errors import CellError, DatasetError, MalformedFileError, MissingColumnError
from .identity import company_id

__all__ = ["Column", "YearColumns", "Bound", "Row", "bind", "fit", "Fit", "missing_columns", "Problems",
           "RowLedger", "header_key", "Mapping"]

_HEADER_SEARCH_ROWS = HEAD_ROWS
_LATIN1 = re.compile(r"[\u0080-\u00ff\ufffd]")
_WHOLE = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)$")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+").fullmatch
_YEAR = re.compile(r"^([0-9]{4})(?:\s*년)?$")
_PERCENT = re.compile(r"^([+-]?)([0-9]+)(?:\.([0-9]{1,2}))?$")
_DATE = re.compile(r"^([0-9]{4})[-/.]?([0-9]{2})[-/.]?([0-9]{2})$")
MIN_YEAR, MAX_YEAR = 1990, 2100
_NOT_AVAILABLE = {"", "-", "n/a", "na", "none", "null"}
_YES, _NO = {"y", "yes", "true", "1"}, {"n", "no", "false", "0"}
_R = TypeVar("_R")
_DATES_SEEN: dict[str, date] = {}  # cell text → date, for the dates a file repeats (bounded)
_DATES_KEPT = 50_000


def header_key(text: str) -> str:
    """How headers are compared: NFKC, no whitespace, no BOM, case-folded."""
    return "".join(unicodedata.normalize("NFKC", text.replace("\ufeff", "")).split()).casefold()


@dataclass(frozen=True)
class Column:
    """A column of a format: ``key`` for the importer, ``label`` as published, ``aliases`` also accepted."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def keys(self) -> tuple[str, ...]:
        return tuple(header_key(x) for x in (self.label, *self.aliases))


@dataclass(frozen=True)
class YearColumns:
    """Per-year columns: ``pattern`` (on ``header_key`` text) captures the year in one of its groups;
    ``example`` shows a header in messages."""

    pattern: str
    example: str

    def year_of(self, header: str) -> int | None:
        match = re.fullmatch(self.pattern, header_key(header))
        if not match:
            return None
        return int(next(group for group in match.groups() if group))


@dataclass
class Bound:
    """A table with its header row located: column positions and per-year columns."""

    table: Table
    header_row: int
    header_width: int
    index: dict[str, int]
    labels: dict[int, str]
    years: dict[int, int]  # year -> cell index
    matched: dict[str, str] = field(default_factory=dict)  # column key -> the header it was found under

    @property
    def source(self) -> str:
        return self.table.source

    def _body(self) -> Iterator[tuple[int, tuple[str, ...]]]:
        header = self.header_row
        for number, cells in self.table.all_rows():
            if number > header and "".join(cells).strip():
                yield number, cells

    def rows(self, problems: Problems | None = None) -> Iterator["Row"]:
        """Each data row in file order; with ``problems`` a misshapen row is noted and skipped."""
        table = self.table
        if not table.complete:
            last = table.rows[-1][0] if table.rows else None
            raise MalformedFileError(
                table.source, "the page ends inside the table (no </table>): it looks truncated; download it again", row=last
            )
        width = self.header_width
        widths: set[int] = set()
        body = self._body()
        current = next(body, None)
        while current is not None:
            following = next(body, None)
            number, cells = current
            error = self._shape_error(number, cells, widths, last=following is None)
            if len(widths) < 2:
                widths.add(len(cells))
            current = following
            if error is not None:
                if problems is None:
                    raise error
                problems.add(error)
                continue
            if len(cells) < width:
                cells = cells + ("",) * (width - len(cells))
            yield Row(self, number, cells)

    def _shape_error(self, number: int, cells: tuple[str, ...], widths: set[int], *, last: bool) -> DatasetError | None:
        table, width = self.table, self.header_width
        if len(cells) < width and not table.padded:
            hint = "the file looks truncated; download it again" if last else "check this row's commas and quotes"
            return MalformedFileError(
                table.source, f"the row has {len(cells)} cells but the header has {width} columns: {hint}", row=number
            )
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            return MalformedFileError(
                table.source,
                f"the row has {len(cells)} cells but the header has {width} columns, and the extra cells are not "
                "empty: check this row's commas and quotes",
                row=number,
            )
        trailing = len(widths) == 1 and min(widths) > width and not table.padded
        if last and trailing and len(cells) < min(widths):
            return MalformedFileError(
                table.source,
                "the last row lacks the trailing empty cell every other row has: the file looks truncated; "
                "download it again",
                row=number,
            )
        return None

    def label_of(self, index: int) -> str:
        return self.labels[index]

    def data_rows(self) -> list["Row"]:
        """All data rows; a table with a header and nothing below it is a ``MalformedFileError``."""
        rows = list(self.rows())
        if not rows:
            raise MalformedFileError(
                self.source,
                "there are no data rows below the header: the download is empty or was cut off",
                row=self.header_row,
            )
        return rows


def _header_width(cells: Sequence[str]) -> int:
    width = len(cells)
    while width and not cells[width - 1].strip():
        width -= 1
    return width


Mapping = dict[str, tuple[str, ...]]  # column key -> extra headers accepted for it (a mapping file)


@dataclass(frozen=True)
class Fit:
    """How well a table's best header row matches a format: the ``Bound`` when it holds every
    required column, else the best candidate row (for the message)."""

    bound: Bound | None
    found: int  # required columns (and the year group) found in the best row
    needed: int
    table: Table | None = None
    number: int = 0
    cells: tuple[str, ...] = ()


def _index_of(cells: Sequence[str], columns: Sequence[Column], mapping: Mapping) -> dict[str, int]:
    keys = [header_key(c) for c in cells]
    index: dict[str, int] = {}
    for column in columns:
        wanted = column.keys() + tuple(header_key(h) for h in mapping.get(column.key, ()))
        for i, k in enumerate(keys):
            if k in wanted:
                index[column.key] = i
                break
    return index


def fit(tables: Sequence[Table], columns: Sequence[Column], *, years: YearColumns | None = None,
        mapping: Mapping | None = None) -> Fit:
    """Find the first header row (within the first 30 rows of any table) that holds every required column."""
    mapping = mapping or {}
    needed = sum(1 for c in columns if c.required) + (1 if years is not None else 0)
    best = Fit(None, -1, needed)
    for table in tables:
        for number, cells in table.rows[:_HEADER_SEARCH_ROWS]:
            index = _index_of(cells, columns, mapping)
            year_index: dict[int, int] = {}
            if years is not None:
                for i, c in enumerate(cells):
                    y = years.year_of(c)
                    if y is not None and MIN_YEAR <= y <= MAX_YEAR:
                        year_index.setdefault(y, i)
            found = sum(1 for c in columns if c.required and c.key in index) + (1 if year_index else 0)
            if found == needed:
                labels = {i: clean_text(c) for i, c in enumerate(cells)}
                matched = {key: labels[i] for key, i in index.items()}
                bound = Bound(table, number, _header_width(cells), index, labels, dict(sorted(year_index.items())),
                              matched)
                return Fit(bound, found, needed, table, number, cells)
            if any(c.strip() for c in cells) and found > best.found:
                best = Fit(None, found, needed, table, number, cells)
    return best


def bind(source: str, tables: Sequence[Table], columns: Sequence[Column], *, years: YearColumns | None = None,
         what: str, mapping: Mapping | None = None) -> Bound:
    """Locate the header row holding ``columns`` (and at least one year column if ``years``)."""
    found = fit(tables, columns, years=years, mapping=mapping)
    if found.bound is not None:
        return found.bound
    raise missing_columns(source, found, columns, years=years, what=what, mapping=mapping)


def missing_columns(source: str, found: Fit, columns: Sequence[Column], *, years: YearColumns | None, what: str,
                    mapping: Mapping | None = None) -> DatasetError:
    """The error for a file whose header lacks required columns (with a mojibake hint where it applies)."""
    expected = [c.label for c in columns if c.required] + ([years.example + " …"] if years else [])
    if found.table is None:
        return MalformedFileError(source, f"the file has no rows: expected a header row with {', '.join(expected)}")
    cells, number = found.cells, found.number
    index = _index_of(cells, columns, mapping or {})
    missing = [c.label for c in columns if c.required and c.key not in index]
    if years is not None and not any(years.year_of(c) for c in cells):
        missing.append(f"per-year columns like {years.example}")
    shown = ", ".join(clean_text(c) for c in cells if c.strip())
    if found.found == 0:
        reason = (
            f"none of the columns of {what} were found (expected {', '.join(expected)}; the first row reads: "
            f"{shown[:200]}): is this the right file?"
        )
    else:
        reason = (
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} in the header "
            f"(found: {shown[:300]}); {what} needs {', '.join(expected)}"
        )
    hint = mojibake_hint(shown)
    if hint:
        reason += f". The header is garbled: {hint}"
    return MissingColumnError(found.table.source, reason, row=number)


class Row:
    """One data row; typed getters raise ``CellError`` naming the file, row and column."""

    __slots__ = ("bound", "number", "cells")

    def __init__(self, bound: Bound, number: int, cells: tuple[str, ...]) -> None:
        self.bound = bound
        self.number = number
        self.cells = cells

    @property
    def source(self) -> str:
        return self.bound.table.source

    def label(self, key: str) -> str:
        return self.bound.label_of(self.bound.index[key])

    def has(self, key: str) -> bool:
        return key in self.bound.index

    def _raw(self, key: str) -> str:
        return self.cells[self.bound.index[key]]

    def build(self, record_type: type[_R], **fields: object) -> _R:
        """Construct a record from this row's values; a rule the record enforces becomes a ``CellError``."""
        try:
            return record_type(**fields)
        except ValueError as error:
            raise CellError(self.source, str(error), row=self.number) from None

    def error(self, key: str | int, reason: str) -> CellError:
        label = self.bound.label_of(key) if isinstance(key, int) else self.label(key)
        return CellError(self.source, reason, row=self.number, column=label)

    # -- text ---------------------------------------------------------------------------------
    def text(self, key: str, *, required: bool = True, what: str = "a value") -> str:
        if not self.has(key):
            return ""
        value = clean_text(self._raw(key))
        if required and not value:
            raise self.error(key, f"expected {what}, got an empty cell")
        return value

    def company(self, key: str) -> str:
        raw = self._raw(key)
        try:
            cid = company_id(raw)
        except ValueError as error:
            raise self.error(key, f"expected a company name: {error}") from None
        self.check_garbled(key, cid)
        return cid

    def check_garbled(self, key: str, value: str) -> None:
        """A ``CellError`` with the likely encoding when ``value`` looks like mojibake."""
        if _LATIN1.search(value):
            hint = mojibake_hint(value)
            if hint:
                raise self.error(key, f"the name is garbled: {hint}")

    def one_of(self, key: str, choices: Sequence[str]) -> str:
        value = clean_text(self._raw(key))
        if value not in choices:
            raise self.error(key, f"expected {' or '.join(choices)}, got {_shown(value)}")
        return value

    def yes_no(self, key: str) -> bool:
        value = clean_text(self._raw(key)).upper()
        if value not in ("Y", "N"):
            raise self.error(key, f"expected Y or N, got {_shown(value)}")
        return value == "Y"

    # -- numbers ------------------------------------------------------------------------------
    def whole(self, key: str | int, *, signed: bool = False) -> int:
        raw = self.cells[key if key.__class__ is int else self.bound.index[key]]
        if raw.isdigit() and raw.isascii():  # the common case: plain digits
            return int(raw)
        if _THOUSANDS(raw) and raw.isascii():  # "1,251,186,800" as downloaded
            return int(raw.replace(",", ""))
        value = clean_text(raw)
        example = "-60 or 1,250" if signed else "120,487"
        if not _WHOLE.match(value):
            raise self.error(key, f"expected a whole number like {example}, got {_shown(value)}")
        number = int(value.replace(",", ""))
        if number < 0 and not signed:
            raise self.error(key, f"expected a whole number of 0 or more like {example}, got {_shown(value)}")
        return number

    def optional_whole(self, key: str) -> int | None:
        if not self.has(key) or not clean_text(self._raw(key)):
            return None
        return self.whole(key)

    def optional_amount(self, key: str) -> int | None:
        """A whole number, or None for a blank cell or one marked not available (``-``, ``n/a``, ``NA``)."""
        if not self.has(key) or clean_text(self._raw(key)).casefold() in _NOT_AVAILABLE:
            return None
        return self.whole(key)

    def optional_yes_no(self, key: str) -> bool | None:
        """Y or N (also yes/no, true/false, 1/0), or None for a blank or absent cell."""
        if not self.has(key):
            return None
        value = clean_text(self._raw(key)).casefold()
        if not value:
            return None
        if value in _YES or value in _NO:
            return value in _YES
        raise self.error(key, f"expected Y or N, got {_shown(value)}")

    def identifier(self, key: str, what: str) -> str:
        """An id (of a company, installation or account): printable text of 1-200 characters."""
        try:
            return company_id(self._raw(key))
        except ValueError as error:
            reason = str(error).replace("a company name", f"{what}")
            raise self.error(key, f"expected {what}: {reason}") from None

    def year(self, key: str) -> int:
        value = clean_text(self._raw(key))
        match = _YEAR.match(value)
        if not match or not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
            raise self.error(key, f"expected a year like 2024 or 2024년, got {_shown(value)}")
        return int(match.group(1))

    def basis_points(self, key: str) -> int:
        """A percentage with at most two decimals as whole basis points: ``"-0.68"`` → ``-68``."""
        value = clean_text(self._raw(key)).removesuffix("%").strip()
        match = _PERCENT.match(value)
        if not match:
            raise self.error(key, f"expected a percentage with at most two decimals like 0.46 or -1.20, got {_shown(value)}")
        sign, whole, fraction = match.groups()
        bp = int(whole) * 100 + int((fraction or "0").ljust(2, "0"))
        return -bp if sign == "-" else bp

    def date(self, key: str) -> date:
        raw = self._raw(key)
        known = _DATES_SEEN.get(raw)  # a daily file repeats each date once per instrument
        if known is not None:
            return known
        value = clean_text(raw)
        match = _DATE.match(value)
        try:
            if not match:
                raise ValueError
            parsed = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise self.error(key, f"expected a date like 2025-06-12, got {_shown(value)}") from None
        if len(_DATES_SEEN) >= _DATES_KEPT:
            _DATES_SEEN.clear()
        _DATES_SEEN[raw] = parsed
        return parsed


def _shown(value: str) -> str:
    if not value:
        return "an empty cell"
    return repr(value if len(value) <= 40 else value[:40] + "…")
