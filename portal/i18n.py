"""The portal's people-facing text in Korean and English, from one catalogue.

    t("market.title")                       the text of a key in the visitor's language
    t("trade.placed", qty=tonnes(100))      with ``str.format`` fields filled in
    language()                              "ko" or "en": the visitor's choice, else the portal's default

The catalogue is the TOML files in ``portal/text/`` (one per area of the portal, so pages add their
own keys without touching each other's): each key is a table with both languages::

    [market.title]
    ko = "배출권 시장"
    en = "Market"

A key missing from the catalogue, a key given twice, or a key lacking a language is an error when
the catalogue loads (tests load it), never an English fallback shown to a Korean reader.

The language is Korean by default (the K-ETS audience; ``ETS_PORTAL_LANGUAGE=en`` changes the
default), chosen per browser session in the sidebar and kept in the URL (``?lang=en``), so a reload
or a shared link keeps it.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

import streamlit as st

__all__ = ["LANGUAGES", "CatalogueError", "catalogue", "language", "default_language", "t", "language_selector"]

LANGUAGES = {"ko": "한국어", "en": "English"}
TEXT_DIR = Path(__file__).resolve().parent / "text"
_STATE = "portal_language"


class CatalogueError(ValueError):
    """The text catalogue is incomplete or contradicts itself; the message names the file and key."""


@lru_cache(maxsize=1)
def catalogue(folder: Path = TEXT_DIR) -> dict[str, dict[str, str]]:
    """Every key of every ``*.toml`` file in ``folder``, each with its text per language."""
    entries: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"{path.name}: not valid TOML ({exc})") from None
        for key, texts in _flatten(data):
            if key in entries:
                raise CatalogueError(f"{path.name}: key {key!r} is already defined in {origin[key]}")
            missing = [lang for lang in LANGUAGES if not isinstance(texts.get(lang), str) or not texts[lang].strip()]
            if missing:
                raise CatalogueError(f"{path.name}: key {key!r} has no text for {', '.join(missing)}")
            extra = sorted(set(texts) - set(LANGUAGES))
            if extra:
                raise CatalogueError(f"{path.name}: key {key!r} has unknown languages {extra}")
            entries[key] = {lang: texts[lang] for lang in LANGUAGES}
            origin[key] = path.name
    return entries


def _flatten(data: dict[str, Any], prefix: str = ""):
    """(dotted key, {lang: text}) for each leaf table whose values are all strings."""
    for name, value in data.items():
        key = f"{prefix}{name}"
        if not isinstance(value, dict):
            raise CatalogueError(f"key {key!r} must be a table with ko and en, not {type(value).__name__}")
        if value and all(isinstance(v, str) for v in value.values()):
            yield key, value
        else:
            yield from _flatten(value, key + ".")


def default_language() -> str:
    lang = os.environ.get("ETS_PORTAL_LANGUAGE", "").strip().lower() or "ko"
    return lang if lang in LANGUAGES else "ko"


def language() -> str:
    """The visitor's language: chosen in this session, else named in the URL, else the default."""
    chosen = st.session_state.get(_STATE)
    if chosen in LANGUAGES:
        return chosen
    asked = st.query_params.get("lang")
    return asked if asked in LANGUAGES else default_language()


def t(key: str, **values: Any) -> str:
    """The text of ``key`` in the visitor's language, with ``values`` filled into its ``{fields}``."""
    try:
        text = catalogue()[key][language()]
    except KeyError:
        raise CatalogueError(f"the portal's text catalogue has no key {key!r} (add it to a file in portal/text/)") from None
    return text.format(**values) if values else text


def language_selector() -> None:
    """The sidebar's language choice; the choice is kept in the URL so a reload keeps it."""
    current = language()
    choice = st.sidebar.radio("언어 / Language", list(LANGUAGES), index=list(LANGUAGES).index(current),
                              format_func=LANGUAGES.get, horizontal=True, key="portal_language_choice")
    st.session_state[_STATE] = choice  # kept for this session: links within the portal drop the URL's ?lang=
    if st.query_params.get("lang") != choice:
        st.query_params["lang"] = choice
