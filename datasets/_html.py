"""Tables out of an HTML page (the NGMS site serves its lists as ``<table>`` markup).

Every ``<table>`` becomes a list of rows, each row the text of its ``<td>``/``<th>`` cells
(entities decoded, ``<br>`` and tags inside a cell read as spaces, ``colspan`` repeated as empty
cells). Nested tables are separate tables. Omitted end tags (``</td>``, ``</tr>``) are tolerated as
HTML allows; a table that never closes (a page cut off mid-download) is reported as incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["HtmlTable", "html_tables"]

_IGNORED = {"script", "style", "template"}


@dataclass
class HtmlTable:
    """One ``<table>``: its rows (``<tr>`` order, from row 1) and whether ``</table>`` was seen."""

    rows: list[list[str]] = field(default_factory=list)
    closed: bool = False


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[HtmlTable] = []
        # one entry per open table, innermost last: (table, current row, current cell's text parts, colspan)
        self._stack: list[tuple[HtmlTable, list[str] | None, list[str] | None, int]] = []
        self._ignored = 0

    def _close_cell(self) -> None:
        table, row, cell, span = self._stack[-1]
        if row is not None and cell is not None:
            row.append("".join(cell))
            row.extend([""] * (span - 1))
        self._stack[-1] = (table, row, None, 1)

    def _close_row(self) -> None:
        self._close_cell()
        table, row, _, _ = self._stack[-1]
        if row is not None:
            table.rows.append(row)
        self._stack[-1] = (table, None, None, 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _IGNORED:
            self._ignored += 1
            return
        if tag == "table":
            table = HtmlTable()
            self.tables.append(table)
            self._stack.append((table, None, None, 1))
        elif not self._stack:
            return
        elif tag == "tr":
            self._close_row()
            table, _, _, _ = self._stack[-1]
            self._stack[-1] = (table, [], None, 1)
        elif tag in ("td", "th"):
            self._close_cell()
            table, row, _, _ = self._stack[-1]
            if row is None:
                row = []
            span = 1
            for key, value in attrs:
                if key == "colspan" and value and value.strip().isdigit():
                    span = max(1, min(int(value), 1000))
            self._stack[-1] = (table, row, [], span)
        elif tag == "br":
            self._append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._append(" ")
        elif tag not in _IGNORED:
            self.handle_starttag(tag, attrs)
            if tag in ("td", "th"):
                self._close_cell()

    def handle_endtag(self, tag: str) -> None:
        if tag in _IGNORED:
            self._ignored = max(0, self._ignored - 1)
            return
        if not self._stack:
            return
        if tag == "table":
            self._close_row()
            table, _, _, _ = self._stack.pop()
            table.closed = True
        elif tag == "tr":
            self._close_row()
        elif tag in ("td", "th"):
            self._close_cell()
        elif tag in ("p", "div", "li"):
            self._append(" ")

    def handle_data(self, data: str) -> None:
        self._append(data)

    def _append(self, text: str) -> None:
        if self._ignored or not self._stack:
            return
        _, _, cell, _ = self._stack[-1]
        if cell is not None:
            cell.append(text)

    def finish(self) -> list[HtmlTable]:
        self.close()
        while self._stack:  # unclosed tables: keep what was read, mark them incomplete
            self._close_row()
            self._stack.pop()
        return self.tables


def html_tables(text: str) -> list[HtmlTable]:
    """Every table of the page, in document order (an outer table before the tables inside it)."""
    parser = _TableParser()
    parser.feed(text)
    return parser.finish()
