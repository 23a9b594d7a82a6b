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
from ..i18n import t
from ..submit import show_chain_error

__all__ = ["render", "upload_size_error", "KRX_UPLOAD_MAX_MB"]

_LIVE_SECONDS = 3
KRX_UPLOAD_MAX_MB = 5  # a KRX daily export of several years is well under 1 MB


# ---------------------------------------------------------------- chain data


def _instruments_table(listed: pd.DataFrame) -> None:
    shown = pd.DataFrame({
        t("market.col_instrument"): listed["instrument"],
        t("market.col_reference"): listed["reference_price"].map(ui.number),
        t("market.col_band"): [f"{int(lo):,} – {int(hi):,}" for lo, hi in zip(listed["band_low"], listed["band_high"])],
        t("market.col_session"): listed["phase"].map(ui.phase_text),
        t("market.col_best_bid"): listed["best_bid"].map(lambda v: "" if pd.isna(v) else ui.number(v)),
        t("market.col_best_ask"): listed["best_ask"].map(lambda v: "" if pd.isna(v) else ui.number(v)),
    })
    st.table(shown.reset_index(drop=True))


def _trades_table(trades: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        t("market.col_time"): trades["time"].map(lambda when: when.strftime("%Y-%m-%d %H:%M:%S")),
        t("market.col_price"): trades["price"].map(ui.number),
        t("market.col_tonnes"): trades["quantity"].map(ui.number),
        t("market.col_value"): trades["value_krw"].map(ui.number),
        t("market.col_how"): trades["auction"].map(lambda a: t("market.how_call" if a else "market.how_continuous")),
    }).reset_index(drop=True)


@st.fragment(run_every=_LIVE_SECONDS)
def _live(instrument: str) -> None:
    """Book, latest trades and daily figures of one instrument, refreshed every few seconds."""
    try:  # a refresh runs outside the router's error handling, so this panel handles its own
        bars = cached(market.bars, instrument)
        trades = cached(market.trades, instrument)
        book = cached(market.depth, instrument)
    except ChainError as exc:
        show_chain_error(exc, t("market.doing_refresh"))
        return
    c1, c2, c3, c4 = st.columns(4)
    if not trades.empty:
        c1.metric(t("market.last_trade"), ui.krw_per_t(trades["price"].iloc[0]),
                  help=t("market.last_trade_help", tonnes=ui.tonnes(trades["quantity"].iloc[0]),
                         time=ui.kst(trades["time"].iloc[0], seconds=True)))
    else:
        c1.metric(t("market.last_trade"), t("common.none_yet"))
    if not bars.empty:
        last = bars.iloc[-1]
        c2.metric(t("market.volume_day", day=last["trading_day"]), ui.tonnes(last["volume"]))
        c3.metric(t("market.vwap"), ui.krw_per_t(last["vwap"]))
        c4.metric(t("market.trades_that_day"), ui.number(last["trades"]))
    left, right = st.columns([2, 3])
    with left:
        st.subheader(t("market.book"))
        st.caption(t("market.book_caption"))
        if book.empty:
            st.info(t("market.book_empty"))
        else:
            st.altair_chart(depth_chart(book, t("market.depth_title", instrument=instrument)), width="stretch")
            shown = book.assign(side=book["side"].map(lambda s: t(f"market.side_{s}") if s in ("buy", "sell") else s),
                                price=book["price"].map(ui.number), quantity=book["quantity"].map(ui.number),
                                cumulative=book["cumulative"].map(ui.number))
            st.table(shown.rename(columns={"side": t("market.col_side"), "price": t("market.col_price"),
                                           "quantity": t("market.col_tonnes"),
                                           "cumulative": t("market.col_cumulative")}).reset_index(drop=True))
    with right:
        st.subheader(t("market.latest_trades"))
        st.caption(t("market.latest_caption"))
        if trades.empty:
            st.info(t("market.no_trade"))
        else:
            st.table(_trades_table(trades.head(20)))
    st.subheader(t("market.daily"))
    if bars.empty:
        st.info(t("market.no_bar", instrument=instrument))
    else:
        frame = bars.assign(trading_day=pd.to_datetime(bars["trading_day"]))
        c1, c2 = st.columns(2)
        c1.altair_chart(price_chart(frame, "trading_day", t("market.close_chart", instrument=instrument)), width="stretch")
        c2.altair_chart(volume_chart(frame, "trading_day", t("market.volume_chart", instrument=instrument)),
                        width="stretch")
        with st.expander(t("market.bars_table")):
            ui.table(bars)


def _block_aggregates(instrument: str) -> None:
    st.subheader(t("market.block"))
    st.caption(t("market.block_caption"))
    volume = cached(market.block_volume, instrument)
    if volume.empty:
        st.info(t("market.no_block", instrument=instrument))
        return
    c1, c2 = st.columns(2)
    c1.metric(t("market.block_settled"), ui.number(volume["trades"].sum()))
    c2.metric(t("market.block_tonnes"), ui.tonnes(volume["volume"].sum()))
    st.table(volume.assign(volume=volume["volume"].map(ui.number))
             .rename(columns={"day": t("market.col_day"), "trades": t("market.col_block_trades"),
                              "volume": t("market.col_tonnes")}).reset_index(drop=True))


def _chain_market() -> None:
    listed = cached(market.instruments)
    if listed.empty:
        st.info(t("market.no_order"))
        return
    _instruments_table(listed)
    instrument = st.selectbox(t("market.instrument"), list(listed["instrument"]), key="market_instrument")
    _live(instrument)
    _block_aggregates(instrument)


# ---------------------------------------------------------------- historical KRX data (a file)


def upload_size_error(size: int, limit_mb: int = KRX_UPLOAD_MAX_MB) -> str | None:
    """Why an upload of ``size`` bytes is refused, or None when it is within ``limit_mb`` megabytes."""
    limit = limit_mb * 1024 * 1024
    if size <= limit:
        return None
    return t("market.upload_too_large", size=ui.number(size), limit_mb=limit_mb, limit=ui.number(limit))


def _krx_history() -> None:
    st.header(t("market.krx_header"))
    st.caption(t("market.krx_caption"))
    logged_in = session.current_user() is not None
    upload = None
    if logged_in:  # public visitors get no uploader at all
        limit_mb = min(KRX_UPLOAD_MAX_MB, int(st.get_option("server.maxUploadSize")))
        upload = st.file_uploader(t("market.krx_upload"),
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
                st.error(t("market.krx_missing_env", path=path) if logged_in else t("market.krx_missing"))
                return
            history = cache.krx_file(path)
        elif logged_in:
            st.info(t("market.krx_upload_hint"))
            return
        else:
            st.info(t("market.krx_none"))
            return
    except krx_history.KrxHistoryError as exc:
        key = "market.krx_unreadable_file" if exc.kind == "unreadable" else "market.krx_bad_content"
        st.error(t(key, detail=exc.detail))
        return
    st.info(history.provenance(), icon=":material/history:")
    instrument = st.selectbox(t("market.krx_instrument"), history.instruments, key="krx_instrument")
    days = history.of(instrument)
    traded = days[days["volume"] > 0]
    c1, c2, c3 = st.columns(3)
    last = days.iloc[-1]
    c1.metric(t("market.krx_close", day=f"{last['date']:%Y-%m-%d}"), ui.krw_per_t(last["close"]))
    c2.metric(t("market.krx_days"), t("market.krx_days_value", traded=ui.number(len(traded)), days=ui.number(len(days))))
    c3.metric(t("market.krx_volume"), ui.tonnes(days["volume"].sum()))
    frame = days.assign(date=pd.to_datetime(days["date"]))
    c1, c2 = st.columns(2)
    source = history.short_source
    c1.altair_chart(price_chart(frame, "date", t("market.krx_close_chart", instrument=instrument, source=source)),
                    width="stretch")
    c2.altair_chart(volume_chart(frame, "date", t("market.krx_volume_chart", instrument=instrument, source=source)),
                    width="stretch")
    with st.expander(t("market.krx_rows", instrument=instrument, source=source)):
        ui.table(days.sort_values("date", ascending=False))


def render() -> None:
    st.title(t("page.market"))
    st.caption(t("market.caption"))
    status = cached(chain.chain_status)
    st.caption(t("common.cached_for", chain=status.chain_id, time=ui.kst(status.time, seconds=True),
                 seconds=cache.config().ttl_seconds))
    _chain_market()
    st.divider()
    _krx_history()
