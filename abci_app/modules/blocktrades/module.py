"""The block trades' descriptor: view keys, propose/accept/cancel, the private and the aggregate paths."""

from __future__ import annotations

from protocol.codes import Code
from protocol.constants import ROLES
from protocol.messages.blocktrades import BlockTradeAccept, BlockTradeCancel, BlockTradePropose, SetViewKey

from .. import MessageRule, Module, Query, StateRead, private
from . import handlers, keys, queries
from .events import VIEW_KEY

MODULE = Module(
    name="blocktrades",
    summary="block (OTC) trades: quantity on chain, price sealed to the parties and the regulator",
    messages=(
        MessageRule(SetViewKey, ROLES, handlers.handle_set_view_key, "publish the X25519 key sealed prices go to",
                    events=(VIEW_KEY,)),
        MessageRule(BlockTradePropose, {"company"}, handlers.handle_block_trade_propose,
                    "OTC trade: quantity in clear, price sealed to the parties + regulator, hash commitment; seller holds"),
        MessageRule(BlockTradeAccept, {"company"}, handlers.handle_block_trade_accept,
                    "allowances move; the public sees daily aggregates only", who="counterparty"),
        MessageRule(BlockTradeCancel, {"company"}, handlers.handle_block_trade_cancel,
                    "proposer cancels or counterparty declines", who="a party"),
    ),
    queries=(
        Query("block_trades", queries.block_trades, "/block_trades[/<addr>]", "block trades with sealed prices",
              private("government", what="block trades", listing="the list of all block trades is for the regulator only")),
        Query("market/block_volume", queries.block_volume, "/market/block_volume/<instrument>",
              "settled block trades per day: count, tonnes (aggregates only)"),
    ),
    codes=frozenset({Code.MISSING_VIEW_KEY, Code.BLOCK_TRADE_OUT_OF_BAND, Code.PRICE_OPENING_MISMATCH}),
    code_range=range(800, 900),
    keys=keys.PREFIXES,
    state_reads=(StateRead(keys.VIEW_KEYS), StateRead(keys.DAILY_AGGREGATES)),  # view keys and the daily aggregates are public
)
