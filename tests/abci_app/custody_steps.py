"""Steps of account security on an in-process node: admitting representatives, settings, trusted list, transfers."""

from __future__ import annotations

import json
from typing import Any

from protocol.codes import Code
from abci_harness import CHAIN_ID, Node
from ets.keys import Signer

__all__ = ["DELAY", "CAP", "TTL", "CUSTODY_PARAMS", "BALANCES", "admit", "settings", "trusted", "send", "approve_transfer",
           "cancel_transfer", "ok", "ask", "custody", "holdings"]

DELAY, CAP, TTL = 3_600, 1_000, 7_200  # short test figures for the delay, the central cap and a transfer's wait
CUSTODY_PARAMS = {"custody_delay_seconds": DELAY, "custody_untrusted_cap": CAP, "custody_transfer_ttl_seconds": TTL}
BALANCES = {"KAU25": 10_000, "KAU24": 500}


def ok(result) -> dict[str, Any]:
    assert result.code == Code.OK, (result.code, result.log)
    return json.loads(result.data) if result.data else {}


def admit(node: Node, holder: Signer, rep: Signer, rights: list[str], name: str = "representative", time: int | None = None):
    return node.run(holder, {"type": "custody_representative", "op": "set", "representative": rep.address,
                             "public_key": rep.public_key.hex(), "name": name, "rights": rights}, time=time)


def settings(node: Node, holder: Signer, four_eyes: bool, time: int | None = None, **limits: int):
    return node.run(holder, {"type": "custody_settings", "four_eyes": four_eyes, **limits}, time=time)


def trusted(node: Node, who: Signer, op: str, other: Signer, time: int | None = None):
    return node.run(who, {"type": "custody_trusted", "op": op, "account": other.address}, time=time)


def send(node: Node, who: Signer, to: Signer, amount: int, instrument: str = "KAU25", time: int | None = None):
    return node.run(who, {"type": "custody_transfer", "to": to.address, "instrument": instrument, "amount": amount}, time=time)


def approve_transfer(node: Node, who: Signer, transfer_id: int, time: int | None = None):
    return node.run(who, {"type": "custody_approve", "transfer_id": transfer_id}, time=time)


def cancel_transfer(node: Node, who: Signer, transfer_id: int, time: int | None = None):
    return node.run(who, {"type": "custody_cancel", "transfer_id": transfer_id}, time=time)


def ask(node: Node, reader: Signer, path: str) -> tuple[int, Any]:
    """A signed query: (code, the opened answer or the refusal's log)."""
    signed = reader.signed_query(CHAIN_ID, path, node.app.store.block_time)
    resp = node.query(path, signed.data)
    return resp.code, (json.loads(signed.open(resp.value)) if resp.code == Code.OK else resp.log)


def custody(node: Node, account: Signer, reader: Signer | None = None) -> dict[str, Any]:
    code, answer = ask(node, reader or account, f"/custody/{account.address}")
    assert code == Code.OK, answer
    return answer


def holdings(node: Node, account: Signer, instrument: str = "KAU25") -> dict[str, int]:
    return node.read(f"/holdings/{account.address}", reader=account).get(instrument, {"available": 0, "held": 0})
