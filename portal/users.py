"""``python -m portal.users``: create, list and remove portal users.

A portal user is one encrypted key file in the users folder (``ETS_PORTAL_USERS``, default
``./.portal/users``), named after the user and encrypted under the user's own password. The
file holds no role: the role is whatever the chain's registry says for the key's address at
login. Typical use on a local network, giving each first account a portal login::

    export ETS_PASSPHRASE=localnet-dev-passphrase          # the source keystore's passphrase
    python -m portal.users add official1 --from-keystore .localnet/keys --key gov-1 --check-role government
    python -m portal.users add steel --from-keystore .localnet/keys --key company-1 --password-file pw.txt
    python -m portal.users list --node http://127.0.0.1:26657

Passwords come from ``--password-file`` or a prompt (asked twice), never from the command line.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from ets.keys import DEFAULT_SCRYPT_N, Keystore, KeystoreError, Signer
from ets.rpc import ChainClient, ChainError

from .data.registry import account
from .config import DEFAULT_NODE, DEFAULT_USERS

__all__ = ["UserError", "add_user", "import_user", "list_users", "remove_user", "check_role", "main", "build_parser"]


class UserError(Exception):
    """A user that cannot be created, found or removed; the message says what to do."""


def add_user(users_dir: str | os.PathLike[str], name: str, password: str, signer: Signer | None = None, *,
             scrypt_n: int = DEFAULT_SCRYPT_N) -> Signer:
    """Write ``name``'s key file, encrypted under ``password`` (a new key unless ``signer`` is given)."""
    try:
        return Keystore(Path(users_dir)).create(name, password, signer=signer, scrypt_n=scrypt_n)
    except KeystoreError as exc:
        raise UserError(str(exc)) from None


def import_user(users_dir: str | os.PathLike[str], name: str, password: str, source_dir: str | os.PathLike[str],
                key: str, source_passphrase: str, *, scrypt_n: int = DEFAULT_SCRYPT_N) -> Signer:
    """Re-encrypt key ``key`` of the keystore ``source_dir`` as portal user ``name`` under ``password``."""
    try:
        signer = Keystore(Path(source_dir)).load(key, source_passphrase)
    except KeystoreError as exc:
        raise UserError(f"cannot read key {key!r} from {source_dir}: {exc}") from None
    return add_user(users_dir, name, password, signer, scrypt_n=scrypt_n)


def list_users(users_dir: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every user's name and address (no password needed)."""
    return [{"name": k["name"], "address": k["address"]} for k in Keystore(Path(users_dir)).list()]


def remove_user(users_dir: str | os.PathLike[str], name: str) -> None:
    keystore = Keystore(Path(users_dir))
    try:
        keystore.info(name)
    except KeystoreError as exc:
        raise UserError(str(exc)) from None
    (Path(users_dir) / f"{name}.key.json").unlink()


def check_role(client: ChainClient, address: str, role: str) -> None:
    """Raise ``UserError`` unless the chain registers ``address`` with ``role``."""
    record = account(client, address)
    if record is None:
        raise UserError(f"account {address} is not registered on the chain; a portal user for it would have no role")
    if record["role"] != role:
        raise UserError(f"account {address} has the role {record['role']!r} on the chain, not {role!r}")


# ---------------------------------------------------------------- command line


def _read_secret(path: str | None, prompt: str, *, confirm: bool, env: str | None = None) -> str:
    if path:
        return Path(path).read_text().rstrip("\n")
    if env and os.environ.get(env):
        return os.environ[env]
    if not sys.stdin.isatty():
        raise UserError(f"no {prompt}: give a file with the option, or run in a terminal to be prompted")
    first = getpass.getpass(f"{prompt}: ")
    if confirm and getpass.getpass(f"repeat {prompt}: ") != first:
        raise UserError(f"the two {prompt}s differ")
    return first


def _users_dir(args: argparse.Namespace) -> Path:
    return Path(args.users or os.environ.get("ETS_PORTAL_USERS") or DEFAULT_USERS)


def _node(args: argparse.Namespace) -> str:
    return args.node or os.environ.get("ETS_PORTAL_NODE") or DEFAULT_NODE


def _cmd_add(args: argparse.Namespace) -> int:
    users = _users_dir(args)
    if (users / f"{args.name}.key.json").exists():
        raise UserError(f"a user named {args.name!r} already exists in {users}; remove it first or choose another name")
    signer = None
    if args.from_keystore:
        if not args.key:
            raise UserError("--from-keystore needs --key NAME (the key to import)")
        source = _read_secret(args.source_passphrase_file, "source keystore passphrase", confirm=False, env="ETS_PASSPHRASE")
        try:
            signer = Keystore(Path(args.from_keystore)).load(args.key, source)
        except KeystoreError as exc:
            raise UserError(f"cannot read key {args.key!r} from {args.from_keystore}: {exc}") from None
    elif args.key:
        raise UserError("--key needs --from-keystore DIR (where the key is)")
    signer = signer or Signer.generate()
    if args.check_role:
        with ChainClient(_node(args)) as client:
            check_role(client, signer.address, args.check_role)
    password = _read_secret(args.password_file, "new portal password", confirm=True)
    add_user(users, args.name, password, signer)
    registered = "" if args.from_keystore else "  (a new key: the government must register this address before it can log in)"
    print(f"user {args.name}: address {signer.address} in {users}{registered}")
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    users = list_users(_users_dir(args))
    roles: dict[str, str] = {}
    if args.node or os.environ.get("ETS_PORTAL_NODE"):
        with ChainClient(_node(args)) as client:
            for user in users:
                record = account(client, user["address"])
                roles[user["address"]] = record["role"] if record else "(not registered)"
    for user in users:
        print(f"{user['name']:<24} {user['address']}  {roles.get(user['address'], '')}".rstrip())
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    remove_user(_users_dir(args), args.name)
    print(f"user {args.name} removed")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m portal.users", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    users_help = f"users folder (default: $ETS_PORTAL_USERS or {DEFAULT_USERS})"
    node_help = f"CometBFT RPC URL (default: $ETS_PORTAL_NODE or {DEFAULT_NODE})"
    parser.add_argument("--users", help=users_help)
    parser.add_argument("--node", help=node_help)
    common = argparse.ArgumentParser(add_help=False)  # the same options, also accepted after the subcommand
    common.add_argument("--users", default=argparse.SUPPRESS, help=users_help)
    common.add_argument("--node", default=argparse.SUPPRESS, help=node_help)
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", parents=[common], help="create a user: import an existing key, or make a new one")
    add.add_argument("name", help="user name = key file name (letters, digits, '_', '.', '-')")
    add.add_argument("--from-keystore", metavar="DIR", help="keystore folder holding the key to import (e.g. .localnet/keys)")
    add.add_argument("--key", help="name of the key to import from --from-keystore (e.g. gov-1)")
    add.add_argument("--source-passphrase-file", metavar="FILE",
                     help="file with the source keystore's passphrase (default: $ETS_PASSPHRASE or a prompt)")
    add.add_argument("--password-file", metavar="FILE", help="file with the new portal password (default: a prompt)")
    add.add_argument("--check-role", "--role-check", dest="check_role", metavar="ROLE",
                     help="refuse unless the chain registers the key with this role (asks --node)")
    add.set_defaults(func=_cmd_add)
    ls = sub.add_parser("list", parents=[common], help="list users (with their role on chain when --node or $ETS_PORTAL_NODE is set)")
    ls.set_defaults(func=_cmd_list)
    rm = sub.add_parser("remove", parents=[common], help="delete a user's key file")
    rm.add_argument("name")
    rm.set_defaults(func=_cmd_remove)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UserError, KeystoreError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ChainError as exc:
        print(f"error: the chain could not be asked: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
