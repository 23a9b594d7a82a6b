"""Account security, EU-registry style: representatives, four eyes, the trusted-account list, transfer limits.

Who acts. A company account's own key is its **holder**. The holder admits **representatives**
(``custody_representative``): each is a key of its own, named by its address (SHA-256(key)[:20], as
an account's) and stored as ``cust/rep/<rep>`` with the one account it acts for and its rights:
``initiate`` (start a transfer out, propose a trusted account), ``approve`` (confirm another person's
transfer or trusted-list addition) or none (read-only). The pipeline (``rules.Executor``) and the
query gate (``abci_app.query``) look a signer up in the participant registry first and then here
(``signers.representative_signer``): a representative signs with its own key and its own nonces (so
its txs never replay, even after it is removed and admitted again), under the pseudo-role
``representative`` that the rules allow for the custody messages only; the handlers then check its
rights for its account (``records.actor``). A key that is a registered account, or another account's
representative, is refused. A representative reads its account's private paths by signed query, as
the account itself does.

When changes apply. Whatever tightens protection applies at once: fewer rights, removal of a
representative (its waiting transfers are cancelled), four eyes on, a lower limit, removal from the
trusted list. Whatever loosens it waits ``custody_delay_seconds`` of block time (default 4 days, the
EU's 4 business days) and can be cancelled meanwhile by sending the current settings again: new
rights, four eyes off, a higher or no limit, an addition to the trusted list. The trusted list needs
two people: one (holder or representative with a right) adds, a *second* representative with the
approve right confirms, and the delay runs from the confirmation; ``cancel`` withdraws an addition not
yet in effect, ``remove`` deletes at once. Scheduled changes are stored with their time and read
lazily, so no hook applies them.

Transfers out. An account enters custody with its first representative, settings or trusted-list
message; an account that never sent one keeps working exactly as before (no record, no caps, no extra
state; its ``custody_transfer`` executes at once, uncapped). Under custody:

- with four eyes, the ledger's ``transfer`` is refused (``FOUR_EYES_REQUIRED``); ``custody_transfer``
  by the holder or an initiator holds the tonnes (``held/``: they cannot be spent twice) and waits;
  a *different* representative with the approve right executes it with ``custody_approve``; its
  initiator, an approver or the holder may ``custody_cancel`` it; after ``custody_transfer_ttl_seconds``
  (default 7 days) it expires at the end of a block and the tonnes return (at most 1,000 a block);
- without four eyes, ``transfer`` and ``custody_transfer`` execute at once;
- a transfer to an account not (yet) trusted moves at most the lowest of the central cap
  ``custody_untrusted_cap`` (2,000,000 t, EU 2023), the account's own per-transaction limit and what
  is left of its daily, weekly and monthly limits (KST day, Monday week, calendar month): the lowest
  wins. The caps are checked when a waiting transfer is initiated and again when it executes, and it
  counts against the windows when it executes. Transfers to trusted accounts are not capped.

An executed custody transfer (at once or at its approval) gets an entry in the transfer records of both
accounts (``transfers/journal.py``, ``/transfers/<addr>``), as a plain transfer does.

Surrender is never limited: it is compliance's own message, not a transfer, and nothing here touches
it. Sell orders and block trades are the market's and are not limited here.

Exposure. Every custody message is private (``protocol.exposure``); the records are the account's and
its representatives' to read (``/custody/<addr>``, ``/representative/<addr>``, raw keys with the
account in segment 2), and the regulator's through an access record (``modules.access``). No event
is emitted, not even by the expiry hook.

Clients: ``ets custody`` (``ets_tools/cli_custody.py``, helpers in ``ets/custody.py``) and the portal's
Account security page, where representatives log in with their own keys.

Keys (``keys.py``)::

    cust/acct/<addr>            settings, scheduled loosening, open transfer ids, counters
    cust/rep/<rep>              a representative: account, public key, name, rights, scheduled rights
    cust/reps/<addr>/<rep>      the account's representatives (an index)
    cust/trust/<addr>/<other>   a trusted-list entry: proposed, waiting (from) or in effect
    cust/usage/<addr>           tonnes sent to untrusted accounts in the current day, week, month
    cust/xfer/<addr>/<id>       a custody transfer and how it ended
    cust/exp/<minute>[/<slot>]  expiry slots of a minute of block time (``expiry.py``); cust/expcursor where the
                                end-of-block walk resumes
"""
