"""Helpers shared by the edge uploader tests (imported as ``edge_helpers``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ets.keys import Signer

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
START_DAY = "2024-03-01"
HOUR0 = 1_709_218_800  # 2024-03-01 00:00 KST


def device_signer(n: int = 1) -> Signer:
    return Signer.from_seed(bytes([n]) * 32)


def gas_turbine_csv(year: int = 2011) -> Path:
    path = DATASETS / "sensors" / f"gas_turbine_{year}.csv"
    if not path.is_file():
        pytest.skip(f"{path} is absent: the shared datasets folder (../shared/datasets) is not next to the repository")
    return path


PASSPHRASE = "edge-test-passphrase"
REPO = Path(__file__).resolve().parents[2]


def make_keystore(folder: Path, signer: Signer, name: str = "device") -> Path:
    """An encrypted keystore holding ``signer`` (cheap scrypt for tests) and a passphrase file next to it."""
    from ets.keys import Keystore

    Keystore(folder).create(name, PASSPHRASE, signer=signer, scrypt_n=2**12)
    secret = folder.parent / f"{folder.name}.passphrase"
    secret.write_text(PASSPHRASE + "\n")
    return secret


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(value)


def write_site_toml(path: Path, sections: dict[str, dict]) -> Path:
    lines: list[str] = []
    for section, keys in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in keys.items()]
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def site_config(tmp_path: Path, signer: Signer, *, node: str, source: dict, schedule: dict, limits: dict | None = None,
                extra: dict | None = None, spool: Path | None = None) -> Path:
    """A site.toml for ``signer`` (keystore and passphrase file created in ``tmp_path``)."""
    keys = tmp_path / "keys"
    secret = make_keystore(keys, signer) if not keys.exists() else keys.parent / "keys.passphrase"
    sections: dict[str, dict] = {
        "device": {"keystore": str(keys), "key": "device", "passphrase_file": str(secret)},
        "chain": {"node": node, "timeout_seconds": 2.0, "commit_timeout_seconds": 15.0,
                  "backoff_initial_seconds": 0.2, "backoff_max_seconds": 1.0},
        "spool": {"path": str(spool or tmp_path / "spool.sqlite")},
        "schedule": schedule,
        "limits": limits or {"max_kg_per_hour": 100_000},
        "metrics": {"enabled": False},
        "log": {"level": "info"},
    }
    sections.update(source)
    for section, keys_ in (extra or {}).items():
        sections.setdefault(section, {}).update(keys_)
    return write_site_toml(tmp_path / "site.toml", sections)
