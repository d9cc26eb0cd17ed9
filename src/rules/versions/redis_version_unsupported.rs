//! `redis-version-unsupported`: the Redis version is not one the platform supports (6.2.x).

use crate::config::Versions;
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::versions::{deployed, full_and_shown, range_words, Deployed};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "redis-version-unsupported",
    severity: Severity::Error,
    checked_by: CheckedBy::LintAndProbe,
    summary: "the Redis version is not one the platform supports (6.2.x)",
    docs: r#"## What it checks
The Redis version the cluster runs: the version in `image.tag` (`6.2.14`, `6.2.14-debian-11-r22`,
`6.2.16-debian-12-r3@sha256:…`), or, when no tag is set, the default image of the chart version
deployed (from `Chart.lock`, `Chart.yaml`, a HelmRelease, or `--redis-chart-version`). The supported
range is `[versions] redis-supported` in `.acp-check.toml`, by default 6.2.x.

## Why it matters
The vendor supports Redis 6.2.x only; Redis 7 is not supported. Chart versions from 8.0.0 on deploy
Redis 7 or later by default, so upgrading the chart silently upgrades Redis.

## How to fix
Pin the image: `image.tag: "6.2.14"` (or a 6.2.14 Bitnami tag), or stay on chart 7.6.4.

## Example
```yaml
redis-cluster:
  image:
    tag: 7.0.15
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let versions = cx.versions;
    for cluster in cx.deployment.redis_clusters() {
        let Deployed::Version {
            version,
            span,
            origin,
        } = deployed(&cluster)
        else {
            continue;
        };
        let (full, shown) = full_and_shown(version);
        if versions.redis_supported.matches(&full) {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                format!(
                    "Redis {shown} ({origin}) is not supported: the platform supports Redis {}",
                    range_words(&versions.redis_supported)
                ),
            )
            .at_opt(span)
            .label(format!("Redis {shown}"))
            .help(format!(
                "set redis-cluster image.tag to \"{}\"",
                versions.redis_recommended
            )),
        );
    }
}

/// A live server's version outside the supported range.
pub fn live(reported: &str, policy: &Versions) -> Finding {
    Finding::new(
        &RULE,
        format!(
            "the server runs Redis {reported}, which is not supported: the platform supports Redis {}",
            range_words(&policy.redis_supported)
        ),
    )
    .help(format!(
        "deploy Redis {} (redis-cluster image.tag \"{}\", chart {})",
        policy.redis_recommended, policy.redis_recommended, policy.redis_cluster_chart_recommended
    ))
}
