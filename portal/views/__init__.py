"""The portal's pages, one module each, every one exposing ``render()``.

    account.py        log in / log out                      everyone
    transparency.py   emissions by sector and company       public
    allocations.py    published allocation results          public
    plan_review.py    review, approve or reject a plan      government
    proposals.py      governed proposals and their votes    government
    my_allocation.py  the company's allocation, e-orders    company
    my_holdings.py    the company's holdings (signed query) company
    devices.py        registered devices per company        verifier, government
    market.py         chain market data + historical KRX    public
    trading.py        orders, cash, fills                   company
    block_trades.py   sealed OTC trades                     company, government
    account_security.py representatives, four eyes, limits  company, its representatives
    auctions.py       auction calendar, results; bids       public; the bid form: company
    stabilisation.py  daily triggers, measures              public
    inbox.py          tasks waiting for an official         government (its landing page)
    transfer.py       transfer allowances, account controls company
    statement.py      every movement, CSV and Excel         company

Restricted pages call ``portal.session.require_role`` first: hiding a page in the navigation
is not what protects it. A page never imports another page: what pages share lives in
``portal.data`` (reads), ``portal.cache`` (caching), ``portal.submit`` (sending a transaction)
and ``portal.ui`` / ``portal.charts`` (display).
"""

__all__: list[str] = []
