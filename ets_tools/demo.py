"""The main job's demo on a local network: data, allocation, a market that trades, a compliance year, edge
uploaders and the portal.

    python -m ets_tools.demo create --home .localnet   the demo genesis: a new network whose market trades 24 hours a day
    python -m ets_tools.demo up     --home .localnet   seed once, then start the edge uploaders, the market maker, the portal
    python -m ets_tools.demo down   --home .localnet   stop them
    python -m ets_tools.demo market --home .localnet   the market maker's rounds in the foreground (up starts it)

The demo genesis is the local network's (``ets_tools.devnet``: 3 officials, 2 of 3 approvals, a verification
body, an exchange, a settlement bank, a validator operator, company-1 … company-4 holding KAU25 and KAU26) with
one demo-only parameter, ``market_around_the_clock = 1``: continuous trading 00:00-24:00 KST every day, so the
demo can trade whenever it is started (a production chain keeps the KRX session, 10:00-12:00 KST).

Seeding (once per network; each stage recorded in ``<home>/demo/seeded.json``, so a re-run does nothing twice):
  1. a deterministic demo data set in the public formats (``datasets.demo``, seed 2026) in ``<home>/demo/data``;
  2. the allocation plan computed from it by the engine (Phase 4, vintages 2026-2030, grandfathering on
     2021-2023 certified emissions), written to ``<home>/demo/plans``;
  3. every demo company and the market maker (``market-maker-1``) registered on chain (keys in ``<home>/keys``),
     the plan uploaded and proposed by official 1 — its second approval is left to an official in the portal;
  4. three sensor devices registered by the verification body for three companies' sites;
  5. the market (``ets_tools.demo_activity``, orders from ``datasets.demo_activity``, seed 2026): the bank funds
     every demo company and the maker with KRW, the officials register the maker for KAU26, it quotes both sides
     around the reference price, companies trade against it and leave orders resting;
  6. the last ended compliance year: deadlines by notice, three reports, the verifier assigned; company-1's
     report verified and certified (it has KAU to surrender), company-2's and company-d001's await verifier-1.
Then the market maker keeps both sides of KAU26 quoted (day orders expire at midnight KST) and, on each day
without a trade yet, sends that day's orders (``demo_activity.market_round``); three edge uploaders replay
data into the chain (the UCI gas turbine readings when ``../shared/datasets`` is present, otherwise the
synthetic source), and the portal starts on
http://127.0.0.1:8501 with users gov-1, gov-2, gov-3, verifier-1, company-d001, company-1 and market-maker-1
(demo password). The uploaders serve metrics on the network's base port + 1, + 2, + 3 (unused by the nodes) unless
--metrics-port says otherwise. Everything listens on 127.0.0.1 only; logs go to ``<home>/demo/*.log``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from protocol.calendar import KST_ZONE
from protocol.messages import RegisterDevice

from ets.keys import Keystore, KeystoreError, Signer
from ets.rpc import ChainClient, ChainError

from .demo_activity import CERTIFIED, INSTRUMENT, MAKER, keep_market, seed_compliance, seed_market
from .devnet import LOCALNET_SCRYPT_N, create_localnet_accounts, localnet_passphrase
from .localnet import LocalNet, LocalNetError

__all__ = ["main", "seed", "start_services", "stop_services"]

REPO = Path(__file__).resolve().parent.parent
DEMO_SEED = 2026
DEMO_COMPANIES = 60
MAKER_ID = "DEMO-MM-01"
DEMO_PARAMS = {"market_around_the_clock": 1}  # demo genesis only: continuous trading 00:00-24:00 KST every day
PORTAL_USERS = ("gov-1", "gov-2", "gov-3", "verifier-1", "company-d001", CERTIFIED, MAKER)
PORTAL_PASSWORD = "portal-demo-password"  # local demo only; say so wherever it is printed
PORTAL_PORT = 8501
SENSORS = REPO.parent / "shared" / "datasets" / "sensors" / "gas_turbine_2011.csv"
KST = KST_ZONE


def _say(text: str) -> None:
    print(f"[demo] {text}", flush=True)


def _client(net: LocalNet) -> ChainClient:
    return ChainClient(net.rpc_url(net.nodes()[0]), timeout=60)


def demo_app_state(keystore: Keystore) -> dict:
    """The demo genesis: the local network's first accounts (keys made in ``keystore``) and a 24-hour session."""
    app_state = create_localnet_accounts(keystore)
    app_state["params"].update(DEMO_PARAMS)
    return app_state


def create(home: Path, validators: int = 4, base_port: int | None = None) -> bool:
    """Create a network with the demo genesis in ``home`` (empty or missing); False if one is there already."""
    import shutil
    import tempfile

    from .localnet import DEFAULT_BASE_PORT

    net = LocalNet(home, base_port=DEFAULT_BASE_PORT if base_port is None else base_port)
    if net.exists():
        return False
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".demo-keys-", dir=home.parent) as staging:
        app_state = demo_app_state(Keystore(Path(staging) / "keys"))
        net.create(validators, app_state=app_state)  # the folder must be empty: the keys move in afterwards
        shutil.move(str(Path(staging) / "keys"), str(home / "keys"))
    return True


def seed(home: Path) -> dict:
    """Put the demo on chain, each stage once; returns what was done (also kept in seeded.json)."""
    marker = home / "demo" / "seeded.json"
    record = json.loads(marker.read_text()) if marker.exists() else _seed_registry(home)
    if "market" in record and "compliance" in record:
        return record
    net = LocalNet(home)
    client = _client(net)
    keys = _demo_keys(Keystore(home / "keys"), localnet_passphrase(), record)
    if "market" not in record:
        _register_maker(client, keys)
        record["market"] = market = seed_market(client, keys, _buyers(record), DEMO_SEED)
        if "skipped" in market:
            _say(f"market not seeded: {market['skipped']}")
        else:
            _say(f"market: the bank funded {market['funded'] - 1} demo companies and {MAKER} with KRW; {MAKER} quotes "
                 f"{INSTRUMENT} on both sides; {market['trades']} trades around KRW {market['reference_price']:,}")
        marker.write_text(json.dumps(record, indent=2, ensure_ascii=False))
    if "compliance" not in record:
        record["compliance"] = seed_compliance(client, keys)
        done = record["compliance"]
        _say(f"compliance {done['year']}: {CERTIFIED} certified (KAU to surrender); reports of "
             f"{', '.join(done['awaiting_verification'])} await verifier-1")
        marker.write_text(json.dumps(record, indent=2, ensure_ascii=False))
    return record


def _demo_keys(keystore: Keystore, passphrase: str, record: dict) -> dict[str, Signer]:
    """Signers of every account the demo's stages send from (the maker's key is made on first use)."""
    names = ["gov-1", "gov-2", "bank-1", "verifier-1", *(f"company-{i}" for i in range(1, 5)),
             *_buyers(record)]
    keys = {name: keystore.load(name, passphrase) for name in names}
    try:
        keys[MAKER] = keystore.load(MAKER, passphrase)
    except KeystoreError:
        keys[MAKER] = keystore.create(MAKER, passphrase, scrypt_n=LOCALNET_SCRYPT_N)
    return keys


def _register_maker(client: ChainClient, keys: dict[str, Signer]) -> None:
    from ets.registry import CompanyEntry, register_companies

    maker = keys[MAKER]
    entry = CompanyEntry(MAKER_ID, "데모 시장조성자 Demo Market Maker", None, maker.address, maker.public_key.hex())
    register_companies(client, keys["gov-1"], [keys["gov-2"]], [entry])


def _seed_registry(home: Path) -> dict:
    """Stages 1-4: data, plan, companies, devices."""
    import datasets
    from datasets.demo import generate, write
    from governance import AllocationParameters, compute_allocation_plan
    from governance.inputs import build_company_inputs

    from ets.plan_upload import PlanFile, propose_issue, upload_plan
    from ets.registry import CompanyEntry, register_companies

    demo = home / "demo"
    marker = demo / "seeded.json"
    net = LocalNet(home)
    client = _client(net)
    passphrase = localnet_passphrase()
    keystore = Keystore(home / "keys")
    officials = [keystore.load(f"gov-{i}", passphrase) for i in (1, 2, 3)]
    verifier = keystore.load("verifier-1", passphrase)

    _say(f"generating demo data ({DEMO_COMPANIES} companies, seed {DEMO_SEED}) in the public file formats")
    data = generate(DEMO_SEED, DEMO_COMPANIES)
    write(data, demo / "data")
    inputs = build_company_inputs(pre_allocation=data.pre_allocation, certified_emissions=data.certified_emissions,
                                  statements=data.statements)
    latest_cap = dict(data.total_cap.by_year)[max(dict(data.total_cap.by_year))]
    params = AllocationParameters(cap={year: latest_cap for year in range(2026, 2031)}, base_years=(2021, 2022, 2023),
                                  phase=4, vintages=tuple(range(2026, 2031)))
    plan = compute_allocation_plan(inputs.companies, params, inputs={
        "phase3_pre_allocation": datasets.file_sha256(demo / "data" / "kets" / "phase3_pre_allocation_2021_2025.csv")})
    (demo / "plans").mkdir(parents=True, exist_ok=True)
    plan_path = demo / "plans" / f"{plan.plan_hash}.json"
    plan_path.write_bytes(plan.to_json())
    _say(f"allocation plan {plan.plan_hash[:16]}…: {len(plan.lines):,} lines for {len(inputs.companies)} companies")

    entries, names = [], {}
    for index, company in enumerate(inputs.companies, 1):
        name = f"company-d{index:03d}"
        try:
            signer = keystore.load(name, passphrase)
        except KeystoreError:
            signer = keystore.create(name, passphrase, scrypt_n=LOCALNET_SCRYPT_N)
        names[company.company_id] = (name, signer)
        entries.append(CompanyEntry(company.company_id, company.company_id, company.sector, signer.address, signer.public_key.hex()))
    _say(f"registering {len(entries)} companies (2-of-3 approvals)")
    register_companies(client, officials[0], [officials[1]], entries)
    upload_plan(client, officials[0], PlanFile(plan.plan_hash, plan.header.to_dict(),
                                               [(l.company_id, l.vintage, l.amount) for l in plan.lines]))
    proposal_id = propose_issue(client, officials[0], plan.plan_hash)
    _say(f"plan uploaded and proposed (proposal {proposal_id}); approve it as gov-2 in the portal to issue the e-orders")

    sites, seen = [], set()
    for site in data.sites:  # the first site of the first three companies that have one
        if site.company in names and site.company not in seen and len(sites) < 3:
            seen.add(site.company)
            sites.append(site)
    devices = []
    for index, site in enumerate(sites, 1):
        key = f"device-{index}"
        try:
            device = keystore.load(key, passphrase)
        except KeystoreError:
            device = keystore.create(key, passphrase, scrypt_n=LOCALNET_SCRYPT_N)
        company = names[site.company][1]
        client.submit(verifier, RegisterDevice(device.address, device.public_key.hex(), company.address, site.site_id, "CO2", "kg"))
        devices.append({"key": key, "address": device.address, "company": company.address, "company_id": site.company,
                        "site": site.site_id})
    _say(f"registered {len(devices)} sensor devices: " + ", ".join(d["site"] for d in devices))
    record = {"plan_hash": plan.plan_hash, "proposal_id": proposal_id, "companies": len(entries), "devices": devices,
              "company_user": names[inputs.companies[0].company_id][0]}
    marker.write_text(json.dumps(record, indent=2, ensure_ascii=False))
    return record


def _uploader_config(home: Path, device: dict, index: int, node: str, metrics_port: int) -> Path:
    folder = home / "demo" / "edge" / device["key"]
    folder.mkdir(parents=True, exist_ok=True)
    today = datetime.now(KST).date()
    start = today - timedelta(days=21)
    use_csv = index == 1 and SENSORS.exists()
    source = f'kind = "csv"\n\n[csv]\npath = "{SENSORS}"\n' if use_csv else \
        f'kind = "synthetic"\n\n[synthetic]\nseed = {index}\nbase_kg_per_hour = {30000 + 15000 * index}\nmissing_per_mille = 20\n'
    config = folder / "site.toml"
    config.write_text(
        f'# Demo uploader for {device["site"]} (written by ets_tools.demo; local development only)\n'
        f'[device]\nkeystore = "{home / "keys"}"\nkey = "{device["key"]}"\nsite = "{device["site"]}"\ncompany = "{device["company"]}"\n\n'
        f'[chain]\nnode = "{node}"\n\n[spool]\npath = "{folder / "spool.sqlite"}"\n\n'
        f'[schedule]\nmode = "simulated"\nstart_day = "{start.isoformat()}"\nend_day = "{(today - timedelta(days=1)).isoformat()}"\n'
        f'seconds_per_hour = 0.25\n\n[metrics]\nenabled = true\nhost = "127.0.0.1"\nport = {metrics_port}\n\n'
        f'[source]\n{source}'
    )
    return config


def _spawn(argv: list[str], log: Path, env: dict[str, str]) -> int:
    with open(log, "ab") as out:
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO,
                                 env=env, start_new_session=True)
    return child.pid


def start_services(home: Path, record: dict, portal_port: int = PORTAL_PORT, metrics_port: int | None = None) -> dict:
    """Start the edge uploaders and the portal; returns their pids (kept in services.json).

    Uploader i (from 1) serves metrics on ``metrics_port + i - 1``, by default the network's base port + i.
    Each pid is written to services.json as soon as its process exists, so ``stop_services`` stops
    whatever was started even when starting is interrupted half-way.
    """
    from portal.users import add_user, list_users

    net = LocalNet(home)
    node = net.rpc_url(net.nodes()[0])
    if metrics_port is None:
        metrics_port = net.base_port + 1
    demo = home / "demo"
    stop_services(home)
    env = {**os.environ, "ETS_PASSPHRASE": localnet_passphrase()}
    pids: dict[str, int] = {}
    services = demo / "services.json"

    def record_pid(name: str, pid: int) -> None:
        pids[name] = pid
        services.write_text(json.dumps(pids, indent=2))

    for index, device in enumerate(record["devices"], 1):
        config = _uploader_config(home, device, index, node, metrics_port + index - 1)
        record_pid(device["key"], _spawn([sys.executable, "-m", "edge_uploader", "run", "--config", str(config)],
                                         demo / f"edge-{device['key']}.log", env))
    if "trades" in record.get("market", {}):  # the maker keeps both sides quoted and each day trading
        record_pid("market-maker", _spawn([sys.executable, "-m", "ets_tools.demo", "market", "--home", str(home)],
                                          demo / "market-maker.log", env))
    users = demo / "portal-users"
    existing = {u["name"] for u in list_users(users)} if users.exists() else set()
    keystore = Keystore(home / "keys")
    for name in PORTAL_USERS:
        if name not in existing:
            add_user(users, name, PORTAL_PASSWORD, keystore.load(name, localnet_passphrase()), scrypt_n=LOCALNET_SCRYPT_N)
    portal_env = {**env, "ETS_PORTAL_NODE": node, "ETS_PORTAL_USERS": str(users), "ETS_PORTAL_PLANS": str(demo / "plans"),
                  "ETS_PORTAL_GENESIS": str(home / "genesis.json")}
    record_pid("portal", _spawn([sys.executable, "-m", "streamlit", "run", str(REPO / "portal" / "app.py"),
                                 "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(portal_port),
                                 "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"],
                                demo / "portal.log", portal_env))
    return pids


def run_market(home: Path, interval: float = 30.0) -> None:
    """The demo market maker's rounds in the foreground (``demo_activity.keep_market``), until stopped."""
    record = json.loads((home / "demo" / "seeded.json").read_text())
    keys = _demo_keys(Keystore(home / "keys"), localnet_passphrase(), record)
    net = LocalNet(home)
    _say(f"{MAKER} keeps {INSTRUMENT} quoted on both sides and each day trading (a round every {interval:.0f} s)")
    keep_market(net.rpc_url(net.nodes()[0]), keys, _buyers(record), DEMO_SEED, interval=interval, say=_say)


def _buyers(record: dict) -> list[str]:
    return [f"company-d{i:03d}" for i in range(1, record["companies"] + 1)]


def stop_services(home: Path) -> None:
    path = home / "demo" / "services.json"
    if not path.exists():
        return
    for name, pid in json.loads(path.read_text()).items():
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            os.killpg(pid, signal.SIGKILL)
    path.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ets_tools.demo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["create", "up", "down", "market"],
                        help="create: a network with the demo genesis; up: seed once and start services; down: stop "
                             "services; market: the demo market maker's rounds in the foreground (up starts it)")
    parser.add_argument("--home", default=str(REPO / ".localnet"), help="the local network's folder (default .localnet)")
    parser.add_argument("--portal-port", type=int, default=PORTAL_PORT, help=f"portal port on 127.0.0.1 (default {PORTAL_PORT})")
    parser.add_argument("--metrics-port", type=int, default=None, metavar="P",
                        help="first edge uploader's metrics port on 127.0.0.1; the others use P+1, P+2 "
                             "(default: the network's base port + 1)")
    parser.add_argument("--validators", type=int, default=4, help="create: how many validators (default 4)")
    parser.add_argument("--base-port", type=int, default=None, help="create: the network's base port (default 26650)")
    args = parser.parse_args(argv)
    home = Path(args.home).resolve()
    try:
        if args.action == "down":
            stop_services(home)
            _say("edge uploaders, market maker and portal stopped")
            return 0
        if args.action == "create":
            made = create(home, args.validators, args.base_port)
            _say(f"{'created' if made else 'kept the existing'} network in {home}" +
                 (": demo genesis, the market trades 24 hours a day (market_around_the_clock = 1, demo only)" if made else ""))
            return 0
        if args.action == "market":
            run_market(home)
            return 0
        record = seed(home)
        start_services(home, record, args.portal_port, args.metrics_port)
    except (ChainError, KeystoreError, LocalNetError, OSError, ValueError) as exc:
        print(f"ets_tools.demo: {exc}", file=sys.stderr)
        return 2
    _say(f"portal: http://127.0.0.1:{args.portal_port}  (users {', '.join(PORTAL_USERS)}; "
         f"password '{PORTAL_PASSWORD}' — local demo only)")
    _say(f"edge uploaders: {len(record['devices'])} replaying 21 days into the chain; logs in {home / 'demo'}")
    market = record.get("market", {})
    _say(f"market: {market['skipped']}" if "skipped" in market else
         f"market: {INSTRUMENT} trades around the clock (24-hour demo session, demo genesis only); {MAKER} quotes both sides")
    return 0


if __name__ == "__main__":
    sys.exit(main())
