"""CometBFT ``config.toml`` editing: a careful line-based editor, checked by re-reading the result with tomllib.

``apply_toml_overrides`` sets keys in place (comments and layout kept); ``load_config_overrides``
reads a TOML file of settings (``cometbft-config/localnet.toml``) into section → {key: value};
``merge_overrides`` layers such mappings (later wins).
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any, Mapping

from .errors import LocalNetError
from .home import TUNED_CONFIG

__all__ = ["apply_toml_overrides", "load_config_overrides", "merge_overrides"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(?:#.*)?$")
_ARRAY_TABLE = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]\s*(?:#.*)?$")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")
_ROOT_ALIASES = ("", "base", "main")


def _toml_string(s: str) -> str:
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"config value {value!r} is not a finite number")
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ValueError(f"config value {value!r} of type {type(value).__name__} cannot be written to config.toml")


def _lookup(doc: Mapping[str, Any], section: str, key: str) -> Any:
    node: Any = doc
    for part in [p for p in section.split(".") if p]:
        node = node.get(part) if isinstance(node, Mapping) else None
    if not isinstance(node, Mapping) or key not in node:
        raise KeyError(key)
    return node[key]


def apply_toml_overrides(text: str, overrides: Mapping[str, Mapping[str, Any]]) -> str:
    """Return ``text`` (a CometBFT config.toml) with ``overrides`` (section → {key: value}) applied.

    Section ``""`` (aliases ``"base"``, ``"main"``) is the top level; dotted names such as
    ``"p2p.libp2p"`` are sub-tables. Existing keys are replaced in place (comments and layout are
    kept), missing keys are added to their section, missing sections are appended. Keys inside
    arrays of tables (``[[...]]``) cannot be set. The result is parsed back and checked.
    """
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    wanted: list[tuple[str, str, Any]] = []
    for section, keys in overrides.items():
        sec = "" if section in _ROOT_ALIASES else section
        if sec and not re.fullmatch(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*", sec):
            raise ValueError(f"config section name {section!r} is not a plain dotted TOML table name")
        if not isinstance(keys, Mapping):
            raise ValueError(f"config overrides for section {section!r} must be a mapping of key to value")
        for key, value in keys.items():
            if not _BARE_KEY.match(key):
                raise ValueError(f"config key {key!r} in section {section!r} is not a bare TOML key")
            if isinstance(value, Mapping):
                raise ValueError(f"config value for {section}.{key} is a table; name it as its own section instead")
            _toml_value(value)  # fail early on values that cannot be written
            wanted.append((sec, key, value))

    for sec, key, value in wanted:
        new_line = f"{key} = {_toml_value(value)}\n"
        # Map each line to its table; arrays of tables are marked so nothing is edited inside them.
        current: str | None = ""
        header_at: dict[str, int] = {}
        last_key_at: dict[str, int] = {}
        found: int | None = None
        for i, line in enumerate(lines):
            m = _TABLE.match(line)
            if m:
                current = m.group(1)
                header_at.setdefault(current, i)
                continue
            if _ARRAY_TABLE.match(line):
                if _ARRAY_TABLE.match(line).group(1) == sec:  # type: ignore[union-attr]
                    raise ValueError(f"[[{sec}]] is an array of tables; it cannot be set key by key")
                current = None
                continue
            km = _KEY_LINE.match(line)
            if km and current is not None:
                last_key_at[current] = i
                if current == sec and km.group(1) == key:
                    if found is not None:
                        raise ValueError(f"config.toml sets {sec or '<top level>'}.{key} twice")
                    found = i
        if found is not None:
            # A value may span lines (multi-line arrays or strings): extend until the line parses alone.
            end = found
            while True:
                try:
                    tomllib.loads("".join(lines[found : end + 1]))
                    break
                except tomllib.TOMLDecodeError:
                    end += 1
                    if end >= len(lines):
                        raise ValueError(f"cannot find the end of the value of {sec or '<top level>'}.{key}") from None
            indent = lines[found][: len(lines[found]) - len(lines[found].lstrip())]
            lines[found : end + 1] = [indent + new_line]
        elif sec in last_key_at:
            lines.insert(last_key_at[sec] + 1, new_line)
        elif sec in header_at:
            lines.insert(header_at[sec] + 1, new_line)
        elif sec == "":
            first_table = next((i for i, line in enumerate(lines) if _TABLE.match(line) or _ARRAY_TABLE.match(line)), len(lines))
            lines.insert(first_table, new_line)
        else:
            lines.extend(["\n", f"[{sec}]\n", new_line])

    result = "".join(lines)
    try:
        doc = tomllib.loads(result)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - guards the editor itself
        raise ValueError(f"editing config.toml produced invalid TOML: {exc}") from None
    for sec, key, value in wanted:
        expected = list(value) if isinstance(value, tuple) else value
        try:
            got = _lookup(doc, sec, key)
        except KeyError:
            raise ValueError(f"config.toml edit of {sec or '<top level>'}.{key} did not take effect") from None
        if got != expected:
            raise ValueError(f"config.toml edit of {sec or '<top level>'}.{key} reads back as {got!r}, not {expected!r}")
    return result


def load_config_overrides(path: str | Path = TUNED_CONFIG) -> dict[str, dict[str, Any]]:
    """Read a TOML file of CometBFT settings into section → {key: value} (top-level keys under ``""``)."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise LocalNetError(f"tuned CometBFT settings not found at {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LocalNetError(f"{path} is not valid TOML: {exc}") from None
    out: dict[str, dict[str, Any]] = {}

    def walk(prefix: str, table: Mapping[str, Any]) -> None:
        for key, value in table.items():
            if isinstance(value, Mapping):
                walk(f"{prefix}.{key}" if prefix else key, value)
            elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
                raise LocalNetError(f"{path}: arrays of tables ({prefix}.{key}) are not supported")
            else:
                out.setdefault(prefix, {})[key] = value

    walk("", doc)
    return out


def merge_overrides(*layers: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for layer in layers:
        for section, keys in (layer or {}).items():
            sec = "" if section in _ROOT_ALIASES else section
            merged.setdefault(sec, {}).update(keys)
    return merged
