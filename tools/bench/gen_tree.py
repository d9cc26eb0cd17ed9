#!/usr/bin/env python3
"""Writes a tree of realistic kube-acp-stack (umbrella) values files for the benchmarks.

    python3 tools/bench/gen_tree.py OUT_DIR [COUNT] [--seed N]

Each file is one deployment of the platform with its Redis cluster, shaped like the vendor's
kube-acp-stack values and fixtures/valid/umbrella-values.yaml: about 70 lines, with the platform's
Redis client, storage settings, the redis-cluster chart with RediSearch, and the other subcharts
(cockroachdb, timescaledb) that acp-check reads but does not check. Names, sizes, versions and
counts vary; about one file in eight carries one of the mistakes acp-check exists to catch (a typo,
a wrong type, uneven nodes, a bare duration, a password that differs). The layout is
team-NN/ENV/app-NNNNN-values.yaml, 150 folders. The same seed always gives the same tree.
With --small, each file is only a redis-cluster section of seven lines (for the peers' small-file
rate).
"""

import argparse
import os
import random

ENVS = ["dev", "staging", "prod"]
TAGS = ["6.2.14", "6.2.14-debian-11-r22", "6.2.16-debian-12-r3", "6.2.13", "6.2.12-debian-11-r10"]
ZONES = ["eu-west-1", "us-east-1", "ap-south-1", "eu-central-1"]

MISTAKES = [
    ("replica", "typo"),
    ("nodes-string", "type"),
    ("uneven", "topology"),
    ("bare-duration", "duration"),
    ("aof-yes", "boolean"),
    ("password-mismatch", "password"),
    ("tag-number", "version"),
]


def values(i: int, rng: random.Random) -> str:
    env = ENVS[i % 3]
    name = f"redis-{i:05d}"
    replicas = rng.choice([1, 1, 1, 2])
    nodes = 3 * (replicas + 1) * rng.choice([1, 1, 2])
    tag = rng.choice(TAGS)
    secret = rng.random() < 0.7
    password = f"Pw-{rng.getrandbits(48):012x}"
    pool = rng.choice([10, 20, 40, 80])
    backoff = rng.choice(["8ms", "32ms", "64ms"])
    size = rng.choice(["8Gi", "16Gi", "32Gi"])
    cpu = rng.choice(["250m", "500m", "1"])
    memory = rng.choice(["1Gi", "2Gi", "4Gi"])
    mistake = rng.choice(MISTAKES)[0] if rng.random() < 0.125 else None

    replicas_key = "replica" if mistake == "replica" else "replicas"
    nodes_text = f'"{nodes}"' if mistake == "nodes-string" else str(nodes + (1 if mistake == "uneven" else 0))
    backoff_text = "32" if mistake == "bare-duration" else backoff
    aof = "yes" if mistake == "aof-yes" else '"yes"'
    tag_text = "6.20" if mistake == "tag-number" else f'"{tag}"'
    client_password = "Pw-rotated" if mistake == "password-mismatch" else password

    if secret:
        cluster_password = f"  existingSecret: {name}-password\n"
        module_password = "${REDIS_PASSWORD}"
        client_secret = "  secretConfig:\n    create: false\n"
    else:
        cluster_password = f'  password: "{password}"\n'
        module_password = password
        client_secret = (
            "  secretConfig:\n    data:\n      redis:\n"
            f'        password: "{client_password}"\n'
        )

    return f"""# kube-acp-stack values: team {i % 50:02d}, {env}, {ZONES[i % 4]}
acp:
  enabled: true
  serverURL: "https://acp-{i:05d}.{env}.example.com"
  sql:
    url: "postgres://acp@cockroachdb-public:26257/acp{i:05d}?sslmode=verify-full"
  redis:
    addrs:
      - "{name}-headless:6379"
      - "{name}-headless:6379"
    redis_search: true
    min_retry_backoff: {backoff_text}
    max_retry_backoff: 512ms
    pool_size: {pool}
  config:
    data:
      storage:
        refresh_tokens:
          enabled: true
          batch_limit: 512
{client_secret}
cockroachdb:
  enabled: true
  fullnameOverride: cockroachdb
  tls:
    enabled: true

redis-cluster:
  enabled: true
  fullnameOverride: {name}
  image:
    tag: {tag_text}
{cluster_password}  cluster:
    nodes: {nodes_text}
    {replicas_key}: {replicas}
  redis:
    useAOFPersistence: {aof}
    configmap: |
      loadmodule /redismodules/redisearch.so OSS_GLOBAL_PASSWORD {module_password}
      maxmemory-policy noeviction
    initContainers:
      - name: redismodules
        image: alpine:3.20
        command: ["sh", "-c", "wget -O /redismodules/redisearch.so https://downloads.example.com/redisearch.so"]
        volumeMounts:
          - mountPath: /redismodules
            name: redismodules
    extraVolumes:
      - name: redismodules
        emptyDir: {{}}
    extraVolumeMounts:
      - mountPath: /redismodules
        name: redismodules
    resources:
      requests:
        cpu: {cpu}
        memory: {memory}
  persistence:
    size: {size}
  metrics:
    enabled: {str(env == "prod").lower()}

timescaledb-single:
  enabled: true
  fullnameOverride: timescaledb
  image:
    tag: pg17.2-ts2.18.2
"""


def small(i: int, rng: random.Random) -> str:
    """A small values file: the redis-cluster section of an umbrella chart, six to eight lines."""
    replicas = rng.choice([1, 1, 2])
    key = "replica" if rng.random() < 0.125 else "replicas"
    return (
        f"redis-cluster:\n  fullnameOverride: redis-{i:05d}\n  image:\n    tag: \"{rng.choice(TAGS)}\"\n"
        f"  cluster:\n    nodes: {3 * (replicas + 1)}\n    {key}: {replicas}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("count", type=int, nargs="?", default=10_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--small", action="store_true", help="small files (a redis-cluster section)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    for i in range(args.count):
        folder = os.path.join(args.out, f"team-{i % 50:02d}", ENVS[i % 3])
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"app-{i:05d}-values.yaml"), "w", encoding="utf-8") as f:
            f.write(small(i, rng) if args.small else values(i, rng))


if __name__ == "__main__":
    main()
