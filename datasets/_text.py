"""Turning a downloaded file's bytes into text: encoding detection and cell-text cleaning.

Korean public files come in a few encodings; we try them in this order and accept the first
that decodes the whole file strictly (no replacement characters, ever):

    UTF-8 with BOM  → UTF-16 with BOM (Excel "Unicode text") → UTF-8 → cp949 (EUC-KR superset)

A file that ends in the middle of a multi-byte character is reported as truncated; anything
else that none of them decodes is an ``EncodingError`` naming the line and byte offset of the
first bad byte.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from .errors import EncodingError, MalformedFileError

__all__ = ["decode_text", "clean_text", "declared_charset", "mojibake_hint"]

_CHARSET_ALIASES = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "euc-kr": "cp949",
    "euckr": "cp949",
    "cp949": "cp949",
    "ms949": "cp949",
    "x-windows-949": "cp949",
    "ks_c_5601-1987": "cp949",
    "uhc": "cp949",
}


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _looks_truncated(data: bytes, error: UnicodeDecodeError) -> bool:
    """True when the only undecodable bytes are an incomplete character at the very end."""
    return error.start >= len(data) - 3 and error.end == len(data) and error.reason in (
        "unexpected end of data",
        "incomplete multibyte sequence",
    )


def decode_text(data: bytes, source: str, *, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` strictly; return ``(text, encoding)``. ``declared`` forces one encoding (HTML meta)."""
    if not data:
        raise MalformedFileError(source, "the file is empty: download it again")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, source, "utf-8", skip=3), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _strict(data, source, "utf-16"), "utf-16"
    if declared is not None:
        encoding = _CHARSET_ALIASES.get(declared.strip().lower())
        if encoding is None:
            raise EncodingError(
                source,
                f"the page declares charset {declared!r}; only UTF-8 and EUC-KR/cp949 pages are supported",
            )
        return _strict(data, source, encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as as_utf8:
        if _looks_truncated(data, as_utf8) and _decodes(data[: as_utf8.start], "utf-8"):
            raise _truncated(data, source, as_utf8.start) from None
        try:
            return data.decode("cp949"), "cp949"
        except UnicodeDecodeError as as_cp949:
            if _looks_truncated(data, as_cp949) and _decodes(data[: as_cp949.start], "cp949"):
                raise _truncated(data, source, as_cp949.start) from None
            bad = max(as_utf8.start, as_cp949.start)
            raise EncodingError(
                source,
                f"the file is neither UTF-8 nor cp949 (EUC-KR) text: byte 0x{data[bad]:02x} at byte offset "
                f"{bad} cannot be decoded by either; save it again as 'CSV UTF-8' (or open the original "
                "download unchanged)",
                row=_line_of(data, bad),
            ) from None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _truncated(data: bytes, source: str, offset: int) -> MalformedFileError:
    return MalformedFileError(
        source,
        f"the file ends in the middle of a character (byte offset {offset} of {len(data)}): "
        "the download looks truncated; download it again",
        row=_line_of(data, offset),
    )


def _strict(data: bytes, source: str, encoding: str, *, skip: int = 0) -> str:
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as error:
        offset = error.start + skip
        if _looks_truncated(data[skip:], error):
            raise _truncated(data, source, offset) from None
        raise EncodingError(
            source,
            f"the file is marked or declared as {encoding} but byte 0x{data[offset]:02x} at byte offset "
            f"{offset} is not valid {encoding}; download it again or save it as 'CSV UTF-8'",
            row=_line_of(data, offset),
        ) from None


def declared_charset(head: bytes) -> str | None:
    """The charset an HTML page declares in its first bytes (``<meta charset=…>`` or http-equiv)."""
    text = head[:4096].decode("ascii", errors="replace").lower()
    at = text.find("charset=")
    if at < 0:
        return None
    rest = text[at + len("charset=") :].lstrip("\"' ")
    end = 0
    while end < len(rest) and (rest[end].isalnum() or rest[end] in "-_"):
        end += 1
    return rest[:end] or None


def clean_text(value: str) -> str:
    """A cell's text as the importers keep it: NFC, stripped, inner whitespace runs → one space."""
    if value.isascii():
        return " ".join(value.split()) if " " in value or not value.isprintable() else value
    if not unicodedata.is_normalized("NFC", value):
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


_LATIN1_RUN = re.compile(r"[\u0080-\u00ff]{2,}")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def mojibake_hint(text: str) -> str | None:
    """A hint when ``text`` looks like Korean decoded with the wrong encoding (mojibake), else None.

    Recognises cp949 or UTF-8 bytes read as Latin-1/Windows-1252 (``¾÷Ã¼¸í`` for 업체명), UTF-8
    bytes read as cp949 (``踰덊샇`` for 번호) and replacement characters (``�``) left by a lossy save.
    """
    if "\ufffd" in text:
        return ("the text holds replacement characters (\ufffd): it was once saved with the wrong encoding and the "
                "original letters are lost; download the file again")
    if _LATIN1_RUN.search(text):
        for wrong in ("cp1252", "latin-1"):
            try:
                raw = text.encode(wrong)
            except UnicodeEncodeError:
                continue
            for right in ("utf-8", "cp949"):
                decoded = _decoded(raw, right)
                if decoded is not None and _HANGUL.search(decoded):
                    return (f"the text looks like {right} bytes that were read as Latin-1 ({text[:16]!r} is "
                            f"{decoded[:16]!r} in {right}): use the original download, or open it as {right} and "
                            "save it again as 'CSV UTF-8'")
    if not text.isascii():
        try:
            raw = text.encode("cp949")
        except UnicodeEncodeError:
            return None
        decoded = _decoded(raw, "utf-8")
        if decoded is not None and _HANGUL.search(decoded):
            return (f"the text looks like UTF-8 bytes that were read as cp949 ({text[:16]!r} is {decoded[:16]!r} in "
                    "UTF-8): use the original download, or open it as UTF-8 and save it again as 'CSV UTF-8'")
    return None


def _decoded(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None
