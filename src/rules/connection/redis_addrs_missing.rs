//! `redis-addrs-missing`: the platform's Redis client is enabled with no `addrs`.

use crate::core::source::Span;
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::Platform;
use crate::rules::{unsettled, Context};

pub static RULE: Rule = Rule {
    id: "redis-addrs-missing",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "the platform's Redis client is enabled with no `addrs`",
    docs: r#"## What it checks
That the platform's Redis client settings (`redis`, `config.data.redis`, `secretConfig.data.redis`)
list the addresses to dial in `addrs`. A release with no Redis client settings at all is reported at
info level: its values may be completed by other files at deploy time.

## Why it matters
Without addresses the platform has nothing to connect to and dies at start-up with
`failed to create redis client`.

## How to fix
List the cluster's headless service, twice for a cluster client, as the vendor does:
`addrs: [redis-cluster-headless:6379, redis-cluster-headless:6379]`.

## Example
```yaml
acp:
  redis:
    redis_search: true
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for platform in cx.platforms() {
        let Some(client) = platform.redis_client() else {
            let at = platform
                .release
                .values
                .entry(&platform.key.into_iter().collect::<Vec<_>>())
                .map_or_else(|| platform.scope.anchor(), |e| e.key_span);
            out.push(
                Finding::new(&RULE, "the platform has no Redis client settings here (redis.addrs)")
                    .unverified()
                    .at(at)
                    .help("if no other values file adds them, set redis.addrs to the cluster's headless service, twice"),
            );
            continue;
        };
        if client.disabled() || !client.addrs().is_empty() {
            continue;
        }
        // Versions 0.16.3 to 2.13.0 of the chart render default addresses for an empty `redis`.
        let renders = platform.chart_renders_addrs();
        // They do when the chart's own `redis` values are empty: any key there drops them (the
        // platform's other layers, `config.data.redis`, do not count).
        let redis_empty = platform
            .scope
            .get(&["redis"])
            .is_none_or(|n| n.as_map().is_some_and(|m| m.entries.is_empty()));
        if redis_empty && renders.set() == Some(true) {
            continue;
        }
        let at = client
            .entry(&["addrs"])
            .map(|e| e.key_span)
            .unwrap_or_else(|| client_anchor(&platform));
        let f = Finding::new(&RULE, "the platform's Redis client has no addresses (redis.addrs)")
            .at(at)
            .label("no addrs")
            .help("set redis.addrs to the cluster's headless service, twice: [redis-cluster-headless:6379, redis-cluster-headless:6379]");
        out.push(match client.unsettled(&[&["addrs"], &["enabled"]]) {
            Some(why) => unsettled(f, why),
            None => f,
        });
    }
}

fn client_anchor(platform: &Platform) -> Span {
    platform
        .root
        .entry(&["redis"])
        .map_or_else(|| platform.scope.anchor(), |e| e.key_span)
}
