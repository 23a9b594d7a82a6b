"""Settings from the environment, and plan review files matched by plan hash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal.config import DEFAULT_NODE, ConfigError, PortalConfig
from portal.reviews import ReviewFileError, find_review, folder_stamp, read_review


def test_defaults_and_overrides():
    default = PortalConfig.from_env({})
    assert (default.node_url, default.users_dir, default.plans_dir, default.ttl_seconds) == (
        DEFAULT_NODE, Path("./.portal/users"), None, 10)
    custom = PortalConfig.from_env({"ETS_PORTAL_NODE": "http://127.0.0.1:46007", "ETS_PORTAL_USERS": "/srv/users",
                                    "ETS_PORTAL_PLANS": "/srv/plans", "ETS_PORTAL_TTL": "30"})
    assert (custom.node_url, custom.users_dir, custom.plans_dir, custom.ttl_seconds) == (
        "http://127.0.0.1:46007", Path("/srv/users"), Path("/srv/plans"), 30)


def test_trusted_genesis_and_light_store_settings():
    default = PortalConfig.from_env({})
    assert (default.genesis, default.light_store_dir) == (None, Path("./.portal/light"))  # None: nothing "verified"
    custom = PortalConfig.from_env({"ETS_PORTAL_GENESIS": "/srv/chain/genesis.json", "ETS_PORTAL_LIGHT_STORE": "/var/lib/portal/light"})
    assert (custom.genesis, custom.light_store_dir) == (Path("/srv/chain/genesis.json"), Path("/var/lib/portal/light"))
    assert PortalConfig.from_env({"ETS_PORTAL_GENESIS": "  "}).genesis is None


@pytest.mark.parametrize("env,message", [
    ({"ETS_PORTAL_NODE": "127.0.0.1:26657"}, "ETS_PORTAL_NODE"),
    ({"ETS_PORTAL_NODE": "ftp://127.0.0.1"}, "ETS_PORTAL_NODE"),
    ({"ETS_PORTAL_TTL": "soon"}, "ETS_PORTAL_TTL"),
    ({"ETS_PORTAL_TTL": "0"}, "ETS_PORTAL_TTL"),
])
def test_bad_settings_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=message):
        PortalConfig.from_env(env)


def _plan_file(plan_hash: str, explanations: list) -> dict:
    return {"format": "ETS-PLAN-FILE-V1", "header": {}, "lines": [], "plan_hash": plan_hash, "explanations": explanations}


EXPLANATION = {"company_id": "(주)한빛철강", "sector": "산업", "industry": "철강", "method": "GF", "basis": "average of 2022-2024",
               "history_used": {"2022": 1_000_000, "2023": 1_100_000, "2024": 900_001}, "missing_base_years": [],
               "demand": 1_000_000, "auction_share_bp": 0, "shares": []}


def test_review_found_by_hash_among_other_files(tmp_path: Path):
    wanted, other = "a" * 64, "b" * 64
    (tmp_path / "other.json").write_text(json.dumps(_plan_file(other, [])))
    (tmp_path / "notes.json").write_text("not json at all")
    (tmp_path / "plan-2026.json").write_text(json.dumps(_plan_file(wanted, [EXPLANATION])))
    review = find_review(tmp_path, wanted)
    assert review is not None and review.source == "plan-2026.json"
    row = review.companies.iloc[0]
    assert (row["method"], row["base_years"], row["base_average"]) == ("GF", 3, 1_000_000)  # floor of 3,000,001 / 3
    wide = review.history_wide()
    assert list(wide.columns) == ["company_id", "emissions 2022", "emissions 2023", "emissions 2024"]
    assert find_review(tmp_path, "c" * 64) is None
    assert find_review(tmp_path / "missing", wanted) is None
    assert [name for name, _, _ in folder_stamp(tmp_path)] == ["notes.json", "other.json", "plan-2026.json"]


@pytest.mark.parametrize("explanations,message", [
    ("x", "explanations must be a list"),
    ([{"sector": "산업"}], "explanations[0] must be an object with a company_id"),
    ([{**EXPLANATION, "history_used": [1, 2]}], "history_used must be an object"),
    ([{**EXPLANATION, "history_used": {"2023": 1.5}}], "history_used[2023] must be a whole number"),
])
def test_malformed_review_entries_are_named(explanations, message):
    with pytest.raises(ReviewFileError) as exc:
        read_review(_plan_file("a" * 64, explanations), "plan.json")
    assert message in str(exc.value) and "plan.json" in str(exc.value)


def test_reads_the_engines_own_explanations():
    """Contract with the allocation engine: what ``CompanyExplanation.to_dict`` writes is what the review reads."""
    explanation = pytest.importorskip("governance.explanation")
    e = explanation.CompanyExplanation(
        company_id="(주)한빛철강", sector="산업", industry="철강", method="GF", basis="average of the base years",
        history_used=((2022, 100), (2023, 200)), missing_base_years=(2024,), demand=150, auction_share_bp=0,
        shares=(explanation.VintageShare("KAU26", 150, 150, 0),))
    review = read_review(_plan_file("d" * 64, [e.to_dict()]), "engine.json")
    assert review.history.to_dict("records") == [{"company_id": "(주)한빛철강", "year": "2022", "tonnes": 100},
                                                 {"company_id": "(주)한빛철강", "year": "2023", "tonnes": 200}]
    assert review.companies.iloc[0]["base_average"] == 150
