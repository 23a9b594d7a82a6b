"""Sensor devices and daily totals on chain, and the public emission queries."""

from __future__ import annotations

import pytest

from protocol.codes import Code
from abci_harness import GENESIS_TIME, Actors, Node, approve, proposal_id
from ets.keys import Signer

DAY = 86400


def _day(offset_days: int) -> str:
    import datetime

    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=(GENESIS_TIME + 9 * 3600) // DAY + offset_days)).isoformat()


def _total(day: str, total: int = 1_000, readings: int = 24, substituted: int = 1) -> dict:
    return {"type": "daily_total", "day": day, "total": total, "unit": "kg", "readings": readings,
            "substituted": substituted, "merkle_root": "ab" * 32}


@pytest.fixture
def chain(tmp_path):
    actors = Actors.make()
    node = Node.start(tmp_path / "n", actors.app_state())
    sector_company = Signer.generate()
    action = {"type": "register_account", "address": sector_company.address, "public_key": sector_company.public_key.hex(),
              "role": "company", "name": "발전(주)", "company_id": "발전(주)", "sector": "전환"}
    pid = proposal_id(node.run(actors.gov[0], {"type": "propose", "action": action}))
    assert node.run(actors.gov[1], approve(pid)).code == Code.OK
    return node, actors, sector_company


def _device(node: Node, registrar: Signer, company: Signer, site: str = "stack-1") -> Signer:
    device = Signer.generate()
    msg = {"type": "register_device", "device": device.address, "public_key": device.public_key.hex(),
           "company": company.address, "site": site, "measures": "CO2", "unit": "kg"}
    result = node.run(registrar, msg)
    assert result.code == Code.OK, result.log
    return device


def test_device_reports_each_day_once_after_it_ended(chain):
    node, actors, company = chain
    device = _device(node, actors.verifier, company)
    later = GENESIS_TIME + 3 * DAY
    assert node.run(device, _total(_day(0)), time=later).code == Code.OK
    assert node.run(device, _total(_day(1), total=2_000, substituted=0), time=later + 5).code == Code.OK
    again = node.run(device, _total(_day(1)), time=later + 10)
    assert again.code == Code.ALREADY_REPORTED
    today = node.run(device, _total(_day(3)), time=later + 15)
    assert today.code == Code.DAY_NOT_ENDED and "not ended" in today.log

    rows = node.read(f"/emissions/daily?device={device.address}")
    assert [(r["day"], r["total"], r["site"], r["company"]) for r in rows] == [
        (_day(0), 1_000, "stack-1", company.address), (_day(1), 2_000, "stack-1", company.address)]
    assert node.read(f"/emissions/daily?company={company.address}&from={_day(1)}") == rows[1:]
    month = _day(0)[:7]
    monthly = node.read("/emissions/monthly?sector=전환")
    assert sum(m["total"] for m in monthly) == 3_000 and sum(m["substituted"] for m in monthly) == 1
    yearly = node.read(f"/emissions/yearly?company={company.address}")
    assert sum(y["total"] for y in yearly) == 3_000
    assert any(r["sector"] == "전환" and r["month"] == month for r in node.read("/emissions/sectors"))
    assert [d["site"] for d in node.read(f"/devices?company={company.address}")] == ["stack-1"]


def test_who_may_register_and_report(chain):
    node, actors, company = chain
    assert _device(node, actors.gov[0], company, site="boiler-2")  # government may register too
    stranger = Signer.generate()
    msg = {"type": "register_device", "device": stranger.address, "public_key": stranger.public_key.hex(),
           "company": company.address, "site": "s", "measures": "CO2", "unit": "kg"}
    assert node.run(actors.companies[0], msg).code == Code.UNAUTHORIZED  # a company cannot accredit its own sensor
    later = GENESIS_TIME + 2 * DAY
    assert node.run(actors.companies[0], _total(_day(0)), time=later).code == Code.UNAUTHORIZED
    assert node.run(stranger, _total(_day(0)), time=later).code == Code.UNKNOWN_SIGNER
    unbound = node.run(actors.edge, _total(_day(0)), time=later)  # genesis device without a site binding
    assert unbound.code == Code.UNAUTHORIZED and "site" in unbound.log
    bad = {**_total(_day(0)), "substituted": 30}
    assert node.run(_device(node, actors.verifier, company, "s3"), bad, time=later).code == Code.INVALID_MESSAGE


@pytest.mark.parametrize("path", [
    "/emissions/daily", "/emissions/daily?device=zz", "/emissions/daily?from=2025-13", "/emissions/monthly?company=a&sector=b",
    "/emissions/nope", "/emissions/daily?company=" + "a" * 40 + "&company=" + "b" * 40,
])
def test_bad_emission_queries_are_refused(chain, path):
    node, _, _ = chain
    assert node.query(path).code == Code.BAD_QUERY
