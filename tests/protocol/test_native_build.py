"""scripts/build_native.sh, as scripts/setup.sh runs it: builds an importable protocol._native into a
folder, and a second run with unchanged sources does nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "build_native.sh"


def _cargo() -> str | None:
    return shutil.which("cargo") or shutil.which("cargo", path=str(Path.home() / ".cargo" / "bin"))


def _build(out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run([str(SCRIPT), "--out", str(out)], capture_output=True, text=True, timeout=1800, env=env)


def test_the_build_script_builds_an_importable_extension_once(tmp_path):
    if _cargo() is None:
        pytest.skip("cargo is not installed: the native hot path cannot be built here (CI needs Rust)")
    first = _build(tmp_path)
    assert first.returncode == 0, first.stderr
    library = tmp_path / f"_native{sysconfig.get_config_var('EXT_SUFFIX')}"
    assert library.is_file() and (tmp_path / ".native.stamp").is_file()
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); import _native, hashlib; "
             "h = _native.leaf_hashes([b'a', b'b']); "
             "assert h == hashlib.sha256(b'\\x00a').digest() + hashlib.sha256(b'\\x00b').digest(); "
             "assert _native.root(h) == hashlib.sha256(b'\\x01' + h).digest(); "
             "assert _native.verify_many([bytes(32)], [bytes(64)], [b'']) == [False]; print(_native.__file__)")
    imported = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == str(library)
    again = _build(tmp_path)
    assert again.returncode == 0 and again.stdout == "" and again.stderr == "", "unchanged sources are not rebuilt"


def test_the_build_script_says_how_it_is_used(tmp_path):
    wrong = subprocess.run([str(SCRIPT), "--into", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2 and "usage: scripts/build_native.sh [--out DIR]" in wrong.stderr


def test_without_cargo_the_build_fails_with_what_to_install(tmp_path):
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("bash", "dirname", "cat", "sha256sum", "cut", "find", "sort"):
        found = shutil.which(tool)
        assert found, tool
        (bare / tool).symlink_to(found)
    env = {"PATH": str(bare), "HOME": str(tmp_path), "PYTHON": sys.executable}
    result = subprocess.run(["bash", str(SCRIPT), "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 1
    assert "cargo is not installed; install Rust" in result.stderr
