"""The portal in Korean by default, in real Chromium: a real ``streamlit run`` with no language set.

(a) a visitor sees the public pages in Korean (headings and navigation from the catalogue); the sidebar's
    language switch flips the page to English, and a reload keeps English (the choice is in the URL);
(b) each role's main page after a Korean login (company, government official, verification body) has its
    Korean heading, and the same page in English has the English one;
(c) a refused login says so in Korean only;
(d) a company's transfer is restated, confirmed and reported done in Korean.

With ``ETS_PORTAL_SCREENSHOTS=<folder>`` the test also saves a screenshot of each role's main page in both
languages there (the portal's docs keep the ones in ``portal/docs/screenshots``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portal.i18n import catalogue
from portal_chain import PASSWORDS, SeededChain
from portal_process import start_portal

pytestmark = pytest.mark.localnet

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (scripts/setup.sh installs it); "
                "browser tests never download a browser", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402
from portal_pages import body, choose, confirm, nav_links, settled  # noqa: E402
from protocol.messages import Transfer  # noqa: E402

TEXT = catalogue()
ROLE_PAGES = {"steel": "my_allocation", "official1": "plan_review", "verifier": "verification"}


def ko(key: str) -> str:
    return TEXT[key]["ko"]


def en(key: str) -> str:
    return TEXT[key]["en"]


@pytest.fixture(scope="module")
def korean_url(chain: SeededChain, users_dir: Path, tmp_path_factory) -> str:
    with start_portal(chain.rpc_url, users_dir, tmp_path_factory.mktemp("portal-korean"), ETS_PORTAL_LANGUAGE="",
                      ETS_PORTAL_TTL="2") as url:
        yield url


def _heading(page: Page, text: str):
    return page.get_by_role("heading", name=text, level=1, exact=True)


def _log_in(page: Page, url: str, user: str, password: str) -> None:
    """Submit the Korean login form (the portal's first page can take a while to draw on a loaded machine)."""
    page.goto(f"{url}/account")
    expect(_heading(page, ko("account.log_in"))).to_be_visible(timeout=60_000)
    page.get_by_role("textbox", name=ko("account.username")).fill(user)
    page.get_by_role("textbox", name=ko("account.password")).fill(password)
    page.get_by_role("button", name=ko("account.log_in")).click()


def _switch(page: Page, label: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(label, exact=True).click()


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("ETS_PORTAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        settled(page)
        expect(page.get_by_test_id("stSkeleton")).to_have_count(0)  # every element drawn, not a placeholder
        page.wait_for_timeout(1_000)  # charts and tables paint after their element arrives
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def test_the_default_portal_is_korean_and_the_switch_keeps_english_across_a_reload(korean_url: str, open_page):
    page = open_page()
    page.goto(korean_url)
    expect(_heading(page, ko("page.transparency"))).to_be_visible()
    expect(body(page)).to_contain_text(ko("transparency.caption")[:20])
    links = nav_links(page)
    assert links[:3] == [ko("page.transparency"), ko("page.allocations"), ko("page.market")], links
    assert links[-1] == ko("page.log_in")
    expect(page.get_by_test_id("stSidebar")).to_contain_text(ko("app.not_logged_in"))
    _shot(page, "public-ko")

    _switch(page, "English")
    expect(_heading(page, en("page.transparency"))).to_be_visible()
    settled(page)
    assert "lang=en" in page.url, page.url
    assert nav_links(page)[0] == en("page.transparency")
    _shot(page, "public-en")

    page.reload()
    expect(_heading(page, en("page.transparency"))).to_be_visible()
    assert "lang=en" in page.url
    settled(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=en("page.market"), exact=True).click()
    expect(_heading(page, en("page.market"))).to_be_visible()

    _switch(page, "한국어")
    expect(_heading(page, ko("page.market"))).to_be_visible()


@pytest.mark.parametrize("user", sorted(ROLE_PAGES))
def test_each_roles_main_page_in_korean_then_english(korean_url: str, open_page, user: str):
    page = open_page()
    _log_in(page, korean_url, user, PASSWORDS[user])
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name=ko("app.log_out"))).to_be_visible()  # officials land on their inbox
    title = f"page.{ROLE_PAGES[user]}"
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=ko(title), exact=True).click()
    expect(_heading(page, ko(title))).to_be_visible()
    settled(page)
    expect(body(page)).not_to_contain_text("Traceback")
    _shot(page, f"{ROLE_PAGES[user]}-ko")
    _switch(page, "English")
    expect(_heading(page, en(title))).to_be_visible()
    settled(page)
    _shot(page, f"{ROLE_PAGES[user]}-en")


def test_a_refused_login_is_said_in_korean_only(korean_url: str, open_page):
    page = open_page()
    _log_in(page, korean_url, "steel", "not-the-password")
    expect(body(page)).to_contain_text(ko("account.login_failed"))
    settled(page)
    assert en("account.login_failed") not in body(page).inner_text()


def test_a_company_transfer_in_korean_is_restated_confirmed_and_said_done_in_korean(chain: SeededChain, korean_url: str,
                                                                                    open_page, monkeypatch):
    steel, power = chain.company("steel"), chain.company("power")
    monkeypatch.setenv("ETS_PORTAL_LANGUAGE", "ko")
    from portal.ui import tonnes

    three = tonnes(3)  # the Korean unit, as the page formats it
    page = open_page()
    _log_in(page, korean_url, "steel", PASSWORDS["steel"])
    expect(page.get_by_test_id("stSidebar").get_by_role("button", name=ko("app.log_out"))).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=ko("page.transfer"), exact=True).click()
    expect(_heading(page, ko("flows.transfer.title"))).to_be_visible()
    main = body(page)
    expect(main).to_contain_text(ko("flows.transfer.four_eyes_off"))
    choose(page, ko("flows.transfer.to"), power.name)
    choose(page, ko("flows.transfer.instrument"), "KAU27")
    amount = page.get_by_role("spinbutton", name=ko("flows.transfer.amount"))
    amount.fill("3")
    amount.press("Tab")
    page.get_by_role("button", name=ko("flows.transfer.send")).click()
    expect(main).to_contain_text(f"{power.name}({power.address})에게 KAU27 {three} 이전")  # the name once, then the address
    expect(main).to_contain_text(ko("flows.confirm.title"))
    confirm(page, "transfer")
    expect(main).to_contain_text(f"{power.name}에게 KAU27 {three} 이전 완료")
    settled(page)
    text = main.inner_text()
    assert "transferred to" not in text and "Nothing has been sent" not in text  # Korean only
    chain.client.submit(power.signer, Transfer(steel.address, "KAU27", 3))  # other tests read steel's holdings as allocated
