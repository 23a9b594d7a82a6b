"""The validator's private execution keys, one per epoch, in ``<app home>/execution.keys``.

Every validator holds the private half of each execution key the chain has used (``privacy`` in
state names the current and the previous epoch's public key). The file is JSON
``{"epochs": {"<epoch>": "<64 hex: X25519 private key>"}}``, mode 0600, written by
``ets localnet create`` (epoch 1) and by the operators before a governed rotation
(``write_execution_key``). A key the node lacks is looked up in the file again, so a key added
while the node runs is found without a restart; a validator that still lacks it refuses the
proposal (ProcessProposal) and stops rather than diverge (FinalizeBlock).
"""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from .blinding import write_secret_file

__all__ = ["EXECUTION_KEYS_FILE", "ExecutionKeys", "write_execution_key", "new_execution_key"]

EXECUTION_KEYS_FILE = "execution.keys"


def new_execution_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def _load(path: Path) -> dict[int, X25519PrivateKey]:
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the execution keys {path}: {exc}") from None
    keys = {}
    for epoch, text in (doc.get("epochs") or {}).items():
        try:
            keys[int(epoch)] = X25519PrivateKey.from_private_bytes(bytes.fromhex(text))
        except ValueError:
            raise ValueError(f"{path}: the key of epoch {epoch} is not 64 hex digits") from None
    return keys


def write_execution_key(folder: str | Path, epoch: int, key: X25519PrivateKey) -> Path:
    """Add (or replace) the private key of ``epoch`` in ``folder``/execution.keys, owner-readable only."""
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    path = Path(folder) / EXECUTION_KEYS_FILE
    keys = {e: k.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex() for e, k in _load(path).items()}
    keys[epoch] = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()
    return write_secret_file(path, json.dumps({"epochs": {str(e): keys[e] for e in sorted(keys)}}, indent=2))


class ExecutionKeys:
    """The private execution keys a node holds; ``path`` None holds only those given."""

    def __init__(self, path: str | Path | None = None, keys: dict[int, X25519PrivateKey] | None = None):
        self.path = Path(path) if path is not None else None
        self._keys = dict(keys or {})
        if self.path is not None:
            self._keys.update(_load(self.path))

    def __call__(self, epoch: int) -> X25519PrivateKey | None:
        key = self._keys.get(epoch)
        if key is None and self.path is not None:
            try:
                self._keys.update(_load(self.path))
            except ValueError:
                return None
            key = self._keys.get(epoch)
        return key

    def epochs(self) -> list[int]:
        return sorted(self._keys)
