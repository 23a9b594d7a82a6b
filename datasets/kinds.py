"""Every kind of file the project reads, and recognising which one a file is.

    KINDS          the formats, in the order detection prefers them on a tie
    KIND_NAMES     their names (``ets data inspect --kind``)
    detect(file)   load the file once, bind it to the kind whose columns it holds best → ``Scan``

Detection compares the file's header row with every format's columns (Korean and English
headers, plus a mapping file's): of the formats whose required columns are all present, the one
matching the most columns wins. When none fits, the error names the closest format and what it
lacks, so the user knows which columns to rename or to map.
"""

from __future__ import annotations

from typing import Sequence

from ._columns import fit, missing_columns
from ._scan import Kind, Scan
from ._tables import FileInput, load_tables
from .auctions import AUCTION_RESULTS
from .errors import MissingColumnError
from .etrs import ADDITIONAL_ALLOCATION, CERTIFIED_EMISSIONS, OFFSET_CREDITS, PRE_ALLOCATION, TOTAL_CAP
from .eutl import EU_COMPLIANCE
from .krx import MARKET_DAILY
from .long_format import ENTITY_YEARS
from .mapping import ColumnMapping
from .ngms import STATEMENTS
from .sites import SITES

__all__ = ["KINDS", "KIND_NAMES", "kind_named", "detect"]

KINDS: tuple[Kind, ...] = (
    STATEMENTS, PRE_ALLOCATION, ADDITIONAL_ALLOCATION, CERTIFIED_EMISSIONS, OFFSET_CREDITS, TOTAL_CAP,
    MARKET_DAILY, AUCTION_RESULTS, EU_COMPLIANCE, ENTITY_YEARS, SITES,
)
KIND_NAMES = tuple(k.name for k in KINDS)


def kind_named(name: str) -> Kind:
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise ValueError(f"unknown kind {name!r}: choose one of {', '.join(KIND_NAMES)}")


def detect(file: FileInput, *, kind: str | None = None, mapping: ColumnMapping | None = None,
           name: str | None = None, format: str | None = None, max_bytes: int | None = None) -> Scan:
    """Bind ``file`` to ``kind`` (or to the kind it fits best); raises ``DatasetError`` when none fits."""
    source, tables = load_tables(file, name=name, format=format, max_bytes=max_bytes)
    candidates: Sequence[Kind] = [kind_named(kind)] if kind else [
        k for k in KINDS if mapping is None or mapping.kind in (None, k.name)]
    best: tuple[int, Kind, object] | None = None
    closest: tuple[float, Kind, object, dict | None] | None = None
    for candidate in candidates:
        columns = mapping.for_kind(candidate) if mapping is not None and (mapping.kind or kind) else \
            _known_fields(mapping, candidate)
        found = fit(tables, candidate.columns, years=candidate.years, mapping=columns)
        if found.bound is not None:
            score = len(found.bound.matched) + (1 if found.bound.years else 0)
            if best is None or score > best[0]:
                best = (score, candidate, found.bound)
        elif closest is None or found.found / found.needed > closest[0]:
            closest = (found.found / found.needed, candidate, found, columns)
    if best is not None:
        _, chosen, bound = best
        return Scan(chosen, source, bound, mapping_source=mapping.source if mapping else "")  # type: ignore[arg-type]
    assert closest is not None
    _, near, found, columns = closest
    error = missing_columns(source, found, near.columns, years=near.years, what=near.what, mapping=columns)  # type: ignore[arg-type]
    if kind is None and isinstance(error, MissingColumnError):
        raise MissingColumnError(source if error.source == source else error.source,
                                 f"not a file of any kind the project reads (the closest is {near.name}): {error.reason}; "
                                 "name the kind with --kind, or map the columns with --mapping FILE", row=error.row)
    raise error


def _known_fields(mapping: ColumnMapping | None, kind: Kind) -> dict | None:
    """A kind-less mapping's headers for the fields ``kind`` has (others are for other kinds)."""
    if mapping is None:
        return None
    return {k: v for k, v in mapping.columns.items() if k in kind.fields()}


