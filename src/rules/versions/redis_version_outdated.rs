//! `redis-version-outdated`: a supported Redis version below the recommended 6.2.14.

use crate::config::Versions;
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::versions::{deployed, full_and_shown, Deployed};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "redis-version-outdated",
    severity: Severity::Warning,
    checked_by: CheckedBy::LintAndProbe,
    summary: "a supported Redis version below the recommended 6.2.14",
    docs: r#"## What it checks
A supported Redis version older than the recommended one (`[versions] redis-recommended`, by default
6.2.14). Chart 7.6.4's default image is Redis 6.2.7.

## Why it matters
Later 6.2 releases fix security issues and crashes; the vendor recommends 6.2.14.

## How to fix
Set `image.tag: "6.2.14"` (or a 6.2.14 Bitnami tag).

## Example
```yaml
redis-cluster:
  image:
    tag: 6.2.7-debian-11-r9
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
        // A version without a patch (`6.2`) is no older than any 6.2.
        if !versions.redis_supported.matches(&full)
            || version.2.is_none()
            || full >= versions.redis_recommended
        {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                format!(
                    "Redis {shown} ({origin}) is older than the recommended {}",
                    versions.redis_recommended
                ),
            )
            .at_opt(span)
            .label(format!("Redis {shown}"))
            .help(format!("set image.tag to \"{}\"", versions.redis_recommended)),
        );
    }
}

/// A live server's supported version below the recommended one.
pub fn live(reported: &str, policy: &Versions) -> Finding {
    Finding::new(
        &RULE,
        format!(
            "the server runs Redis {reported}, older than the recommended {}",
            policy.redis_recommended
        ),
    )
    .help(format!(
        "set redis-cluster image.tag to \"{}\"",
        policy.redis_recommended
    ))
}
