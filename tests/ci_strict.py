"""Under ``CI=true`` a test that skips fails, unless the reason is the one thing this kind of machine cannot
have (a Docker engine): a missing Chromium, CometBFT or ``../shared/datasets`` must not pass as green.

Outside CI, skips stay skips and say why (``-ra`` prints the summary)."""

from __future__ import annotations

import os

import pytest

ALLOWED_IN_CI = ("docker",)  # words of the only skip reasons CI accepts


def _reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") != "true" or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = _reason(report)
    if any(word in reason.lower() for word in ALLOWED_IN_CI):
        return
    report.outcome = "failed"
    report.longrepr = (f"skipped under CI=true, where every real component must be present: {reason}\n"
                       "Install what is missing with ./scripts/setup.sh (or put ../shared beside the checkout).")
