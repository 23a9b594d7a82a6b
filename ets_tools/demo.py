"""The main job's demo on a running local network: data, allocation, edge uploaders and the portal.

    python -m ets_tools.demo up   --home .localnet    seed once, then start edge uploaders and the portal
    python -m ets_tools.demo down --home .localnet    stop the uploaders and the portal

Seeding (once per network; recorded in ``<home>/demo/seeded.json``):
  1. a deterministic demo data set in the public formats (``datasets.demo``, seed 2026) in ``<home>/demo/data``;
  2. the allocation plan computed from it by the engine (Phase 4, vintages 2026-2030, grandfathering on
     2021-2023 certified emissions), written to ``<home>/demo/plans``;
  3. every demo company registered on chain (keys in ``<home>/keys``), the plan uploaded and proposed by
     official 1 — its second approval is left to an official in the portal;
  4. three sensor devices registered by the verification body for three companies' sites.
Then three edge uploaders replay data into the chain (the UCI gas turbine readings when
``../shared/datasets`` is present, otherwise the synthetic source), and the portal starts on
http://127.0.0.1:8501 with users gov-1, gov-2, gov-3, verifier-1 and the first demo company (demo password).
The uploaders serve metrics on the network's base port + 1, + 2, + 3 (unused by the nodes) unless --metrics-port
says otherwise. Everything listens on 127.0.0.1 only; logs go to ``<home>/demo/*.log``.
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

from ets.keys import Keystore, KeystoreError
from ets.rpc import ChainClient, ChainError

from .devnet import LOCALNET_SCRYPT_N, localnet_passphrase
from .localnet import LocalNet

__all__ = ["main", "seed", "start_services", "stop_services"]

REPO = Path(__file__).resolve().parent.parent
DEMO_SEED = 2026
DEMO_COMPANIES = 60
PORTAL_PASSWORD = "portal-demo-password"  # local demo only; say so wherever it is printed
PORTAL_PORT = 8501
SENSORS = REPO.parent / "shared" / "datasets" / "sensors" / "gas_turbine_2011.csv"
KST = KST_ZONE


def _say(text: str) -> None:
    print(f"[demo] {text}", flush=True)


def _client(net: LocalNet) -> ChainClient:
    return ChainClient(net.rpc_url(net.nodes()[0]), timeout=60)


def seed(home: Path) -> dict:
    """Put the demo's data on chain once; returns what was done (also kept in seeded.json)."""
    import datasets
    from datasets.demo import generate, write
    from governance import AllocationParameters, compute_allocation_plan
    from governance.inputs import build_company_inputs

    from ets.plan_upload import PlanFile, propose_issue, upload_plan
    from ets.registry import CompanyEntry, register_companies

    demo = home / "demo"
    marker = demo / "seeded.json"
    if marker.exists():
        return json.loads(marker.read_text())
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
    users = demo / "portal-users"
    existing = {u["name"] for u in list_users(users)} if users.exists() else set()
    keystore = Keystore(home / "keys")
    for name in ("gov-1", "gov-2", "gov-3", "verifier-1", record["company_user"]):
        if name not in existing:
            add_user(users, name, PORTAL_PASSWORD, keystore.load(name, localnet_passphrase()), scrypt_n=LOCALNET_SCRYPT_N)
    portal_env = {**env, "ETS_PORTAL_NODE": node, "ETS_PORTAL_USERS": str(users), "ETS_PORTAL_PLANS": str(demo / "plans"),
                  "ETS_PORTAL_GENESIS": str(home / "genesis.json")}
    record_pid("portal", _spawn([sys.executable, "-m", "streamlit", "run", str(REPO / "portal" / "app.py"),
                                 "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(portal_port),
                                 "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"],
                                demo / "portal.log", portal_env))
    return pids


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
    parser.add_argument("action", choices=["up", "down"], help="up: seed once and start services; down: stop services")
    parser.add_argument("--home", default=str(REPO / ".localnet"), help="the local network's folder (default .localnet)")
    parser.add_argument("--portal-port", type=int, default=PORTAL_PORT, help=f"portal port on 127.0.0.1 (default {PORTAL_PORT})")
    parser.add_argument("--metrics-port", type=int, default=None, metavar="P",
                        help="first edge uploader's metrics port on 127.0.0.1; the others use P+1, P+2 "
                             "(default: the network's base port + 1)")
    args = parser.parse_args(argv)
    home = Path(args.home).resolve()
    try:
        if args.action == "down":
            stop_services(home)
            _say("edge uploaders and portal stopped")
            return 0
        record = seed(home)
        start_services(home, record, args.portal_port, args.metrics_port)
    except (ChainError, KeystoreError, OSError, ValueError) as exc:
        print(f"ets_tools.demo: {exc}", file=sys.stderr)
        return 2
    _say(f"portal: http://127.0.0.1:{args.portal_port}  (users gov-1, gov-2, gov-3, verifier-1, {record['company_user']}; "
         f"password '{PORTAL_PASSWORD}' — local demo only)")
    _say(f"edge uploaders: {len(record['devices'])} replaying 21 days into the chain; logs in {home / 'demo'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
