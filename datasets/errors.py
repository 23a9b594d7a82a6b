"""Every error the public-data importers raise, in one small hierarchy.

    DatasetError               a public-data file could not be read as its format promises (base)
    ├── EncodingError          the bytes are not text in UTF-8 (with or without BOM), UTF-16 or cp949
    ├── MalformedFileError     the file's structure is broken: empty, truncated, unbalanced quotes,
    │                          a row with the wrong number of cells, no table, not a real XLSX
    ├── MissingColumnError     a column the format needs is absent from the header row
    ├── CellError              one cell does not hold what its column needs (whole number, year, Y/N, date…)
    ├── DuplicateRecordError   a key that must be unique in the file (a company, a company and year,
    │                          a date and instrument) appears twice, or a row repeats an earlier row
    │                          exactly (a download pasted in twice)
    ├── FileTooLargeError      the file is larger than the configured limit (``ETS_DATA_MAX_BYTES``)
    └── MappingError           a column-mapping file is unreadable or names unknown fields

Every message starts with where the problem is — the file name, then ``row N`` and ``column <header>``
where they apply — and then says what was expected, what was found and, where it helps, what to do::

    statements.csv row 14, column 온실가스 배출량(tCO2eq): expected a whole number like 120,487, got 'n/a'

Rows are numbered as a spreadsheet shows them: in CSV the first record of the file (normally the
header) is row 1; in XLSX the sheet's own row numbers; in HTML the table's ``<tr>`` elements from 1.
The parts are also attributes (``source``, ``row``, ``column``, ``reason``) for programs.
An importer reads on past the first problem of a file: the error it raises is the first one, and
its ``problems`` attribute holds every problem found (up to 100, the first included), so a user
mends a file in one round instead of one error at a time.
"""

from __future__ import annotations

__all__ = [
    "DatasetError",
    "EncodingError",
    "MalformedFileError",
    "MissingColumnError",
    "CellError",
    "DuplicateRecordError",
    "FileTooLargeError",
    "MappingError",
    "MAX_PROBLEMS",
]

MAX_PROBLEMS = 100  # problems kept per file


class DatasetError(Exception):
    """A public-data file could not be read; the message names the file, row and column."""

    def __init__(self, source: str, reason: str, *, row: int | None = None, column: str | None = None) -> None:
        self.source = source
        self.row = row
        self.column = column
        self.reason = reason
        self.problems: tuple[DatasetError, ...] = (self,)
        where = source
        if row is not None:
            where += f" row {row}"
        if column is not None:
            where += f"{',' if row is not None else ''} column {column}"
        super().__init__(f"{where}: {reason}")


class EncodingError(DatasetError):
    """The bytes are not text in an encoding the public files use (UTF-8, UTF-8 with BOM, cp949)."""


class MalformedFileError(DatasetError):
    """The file's structure is broken (empty, truncated, a row of the wrong width, not a real XLSX…)."""


class MissingColumnError(DatasetError):
    """A column the format needs is not in the header row."""


class CellError(DatasetError):
    """One cell does not hold what its column needs."""


class DuplicateRecordError(DatasetError):
    """A key that must be unique in the file appears a second time."""


class FileTooLargeError(DatasetError):
    """The file is larger than the configured limit."""


class MappingError(DatasetError):
    """A column-mapping file cannot be read or names a field the format does not have."""
