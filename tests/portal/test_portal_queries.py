"""``portal.data`` (public reads and balances) against a real seeded validator: every figure is checked against what was posted."""

from __future__ import annotations

import pytest

from ets.rpc import QueryError
from portal.data import allocations, emissions, governance, holdings, registry
from portal.data import chain as chain_data
from protocol.codes import Code
from protocol.messages import RecordAccess
from portal_chain import REPORTS, SeededChain

pytestmark = pytest.mark.localnet


def _expected(chain: SeededChain, key) -> dict[str, dict[str, int]]:
    """Sums of the posted daily totals grouped by ``key(device, day)``."""
    out: dict[str, dict[str, int]] = {}
    for (label, day), t in chain.totals().items():
        k = key(chain.device(label), day)
        acc = out.setdefault(k, {"total": 0, "readings": 0, "substituted": 0, "reports": 0})
        for field in ("total", "readings", "substituted"):
            acc[field] += t[field]
        acc["reports"] += 1
    return out


def test_registry_lists_seeded_companies_with_ids_and_sectors(chain: SeededChain):
    companies = registry.companies(chain.client).set_index("address")
    for c in chain.companies:
        row = companies.loc[c.address]
        assert (row["name"], row["company_id"], row["sector"], row["role"]) == (c.name, c.company_id, c.sector, "company")
    devices = registry.devices(chain.client).set_index("device")
    for d in chain.devices:
        assert devices.loc[d.address, "company"] == d.company.address
        assert devices.loc[d.address, "site"] == d.site
        assert devices.loc[d.address, "registered_by"] == chain.keys["verifier-1"].address
    only_steel = registry.devices(chain.client, company=chain.company("steel").address)
    assert list(only_steel["device"]) == [chain.device("steel-stack").address]


def test_daily_records_match_what_devices_posted(chain: SeededChain):
    daily = emissions.emissions_daily(chain.client)
    assert len(daily) == len(REPORTS)
    totals = chain.totals()
    for row in daily.itertuples():
        label = next(d.label for d in chain.devices if d.address == row.device)
        posted = totals[(label, row.day)]
        assert (row.total_kg, row.readings, row.substituted) == (posted["total"], posted["readings"], posted["substituted"])
        assert row.merkle_root == chain.roots[(label, row.day)]
        assert row.total_t == pytest.approx(posted["total"] / 1000)
        assert row.substituted_share == pytest.approx(posted["substituted"] / posted["readings"])
        assert str(row.time.tz) == "KST"


@pytest.mark.parametrize("start,end,days", [
    ("2025-01-01", "2025-01-31", {"2025-01-30", "2025-01-31"}),
    ("2025-01-31", "2025-01-31", {"2025-01-31"}),
    ("2024-12-01", "2024-12-31", {"2024-12-31"}),
    ("2026-01-01", "2026-12-31", set()),
])
def test_daily_records_filtered_by_range(chain: SeededChain, start, end, days):
    daily = emissions.emissions_daily(chain.client, chain.company("steel").address, start=start, end=end)
    assert set(daily["day"]) == days


def test_daily_records_of_one_device(chain: SeededChain):
    device = chain.device("power-unit")
    daily = emissions.emissions_daily(chain.client, device=device.address)
    assert set(daily["device"]) == {device.address}
    assert list(daily["day"]) == sorted(day for label, day, _ in REPORTS if label == "power-unit")


@pytest.mark.parametrize("period,key", [
    ("day", lambda d, day: (day, d.company.address)),
    ("month", lambda d, day: (day[:7], d.company.address)),
    ("year", lambda d, day: (day[:4], d.company.address)),
])
def test_emissions_by_company_per_period(chain: SeededChain, period, key):
    frame = emissions.emissions_by_company(chain.client, period)
    expected = _expected(chain, lambda d, day: key(d, day))
    got = {(r.period, r.company): {"total": r.total_kg, "readings": r.readings, "substituted": r.substituted,
                                   "reports": r.reports} for r in frame.itertuples()}
    assert got == expected
    names = {c.address: c.name for c in chain.companies}
    assert all(frame["company_name"] == frame["company"].map(names))


@pytest.mark.parametrize("period,key", [
    ("day", lambda d, day: (day, d.company.sector)),
    ("month", lambda d, day: (day[:7], d.company.sector)),
    ("year", lambda d, day: (day[:4], d.company.sector)),
])
def test_emissions_by_sector_per_period(chain: SeededChain, period, key):
    frame = emissions.emissions_by_sector(chain.client, period)
    expected = _expected(chain, key)
    got = {(r.period, r.sector): {"total": r.total_kg, "readings": r.readings, "substituted": r.substituted,
                                  "reports": r.reports} for r in frame.itertuples()}
    assert got == expected


def test_period_ranges_and_bad_period(chain: SeededChain):
    january = emissions.emissions_by_company(chain.client, "month", "2025-01", "2025-01")
    assert set(january["period"]) == {"2025-01"}
    year_2024 = emissions.emissions_by_sector(chain.client, "year", "2024", "2024")
    assert list(year_2024["period"]) == ["2024"]
    with pytest.raises(ValueError, match="period must be one of day, month, year"):
        emissions.emissions_by_company(chain.client, "week")


def test_monthly_and_yearly_sums_of_one_company_and_sector(chain: SeededChain):
    steel = chain.company("steel")
    expected = _expected(chain, lambda d, day: day[:7] if d.company is steel else None)
    monthly = emissions.emissions_monthly(chain.client, company=steel.address)
    assert {r.month: r.total_kg for r in monthly.itertuples()} == {k: v["total"] for k, v in expected.items() if k}
    yearly = emissions.emissions_yearly(chain.client, sector=steel.sector)
    by_year = _expected(chain, lambda d, day: day[:4] if d.company is steel else None)
    assert {r.year: r.total_kg for r in yearly.itertuples()} == {k: v["total"] for k, v in by_year.items() if k}


def test_sector_totals_and_freshness(chain: SeededChain):
    totals = emissions.sector_totals(chain.client)
    expected = _expected(chain, lambda d, day: d.company.sector)
    assert {r.sector: r.total_kg for r in totals.itertuples()} == {k: v["total"] for k, v in expected.items()}
    assert list(totals["total_kg"]) == sorted(totals["total_kg"], reverse=True)
    latest = emissions.latest_reports(chain.client).set_index("company")
    for c in (chain.company("steel"), chain.company("power")):
        assert latest.loc[c.address, "latest_day"] == max(day for label, day, _ in REPORTS if chain.device(label).company is c)
    status = chain_data.chain_status(chain.client)
    assert status.chain_id == "ets-portal-test" and status.height >= int(latest["height"].max())
    assert status.time_kst.endswith("KST")


def test_plans_lines_and_published_allocations(chain: SeededChain):
    plans = allocations.plans(chain.client).set_index("plan_hash")
    initial = chain.plans["initial"]
    assert plans.loc[initial.hash, "status"] == "issued"
    assert plans.loc[initial.hash, "kind"] == "initial"
    assert plans.loc[initial.hash, "lines"] == len(initial.lines)
    assert plans.loc[chain.plans["decisions"].hash, "status"] in ("sealed", "rejected")
    lines = allocations.plan_lines(chain.client, initial.hash)
    assert [tuple(x) for x in lines[["company_id", "vintage", "amount"]].itertuples(index=False)] == list(initial.lines)
    assert lines["registered"].all()
    by_id = {c.company_id: c for c in chain.companies}
    assert list(lines["address"]) == [by_id[c].address for c in lines["company_id"]]
    published = allocations.published_allocations(chain.client)
    mine = published[published["plan_hash"] == initial.hash]
    assert int(mine["amount"].sum()) == sum(a for _, _, a in initial.lines)


def test_plan_sector_totals_and_diff_are_pure(chain: SeededChain):
    lines = allocations.plan_lines(chain.client, chain.plans["initial"].hash)
    sectors = allocations.plan_sector_totals(lines)
    steel = chain.company("steel")
    row = sectors[(sectors["sector"] == steel.sector) & (sectors["vintage"] == "KAU26")].iloc[0]
    assert (row["amount"], row["companies"]) == (500_000, 1)
    other = allocations.plan_lines(chain.client, chain.plans["browser"].hash)
    diff = allocations.plan_diff(other, lines).set_index(["company_id", "vintage"])
    assert diff.loc[(steel.company_id, "KAU26"), "change"] == 123_457 - 500_000
    assert diff.loc[(steel.company_id, "KAU27"), "amount"] == 0
    assert diff.loc[(chain.company("chem").company_id, "KAU26"), "previous_amount"] == 120_000


def test_allocations_and_eorders_of_a_company(chain: SeededChain):
    initial = chain.plans["initial"]
    steel = chain.company("steel")
    alloc = allocations.allocations(chain.client, steel.address)
    issued = alloc[alloc["plan_hash"] == initial.hash].set_index("vintage")
    assert issued.loc["KAU26", "amount"] == initial.amount(steel.company_id, "KAU26")
    assert issued.loc["KAU27", "amount"] == initial.amount(steel.company_id, "KAU27")
    record = allocations.eorder(chain.client, initial.hash)
    assert issued.loc["KAU26", "proposal_id"] == record["proposal_id"]
    assert issued.loc["KAU26", "issued_height"] == record["issued"]["height"]
    assert [v["official"] for v in record["approvals"]] == [chain.keys["gov-1"].address, chain.keys["gov-2"].address]
    eorders = allocations.eorders(chain.client).set_index("plan_hash")
    assert eorders.loc[initial.hash, "approvals"] == "gov-1, gov-2"
    assert allocations.eorder(chain.client, chain.plans["decisions"].hash) is None
    assert allocations.plan_record(chain.client, "0" * 64) is None


def test_proposals_and_votes(chain: SeededChain):
    props = governance.proposals(chain.client)
    issue = props[(props["type"] == "issue_plan") & (props["plan_hash"] == chain.plans["initial"].hash)].iloc[0]
    assert (issue["status"], issue["approvals"], issue["rejections"]) == ("executed", 2, 0)
    assert issue["summary"].startswith("issue allocation plan ")
    votes = governance.proposal_votes(chain.client, int(issue["proposal_id"]))
    assert list(votes["official_name"]) == ["gov-1", "gov-2"] and set(votes["vote"]) == {"approve"}
    register = props[props["type"] == "register_accounts"].iloc[0]
    assert register["summary"] == "register 3 accounts"
    assert governance.open_plan_proposal(chain.client, chain.plans["initial"].hash) is None


def test_balances_are_private(chain: SeededChain):
    steel, power = chain.company("steel"), chain.company("power")
    own = holdings.balances(chain.client, steel.address, steel.signer).set_index("instrument")
    expected = allocations.allocations(chain.client, steel.address).groupby("vintage")["amount"].sum()
    assert own["amount"].to_dict() == expected.to_dict()
    with pytest.raises(QueryError) as refused:  # an official reads only after recording why
        holdings.balances(chain.client, steel.address, chain.keys["gov-3"])
    assert refused.value.code == Code.ACCESS_NOT_RECORDED
    chain.client.submit(chain.keys["gov-3"], RecordAccess(steel.address, "checking the steel company's allocation"))
    as_regulator = holdings.balances(chain.client, steel.address, chain.keys["gov-3"])
    assert as_regulator.equals(own.reset_index())
    with pytest.raises(QueryError) as refused:
        holdings.balances(chain.client, power.address, steel.signer)
    assert refused.value.code == Code.UNAUTHORIZED and "confidential" in refused.value.log
    with pytest.raises(QueryError) as unsigned:
        chain.client.query(f"/balances/{steel.address}")
    assert unsigned.value.code == Code.UNAUTHORIZED


@pytest.mark.parametrize("search,ids", [
    ("", ["(주)미래화학", "(주)한빛철강", "한빛발전(주)"]),
    ("hanbit", ["(주)한빛철강", "한빛발전(주)"]),
    ("철강", ["(주)한빛철강"]),
    ("MIRAE", ["(주)미래화학"]),
    ("nobody", []),
])
def test_allocation_table_is_one_row_per_company(chain: SeededChain, search, ids):
    lines = allocations.plan_lines(chain.client, chain.plans["initial"].hash)
    wide = allocations.allocation_table(lines, search)
    assert list(wide["company_id"]) == ids
    if ids:
        assert list(wide.columns) == ["company_id", "company_name", "sector", "KAU26", "KAU27"]
        row = wide.set_index("company_id").loc[ids[0]]
        assert row["KAU26"] == chain.plans["initial"].amount(ids[0], "KAU26")
    chem = allocations.allocation_table(lines).set_index("company_id").loc["(주)미래화학"]
    assert chem["KAU27"] == 0  # no line → 0, never a made-up row


def test_plan_activity_is_read_from_the_chains_events(chain: SeededChain):
    """Live views re-read a plan only when its events (or governance votes) appeared after the block last shown."""
    initial = chain.plans["initial"]
    height = chain_data.chain_status(chain.client).height
    assert chain_data.plan_activity_since(chain.client, initial.hash, 0)  # opened, proposed, approved, issued
    assert not chain_data.plan_activity_since(chain.client, initial.hash, height)  # nothing since
    first_plan_tx = chain.client.call("tx_search", query=f"plan.hash='{initial.hash}'", page="1", per_page="1",
                                      order_by="asc")["txs"][0]
    assert chain_data.plan_activity_since(chain.client, initial.hash, int(first_plan_tx["height"]) - 1)
