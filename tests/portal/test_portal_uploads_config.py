"""The portal's upload cap and error display: its Streamlit config file and the Market page's size check."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "portal" / ".streamlit" / "config.toml"


def test_streamlit_reads_the_portal_config_from_beside_app_py_whatever_the_working_directory(tmp_path: Path):
    """``streamlit run portal/app.py`` from any folder (the demo, compose and the tests each use their own)."""
    probe = ("from streamlit import config\n"
             f"config._main_script_path = {str(ROOT / 'portal' / 'app.py')!r}\n"  # what `streamlit run` sets first
             "options = config.get_config_options(force_reparse=True)\n"
             "for name in ('server.maxUploadSize', 'client.showErrorDetails'):\n"
             "    print(name, config.get_option(name), options[name].where_defined)\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert f"server.maxUploadSize 5 {CONFIG}" in out
    assert f"client.showErrorDetails none {CONFIG}" in out


def test_the_page_limit_matches_the_server_limit():
    import tomllib

    from portal.views.market import KRX_UPLOAD_MAX_MB

    assert tomllib.loads(CONFIG.read_text())["server"]["maxUploadSize"] == KRX_UPLOAD_MAX_MB == 5


@pytest.mark.parametrize("size,refused", [(0, False), (1_000, False), (5 * 1024 * 1024, False),
                                          (5 * 1024 * 1024 + 1, True), (200 * 1024 * 1024, True)])
def test_uploads_over_the_limit_are_refused_before_reading(size, refused):
    from portal.views.market import upload_size_error

    message = upload_size_error(size)
    assert (message is not None) == refused
    if refused:
        assert f"{size:,} bytes" in message and "limited to 5 MB" in message and "Nothing was read" in message
