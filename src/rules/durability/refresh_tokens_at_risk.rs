//! `refresh-tokens-at-risk`: refresh tokens are in Redis, and Redis has no replicas or no AOF persistence.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::Lookup;
use crate::rules::durability::refresh_tokens_in_redis;
use crate::rules::{unsettled, Context};
use crate::tree::Value;

pub static RULE: Rule = Rule {
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
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let clusters: Vec<_> = cx.redis_clusters().collect();
    for platform in cx.platforms() {
        let Some(enabled) = refresh_tokens_in_redis(&platform) else {
            continue;
        };
        for cluster in &clusters {
            let replicas = cluster.int(&["cluster", "replicas"]);
            let replicas_node = replicas.set().map(|(_, n)| n);
            let no_replicas = matches!(replicas, Lookup::Set((0, _)));
            let aof_lookup = cluster.lookup(&["redis", "useAOFPersistence"]);
            let aof = aof_lookup.set();
            let aof_off = aof.is_some_and(|n| {
                matches!(&n.value, Value::Str(s) if s.eq_ignore_ascii_case("no"))
                    || n.value == Value::Bool(false)
            });
            let mut reasons = Vec::new();
            if no_replicas {
                reasons.push("no replicas");
            }
            if aof_off {
                reasons.push("no AOF persistence");
            }
            if reasons.is_empty() {
                // Neither can be ruled out when a layer acp-check could not read may set them.
                if let Some(why) = replicas.unsettled().or(aof_lookup.unsettled()) {
                    out.push(unsettled(
                        Finding::new(&RULE, "refresh tokens are stored in Redis; whether Redis keeps them (replicas and AOF persistence) cannot be checked")
                            .at(enabled.value.span)
                            .label("refresh tokens moved into Redis here"),
                        why,
                    ));
                }
                continue;
            }
            // Point at what the user wrote before a chart default that adds to it.
            let causes = [
                no_replicas.then_some(replicas_node).flatten(),
                aof_off.then_some(aof).flatten(),
            ];
            let primary = causes
                .iter()
                .flatten()
                .map(|n| n.span)
                .min_by_key(|span| span.source.is_builtin())
                .unwrap_or_else(|| cluster.anchor());
            out.push(
                Finding::new(
                    &RULE,
                    format!(
                        "refresh tokens are stored in Redis, which has {}: they can be lost",
                        reasons.join(" and ")
                    ),
                )
                .at(primary)
                .label(reasons.join(" and "))
                .related(enabled.value.span, "refresh tokens moved into Redis here")
                .help(
                    "keep cluster.replicas ≥ 1 and redis.useAOFPersistence: \"yes\", or keep refresh tokens in SQL",
                ),
            );
        }
    }
}
