"""A block outcome (``protocol.outcome``) as CometBFT's FinalizeBlock results: the same for a validator,
which executed the block, and for an observer node, which reads them from the outcome."""

from __future__ import annotations

from protocol.codes import Code
from protocol.outcome import Outcome

from .proto import abci

__all__ = ["PRIVATE_RESULT", "OUTCOME_RESULT", "abci_events", "abci_results", "PlainRequests"]

PRIVATE_RESULT = abci.ExecTxResult(code=Code.OK)  # no log, data or events: nothing of a private tx is public
OUTCOME_RESULT = abci.ExecTxResult(code=Code.OK)  # the outcome tx's own result


def abci_events(events) -> list[abci.Event]:
    """(type, ((key, value, indexed), ...)) pairs as ABCI events."""
    return [abci.Event(type=kind, attributes=[abci.EventAttribute(key=k, value=v, index=i) for k, v, i in attributes])
            for kind, attributes in events]


def abci_results(outcome: Outcome) -> list[abci.ExecTxResult]:
    """One result per tx of the block, the outcome's own last."""
    results = []
    for r in outcome.results:
        if r is None:
            results.append(PRIVATE_RESULT)
        else:
            results.append(abci.ExecTxResult(code=r.code, log=r.log, data=r.data, codespace=r.codespace,
                                             events=abci_events(r.events)))
    results.append(OUTCOME_RESULT)
    return results


class PlainRequests:
    """The ABCI requests a validator's app and an observer's answer alike (no state involved)."""

    def echo(self, req):
        return abci.ResponseEcho(message=req.message)

    def flush(self, req):
        return abci.ResponseFlush()

    def extend_vote(self, req):
        return abci.ResponseExtendVote(vote_extension=b"")

    def verify_vote_extension(self, req):
        ok = not req.vote_extension
        return abci.ResponseVerifyVoteExtension(
            status=abci.ResponseVerifyVoteExtension.ACCEPT if ok else abci.ResponseVerifyVoteExtension.REJECT)

    def insert_tx(self, req):
        return abci.ResponseInsertTx(code=Code.NOT_SUPPORTED)

    def reap_txs(self, req):
        return abci.ResponseReapTxs()
