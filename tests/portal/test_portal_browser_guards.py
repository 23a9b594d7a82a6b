"""The portal's guards in real Chromium, on a portal process of their own (its login throttle starts empty).

(a) five wrong passwords for one user name, then the right one: refused with the lockout message
    (how long to wait); another user still logs in meanwhile;
(b) the public pages show no uploader and never the validator's RPC address; a logged-in user
    gets the KRX uploader with the 5 MB limit, and a larger file is refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from portal_chain import PASSWORDS, SeededChain
from portal_process import start_portal
from tests.ports import free_port

pytestmark = pytest.mark.localnet

CHROMIUM = Path("/usr/bin/chromium")

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (scripts/setup.sh installs it); "
                "browser tests never download a browser", allow_module_level=True)

from playwright.sync_api import Page, expect  # noqa: E402

from portal_pages import absent, body, settled  # noqa: E402


@pytest.fixture(scope="module")
def portal_url(chain: SeededChain, users_dir: Path, tmp_path_factory) -> str:
    with start_portal(chain.rpc_url, users_dir, tmp_path_factory.mktemp("portal-guards")) as url:
        yield url


def submit_login(page: Page, url: str, user: str, password: str) -> None:
    """One attempt on a freshly loaded login form (a new browser session each time)."""
    page.goto(f"{url}/account")
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()
    page.get_by_role("textbox", name="User name").fill(user)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def rpc_mentions(chain: SeededChain, text: str) -> list[str]:
    rpc = urlparse(chain.rpc_url)
    return [s for s in (chain.rpc_url, f"{rpc.hostname}:{rpc.port}", f":{rpc.port}", "Chain node") if s in text]


# ---------------------------------------------------------------- (a) login lockout


def test_five_wrong_passwords_lock_the_user_out_even_with_the_right_one(portal_url: str, open_page):
    page = open_page()
    for i in range(5):
        submit_login(page, portal_url, "power", f"wrong-password-{i}")
        expect(body(page)).to_contain_text("Unknown user name or wrong password.")
    submit_login(page, portal_url, "power", PASSWORDS["power"])
    main = body(page)
    expect(main).to_contain_text("Too many failed logins: logging in is paused.")
    expect(main).to_contain_text(re.compile(r"Try again in (30|2\d) s\. Until then every login is refused, even with "
                                            r"the right password\."))
    assert "초 후에" not in main.inner_text()  # one language: the English portal says it in English only
    absent(page, page.get_by_role("heading", name="Your account"))
    assert "Unknown user name or wrong password." not in main.inner_text()

    # the lockout is this user name's: another user logs in meanwhile
    other = open_page()
    submit_login(other, portal_url, "steel", PASSWORDS["steel"])
    expect(other.get_by_role("heading", name="Your account")).to_be_visible()


# ---------------------------------------------------------------- (b) public pages: no data upload, no RPC address


# A visitor may upload one thing: a reading's inclusion proof on the transparency page, checked and not kept
# (server.maxUploadSize caps it at 5 MB). No public page takes data (the KRX uploader needs a login).
@pytest.mark.parametrize("path,heading,last,uploads", [
    ("market", "Market", "No historical KRX file is configured. Logged-in users can upload a KRX daily export here.", 0),
    ("transparency", "Emission transparency", "Check a reading against the chain", 1),
    ("allocations", "Allocations", None, 0),
])
def test_public_pages_take_no_data_upload_and_show_no_rpc_address(chain: SeededChain, portal_url: str, open_page,
                                                                 path, heading, last, uploads):
    page = open_page()
    page.goto(f"{portal_url}/{path}")
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Not logged in: public pages only.")
    if last is not None:  # rendered after everything a negative check below looks for
        expect(body(page)).to_contain_text(last)
    if uploads:
        settled(page)
        uploader = page.get_by_test_id("stFileUploader")
        expect(uploader).to_have_count(uploads)
        expect(uploader).to_contain_text("upload a proof file")
        expect(page.locator("input[type=file]")).to_have_attribute("accept", re.compile(r"(^|,)\.json$"))  # JSON only
    else:
        absent(page, page.get_by_test_id("stFileUploader"))
        absent(page, page.locator("input[type=file]"))
    assert rpc_mentions(chain, page.locator("body").inner_text()) == []
    assert rpc_mentions(chain, page.content()) == []


def test_an_unreachable_node_is_reported_without_its_address(tmp_path: Path, users_dir: Path, open_page):
    node = f"http://127.0.0.1:{free_port()}"  # a port of ours that nothing listens on
    with start_portal(node, users_dir, tmp_path) as url:
        page = open_page()
        page.goto(f"{url}/market")
        expect(body(page)).to_contain_text("Cannot reach the chain node while reading the chain.")
        text = page.locator("body").inner_text() + page.content()
        assert node.removeprefix("http://") not in text and "Chain node:" not in text
    assert node in (tmp_path / "streamlit.log").read_text()  # the operator finds it in the log


def test_a_logged_in_user_gets_the_uploader_capped_at_5_mb(portal_url: str, open_page, tmp_path: Path):
    page = open_page()
    submit_login(page, portal_url, "verifier", PASSWORDS["verifier"])
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Market", exact=True).click()
    expect(page.get_by_role("heading", name="Market", level=1)).to_be_visible()
    uploader = page.get_by_test_id("stFileUploader")
    expect(uploader).to_contain_text("5MB per file")
    big = tmp_path / "krx-export.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * (6 * 1024 * 1024 // 4))
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(big))
    expect(uploader).to_contain_text("File must be 5.0MB or smaller.")
    expect(body(page)).not_to_contain_text("cannot be read as a KRX daily export")  # nothing of it was read
    # a small file is read (and this one is not a KRX export)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "small.csv", "mimeType": "text/csv", "buffer": b"a,b\n1,2\n"}])
    expect(body(page)).to_contain_text("The file cannot be read as a KRX daily export: small.csv row 1")
