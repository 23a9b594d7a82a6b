"""Read access to committed state through ``abci_query``: routing, read rules, signed queries.

Each module declares its query paths with their read rules (``abci_app/modules/<domain>/module.py``;
the table of every path and who may read it is in ``abci_app/rules.py``). This file is the shared
machinery: it finds the route for a path (its first segment, or its first two for grouped paths
such as ``/market/depth/<instrument>``), applies the route's read rule, runs its answer and seals
the answer of a signed query.

Private paths need ``data`` = a signed query (``protocol.codec``, ``ETSQ`` envelope) whose
reader is entitled and whose path equals the requested path. A signed query is good once, on
this node, for ``query_max_age_seconds`` (at most 30) after its ``issued_at`` by this node's
clock, and is refused if dated more than ``QUERY_FUTURE_SKEW`` seconds ahead. Its answer is
sealed to the query's own ``reply_key`` (``protocol.replies``): whoever captured the query and
sends it again, here or to another node, gets bytes only the reader can open. Refusals carry
nothing private. Queries are not consensus: the node's clock and memory may decide here.

``/state/<key>`` reads one raw state key with its proof (``protocol.smt``), at the latest height
or, with the request's ``height``, at any past height this node keeps (``state.History``). Who
may read a key is declared by its module (``StateRead``: public, or the account named in the key
plus some roles, with a signed query). The answer is canonical JSON ``{"key", "height",
"value" (base64, null when absent), "blind" (hex)}`` (sealed for a signed query) and the proof
is one ``ProofOp`` of type ``ets:smt:v1``; it is checked against the app hash in the header of
``height + 1`` (``ets verify``). JSON paths read many keys and scans, and carry no proof.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Callable

from protocol.codec import canonical_json, CodecError, decode_envelope, sign_digest
from protocol.codes import Code
from protocol.ed25519 import verify as verify_signature
from protocol.replies import seal_reply
from protocol.messages.access import EVERY_ACCOUNT

from .modules import Query, QueryRequest, ReadRule
from .modules.access.queries import require_record
from .modules.accounts import keys as account_keys
from .modules.core import keys as core_keys
from .modules.custody.signers import representative_signer
from .query_args import Denied, address_arg, first_arg, json_at
from .rules import CHAIN
from .state import Store

__all__ = ["QueryResult", "QueryGate", "QUERY_FUTURE_SKEW", "run_query"]

QUERY_FUTURE_SKEW = 5  # seconds a signed query may be dated ahead of this node's clock


@dataclass(frozen=True)
class QueryResult:
    code: int
    value: bytes = b""
    log: str = ""
    height: int | None = None  # the height whose state answered (None: the latest)
    key: bytes = b""
    proof: bytes = b""  # a protocol.smt proof, for /state/<key>


class QueryGate:
    """This node's memory of the signed queries it answered, so each is answered once.

    ``clock`` gives this node's time in unix seconds. Digests are forgotten once their query is
    too old to be accepted anyway; at most ``capacity`` are kept (the oldest go first)."""

    def __init__(self, clock: Callable[[], float], capacity: int = 100_000):
        self.clock = clock
        self.capacity = capacity
        self._seen: dict[bytes, int] = {}  # digest → issued_at, in arrival order

    def admit(self, digest: bytes, issued_at: int, max_age: int) -> None:
        now = int(self.clock())
        if issued_at > now + QUERY_FUTURE_SKEW:
            raise Denied(Code.BAD_QUERY, f"signed query is dated {issued_at - now}s ahead of this node's clock "
                                         f"(at most {QUERY_FUTURE_SKEW}s allowed); check the reader's clock")
        if issued_at < now - max_age:
            raise Denied(Code.BAD_QUERY, f"signed query is {now - issued_at}s old; it is good for {max_age}s: sign a fresh query")
        if digest in self._seen:
            raise Denied(Code.BAD_QUERY, "this signed query was already answered; sign a fresh query for each read")
        while self._seen:
            oldest, when = next(iter(self._seen.items()))
            if when >= now - max_age - QUERY_FUTURE_SKEW and len(self._seen) < self.capacity:
                break
            del self._seen[oldest]
        self._seen[digest] = issued_at


class _Read:
    """The query's ``data``: the raw bytes, and the signed query once verified."""

    __slots__ = ("raw", "gate", "verified")

    def __init__(self, raw: bytes, gate: QueryGate):
        self.raw, self.gate = raw, gate
        self.verified: tuple[str, str, str, bytes, str] | None = None  # reader, role, reply key, digest, acts for


def _reader(store: Store, path: str, data: _Read) -> tuple[str, str]:
    """Check a signed query; returns (reader address, reader role)."""
    if data.verified is not None:
        return data.verified[0], data.verified[1]
    if not data.raw:
        raise Denied(Code.UNAUTHORIZED, f"{path} is private: send a signed query (ets query --key NAME ...)")
    try:
        env = decode_envelope(data.raw, query=True)
    except CodecError as exc:
        raise Denied(Code.BAD_QUERY, f"signed query is malformed: {exc}") from None
    if env.chain_id != store.chain_id:
        raise Denied(Code.WRONG_CHAIN_ID, f"signed query is for chain {env.chain_id[:64]!r}")
    if env.msg["path"] != path:
        raise Denied(Code.BAD_QUERY, "signed query was made for another path")
    acct = json_at(store, account_keys.account(env.signer)) or representative_signer(store.get, env.signer)
    if acct is None:
        raise Denied(Code.UNKNOWN_SIGNER, f"reader {env.signer} is not a registered account")
    digest = sign_digest(env.body, query=True)
    if not verify_signature(bytes.fromhex(acct["public_key"]), env.signature, digest):
        raise Denied(Code.BAD_SIGNATURE, "signed query signature does not match the reader's key") from None
    data.gate.admit(digest, env.nonce, json_at(store, core_keys.PARAMS)["query_max_age_seconds"])
    data.verified = (env.signer, acct["role"], env.msg["reply_key"], digest, acct.get("account", env.signer))
    return env.signer, acct["role"]


def _acts_for(data: _Read, address: str) -> bool:
    """Whether the verified reader is ``address`` itself or one of its representatives (modules/custody)."""
    return data.verified is not None and address in (data.verified[0], data.verified[4])


def _admit(rule: ReadRule, request: QueryRequest, data: _Read) -> None:
    """Apply a route's read rule; for a private path, sets the account it names as ``request.subject``."""
    if rule.public:
        return
    if rule.listing and (not request.args or not request.args[0]):
        reader, role = _reader(request.store, request.path, data)
        if role not in rule.roles:
            raise Denied(Code.UNAUTHORIZED, rule.listing)
        if role == "government" and rule.audited:
            require_record(request.store, reader, EVERY_ACCOUNT, request.path)
        return
    address = address_arg([first_arg(request.args)] if rule.query_string and len(request.args) == 1 else request.args)
    reader, role = _reader(request.store, request.path, data)
    if not _acts_for(data, address) and role not in rule.roles:
        raise Denied(Code.UNAUTHORIZED, f"{rule.what} are confidential: only the account itself and "
                                        f"{', '.join(sorted(rule.roles))} may read them")
    if reader != address and role == "government" and rule.audited:
        require_record(request.store, reader, address, request.path)
    request.subject = address


_GROUPS = {route.partition("/")[0] for route in CHAIN.routes if "/" in route}


def _route(path: str) -> tuple[Query | None, list[str], str]:
    """(the route's query or None, the segments after it, the first segment)."""
    parts = path.strip("/").split("/")
    head = parts[0].partition("?")[0]
    if head in _GROUPS and len(parts) > 1:
        grouped = CHAIN.routes.get(f"{head}/{parts[1].partition('?')[0]}")
        if grouped is not None:
            return grouped, parts[2:], head
    return CHAIN.routes.get(head), parts[1:], head


MAX_STATE_KEY = 512  # characters of a key asked through /state/


def _state_query(store: Store, path: str, data: bytes, height: int, gate: QueryGate) -> QueryResult:
    """One raw key with its proof, at the latest or a kept past height."""
    key = path.strip("/").partition("/")[2]
    try:
        if not key or len(key) > MAX_STATE_KEY:
            raise Denied(Code.BAD_QUERY, f"expected /state/<key> with a key of 1 to {MAX_STATE_KEY} characters")
        rule = CHAIN.state_read(key)
        if rule is None:
            raise Denied(Code.BAD_QUERY, f"state key {key[:80]!r} cannot be read raw: no module declares its prefix "
                                         "readable; use the query path of its module")
        read = _Read(data, gate)
        if not rule.read.public:
            segments = key.split("/")
            owner = segments[rule.owner] if len(segments) > rule.owner else ""
            reader, role = _reader(store, path, read)
            if not _acts_for(read, owner) and role not in rule.read.roles:
                raise Denied(Code.UNAUTHORIZED, f"{rule.read.what} are confidential: only the account itself and "
                                                f"{', '.join(sorted(rule.read.roles))} may read them")
            if reader != owner and role == "government" and rule.read.audited:
                require_record(store, reader, owner, path)
        at = store.height if height == 0 else height
        if at > store.height or at < 0:
            raise Denied(Code.BAD_QUERY, f"height {at} is not committed yet (the latest is {store.height})")
        try:
            value, blind, proof = store.prove(key, at)
        except LookupError:
            kept = store.kept_heights()
            window = store.history.window
            raise Denied(Code.NOT_FOUND, f"the state of height {at} is not kept on this node: it keeps heights "
                                         f"{max(kept[0], store.height - window)}..{store.height} and every "
                                         f"{store.history.checkpoint}-th height from {kept[0]}") from None
        answer = canonical_json({"key": key, "height": at, "blind": blind.hex(),
                                 "value": None if value is None else base64.b64encode(value).decode()})
        if read.verified is not None:
            answer = seal_reply(answer, read.verified[2], read.verified[3])
        return QueryResult(Code.OK, answer, height=at, key=key.encode(), proof=proof.encode())
    except Denied as exc:
        return QueryResult(exc.code, log=exc.log)


def run_query(store: Store, path: str, data: bytes, height: int, gate: QueryGate, prove: bool = False) -> QueryResult:
    """Answer ``path``; the answer to a verified signed query is sealed to its reply key."""
    if not store.initialized:
        return QueryResult(Code.NOT_FOUND, log="the chain has not started yet")
    query, args, head = _route(path)
    if head == "state":
        return _state_query(store, path, data, height, gate)
    if height not in (0, store.height):
        return QueryResult(Code.BAD_QUERY, log=f"only the latest height ({store.height}) can be queried here; "
                                               "a past height's state is read key by key at /state/<key>")
    if prove:
        return QueryResult(Code.BAD_QUERY, log="prove=true is answered for /state/<key>: a JSON path reads many keys "
                                               "and carries no proof")
    if query is None:
        if head in _GROUPS:
            paths = [q.path for route, q in CHAIN.routes.items() if route.startswith(head + "/")]
            return QueryResult(Code.BAD_QUERY, log=f"expected {', '.join(paths)}")
        return QueryResult(Code.BAD_QUERY, log=f"unknown query path {path[:80]!r}; known: /state/<key>, "
                                               f"/{', /'.join(sorted(CHAIN.routes))}")
    try:
        read = _Read(data, gate)
        request = QueryRequest(store, path, args, reader=lambda: _reader(store, path, read), signed=bool(data))
        _admit(query.read, request, read)
        value = canonical_json(query.answer(request))
        if read.verified is not None:
            value = seal_reply(value, read.verified[2], read.verified[3])
        return QueryResult(Code.OK, value)
    except Denied as exc:
        return QueryResult(exc.code, log=exc.log)
