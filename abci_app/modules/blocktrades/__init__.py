"""Confidential block (OTC, 협의) trades: quantity on chain, price sealed to the parties and the regulator.

One company proposes (its side, the counterparty, instrument, quantity), with the price sealed
for itself, the counterparty and at least one government account (the regulator's view), and a
hash commitment of the price. The counterparty accepts (the allowances move at once) or
declines; the proposer may cancel while it is open. A selling proposer's allowances are held
from the proposal on, so an accepted trade always settles. Cash for block trades is settled by
the parties' banks outside the chain; the chain never sees the price. The public only ever sees
block trades as daily aggregates (count and tonnes per instrument).

Writes (``keys.py``; allowances through the ledger's ``bal/`` and ``held/``, the view key also into ``acct/``)::

    viewkey/<addr>                  the account's X25519 view key (hex); also shown in its record
    blocktrade/<id:012d>            {"id","proposer","counterparty","seller","buyer","instrument","quantity",
                                     "price_commitment","sealed_price","status","proposed",...}
    btby/<addr>/<id:012d>           a party's block trades;  seq/blocktrade
    blockagg/<instrument>/<day>     {"trades","volume"} of settled block trades (public)
"""
