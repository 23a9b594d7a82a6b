"""Text the chain accepts, by explicit character classes (never the interpreter's Unicode tables).

``str.isprintable()``, ``str.strip()``, ``str.lower()`` and ``unicodedata`` answer from the
Unicode tables of the Python build, which change between versions: two validators on different
builds could then disagree about a message. Consensus code uses only the tables written here.

    is_text(value, limit)   free text (reasons, sectors, ids): 1..limit characters, not blank,
                            no control, format (bidi), separator-line or non-characters
    is_name(value, limit)   a participant's registered name: letters of the scripts below,
                            digits, a few punctuation marks and single inner spaces; Latin, Greek
                            and Cyrillic letters never mixed in one name (look-alikes); every
                            character is its own NFKC form, so an accepted name is NFKC-normal
    name_key(value)         the key two names collide on: letters case-folded by the tables
                            here, digits kept, spaces and punctuation dropped
    normalize_name(value)   what clients send: NFKC (client side only), inner whitespace collapsed

Korean company names mix Hangul, Han (Hanja) and Latin ("SK하이닉스", "LG화학"): those mix freely.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_text", "is_name", "name_key", "normalize_name", "name_problem"]

# ---------------------------------------------------------------- free text

# Code points refused anywhere in free text: C0 and C1 controls, DEL, the zero-width and bidi
# format characters, line/paragraph separators, the BOM, interlinear annotation and non-characters.
_FORBIDDEN_RANGES = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x061C, 0x061C), (0x180E, 0x180E),
    (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x206F), (0xD800, 0xDFFF), (0xFDD0, 0xFDEF),
    (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0xFFFE, 0xFFFF), (0xE0000, 0xE007F),
)
_BLANK = frozenset(" \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000")


def _forbidden(cp: int) -> bool:
    if cp & 0xFFFE == 0xFFFE:  # U+xFFFE and U+xFFFF in every plane
        return True
    for low, high in _FORBIDDEN_RANGES:
        if low <= cp <= high:
            return True
    return False


_ASCII_CONTROL = re.compile("[\x00-\x1f\x7f]")


def is_text(value: object, limit: int) -> bool:
    """Free text of 1..limit characters, not blank, without control or format characters."""
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        return False
    if value.isascii():  # the common case, decided without a per-character loop: only C0 and DEL are refused
        return _ASCII_CONTROL.search(value) is None and value.count(" ") != len(value)
    if all(c in _BLANK for c in value):
        return False
    return not any(_forbidden(ord(c)) for c in value)


# ---------------------------------------------------------------- registered names

LATIN, GREEK, CYRILLIC, HANGUL, HAN, COMMON = "Latin", "Greek", "Cyrillic", "Hangul", "Han", "Common"
_CONFUSABLE_SCRIPTS = frozenset({LATIN, GREEK, CYRILLIC})

# (first, last, script): letters only. Each is its own NFKC form (a test checks this against
# unicodedata; consensus code never asks unicodedata). Compatibility letters such as U+017F
# (long s), ligatures, fullwidth forms and combining marks are absent: clients send NFKC.
_LETTERS = (
    (0x0041, 0x005A, LATIN), (0x0061, 0x007A, LATIN),
    (0x00C0, 0x00D6, LATIN), (0x00D8, 0x00F6, LATIN), (0x00F8, 0x00FF, LATIN),
    (0x0100, 0x0131, LATIN), (0x0134, 0x013E, LATIN), (0x0141, 0x0148, LATIN), (0x014A, 0x017E, LATIN),
    (0x0386, 0x0386, GREEK), (0x0388, 0x038A, GREEK), (0x038C, 0x038C, GREEK), (0x038E, 0x03A1, GREEK),
    (0x03A3, 0x03CE, GREEK),
    (0x0401, 0x0401, CYRILLIC), (0x0410, 0x044F, CYRILLIC), (0x0451, 0x0451, CYRILLIC),
    (0xAC00, 0xD7A3, HANGUL),
    (0x4E00, 0x9FFF, HAN),
)
_DIGITS = frozenset("0123456789")
_PUNCTUATION = frozenset(" &'()+,-./:_\u00b7")


def _script(c: str) -> str | None:
    """The script of a name character, COMMON for digits and punctuation, None if not allowed."""
    if c in _DIGITS or c in _PUNCTUATION:
        return COMMON
    cp = ord(c)
    for low, high, script in _LETTERS:
        if low <= cp <= high:
            return script
    return None


def name_problem(value: object, limit: int) -> str | None:
    """Why ``value`` cannot be a registered name, or None if it can."""
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        return f"must be text of 1 to {limit} characters"
    if value[0] == " " or value[-1] == " " or "  " in value:
        return "must not start or end with a space or hold two spaces in a row"
    confusable: set[str] = set()
    letters = 0
    for c in value:
        script = _script(c)
        if script is None:
            return (f"holds {c!r} (U+{ord(c):04X}), which names may not use: letters (Latin, Hangul, Hanja, Greek, "
                    "Cyrillic), digits, spaces and & ' ( ) + , - . / : _ · only, in NFKC form")
        if script != COMMON:
            letters += 1
        if script in _CONFUSABLE_SCRIPTS:
            confusable.add(script)
    if len(confusable) > 1:
        return f"mixes {' and '.join(sorted(confusable))} letters, which look alike; write the name in one of them"
    if not letters and not any(c in _DIGITS for c in value):
        return "must hold at least one letter or digit"
    return None


def is_name(value: object, limit: int) -> bool:
    return name_problem(value, limit) is None


def _fold(c: str) -> str:
    cp = ord(c)
    if 0x41 <= cp <= 0x5A or 0xC0 <= cp <= 0xDE and cp != 0xD7 or 0x391 <= cp <= 0x3A9 or 0x410 <= cp <= 0x42F:
        return chr(cp + 0x20)
    if cp == 0x401:
        return "\u0451"
    if 0x3AA <= cp <= 0x3AB:
        return chr(cp + 0x20)
    if cp == 0x386:
        return "\u03ac"
    if 0x388 <= cp <= 0x38A:
        return chr(cp + 0x25)
    if cp == 0x38C:
        return "\u03cc"
    if 0x38E <= cp <= 0x38F:
        return chr(cp + 0x3F)
    if cp == 0x3C2:  # final sigma
        return "\u03c3"
    if cp == 0x178:
        return "\u00ff"
    if 0x100 <= cp <= 0x137 or 0x14A <= cp <= 0x177:
        return chr(cp | 1)
    if 0x139 <= cp <= 0x148 or 0x179 <= cp <= 0x17E:
        return chr(cp + 1) if cp % 2 else c
    return c


def name_key(value: str) -> str:
    """The form two registered names must not share: case-folded letters and digits only."""
    return "".join(_fold(c) for c in value if c not in _PUNCTUATION)


def normalize_name(value: str) -> str:
    """What a client sends for a name typed or imported by a person (client side, not consensus)."""
    return " ".join(unicodedata.normalize("NFKC", value).split())
