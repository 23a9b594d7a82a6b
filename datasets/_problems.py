"""The problems of one file, collected in one pass, and the ledger that spots repeated rows and keys.

``Problems`` keeps the first 100 problems of a file and counts all of them; consecutive rows that
repeat consecutive earlier rows (a download pasted in twice) become one problem naming both
ranges. ``RowLedger`` remembers each data row by a 64-bit hash of its cells (and of its key where
the format has a unique key), so a file of millions of rows needs one int per row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import MAX_PROBLEMS, DatasetError, DuplicateRecordError

if TYPE_CHECKING:
    from ._columns import Row

__all__ = ["Problems", "RowLedger"]


class Problems:
    """Collects the problems of one file (the first ``limit`` kept, all counted).

    ``repeat(row, first)`` notes a row that repeats an earlier one exactly; consecutive repeats of
    consecutive rows (a block pasted twice) become one problem naming both ranges."""

    def __init__(self, limit: int = MAX_PROBLEMS) -> None:
        self.limit = limit
        self.count = 0
        self._found: list[DatasetError | list] = []

    def add(self, error: DatasetError) -> None:
        self.count += 1
        if len(self._found) < self.limit:
            self._found.append(error)

    def repeat(self, source: str, row: int, first: int) -> None:
        last = self._found[-1] if self._found else None
        if isinstance(last, list) and last[0] == source and row == last[2] + 1 and first == last[4] + 1:
            last[2], last[4] = row, first
            return
        self.count += 1
        if len(self._found) < self.limit:
            self._found.append([source, row, row, first, first])  # source, rows start-end repeat first start-end

    @property
    def errors(self) -> list[DatasetError]:
        out: list[DatasetError] = []
        for item in self._found:
            if not isinstance(item, list):
                out.append(item)
                continue
            source, start, end, first_start, first_end = item
            if start == end:
                reason = (f"the row repeats row {first_start} exactly: the file looks like a download pasted in twice "
                          "(or the same rows exported twice); remove the repeated rows or download the file again")
            else:
                reason = (f"rows {start:,}-{end:,} repeat rows {first_start:,}-{first_end:,} exactly: the file looks "
                          "like a download pasted in twice; remove the repeated rows or download the file again")
            out.append(DuplicateRecordError(source, reason, row=start))
        return out

    def raise_first(self) -> None:
        """Raise the first problem (with ``problems`` = all kept) if there is one."""
        errors = self.errors
        if errors:
            first = errors[0]
            first.problems = tuple(errors)
            raise first


class RowLedger:
    """Remembers each data row by a 64-bit hash of its cells (and of its key, when the file has one).

    ``add`` returns without a word for a new row, notes a repeat of an earlier row in ``problems``
    and returns False, or returns the ``DuplicateRecordError`` for a key seen before with other
    cells. One int per row is kept, so a file of millions of rows stays within a few hundred MB."""

    def __init__(self, what: str = "", advice: str = "") -> None:
        self._seen: dict[int, int] = {}
        self._what = what
        self._advice = advice

    def add(self, row: "Row", problems: Problems, key: object = None, column_key: str = "", shown: str = "") -> bool:
        content = hash(row.cells) & 0xFFFFFFFF
        slot = hash(key) if key is not None else hash(row.cells)
        packed = self._seen.setdefault(slot, row.number << 32 | content)
        first = packed >> 32
        if first == row.number:
            return True
        if key is None or packed & 0xFFFFFFFF == content:
            problems.repeat(row.source, row.number, first)
            return False
        problems.add(DuplicateRecordError(
            row.source, f"{shown} already appears in row {first}; {self._what}. {self._advice}",
            row=row.number, column=row.label(column_key),
        ))
        return False
