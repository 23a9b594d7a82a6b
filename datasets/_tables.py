"""One reader for every shape a public file arrives in: CSV, an HTML page, an XLSX workbook.

``load_tables(file)`` returns the file's tables as plain rows of text (``Table``), whatever the
format, so each importer only maps columns. The format is recognised from the bytes, not the
file name (government sites often serve an HTML table as ``.xls``):

    PK\\x03\\x04 …          XLSX (zip)            one table per worksheet
    D0 CF 11 E0 …         Excel 97-2003 .xls    refused with a hint to save as XLSX or CSV
    text starting with <  HTML                  one table per <table>
    anything else         CSV                   one table; comma-, or tab-separated if the
                                                first line has tabs and no commas

CSV rows are read strictly (an unterminated quote is an error) and keep their width; rows of
XLSX and HTML tables may omit trailing empty cells, so those are padded later.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Union

from ._html import html_tables
from ._text import declared_charset, decode_text
from ._xlsx import xlsx_sheets
from .errors import MalformedFileError

__all__ = ["FileInput", "Table", "load_tables", "FORMATS"]

FileInput = Union[str, os.PathLike, bytes]  # a path, or the bytes of an upload
FORMATS = ("csv", "html", "xlsx")
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Table:
    """Rows of text from one table of a file.

    ``source`` names the file (and sheet or table) in messages; ``rows`` are
    ``(row number, cells)``; ``padded`` says short rows may be padded with empty cells (XLSX,
    HTML) rather than being errors (CSV); ``complete`` is False for an HTML table whose
    ``</table>`` never came (a truncated page).
    """

    source: str
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    padded: bool
    complete: bool = True


def _read(file: FileInput, name: str | None) -> tuple[bytes, str]:
    if isinstance(file, (bytes, bytearray, memoryview)):
        return bytes(file), name or "<uploaded file>"
    path = Path(file)
    try:
        return path.read_bytes(), name or path.name
    except FileNotFoundError:
        raise MalformedFileError(name or path.name, f"no such file: {path}") from None
    except IsADirectoryError:
        raise MalformedFileError(name or path.name, f"{path} is a folder, not a file") from None


def _sniff(data: bytes) -> str:
    if data.startswith(_ZIP):
        return "xlsx"
    if data.startswith(_OLE2):
        return "xls"
    if data[:1024].removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return "html"
    return "csv"


def load_tables(file: FileInput, *, name: str | None = None, format: str | None = None) -> tuple[str, list[Table]]:
    """Read ``file`` (a path, or the bytes of an upload) into its tables; return (source name, tables).

    ``format`` forces ``"csv"``, ``"html"`` or ``"xlsx"``; by default the bytes decide.
    """
    data, source = _read(file, name)
    if format is not None and format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)} or None, got {format!r}")
    sniffed = _sniff(data) if data else "csv"
    if sniffed == "xls":
        raise MalformedFileError(
            source, "this is an Excel 97-2003 .xls workbook, which is not supported: save it as .xlsx or CSV"
        )
    kind = format or sniffed
    if kind != sniffed and {kind, sniffed} & {"xlsx"}:
        raise MalformedFileError(source, f"expected an {kind.upper()} file but the bytes look like {sniffed.upper()}")
    if kind == "xlsx":
        return source, _xlsx_tables(data, source)
    if kind == "html":
        return source, _html_tables(data, source)
    return source, [_csv_table(data, source)]


def _csv_table(data: bytes, source: str) -> Table:
    text, _ = decode_text(data, source)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, tuple[str, ...]]] = []
    number = 0
    try:
        for cells in reader:
            number += 1
            rows.append((number, tuple(cells)))
    except csv.Error as error:
        if _ends_inside_quotes(text, delimiter):
            reason = "the file ends inside a quoted cell: it looks truncated; download it again"
        else:
            reason = f"broken CSV quoting ({error}): check the quotes on this row"
        raise MalformedFileError(source, reason, row=number + 1) from None
    return Table(source, tuple(rows), padded=False)


def _ends_inside_quotes(text: str, delimiter: str) -> bool:
    """Whether the CSV text is only broken by a quoted cell that never closes (the file was cut off)."""
    try:
        for _ in csv.reader(io.StringIO(text + '"', newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        return False
    return True


def _html_tables(data: bytes, source: str) -> list[Table]:
    text, _ = decode_text(data, source, declared=declared_charset(data))
    tables = html_tables(text)
    if not tables:
        raise MalformedFileError(source, "the HTML page has no <table>: save the page that shows the list itself")
    many = len(tables) > 1
    return [
        Table(
            f"{source} (table {i})" if many else source,
            tuple((n, tuple(row)) for n, row in enumerate(table.rows, start=1)),
            padded=True,
            complete=table.closed,
        )
        for i, table in enumerate(tables, start=1)
    ]


def _xlsx_tables(data: bytes, source: str) -> list[Table]:
    sheets = xlsx_sheets(data, source)
    many = len(sheets) > 1
    return [
        Table(
            f"{source} (sheet {sheet.name})" if many else source,
            tuple((n, tuple(cells)) for n, cells in sheet.rows),
            padded=True,
        )
        for sheet in sheets
    ]
