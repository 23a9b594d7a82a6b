"""Sheets out of an XLSX workbook, with the standard library only (zipfile + xml.etree).

Reads the parts every Office Open XML spreadsheet has: ``xl/workbook.xml`` (sheet names, in tab
order) and its relationships, ``xl/sharedStrings.xml`` (if any) and each ``xl/worksheets/*.xml``.
Cells are placed by their reference (``C7``), so omitted empty cells keep later cells in the
right column. Cell values become text: shared and inline strings as written, numbers as written
except that an integral number (``120487.0``, ``1.20487E5``) becomes ``120487``; booleans ``TRUE``
/``FALSE``; error cells their code (``#N/A``). Styles and dates formats are not interpreted.
Namespaces are matched by local name, so both transitional and strict OOXML files read.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

from .errors import MalformedFileError

__all__ = ["XlsxSheet", "xlsx_sheets"]

_MAX_PART_BYTES = 256 * 1024 * 1024  # refuse zip bombs: no real sheet comes near this
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]+)$")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"


@dataclass
class XlsxSheet:
    """One worksheet: its name and rows as (sheet row number, cells by column from A)."""

    name: str
    rows: list[tuple[int, list[str]]]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ElementTree.Element, name: str):
    return [child for child in element if _local(child.tag) == name]


def _text_of(element: ElementTree.Element) -> str:
    """Text of a shared/inline string: all ``t`` runs, skipping phonetic (``rPh``) runs."""
    parts: list[str] = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in _children(child, "t"))
    return "".join(parts)


def _number(text: str) -> str:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if value.is_finite() and value == value.to_integral_value():
        return str(int(value))
    return text


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


class _Workbook:
    def __init__(self, data: bytes, source: str) -> None:
        self.source = source
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.names = set(self.zip.namelist())
        except (zipfile.BadZipFile, ValueError) as error:
            raise MalformedFileError(
                source, f"not a complete XLSX workbook ({error}): the download looks truncated; download it again"
            ) from None

    def xml(self, name: str) -> ElementTree.Element:
        try:
            info = self.zip.getinfo(name)
            if info.file_size > _MAX_PART_BYTES:
                raise MalformedFileError(self.source, f"XLSX part {name} is {info.file_size} bytes: too large to read")
            return ElementTree.fromstring(self.zip.read(name))
        except KeyError:
            raise MalformedFileError(self.source, f"not a valid XLSX workbook: part {name} is missing") from None
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise MalformedFileError(
                self.source, f"XLSX part {name} cannot be read ({error}): the file looks truncated or damaged"
            ) from None
        except ElementTree.ParseError as error:
            raise MalformedFileError(self.source, f"XLSX part {name} is not well-formed XML ({error})") from None

    def sheet_parts(self) -> list[tuple[str, str]]:
        """(sheet name, part path) in tab order."""
        workbook = self.xml("xl/workbook.xml")
        rels: dict[str, str] = {}
        if "xl/_rels/workbook.xml.rels" in self.names:
            for rel in self.xml("xl/_rels/workbook.xml.rels"):
                target = rel.get("Target", "")
                if target.startswith("/"):
                    path = target.lstrip("/")
                else:
                    path = posixpath.normpath(posixpath.join("xl", target))
                rels[rel.get("Id", "")] = path
        parts: list[tuple[str, str]] = []
        for sheets in _children(workbook, "sheets"):
            for number, sheet in enumerate(_children(sheets, "sheet"), start=1):
                rid = sheet.get(f"{{{_REL_NS}}}id") or sheet.get(f"{{{_STRICT_REL_NS}}}id") or ""
                path = rels.get(rid, f"xl/worksheets/sheet{number}.xml")
                parts.append((sheet.get("name", f"Sheet{number}"), path))
        if not parts:
            raise MalformedFileError(self.source, "the XLSX workbook has no sheets")
        return parts

    def shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.names:
            return []
        return [_text_of(si) for si in _children(self.xml("xl/sharedStrings.xml"), "si")]

    def sheet(self, name: str, part: str, strings: list[str]) -> XlsxSheet:
        root = self.xml(part)
        rows: list[tuple[int, list[str]]] = []
        previous = 0
        for data in _children(root, "sheetData"):
            for row in _children(data, "row"):
                number = int(row.get("r") or previous + 1)
                previous = number
                cells: list[str] = []
                for cell in _children(row, "c"):
                    ref = _CELL_REF.match(cell.get("r", ""))
                    column = _column_index(ref.group(1)) if ref else len(cells)
                    if column < len(cells):
                        raise MalformedFileError(self.source, f"sheet {name!r} has cells out of order", row=number)
                    cells.extend([""] * (column - len(cells)))
                    cells.append(self._value(cell, strings, name, number))
                rows.append((number, cells))
        return XlsxSheet(name, rows)

    def _value(self, cell: ElementTree.Element, strings: list[str], sheet: str, row: int) -> str:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = _children(cell, "is")
            return _text_of(inline[0]) if inline else ""
        values = _children(cell, "v")
        raw = (values[0].text or "") if values else ""
        if kind == "s":
            try:
                return strings[int(raw)]
            except (ValueError, IndexError):
                raise MalformedFileError(
                    self.source, f"sheet {sheet!r} cell {cell.get('r')} points at shared string {raw!r}, which is missing", row=row
                ) from None
        if kind == "b":
            return "TRUE" if raw.strip() == "1" else "FALSE"
        if kind == "n":
            return _number(raw.strip()) if raw.strip() else ""
        return raw  # "str" (formula result), "e" (error code such as #N/A), "d" (ISO date text)


def xlsx_sheets(data: bytes, source: str) -> list[XlsxSheet]:
    """Every worksheet of the workbook in tab order."""
    workbook = _Workbook(data, source)
    strings = workbook.shared_strings()
    return [workbook.sheet(name, part, strings) for name, part in workbook.sheet_parts()]
