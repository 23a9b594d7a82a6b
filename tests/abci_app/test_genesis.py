"""Genesis app_state validation (abci_app/genesis.py): a bad genesis never starts a chain."""

from __future__ import annotations

import copy
import json
from typing import Any, Callable

import pytest

from abci_app.app import Application
from abci_app.errors import GenesisError
from abci_app.genesis import PARAM_DEFAULTS, genesis_entries
from abci_app.proto import abci
from abci_harness import EXECUTION_KEYS, BLINDING_KEY, CHAIN_ID, GENESIS_TIME, Actors, Node, ts
from protocol.codec import canonical_json
from ets.keys import Signer

ACTORS = Actors.make()
GOOD = ACTORS.app_state()


def _account(state: dict, signer: Signer) -> dict:
    return next(a for a in state["accounts"] if a["address"] == signer.address)


def test_good_genesis_entries():
    entries = genesis_entries(canonical_json(GOOD))
    assert list(entries) == sorted(entries)
    assert json.loads(entries["params"]) == {**PARAM_DEFAULTS, **GOOD["params"]}  # omitted parameters take their defaults
    assert {k: int(v) for k, v in entries.items() if k.startswith("count/role/")} == {
        "count/role/government": 3, "count/role/verifier": 1, "count/role/exchange": 1, "count/role/bank": 1,
        "count/role/edge_device": 1, "count/role/validator_operator": 1, "count/role/company": 3}
    assert entries["supply/KAU25"] == b"3000" and entries["supply/KAU26"] == b"1500"
    edge = json.loads(entries[f"acct/{ACTORS.edge.address}"])
    assert edge == {"public_key": ACTORS.edge.public_key.hex(), "role": "edge_device", "name": "edge-1", "since": 0,
                    "company": ACTORS.companies[0].address}


def test_genesis_is_independent_of_list_order():
    shuffled = copy.deepcopy(GOOD)
    shuffled["accounts"].reverse()
    shuffled["balances"].reverse()
    assert genesis_entries(canonical_json(shuffled)) == genesis_entries(canonical_json(GOOD))


def _mutate(fn: Callable[[dict], Any]) -> bytes:
    state = copy.deepcopy(GOOD)
    fn(state)
    return json.dumps(state).encode()


def _dup_account(s):
    s["accounts"].append(dict(s["accounts"][0]))


def _swap_key(s):
    s["accounts"][0]["public_key"] = s["accounts"][1]["public_key"]


def _params(**kw):
    return lambda s: s["params"].update(kw)


def _balance(address, instrument="KAU25", amount=1):
    return lambda s: s["balances"].append({"address": address, "instrument": instrument, "amount": amount})


BAD: list[tuple[str, bytes, str]] = [
    ("duplicate account", _mutate(_dup_account), "appears twice"),
    ("address not matching key", _mutate(_swap_key), "does not belong to public_key"),
    ("approvals_required > officials", _mutate(_params(approvals_required=4)), "approvals_required is 4 but genesis has only 3 government"),
    ("no officials", _mutate(lambda s: s.update(accounts=[a for a in s["accounts"] if a["role"] != "government"])), "only 0 government"),
    ("balance for a non-company", _mutate(_balance(ACTORS.bank.address)), "is not a company account"),
    ("balance for an unknown address", _mutate(_balance("cd" * 20)), "is not a company account"),
    ("duplicate balance", _mutate(_balance(ACTORS.companies[0].address)), "appears twice"),
    ("bad instrument", _mutate(_balance(ACTORS.companies[0].address, "EUA25")), "should look like KAU25"),
    ("zero amount", _mutate(_balance(ACTORS.companies[0].address, "KOC25", 0)), "amount must be an integer"),
    ("float amount", _mutate(_balance(ACTORS.companies[0].address, "KOC25", 1.5)), "amount must be an integer"),
    ("balance with extra field", _mutate(lambda s: s["balances"][0].update(note="x")), "must be an object with address, instrument, amount"),
    ("balances not a list", _mutate(lambda s: s.update(balances={})), "balances must be a list"),
    ("unknown param", _mutate(_params(max_supply=10)), "unknown ['max_supply']"),
    ("missing param", _mutate(lambda s: s["params"].pop("proposal_ttl_seconds")), "missing ['proposal_ttl_seconds']"),
    ("param out of range", _mutate(_params(query_max_age_seconds=31)), "query_max_age_seconds must be an integer in [5"),
    ("param is a bool", _mutate(_params(approvals_required=True)), "approvals_required must be an integer"),
    ("param is a string", _mutate(_params(proposal_ttl_seconds="600")), "proposal_ttl_seconds must be an integer"),
    ("params missing", _mutate(lambda s: s.pop("params")), "params must be an object"),
    ("unknown top-level key", _mutate(lambda s: s.update(validators=[])), "must be an object with params, accounts"),
    ("no accounts", _mutate(lambda s: s.update(accounts=[])), "accounts must be a non-empty list"),
    ("account not an object", _mutate(lambda s: s["accounts"].append("gov-4")), "accounts[11] must be an object"),
    ("unknown role", _mutate(lambda s: s["accounts"][0].update(role="auditor")), "role must be one of"),
    ("edge device without company", _mutate(lambda s: _account(s, ACTORS.edge).pop("company")), "company must be a 40-character"),
    ("edge device naming a non-company", _mutate(lambda s: _account(s, ACTORS.edge).update(company=ACTORS.bank.address)),
     "which is not a company account"),
    ("edge device naming an unknown account", _mutate(lambda s: _account(s, ACTORS.edge).update(company="cd" * 20)),
     "which is not a company account"),
    ("company field on a company", _mutate(lambda s: _account(s, ACTORS.companies[1]).update(company=ACTORS.companies[0].address)),
     "only for edge_device"),
    ("empty name", _mutate(lambda s: s["accounts"][0].update(name="")), "name must be text of 1 to 200"),
    ("not JSON", b"{accounts: []}", "app_state is not JSON"),
    ("not an object", b"[]", "must be an object"),
    ("empty app_state", b"", "accounts must be a non-empty list"),
]


@pytest.mark.parametrize("app_state, message", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_genesis_is_refused_with_a_helpful_message(app_state, message):
    with pytest.raises(GenesisError) as info:
        genesis_entries(app_state)
    assert message in str(info.value)


def test_init_chain_refuses_bad_genesis_and_writes_nothing(tmp_path):
    app = Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS)
    with pytest.raises(GenesisError):
        app.init_chain(abci.RequestInitChain(time=ts(GENESIS_TIME), chain_id=CHAIN_ID, app_state_bytes=BAD[0][1]))
    assert not app.store.initialized
    assert Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS).store.initialized is False


def test_init_chain_again_starts_over(tmp_path):
    node = Node.start(tmp_path, GOOD)
    first_hash = node.app.store.app_hash
    node.block([])
    other = Actors.make()
    node.app.init_chain(abci.RequestInitChain(time=ts(GENESIS_TIME), chain_id=CHAIN_ID, app_state_bytes=canonical_json(other.app_state())))
    assert node.info().last_block_height == 0
    assert node.app.store.app_hash != first_hash
    assert node.query(f"/account/{ACTORS.gov[0].address}").code != 0
    assert node.read(f"/account/{other.gov[0].address}")["role"] == "government"


def test_state_of_another_chain_is_refused(tmp_path):
    Node.start(tmp_path, GOOD)
    with pytest.raises(GenesisError, match="belongs to chain 'ets-test-1'"):
        Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS, expected_chain_id="ets-prod")
    assert Application(tmp_path, blinding_key=BLINDING_KEY, execution_keys=EXECUTION_KEYS, expected_chain_id=CHAIN_ID).store.height == 0
