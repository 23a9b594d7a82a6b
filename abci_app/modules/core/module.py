"""The core's descriptor: the pipeline's codes (envelope, signature, nonce, role, generic refusals), its keys and paths."""

from __future__ import annotations

from protocol.codes import Code

from .. import Module, Query, StateRead, private
from . import keys, queries

MODULE = Module(
    name="core",
    summary="the pipeline: envelopes, signatures, nonces, roles; parameters; tx results",
    queries=(
        Query("params", queries.params, "/params", "chain parameters"),
        Query("nonce", queries.nonce, "/nonce/<addr>", '{"nonce": next nonce} (private: a nonce shows activity)',
              private("government", what="nonces")),
        Query("tx", queries.tx, "/tx/<hash hex>", "height, index, code, log, type, signer, data; of a private tx only "
              "for its signer or government (signed query)"),
    ),
    codes=frozenset({
        Code.OK, Code.MALFORMED_TX, Code.WRONG_CHAIN_ID, Code.UNKNOWN_SIGNER, Code.BAD_SIGNATURE, Code.NONCE_REPLAYED,
        Code.NONCE_AHEAD, Code.UNKNOWN_MESSAGE, Code.INVALID_MESSAGE, Code.UNAUTHORIZED, Code.UNKNOWN_ACCOUNT,
        Code.INVALID_RECIPIENT, Code.BLOCK_FULL, Code.NOT_FOUND, Code.BAD_QUERY, Code.NOT_SUPPORTED,
        Code.MALFORMED_REQUEST, Code.INTERNAL, Code.NOT_A_CLIENT_TX, Code.OBSERVER_ONLY_PUBLIC, Code.CHECK_BACKLOG,
    }),
    code_range=range(100, 200),
    keys=keys.PREFIXES,
    state_reads=(StateRead(keys.NONCES, private("government", what="nonces")), StateRead(keys.PARAMS)),
)
