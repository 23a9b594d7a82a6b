"""One reader for every shape a public file arrives in: CSV, an HTML page, an XLSX workbook, JSON.

``load_tables(file)`` returns the file's tables as plain rows of text (``Table``), whatever the
format, so each importer only maps columns. The format is recognised from the bytes, not the
file name (government sites often serve an HTML table as ``.xls``):

    PK\\x03\\x04 …          XLSX (zip)            one table per worksheet
    D0 CF 11 E0 …         Excel 97-2003 .xls    refused with a hint to save as XLSX or CSV
    text starting with <  HTML                  one table per <table>
    text starting [ or {  JSON                  one table: a list of objects (or an object holding
                                                one such list, e.g. {"source": …, "results": [...]})
    anything else         CSV                   one table; comma-, or tab-separated if the
                                                first line has tabs and no commas

Size: a file over ``max_bytes`` (default ``ETS_DATA_MAX_BYTES`` or 1 GiB) is refused before a
byte is parsed. CSV files larger than 4 MiB are *streamed*: the encoding is chosen from their
first MiB, and rows are decoded and parsed as they are read, so memory stays constant whatever
the size (``Table.stream`` re-reads the file from the start each time it is called; the first 30
rows are kept for finding the header). HTML, XLSX and JSON are parsed whole and limited to 64 MiB.

CSV rows are read strictly (an unterminated quote is an error) and keep their width; rows of
XLSX, HTML and JSON tables may omit trailing empty cells, so those are padded later. In JSON the
N-th object of the list is row N (the keys are the header, row 0).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Union

from ._html import html_tables
from ._text import declared_charset, decode_text
from ._xlsx import xlsx_sheets
from .errors import EncodingError, FileTooLargeError, MalformedFileError

__all__ = ["FileInput", "Table", "load_tables", "FORMATS", "DEFAULT_MAX_BYTES", "max_bytes_from_env"]

FileInput = Union[str, os.PathLike, bytes]  # a path, or the bytes of an upload
FORMATS = ("csv", "html", "xlsx", "json")
DEFAULT_MAX_BYTES = 1 << 30
WHOLE_FILE_MAX_BYTES = 64 << 20  # HTML, XLSX and JSON are parsed in memory
STREAM_FROM_BYTES = 4 << 20  # CSV files above this are streamed
_PROBE_BYTES = 1 << 20
HEAD_ROWS = 30
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
Rows = Iterator[tuple[int, tuple[str, ...]]]


@dataclass(frozen=True)
class Table:
    """Rows of text from one table of a file.

    ``source`` names the file (and sheet or table) in messages; ``rows`` are
    ``(row number, cells)`` — every row, or for a streamed CSV only the first 30; ``stream``
    (streamed CSV only) yields every row from the start; ``padded`` says short rows may be
    padded with empty cells (XLSX, HTML, JSON) rather than being errors (CSV); ``complete`` is
    False for an HTML table whose ``</table>`` never came (a truncated page). ``encoding`` and
    ``format`` say how the bytes were read; ``publisher`` is a JSON file's own "source" text.
    """

    source: str
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    padded: bool
    complete: bool = True
    stream: Callable[[], Rows] | None = None
    encoding: str = ""
    format: str = "csv"
    publisher: str = ""

    def all_rows(self) -> Rows:
        """Every row of the table, from the first (re-reading a streamed file)."""
        return self.stream() if self.stream is not None else iter(self.rows)


def max_bytes_from_env(env: dict[str, str] | None = None) -> int:
    """The size limit ``ETS_DATA_MAX_BYTES`` sets (bytes; ``512M`` and ``2G`` allowed), else 1 GiB."""
    value = (os.environ if env is None else env).get("ETS_DATA_MAX_BYTES", "").strip()
    if not value:
        return DEFAULT_MAX_BYTES
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(value[-1].upper(), 1)
    digits = value[:-1] if scale > 1 else value
    if not digits.isdigit() or int(digits) <= 0:
        raise ValueError(f"ETS_DATA_MAX_BYTES must be a positive number of bytes like 536870912 or 512M, got {value!r}")
    return int(digits) * scale


Opener = Callable[[], BinaryIO]


def _open(file: FileInput, name: str | None) -> tuple[Opener, int, str]:
    if isinstance(file, (bytes, bytearray, memoryview)):
        data = bytes(file)
        return (lambda: io.BytesIO(data)), len(data), name or "<uploaded file>"
    path = Path(file)
    source = name or path.name
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IsADirectoryError
    except FileNotFoundError:
        raise MalformedFileError(source, f"no such file: {path}") from None
    except IsADirectoryError:
        raise MalformedFileError(source, f"{path} is a folder, not a file") from None
    return (lambda: open(path, "rb")), size, source


def _sniff(head: bytes) -> str:
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE2):
        return "xls"
    text = head[:1024].removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<"):
        return "html"
    if text[:1] in (b"[", b"{"):
        return "json"
    return "csv"


def _size_text(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MiB" if size >= 1 << 20 else f"{size:,} bytes"


def load_tables(file: FileInput, *, name: str | None = None, format: str | None = None,
                max_bytes: int | None = None) -> tuple[str, list[Table]]:
    """Read ``file`` (a path, or the bytes of an upload) into its tables; return (source name, tables).

    ``format`` forces ``"csv"``, ``"html"``, ``"xlsx"`` or ``"json"``; by default the bytes decide.
    """
    if format is not None and format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)} or None, got {format!r}")
    opener, size, source = _open(file, name)
    limit = max_bytes_from_env() if max_bytes is None else max_bytes
    if size > limit:
        raise FileTooLargeError(
            source, f"the file is {_size_text(size)}, over the limit of {_size_text(limit)}: split it (by year or "
            "instrument) or raise the limit with ETS_DATA_MAX_BYTES (bytes, or 512M / 2G)"
        )
    with opener() as f:
        head = f.read(_PROBE_BYTES)
    sniffed = _sniff(head) if head else "csv"
    if sniffed == "xls":
        raise MalformedFileError(
            source, "this is an Excel 97-2003 .xls workbook, which is not supported: save it as .xlsx or CSV"
        )
    kind = format or sniffed
    if kind != sniffed and {kind, sniffed} & {"xlsx"}:
        raise MalformedFileError(source, f"expected an {kind.upper()} file but the bytes look like {sniffed.upper()}")
    if kind == "csv" and size > STREAM_FROM_BYTES:
        return source, [_csv_stream_table(opener, head, size, source)]
    if kind != "csv" and size > WHOLE_FILE_MAX_BYTES:
        raise FileTooLargeError(
            source, f"the {kind.upper()} file is {_size_text(size)}; {kind.upper()} files are read whole and limited "
            f"to {_size_text(WHOLE_FILE_MAX_BYTES)}: save it as CSV, which is read as a stream"
        )
    with opener() as f:
        data = f.read()
    if kind == "xlsx":
        return source, _xlsx_tables(data, source)
    if kind == "html":
        return source, _html_tables(data, source)
    if kind == "json":
        return source, [_json_table(data, source)]
    return source, [_csv_table(data, source)]


def _delimiter(first_line: str) -> str:
    return "\t" if "\t" in first_line and "," not in first_line else ","


def _csv_table(data: bytes, source: str) -> Table:
    text, encoding = decode_text(data, source)
    delimiter = _delimiter(text.split("\n", 1)[0])
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
    return Table(source, tuple(rows), padded=False, encoding=encoding)


def _ends_inside_quotes(text: str, delimiter: str) -> bool:
    """Whether the CSV text is only broken by a quoted cell that never closes (the file was cut off)."""
    try:
        for _ in csv.reader(io.StringIO(text + '"', newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        return False
    return True


# -- streamed CSV ------------------------------------------------------------------------------

def _probe_encoding(head: bytes, source: str) -> str:
    """The encoding of a large file, from its first bytes (BOM, else strict UTF-8, else cp949)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    for encoding in ("utf-8", "cp949"):
        try:
            codecs.getincrementaldecoder(encoding)("strict").decode(head, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    decode_text(head[: head.rfind(b"\n") + 1] or head, source)  # raises the usual message for the first bad byte
    raise EncodingError(source, "the file's first bytes are neither UTF-8 nor cp949 text: save it again as 'CSV UTF-8'")


def _csv_stream_table(opener: Opener, head: bytes, size: int, source: str) -> Table:
    encoding = _probe_encoding(head, source)
    first_line = codecs.getincrementaldecoder(encoding)("replace").decode(head[:4096]).split("\n", 1)[0]
    delimiter = _delimiter(first_line)

    def stream() -> Rows:
        number = 0
        with opener() as raw:
            text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
            reader = csv.reader(text, delimiter=delimiter, strict=True)
            try:
                for cells in reader:
                    number += 1
                    yield number, tuple(cells)
            except csv.Error as error:
                if "unexpected end of data" in str(error):
                    reason = "the file ends inside a quoted cell: it looks truncated; download it again"
                else:
                    reason = f"broken CSV quoting ({error}): check the quotes on this row"
                raise MalformedFileError(source, reason, row=number + 1) from None
            except UnicodeDecodeError:
                raise _stream_decode_error(opener, size, source, encoding) from None

    return Table(source, tuple(itertools.islice(stream(), HEAD_ROWS)), padded=False, stream=stream,
                 encoding=encoding)


def _stream_decode_error(opener: Opener, size: int, source: str, encoding: str) -> MalformedFileError | EncodingError:
    """Locate the first byte ``encoding`` cannot decode in a streamed file and say what it means."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset, lines = 0, 1
    with opener() as f:
        while chunk := f.read(_PROBE_BYTES):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=offset + len(chunk) >= size)
            except UnicodeDecodeError as error:
                bad = max(offset - pending + error.start, 0)
                line = lines + chunk.count(b"\n", 0, max(bad - offset, 0))
                if error.end >= pending + len(chunk) and offset + len(chunk) >= size:
                    return MalformedFileError(
                        source, f"the file ends in the middle of a character (byte offset {bad} of {size}): "
                        "the download looks truncated; download it again", row=line)
                shown = chunk[bad - offset] if bad >= offset else 0
                return EncodingError(
                    source, f"byte 0x{shown:02x} at byte offset {bad} is not valid {encoding}, although the file "
                    f"starts as {encoding}: it mixes encodings (two downloads pasted together?); save it again as "
                    "'CSV UTF-8'", row=line)
            offset += len(chunk)
            lines += chunk.count(b"\n")
    return EncodingError(source, f"the file is not valid {encoding} text: save it again as 'CSV UTF-8'")


# -- HTML, XLSX, JSON --------------------------------------------------------------------------

def _html_tables(data: bytes, source: str) -> list[Table]:
    text, encoding = decode_text(data, source, declared=declared_charset(data))
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
            encoding=encoding,
            format="html",
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
            encoding="xlsx (UTF-8 XML)",
            format="xlsx",
        )
        for sheet in sheets
    ]


def _json_cell(value: object, source: str, number: int, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        return value
    raise MalformedFileError(source, f"expected a text or number, got a nested {type(value).__name__}: flatten the "
                             "file to one object per row", row=number, column=key)


def _json_records(document: object, source: str) -> tuple[list[object], str]:
    publisher = ""
    if isinstance(document, dict):
        publisher = document.get("source", "") if isinstance(document.get("source"), str) else ""
        lists = [v for v in document.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise MalformedFileError(source, "the JSON object must hold exactly one list of rows (e.g. "
                                     '{"results": [{…}, …]}), or the file must be that list itself')
        document = lists[0]
    if not isinstance(document, list):
        raise MalformedFileError(source, "expected a JSON list of objects, one per row")
    return document, publisher


def _json_table(data: bytes, source: str) -> Table:
    text, encoding = decode_text(data, source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        hint = "it looks truncated; download it again" if error.pos >= len(text.rstrip()) else "check the file"
        raise MalformedFileError(source, f"not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}): "
                                 f"{hint}", row=error.lineno) from None
    records, publisher = _json_records(document, source)
    header: dict[str, None] = {}
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise MalformedFileError(source, f"expected an object per row, got {type(record).__name__}", row=number)
        header.update(dict.fromkeys(str(k) for k in record))
    keys = list(header)
    rows = [(0, tuple(keys))] + [
        (n, tuple(_json_cell(r.get(k), source, n, k) for k in keys))  # type: ignore[union-attr]
        for n, r in enumerate(records, start=1)
    ]
    return Table(source, tuple(rows), padded=True, encoding=encoding, format="json", publisher=publisher)
