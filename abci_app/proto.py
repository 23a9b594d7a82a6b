"""Access to the ABCI protobuf stubs generated at setup from the pinned CometBFT module.

The stubs live in ``abci_app/_gen`` (not committed); ``scripts/setup.sh`` generates them
from ``proto/tendermint/**`` of cometbft v0.39.4 and gogoproto's ``gogo.proto``.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["abci", "crypto_proof", "GEN_DIR"]

GEN_DIR = Path(__file__).resolve().parent / "_gen"
if not (GEN_DIR / "tendermint" / "abci" / "types_pb2.py").exists():
    raise ImportError(f"ABCI protobuf stubs are missing in {GEN_DIR}: run ./scripts/setup.sh to generate them")
if str(GEN_DIR) not in sys.path:
    sys.path.insert(0, str(GEN_DIR))

from tendermint.abci import types_pb2 as abci  # noqa: E402
from tendermint.crypto import proof_pb2 as crypto_proof  # noqa: E402
