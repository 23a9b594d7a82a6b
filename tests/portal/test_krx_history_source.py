"""The Market page's history source label says where the file came from: KRX only for the KRX layout."""

from __future__ import annotations

from datasets import shapes, writers
from portal.krx_history import SOURCE, load_krx_history


def test_a_krx_layout_file_is_labelled_krx():
    days = shapes.english_market_history(3)
    krx = [d.__class__(d.date, d.instrument, d.close, 0, 0, d.open, d.high, d.low, d.volume, d.value_krw, d.close)
           for d in days]
    history = load_krx_history(writers.market_daily_csv(krx), name="krx.csv")
    assert history.is_krx and history.source == SOURCE and history.short_source == "KRX (historical file)"
    assert history.provenance().startswith(f"Source: {SOURCE}. Imported file krx.csv")


def test_an_english_price_history_is_not_labelled_krx():
    history = load_krx_history(writers.market_daily_english_csv(shapes.english_market_history(3)), name="prices.csv")
    assert not history.is_krx and history.short_source == "imported file, publisher as labelled"
    assert history.source == ("emissions market daily prices (배출권 시장 일별 시세), English headers; publisher not stated "
                              "in the file (file prices.csv)")
    first = history.of("KAU25")
    assert first["change"].isna().iloc[0] and int(first["change"].iloc[1]) == int(first["close"].iloc[1] - first["close"].iloc[0])
    assert (first["vwap"] > 0).any()
