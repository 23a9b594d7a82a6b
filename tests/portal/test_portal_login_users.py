"""Login (key file + chain role, throttled) and the ``python -m portal.users`` command."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest

from ets_tools.devnet import localnet_passphrase
from ets.keys import Keystore, Signer
from portal import auth, users
from portal.throttle import LOGIN_THROTTLE, LoginThrottle
from portal_chain import PASSWORDS, SeededChain

pytestmark = pytest.mark.localnet


@pytest.mark.parametrize("name,role", [("official1", "government"), ("steel", "company"), ("verifier", "verifier")])
def test_login_takes_the_role_from_the_chain(chain: SeededChain, users_dir: Path, name, role):
    user = auth.login(users_dir, name, PASSWORDS[name], chain.client)
    assert user.role == role and user.username == name
    assert user.signer.address == user.address
    assert "signer" not in repr(user)


def test_steel_login_carries_company_id_and_sector(chain: SeededChain, users_dir: Path):
    user = auth.login(users_dir, "steel", PASSWORDS["steel"], chain.client)
    steel = chain.company("steel")
    assert (user.address, user.company_id, user.sector, user.name) == (steel.address, steel.company_id, steel.sector, steel.name)


@pytest.mark.parametrize("name,password", [("steel", "wrong-password"), ("nobody", "whatever-pw"), ("../etc", "x" * 8),
                                           ("", "")])
def test_bad_credentials_give_one_message(chain: SeededChain, users_dir: Path, name, password):
    with pytest.raises(auth.LoginError) as exc:
        auth.login(users_dir, name, password, chain.client)
    assert str(exc.value) == auth.LOGIN_FAILED


def test_unregistered_key_cannot_log_in(chain: SeededChain, tmp_path: Path):
    stranger = users.add_user(tmp_path, "stranger", "stranger-pw", scrypt_n=2**12)
    with pytest.raises(auth.LoginError, match=f"{stranger.address}\\) is not registered"):
        auth.login(tmp_path, "stranger", "stranger-pw", chain.client)


def test_role_is_not_read_from_the_file(chain: SeededChain, tmp_path: Path):
    """Editing a key file's clear fields changes nothing: the role comes from the chain."""
    users.add_user(tmp_path, "edited", "edited-pw-1", chain.company("power").signer, scrypt_n=2**12)
    path = tmp_path / "edited.key.json"
    path.write_text(path.read_text().replace('"version":1', '"role":"government","version":1'))
    assert auth.login(tmp_path, "edited", "edited-pw-1", chain.client).role == "company"


def test_cli_imports_a_localnet_key_under_a_new_password(chain: SeededChain, tmp_path: Path, capsys):
    source_pw, new_pw = tmp_path / "source.txt", tmp_path / "new.txt"
    source_pw.write_text(localnet_passphrase() + "\n")
    new_pw.write_text("a-new-portal-password\n")
    folder = tmp_path / "users"
    code = users.main(["--users", str(folder), "--node", chain.rpc_url, "add", "gov3", "--from-keystore",
                       str(chain.net.home / "keys"), "--key", "gov-3", "--source-passphrase-file", str(source_pw),
                       "--password-file", str(new_pw), "--check-role", "government"])
    assert code == 0
    assert "gov3" in capsys.readouterr().out
    user = auth.login(folder, "gov3", "a-new-portal-password", chain.client)
    assert user.role == "government" and user.address == chain.keys["gov-3"].address
    with pytest.raises(auth.LoginError):
        auth.login(folder, "gov3", localnet_passphrase(), chain.client)  # the old passphrase no longer opens it

    assert users.main(["--users", str(folder), "--node", chain.rpc_url, "list"]) == 0
    assert "government" in capsys.readouterr().out
    assert users.main(["remove", "gov3", "--users", str(folder)]) == 0  # options after the subcommand work too
    assert users.list_users(folder) == []


def test_cli_refuses_a_role_mismatch_and_writes_nothing(chain: SeededChain, tmp_path: Path, capsys):
    source_pw, new_pw = tmp_path / "source.txt", tmp_path / "new.txt"
    source_pw.write_text(localnet_passphrase())
    new_pw.write_text("another-password")
    folder = tmp_path / "users"
    code = users.main(["--users", str(folder), "--node", chain.rpc_url, "add", "x", "--from-keystore",
                       str(chain.net.home / "keys"), "--key", "company-1", "--source-passphrase-file", str(source_pw),
                       "--password-file", str(new_pw), "--role-check", "government"])
    assert code == 2
    assert "has the role 'company'" in capsys.readouterr().err
    assert not (folder / "x.key.json").exists()


@pytest.mark.parametrize("argv,message", [
    (["add", "x", "--key", "gov-1"], "--key needs --from-keystore"),
    (["add", "x", "--from-keystore", "/nonexistent"], "--from-keystore needs --key"),
    (["remove", "ghost"], "no key named 'ghost'"),
])
def test_cli_errors_say_what_to_do(tmp_path: Path, capsys, argv, message):
    assert users.main(["--users", str(tmp_path), *argv]) == 2
    assert message in capsys.readouterr().err


def test_unknown_user_costs_as_much_as_a_wrong_password(chain: SeededChain, tmp_path: Path):
    Keystore(tmp_path).create("real", "real-password", signer=Signer.generate())  # default scrypt cost
    def timed(name: str) -> float:
        start = time.perf_counter()
        with pytest.raises(auth.LoginError):
            auth.login(tmp_path, name, "not-the-password", chain.client)
        return time.perf_counter() - start
    # alternating samples and medians: one slow moment of a shared machine does not decide
    samples = [(timed("real"), timed("ghost")) for _ in range(5)]
    wrong, unknown = (statistics.median(column) for column in zip(*samples))
    assert unknown > wrong * 0.5, f"unknown user answered in {unknown:.3f}s, wrong password in {wrong:.3f}s (medians of 5)"


# ---------------------------------------------------------------- login throttling through the real login path


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_right_password_is_refused_during_a_lockout(chain: SeededChain, users_dir: Path, monkeypatch):
    clock = _Clock()
    gate = LoginThrottle(clock=clock)
    here = "ip:198.51.100.7"
    for i in range(5):
        clock.now = i
        with pytest.raises(auth.LoginError) as exc:
            auth.login(users_dir, "steel", f"wrong-password-{i}", chain.client, client_key=here, throttle=gate)
        assert str(exc.value) == auth.LOGIN_FAILED and not isinstance(exc.value, auth.LoginThrottled)

    # during the lockout nothing is decrypted (nor burnt): the attempt is refused before the password is looked at
    checked = []
    monkeypatch.setattr(auth.Keystore, "load", lambda *a, **k: checked.append("load"))
    monkeypatch.setattr(auth, "_burn_time", lambda *a, **k: checked.append("burn"))
    for t, name, client_key in ((10, "steel", here), (20, "steel", "ip:203.0.113.50"), (30, " steel ", None)):
        clock.now = t
        with pytest.raises(auth.LoginThrottled) as exc:
            auth.login(users_dir, name, PASSWORDS["steel"], chain.client, client_key=client_key, throttle=gate)
        assert exc.value.retry_after == pytest.approx(34 - t)
        assert f"Try again in {34 - t} s" in str(exc.value)  # the form says it in the visitor's language
    assert checked == []
    monkeypatch.undo()

    # other user names from the same client are not locked (the client's own limit is 20 failures)
    assert auth.login(users_dir, "power", PASSWORDS["power"], chain.client, client_key=here, throttle=gate).role == "company"
    clock.now = 34  # the lockout is over: the right password opens it, and the count starts again
    assert auth.login(users_dir, "steel", PASSWORDS["steel"], chain.client, client_key=here, throttle=gate).role == "company"
    for i in range(4):
        with pytest.raises(auth.LoginError):
            auth.login(users_dir, "steel", "still-wrong", chain.client, client_key=here, throttle=gate)
    assert auth.login(users_dir, "steel", PASSWORDS["steel"], chain.client, client_key=here, throttle=gate).username == "steel"


def test_unknown_user_names_are_locked_out_the_same_way(chain: SeededChain, users_dir: Path):
    gate = LoginThrottle(clock=_Clock())
    for name in ("steel", "no-such-user"):
        for _ in range(5):
            with pytest.raises(auth.LoginError):
                auth.login(users_dir, name, "wrong-password", chain.client, throttle=gate)
    messages = set()
    for name in ("steel", "no-such-user"):
        with pytest.raises(auth.LoginThrottled) as exc:
            auth.login(users_dir, name, "wrong-password", chain.client, throttle=gate)
        messages.add(str(exc.value))
    assert len(messages) == 1  # a lockout does not tell which user names exist


def test_login_uses_the_process_wide_throttle_by_default(chain: SeededChain, tmp_path: Path):
    name = f"throttle-default-{tmp_path.name}"  # a name no other test uses
    users.add_user(tmp_path, name, "the-right-password", chain.company("power").signer, scrypt_n=2**12)
    for _ in range(5):
        with pytest.raises(auth.LoginError):
            auth.login(tmp_path, name, "wrong-password", chain.client)
    with pytest.raises(auth.LoginThrottled):
        auth.login(tmp_path, name, "the-right-password", chain.client)
    assert LOGIN_THROTTLE.retry_after(name) > 0
