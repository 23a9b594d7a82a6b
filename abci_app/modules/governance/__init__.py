"""m-of-n governance: officials propose governed actions, approve or reject them.

A proposal executes at the m-th approval (m = ``params.approvals_required``), inside the
approving transaction: the action succeeds as a whole or the approval fails with its code.
The proposer's own approval counts once; each official votes once; a proposal closes as
rejected once m approvals can no longer be reached, and expires after
``params.proposal_ttl_seconds`` of block time. The governed actions themselves are declared by
the modules that own them (``GovernedAction``) and looked up in the assembled registry.

Writes (``keys.py``)::

    prop/<id:012d>   {"id","action","proposer","created","expires_time","approvals","rejections","status",...}
    seq/proposal     last proposal id
"""
