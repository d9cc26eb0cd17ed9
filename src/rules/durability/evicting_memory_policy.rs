//! `evicting-memory-policy`: maxmemory-policy other than noeviction: tokens and sessions can be evicted.

use crate::diagnostic::{Applicability, CheckedBy, Finding, Fix, Rule, Severity};
use crate::model::redis_conf;
use crate::rules::Context;

pub static RULE: Rule = Rule {
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

## Fix safety
Unsafe: `--fix --unsafe-fixes` writes `noeviction` in place of the policy. Writes then fail when
memory is full instead of keys being dropped: size `maxmemory` for the load.
"#,
    file: file!(),
};

/// `noeviction` makes writes fail when memory is full: what is deployed changes.
pub const FIX: Applicability = Applicability::Unsafe;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        // The last directive wins, as in Redis.
        let policy = redis_conf::last(cluster.directives(cx.sources), "maxmemory-policy");
        let Some(value) = policy.and_then(|p| p.args.first()) else {
            continue;
        };
        if value.text.eq_ignore_ascii_case("noeviction") {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                format!(
                    "`maxmemory-policy {}` lets Redis evict sessions and tokens when memory is full",
                    value.text
                ),
            )
            .at(value.span)
            .label("evicts keys")
            .help("use `maxmemory-policy noeviction`, and size maxmemory and the pods' memory for the load")
            .fix(
                // Only where the argument is written as Redis reads it (not escaped in a quoted
                // YAML string, where its span is the whole value).
                (crate::rules::fix::written(cx.sources, value.span) == Some(value.text.as_str()))
                    .then(|| Fix::replace(FIX, value.span, "noeviction")),
            ),
        );
    }
}

/// Live: the server's `maxmemory_policy` evicts keys.
pub fn live(target: &str, policy: &str) -> Option<Finding> {
    (policy != "noeviction").then(|| {
        Finding::new(
            &RULE,
            format!("maxmemory-policy is {policy}: Redis evicts keys (tokens, sessions) when memory is full"),
        )
        .on(target)
        .help("set `maxmemory-policy noeviction` in redis-cluster.redis.configmap")
    })
}
