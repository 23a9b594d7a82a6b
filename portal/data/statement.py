"""A company's account statement: every movement of its allowances and exchange cash the chain records for it.

    movements(client, address, reader)        DataFrame of STATEMENT_COLUMNS, oldest first
    transfer_record(client, address, reader)  the account's whole transfer record (``/transfers``), oldest first
    to_csv(df) / to_excel(df)                 the same table as a download (UTF-8 CSV with BOM; .xlsx by openpyxl)

Sources, all read with queries signed by ``reader`` (the company or an official) except the public
allocations: allocations issued by e-order (``/allocations``), exchange fills (``/fills``), settled block
trades (``/block_trades``, price opened with the reader's view key) and the account's transfer record
(``/transfers``, read page by page): transfers and custody transfers in and out, surrenders, governed
issues, borrowing and banking, offset credits issued and converted (KOC → KCU), and allocation true-ups or
clawbacks decided on objections, each with its block height and time.

``kind`` is one of ``KINDS`` (English words the page shows through its catalogue, ``flows.statement.kinds.*``).
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from ets.keys import Signer
from ets.rpc import ChainClient

from . import allocations, blocktrades, trading
from ._base import frame, ints, names, to_kst

__all__ = ["STATEMENT_COLUMNS", "KINDS", "RECORD_PAGE", "movements", "transfer_record", "to_csv", "to_excel"]

STATEMENT_COLUMNS = ["height", "time", "kind", "instrument", "tonnes", "price_krw", "cash_krw", "counterparty",
                     "reference"]
RECORD_PAGE = 200  # entries per read of /transfers (the chain's MAX_ENTRIES_PER_QUERY)
_KINDS = {"transfer": "transfer", "custody_transfer": "custody transfer", "issue": "issue", "borrow": "borrowing",
          "bank": "banking", "surrender": "surrender", "offset_issue": "offset issue",
          "offset_convert": "offset conversion", "adjustment": "objection adjustment"}
_TWO_SIDED = ("transfer", "custody_transfer")  # listed as "<kind> in" / "<kind> out"
KINDS = ("allocation", "exchange buy", "exchange sell", "auction buy", "auction sell", "block trade buy",
         "block trade sell", *(f"{_KINDS[k]} {d}" for k in _TWO_SIDED for d in ("in", "out")),
         *(v for k, v in _KINDS.items() if k not in _TWO_SIDED))


def _row(height: Any, time: Any, kind: str, instrument: str, tonnes: int, *, price: Any = None, cash: Any = None,
         counterparty: str = "", reference: str = "") -> dict[str, Any]:
    return {"height": height, "time": time, "kind": kind, "instrument": instrument, "tonnes": int(tonnes),
            "price_krw": price, "cash_krw": cash, "counterparty": counterparty, "reference": reference}


def _allocations(client: ChainClient, address: str) -> list[dict[str, Any]]:
    return [_row(a.issued_height, a.issued_time, "allocation", a.vintage, a.amount,
                 reference=f"plan {a.plan_hash[:12]}… (proposal #{a.proposal_id})")
            for a in allocations.allocations(client, address).itertuples()]


def _fills(client: ChainClient, address: str, reader: Signer) -> list[dict[str, Any]]:
    rows = []
    for f in trading.fills(client, address, reader).itertuples():
        sign = 1 if f.side == "buy" else -1
        rows.append(_row(f.height, f.time, f"auction {f.side}" if f.auction else f"exchange {f.side}", f.instrument,
                         sign * f.quantity, price=f.price, cash=-sign * f.value_krw,
                         counterparty=f.counterparty_name or f.counterparty, reference=f"order #{f.order_id}"))
    return rows


def _block_trades(client: ChainClient, address: str, reader: Signer) -> list[dict[str, Any]]:
    rows = []
    for b in blocktrades.block_trades(client, address, reader).itertuples():
        if b.status != "settled":
            continue
        bought = b.buyer == address
        other = b.seller_name if bought else b.buyer_name
        price = None if pd.isna(b.price) else int(b.price)
        rows.append(_row(b.closed_height, b.closed_time, f"block trade {'buy' if bought else 'sell'}", b.instrument,
                         b.quantity if bought else -b.quantity, price=price, counterparty=other,
                         reference=f"block trade #{b.trade_id} (cash settled by the banks)"))
    return rows


def transfer_record(client: ChainClient, address: str, reader: Signer) -> list[dict[str, Any]]:
    """Every entry of the account's transfer record, oldest first, read ``RECORD_PAGE`` at a time."""
    entries: list[dict[str, Any]] = []
    while True:
        page = client.query(f"/transfers/{address}?from={len(entries) + 1}&limit={RECORD_PAGE}", reader=reader)
        entries += page["entries"]
        if not page["entries"] or len(entries) >= page["count"]:
            return entries


def _record(client: ChainClient, address: str, reader: Signer, by_address: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for e in transfer_record(client, address, reader):
        kind = _KINDS.get(e["kind"], e["kind"])
        two_sided = e["kind"] in _TWO_SIDED
        rows.append(_row(e["height"], to_kst(e["time"]), f"{kind} {e['direction']}" if two_sided else kind,
                         e["instrument"], e["amount"] if e["direction"] == "in" else -e["amount"],
                         counterparty=by_address.get(e["counterparty"], e["counterparty"]),
                         reference=e["reference"] or f"transfer record #{e['seq']}"))
    return rows


def movements(client: ChainClient, address: str, reader: Signer) -> pd.DataFrame:
    """Every movement listed above, oldest first (rows without a block height last)."""
    rows = (_allocations(client, address) + _fills(client, address, reader) + _block_trades(client, address, reader)
            + _record(client, address, reader, names(client)))
    df = ints(frame(rows, STATEMENT_COLUMNS), ["height", "price_krw", "cash_krw"], nullable=True)
    df = ints(df, ["tonnes"])
    order = df.assign(_h=df["height"].fillna(2**62)).sort_values(["_h", "kind", "reference"], kind="stable")
    return order.drop(columns="_h").reset_index(drop=True)


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Times as KST text (spreadsheets know no time zones), missing numbers empty."""
    out = df.copy()
    out["time"] = [t.strftime("%Y-%m-%d %H:%M:%S KST") if isinstance(t, pd.Timestamp) else "" for t in out["time"]]
    return out


def to_csv(df: pd.DataFrame) -> bytes:
    return _plain(df).to_csv(index=False).encode("utf-8-sig")  # the BOM lets spreadsheet programs read Korean names


def to_excel(df: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _plain(df).to_excel(writer, index=False, sheet_name="statement")
    return buffer.getvalue()
