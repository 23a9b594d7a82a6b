"""``ets custody`` as a process, without a chain: its help explains the rules, bad arguments are refused before
anything is signed; and the client's settings helper changes only the parts named."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ets.custody import settings_with, waiting
from protocol.messages import parse_message

REPO = Path(__file__).resolve().parents[2]
COMMANDS = ("add-representative", "remove-representative", "four-eyes", "limits", "trusted", "initiate", "approve",
            "cancel", "pending", "show")


def _ets(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": str(REPO), "ETS_NODE": "http://127.0.0.1:9"}
    return subprocess.run([sys.executable, "-m", "ets_tools.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_the_help_explains_representatives_four_eyes_the_trusted_list_and_the_caps(tmp_path):
    done = _ets("custody", "--help", home=tmp_path)
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    for phrase in ("initiate", "approve", "read-only", "four eyes", "trusted list", "the lowest of",
                   "custody_delay_seconds", "Surrender is never limited", *COMMANDS):
        assert phrase in text, phrase


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(tmp_path, command):
    done = _ets("custody", command, "--help", home=tmp_path)
    assert done.returncode == 0 and "--key" in done.stdout


@pytest.mark.parametrize("args, error", [
    (("add-representative", "--public-key", "ab" * 32, "--name", "x", "--rights", "admin", "--key", "k"), "unknown right"),
    (("limits", "--daily", "-5", "--key", "k"), "0 or more"),
    (("trusted", "trust", "ab" * 20, "--key", "k"), "invalid choice"),
    (("initiate", "--to", "not-an-address", "--instrument", "KAU25", "--amount", "5", "--key", "k"), "address"),
    (("four-eyes", "maybe", "--key", "k"), "invalid choice"),
])
def test_bad_arguments_are_refused_before_anything_is_signed(tmp_path, args, error):
    done = _ets("custody", *args, home=tmp_path)
    assert done.returncode == 2 and error in done.stderr


def test_settings_with_changes_only_the_parts_named():
    current = {"four_eyes": True, "limits": {"transaction": 10, "daily": 20, "weekly": 0, "monthly": 40}}
    msg = settings_with(current, daily=25)
    assert (msg.four_eyes, msg.limits()) == (True, {"transaction": 10, "daily": 25, "weekly": 0, "monthly": 40})
    assert settings_with(current, four_eyes=False).limits() == current["limits"]
    assert settings_with({}, four_eyes=True).limits() == {"transaction": 0, "daily": 0, "weekly": 0, "monthly": 0}
    assert parse_message(msg.to_json()) == msg
    with pytest.raises(ValueError, match="hourly"):
        settings_with(current, hourly=5)
    assert waiting({"waiting": [{"status": "waiting", "id": 2}], "transfers": [{"status": "executed", "id": 1}]}) == [
        {"status": "waiting", "id": 2}]
    assert waiting({"under_custody": False}) == []
