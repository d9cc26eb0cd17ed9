#!/usr/bin/env bash
# Runs every test of acp-check. On a fresh Debian machine it first installs what the tests need.
# This is the README's test command, and .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v cc >/dev/null || need_apt+=(gcc)
command -v python3 >/dev/null || need_apt+=(python3)
command -v script >/dev/null || need_apt+=(bsdutils)
python3 -c 'import yaml, jsonschema' 2>/dev/null || need_apt+=(python3-yaml python3-jsonschema)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "cargo is missing: install Rust with rustup (https://rustup.rs)" >&2; exit 2; }

echo "== format and lints"
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings

echo "== schema generator and schema self-test"
if [ -d ../shared/reference ]; then
  python3 tools/schema/test_schemas.py ../shared/reference
else
  echo "note: ../shared/reference (the upstream Bitnami values) is not beside this checkout;"
  echo "      the schema self-test needs it and was not run"
fi

echo "== cargo tests"
cargo test --locked
