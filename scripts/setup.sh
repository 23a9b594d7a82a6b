#!/usr/bin/env bash
# Install everything the project needs, idempotently and quickly on re-runs:
#   .venv/                 Python 3.11 virtual environment from requirements.lock, plus this project (editable)
#   bin/cometbft           CometBFT v0.39.4 built with `go install` (never @latest)
#   abci_app/_gen/         ABCI protobuf stubs generated from that module's proto/ and gogoproto's gogo.proto
#   protocol/_native*.so   the native hot path (Rust, protocol/native) built by scripts/build_native.sh
#   chromium               Debian's package, for the browser tests (when run as root with apt-get)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
COMETBFT_VERSION="v0.39.4"
GOGOPROTO_MODULE="github.com/cosmos/gogoproto"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
say() { printf '[setup] %s\n' "$*"; }

# 1. Python environment
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
lock_sum="$(sha256sum requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat .venv/.installed 2>/dev/null)" != "$lock_sum" ]; then
  say "installing Python packages from requirements.lock"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
  echo "$lock_sum" > .venv/.installed
fi

# 1b. The native hot path (Merkle hashing, Ed25519 verification of many readings); rebuilt when its sources change
if ! scripts/build_native.sh; then
  [ "${CI:-}" = true ] && { echo "setup: CI needs the native hot path (protocol/native); see the error above" >&2; exit 1; }
  say "the native hot path was not built: the edge uploader runs on the pure-Python reference (slower)"
fi

# 2. CometBFT, pinned
mkdir -p bin
if [ ! -x bin/cometbft ] || [ "$(bin/cometbft version 2>/dev/null)" != "${COMETBFT_VERSION#v}" ]; then
  command -v go >/dev/null || { echo "setup: Go is needed to build CometBFT (go >= 1.25)"; exit 1; }
  say "building cometbft@${COMETBFT_VERSION} with go install (takes a few minutes the first time)"
  GOBIN="$ROOT/bin" GOFLAGS="${GOFLAGS:-} -mod=mod" go install "github.com/cometbft/cometbft/cmd/cometbft@${COMETBFT_VERSION}"
fi

# 3. ABCI stubs from the module cache that go install filled
MODCACHE="$(go env GOMODCACHE)"
CMT_DIR="$MODCACHE/github.com/cometbft/cometbft@${COMETBFT_VERSION}"
if [ ! -d "$CMT_DIR/proto" ]; then
  (cd /tmp && go mod download -json "github.com/cometbft/cometbft@${COMETBFT_VERSION}" >/dev/null)
fi
GOGO_VERSION="$(awk -v m="$GOGOPROTO_MODULE" '$1==m {print $2; exit}' "$CMT_DIR/go.mod")"
GOGO_DIR="$MODCACHE/$GOGOPROTO_MODULE@$GOGO_VERSION"
if [ ! -f "$GOGO_DIR/gogoproto/gogo.proto" ]; then
  (cd /tmp && go mod download -json "$GOGOPROTO_MODULE@$GOGO_VERSION" >/dev/null)
fi
stub_sum="$(echo "$COMETBFT_VERSION $GOGO_VERSION $(.venv/bin/python -c 'import grpc_tools, google.protobuf as p; print(p.__version__)')" | sha256sum | cut -d' ' -f1)"
if [ "$(cat abci_app/_gen/.stamp 2>/dev/null)" != "$stub_sum" ]; then
  say "generating ABCI stubs from cometbft ${COMETBFT_VERSION} and gogoproto ${GOGO_VERSION}"
  rm -rf abci_app/_gen && mkdir -p abci_app/_gen
  (cd "$CMT_DIR/proto" && find tendermint -name '*.proto' | sort) > abci_app/_gen/.protos
  .venv/bin/python -m grpc_tools.protoc -I "$CMT_DIR/proto" -I "$GOGO_DIR" --python_out=abci_app/_gen \
    $(cat abci_app/_gen/.protos) gogoproto/gogo.proto
  find abci_app/_gen -type d -exec touch {}/__init__.py \;
  rm abci_app/_gen/__init__.py
  echo "$stub_sum" > abci_app/_gen/.stamp
fi
# 4. Debian's Chromium (and Korean fonts) for the browser tests (Playwright drives it; no browser is downloaded)
if [ -n "${ETS_SKIP_BROWSER:-}" ]; then
  say "ETS_SKIP_BROWSER is set: not installing chromium (browser tests would be skipped)"
elif ! command -v chromium >/dev/null 2>&1 || [ ! -d /usr/share/fonts/opentype/noto ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian's chromium package for browser tests"
    (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk >/dev/null) \
      || { [ "${CI:-}" = true ] && { echo "setup: could not install Debian's chromium; CI needs it for the browser tests" >&2; exit 1; }
           say "could not install chromium: browser tests will be skipped"; }
  elif [ "${CI:-}" = true ]; then
    echo "setup: chromium is not installed and this is not root; CI needs it for the browser tests" >&2; exit 1
  else
    say "chromium is not installed and this is not root: browser tests will be skipped"
  fi
fi
say "ready: $(bin/cometbft version) · $(.venv/bin/python --version) · stubs in abci_app/_gen"
