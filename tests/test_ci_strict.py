"""The CI rule for skips (tests/ci_strict.py), run on a small suite of its own."""

from __future__ import annotations

import pytest


SUITE = '''
import pytest

def test_needs_chromium():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")

def test_needs_docker():
    pytest.skip("no Docker engine is running on this machine")

@pytest.mark.xfail(reason="known")
def test_expected_failure():
    assert False

def test_fine():
    assert True
'''


@pytest.mark.parametrize("ci, outcomes", [
    ("true", {"passed": 1, "failed": 1, "skipped": 1, "xfailed": 1}),
    ("", {"passed": 1, "skipped": 2, "xfailed": 1}),
])
def test_only_the_docker_skip_is_allowed_under_ci(pytester, monkeypatch, ci, outcomes):
    monkeypatch.setenv("CI", ci)
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest("-p", "ci_strict", "-ra")
    result.assert_outcomes(**outcomes)
    if ci:
        result.stdout.fnmatch_lines(["*skipped under CI=true*chromium*"])
