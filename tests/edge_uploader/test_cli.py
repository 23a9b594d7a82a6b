"""The command line: ``--help`` everywhere, and ``add_edge_commands`` under another program."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from edge_uploader.cli import add_edge_commands

from edge_helpers import REPO


@pytest.mark.parametrize("command", [[], ["run"], ["status"], ["prove"], ["import"], ["config"]])
def test_help_everywhere(command):
    out = subprocess.run([sys.executable, "-m", "edge_uploader", *command, "--help"], cwd=REPO, capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0 and "usage:" in out.stdout and len(out.stdout) > 200


def test_edge_commands_under_another_program():
    parser = argparse.ArgumentParser(prog="ets")
    add_edge_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["edge", "prove", "--spool", "s.sqlite", "--device", "ab" * 20, "--day", "2024-03-01",
                              "--seq", "7", "--node", "http://127.0.0.1:26657"])
    assert (args.edge_command, args.seq, args.day) == ("prove", 7, "2024-03-01") and callable(args.func)
    with pytest.raises(SystemExit):
        parser.parse_args(["edge", "prove", "--spool", "s", "--device", "nothex", "--day", "2024-03-01", "--seq", "1"])
    with pytest.raises(SystemExit):
        parser.parse_args(["edge", "prove", "--spool", "s", "--device", "ab" * 20, "--day", "2024-02-30", "--seq", "1"])


def test_errors_are_one_line_with_exit_code_2(tmp_path):
    out = subprocess.run([sys.executable, "-m", "edge_uploader", "status", "--spool", str(tmp_path / "none.sqlite")],
                         cwd=REPO, capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and out.stderr.startswith("edge_uploader: no spool file at") and "Traceback" not in out.stderr
    bad = tmp_path / "site.toml"
    bad.write_text("[schedule]\nstart_day = '2024-03-01'\n[limits]\nmax_kg = 1\n")
    out = subprocess.run([sys.executable, "-m", "edge_uploader", "run", "--config", str(bad)], cwd=REPO, capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 2 and "unknown key 'max_kg' in [limits]" in out.stderr
