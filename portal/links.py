"""Links from one page to another without a page importing another page.

The router registers the pages of each run (``register``); a page links to another by its URL path
(``link("plan_review", label)``): an in-app link when the page is in this visitor's navigation, else the
label as plain text (a page run on its own, as in-process tests do, has no navigation).
"""

from __future__ import annotations

from typing import Iterable

import streamlit as st

__all__ = ["register", "link"]

_KEY = "portal_nav_pages"


def register(pages: Iterable) -> None:
    st.session_state[_KEY] = {p.url_path: p for p in pages if p.url_path}


def link(url_path: str, label: str) -> None:
    page = (st.session_state.get(_KEY) or {}).get(url_path)
    if page is None:
        st.markdown(f"→ {label}")
        return
    lang = st.query_params.get("lang")
    st.page_link(page, label=label, icon=":material/arrow_forward:", query_params={"lang": lang} if lang else None)
