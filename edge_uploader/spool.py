"""The spool: a local SQLite file holding every reading and the state of every day.

Nothing is lost and nothing is posted twice. The file is opened in WAL mode with
``synchronous=FULL`` (a committed write survives power loss) and every change is one
``BEGIN IMMEDIATE`` transaction. A spool belongs to one device (its address and public key
are written on creation and checked on every open).

A day moves through ``open → sealed → posted`` and never back:

    open     readings are being collected (a row appears with the day's first reading)
    sealed   substitutes added, total / counts / Merkle root fixed; waiting to be posted
    posted   the chain holds the day's total (tx hash and height recorded, or the chain
             answered ``Code.ALREADY_REPORTED``)

Tables::

    meta(key, value)        device, public_key, start_day, schema, clock (simulated hour)
    readings(seq PK, day, timestamp UNIQUE, co2_kg, substituted, source, signature)
    days(day PK, status, total, readings, substituted, merkle_root, substitute_kg,
         tx_hash, height, post_note)
    rejected(id PK, reason, detail, reading)   readings refused as invalid (audit, never valid)
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from protocol.messages import DailyTotal, day_number
from protocol.readings import Reading, SignedReading

from .days import next_day, parse_day
from .errors import SpoolError

__all__ = ["Spool", "DayRecord", "SpoolStats", "SCHEMA_VERSION"]

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS readings(
    seq INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    timestamp INTEGER NOT NULL UNIQUE,
    co2_kg INTEGER NOT NULL,
    substituted INTEGER NOT NULL CHECK (substituted IN (0, 1)),
    source TEXT NOT NULL,
    signature BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS readings_by_day ON readings(day, seq);
CREATE TABLE IF NOT EXISTS days(
    day TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('open', 'sealed', 'posted')),
    total INTEGER,
    readings INTEGER,
    substituted INTEGER,
    merkle_root TEXT,
    substitute_kg INTEGER,
    tx_hash TEXT,
    height INTEGER,
    post_note TEXT
);
CREATE TABLE IF NOT EXISTS rejected(
    id INTEGER PRIMARY KEY,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    reading TEXT
);
"""


@dataclass(frozen=True, slots=True)
class DayRecord:
    """One day's row. Totals are set from ``sealed`` on; tx fields once ``posted``."""

    day: str
    status: str
    total: int | None = None
    readings: int | None = None
    substituted: int | None = None
    merkle_root: str | None = None
    substitute_kg: int | None = None
    tx_hash: str | None = None
    height: int | None = None
    post_note: str | None = None

    def daily_total_msg(self) -> DailyTotal:
        """The chain message for this sealed day."""
        if self.status == "open":
            raise SpoolError(f"day {self.day} is still open; seal it before posting")
        return DailyTotal(day=self.day, day_number=day_number(DailyTotal.TYPE, self.day), total=self.total, unit="kg",
                          readings=self.readings, substituted=self.substituted, merkle_root=self.merkle_root)  # type: ignore[arg-type]

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(frozen=True, slots=True)
class SpoolStats:
    readings: int
    substituted: int
    rejected: dict[str, int]
    open_days: int
    unposted_days: int  # sealed, waiting for the chain: the spool depth
    last_posted_day: str | None
    last_sealed_day: str | None


_IN_LIMIT = 500  # values per "IN (...)" query, well below SQLite's bound-parameter limit
_DAY_COLUMNS = "day, status, total, readings, substituted, merkle_root, substitute_kg, tx_hash, height, post_note"


class Spool:
    """The spool file of one device. Use from one thread; open it in one process at a time."""

    def __init__(self, path: str | Path, *, device: str, public_key: bytes, start_day: str):
        self.path = Path(path)
        self.device = device
        self.public_key = public_key
        self.start_day = parse_day(start_day)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        except (OSError, sqlite3.Error) as exc:
            raise SpoolError(f"cannot open spool {self.path}: {exc}; check the path and its permissions") from None
        try:
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise SpoolError(f"spool {self.path} could not switch to WAL mode (got {mode}); put it on a local disk")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            self._check_meta()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise SpoolError(f"spool {self.path} is not a usable SQLite file ({exc}); move it aside and start a new one") from None
        except BaseException:
            self._db.close()
            raise

    @classmethod
    def open_existing(cls, path: str | Path) -> "Spool":
        """Open a spool file that already exists, taking its device and start day from the file."""
        path = Path(path)
        if not path.is_file():
            raise SpoolError(f"no spool file at {path}; give the uploader's spool (its [spool] path)")
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                meta = dict(db.execute("SELECT key, value FROM meta"))
            db.close()
        except sqlite3.DatabaseError as exc:
            raise SpoolError(f"{path} is not a spool file ({exc})") from None
        try:
            return cls(path, device=meta["device"], public_key=bytes.fromhex(meta["public_key"]), start_day=meta["start_day"])
        except KeyError as exc:
            raise SpoolError(f"{path} is not a complete spool file (meta {exc} missing)") from None

    # ------------------------------------------------------------------ basics

    def _check_meta(self) -> None:
        want = {"device": self.device, "public_key": self.public_key.hex(), "start_day": self.start_day, "schema": SCHEMA_VERSION}
        with self.transaction():
            have = dict(self._db.execute("SELECT key, value FROM meta"))
            if not have:
                self._db.executemany("INSERT INTO meta(key, value) VALUES (?, ?)", sorted(want.items()))
                return
        for key, value in want.items():
            if have.get(key) != value:
                raise SpoolError(
                    f"spool {self.path} was created with {key} = {have.get(key)!r}, but this uploader has {value!r}; "
                    "use the spool of this device (or a new spool file for a new device or start day)"
                )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Spool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic, durable write; nested use joins the outer transaction."""
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._db.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                             (key, value))

    # ------------------------------------------------------------------ readings

    def next_seq(self) -> int:
        return self._db.execute("SELECT COALESCE(MAX(seq) + 1, 0) FROM readings").fetchone()[0]

    def last_hour(self) -> int | None:
        """The latest hour stamp of any stored reading."""
        return self._db.execute("SELECT MAX(timestamp) FROM readings").fetchone()[0]

    def last_measured_hour(self) -> int | None:
        """The latest hour stamp of a measured (not substituted) reading."""
        return self._db.execute("SELECT MAX(timestamp) FROM readings WHERE substituted = 0").fetchone()[0]

    def has_hour(self, timestamp: int) -> bool:
        return self._db.execute("SELECT 1 FROM readings WHERE timestamp = ?", (timestamp,)).fetchone() is not None

    def _row_to_signed(self, row: tuple) -> SignedReading:
        seq, timestamp, co2_kg, substituted, source, signature = row
        return SignedReading(Reading(self.device, seq, timestamp, co2_kg, bool(substituted), source), bytes(signature))

    def reading(self, seq: int) -> SignedReading | None:
        row = self._db.execute("SELECT seq, timestamp, co2_kg, substituted, source, signature FROM readings WHERE seq = ?",
                               (seq,)).fetchone()
        return None if row is None else self._row_to_signed(row)

    def readings_of(self, day: str) -> list[SignedReading]:
        """The day's readings in ascending seq order (the Merkle leaf order)."""
        rows = self._db.execute("SELECT seq, timestamp, co2_kg, substituted, source, signature FROM readings "
                                "WHERE day = ? ORDER BY seq", (day,))
        return [self._row_to_signed(r) for r in rows]

    def store_reading(self, signed: SignedReading) -> None:
        """Store a checked reading in its (open) day. Callers have verified the signature and limits."""
        r = signed.reading
        if r.device != self.device:
            raise SpoolError(f"reading of device {r.device} does not belong in the spool of {self.device}")
        with self.transaction():
            self._ensure_open(r.day)
            try:
                self._db.execute(
                    "INSERT INTO readings(seq, day, timestamp, co2_kg, substituted, source, signature) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (r.seq, r.day, r.timestamp, r.co2_kg, int(r.substituted), r.source, signed.signature),
                )
            except sqlite3.IntegrityError as exc:
                raise SpoolError(f"reading {r.seq} for hour {r.timestamp} conflicts with a stored reading ({exc})") from None

    def hours_taken(self, timestamps: Iterable[int]) -> set[int]:
        """Which of these hour stamps already have a stored reading."""
        wanted = sorted(set(timestamps))
        taken: set[int] = set()
        for at in range(0, len(wanted), _IN_LIMIT):
            part = wanted[at:at + _IN_LIMIT]
            rows = self._db.execute(f"SELECT timestamp FROM readings WHERE timestamp IN ({','.join('?' * len(part))})", part)
            taken.update(row[0] for row in rows)
        return taken

    def store_readings(self, checked: Sequence[tuple[SignedReading, str]]) -> None:
        """Store checked readings (each with its KST day) of open days, one statement each for days and
        readings (the group-commit path).

        Callers have checked device, seq, hour and day (``Ingestor``); a conflict anyway raises SpoolError
        and, inside the caller's transaction, stores none of them."""
        if any(s.reading.device != self.device for s, _ in checked):
            raise SpoolError(f"a reading of another device does not belong in the spool of {self.device}")
        rows = [(r.seq, day, r.timestamp, r.co2_kg, int(r.substituted), r.source, s.signature)
                for s, day in checked for r in (s.reading,)]
        days = sorted({row[1] for row in rows})
        with self.transaction():
            self._db.executemany("INSERT INTO days(day, status) VALUES (?, 'open') ON CONFLICT(day) DO NOTHING", [(d,) for d in days])
            for at in range(0, len(days), _IN_LIMIT):
                part = days[at:at + _IN_LIMIT]
                closed = self._db.execute(f"SELECT day, status FROM days WHERE status != 'open' AND day IN ({','.join('?' * len(part))})",
                                          part).fetchone()
                if closed is not None:
                    raise SpoolError(f"day {closed[0]} is already {closed[1]}; it cannot take more readings")
            try:
                self._db.executemany(
                    "INSERT INTO readings(seq, day, timestamp, co2_kg, substituted, source, signature) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            except sqlite3.IntegrityError as exc:
                raise SpoolError(f"a reading of this group conflicts with a stored reading ({exc})") from None

    def _ensure_open(self, day: str) -> None:
        row = self._db.execute("SELECT status FROM days WHERE day = ?", (day,)).fetchone()
        if row is None:
            self._db.execute("INSERT INTO days(day, status) VALUES (?, 'open')", (day,))
        elif row[0] != "open":
            raise SpoolError(f"day {day} is already {row[0]}; it cannot take more readings")

    def record_rejection(self, reason: str, detail: str, reading: str | None) -> None:
        with self.transaction():
            self._db.execute("INSERT INTO rejected(reason, detail, reading) VALUES (?, ?, ?)", (reason, detail[:1000], reading))

    def record_rejections(self, rows: Sequence[tuple[str, str, str | None]]) -> None:
        """Many ``record_rejection``s (reason, detail, reading) in one statement, in order."""
        with self.transaction():
            self._db.executemany("INSERT INTO rejected(reason, detail, reading) VALUES (?, ?, ?)",
                                 [(reason, detail[:1000], reading) for reason, detail, reading in rows])

    def rejections(self) -> list[tuple[str, str, str | None]]:
        return list(self._db.execute("SELECT reason, detail, reading FROM rejected ORDER BY id"))

    # ------------------------------------------------------------------ days

    def day(self, day: str) -> DayRecord | None:
        row = self._db.execute(f"SELECT {_DAY_COLUMNS} FROM days WHERE day = ?", (day,)).fetchone()
        return None if row is None else DayRecord(*row)

    def days(self, status: str | None = None) -> list[DayRecord]:
        if status is None:
            rows = self._db.execute(f"SELECT {_DAY_COLUMNS} FROM days ORDER BY day")
        else:
            rows = self._db.execute(f"SELECT {_DAY_COLUMNS} FROM days WHERE status = ? ORDER BY day", (status,))
        return [DayRecord(*r) for r in rows]

    def first_unsealed_day(self) -> str:
        """The oldest day not yet sealed (days are sealed in order, from ``start_day``)."""
        last = self._db.execute("SELECT MAX(day) FROM days WHERE status IN ('sealed', 'posted')").fetchone()[0]
        return self.start_day if last is None else next_day(last)

    def seal(self, day: str, substitutes: list[SignedReading], *, total: int, readings: int, substituted: int,
             merkle_root: str, substitute_kg: int | None) -> DayRecord:
        """open → sealed, atomically with the day's substitute readings."""
        with self.transaction():
            self._ensure_open(day)
            if day != self.first_unsealed_day():
                raise SpoolError(f"day {day} cannot be sealed before {self.first_unsealed_day()}; days are sealed in order")
            for signed in substitutes:
                if signed.reading.day != day or not signed.reading.substituted:
                    raise SpoolError(f"substitute reading {signed.reading.seq} does not belong to day {day}")
                r = signed.reading
                self._db.execute(
                    "INSERT INTO readings(seq, day, timestamp, co2_kg, substituted, source, signature) VALUES (?, ?, ?, ?, 1, ?, ?)",
                    (r.seq, day, r.timestamp, r.co2_kg, r.source, signed.signature),
                )
            self._db.execute(
                "UPDATE days SET status = 'sealed', total = ?, readings = ?, substituted = ?, merkle_root = ?, substitute_kg = ? "
                "WHERE day = ?", (total, readings, substituted, merkle_root, substitute_kg, day))
        record = self.day(day)
        assert record is not None
        return record

    def mark_posted(self, day: str, *, tx_hash: str | None, height: int | None, note: str) -> DayRecord:
        """sealed → posted. Posting a day twice is refused: the caller's state is out of date."""
        with self.transaction():
            row = self._db.execute("SELECT status FROM days WHERE day = ?", (day,)).fetchone()
            if row is None or row[0] != "sealed":
                raise SpoolError(f"day {day} is {row[0] if row else 'unknown'}, not sealed; it cannot be marked posted")
            self._db.execute("UPDATE days SET status = 'posted', tx_hash = ?, height = ?, post_note = ? WHERE day = ?",
                             (tx_hash, height, note, day))
        record = self.day(day)
        assert record is not None
        return record

    def oldest_unposted(self) -> DayRecord | None:
        row = self._db.execute(f"SELECT {_DAY_COLUMNS} FROM days WHERE status = 'sealed' ORDER BY day LIMIT 1").fetchone()
        return None if row is None else DayRecord(*row)

    def last_substitute_kg(self, before_day: str) -> int | None:
        row = self._db.execute("SELECT substitute_kg FROM days WHERE day < ? AND substitute_kg IS NOT NULL "
                               "ORDER BY day DESC LIMIT 1", (before_day,)).fetchone()
        return None if row is None else row[0]

    def stats(self) -> SpoolStats:
        readings, substituted = self._db.execute("SELECT COUNT(*), COALESCE(SUM(substituted), 0) FROM readings").fetchone()
        rejected = dict(self._db.execute("SELECT reason, COUNT(*) FROM rejected GROUP BY reason ORDER BY reason"))
        counts = dict(self._db.execute("SELECT status, COUNT(*) FROM days GROUP BY status"))
        last_posted = self._db.execute("SELECT MAX(day) FROM days WHERE status = 'posted'").fetchone()[0]
        last_sealed = self._db.execute("SELECT MAX(day) FROM days WHERE status IN ('sealed', 'posted')").fetchone()[0]
        return SpoolStats(readings, substituted, rejected, counts.get("open", 0), counts.get("sealed", 0), last_posted, last_sealed)
