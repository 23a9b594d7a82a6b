"""Market makers and holding limits by participant class (DOMAIN.md "Auctions and market makers").

**Participant classes** are set by the governed action ``set_participant_class`` (proposed by an official,
executed at the m-th approval): ``market_maker`` (with the one instrument it must quote), ``third_party`` (a
securities firm trading for itself) or ``company`` (the default; clears a class). Only company-role accounts
hold allowances, so only they get a class. Classes are public: Korea publishes its market makers.

**Holding limits** (params ``holding_limit_market_maker`` 1,500,000 t, ``holding_limit_third_party`` 200,000 t,
``holding_limit_company`` 0 = unlimited) cap what an account holds of all allowance instruments together:

    holding = Σ instruments (available + held) + tonnes of its resting buy orders

The module's incoming check (``modules.check_incoming``) runs wherever allowances would arrive: a buy order
counts its quantity on top (so a fill of an order placed within the limit stays within it), a block trade's
buyer is checked at proposal and at settlement, and ``ledger.move`` checks every credit (transfers in,
issuance, conversions). Refusal: ``HOLDING_LIMIT_EXCEEDED`` with the figures. A limit lowered below what an
account already holds refuses new arrivals only; nothing is taken away.

**Market-maker duty** (params ``mm_max_spread_krw`` 500, ``mm_min_quote_tonnes`` 3,000, ``mm_min_quote_seconds``
1,800) is measured in block time from the book by the end-block hook: after each block, a maker's quote *meets
the duty* when it rests both a bid and an ask in its instrument, its best ask − best bid ≤ the spread, and its
tonnes at its best price on each side ≥ the minimum. The time from one block to the next counts for the KST
day of the earlier block when the quote met the duty at the earlier block's end (the book does not change
between blocks). A day is met when its seconds reach ``mm_min_quote_seconds``; the monthly report is days met /
trading days of the month (the market's schedule). Work per block: two range reads per maker (at most
``MAX_MAKERS``).

Exposure: a maker's quoting record reveals its own orders, which are private, so the day records are private to
the maker and the regulator (``/makers/report/<addr>``: each month, the latest 24); the regulator reads them without an access
record, since the obligation report is addressed to it. The class list is public.

Writes (``keys.py``)::

    mk/class/<addr>            {"class","instrument","since","proposal_id"}    public
    mk/makers                  registered market makers, sorted                public
    mk/day/<addr>/<YYYY-MM-DD> {"seconds","blocks"}                            the maker and the regulator
    mk/quoting/<addr>          {"time","met"} the last measurement             the maker and the regulator
"""
