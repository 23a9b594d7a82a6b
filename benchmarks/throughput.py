"""Load generator: signed transfers against a 4-validator localnet, and the kvstore baseline.

For each offered rate the generator pre-signs transfers (many sender companies, each sender
bound to one node so its nonces arrive in order), sends them in JSON-RPC batches of
``broadcast_tx_sync`` (each answer carries the tx's CheckTx result) spread evenly over the step, and follows committed blocks on node0 to
time every tx from broadcast to commit. A tx refused for overload (CometBFT's "mempool is full",
the bounded mempool of ``cometbft-config/localnet.toml``, or the app's ``CHECK_BACKLOG``) is counted
as refused and sent again, before the sender's next one; "lost" is what was sent and never committed. Latency
counts from a tx's first send (p50, p99) and, as "p99 in", from the send that got it into the mempool;
"sent/s" is the rate the generator managed (a sync broadcast waits for its CheckTx answer, so a node
that checks slower than the offered rate slows its sender down, and that wait is in no latency figure). The same generator shape then
runs against two baselines on the same 4-node layout: CometBFT's built-in ``kvstore`` app, which runs inside
CometBFT and never crosses the ABCI socket, and ``_null_app.py``, an app that does no work, served by this
project's ABCI socket server as a process of its own on every node (what an out-of-process app cannot go
beyond: see ``benchmarks/README.md``).

Prints a table and writes JSON to ``benchmarks/results/throughput-<time>.json``. Also reports
where CPU time went during each step (cometbft processes, app processes, the generator), the blocks
that held the step's txs (how many, txs per block, time between blocks) and node0's mempool size
(sampled every 0.25 s), so a run says whether txs waited to get in or to be executed. ``--set``
changes a CometBFT setting of both networks for one run (an experiment, not a new default).

    .venv/bin/python benchmarks/throughput.py                 # default rates
    .venv/bin/python benchmarks/throughput.py --rates 500 1000 1500 --seconds 10
    .venv/bin/python benchmarks/throughput.py --rates 1000 --set mempool.size=1000 --set 'consensus.timeout_commit="1s"'
    .venv/bin/python benchmarks/throughput.py --skip-ets --baselines socket --rates 2000   # one baseline alone
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from protocol.codes import Code  # noqa: E402
from protocol.messages import Transfer  # noqa: E402
from protocol.private_tx import seal_to  # noqa: E402

from ets.keys import Signer  # noqa: E402
from ets_tools.devnet import GenesisAccount, build_app_state, default_params  # noqa: E402
from ets_tools.localnet import LocalNet  # noqa: E402
from ets_tools.localnet.ports import LOOPBACK, node_ports, port_accepts, port_free  # noqa: E402
from ets_tools.localnet.toml_edit import apply_toml_overrides  # noqa: E402
from _memory import app_peak_rss_mb  # noqa: E402
from _results import write_figures  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
RETRY_SECONDS = 0.2  # a client's pause before sending a tx a full mempool refused again
GIVE_UP_SECONDS = 30.0
OVERLOAD_CODE = int(Code.CHECK_BACKLOG)  # the app's "too many txs waiting to be checked": send again


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def process_groups(net: LocalNet) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {"cometbft": [], "app": []}
    for node in net.status():
        pids = node.get("pids") or {}
        for kind in ("cometbft", "app"):
            if pids.get(kind):
                groups[kind].append(int(pids[kind]))
    return groups


class BlockFollower(threading.Thread):
    """Follows committed blocks on one node and records when each tx hash was first seen."""

    def __init__(self, rpc: str, start_height: int):
        super().__init__(daemon=True)
        self.http = httpx.Client(base_url=rpc, timeout=10)
        self.next_height = start_height + 1
        self.committed: dict[str, float] = {}
        self.blocks: list[tuple[int, float, list[str]]] = []  # (height, when seen, its tx hashes)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                latest = int(self.http.get("/status").json()["result"]["sync_info"]["latest_block_height"])
                while self.next_height <= latest:
                    block = self.http.get("/block", params={"height": self.next_height}).json()["result"]["block"]
                    seen = time.monotonic()
                    hashes = [hashlib.sha256(base64.b64decode(tx)).hexdigest() for tx in block["data"]["txs"] or []]
                    for h in hashes:
                        self.committed.setdefault(h, seen)
                    self.blocks.append((self.next_height, seen, hashes))
                    self.next_height += 1
            except (httpx.HTTPError, KeyError, ValueError):
                pass  # a transient RPC hiccup only delays observation; the next poll retries
            time.sleep(0.02)


class MempoolSampler(threading.Thread):
    """Samples one node's mempool (``num_unconfirmed_txs``) every ``interval`` seconds."""

    def __init__(self, rpc: str, interval: float = 0.25):
        super().__init__(daemon=True)
        self.http = httpx.Client(base_url=rpc, timeout=10)
        self.interval = interval
        self.sizes: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                self.sizes.append(int(self.http.get("/num_unconfirmed_txs").json()["result"]["n_txs"]))
            except (httpx.HTTPError, KeyError, ValueError):
                continue  # a missed sample only thins the series


def _counts(url: str) -> list[tuple[str, dict[str, str], float]]:
    """The counters of one Prometheus page as (counter, labels, value) (prometheus_client's parser); none when
    nothing answers there."""
    try:
        text = httpx.get(url, timeout=5).text
    except httpx.HTTPError:
        return []
    return [(family.name, sample.labels, sample.value) for family in text_string_to_metric_families(text)
            if family.type == "counter" for sample in family.samples if sample.name == family.name + "_total"]


# what node_counters sums: (the counter, the label it must have or None) per figure
_COUNTED = {
    "app_checks": ("ets_app_txs", ("stage", "check")),
    "app_rechecks": ("ets_app_txs", ("stage", "recheck")),
    "gossip_repeats": ("cometbft_mempool_already_received_txs", None),
    "recheck_passes": ("cometbft_mempool_recheck_times", None),
}


def node_counters(net: LocalNet) -> dict[str, float | None]:
    """Counters summed over the nodes: the apps' new checks and rechecks (``ets_app_txs_total``), and CometBFT's
    txs received again through gossip and its recheck passes (``cometbft_mempool_*``). A counter no node exports
    (renamed in a new version, metrics switched off) is None, not 0."""
    totals: dict[str, float | None] = dict.fromkeys(_COUNTED)
    for node in net.nodes():
        ports = net.node_entry(node)["ports"]
        pages = (f"http://{LOOPBACK}:{ports['app_metrics']}/metrics", f"http://{LOOPBACK}:{ports['prometheus']}/metrics")
        for counter, labels, value in (count for page in pages for count in _counts(page)):
            for figure, (name, label) in _COUNTED.items():
                if counter == name and (label is None or labels.get(label[0]) == label[1]):
                    totals[figure] = (totals[figure] or 0.0) + value
    return totals


def _p99(values: list[float]) -> float | None:
    return round(values[min(len(values) - 1, int(len(values) * 0.99))], 1) if values else None


def block_figures(blocks: list[tuple[int, float, list[str]]], sent: dict[str, float]) -> dict:
    """Blocks that held the step's txs: how many, their sizes (the step's txs only) and the time between them."""
    sizes = [(height, seen, sum(1 for h in hashes if h in sent)) for height, seen, hashes in blocks]
    used = [(height, seen, n) for height, seen, n in sizes if n]
    if not used:
        return {"blocks": 0}
    gaps = [(b[1] - a[1]) * 1000 for a, b in zip(sizes, sizes[1:]) if a[0] >= used[0][0] and b[0] <= used[-1][0]]
    counts = sorted(n for *_, n in used)
    return {
        "blocks": len(used),
        "txs_per_block_mean": round(sum(counts) / len(counts), 1),
        "txs_per_block_max": counts[-1],
        "block_interval_ms_mean": round(sum(gaps) / len(gaps), 1) if gaps else None,
    }


def parse_setting(text: str) -> tuple[str, str, object]:
    """``section.key=value`` (a value in TOML: 1000, true, "500ms"; a bare word is a string)."""
    name, sep, value = text.partition("=")
    section, dot, key = name.strip().rpartition(".")
    if not sep or not dot or not section or not key:
        raise argparse.ArgumentTypeError(f"--set takes section.key=value (say mempool.size=1000), not {text!r}")
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()
    return section, key, parsed


def send_step(rpcs: list[str], per_node: list[list[bytes]], rate: int, seconds: float, batch_interval: float = 0.05,
              method: str = "broadcast_tx_sync"):
    """Send each node's txs in order, paced to ``rate`` tx/s overall; returns send times, rejections and
    refusals. A tx a full mempool refuses is sent again (after ``RETRY_SECONDS``) before anything after
    it, as a client would, for up to ``GIVE_UP_SECONDS``; its latency counts from its first send."""
    sent: dict[str, float] = {}
    accepted: dict[str, float] = {}  # when the send that got in was made (the first, unless refused for overload)
    rejected: list[tuple[int, str]] = []
    refusals = [0]
    lock = threading.Lock()
    total = sum(len(txs) for txs in per_node)

    def post(http: httpx.Client, chunk: list[bytes]) -> list[bytes]:
        """Broadcast ``chunk``; returns the txs refused for overload (a full mempool, ``CHECK_BACKLOG``)."""
        payload = [{"jsonrpc": "2.0", "id": j, "method": method, "params": {"tx": base64.b64encode(tx).decode()}}
                   for j, tx in enumerate(chunk)]
        posted = time.monotonic()
        try:
            answers = http.post("/", json=payload).json()
        except (httpx.HTTPError, ValueError) as exc:
            with lock:
                rejected.extend((-1, str(exc)) for _ in chunk)
            return []
        again = []
        for answer in answers if isinstance(answers, list) else [answers]:
            index = answer.get("id") if isinstance(answer, dict) else None
            if not isinstance(index, int) or not 0 <= index < len(chunk):
                continue
            code = (answer.get("result") or {}).get("code", 0)
            text = str(answer.get("error") or (answer.get("result") or {}).get("log", ""))
            if "mempool is full" in text or code == OVERLOAD_CODE:
                again.append(chunk[index])
            elif "error" in answer or code:
                with lock:
                    rejected.append((code or -1, text[:120]))
            else:
                with lock:
                    accepted[hashlib.sha256(chunk[index]).hexdigest()] = posted
        return again

    def worker(rpc: str, txs: list[bytes]) -> None:
        http = httpx.Client(base_url=rpc, timeout=30)
        node_rate = rate * len(txs) / max(total, 1)
        per_batch = max(1, int(node_rate * batch_interval))
        start = time.monotonic()
        for i in range(0, len(txs), per_batch):
            due = start + (i / node_rate if node_rate else 0)
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            chunk = txs[i : i + per_batch]
            now = time.monotonic()
            with lock:
                for tx in chunk:
                    sent[hashlib.sha256(tx).hexdigest()] = now
            full = post(http, chunk)
            give_up = time.monotonic() + GIVE_UP_SECONDS
            while full:
                with lock:
                    refusals[0] += len(full)
                if time.monotonic() > give_up:
                    with lock:
                        rejected.extend((-1, "mempool is full (gave up)") for _ in full)
                    break
                time.sleep(RETRY_SECONDS)
                full = post(http, full)

    threads = [threading.Thread(target=worker, args=(rpc, txs)) for rpc, txs in zip(rpcs, per_node)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sent, accepted, rejected, refusals[0]


def measure(net: LocalNet, rate: int, seconds: float, make_txs, method: str = "broadcast_tx_sync",
            app_pids: list[int] | None = None) -> dict:
    """One step at ``rate`` tx/s for ``seconds``; ``app_pids``: the app processes when the network does not run
    them itself (the socket baseline's), so their CPU is counted."""
    rpcs = [net.rpc_url(n) for n in net.nodes()]
    per_node = make_txs(rate, seconds, len(rpcs))
    follower = BlockFollower(rpcs[0], int(httpx.get(rpcs[0] + "/status").json()["result"]["sync_info"]["latest_block_height"]))
    follower.start()
    sampler = MempoolSampler(rpcs[0])
    sampler.start()
    groups = process_groups(net)
    if app_pids is not None:
        groups["app"] = list(app_pids)
    counted_before = node_counters(net)
    cpu_before = {k: sum(cpu_seconds(p) for p in pids) for k, pids in groups.items()}
    gen_before = time.process_time()
    t0 = time.monotonic()
    sent, accepted, rejected, refusals = send_step(rpcs, per_node, rate, seconds, method=method)
    send_done = time.monotonic()
    deadline = send_done + 30
    while time.monotonic() < deadline and sum(1 for h in sent if h in follower.committed) < len(sent) - len(rejected):
        time.sleep(0.1)
    follower.stop.set()
    sampler.stop.set()
    follower.join()
    sampler.join()
    elapsed = time.monotonic() - t0
    cpu_after = {k: sum(cpu_seconds(p) for p in pids) for k, pids in groups.items()}
    # a labelled counter appears on its first count: one absent before the step started from 0
    counted = {k: None if v is None else v - (counted_before[k] or 0.0) for k, v in node_counters(net).items()}
    committed = {h: follower.committed[h] for h in sent if h in follower.committed}
    latencies = sorted((committed[h] - sent[h]) * 1000 for h in committed)
    once_in = sorted((committed[h] - accepted[h]) * 1000 for h in committed if h in accepted)
    if committed:
        window = max(committed.values()) - min(sent.values())
    else:
        window = elapsed
    result = {
        "offered_rate": rate,
        "sent": len(sent),
        "rpc_errors": len(rejected),
        "mempool_full_refusals": refusals,  # answered at once with "mempool is full", then sent again
        "not_committed": len(sent) - len(committed),
        "rejection_samples": sorted({f"{c}: {l}" for c, l in rejected})[:3],
        "committed": len(committed),
        "committed_tps": round(len(committed) / window, 1) if window > 0 else 0.0,
        # what the generator managed to send: a sync broadcast waits for its CheckTx answer, so a node that
        # checks slower than the offered rate slows its sender down (the wait before sending is not in p99)
        "sent_rate": round(len(sent) / (send_done - t0), 1) if send_done > t0 else None,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": _p99(latencies),
        # from the send that got into the mempool to its block: what a refused-then-resent tx waits once in
        "p99_accepted_ms": _p99(once_in),
        "cpu_seconds": {
            "cometbft(4)": round(cpu_after["cometbft"] - cpu_before["cometbft"], 2),
            "app(4)": round(cpu_after["app"] - cpu_before["app"], 2),
            "generator": round(time.process_time() - gen_before, 2),
        },
        "wall_seconds": round(elapsed, 2),
        **block_figures(follower.blocks, sent),
        "mempool_node0_mean": round(sum(sampler.sizes) / len(sampler.sizes), 1) if sampler.sizes else None,
        "mempool_node0_max": max(sampler.sizes, default=None),
        # summed over the 4 nodes, per committed tx: each node checks a tx it receives once (4 at most, fewer when
        # a block holds it first); a recheck per tx and block it waits in a mempool; gossip repeats are wasted receipts
        **{f"{k}_per_tx": round(v / len(committed), 2) if committed and v is not None else None for k, v in counted.items()},
    }
    return result


def signed_transfers(senders: list[Signer], receivers: list[Signer], chain_id: str, readers: dict | None = None):
    """Signed transfers, sealed as private txs to ``readers`` (the genesis ``privacy``: execution and regulator keys)."""
    nonces = {s.address: 0 for s in senders}

    def make(rate: int, seconds: float, nodes: int) -> list[list[bytes]]:
        count = int(rate * seconds)
        per_node: list[list[bytes]] = [[] for _ in range(nodes)]
        for i in range(count):
            sender = senders[i % len(senders)]
            receiver = receivers[i % len(receivers)]
            nonce = nonces[sender.address]
            nonces[sender.address] += 1
            tx = sender.sign_tx(chain_id, nonce, Transfer(receiver.address, "KAU25", 1))
            if readers is not None:
                tx = seal_to(tx, readers)
            per_node[(i % len(senders)) % nodes].append(tx)
        return per_node

    return make


def kvstore_txs():
    counter = [0]

    def make(rate: int, seconds: float, nodes: int) -> list[list[bytes]]:
        per_node: list[list[bytes]] = [[] for _ in range(nodes)]
        for i in range(int(rate * seconds)):
            counter[0] += 1
            per_node[i % nodes].append(f"bench{counter[0]:012d}={'x' * 150}".encode())
        return per_node

    return make


NULL_APP = ROOT / "benchmarks" / "_null_app.py"
APP_READY_SECONDS = 30.0


def null_socket_rows(work: Path, base_port: int, overrides: dict, rates: list[int], seconds: float, method: str) -> list[dict]:
    """The socket baseline: every node's app is ``_null_app.py`` on this project's ABCI server, one process per node."""
    net = LocalNet(work / "null-socket", base_port=base_port)
    addresses = [node_ports(base_port, i)["abci"] for i in range(4)]
    busy = [port for port in addresses if not port_free(port)]
    if busy:
        raise SystemExit(f"ports {busy} for the socket baseline's apps are in use; choose another --base-port")
    net.create(4, chain_id="null-bench", proxy_app="kvstore", config_overrides=overrides or None)
    apps: list[subprocess.Popen] = []
    try:
        for i, port in enumerate(addresses):
            config = net.home / f"node{i}" / "config" / "config.toml"
            config.write_text(apply_toml_overrides(config.read_text(), {"": {"proxy_app": f"tcp://{LOOPBACK}:{port}"}}))
            log = open(net.home / f"node{i}" / "null-app.log", "ab")
            apps.append(subprocess.Popen([sys.executable, str(NULL_APP), "--listen", f"tcp://{LOOPBACK}:{port}"],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            log.close()
        deadline = time.monotonic() + APP_READY_SECONDS
        for app, port in zip(apps, addresses):
            while not port_accepts(port, timeout=0.25):
                if app.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the socket baseline's app on port {port} did not start; see {net.home}/node*/null-app.log")
                time.sleep(0.05)
        net.start()
        make = kvstore_txs()
        rows = []
        for rate in rates:
            rows.append(measure(net, rate, seconds, make, method, app_pids=[a.pid for a in apps]))
            print_table("no-op app over the ABCI socket", rows[-1:])
        return rows
    finally:
        if net.exists():
            net.stop()
        for app in apps:
            app.terminate()
        for app in apps:
            try:
                app.wait(timeout=10)
            except subprocess.TimeoutExpired:
                app.kill()
                app.wait()


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    print(f"{'offered/s':>10} {'sent/s':>7} {'lost':>8} {'refused':>8} {'committed':>9} {'tx/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'p99 in':>8}  "
          "cpu s (cometbft / app / generator)  app peak MB  blocks  tx/block (mean/max)  block ms  mempool (mean/max)  "
          "per tx: checks/rechecks/gossip repeats")
    for r in rows:
        cpu = r["cpu_seconds"]
        print(f"{r['offered_rate']:>10} {str(r.get('sent_rate')):>7} {r['not_committed']:>8} {r.get('mempool_full_refusals', 0):>8} "
              f"{r['committed']:>9} {r['committed_tps']:>8} "
              f"{str(r['p50_ms']):>8} {str(r['p99_ms']):>8} {str(r.get('p99_accepted_ms')):>8}  {cpu['cometbft(4)']} / {cpu['app(4)']} / {cpu['generator']}  {r.get('app_peak_rss_mb', '')}  "
              f"{r.get('blocks', '')}  {r.get('txs_per_block_mean', '')}/{r.get('txs_per_block_max', '')}  "
              f"{r.get('block_interval_ms_mean', '')}  {r.get('mempool_node0_mean', '')}/{r.get('mempool_node0_max', '')}  "
              f"{r.get('app_checks_per_tx')}/{r.get('app_rechecks_per_tx')}/{r.get('gossip_repeats_per_tx')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=int, nargs="+", default=[500, 1000, 1500, 2000, 3000], help="offered tx/s per step")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each step (default 8)")
    parser.add_argument("--senders", type=int, default=400, help="sender companies (default 400)")
    parser.add_argument("--base-port", type=int, default=28650, help="first port of the benchmark networks (each network that runs takes the next 100)")
    parser.add_argument("--skip-kvstore", action="store_true", help="run no baseline (the same as --baselines with nothing)")
    parser.add_argument("--baselines", nargs="*", choices=["builtin", "socket"], default=["builtin", "socket"],
                        help="which baselines run after the ETS app (default both): 'builtin', CometBFT's kvstore inside "
                             "CometBFT; 'socket', a no-op app over this project's ABCI socket server")
    parser.add_argument("--skip-ets", action="store_true", help="measure the baselines only")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"), help="folder for the JSON result")
    parser.add_argument("--broadcast", choices=["sync", "async"], default="sync",
                        help="broadcast_tx_sync (default: refusals are seen and sent again) or broadcast_tx_async")
    parser.add_argument("--keep", action="store_true", help="keep the networks' folders (logs) and say where they are")
    parser.add_argument("--check-backlog", type=int, default=None, metavar="BYTES",
                        help="each app's --check-backlog (bytes of waiting CheckTx before new ones are refused; "
                             "default: the app's)")
    parser.add_argument("--set", type=parse_setting, action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="a CometBFT config.toml setting for both networks, over cometbft-config/localnet.toml "
                             "(say --set mempool.size=1000 --set consensus.timeout_commit=\"500ms\"); repeatable")
    args = parser.parse_args()
    overrides: dict[str, dict[str, object]] = {}
    for section, key, value in args.set:
        overrides.setdefault(section, {})[key] = value

    work = Path(tempfile.mkdtemp(prefix="ets-bench-"))
    report: dict = {"validators": 4, "seconds_per_step": args.seconds, "broadcast": args.broadcast,
                    "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()[0]},
                    "config_overrides": overrides, "check_backlog": args.check_backlog}
    baselines = [] if args.skip_kvstore else args.baselines
    if args.skip_ets and not baselines:
        parser.error("--skip-ets with no baseline leaves nothing to measure")
    method = f"broadcast_tx_{args.broadcast}"
    best: dict[str, float] = {}
    slots = iter(range(args.base_port, 65536, 100))  # each network that runs takes the next 100 ports
    try:
        if not args.skip_ets:
            senders = [Signer.generate() for _ in range(args.senders)]
            accounts = [GenesisAccount(f"gov-{i}", "government", Signer.generate()) for i in range(3)]
            accounts += [GenesisAccount(f"bench-{i}", "company", s) for i, s in enumerate(senders)]
            app_state = build_app_state(accounts, balances={s.address: {"KAU25": 10**9} for s in senders}, params=default_params())
            net = LocalNet(work / "ets", base_port=next(slots))
            net.create(4, chain_id="ets-bench", app_state=app_state, config_overrides=overrides or None,
                       check_backlog=args.check_backlog)
            print(f"starting 4 validators + 4 ABCI apps in {work} ...", flush=True)
            net.start()
            readers = json.loads((net.home / "genesis.json").read_text())["app_state"].get("privacy")
            make = signed_transfers(senders, list(reversed(senders)), "ets-bench", readers)
            rows = []
            for rate in args.rates:
                rows.append(measure(net, rate, args.seconds, make, method))
                rows[-1]["app_peak_rss_mb"] = app_peak_rss_mb(net)["max"]  # peak so far, this step included
                print_table("ETS app (signed transfers)", rows[-1:])
            report["app_peak_rss_mb"] = app_peak_rss_mb(net)
            net.stop()
            report["ets"] = rows
            best["ets"] = max(r["committed_tps"] for r in rows)
            print_table("ETS app (signed transfers)", rows)
        if "builtin" in baselines:
            base = LocalNet(work / "kvstore", base_port=next(slots))
            base.create(4, chain_id="kv-bench", proxy_app="kvstore", config_overrides=overrides or None)
            base.start()
            make_kv = kvstore_txs()
            kv_rows = []
            for rate in args.rates:
                kv_rows.append(measure(base, rate, args.seconds, make_kv, method))
                print_table("kvstore baseline", kv_rows[-1:])
            base.stop()
            report["kvstore"] = kv_rows
            best["kvstore"] = max(r["committed_tps"] for r in kv_rows)
            print_table("kvstore baseline (CometBFT built-in app)", kv_rows)
        if "socket" in baselines:
            null_rows = null_socket_rows(work, next(slots), overrides, args.rates, args.seconds, method)
            report["null_socket"] = null_rows
            best["null_socket"] = max(r["committed_tps"] for r in null_rows)
            print_table("no-op app over the ABCI socket (this project's server, one process per node)", null_rows)
        report["best_committed_tps"] = best
        for a, b in (("ets", "kvstore"), ("ets", "null_socket"), ("null_socket", "kvstore")):
            if a in best and b in best:
                report[f"ratio_best_{a}_to_{b}"] = round(best[a] / best[b], 3) if best[b] else None
        print("\nbest committed tx/s: " + " · ".join(f"{k} {v}" for k, v in best.items()))
        for key in sorted(k for k in report if k.startswith("ratio_best_")):
            print(f"{key[len('ratio_best_'):].replace('_to_', ' / ')}: {report[key]}")
        write_figures(args.out, "throughput", report)
    finally:
        for name in ("ets", "kvstore", "null-socket"):
            if (work / name / "localnet.json").exists():
                LocalNet(work / name).stop()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
