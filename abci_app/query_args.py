"""What query answers share: the refusal, JSON reads of committed state, path and query-string arguments.

An answer function (``abci_app/modules/<domain>/queries.py``) raises ``Denied`` with a registered
code and a log saying what was wrong; ``abci_app.query.run_query`` turns it into the response.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from protocol.codec import is_address
from protocol.codes import Code

from .state import Store

__all__ = ["Denied", "MAX_ROWS", "json_at", "address_arg", "hash_arg", "query_params", "bounds", "one_of", "first_arg"]

MAX_ROWS = 5000  # rows one answer returns at most


class Denied(Exception):
    """A query refused (or not found), with its code and a log that says why."""

    def __init__(self, code: Code, log: str):
        super().__init__(log)
        self.code, self.log = code, log


def json_at(store: Store, key: str) -> Any:
    raw = store.get(key)
    return None if raw is None else json.loads(raw)


def first_arg(args: list[str]) -> str:
    """The first segment after the route, without its query string ("" if there is none)."""
    return args[0].partition("?")[0] if args else ""


def address_arg(args: list[str]) -> str:
    if len(args) != 1 or not is_address(args[0]):
        raise Denied(Code.BAD_QUERY, "expected one 40-character lowercase hex address after the path")
    return args[0]


def hash_arg(args: list[str], what: str) -> str:
    value = first_arg(args)
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise Denied(Code.BAD_QUERY, f"expected /{what}/<64 lowercase hex characters>")
    return value


def query_params(path: str, allowed: set[str]) -> dict[str, str]:
    """The path's query string as a dict; an unknown or repeated parameter is refused."""
    query = path.partition("?")[2]
    try:
        pairs = parse_qsl(query, keep_blank_values=False, strict_parsing=bool(query), max_num_fields=10)
    except ValueError:
        raise Denied(Code.BAD_QUERY, f"cannot parse the query string {query[:80]!r}") from None
    out: dict[str, str] = {}
    for key, value in pairs:
        if key not in allowed or key in out:
            raise Denied(Code.BAD_QUERY, f"query parameter {key[:40]!r} is unknown or repeated; allowed: {', '.join(sorted(allowed))}")
        out[key] = value
    return out


def bounds(p: dict[str, str], pattern: re.Pattern, what: str) -> tuple[str, str]:
    """The ``from``/``to`` parameters (inclusive), each checked against ``pattern``."""
    low, high = p.get("from", "0000"), p.get("to", "9999")
    for value in (p.get("from"), p.get("to")):
        if value is not None and not pattern.fullmatch(value):
            raise Denied(Code.BAD_QUERY, f"from/to must be {what}")
    return low, high


def one_of(p: dict[str, str], names: tuple[str, ...]) -> tuple[str, str]:
    """Exactly one of ``names`` among the parameters: (name, value); device and company are addresses."""
    given = [n for n in names if n in p]
    if len(given) != 1:
        raise Denied(Code.BAD_QUERY, f"give exactly one of {', '.join(names)}")
    name = given[0]
    if name in ("device", "company") and not is_address(p[name]):
        raise Denied(Code.BAD_QUERY, f"{name} must be a 40-character lowercase hex address")
    return name, p[name]
