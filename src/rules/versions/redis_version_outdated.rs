//! `redis-version-outdated`: a supported Redis version below the recommended version of its line.

use semver::Version;

use crate::diagnostic::{Applicability, CheckedBy, Finding, Fix, Rule, Severity};
use crate::rules::versions::{deployed, full_and_shown, Deployed, Policy, Reported, Verdict};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "redis-version-outdated",
    severity: Severity::Warning,
    checked_by: CheckedBy::LintAndProbe,
    summary: "a supported Redis version below the recommended version of its line (6.2.14, 7.4.3)",
    docs: r#"## What it checks
A supported Redis version older than the recommended version of its line in the platform version
matrix (`acp-check explain versions`): 6.2.14 for Redis 6.2, 7.4.3 for Redis 7.4 (platform 2.25.0
and later). When the platform version is not known, only a version outdated for every platform
version that supports it. `[versions] redis-recommended` in `.acp-check.toml` overrides it. Chart
7.6.4's default image is Redis 6.2.7.

## Why it matters
Later patch releases fix security issues and crashes; the vendor recommends 6.2.14 (2023) and ships
7.4.3 from platform 2.25.0.

## How to fix
Set `image.tag: "6.2.14"` (or a 6.2.14 Bitnami tag), or the recommended version of your line.

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
    let policy = Policy::of(cx);
    for cluster in cx.redis_clusters() {
        let Deployed::Version {
            version,
            span,
            origin,
            product: "Redis",
        } = deployed(&cluster)
        else {
            continue;
        };
        // A version without a patch (`6.2`) is no older than any 6.2.
        if version.2.is_none() {
            continue;
        }
        let (full, shown) = full_and_shown(version);
        let Verdict::Outdated(recommended) = policy.judge(&full) else {
            continue;
        };
        out.push(
            Finding::new(
                &RULE,
                format!("Redis {shown} ({origin}) is older than the recommended {recommended}"),
            )
            .at_opt(span)
            .label(format!("Redis {shown}"))
            .help(format!("set image.tag to \"{recommended}\""))
            .fix(to_recommended(&cluster, span, &recommended.to_string(), cx)),
        );
    }
}

/// The tag written in a file, set to the recommended version (not a digest pin, nor a version
/// that comes from the chart's default).
fn to_recommended(
    cluster: &crate::model::RedisCluster,
    span: Option<crate::core::source::Span>,
    recommended: &str,
    cx: &Context,
) -> Option<Fix> {
    let tag = cluster.get(&["image", "tag"])?;
    let written = crate::rules::fix::written(cx.sources, tag.span)?;
    if Some(tag.span) != span || written.contains('@') {
        return None;
    }
    let text = crate::rules::fix::scalar(cx.sources, tag.span, recommended)?;
    Some(Fix::replace(FIX, tag.span, text))
}

/// A live server's supported version below the recommended one of its line.
pub fn live(reported: &Reported, recommended: &Version) -> Finding {
    Finding::new(
        &RULE,
        format!(
            "the server runs {} {}, older than the recommended {recommended}",
            reported.product, reported.version
        ),
    )
    .help(format!("set redis-cluster image.tag to \"{recommended}\""))
}
