"""The emissions market on chain: KRW cash accounts, escrowed limit orders, call auctions.

The settlement bank funds and withdraws companies' KRW cash. A company's order first moves
its escrow (cash for a buy: price × quantity; allowances for a sell) from the available to the
held pocket, then enters the book through the market engine (``abci_app.market``): matched at
once in the continuous session, or resting during a call period. Every fill settles delivery
versus payment in the same transaction; a buyer's unused escrow is released. At the session's
transitions (block time, KST) the chain itself uncrosses the opening and closing call
auctions, expires day orders (releasing their escrow) and fixes the next reference price.
Nothing here ever lets a pocket go below zero.

Writes (``keys.py``; allowances through the ledger's ``bal/`` and ``held/``)::

    cash/<addr>                    KRW available;  cashheld/<addr>  KRW held behind buy orders;  cashsupply
    bko/ bkw/ lvl/                 the order book, one key per resting order (``book_state``);  books  instruments
    order/<id:012d>                {"id","owner","instrument","side","price","quantity","remaining","status","placed"}
    ordersby/<owner>/<id:012d>     a company's orders;  fillsby/<addr>/<seq:012d>  its fills
    fill/<seq:012d>                {"seq","instrument","price","quantity","buyer","seller","buy_order","sell_order","height","time"}
    bar/<instrument>/<YYYY-MM-DD>  daily open/high/low/close, volume, value, VWAP, trades
    ref/<instrument>               the reference price for the band (previous close)
    market/clock                   block time of the last block the market saw (from the first order on)
    netsold/<addr>/<instrument>    tonnes sold minus bought (market fills and settled block trades): the
                                   banking limit of the compliance cycle is a multiple of it
    seq/order, seq/fill

A sell order first asks every module's outgoing checks (``modules.check_outgoing``), a buy order every
incoming check (``modules.check_incoming``: holding limits, counting the order). Integrity rules: self-trade
prevention (an order cancels its owner's resting orders it would cross, ``book_state``); a KAU vintage stops
trading at its year's surrender deadline (new orders refused with ``VINTAGE_CLOSED``, its resting orders
cancelled by the begin-block hook, at most 1,000 a block, and no auction for it).
"""
