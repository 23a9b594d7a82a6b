"""The auctions page shows the ministry's published auction results from a file (ETS_PORTAL_AUCTION_RESULTS),
labelled with its source and kept apart from the chain's own auctions; a broken file is named, not shown.
The section runs in-process with Streamlit's AppTest; the files are generated in the published shapes."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st

from datasets.shapes import auction_history
from datasets.writers import auction_results_csv, auction_results_json


def _history_section():
    from portal.views import auctions

    auctions._published_history()


def _run(monkeypatch, path: Path | None):
    from streamlit.testing.v1 import AppTest

    monkeypatch.delenv("ETS_PORTAL_AUCTION_RESULTS", raising=False)
    if path is not None:
        monkeypatch.setenv("ETS_PORTAL_AUCTION_RESULTS", str(path))
    st.cache_resource.clear()  # the settings are read afresh
    st.cache_data.clear()
    app = AppTest.from_function(_history_section, default_timeout=30)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.mark.parametrize("shape", ["json", "csv"])
def test_published_results_are_shown_with_their_source(tmp_path: Path, monkeypatch, shape):
    results = auction_history(6)
    path = tmp_path / f"auctions.{shape}"
    path.write_bytes(auction_results_json(results, source="환경부 배출권 경매 결과 (test file)") if shape == "json"
                     else auction_results_csv(results))
    app = _run(monkeypatch, path)
    caption = " ".join(c.value for c in app.caption)
    assert f"{len(results):,} auctions, {results[0].date} to {results[-1].date}" in caption
    assert "not recorded on or checked by the chain" in caption
    if shape == "json":
        assert "환경부 배출권 경매 결과 (test file)" in caption
    table = app.table[0].value if app.table else app.dataframe[0].value
    assert list(table["date"]) == [r.date for r in reversed(results)]  # newest first
    assert list(table["clearing price (KRW/t)"]) == [f"{r.clearing_price:,}" for r in reversed(results)]


def test_no_file_and_a_broken_file_are_said(tmp_path: Path, monkeypatch):
    app = _run(monkeypatch, None)
    assert any("ETS_PORTAL_AUCTION_RESULTS" in i.value for i in app.info)
    broken = tmp_path / "auctions.csv"
    broken.write_text("date,instrument,offered,bid,sold,clearing_price\n2025-06-11,KAU25,100,50,80,9000\n")
    app = _run(monkeypatch, broken)
    (error,) = app.error
    assert "auctions.csv cannot be read" in error.value and not app.table and not app.dataframe
