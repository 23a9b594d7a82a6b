"""Public page: the chain's emissions market, and apart from it, historical KRX data from a file.

Chain data first: each instrument's reference price and band, daily price and volume (Altair,
from the chain's daily bars), the aggregated book, the latest trades (price and tonnes, never
who traded) and block (OTC) trades as daily count and tonnes only: their prices are sealed to
the parties and the regulator. A live panel refreshes the book and the trades.

Then, clearly separated and labelled, "Historical KRX data (imported file, not chain data)":
a KRX daily export uploaded here or named by ``ETS_PORTAL_KRX``, read by
``portal.krx_history`` with its provenance shown. The two sources are never mixed in one chart.
Only logged-in users get the uploader (public visitors see the ``ETS_PORTAL_KRX`` file only), and
an upload larger than ``KRX_UPLOAD_MAX_MB`` is refused before it is read; the server refuses
larger request bodies already (``server.maxUploadSize`` in ``portal/.streamlit/config.toml``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ets.rpc import ChainError

from .. import cache, krx_history, session, ui
from ..cache import cached
from ..charts import depth_chart, price_chart, volume_chart
from ..data import chain, market
from ..submit import show_chain_error

__all__ = ["render", "upload_size_error", "KRX_UPLOAD_MAX_MB"]

_LIVE_SECONDS = 3
KRX_UPLOAD_MAX_MB = 5  # a KRX daily export of several years is well under 1 MB


# ---------------------------------------------------------------- chain data


def _instruments_table(listed: pd.DataFrame) -> None:
    shown = pd.DataFrame({
        "instrument": listed["instrument"],
        "reference price (KRW/t)": listed["reference_price"].map(lambda v: f"{int(v):,}"),
        "today's band (KRW/t)": [f"{int(lo):,} – {int(hi):,}" for lo, hi in zip(listed["band_low"], listed["band_high"])],
        "session": listed["phase"].map(ui.phase_text),
        "best bid": listed["best_bid"].map(lambda v: "" if pd.isna(v) else f"{int(v):,}"),
        "best ask": listed["best_ask"].map(lambda v: "" if pd.isna(v) else f"{int(v):,}"),
    })
    st.table(shown.reset_index(drop=True))


def _trades_table(trades: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "time (KST)": trades["time"].map(lambda t: t.strftime("%Y-%m-%d %H:%M:%S")),
        "price (KRW/t)": trades["price"].map(lambda v: f"{int(v):,}"),
        "tonnes": trades["quantity"].map(lambda v: f"{int(v):,}"),
        "value (KRW)": trades["value_krw"].map(lambda v: f"{int(v):,}"),
        "how": trades["auction"].map(lambda a: "call auction" if a else "continuous"),
        "block": trades["height"],
    }).reset_index(drop=True)


@st.fragment(run_every=_LIVE_SECONDS)
def _live(instrument: str) -> None:
    """Book, latest trades and daily figures of one instrument, refreshed every few seconds."""
    try:  # a refresh runs outside the router's error handling, so this panel handles its own
        bars = cached(market.bars, instrument)
        trades = cached(market.trades, instrument)
        book = cached(market.depth, instrument)
    except ChainError as exc:
        show_chain_error(exc, "refreshing the market")
        return
    c1, c2, c3, c4 = st.columns(4)
    if not trades.empty:
        c1.metric("Last trade", f"{int(trades['price'].iloc[0]):,} KRW/t",
                  help=f"{int(trades['quantity'].iloc[0]):,} t at block {int(trades['height'].iloc[0])}")
    else:
        c1.metric("Last trade", "none yet")
    if not bars.empty:
        last = bars.iloc[-1]
        c2.metric(f"Volume {last['trading_day']}", f"{int(last['volume']):,} t")
        c3.metric("VWAP", f"{int(last['vwap']):,} KRW/t")
        c4.metric("Trades that day", f"{int(last['trades']):,}")
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Order book (aggregated)")
        st.caption("Tonnes waiting at each price, best 10 levels a side. Who placed them is not public.")
        if book.empty:
            st.info("The book is empty.")
        else:
            st.altair_chart(depth_chart(book, f"{instrument} depth"), width="stretch")
            shown = book.assign(price=book["price"].map(lambda v: f"{int(v):,}"),
                                quantity=book["quantity"].map(lambda v: f"{int(v):,}"),
                                cumulative=book["cumulative"].map(lambda v: f"{int(v):,}"))
            st.table(shown.rename(columns={"price": "price (KRW/t)", "quantity": "tonnes",
                                           "cumulative": "cumulative tonnes"}).reset_index(drop=True))
    with right:
        st.subheader("Latest trades")
        st.caption("Price and tonnes of each trade on chain, newest first. Buyers and sellers are confidential.")
        if trades.empty:
            st.info("No trade yet.")
        else:
            st.table(_trades_table(trades.head(20)))
    st.subheader("Daily price and volume (chain)")
    if bars.empty:
        st.info(f"No {instrument} trade on chain yet, so there is no daily bar.")
    else:
        frame = bars.assign(trading_day=pd.to_datetime(bars["trading_day"]))
        c1, c2 = st.columns(2)
        c1.altair_chart(price_chart(frame, "trading_day", f"{instrument} close (chain)"), width="stretch")
        c2.altair_chart(volume_chart(frame, "trading_day", f"{instrument} volume (chain)"), width="stretch")
        with st.expander("Daily bars (table)"):
            ui.table(bars)


def _block_aggregates(instrument: str) -> None:
    st.subheader("Block trades (aggregates only)")
    st.caption("Block (OTC, 협의) trades agreed between two companies. Their prices are sealed to the two parties and "
               "the regulator; the public sees only how many settled each day and how many tonnes.")
    volume = cached(market.block_volume, instrument)
    if volume.empty:
        st.info(f"No {instrument} block trade has settled on chain.")
        return
    c1, c2 = st.columns(2)
    c1.metric("Block trades settled", f"{int(volume['trades'].sum()):,}")
    c2.metric("Block tonnes", f"{int(volume['volume'].sum()):,} t")
    st.table(volume.rename(columns={"day": "day (KST)", "trades": "block trades", "volume": "tonnes"})
             .assign(tonnes=lambda d: d["tonnes"].map(lambda v: f"{int(v):,}")).reset_index(drop=True))


def _chain_market() -> None:
    listed = cached(market.instruments)
    if listed.empty:
        st.info("No order has been placed on chain yet, so there is no market data.")
        return
    _instruments_table(listed)
    instrument = st.selectbox("Instrument", list(listed["instrument"]), key="market_instrument")
    _live(instrument)
    _block_aggregates(instrument)


# ---------------------------------------------------------------- historical KRX data (a file)


def upload_size_error(size: int, limit_mb: int = KRX_UPLOAD_MAX_MB) -> str | None:
    """Why an upload of ``size`` bytes is refused, or None when it is within ``limit_mb`` megabytes."""
    limit = limit_mb * 1024 * 1024
    if size <= limit:
        return None
    return (f"The file is {size:,} bytes; uploads are limited to {limit_mb} MB ({limit:,} bytes), and a KRX daily "
            "export is far smaller. Nothing was read from it. Upload the daily export exactly as downloaded from KRX.")


def _krx_history() -> None:
    st.header("Historical KRX data (imported file, not chain data)")
    st.caption("Daily prices and volumes published by KRX for the real K-ETS market, read from a KRX export file. "
               "They are not chain data: the chain did not record them and does not vouch for them, and they are kept "
               "out of the chain charts above.")
    logged_in = session.current_user() is not None
    upload = None
    if logged_in:  # public visitors get no uploader at all
        limit_mb = min(KRX_UPLOAD_MAX_MB, int(st.get_option("server.maxUploadSize")))
        upload = st.file_uploader("KRX daily export (배출권 시장 일별 시세, CSV / HTML / XLSX as downloaded)",
                                  type=["csv", "html", "htm", "xls", "xlsx"], key="krx_upload", max_upload_size=limit_mb)
    path = krx_history.krx_file_from_env()
    try:
        if upload is not None:
            refused = upload_size_error(upload.size)
            if refused is not None:
                st.error(refused)
                return
            history = cache.krx_upload(upload.getvalue(), upload.name)
        elif path is not None:
            if not path.exists():
                st.error(f"ETS_PORTAL_KRX names {path}, which does not exist. Upload the file above instead." if logged_in else
                         "The portal's KRX file is missing, so there is no historical KRX data to show.")
                return
            history = cache.krx_file(path)
        elif logged_in:
            st.info("Upload a KRX daily export above (or set ETS_PORTAL_KRX to its path) to compare with history.")
            return
        else:
            st.info("No historical KRX file is configured. Logged-in users can upload a KRX daily export here.")
            return
    except krx_history.KrxHistoryError as exc:
        st.error(f"The KRX file cannot be shown: {exc}")
        return
    st.info(history.provenance(), icon=":material/history:")
    instrument = st.selectbox("KRX instrument (most traded first)", history.instruments, key="krx_instrument")
    days = history.of(instrument)
    traded = days[days["volume"] > 0]
    c1, c2, c3 = st.columns(3)
    last = days.iloc[-1]
    c1.metric(f"KRX close {last['date']:%Y-%m-%d}", f"{int(last['close']):,} KRW/t")
    c2.metric("KRX days with trades", f"{len(traded):,} of {len(days):,}")
    c3.metric("KRX volume in file", f"{int(days['volume'].sum()):,} t")
    frame = days.assign(date=pd.to_datetime(days["date"]))
    c1, c2 = st.columns(2)
    c1.altair_chart(price_chart(frame, "date", f"{instrument} close — source: {history.short_source}"), width="stretch")
    c2.altair_chart(volume_chart(frame, "date", f"{instrument} volume — source: {history.short_source}"), width="stretch")
    with st.expander(f"Rows of {instrument} (source: {history.short_source})"):
        ui.table(days.sort_values("date", ascending=False))


def render() -> None:
    st.title("Market")
    st.caption("The emissions market on chain: limit orders matched by the chain, settled delivery versus payment. "
               "Market aggregates are public; who holds, bids or trades what is visible only to the parties and the "
               "regulator.")
    status = cached(chain.chain_status)
    st.caption(f"Chain {status.chain_id}, latest block {status.height:,} at {status.time_kst}. Figures are cached for "
               f"{cache.config().ttl_seconds} s.")
    _chain_market()
    st.divider()
    _krx_history()
