"""Read access to committed state through ``abci_query``, with confidentiality rules.

    path                     who may read                          value (canonical JSON)
    /params                  anyone                                chain parameters
    /account/<addr>          anyone (the participant registry)     role, name, public key, since
    /nonce/<addr>            anyone                                {"nonce": next nonce}
    /supply                  anyone (market aggregate)             {instrument: tonnes issued}
    /proposal/<id>           anyone (governance is public)         proposal record with votes
    /proposals               anyone                                the latest 200 proposals
    /tx/<hash hex>           anyone                                height, index, code, log, type, signer
    /balances/<addr>         the holder or a government official   {instrument: tonnes}
    /accounts?role=R         anyone (the participant registry)     [{address, role, name, ...}]
    /devices?company=A       anyone                                the company's registered devices
    /emissions/daily?device=D|company=C[&site=S][&from=YYYY-MM-DD&to=YYYY-MM-DD]   daily records
    /emissions/monthly?company=C|sector=S[&from=YYYY-MM&to=YYYY-MM]            monthly sums (kg)
    /emissions/yearly?company=C|sector=S                                      yearly sums (kg)
    /emissions/sectors?from=YYYY-MM&to=YYYY-MM   every sector's monthly sums (public statistics)
    /emissions/companies?from=YYYY-MM&to=YYYY-MM every company's monthly sums
    /plans                   anyone (allocations are published)    plan records (latest 200)
    /plan/<hash>             anyone                                plan record
    /plan_lines/<hash>?offset=N&limit=M   anyone                   [[company_id, vintage, amount], ...]
    /eorder/<hash>           anyone                                audit record of the batch issue
    /allocations/<addr>      anyone                                {plan hash: {vintage: tonnes}}
    /cash/<addr>             the holder, the bank, the regulator   {"available", "held"} KRW
    /orders/<addr>           the owner or the regulator            the company's orders
    /fills/<addr>            a party or the regulator              its fills, with prices and counterparties
    /market/instruments      anyone                                instruments, reference price, phase, best bid/ask
    /market/depth/<inst>     anyone (aggregated, no owners)        {"bids": [[price, tonnes]], "asks": [...]}
    /market/trades/<inst>    anyone (no counterparties)            latest trades: price, tonnes, height, time
    /market/bars/<inst>      anyone                                daily open/high/low/close/volume/VWAP
    /market/block_volume/<inst>  anyone (aggregates only)          settled block trades per day: count, tonnes
    /block_trades/<addr>     a party or the regulator              its block trades with sealed prices
    /block_trades            the regulator                         every block trade with sealed prices
    /holdings/<addr>         the holder or the regulator           {instrument: {"available", "held"}} tonnes

Private paths need ``data`` = a signed query (``protocol.codec``, ``ETSQ`` envelope) whose
reader is entitled and whose path equals the requested path. A signed query is good once, on
this node, for ``query_max_age_seconds`` (at most 30) after its ``issued_at`` by this node's
clock, and is refused if dated more than ``QUERY_FUTURE_SKEW`` seconds ahead. Its answer is
sealed to the query's own ``reply_key`` (``protocol.replies``): whoever captured the query and
sends it again, here or to another node, gets bytes only the reader can open. Refusals carry
nothing private. Queries are not consensus: the node's clock and memory may decide here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import parse_qsl

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from protocol.codec import canonical_json, CodecError, decode_envelope, is_address, sign_digest
from protocol.replies import seal_reply

from protocol.codes import Code
from .state import Store

__all__ = ["QueryResult", "QueryGate", "QUERY_FUTURE_SKEW", "run_query"]

QUERY_FUTURE_SKEW = 5  # seconds a signed query may be dated ahead of this node's clock


@dataclass(frozen=True)
class QueryResult:
    code: int
    value: bytes = b""
    log: str = ""


def _json(store: Store, key: str) -> Any:
    raw = store.get(key)
    return None if raw is None else json.loads(raw)


class _Denied(Exception):
    def __init__(self, code: Code, log: str):
        super().__init__(log)
        self.code, self.log = code, log


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
            raise _Denied(Code.BAD_QUERY, f"signed query is dated {issued_at - now}s ahead of this node's clock "
                                          f"(at most {QUERY_FUTURE_SKEW}s allowed); check the reader's clock")
        if issued_at < now - max_age:
            raise _Denied(Code.BAD_QUERY, f"signed query is {now - issued_at}s old; it is good for {max_age}s: sign a fresh query")
        if digest in self._seen:
            raise _Denied(Code.BAD_QUERY, "this signed query was already answered; sign a fresh query for each read")
        while self._seen:
            oldest, when = next(iter(self._seen.items()))
            if when >= now - max_age - QUERY_FUTURE_SKEW and len(self._seen) < self.capacity:
                break
            del self._seen[oldest]
        self._seen[digest] = issued_at


class _Read:
    """What a route receives as ``data``: the raw bytes, and the signed query once verified."""

    __slots__ = ("raw", "gate", "verified")

    def __init__(self, raw: bytes, gate: QueryGate):
        self.raw, self.gate = raw, gate
        self.verified: tuple[str, str, str, bytes] | None = None  # reader, role, reply key, digest


def _reader(store: Store, path: str, data: _Read) -> tuple[str, str]:
    """Check a signed query; returns (reader address, reader role)."""
    if data.verified is not None:
        return data.verified[0], data.verified[1]
    if not data.raw:
        raise _Denied(Code.UNAUTHORIZED, f"{path} is private: send a signed query (ets query --key NAME ...)")
    try:
        env = decode_envelope(data.raw, query=True)
    except CodecError as exc:
        raise _Denied(Code.BAD_QUERY, f"signed query is malformed: {exc}") from None
    if env.chain_id != store.chain_id:
        raise _Denied(Code.WRONG_CHAIN_ID, f"signed query is for chain {env.chain_id[:64]!r}")
    if env.msg["path"] != path:
        raise _Denied(Code.BAD_QUERY, "signed query was made for another path")
    acct = _json(store, f"acct/{env.signer}")
    if acct is None:
        raise _Denied(Code.UNKNOWN_SIGNER, f"reader {env.signer} is not a registered account")
    digest = sign_digest(env.body, query=True)
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(acct["public_key"])).verify(env.signature, digest)
    except InvalidSignature:
        raise _Denied(Code.BAD_SIGNATURE, "signed query signature does not match the reader's key") from None
    data.gate.admit(digest, env.nonce, _json(store, "params")["query_max_age_seconds"])
    data.verified = (env.signer, acct["role"], env.msg["reply_key"], digest)
    return env.signer, acct["role"]


def _address_arg(args: list[str]) -> str:
    if len(args) != 1 or not is_address(args[0]):
        raise _Denied(Code.BAD_QUERY, "expected one 40-character lowercase hex address after the path")
    return args[0]


def _q_params(store: Store, args: list[str], data: _Read, path: str) -> Any:
    return _json(store, "params")


def _q_account(store: Store, args: list[str], data: _Read, path: str) -> Any:
    address = _address_arg(args)
    acct = _json(store, f"acct/{address}")
    if acct is None:
        raise _Denied(Code.NOT_FOUND, f"account {address} is not registered")
    return {"address": address, **acct}


def _q_nonce(store: Store, args: list[str], data: _Read, path: str) -> Any:
    address = _address_arg(args)
    raw = store.get(f"nonce/{address}")
    return {"address": address, "nonce": int(raw) if raw else 0}


def _q_supply(store: Store, args: list[str], data: _Read, path: str) -> Any:
    return {k.split("/", 1)[1]: int(v) for k, v in store.scan("supply/")}


def _q_proposal(store: Store, args: list[str], data: _Read, path: str) -> Any:
    if len(args) != 1 or not (args[0].isascii() and args[0].isdigit()) or len(args[0]) > 19:
        raise _Denied(Code.BAD_QUERY, "expected /proposal/<id>")
    proposal = _json(store, f"prop/{int(args[0]):012d}")
    if proposal is None:
        raise _Denied(Code.NOT_FOUND, f"proposal {args[0]} does not exist")
    return proposal


def _q_proposals(store: Store, args: list[str], data: _Read, path: str) -> Any:
    last = int(store.get("seq/proposal") or b"0")
    first = max(1, last - 199)
    return [_json(store, f"prop/{i:012d}") for i in range(last, first - 1, -1)]


def _q_tx(store: Store, args: list[str], data: _Read, path: str) -> Any:
    try:
        digest = bytes.fromhex(args[0]) if len(args) == 1 else b""
    except ValueError:
        digest = b""
    if len(digest) != 32:
        raise _Denied(Code.BAD_QUERY, "expected /tx/<64 hex characters of the tx hash>")
    row = store.tx_result(digest)
    if row is None:
        raise _Denied(Code.NOT_FOUND, f"no committed transaction {args[0].lower()}")
    height, index, code, log, signer, kind = row
    return {"hash": digest.hex(), "height": height, "index": index, "code": code, "log": log, "signer": signer, "type": kind}


_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_MONTH = re.compile(r"^[0-9]{4}-[0-9]{2}$")
_MAX_ROWS = 5000
_AGG_LABEL = {"sectors": "sector", "companies": "company"}


def _params(path: str, allowed: set[str]) -> dict[str, str]:
    query = path.partition("?")[2]
    try:
        pairs = parse_qsl(query, keep_blank_values=False, strict_parsing=bool(query), max_num_fields=10)
    except ValueError:
        raise _Denied(Code.BAD_QUERY, f"cannot parse the query string {query[:80]!r}") from None
    out: dict[str, str] = {}
    for key, value in pairs:
        if key not in allowed or key in out:
            raise _Denied(Code.BAD_QUERY, f"query parameter {key[:40]!r} is unknown or repeated; allowed: {', '.join(sorted(allowed))}")
        out[key] = value
    return out


def _bounds(p: dict[str, str], pattern: re.Pattern, what: str) -> tuple[str, str]:
    low, high = p.get("from", "0000"), p.get("to", "9999")
    for value in (p.get("from"), p.get("to")):
        if value is not None and not pattern.fullmatch(value):
            raise _Denied(Code.BAD_QUERY, f"from/to must be {what}")
    return low, high


def _one_of(p: dict[str, str], names: tuple[str, ...]) -> tuple[str, str]:
    given = [n for n in names if n in p]
    if len(given) != 1:
        raise _Denied(Code.BAD_QUERY, f"give exactly one of {', '.join(names)}")
    name = given[0]
    if name in ("device", "company") and not is_address(p[name]):
        raise _Denied(Code.BAD_QUERY, f"{name} must be a 40-character lowercase hex address")
    return name, p[name]


def _q_emissions(store: Store, args: list[str], data: _Read, path: str) -> Any:
    kind = args[0].partition("?")[0] if args else ""
    if kind == "daily":
        p = _params(path, {"device", "company", "site", "from", "to"})
        low, high = _bounds(p, _DAY, "dates written YYYY-MM-DD")
        if "device" in p and "company" not in p:
            name, who = _one_of(p, ("device",))
            rows = [json.loads(v) for _, v in store.scan_range(f"em/{who}/{low}", f"em/{who}/{high}~", _MAX_ROWS)]
        else:
            name, who = _one_of(p, ("company",))
            keys = [k for k, _ in store.scan_range(f"emc/{who}/{low}", f"emc/{who}/{high}~", _MAX_ROWS)]
            rows = [_json(store, f"em/{k.rsplit('/', 1)[1]}/{k.split('/')[2]}") for k in keys]
            if "device" in p:
                rows = [r for r in rows if r["device"] == p["device"]]
        return [r for r in rows if "site" not in p or r["site"] == p["site"]]
    if kind in ("monthly", "yearly"):
        p = _params(path, {"company", "sector", "from", "to"})
        low, high = _bounds(p, _MONTH, "months written YYYY-MM") if kind == "monthly" else ("0000", "9999")
        name, who = _one_of(p, ("company", "sector"))
        prefix = f"agg/{name[0]}/{who}/"
        months = [(k[len(prefix):], json.loads(v)) for k, v in store.scan_range(prefix + low, prefix + high + "~", _MAX_ROWS)]
        if kind == "monthly":
            return [{"month": m, **totals} for m, totals in months]
        years: dict[str, dict[str, int]] = {}
        for month, totals in months:
            year = years.setdefault(month[:4], {"total": 0, "readings": 0, "substituted": 0, "reports": 0})
            for field in year:
                year[field] += totals[field]
        return [{"year": y, **totals} for y, totals in sorted(years.items())]
    if kind in ("sectors", "companies"):
        p = _params(path, {"from", "to"})
        low, high = _bounds(p, _MONTH, "months written YYYY-MM")
        out = []
        for key, value in store.scan(f"agg/{kind[0]}/", _MAX_ROWS * 4):
            _, _, who, month = key.split("/", 3)
            if low <= month <= high:
                out.append({_AGG_LABEL[kind]: who, "month": month, **json.loads(value)})
        return out
    raise _Denied(Code.BAD_QUERY, "expected /emissions/daily, /monthly, /yearly, /sectors or /companies")


def _q_accounts(store: Store, args: list[str], data: _Read, path: str) -> Any:
    p = _params(path, {"role"})
    out = []
    for key, value in store.scan("acct/", 100_000):
        record = json.loads(value)
        if "role" not in p or record["role"] == p["role"]:
            out.append({"address": key[len("acct/"):], **record})
    return out


def _q_devices(store: Store, args: list[str], data: _Read, path: str) -> Any:
    company = _one_of(_params(path, {"company"}), ("company",))[1]
    return [{"address": k.rsplit("/", 1)[1], **_json(store, f"acct/{k.rsplit('/', 1)[1]}")} for k, _ in store.scan(f"device/{company}/")]


def _hash_arg(args: list[str], what: str) -> str:
    value = args[0].partition("?")[0] if args else ""
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise _Denied(Code.BAD_QUERY, f"expected /{what}/<64 lowercase hex characters>")
    return value


def _q_plan(store: Store, args: list[str], data: _Read, path: str) -> Any:
    plan_hash = _hash_arg(args, "plan")
    plan = _json(store, f"plan/{plan_hash}")
    if plan is None:
        raise _Denied(Code.NOT_FOUND, f"no allocation plan {plan_hash}")
    return plan


def _q_plans(store: Store, args: list[str], data: _Read, path: str) -> Any:
    plans = [json.loads(v) for _, v in store.scan("plan/", 100_000)]
    plans.sort(key=lambda p: (p["opened"]["height"], p["hash"]), reverse=True)
    return plans[:200]


def _q_plan_lines(store: Store, args: list[str], data: _Read, path: str) -> Any:
    plan_hash = _hash_arg(args, "plan_lines")
    p = _params(path, {"offset", "limit"})
    try:
        offset, limit = int(p.get("offset", "0")), int(p.get("limit", "1000"))
    except ValueError:
        raise _Denied(Code.BAD_QUERY, "offset and limit must be whole numbers") from None
    if offset < 0 or not 1 <= limit <= _MAX_ROWS:
        raise _Denied(Code.BAD_QUERY, f"offset must be ≥ 0 and limit between 1 and {_MAX_ROWS}")
    prefix = f"planline/{plan_hash}/"
    return [json.loads(v) for _, v in store.scan_range(f"{prefix}{offset:07d}", f"{prefix}{offset + limit:07d}", limit)]


def _q_eorder(store: Store, args: list[str], data: _Read, path: str) -> Any:
    plan_hash = _hash_arg(args, "eorder")
    record = _json(store, f"eorder/{plan_hash}")
    if record is None:
        raise _Denied(Code.NOT_FOUND, f"plan {plan_hash} has not been issued")
    return record


def _q_allocations(store: Store, args: list[str], data: _Read, path: str) -> Any:
    address = _address_arg(args)
    out: dict[str, dict[str, int]] = {}
    for key, value in store.scan(f"alloc/{address}/"):
        _, _, plan_hash, vintage = key.split("/")
        out.setdefault(plan_hash, {})[vintage] = int(value)
    return out


def _private_to(store: Store, args: list[str], data: _Read, path: str, roles: set[str], what: str) -> str:
    address = _address_arg(args)
    reader, role = _reader(store, path, data)
    if reader != address and role not in roles:
        raise _Denied(Code.UNAUTHORIZED, f"{what} are confidential: only the account itself and {', '.join(sorted(roles))} may read them")
    return address


def _q_cash(store: Store, args: list[str], data: _Read, path: str) -> Any:
    address = _private_to(store, args, data, path, {"government", "bank"}, "cash balances")
    return {"available": int(store.get(f"cash/{address}") or b"0"), "held": int(store.get(f"cashheld/{address}") or b"0")}


def _q_orders(store: Store, args: list[str], data: _Read, path: str) -> Any:
    address = _private_to(store, args, data, path, {"government"}, "orders")
    return [_json(store, f"order/{k.rsplit('/', 1)[1]}") for k, _ in store.scan(f"ordersby/{address}/", _MAX_ROWS)]


def _q_fills(store: Store, args: list[str], data: _Read, path: str) -> Any:
    address = _private_to(store, args, data, path, {"government"}, "fills")
    return [_json(store, f"fill/{k.rsplit('/', 1)[1]}") for k, _ in store.scan(f"fillsby/{address}/", _MAX_ROWS)]


def _q_block_trades(store: Store, args: list[str], data: _Read, path: str) -> Any:
    if not args or not args[0]:
        _, role = _reader(store, path, data)
        if role != "government":
            raise _Denied(Code.UNAUTHORIZED, "the list of all block trades is for the regulator only")
        return [json.loads(v) for _, v in store.scan("blocktrade/", _MAX_ROWS)]
    address = _private_to(store, args, data, path, {"government"}, "block trades")
    return [_json(store, f"blocktrade/{k.rsplit('/', 1)[1]}") for k, _ in store.scan(f"btby/{address}/", _MAX_ROWS)]


def _q_holdings(store: Store, args: list[str], data: _Read, path: str) -> Any:
    address = _private_to(store, args, data, path, {"government"}, "holdings")
    out: dict[str, dict[str, int]] = {}
    for kind, prefix in (("available", f"bal/{address}/"), ("held", f"held/{address}/")):
        for key, value in store.scan(prefix):
            out.setdefault(key.rsplit("/", 1)[1], {"available": 0, "held": 0})[kind] = int(value)
    return dict(sorted(out.items()))


def _q_market(store: Store, args: list[str], data: _Read, path: str) -> Any:
    from .market import book_from_json, depth, phase_at
    from .trading import market_rules, market_schedule

    kind = args[0].partition("?")[0] if args else ""
    books = json.loads(store.get("books") or b"[]")
    if kind == "instruments":
        rules, schedule = market_rules(store), market_schedule(store)  # type: ignore[arg-type]
        phase = phase_at(store.block_time, schedule).value
        out = []
        for instrument in books:
            book = book_from_json(store.get(f"book/{instrument}"))
            ref = store.get(f"ref/{instrument}")
            out.append({"instrument": instrument, "reference_price": rules.reference_price(int(ref) if ref else None),
                        "band": list(rules.price_band(rules.reference_price(int(ref) if ref else None))), "phase": phase,
                        "best_bid": book.bids[0].price if book.bids else None, "best_ask": book.asks[0].price if book.asks else None})
        return out
    instrument = args[1].partition("?")[0] if len(args) > 1 else ""
    if kind in ("depth", "trades", "bars") and instrument not in books:
        raise _Denied(Code.NOT_FOUND, f"no market for {instrument[:20]!r}; known: {', '.join(books) or 'none yet'}")
    if kind == "depth":
        levels = depth(book_from_json(store.get(f"book/{instrument}")), levels=10)
        return {"instrument": instrument, **{side: [list(level) for level in rows] for side, rows in levels.items()}}
    if kind == "trades":
        out = []
        last = int(store.get("seq/fill") or b"0")
        seq = last
        while seq > 0 and len(out) < 200 and last - seq < 20_000:
            fill = _json(store, f"fill/{seq:012d}")
            if fill["instrument"] == instrument:
                out.append({k: fill[k] for k in ("seq", "price", "quantity", "height", "time", "auction")})
            seq -= 1
        return out
    if kind == "block_volume":
        prefix = f"blockagg/{instrument}/"
        return [{"day": k[len(prefix):], **json.loads(v)} for k, v in store.scan(prefix, _MAX_ROWS)]
    if kind == "bars":
        return [json.loads(v) for _, v in store.scan(f"bar/{instrument}/", _MAX_ROWS)]
    raise _Denied(Code.BAD_QUERY, "expected /market/instruments, /market/depth/<instrument>, /market/trades/<instrument> or /market/bars/<instrument>")


def _q_balances(store: Store, args: list[str], data: _Read, path: str) -> Any:
    address = _private_to(store, args, data, path, {"government"}, "holdings")
    return {k.rsplit("/", 1)[1]: int(v) for k, v in store.scan(f"bal/{address}/")}


_ROUTES: dict[str, Callable[[Store, list[str], bytes, str], Any]] = {
    "params": _q_params,
    "account": _q_account,
    "nonce": _q_nonce,
    "supply": _q_supply,
    "proposal": _q_proposal,
    "proposals": _q_proposals,
    "tx": _q_tx,
    "balances": _q_balances,
    "accounts": _q_accounts,
    "devices": _q_devices,
    "emissions": _q_emissions,
    "plans": _q_plans,
    "plan": _q_plan,
    "plan_lines": _q_plan_lines,
    "eorder": _q_eorder,
    "allocations": _q_allocations,
    "cash": _q_cash,
    "orders": _q_orders,
    "fills": _q_fills,
    "market": _q_market,
    "block_trades": _q_block_trades,
    "holdings": _q_holdings,
}


def run_query(store: Store, path: str, data: bytes, height: int, gate: QueryGate) -> QueryResult:
    """Answer ``path``; the answer to a verified signed query is sealed to its reply key."""
    if not store.initialized:
        return QueryResult(Code.NOT_FOUND, log="the chain has not started yet")
    if height not in (0, store.height):
        return QueryResult(Code.BAD_QUERY, log=f"only the latest height ({store.height}) can be queried")
    parts = path.strip("/").split("/")
    route = _ROUTES.get(parts[0].partition("?")[0])
    if route is None:
        return QueryResult(Code.BAD_QUERY, log=f"unknown query path {path[:80]!r}; known: /{', /'.join(sorted(_ROUTES))}")
    try:
        read = _Read(data, gate)
        value = canonical_json(route(store, parts[1:], read, path))
        if read.verified is not None:
            value = seal_reply(value, read.verified[2], read.verified[3])
        return QueryResult(Code.OK, value)
    except _Denied as exc:
        return QueryResult(exc.code, log=exc.log)
