"""A company's public identity: the one function that turns a published name into its id.

The chain identifies a company by the name ETRS and NGMS publish, made canonical::

    company_id(name) = NFC(name), surrounding whitespace stripped, every inner run of
                       whitespace (spaces, tabs, newlines, no-break and ideographic spaces)
                       replaced by one ASCII space

Nothing else changes: ``(주)``, ``㈜`` and ``주식회사`` stay as written, letters keep their case, so
two names that differ in anything but whitespace or Unicode normal form are two companies. The id
must be 1 to 200 printable characters (the chain's limit for a company id).
"""

from __future__ import annotations

import unicodedata

__all__ = ["company_id", "MAX_COMPANY_ID_CHARS"]

MAX_COMPANY_ID_CHARS = 200


def company_id(name: str) -> str:
    """The company's public id: ``name`` NFC-normalised, stripped, inner whitespace runs collapsed.

    Raises ``ValueError`` if the result is empty, longer than 200 characters or not printable
    (control characters, zero-width marks).

    >>> company_id("  삼성전자   주식회사 ")
    '삼성전자 주식회사'
    """
    if not isinstance(name, str):
        raise ValueError(f"a company name must be text, got {type(name).__name__}")
    cid = " ".join(unicodedata.normalize("NFC", name).split())
    if not cid:
        raise ValueError("a company name must not be empty")
    if len(cid) > MAX_COMPANY_ID_CHARS:
        raise ValueError(f"a company name must be at most {MAX_COMPANY_ID_CHARS} characters, got {len(cid)}")
    if not cid.isprintable():
        raise ValueError(f"a company name must be printable text (no control or zero-width characters): {cid!r}")
    return cid
