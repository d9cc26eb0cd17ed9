//! `redis-version-outdated`: a supported Redis version below the recommended 6.2.14.

use crate::config::Versions;
use crate::diagnostic::{Applicability, CheckedBy, Finding, Fix, Rule, Severity};
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

## Fix safety
Unsafe: where `image.tag` is written in a file, `--fix --unsafe-fixes` sets it to the recommended
version (`"6.2.14"`, in the tag's quotes), which deploys another image. A tag pinned by digest
(`…@sha256:…`) is left alone, and so is a version that comes from the chart's default.
"#,
    file: file!(),
};

/// Another image is deployed.
pub const FIX: Applicability = Applicability::Unsafe;

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
            .help(format!("set image.tag to \"{}\"", versions.redis_recommended))
            .fix(to_recommended(&cluster, span, versions, cx)),
        );
    }
}

/// The tag written in a file, set to the recommended version (not a digest pin, nor a version
/// that comes from the chart's default).
fn to_recommended(
    cluster: &crate::model::RedisCluster,
    span: Option<crate::core::source::Span>,
    versions: &Versions,
    cx: &Context,
) -> Option<Fix> {
    let tag = cluster.get(&["image", "tag"])?;
    let written = crate::rules::fix::written(cx.sources, tag.span)?;
    if Some(tag.span) != span || written.contains('@') {
        return None;
    }
    let text = crate::rules::fix::scalar(cx.sources, tag.span, &versions.redis_recommended.to_string())?;
    Some(Fix::replace(FIX, tag.span, text))
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
