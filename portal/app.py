"""The portal's entry file: a router that shows each visitor the pages their role may see.

    streamlit run portal/app.py --client.toolbarMode viewer      (settings: see portal/config.py)

Everyone sees the public pages (emission transparency, allocations, market) and the account page (log
in / log out). After login, the chain's role for the user's key adds that role's pages. Each
restricted page checks the role again itself (``portal.session.require_role``): a hidden page
is not a protected page. The validator's RPC address is shown nowhere (see ``portal.submit``).
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
if str(_ROOT) not in sys.path:  # `streamlit run portal/app.py` puts only portal/ on the path
    sys.path.insert(0, str(_ROOT))

import streamlit as st  # noqa: E402

from ets.rpc import ChainError  # noqa: E402
from portal import links, session  # noqa: E402
from portal.i18n import language_selector, t  # noqa: E402
from portal.login import LANDING, login_form  # noqa: E402
from portal.submit import show_chain_error  # noqa: E402
from portal.views import (  # noqa: E402
    account,
    account_security,
    allocations,
    auctions,
    block_trades,
    certification,
    compliance_table,
    devices,
    inbox,
    market,
    market_makers,
    my_allocation,
    my_compliance,
    my_holdings,
    plan_review,
    proposals,
    stabilisation,
    statement,
    trading,
    transfer,
    transparency,
    verification,
)

__all__ = ["pages_for", "LANDING_PAGES"]

LANDING_PAGES = {"government": "inbox"}  # a role's default page, where a login on the account page goes on to


def pages_for(role: str | None) -> dict[str, list]:
    """The navigation for a visitor with ``role`` (None: not logged in), by section."""
    sections: dict[str, list] = {
        t("app.section.public"): [
            st.Page(transparency.render, title=t("page.transparency"), url_path="transparency",
                    default=LANDING_PAGES.get(role) is None,
                    icon=":material/factory:"),
            st.Page(allocations.render, title=t("page.allocations"), url_path="allocations", icon=":material/receipt_long:"),
            st.Page(market.render, title=t("page.market"), url_path="market", icon=":material/candlestick_chart:"),
            st.Page(market_makers.render, title=t("page.market_makers"), url_path="market_makers", icon=":material/storefront:"),
            st.Page(compliance_table.render, title=t("page.compliance"), url_path="compliance", icon=":material/gavel:"),
            st.Page(auctions.render, title=t("page.auctions"), url_path="auctions", icon=":material/gavel:"),
            st.Page(stabilisation.render, title=t("page.stabilisation"), url_path="stabilisation",
                    icon=":material/balance:"),
        ],
    }
    role_pages = {
        "government": [
            st.Page(inbox.render, title=t("page.inbox"), url_path="inbox", icon=":material/inbox:",
                    default=LANDING_PAGES.get(role) == "inbox"),
            st.Page(plan_review.render, title=t("page.plan_review"), url_path="plan_review", icon=":material/fact_check:"),
            st.Page(proposals.render, title=t("page.proposals"), url_path="proposals", icon=":material/how_to_vote:"),
            st.Page(devices.render, title=t("page.devices"), url_path="devices", icon=":material/sensors:"),
            st.Page(block_trades.render, title=t("page.block_trades"), url_path="block_trades", icon=":material/handshake:"),
            st.Page(certification.render, title=t("page.certification"), url_path="certification", icon=":material/verified:"),
        ],
        "company": [
            st.Page(my_allocation.render, title=t("page.my_allocation"), url_path="my_allocation", icon=":material/inventory:"),
            st.Page(my_holdings.render, title=t("page.my_holdings"), url_path="my_holdings", icon=":material/account_balance:"),
            st.Page(trading.render, title=t("page.trading"), url_path="trading", icon=":material/swap_horiz:"),
            st.Page(my_compliance.render, title=t("page.my_compliance"), url_path="my_compliance", icon=":material/task_alt:"),
            st.Page(transfer.render, title=t("page.transfer"), url_path="transfer", icon=":material/send:"),
            st.Page(statement.render, title=t("page.statement"), url_path="statement", icon=":material/receipt:"),
            st.Page(block_trades.render, title=t("page.block_trades"), url_path="block_trades", icon=":material/handshake:"),
            st.Page(account_security.render, title=t("page.account_security"), url_path="account_security", icon=":material/shield_person:"),
        ],
        "representative": [
            st.Page(account_security.render, title=t("page.account_security"), url_path="account_security", icon=":material/shield_person:"),
        ],
        "verifier": [
            st.Page(devices.render, title=t("page.devices"), url_path="devices", icon=":material/sensors:"),
            st.Page(verification.render, title=t("page.verification"), url_path="verification", icon=":material/rule:"),
        ],
    }
    if role in role_pages:
        sections[session.ROLE_LABELS[role]] = role_pages[role]
    sections[t("app.section.public")].extend(_closed_pages(role_pages, role))
    title = t("page.account") if role else t("page.log_in")
    sections[t("app.section.account")] = [st.Page(account.render, title=title, url_path="account", icon=":material/person:")]
    return sections


def _closed_pages(role_pages: dict[str, list], role: str | None) -> list:
    """Hidden stand-ins for the restricted pages this visitor may not see, so that such a page reached by its
    address says which login it needs (and, logged out, offers it: after login the same address is the page)."""
    open_paths = {p.url_path for p in role_pages.get(role, [])}
    needs: dict[str, tuple[str, list[str]]] = {}
    for owner, pages in role_pages.items():
        for p in pages:
            if p.url_path not in open_paths:
                needs.setdefault(p.url_path, (p.title, []))[1].append(owner)
    return [st.Page(_needs_login(title, roles), title=title, url_path=path, visibility="hidden")
            for path, (title, roles) in sorted(needs.items())]


def _needs_login(title: str, roles: list[str]):
    def closed_page() -> None:
        st.title(title)
        user = session.current_user()
        if user is None:
            st.warning(t("flows.login.page_needs", title=title, roles=session.roles_text(roles)))
            login_form(land=False)
        else:
            st.error(t("flows.login.wrong_role", title=title, roles=session.roles_text(roles),
                       role=session.ROLE_LABELS.get(user.role, user.role)))

    closed_page.__name__ = f"closed_{title}"
    return closed_page


def main() -> None:
    st.set_page_config(page_title="K-ETS", page_icon=":material/eco:", layout="wide")
    language_selector()  # first: the navigation below is built in the language chosen in this very run
    st.set_page_config(page_title=t("app.page_title"))
    user = session.current_user()
    sections = pages_for(user.role if user else None)
    page = st.navigation(sections, expanded=True)  # every page listed, none behind "View more"
    links.register(p for pages in sections.values() for p in pages if p.visibility == "visible")
    if st.session_state.pop(LANDING, False) and user and user.role in LANDING_PAGES:
        st.switch_page(next(p for pages in sections.values() for p in pages if p.url_path == ""))  # the default page
    with st.sidebar:
        session.keep_cookie()
        if user:
            st.caption(t("app.logged_in", user=user.username, role=session.ROLE_LABELS.get(user.role, user.role)))
            if st.button(t("app.log_out"), key="sidebar_logout"):
                session.sign_out()
                st.rerun()
        else:
            st.caption(t("app.not_logged_in"))
    try:
        page.run()
    except ChainError as exc:
        show_chain_error(exc, t("submit.reading_chain"))


main()
