"""The portal's one data layer: what the chain holds, as pandas DataFrames or small frozen records.

Every read is a pure function of an ``ets.rpc.ChainClient`` and its arguments: it goes through
``abci_query`` (never a database file) and imports nothing of Streamlit, so the pages cache the
public ones (``portal.cache.cached``) and notebooks call them directly::

    from ets.rpc import ChainClient
    from portal.data import emissions
    emissions.emissions_by_sector(ChainClient("http://127.0.0.1:26657"), "month")

    module        owns                                                         who may read
    chain         chain id and latest block, chain parameters                  public
    registry      accounts, companies, sensor devices, published view keys     public
    emissions     daily records, monthly / yearly sums per company and sector  public
    allocations   plans, plan lines, e-orders, allocations per company         public
    compliance    the compliance table, scorecards, queue, objections, reports public; a company's position:
                                                                               the company, the regulator
    governance    proposals and their votes                                    public
    decisions     the government's approve / reject of a plan (as a message)   government sends
    market        market rules, instruments, depth, trades, bars, block volume public
    holdings      balances, holdings (available / held), KRW cash              holder, regulator (bank: cash)
    trading       a company's orders and fills                                 the company, the regulator
    blocktrades   sealed block trades, opened with the reader's view key;      a party, the regulator
                  the sealed proposal a company sends
    custody       account security: whom a key acts for, representatives,     the account, its representatives
                  trusted list, waiting and latest transfers
    verified      balances and daily totals proven against a header the        as the value proven
                  validators signed (light client), compared with what is shown

Public reads carry the ``@public`` mark (``_base.public``): only those may be cached across
sessions. Private reads take ``reader`` (the signer of the query) and are never cached.
Messages are built from ``protocol.messages`` classes; senders sign ``msg.to_json()``.

Units: emissions in whole kilograms (``total_kg``; ``total_t`` in tonnes for display), allowances
in whole tonnes, prices in whole KRW per tonne. Times are block times, shown in KST.
"""

from . import allocations, blocktrades, chain, compliance, decisions, emissions, governance, holdings, market, registry, trading, verified
from ._base import is_public, public, to_kst

__all__ = ["allocations", "blocktrades", "chain", "compliance", "decisions", "emissions", "governance", "holdings", "market",
           "registry", "trading", "verified", "public", "is_public", "to_kst"]
