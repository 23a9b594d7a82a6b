"""State keys of who looked: the access records and the open grants."""

from __future__ import annotations

__all__ = ["PREFIXES", "RECORDS", "RECORD_SEQ", "record", "records_of", "grant"]

PREFIXES = ("looked/", "lookgrant/", "seq/looked")

RECORDS = "looked/"
RECORD_SEQ = "seq/looked"


def record(subject: str, seq: int) -> str:
    return f"looked/{subject}/{seq:012d}"


def records_of(subject: str) -> str:
    return f"looked/{subject}/"


def grant(reader: str, subject: str) -> str:
    """Block time (seconds) until which ``reader`` may read ``subject``'s private data."""
    return f"lookgrant/{reader}/{subject}"
