#!/usr/bin/env bash
# Writes what `acp-check lint` prints for every fixture, every file and folder under
# ../shared/reference and a generated 10,000-file tree, in every format, into OUT_DIR: one file per
# input and format, holding the exit code, standard output and standard error. Two runs of it (one
# before a refactoring, one after) are compared with `diff -r`: a change that should not change
# behaviour must leave every byte the same.
#
#   bash tools/snapshot/outputs.sh BINARY OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "$1")
out=$(realpath -m "$2")
mkdir -p "$out"
formats=(human json sarif junit github)

inputs=()
while IFS= read -r f; do inputs+=("$f"); done < <(
  { find fixtures examples -name '*.yaml' -o -name '*.yml' -o -name '*.json'
    find fixtures -mindepth 1 -type d
    if [ -d ../shared/reference ]; then
      find ../shared/reference -type f \( -name '*.yaml' -o -name '*.yml' \)
      find ../shared/reference -mindepth 1 -type d
    fi
  } | LC_ALL=C sort)

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
python3 tools/bench/gen_tree.py "$tree/tree" 10000 >/dev/null
python3 tools/bench/gen_tree.py "$tree/small" 2000 --small >/dev/null

run() { # name, then the arguments of acp-check lint
  local name=$1; shift
  for format in "${formats[@]}"; do
    local file="$out/$(printf '%s' "${name#../shared/}" | tr '/ ' '%_').$format"
    { set +e; NO_COLOR=1 "$bin" lint "$@" --format "$format" >"$file.stdout" 2>"$file.stderr"
      echo "exit $?" >"$file.code"; set -e; } </dev/null
    cat "$file.code" "$file.stdout" "$file.stderr" >"$file"
    rm -f "$file.code" "$file.stdout" "$file.stderr"
  done
}
export -f run
for input in "${inputs[@]}"; do run "$input" "$input"; done
# The tree's paths differ from run to run: run it from inside its folder.
(cd "$tree" && for format in "${formats[@]}"; do
  { set +e; NO_COLOR=1 "$bin" lint tree --format "$format" >"$out/tree.$format" 2>&1; echo "exit $?" >>"$out/tree.$format"; set -e; }
  { set +e; NO_COLOR=1 "$bin" lint small --format "$format" >"$out/small.$format" 2>&1; echo "exit $?" >>"$out/small.$format"; set -e; }
done)
echo "$(ls -A "$out" | wc -l) outputs in $out"
