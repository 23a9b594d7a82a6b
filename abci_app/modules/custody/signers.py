"""A representative as a signer: what the pipeline and the query gate look up when an address is no account."""

from __future__ import annotations

import json
from typing import Any, Callable

from protocol.constants import REPRESENTATIVE

from . import keys

__all__ = ["representative_signer"]


def representative_signer(get: Callable[[str], bytes | None], address: str) -> dict[str, Any] | None:
    """``{"role": "representative", "public_key", "account"}`` of a representative's address, else None.

    ``get`` reads state (a view's or the store's ``get``). The role is no registered role: the rules let
    it send only the custody messages, and the handlers check its rights for its account."""
    raw = get(keys.representative(address))
    if raw is None:
        return None
    record = json.loads(raw)
    return {"role": REPRESENTATIVE, "public_key": record["public_key"], "account": record["account"]}
