"""Fixtures for the portal's tests: one seeded 1-validator network for the session, portal users.

The repository root is put first on ``sys.path`` so ``import portal`` finds the package (this
folder is also called ``portal`` and must never shadow it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from portal_chain import PASSWORDS, SeededChain, start_seeded_chain  # noqa: E402


@pytest.fixture(scope="session")
def chain(tmp_path_factory) -> SeededChain:
    """A real CometBFT validator + ABCI app on loopback, seeded with companies, devices, days and plans."""
    seeded = start_seeded_chain(tmp_path_factory.mktemp("portal-net") / "net")
    yield seeded
    seeded.client.close()
    seeded.net.stop()


@pytest.fixture(scope="session")
def users_dir(chain: SeededChain, tmp_path_factory) -> Path:
    """Portal users for two officials, two companies, the verifier and company-2's representative (keys
    re-encrypted under new passwords)."""
    from portal.users import add_user

    folder = tmp_path_factory.mktemp("portal-users")
    for name, signer in (("official1", chain.keys["gov-1"]), ("official2", chain.keys["gov-2"]),
                         ("steel", chain.company("steel").signer), ("power", chain.company("power").signer),
                         ("verifier", chain.keys["verifier-1"]), ("representative", chain.representative)):
        add_user(folder, name, PASSWORDS[name], signer, scrypt_n=2**12)
    return folder


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the test item, so fixtures can react to a failure (screenshots)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


CHROMIUM = Path("/usr/bin/chromium")
BROWSER_TIMEOUT_MS = 60_000  # a page under a loaded 2-core machine (load 20) can take 30 s to draw; waits poll, so a pass is not slower


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (scripts/setup.sh installs it); "
                    "browser tests never download a browser")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=BROWSER_TIMEOUT_MS)  # assertions wait as long as actions: a loaded 2-core machine

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def open_page(chromium, request, tmp_path):
    """A factory of pages, each in its own browser context (= its own portal session); screenshots on failure."""
    opened = []

    def factory():
        context = chromium.new_context(viewport={"width": 1400, "height": 1100})
        page = context.new_page()
        page.set_default_timeout(BROWSER_TIMEOUT_MS)
        opened.append((context, page))
        return page

    yield factory
    report = getattr(request.node, "rep_call", None)
    for i, (context, page) in enumerate(opened):
        if report is not None and report.failed:
            shot = tmp_path / f"failure-page{i}.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of page {i}: {shot}")
            except Exception as exc:  # the page may be gone; the test's own error is what matters
                print(f"no screenshot of page {i}: {exc}")
        context.close()


@pytest.fixture(autouse=True)
def english_portal(monkeypatch):
    """In-process pages (AppTest) speak English, as the portal processes of the browser tests do; a test of the
    Korean default sets the language itself."""
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "en")
