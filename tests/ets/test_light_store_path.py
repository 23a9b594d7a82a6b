"""Verified headers are kept per trust root: a chain re-created under the same chain id (a new local network)
gets its own store instead of being refused against the headers of the chain that was there before."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from ets.keys import Signer
from ets.light import TrustOptions
from ets.verify import light_store_path


def _genesis(tmp_path: Path, name: str, seed: int, time: str = "2026-12-01T00:00:00Z") -> Path:
    key = Signer.from_seed(bytes([seed]) * 32).public_key
    doc = {"chain_id": "ets-localnet", "genesis_time": time, "initial_height": "1",
           "validators": [{"pub_key": {"type": "tendermint/PubKeyEd25519", "value": base64.b64encode(key).decode()},
                           "power": "10", "name": "node0"}]}
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_each_trust_root_has_its_own_store(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    first, again = (TrustOptions.from_genesis(_genesis(tmp_path, n, 1)) for n in ("a.json", "b.json"))
    recreated = TrustOptions.from_genesis(_genesis(tmp_path, "c.json", 2))  # same chain id, new validator key
    later = TrustOptions.from_genesis(_genesis(tmp_path, "d.json", 1, "2026-12-02T00:00:00Z"))
    header = TrustOptions.from_hash(5, "ab" * 32, chain_id="ets-localnet")
    paths = [light_store_path("ets-localnet", t) for t in (first, again, recreated, later, header)]
    assert paths[0] == paths[1]  # the same genesis: the same store
    assert len(set(paths[1:])) == 4  # a new key, a new genesis time, a trusted header: each its own
    assert all(p.parent == tmp_path / ".ets" / "light" and p.name.startswith("ets-localnet-") for p in paths)
