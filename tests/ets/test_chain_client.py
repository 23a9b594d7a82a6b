"""The chain client takes protocol messages and refuses a bad one before anything leaves the process."""

from __future__ import annotations

import pytest

from protocol.codes import Code
from protocol.messages import Approve, Propose, RegisterAccount, Transfer

from ets.keys import Signer
from ets.rpc import ChainClient, InvalidMessage, QueryError, RpcUnavailable, TxRejectedError, checked_message, result_code

UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens, so any request fails with RpcUnavailable


@pytest.fixture
def client():
    with ChainClient(UNREACHABLE, timeout=0.5, chain_id="ets-test") as c:
        yield c


def test_a_message_is_signed_as_its_wire_form():
    signer = Signer.from_seed(bytes(32))
    msg = Transfer("ab" * 20, "KAU25", 5)
    assert checked_message(msg) == {"type": "transfer", "to": "ab" * 20, "instrument": "KAU25", "amount": 5}
    assert signer.sign_tx("ets-test", 0, msg) == signer.sign_tx("ets-test", 0, msg.to_json())
    proposal = Propose(RegisterAccount(signer.address, signer.public_key.hex(), "verifier", "검증기관"))
    assert checked_message(proposal)["action"]["type"] == "register_account"


@pytest.mark.parametrize(("msg", "field"), [
    (Transfer("not an address", "KAU25", 5), "transfer.to"),
    (Transfer("ab" * 20, "KAU2025", 5), "transfer.instrument"),
    (Transfer("ab" * 20, "KAU25", 0), "transfer.amount"),
    (Approve(0), "approve.proposal_id"),
    (Propose(RegisterAccount("ab" * 20, "00" * 32, "verifier", "x")), "the address does not belong to public_key"),
])
def test_a_bad_field_is_refused_before_anything_is_sent(client, msg, field):
    with pytest.raises(InvalidMessage) as refused:
        client.submit(Signer.from_seed(bytes(32)), msg)  # would raise RpcUnavailable had it tried the network
    assert refused.value.code == Code.INVALID_MESSAGE and refused.value.stage == "client"
    assert field in refused.value.log and "nothing was sent" in refused.value.log
    assert isinstance(refused.value, TxRejectedError)


def test_a_dict_is_sent_as_it_is_and_anything_else_is_a_type_error(client):
    with pytest.raises(RpcUnavailable):
        client.submit(Signer.from_seed(bytes(32)), {"type": "transfer", "to": "not checked here"})
    with pytest.raises(TypeError):
        checked_message("transfer")  # type: ignore[arg-type]


def test_codes_come_back_as_code_members():
    assert result_code(20) is Code.NOT_FOUND and result_code("0") is Code.OK
    assert result_code(12345) == 12345 and not isinstance(result_code(12345), Code)
    assert QueryError("/plan/x", 20, "none").code is Code.NOT_FOUND
    assert TxRejectedError(23, "twice").code is Code.ALREADY_REPORTED
    assert str(TxRejectedError(23, "twice")) == "transaction rejected (check) with code 23: twice"
