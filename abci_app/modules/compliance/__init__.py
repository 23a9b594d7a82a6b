"""The compliance cycle: each company surrenders allowances equal to its certified emissions.

    report     the company's annual report = its sites' on-chain daily totals of the year (MRV) + declared
               other sources (method, evidence hash); resending corrects it until certification
    verify     the verification body assigned by the government (governed) issues a statement on the
               current report: verified tonnes, opinion, findings; the document sealed to company + regulator
    certify    the government certifies (governed, m-of-n) the figure that must be surrendered; a
               re-certification keeps the earlier figure in the history; verifier scorecards follow
    surrender  KAU of the year's vintage and KCU within the offset cap, before the deadline (block time);
               borrowing from the next vintage of the phase, banking a surplus (``obligations``)
    settle     at the deadline (end-of-block hook) the year's average market price fixes the penalty per
               tonne; each certified company gets status A or B; B is penalised and blocked for transfers
               out (``check_outgoing``) until the shortfall is surrendered (status D)
    objection  a company objects within the window; officials decide (governed); the decision is an e-order

Writes (``keys.py``)::

    cmp/year/<YYYY>                  calendar (report_due, surrender_due) and settlement (price, penalty/t, cursor)
    cmp/open                         years whose settlement has not finished (listed by the first certification
                                     or deadline notice of the year)
    cmp/report/<addr>/<YYYY>         the report, with earlier versions in "history"
    cmp/assign/<addr>/<YYYY>         the assigned verification body; cmp/byverifier/<v>/<YYYY>/<addr> its index
    cmp/stmt/<addr>/<YYYY>           the verification statement (sealed document, public hash)
    cmp/cert/<addr>/<YYYY>           the certified figure with its history; cmp/certified/<YYYY> the sorted list
    cmp/pos/<addr>/<YYYY>            private: surrendered per instrument, KCU, borrowed, banked
    cmp/result/<addr>/<YYYY>         after the deadline: status, surrendered, shortfall, penalty
    cmp/blocked/<addr>               years whose shortfall blocks transfers out
    cmp/score/<verifier>             the verification body's scorecard
    cmp/retired/<instrument>         tonnes surrendered (cancelled) in total
    cmp/offset/<seq>                 offset issuance and conversion records (cmp/seq/offset)
    cmp/obj/<id>, cmp/eorder/<id>    objections and the e-orders of their decisions (cmp/seq/objection)
    cmp/adjust/<addr>/<YYYY>         allocation true-ups (+) and clawbacks (−) by upheld objections

Surrender, borrowing and banking also write the ledger (``bal/``, ``supply/``) and the company's private transfer
record (``xlog/``, ``transfers/journal.py``).
"""
