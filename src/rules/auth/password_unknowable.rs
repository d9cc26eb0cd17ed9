//! `password-unknowable`: usePassword with an empty password and no existingSecret: the chart picks a random one.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::charts::Chart;
use crate::model::{ClusterPassword, RedisCluster, Unsettled};
use crate::rules::{unsettled, Context};
use crate::tree::Node;

pub static RULE: Rule = Rule {
    id: "password-unknowable",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "usePassword with an empty password and no existingSecret: the chart picks a random one",
    docs: r#"## What it checks
The chart's defaults: `usePassword: true`, `password: ""`, no `existingSecret`, no
`global.redis.password`.

## Why it matters
The chart then generates a random password at install. The platform cannot be configured with it in
advance, and every later `helm upgrade` fails with "PASSWORDS ERROR: You must provide your current
passwords when upgrading the release."

The same upgrade failure hits a password set only as `global.redis.password`: the chart uses it, but
its upgrade check (chart 3.2.0 and later) reads `password` alone.

## How to fix
Set `existingSecret` to a Secret you create (recommended), or set `password`.

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 6      # and no password anywhere
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        let at = cluster
            .root
            .entry(&["password"])
            .map(|e| e.key_span)
            .unwrap_or_else(|| cluster.anchor());
        let f = Finding::new(
            &RULE,
            "no password and no existingSecret: the chart generates a random password the platform cannot know",
        )
        .at(at)
        .label("random password")
        .help("set existingSecret to a Secret holding the password (or set password); upgrades otherwise fail with \"PASSWORDS ERROR\"");
        match cluster.password() {
            ClusterPassword::Random => out.push(f),
            ClusterPassword::Unknown(why) => out.push(unsettled(f, why)),
            ClusterPassword::Written(node) => {
                // The chart's upgrade check reads `password` only (from chart 3.2.0).
                let global = cluster
                    .get(&["global", "redis", "password"])
                    .is_some_and(|g| std::ptr::eq(g, node));
                if global
                    && cluster
                        .get(&["password"])
                        .and_then(Node::as_str)
                        .is_none_or(str::is_empty)
                {
                    out.push(global_only(&cluster, node));
                }
            }
            ClusterPassword::Disabled(_) | ClusterPassword::InSecret(_) => {}
        }
    }
}

/// `global.redis.password` alone: install works, every `helm upgrade` fails (chart 3.2.0 and later).
fn global_only(cluster: &RedisCluster, node: &Node) -> Finding {
    let checked = cluster
        .version()
        .and_then(|v| semver::Version::parse(v.version()).ok())
        .map(|v| v >= semver::Version::new(3, 2, 0));
    let f = Finding::new(
        &RULE,
        "only global.redis.password is set: `helm upgrade` fails with \"PASSWORDS ERROR: You must provide your current passwords when upgrading the release\", because the chart's upgrade check reads `password` alone",
    )
    .at(node.span)
    .label("the chart's upgrade check does not read this")
    .help("set `password` to the same value (or, better, keep it in a Secret named by existingSecret)");
    match checked {
        Some(true) => f,
        Some(false) => f
            .unverified()
            .help("this chart version has no upgrade check; versions from 3.2.0 do"),
        None => unsettled(f, Unsettled::Version(Chart::RedisCluster)),
    }
}
