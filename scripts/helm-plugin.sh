#!/bin/sh
# The Helm plugin's command (plugin.yaml): runs acp-check with the arguments Helm passes on, the
# one built into the plugin's bin/ if there is one, else the one on PATH. With --install-plugin (the
# install and update hooks) it builds acp-check into bin/ with cargo, unless acp-check is on PATH.
set -eu
dir="${HELM_PLUGIN_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"

if [ "${1:-}" = "--install-plugin" ]; then
  if command -v acp-check >/dev/null 2>&1; then
    echo "acp-check plugin: using $(command -v acp-check)"
    exit 0
  fi
  if command -v cargo >/dev/null 2>&1; then
    echo "acp-check plugin: building acp-check into $dir/bin (a few minutes)"
    exec cargo install --locked --quiet --path "$dir" --root "$dir"
  fi
  echo "acp-check plugin: neither acp-check nor cargo is on PATH; install Rust (https://rustup.rs)" >&2
  echo "and run: cargo install --locked --path '$dir' --root '$dir'" >&2
  exit 1
fi

if [ -x "$dir/bin/acp-check" ]; then
  exec "$dir/bin/acp-check" "$@"
fi
if command -v acp-check >/dev/null 2>&1; then
  exec acp-check "$@"
fi
echo "helm acp-check: acp-check is not installed: run 'helm plugin update acp-check', or put acp-check on PATH" >&2
exit 2
