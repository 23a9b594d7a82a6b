#!/usr/bin/env bash
# Build the native hot path (protocol/native/, Rust through PyO3) and place it as protocol/_native<EXT_SUFFIX>.
#   scripts/build_native.sh [--out DIR]    (default DIR: protocol/)
# Plain `cargo build --release --locked` of the cdylib, copied into place: no Python build tool is needed.
# Idempotent: skipped when the crate's sources, rustc and the Python ABI are those of the last build in DIR.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CRATE="$ROOT/protocol/native"
OUT="$ROOT/protocol"
if [ "${1:-}" = "--out" ] && [ -n "${2:-}" ]; then OUT="$2"; elif [ $# -gt 0 ]; then
  echo "usage: scripts/build_native.sh [--out DIR]" >&2; exit 2
fi
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
if ! command -v cargo >/dev/null 2>&1; then
  echo "build_native: cargo is not installed; install Rust (https://rustup.rs, rustc >= 1.85) to build protocol/native" >&2
  exit 1
fi
SUFFIX="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')"
TARGET="$OUT/_native$SUFFIX"
STAMP="$OUT/.native.stamp"
sum="$( (cd "$CRATE" && cat Cargo.toml Cargo.lock .cargo/config.toml $(find src -name '*.rs' | sort); rustc --version; echo "$SUFFIX") | sha256sum | cut -d' ' -f1)"
if [ -f "$TARGET" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$sum" ]; then
  exit 0
fi
echo "[setup] building the native hot path (protocol/native) with $(cargo --version)"
(cd "$CRATE" && PYO3_PYTHON="$PYTHON" cargo build --quiet --release --locked)  # in the crate: its .cargo/config.toml applies
mkdir -p "$OUT"
cp "${CARGO_TARGET_DIR:-$CRATE/target}/release/lib_native.so" "$TARGET.tmp"
mv "$TARGET.tmp" "$TARGET"
echo "$sum" > "$STAMP"
