"""Allocation plans: upload in chunks, seal by hash, issue as e-orders in one batch.

A government official opens a plan (its hash, header and number of lines), then sends its
lines in order, in chunks. The chain folds each line into the running hash exactly as
``protocol.plan_format`` defines it; when the last line arrives the result must equal the
declared plan hash, and the plan is *sealed*. Issuing is a governed action (``issue_plan``):
at the m-th approval the whole batch is checked (every company registered, supply within the
limit) and queued; its lines are credited to the companies at the end of that block and the
next ones, at most ``issuance.ISSUE_LINES_PER_BLOCK`` per block, until the plan is *issued*.

Writes (``keys.py``; credits ``bal/`` and ``supply/`` through the ledger's keys)::

    plan/<hash>                      {"header", "lines", "received", "acc", "last", "proposer", "opened",
                                      "status": uploading|sealed|issuing|issued|rejected, "issued_lines", ...}
    issuequeue                       plans approved and still being credited, oldest first
    planchunk/<hash>/<end:07d>       [[company_id, vintage, amount], ...]: the lines of one uploaded chunk,
                                      keyed by the index after its last line (one key per chunk, not per line)
    alloc/<address>/<hash>/<vintage> tonnes issued to that company by that plan (its e-orders)
    eorder/<hash>                    audit record of the batch issue (proposal, approvals, approval and
                                      completion heights and times)
"""
