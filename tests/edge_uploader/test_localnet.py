"""The uploader against a real chain: one CometBFT v0.39.4 validator with the real ABCI app on 127.0.0.1.

Genesis has a government official, a verification body and two companies; each test's device is
registered on chain by the verifier with ``register_device``, as in production.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from protocol.codes import Code
from tests.ports import network_base
from protocol.messages import DailyTotal, RegisterDevice, day_number
from protocol.readings import Reading, SignedReading, sign_reading

from edge_uploader.days import day_start, days_between
from edge_uploader.sources.replay import TurbineReplay
from edge_uploader.sources.synthetic import SyntheticStack
from edge_uploader.spool import Spool
from edge_uploader.validity import substitute_value
from ets.keys import Signer
from ets.rpc import ChainClient, TxRejectedError
from ets_tools.devnet import GenesisAccount, build_app_state, default_params
from ets_tools.localnet import LocalNet

from edge_helpers import REPO, device_signer, gas_turbine_csv, site_config
from proc_helpers import Uploader

pytestmark = pytest.mark.localnet
COMETBFT = REPO / "bin" / "cometbft"
SITE_A, SITE_B = "plant-a.stack-1", "plant-b.stack-1"





def _base_port() -> int:
    return network_base(1)


@dataclass
class Chain:
    net: LocalNet
    gov: Signer
    verifier: Signer
    company_a: Signer
    company_b: Signer

    @property
    def url(self) -> str:
        return self.net.rpc_url("node0")

    def client(self) -> ChainClient:
        return ChainClient(self.url)

    def register(self, device: Signer, company: Signer, site: str) -> None:
        with self.client() as client:
            client.submit(self.verifier, RegisterDevice(device.address, device.public_key.hex(), company.address, site, "CO2", "kg"))

    def daily(self, device: str, first: str, last: str) -> list[dict]:
        with self.client() as client:
            return client.query(f"/emissions/daily?device={device}&from={first}&to={last}")


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    if not COMETBFT.exists():
        pytest.skip("bin/cometbft is missing: run ./scripts/setup.sh")
    signers = {name: Signer.generate() for name in ("gov", "verifier", "company_a", "company_b")}
    accounts = [GenesisAccount("gov-1", "government", signers["gov"]),
                GenesisAccount("verifier-1", "verifier", signers["verifier"]),
                GenesisAccount("company-a", "company", signers["company_a"]),
                GenesisAccount("company-b", "company", signers["company_b"])]
    app_state = build_app_state(accounts, params=default_params(approvals_required=1))
    net = LocalNet(tmp_path_factory.mktemp("edge-chain") / "net", base_port=_base_port())
    net.create(1, chain_id="ets-edge-test", app_state=app_state)
    net.start()
    try:
        yield Chain(net, **signers)
    finally:
        net.stop()


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.2)


def _spool_days(path: Path) -> dict[str, dict]:
    with Spool.open_existing(path) as spool:
        return {d.day: d.to_json() for d in spool.days()}


def test_killed_mid_day_and_restarted_posts_every_day_exactly_once(chain, tmp_path):
    csv = gas_turbine_csv(2011)
    device = device_signer(21)
    chain.register(device, chain.company_a, SITE_A)
    days = days_between("2011-01-01", "2011-01-06")
    config = site_config(tmp_path, device, node=chain.url,
                         source={"source": {"kind": "csv"}, "csv": {"path": str(csv)}},
                         schedule={"start_day": days[0], "end_day": days[-1], "mode": "simulated", "seconds_per_hour": 0.04},
                         extra={"device": {"site": SITE_A, "company": chain.company_a.address}})
    spool_path = tmp_path / "spool.sqlite"
    kills = 0
    for _ in range(3):  # run, SIGKILL in the middle of a day (no shutdown step at all), run again
        up = Uploader(config)
        try:
            up.wait_for(lambda: up.named("day_posted") or up.named("day_sealed"), 60, "progress")
            time.sleep(0.5)  # ~half a simulated day later
            up.kill()
            kills += 1
        finally:
            if up.proc.poll() is None:
                up.kill()
    up = Uploader(config)
    try:
        _wait(lambda: all(d.get("status") == "posted" for d in _spool_days(spool_path).values())
              and len(_spool_days(spool_path)) == len(days), 120, "every day posted")
        assert up.terminate() == 0
    finally:
        if up.proc.poll() is None:
            up.kill()

    on_chain = chain.daily(device.address, days[0], days[-1])
    assert [r["day"] for r in on_chain] == days, "no day missing, none doubled"
    replay = TurbineReplay(csv, days[0])
    spooled = _spool_days(spool_path)
    for i, record in enumerate(on_chain):
        expected = sum(replay.kg[24 * i:24 * i + 24])
        assert record["total"] == expected, f"{record['day']}: on-chain total equals the readings"
        assert (record["readings"], record["substituted"], record["site"], record["company"]) == (24, 0, SITE_A, chain.company_a.address)
        assert record["merkle_root"] == spooled[record["day"]]["merkle_root"]
    assert kills == 3

    # Prove one stored reading against the root on chain, then show that an altered spool cannot be proven.
    with Spool.open_existing(spool_path) as spool:
        seq = spool.readings_of("2011-01-03")[7].reading.seq
    args = [sys.executable, "-m", "edge_uploader", "prove", "--spool", str(spool_path), "--device", device.address,
            "--day", "2011-01-03", "--seq", str(seq), "--node", chain.url, "--no-light-store"]
    untrusting = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=60, env={**os.environ, "ETS_GENESIS": ""})
    assert untrusting.returncode == 2 and "--genesis FILE" in untrusting.stderr
    args += ["--genesis", str(chain.net.home / "genesis.json")]
    proven = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=60)
    result = json.loads(proven.stdout)
    assert proven.returncode == 0 and result["verdict"] == "proven", result
    assert result["root_chain"] == spooled["2011-01-03"]["merkle_root"] and result["proof"]["size"] == 24
    # the chain of trust: reading → day root → the state (two keys proven) → a header signed by the validators
    state = result["state_proof"]
    assert state["keys"] == [f"em/{device.address}/2011-01-03", f"acct/{device.address}"]
    assert state["header_height"] == state["height"] + 1 and state["signed_by"] == "1 of 1 validators"  # a one-node net
    with sqlite3.connect(spool_path) as db:
        db.execute("UPDATE readings SET co2_kg = co2_kg - 1000 WHERE seq = ?", (seq,))
    db.close()
    tampered = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=60)
    result = json.loads(tampered.stdout)
    assert tampered.returncode == 1 and result["verdict"] == "not proven"
    assert not result["proof_valid"] and not result["signature_valid"]


def test_chain_down_for_days_then_backlog_posted_once_oldest_first(chain, tmp_path):
    device = device_signer(22)
    chain.register(device, chain.company_b, SITE_B)
    days = days_between("2024-02-01", "2024-02-07")
    config = site_config(tmp_path, device, node=chain.url,
                         source={"source": {"kind": "synthetic"}, "synthetic": {"seed": 7, "missing_per_mille": 50}},
                         schedule={"start_day": days[0], "end_day": days[-1], "mode": "simulated", "seconds_per_hour": 0.03},
                         extra={"device": {"site": SITE_B}})
    spool_path = tmp_path / "spool.sqlite"
    up = Uploader(config)
    try:
        up.wait_for(lambda: up.named("day_posted"), 60, "the first day posted")
        chain.net.stop()
        up.wait_for(lambda: len(up.named("day_sealed")) == len(days), 60, "every day sealed while the chain is down")
        up.wait_for(lambda: up.named("post_failed"), 30, "failed posts while the chain is down")
        assert up.terminate() == 0, "the uploader restarts too while the chain is down"
        first_run = [e["day"] for e in up.named("day_posted")]
        status = _spool_days(spool_path)
        assert [d for d, r in status.items() if r["status"] == "sealed"] == days[len(first_run):]
        chain.net.start()
        up = Uploader(config)
        up.wait_for(lambda: len(first_run) + len(up.named("day_posted")) == len(days), 120, "the backlog posted")
        assert up.terminate() == 0
    finally:
        if up.proc.poll() is None:
            up.kill()
    second_run = [e["day"] for e in up.named("day_posted")]
    assert first_run + second_run == days, "oldest first, each day once"
    assert all(e["note"] in ("posted", "already_reported") for e in up.named("day_posted"))
    on_chain = chain.daily(device.address, days[0], days[-1])
    spooled = _spool_days(spool_path)
    assert [r["day"] for r in on_chain] == days
    for record in on_chain:
        local = spooled[record["day"]]
        assert (record["total"], record["readings"], record["substituted"], record["merkle_root"]) == (
            local["total"], 24, local["substituted"], local["merkle_root"])
        assert local["status"] == "posted" and local["height"] == record["height"]
    assert sum(r["substituted"] for r in on_chain) >= 1, "the stack's missing hours stay visible on chain"
    stack = SyntheticStack(seed=7, start_day=days[0], missing_per_mille=50)
    measured = [m for m in (stack.measurement_for(day_start(days[0]) + 3600 * h) for h in range(24)) if m]
    assert on_chain[0]["total"] == sum(m.co2_kg for m in measured) + (24 - len(measured)) * substitute_value([m.co2_kg for m in measured])


def test_tampered_readings_and_wrong_keys_are_rejected_by_the_uploader(chain, tmp_path):
    device = device_signer(23)
    chain.register(device, chain.company_a, "plant-a.stack-2")
    stranger = device_signer(99)
    day = "2024-01-10"
    start = day_start(day)
    lines, valid = [], []
    for h in range(24):
        reading = Reading(device.address, h, start + 3600 * h, 40_000 + 11 * h, False, "modbus")
        signed = sign_reading(device, reading)
        if h in (3, 15):  # tampered after signing
            signed = SignedReading(Reading(device.address, h, reading.timestamp, 1_000, False, "modbus"), signed.signature)
        elif h == 8:  # right device address, signed with another key
            signed = SignedReading(reading, stranger.private_key.sign(reading.signing_digest()))
        elif h == 20:  # another device's reading
            signed = sign_reading(stranger, Reading(stranger.address, h, reading.timestamp, 40_000, False, "modbus"))
        else:
            valid.append(reading.co2_kg)
        lines.append(signed.to_line())
    (tmp_path / "readings.jsonl").write_text("\n".join(lines + ["{not json"]) + "\n")
    config = site_config(tmp_path, device, node=chain.url, source={"source": {"kind": "none"}},
                         schedule={"start_day": day, "end_day": day, "mode": "simulated", "seconds_per_hour": 0.01})
    imported = subprocess.run([sys.executable, "-m", "edge_uploader", "import", "--config", str(config),
                               str(tmp_path / "readings.jsonl")], cwd=REPO, capture_output=True, text=True, timeout=60)
    summary = json.loads(imported.stdout)
    assert imported.returncode == 0, imported.stderr
    assert summary == {"accepted": 20, "duplicates": 0, "rejected": {"bad_signature": 3, "wrong_device": 1, "malformed": 1}}
    assert imported.stderr.count('"reading_rejected"') == 5
    up = Uploader(config)
    try:
        up.wait_for(lambda: up.named("day_posted"), 60, "the day posted")
        assert up.terminate() == 0
    finally:
        if up.proc.poll() is None:
            up.kill()
    [record] = chain.daily(device.address, day, day)
    sub = substitute_value(valid)
    assert (record["readings"], record["substituted"]) == (24, 4)
    assert record["total"] == sum(valid) + 4 * sub, "the tampered values never reach the total; their hours are substituted"


def daily_total(day: str, *, total: int) -> DailyTotal:
    return DailyTotal(day, day_number(DailyTotal.TYPE, day), total, "kg", 24, 0, "ab" * 32)


def test_only_a_registered_device_posts_and_only_for_its_own_site(chain, tmp_path):
    device_a = device_signer(24)
    chain.register(device_a, chain.company_a, SITE_A + ".x")
    msg = daily_total("2023-05-01", total=1000)
    with chain.client() as client:
        with pytest.raises(TxRejectedError) as by_company:
            client.submit(chain.company_a, msg)
        with pytest.raises(TxRejectedError) as by_unregistered:
            client.submit(device_signer(98), msg)
        with pytest.raises(TxRejectedError) as company_registers:
            client.submit(chain.company_b, RegisterDevice(device_signer(97).address, device_signer(97).public_key.hex(),
                                                          chain.company_b.address, SITE_B, "CO2", "kg"))
        today = (datetime.now(timezone.utc) + timedelta(hours=9)).date().isoformat()
        with pytest.raises(TxRejectedError) as not_ended:
            client.submit(device_a, daily_total(today, total=1000))
        client.submit(device_a, msg)
        with pytest.raises(TxRejectedError) as twice:
            client.submit(device_a, daily_total("2023-05-01", total=5))
        company_b_rows = client.query(f"/emissions/daily?company={chain.company_b.address}&from=2023-05-01&to=2023-05-01")
        site_b_rows = client.query(f"/emissions/daily?company={chain.company_a.address}&site={SITE_B}&from=2023-05-01&to=2023-05-01")
    assert by_company.value.code == Code.UNAUTHORIZED and by_unregistered.value.code == Code.UNKNOWN_SIGNER
    assert company_registers.value.code == Code.UNAUTHORIZED
    assert not_ended.value.code == Code.DAY_NOT_ENDED and twice.value.code == Code.ALREADY_REPORTED
    [record] = chain.daily(device_a.address, "2023-05-01", "2023-05-01")
    assert (record["company"], record["site"], record["total"]) == (chain.company_a.address, SITE_A + ".x", 1000)
    assert company_b_rows == [] and site_b_rows == [], "the device's report is bound to its own company and site"

    # An uploader configured for company B's site with company A's device key refuses to post at all.
    config = site_config(tmp_path, device_a, node=chain.url, source={"source": {"kind": "synthetic"}},
                         schedule={"start_day": "2023-06-01", "end_day": "2023-06-01", "mode": "simulated", "seconds_per_hour": 0.01},
                         extra={"device": {"site": SITE_B, "company": chain.company_b.address}})
    up = Uploader(config)
    try:
        blocked = up.wait_for(lambda: up.named("post_blocked"), 60, "posting blocked by the registration check")
        assert up.terminate() == 0
    finally:
        if up.proc.poll() is None:
            up.kill()
    assert blocked[0]["kind"] == "registration" and SITE_B in blocked[0]["detail"] and not up.named("day_posted")
    assert chain.daily(device_a.address, "2023-06-01", "2023-06-01") == []


def test_a_post_lost_in_a_crash_is_recognised_as_already_reported(chain, tmp_path):
    from edge_uploader.daybook import seal_days_before
    from edge_uploader.poster import DayPoster
    from edge_uploader.validity import Limits

    device = device_signer(25)
    chain.register(device, chain.company_b, "plant-b.stack-9")
    with Spool(tmp_path / "s.sqlite", device=device.address, public_key=device.public_key, start_day="2022-07-01") as spool:
        [record] = seal_days_before(spool, device, "2022-07-02", Limits(fallback_kg_per_hour=123))
        poster = DayPoster(chain.url, device)
        try:
            assert poster.registration_problem("plant-b.stack-9", chain.company_b.address) is None
            assert "not 'elsewhere'" in poster.registration_problem("elsewhere", "")
            first = poster.post(record)  # committed, but the crash came before the spool recorded it
            again = poster.post(record)
            altered = poster.post(type(record)(**{**record.to_json(), "merkle_root": "cd" * 32}))
        finally:
            poster.close()
    assert first.kind == "posted" and first.height and first.tx_hash
    assert again.kind == "already_reported" and again.done and again.height == first.height
    assert altered.kind == "conflict" and "cd" * 32 in altered.log
    [on_chain] = chain.daily(device.address, "2022-07-01", "2022-07-01")
    assert on_chain["total"] == 24 * 123 and on_chain["substituted"] == 24


def test_a_day_not_over_on_chain_is_not_yet_and_a_malformed_day_is_never_sent(chain, tmp_path):
    from edge_uploader.daybook import seal_days_before
    from edge_uploader.days import next_day
    from edge_uploader.poster import DayPoster
    from edge_uploader.validity import Limits

    device = device_signer(26)
    chain.register(device, chain.company_a, "plant-a.stack-26")
    today = (datetime.now(timezone.utc) + timedelta(hours=9)).date().isoformat()  # KST, as the chain counts days
    with Spool(tmp_path / "s.sqlite", device=device.address, public_key=device.public_key, start_day=today) as spool:
        [record] = seal_days_before(spool, device, next_day(today), Limits(fallback_kg_per_hour=50))
        poster = DayPoster(chain.url, device)
        try:
            early = poster.post(record)  # sealed locally, but the day has not ended in block time
            with chain.client() as client:
                nonce = client.next_nonce(device)
            malformed = poster.post(type(record)(**{**record.to_json(), "merkle_root": "not a root"}))
            with chain.client() as client:
                assert client.next_nonce(device) == nonce, "a day the protocol refuses is never signed nor sent"
        finally:
            poster.close()
    assert early.kind == "not_yet" and not early.done and early.code == Code.DAY_NOT_ENDED and early.tx_hash
    assert malformed.kind == "rejected" and not malformed.done and malformed.code == Code.INVALID_MESSAGE
    assert malformed.tx_hash is None and "merkle_root" in malformed.log
    assert chain.daily(device.address, today, today) == []
