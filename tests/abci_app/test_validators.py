"""The validator set: genesis validators in state, the governed power change, its refusals, FinalizeBlock's updates."""

from __future__ import annotations

import base64

import pytest

from protocol.codec import address_of, canonical_json
from protocol.codes import Code, TxRejected
from protocol.constants import MAX_VALIDATORS
from protocol.messages import SetValidatorPower, validator_key_hex
from abci_app.errors import GenesisError
from abci_app.modules.validators import keys
from abci_app.modules.validators.handlers import check_set_power
from abci_app.modules.validators.updates import genesis_entries, validator_updates
from abci_app.proto import abci
from abci_app.rules import BlockContext
from abci_app.state import Overlay
from abci_harness import CHAIN_ID, GENESIS_VALIDATORS, Node, approve, proposal_id
from ets.keys import Signer

GENESIS_KEYS = [v.public_key.hex() for v in GENESIS_VALIDATORS]


def set_power(pub_key: str, power: int, name: str = "validator 5") -> dict:
    return {"type": "propose", "action": {"type": "set_validator_power", "pub_key": pub_key, "power": power, "name": name}}


def governed(node: Node, actors, pub_key: str, power: int) -> abci.ResponseFinalizeBlock:
    """Propose (official 0) and approve (official 1) in two blocks; the approving block's response."""
    pid = proposal_id(node.run(actors.gov[0], set_power(pub_key, power)))
    response = node.finalize([node.sign(actors.gov[1], approve(pid))])
    node.commit()
    assert response.tx_results[0].code == Code.OK, response.tx_results[0].log
    return response


def updates(response: abci.ResponseFinalizeBlock) -> list[tuple[str, int]]:
    return [(u.pub_key.ed25519.hex(), u.power) for u in response.validator_updates]


def test_init_chain_records_the_genesis_validators(node):
    answer = node.read("/validators")
    assert answer["count"] == 4 and answer["total_power"] == 40
    assert sorted(v["pub_key"] for v in answer["validators"]) == sorted(GENESIS_KEYS)
    assert {v["address"] for v in answer["validators"]} == {v.address for v in GENESIS_VALIDATORS}  # SHA-256 prefix, as CometBFT


def test_adding_a_validator_returns_its_update_in_the_approving_block_only(node, actors):
    new = Signer.generate().public_key.hex()
    pid = proposal_id(node.run(actors.gov[0], set_power(new, 10)))
    response = node.finalize([node.sign(actors.gov[1], approve(pid))])
    node.commit()
    assert updates(response) == [(new, 10)]
    (event,) = [e for e in response.tx_results[0].events if e.type == "validator_power"]
    assert {a.key: a.value for a in event.attributes} == {
        "pub_key": new, "address": address_of(bytes.fromhex(new)), "proposal_id": str(pid), "power": "10",
        "previous_power": "0", "name": "validator 5"}
    assert node.read("/validators")["total_power"] == 50
    assert updates(node.finalize([])) == []  # the next block changes nothing
    node.commit()


def test_reweighting_and_removing_a_genesis_validator(node, actors):
    assert updates(governed(node, actors, GENESIS_KEYS[0], 13)) == [(GENESIS_KEYS[0], 13)]
    assert updates(governed(node, actors, GENESIS_KEYS[1], 0)) == [(GENESIS_KEYS[1], 0)]
    answer = node.read("/validators")
    assert answer["count"] == 3 and answer["total_power"] == 33
    assert GENESIS_KEYS[1] not in {v["pub_key"] for v in answer["validators"]}


@pytest.mark.parametrize("pub_key, power, code", [
    ("ee" * 32, 0, Code.VALIDATOR_NOT_FOUND),  # removing a key that is not in the set
    (GENESIS_KEYS[2], 10, Code.VALIDATOR_UNCHANGED),  # the power it already has
    ("ee" * 32, 14, Code.VALIDATOR_POWER_SHIFT),  # 3 × 14 ≥ 40: a third of the votes in one block
    (GENESIS_KEYS[2], 24, Code.VALIDATOR_POWER_SHIFT),  # re-weighting by 14
], ids=["remove-unknown", "unchanged", "add-a-third", "reweight-a-third"])
def test_refused_when_proposed(node, actors, pub_key, power, code):
    result = node.run(actors.gov[0], set_power(pub_key, power))
    assert result.code == code and result.codespace == "ets", result.log
    assert node.read("/validators")["total_power"] == 40


def test_just_under_a_third_is_accepted(node, actors):
    assert updates(governed(node, actors, "ee" * 32, 13)) == [("ee" * 32, 13)]  # 39 < 40


def test_one_block_may_not_change_a_key_twice_nor_move_a_third_in_total(node, actors):
    g = actors.gov
    same_a = proposal_id(node.run(g[0], set_power("ee" * 32, 5)))
    same_b = proposal_id(node.run(g[0], set_power("ee" * 32, 6)))
    other = proposal_id(node.run(g[0], set_power("dd" * 32, 9)))  # 5 + 9 = 14 moved: 3 × 14 ≥ 40
    response = node.finalize([node.sign(g[1], approve(same_a)), node.sign(g[2], approve(same_b)), node.sign(g[2], approve(other))])
    node.commit()
    codes = [r.code for r in response.tx_results[:-1]]  # the last is the block outcome
    assert codes == [Code.OK, Code.VALIDATOR_CHANGED_IN_BLOCK, Code.VALIDATOR_POWER_SHIFT], [r.log for r in response.tx_results]
    assert updates(response) == [("ee" * 32, 5)]  # CometBFT fails a block whose updates repeat a key
    assert node.read(f"/proposal/{same_b}")["status"] == "open"  # may be approved again in a later block
    assert node.run(g[1], approve(other)).code == Code.OK  # a new block: 9 of 45 votes


def test_execution_checks_again_against_the_set_of_that_block(node, actors):
    g = actors.gov
    first = proposal_id(node.run(g[0], set_power(GENESIS_KEYS[3], 0)))
    second = proposal_id(node.run(g[0], set_power(GENESIS_KEYS[3], 0)))
    assert node.run(g[1], approve(first)).code == Code.OK
    late = node.run(g[1], approve(second))
    assert late.code == Code.VALIDATOR_NOT_FOUND, late.log
    assert node.read(f"/proposal/{second}")["status"] == "open"


class _Empty:
    def get(self, key: str) -> None:
        return None


def _view_with(members: dict[str, int]) -> Overlay:
    view = Overlay(_Empty())  # type: ignore[arg-type]
    for pub_key, power in members.items():
        view.set(keys.member(pub_key), canonical_json({"pub_key": pub_key, "power": power}))
    view.set(keys.TOTALS, canonical_json({"count": len(members), "power": sum(members.values())}))
    return view


def test_removing_the_last_validator_is_refused():
    view = _view_with({"aa" * 32: 10})
    with pytest.raises(TxRejected) as info:
        check_set_power(view, SetValidatorPower("aa" * 32, 0, "last one"), BlockContext(CHAIN_ID, 5, 0))
    assert info.value.code == Code.VALIDATOR_SET_EMPTY


def test_the_set_has_a_size_limit():
    view = _view_with({f"{i + 1:064x}": 1_000 for i in range(MAX_VALIDATORS)})
    with pytest.raises(TxRejected) as info:
        check_set_power(view, SetValidatorPower("ff" * 32, 1, "one too many"), BlockContext(CHAIN_ID, 5, 0))
    assert info.value.code == Code.VALIDATOR_SET_FULL


def test_updates_skip_keys_whose_power_did_not_change():
    committed = {keys.member("aa" * 32): canonical_json({"power": 10})}
    writes = {keys.member("aa" * 32): canonical_json({"power": 10, "name": "renamed"}), keys.member("bb" * 32): None,
              keys.TOTALS: b"{}"}
    assert validator_updates(committed, writes) == []  # never a removal of a key CometBFT does not know


@pytest.mark.parametrize("validators, problem", [
    ([("secp256k1", b"\x02" * 33, 10)], "ed25519"),
    ([("ed25519", b"\x01" * 32, 0)], "power"),
    ([("ed25519", b"\x01" * 32, 10), ("ed25519", b"\x01" * 32, 10)], "twice"),
])
def test_genesis_validators_are_checked(validators, problem):
    with pytest.raises(GenesisError, match=problem):
        genesis_entries(validators)


def test_validator_keys_from_hex_or_cometbft_base64():
    key = bytes(range(32))
    assert validator_key_hex(key.hex()) == validator_key_hex(base64.b64encode(key).decode()) == key.hex()
    with pytest.raises(ValueError, match="32 bytes"):
        validator_key_hex("abc")
