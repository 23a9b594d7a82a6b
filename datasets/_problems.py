"""The problems of one file, collected in one pass, and the ledger that spots repeated rows and keys.

``Problems`` keeps the first 100 problems of a file and counts all of them; consecutive rows that
repeat consecutive earlier rows (a download pasted in twice) become one problem naming both
ranges. ``RowLedger`` remembers each data row by a 64-bit hash of its cells (and of its key where
the format has a unique key) in a compact table of about 32 bytes a row.
"""

from __future__ import annotations

from array import array
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


class _HashTable:
    """An open-addressing table of 64-bit keys → 64-bit values in two ``array('q')`` (16 bytes a slot, at
    most half full): a Python dict of int objects would cost about 120 bytes a row."""

    __slots__ = ("keys", "values", "mask", "used")

    def __init__(self, size: int = 1 << 12) -> None:
        self.keys = array("q", bytes(8 * size))
        self.values = array("q", bytes(8 * size))
        self.mask = size - 1
        self.used = 0

    def setdefault(self, key: int, value: int) -> int:
        """The value stored under ``key`` (non-zero), storing ``value`` first if there is none."""
        keys, mask = self.keys, self.mask
        index = key & mask
        while True:
            found = keys[index]
            if found == key:
                return self.values[index]
            if found == 0:
                break
            index = (index + 1) & mask
        keys[index] = key
        self.values[index] = value
        self.used += 1
        if self.used * 2 > mask:
            self._grow()
        return value

    def _grow(self) -> None:
        old_keys, old_values = self.keys, self.values
        self.__init__(2 * (self.mask + 1))  # type: ignore[misc]
        for key, value in zip(old_keys, old_values):
            if key:
                self.setdefault(key, value)


def _key64(value: int) -> int:
    """A non-zero signed 64-bit key from a hash (0 marks an empty slot)."""
    value &= 0xFFFFFFFFFFFFFFFF
    value = value - (1 << 64) if value >= 1 << 63 else value
    return value or 1


class RowLedger:
    """Remembers each data row by a 64-bit hash of its cells (and of its key, when the file has one).

    ``add`` returns True for a new row; for a row that repeats an earlier one exactly it notes the
    repeat in ``problems`` and returns False; for a key seen before with other cells it notes a
    ``DuplicateRecordError`` and returns False. About 32 bytes are kept per row (``_HashTable``)."""

    def __init__(self, what: str = "", advice: str = "") -> None:
        self._seen = _HashTable()
        self._what = what
        self._advice = advice

    def add(self, row: "Row", problems: Problems, key: object = None, column_key: str = "", shown: str = "") -> bool:
        content = hash(row.cells)
        slot = _key64(hash(key) if key is not None else content)
        packed = self._seen.setdefault(slot, row.number << 32 | (content & 0xFFFFFFFF))
        first = packed >> 32
        if first == row.number:
            return True
        if key is None or packed & 0xFFFFFFFF == content & 0xFFFFFFFF:
            problems.repeat(row.source, row.number, first)
            return False
        problems.add(DuplicateRecordError(
            row.source, f"{shown} already appears in row {first}; {self._what}. {self._advice}",
            row=row.number, column=row.label(column_key),
        ))
        return False
