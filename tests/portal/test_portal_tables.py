"""A portal table with rows is a grid under the catalogue's column names; one without rows says so in the
visitor's language instead of showing an empty grid (whose own placeholder is English only)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def _tables_page():
    from portal import ui

    ui.table([{"company_name": "A", "amount": 5}])
    ui.table([])


@pytest.mark.parametrize("lang, empty_text", [("ko", "표시할 항목이 아직 없습니다."), ("en", "Nothing to show yet.")])
def test_an_empty_table_is_a_line_in_the_visitors_language(lang, empty_text, monkeypatch):
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", lang)
    app = AppTest.from_function(_tables_page).run(timeout=30)
    assert not app.exception, app.exception
    [grid] = app.dataframe  # only the table with a row is a grid
    assert grid.value.values.tolist() == [["A", 5]] and "company_name" not in grid.value.columns  # under its name
    assert [c.value for c in app.caption] == [empty_text]
