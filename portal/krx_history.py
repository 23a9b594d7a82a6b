"""Historical KRX emissions market data from an imported file: NOT chain data, and always labelled so.

The Market page shows the chain's own trades; beside them, clearly apart, it can show what the
real KRX emissions market published (배출권 시장 일별 시세), read from a KRX daily export that a
user uploads or that ``ETS_PORTAL_KRX`` names. The file is read unchanged by
``datasets.read_market_history`` (UTF-8 with BOM, quoted thousands separators, newest day first)
and returned with its provenance (source, file name, SHA-256, rows, date range), so the page
can say exactly where every figure came from. The source is KRX only for a file in the KRX
download's own layout; a price history with English headers or read through a mapping file is
labelled with what the importer knows of it (its mapping's source, or "publisher not stated").
Nothing here touches the chain.

    ETS_PORTAL_KRX    optional path of a KRX daily export shown when nothing is uploaded
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pandas as pd

from datasets import DatasetError
from datasets.krx import read_market_history

from .i18n import t

__all__ = ["SOURCE", "KrxHistory", "KrxHistoryError", "krx_file_from_env", "load_krx_history"]

SOURCE = "KRX (Korea Exchange) emissions market daily data (배출권 시장 일별 시세)"
COLUMNS = ["date", "instrument", "close", "change", "change_bp", "open", "high", "low", "volume", "value_krw", "vwap"]


class KrxHistoryError(ValueError):
    """A KRX file that cannot be shown; the message names the file (and row and column) and what to do.

    ``kind`` is ``"unreadable"`` (the file could not be read) or ``"content"`` (its content is not a KRX daily
    export), ``detail`` the reader's own words: the page says what to do in the visitor's language."""

    def __init__(self, message: str, *, kind: str, detail: str) -> None:
        super().__init__(message)
        self.kind, self.detail = kind, detail


@dataclass(frozen=True)
class KrxHistory:
    """The rows of one KRX daily export and where they came from."""

    file_name: str
    sha256: str
    days: pd.DataFrame = field(repr=False)  # COLUMNS, oldest day first; date as datetime.date
    source: str = SOURCE

    def __post_init__(self) -> None:
        if list(self.days.columns) != COLUMNS:
            raise ValueError(f"KRX history columns must be {COLUMNS}")
        if len(self.sha256) != 64:
            raise ValueError("sha256 must be 64 hex characters")

    @property
    def is_krx(self) -> bool:
        """True when the file has the KRX download's own layout (its figures are KRX's)."""
        return self.source == SOURCE

    @property
    def short_source(self) -> str:
        """For chart titles: where the figures came from, in a few words."""
        return "KRX (historical file)" if self.is_krx else "imported file, publisher as labelled"

    @property
    def instruments(self) -> list[str]:
        """Instruments in the file, the most traded (tonnes) first."""
        volume = self.days.groupby("instrument")["volume"].sum()
        return sorted(volume.index, key=lambda i: (-int(volume[i]), i))

    @property
    def first_day(self) -> str:
        return self.days["date"].min().isoformat() if len(self.days) else ""

    @property
    def last_day(self) -> str:
        return self.days["date"].max().isoformat() if len(self.days) else ""

    def provenance(self) -> str:
        """One line saying what the figures are and where they came from."""
        return t("market.krx_provenance", source=self.source, file=self.file_name, sha=self.sha256[:16],
                 rows=f"{len(self.days):,}", first=self.first_day, last=self.last_day)

    def of(self, instrument: str) -> pd.DataFrame:
        """One instrument's days, oldest first."""
        return self.days[self.days["instrument"] == instrument].reset_index(drop=True)


def krx_file_from_env(env: Mapping[str, str] | None = None) -> Path | None:
    """The path ``ETS_PORTAL_KRX`` names, or None when it is unset."""
    env = os.environ if env is None else env
    value = env.get("ETS_PORTAL_KRX", "").strip()
    return Path(value).expanduser() if value else None


def load_krx_history(file: str | os.PathLike[str] | bytes, *, name: str | None = None) -> KrxHistory:
    """Read a KRX daily export (a path, or the bytes of an upload named ``name``).

    Raises ``KrxHistoryError`` naming the file, row and column of the first problem."""
    if isinstance(file, (bytes, bytearray)):
        data, file_name = bytes(file), name or "uploaded file"
    else:
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            detail = f"{path}: {exc.strerror or exc}"
            raise KrxHistoryError(f"{path}: cannot read the KRX file ({exc.strerror or exc}); check ETS_PORTAL_KRX "
                                  "or upload the file instead", kind="unreadable", detail=detail) from None
        file_name = name or path.name
    try:
        history = read_market_history(data, name=file_name)
    except DatasetError as exc:
        text = str(exc).rstrip()
        text += "" if text.endswith((".", "?", "!")) else "."
        raise KrxHistoryError(f"{text} Download the daily data again from KRX (배출권 시장 일별 시세) and upload it "
                              "unchanged.", kind="content", detail=text) from None
    df = pd.DataFrame([{c: getattr(r, c) for c in COLUMNS} for r in history.days], columns=COLUMNS)
    for column in COLUMNS[2:]:  # change and change_bp are unknown (NA) on an instrument's first day without 대비
        df[column] = df[column].astype("Int64" if column in ("change", "change_bp") else "int64")
    df = df.sort_values(["date", "instrument"], ignore_index=True)
    source = SOURCE if history.krx_layout else history.label
    return KrxHistory(file_name, hashlib.sha256(data).hexdigest(), df, source)
