"""Browser helpers shared by the portal's Chromium tests (Playwright, real Chromium, a real portal process).

Import only after the caller has skipped when Chromium is missing: this module imports Playwright."""

from __future__ import annotations

from typing import Callable, Mapping

from playwright.sync_api import Page, expect

__all__ = ["body", "expect", "login_with", "go", "choose", "nav_links", "settled", "absent", "confirm", "logged_in"]


def body(page: Page):
    """The page's main section (where each page renders its content)."""
    return page.locator("section.stMain, [data-testid='stMain']").first


def login_with(passwords: Mapping[str, str]) -> Callable[[Page, str, str], None]:
    """``login(page, url, user)`` for portal users whose passwords are ``passwords``."""

    def login(page: Page, url: str, user: str) -> None:
        page.goto(f"{url}/account")
        page.get_by_role("textbox", name="User name").fill(user)
        page.get_by_role("textbox", name="Password").fill(passwords[user])
        page.get_by_role("button", name="Log in").click()
        expect(logged_in(page)).to_be_visible()  # on the account page, or the role's landing page (officials: inbox)
        settled(page)

    return login


def logged_in(page: Page):
    """The sidebar's log-out button, there only while a user is logged in (found by its key, in any language)."""
    return page.locator(".st-key-sidebar_logout button")


def confirm(page: Page, key: str) -> None:
    """Confirm the action a page restated (``portal.confirm``, by its key): the second step that sends it."""
    page.locator(f".st-key-confirm_yes_{key} button").click()


def settled(page: Page) -> None:
    """Wait until the page's script run has finished (Streamlit's running indicator is gone), so a widget
    filled next is not redrawn with its previous value by a rerun still under way."""
    expect(page.get_by_test_id("stStatusWidget")).to_be_hidden(timeout=60_000)


def absent(page: Page, locator) -> None:
    """``locator`` matches nothing on the page once it has rendered: a negative check made right after
    ``goto`` would pass on a page that has not drawn yet. Waits for a page heading and for the script
    run to finish, then counts."""
    expect(page.get_by_role("heading", level=1).first).to_be_visible(timeout=60_000)
    settled(page)
    expect(locator).to_have_count(0)


def go(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()  # "Market" ≠ "Market stabilisation"
    expect(page.get_by_role("heading", name=title, level=1, exact=True)).to_be_visible()


def choose(page: Page, label: str, option_text: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text=label).first.click()
    page.get_by_role("option").filter(has_text=option_text).first.click()


def nav_links(page: Page) -> list[str]:
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).to_be_visible()
    return [t.strip().splitlines()[-1].strip() for t in nav.get_by_role("link").all_inner_texts()]  # after the icon
