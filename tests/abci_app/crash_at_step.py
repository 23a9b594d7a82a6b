"""Run recorded blocks on a node and die (``os._exit``) at one ABCI step of one height.

    python crash_at_step.py BLOCKS.json HOME HEIGHT STEP

``BLOCKS.json`` holds the genesis app_state and the blocks ([[tx hex, ...], time]); STEP is one of
``STEPS``: after a request was answered, or ``commit-write`` inside Commit's SQLite transaction,
after the block's rows and tree nodes were written and before its COMMIT. The exit code is 137,
as for SIGKILL; nothing is flushed or closed on the way out.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from abci_harness import Node

from abci_app.smt import Tree

STEPS = ("init_chain", "prepare", "process", "finalize", "commit-write", "commit")


def _die() -> None:
    os._exit(137)


def main(blocks_file: str, home: str, height: int, step: str) -> None:
    record = json.loads(Path(blocks_file).read_text())
    node = Node.start(Path(home), record["app_state"])
    if step == "init_chain" and height == 0:
        _die()
    for number, (txs_hex, time) in enumerate(record["blocks"], 1):
        txs = [bytes.fromhex(t) for t in txs_hex]
        here = number == height
        node.prepare(txs, time=time)
        if here and step == "prepare":
            _die()
        node.process(txs, time=time)
        if here and step == "process":
            _die()
        node.finalize(txs, time=time)
        if here and step == "finalize":
            _die()
        if here and step == "commit-write":
            write = Tree.write

            def write_then_die(self, cur, staged):
                write(self, cur, staged)
                _die()

            Tree.write = write_then_die
        node.commit()
        if here and step == "commit":
            _die()
    raise SystemExit(f"ran every block without reaching {step} of height {height}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
