"""Government auctions (유상할당, DOMAIN.md "Auctions"): the calendar, sealed bids, clearing and settlement.

The calendar is published on chain in advance by a governed action (``schedule_auctions``, m-of-n) and
amended by notice (``amend_auction``) until an auction opens; monthly auctions on the 2nd Wednesday
13:00-14:00 KST are what ``ets auction calendar`` proposes. At the first block at or after ``opens`` the
chain fixes the reserve price from its own daily bars ((3-month + last-month + 3-day average) / 3, to
the tick: ``abci_app.market.allowance_auction``) and publishes it with its inputs.

Bids are private txs (``protocol.exposure``): sealed to the validators and the regulator, their state
unreadable to the public, so nobody sees a price, a quantity, a bidder or the number of bids before the
close. A bid escrows price × tonnes KRW from the company's cash (the market's ``cash/`` → ``cashheld/``
pockets); cancelling it before the close releases the escrow. Each company's open bids stay within the
per-bidder cap (``auction_bidder_cap_bps``, 15% of the volume).

At the first block at or after ``closes`` (end-block hook) the bids clear: filled from the highest price
down, one uniform price (the lowest winning bid), pro rata in whole tonnes at the margin with the rounding
remainder by bid sequence, no bidder above the cap. Settlement is delivery versus payment in that block:
allowances are issued to the winners (supply rises), the KRW goes to the government (``auc/treasury``,
out of the market's cash supply), excess escrow returns. Unsold tonnes roll to the instrument's next
auction. The result is public without names; each company reads its own bids and allocation with a
signed query (``/auction/bids/<addr>``). Reserve auctions of the market-stabilisation reserve are added
to the calendar by a stabilisation measure (``abci_app.modules.stabilisation``); what they do not sell
returns to the reserve.

Writes (``keys.py``)::

    auc/auction/<id:06d>           public: {"id","instrument","opens","closes","volume","carried_in","source",
                                   "status","reserve_price","reserve_inputs","result",...}
    auc/seq  auc/pending           public: the last id; ids not yet settled
    auc/carry/<instrument>         public: unsold tonnes waiting for the instrument's next auction
    auc/treasury  auc/reserveused  public: KRW paid to the government; reserve tonnes put up
    auc/bids/<id>/<n:06d>          private (no raw read): a sealed bid; auc/nbids/<id> the count
    auc/mine/<addr>/<id:06d>       private (the company and the regulator): its bids, escrow, allocation
    cash/ cashheld/ cashsupply     the market's cash pockets (escrow, refunds, payment)
    bal/ supply/                   the ledger (allowances issued to the winners)
"""
