//! Topology and durability of the Redis cluster: enough masters, whole shards, replicas, persistence,
//! eviction, and where refresh tokens live.

use crate::diagnostic::{CheckedBy, Rule};
use crate::diagnostic::{Finding, Severity};
use crate::model::redis_conf;
use crate::model::RedisCluster;
use crate::rules::Context;
use crate::tree::{Node, Value};

pub static CLUSTER_TOO_FEW_MASTERS: Rule = Rule {
    id: "cluster-too-few-masters",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "cluster.nodes / (cluster.replicas + 1) is below 3 masters",
    docs: r#"## What it checks
The number of masters the chart creates: `cluster.nodes / (cluster.replicas + 1)` (defaults 6 and 1).

## Why it matters
Redis Cluster needs at least 3 masters. With fewer, the chart's cluster-creation job fails ("Redis
Cluster requires at least 3 master nodes"), the pods never form a cluster, and the platform cannot
start.

## How to fix
Raise `cluster.nodes` to at least `3 * (replicas + 1)`: 6 nodes for one replica per master, 3 for none.

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 4
    replicas: 1     # 4 / 2 = 2 masters
```
"#,
};

pub static CLUSTER_UNEVEN_NODES: Rule = Rule {
    id: "cluster-uneven-nodes",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "cluster.nodes is not a multiple of cluster.replicas + 1",
    docs: r#"## What it checks
That `cluster.nodes` divides evenly into shards of one master and `cluster.replicas` replicas.

## Why it matters
`redis-cli --cluster create`, which the chart runs, refuses a node count that does not split into
whole shards, so the cluster is never created.

## How to fix
Use a multiple of `replicas + 1`: with `replicas: 1`, 6, 8 or 10 nodes; with `replicas: 2`, 9 or 12.

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 7
    replicas: 1
```
"#,
};

pub static CLUSTER_NO_REPLICAS: Rule = Rule {
    id: "cluster-no-replicas",
    severity: Severity::Warning,
    checked_by: CheckedBy::LintAndProbe,
    summary: "cluster.replicas is 0: losing a node loses its data",
    docs: r#"## What it checks
`cluster.replicas: 0`.

## Why it matters
Without replicas, a node that restarts or is rescheduled takes a third (or more) of the key space with
it: active access tokens, sessions and authorization codes are lost, and users are logged out. The
vendor's own example uses no replicas, which is fine for a demo and wrong for production.

## How to fix
Set `cluster.replicas: 1` and `cluster.nodes: 6` (the chart's defaults).

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 3
    replicas: 0
```
"#,
};

pub static REFRESH_TOKENS_IN_REDIS: Rule = Rule {
    id: "refresh-tokens-in-redis",
    severity: Severity::Info,
    checked_by: CheckedBy::Lint,
    summary: "storage.refresh_tokens.enabled: false moves refresh tokens into Redis",
    docs: r#"## What it checks
`storage.refresh_tokens.enabled: false` in the platform's config (`config.data` or `secretConfig.data`).

## Why it matters
By default refresh tokens are kept in the SQL database. Turned off, they are kept in Redis, and Redis
becomes the only copy of long-lived credentials: its replication and persistence now matter as much as
the database's. `refresh-tokens-at-risk` checks that they are in place.

## How to fix
Nothing, if this is intended. Otherwise remove the setting or set it to `true`.

## Example
```yaml
acp:
  config:
    data:
      storage:
        refresh_tokens:
          enabled: false
```
"#,
};

pub static REFRESH_TOKENS_AT_RISK: Rule = Rule {
    id: "refresh-tokens-at-risk",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "refresh tokens are in Redis, and Redis has no replicas or no AOF persistence",
    docs: r#"## What it checks
When refresh tokens are stored in Redis (`storage.refresh_tokens.enabled: false`), that the cluster
has replicas (`cluster.replicas` ≥ 1) and AOF persistence (`redis.useAOFPersistence: "yes"`).

## Why it matters
Refresh tokens live for days or months. Lost from Redis, every user and every client must sign in
again. Without replicas a single node failure loses them; without AOF a restart of the cluster does.

## How to fix
Keep `cluster.replicas: 1` (or more) and `redis.useAOFPersistence: "yes"`, or keep refresh tokens in
SQL (`storage.refresh_tokens.enabled: true`).

## Example
```yaml
acp:
  config:
    data:
      storage:
        refresh_tokens:
          enabled: false
redis-cluster:
  cluster:
    replicas: 0
```
"#,
};

pub static EVICTING_MEMORY_POLICY: Rule = Rule {
    id: "evicting-memory-policy",
    severity: Severity::Warning,
    checked_by: CheckedBy::LintAndProbe,
    summary: "maxmemory-policy other than noeviction: tokens and sessions can be evicted",
    docs: r#"## What it checks
The `maxmemory-policy` directive in `redis.configmap` or `redis.defaultConfigOverride` (the last one
wins, as in Redis).

## Why it matters
Any policy but `noeviction` lets Redis delete keys when memory runs out: with `allkeys-lru`, the
vendor's production example, Redis silently drops sessions, access tokens and authorization codes,
and users are logged out at random under load. With `noeviction`, writes fail loudly instead.

## How to fix
Use `maxmemory-policy noeviction` and size `maxmemory` (and the pods' memory) for the load.

## Example
```yaml
redis-cluster:
  redis:
    configmap: |
      maxmemory 2gb
      maxmemory-policy allkeys-lru
```
"#,
};

pub fn check(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let clusters: Vec<RedisCluster> = cx.deployment.redis_clusters().collect();
    for cluster in &clusters {
        topology(cluster, &mut out);
        eviction(cluster, cx, &mut out);
    }
    for platform in cx.deployment.platforms() {
        let Some(storage) = platform.storage() else {
            continue;
        };
        let Some(enabled) = storage.entry(&["refresh_tokens", "enabled"]) else {
            continue;
        };
        if enabled.value.as_bool() != Some(false) {
            continue;
        }
        out.push(
            Finding::new(
                &REFRESH_TOKENS_IN_REDIS,
                "refresh tokens are stored in Redis, not in the SQL database",
            )
            .at(enabled.value.span)
            .label("refresh tokens in Redis")
            .help("Redis is now the only copy of refresh tokens: keep replicas and AOF persistence on"),
        );
        for cluster in &clusters {
            at_risk(cluster, enabled.value.span, &mut out);
        }
    }
    out
}

fn topology(cluster: &RedisCluster, out: &mut Vec<Finding>) {
    let (nodes, nodes_node) = cluster.int(&["cluster", "nodes"], 6);
    let (replicas, replicas_node) = cluster.int(&["cluster", "replicas"], 1);
    if nodes < 1 || replicas < 0 {
        return; // schema-type reports these
    }
    let at = |node: Option<&Node>| node.map(|n| n.span).unwrap_or_else(|| cluster.anchor());
    let shard = replicas + 1;
    let masters = nodes / shard;
    if masters < 3 {
        let mut f = Finding::new(
            &CLUSTER_TOO_FEW_MASTERS,
            format!(
                "{nodes} nodes with {} each make {masters} masters; Redis Cluster needs at least 3",
                replicas_words(replicas)
            ),
        )
        .at(at(nodes_node))
        .label(format!("{masters} masters"))
        .help(format!(
            "set cluster.nodes to at least {} (3 masters × {shard})",
            3 * shard
        ));
        if let Some(r) = replicas_node {
            f = f.related(r.span, format!("{} per master", replicas_words(replicas)));
        }
        out.push(f);
    } else if nodes % shard != 0 {
        let mut f = Finding::new(
            &CLUSTER_UNEVEN_NODES,
            format!(
                "{nodes} nodes do not split into shards of {shard} (1 master + {})",
                replicas_words(replicas)
            ),
        )
        .at(at(nodes_node))
        .label(format!("not a multiple of {shard}"))
        .help(format!(
            "use {} or {} nodes",
            masters * shard,
            (masters + 1) * shard
        ));
        if let Some(r) = replicas_node {
            f = f.related(r.span, format!("{} per master", replicas_words(replicas)));
        }
        out.push(f);
    }
    if replicas == 0 {
        out.push(
            Finding::new(
                &CLUSTER_NO_REPLICAS,
                "the cluster has no replicas: losing a node loses its share of tokens and sessions",
            )
            .at(at(replicas_node))
            .label("no replicas")
            .help("set cluster.replicas: 1 (with cluster.nodes: 6)"),
        );
    }
}

fn replicas_words(n: i64) -> String {
    match n {
        0 => "no replicas".into(),
        1 => "1 replica".into(),
        n => format!("{n} replicas"),
    }
}

fn eviction(cluster: &RedisCluster, cx: &Context, out: &mut Vec<Finding>) {
    let mut policy = None;
    for node in cluster.config_nodes() {
        let directives = redis_conf::directives(node, cx.sources);
        if let Some(d) = redis_conf::last(&directives, "maxmemory-policy") {
            policy = Some(d.clone());
        }
    }
    let Some(policy) = policy else { return };
    let Some(value) = policy.args.first() else { return };
    if value.text.eq_ignore_ascii_case("noeviction") {
        return;
    }
    out.push(
        Finding::new(
            &EVICTING_MEMORY_POLICY,
            format!(
                "`maxmemory-policy {}` lets Redis evict sessions and tokens when memory is full",
                value.text
            ),
        )
        .at(value.span)
        .label("evicts keys")
        .help("use `maxmemory-policy noeviction`, and size maxmemory and the pods' memory for the load"),
    );
}

fn at_risk(cluster: &RedisCluster, storage_span: crate::core::source::Span, out: &mut Vec<Finding>) {
    let (replicas, replicas_node) = cluster.int(&["cluster", "replicas"], 1);
    let aof = cluster.get(&["redis", "useAOFPersistence"]);
    let aof_off =
        aof.is_some_and(|n| matches!(&n.value, Value::Str(s) if s == "no") || n.value == Value::Bool(false));
    let mut reasons = Vec::new();
    if replicas == 0 {
        reasons.push("no replicas");
    }
    if aof_off {
        reasons.push("no AOF persistence");
    }
    if reasons.is_empty() {
        return;
    }
    let primary = if replicas == 0 { replicas_node } else { aof }
        .map(|n| n.span)
        .unwrap_or_else(|| cluster.anchor());
    out.push(
        Finding::new(
            &REFRESH_TOKENS_AT_RISK,
            format!(
                "refresh tokens are stored in Redis, which has {}: they can be lost",
                reasons.join(" and ")
            ),
        )
        .at(primary)
        .label(reasons.join(" and "))
        .related(storage_span, "refresh tokens moved into Redis here")
        .help(
            "keep cluster.replicas ≥ 1 and redis.useAOFPersistence: \"yes\", or keep refresh tokens in SQL",
        ),
    );
}
