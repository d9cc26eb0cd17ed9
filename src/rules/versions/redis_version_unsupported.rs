//! `redis-version-unsupported`: the Redis version is not one the platform version supports.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::matrix::Row;
use crate::rules::versions::{deployed, full_and_shown, Deployed, Policy, Reported, Verdict};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "redis-version-unsupported",
    severity: Severity::Error,
    checked_by: CheckedBy::LintAndProbe,
    summary: "the Redis version is not one the platform version supports",
    docs: r#"## What it checks
The Redis version the cluster runs: the version in `image.tag` (`6.2.14`, `6.2.14-debian-11-r22`,
`6.2.16-debian-12-r3@sha256:…`), or, when no tag is set, the default image of the chart version
deployed (from `Chart.lock`, `Chart.yaml`, a HelmRelease, or `--chart-version redis-cluster=V`); live,
the version `INFO` reports (for Valkey, `valkey_version`, not its `redis_version:7.2.4`).

It is judged against the platform version matrix (`acp-check explain versions`) for the platform
version deployed: the `acp` image tag, else the `acp` chart version (kube-acp-stack's acp dependency
in the umbrella chart; `--chart-version acp=V` gives it). Platform 2.24 and earlier support Redis
6.2.x; from 2.25.0 the vendor ships Redis 7.4 and still runs 6.2.x in its reference deployment.
When the platform version is not known, a Redis version no platform version supports (7.0, 7.2, 8.x,
Valkey) is an error, and one that only some platform versions support (7.4 with platform 2.25 and
later) is one info naming them. `[versions] redis-supported` in `.acp-check.toml` overrides the
matrix for every platform version.

## Why it matters
What the vendor supports depends on the platform version: Redis 7.4 is what kube-acp-stack 2.25.0
ships, and is not supported by platform 2.24. Upgrading the chart silently upgrades Redis (chart
8.0.0 and later default to Redis 7, 12.0.0 and later to Redis 8). Valkey and Redis 8 are not
platforms the vendor documents.

## How to fix
Pin the image to a version the platform supports (`image.tag: "6.2.14"`, or `7.4.3` with platform
2.25 and later), or upgrade the platform. Give acp-check the platform version (lint the platform's
release with the Redis one, or `--chart-version acp=VERSION`) so that it can judge a version only
some platform versions support.

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
    let policy = Policy::of(cx);
    for cluster in cx.redis_clusters() {
        let Deployed::Version {
            version,
            span,
            origin,
            product,
        } = deployed(&cluster)
        else {
            continue;
        };
        let (full, shown) = full_and_shown(version);
        let what = format!("{product} {shown}");
        let verdict = if product == "Redis" {
            policy.judge(&full)
        } else {
            Verdict::Unsupported(Vec::new())
        };
        match verdict {
            Verdict::Supported | Verdict::Outdated(_) => {}
            Verdict::Unsupported(rows) => out.push(
                Finding::new(&RULE, format!("{what} ({origin}) is not supported: {}", refusal(policy, &rows)))
                    .at_opt(span)
                    .label(what.clone())
                    .help(format!("set redis-cluster image.tag to \"{}\"", policy.recommended())),
            ),
            Verdict::Depends(rows) => out.push(
                Finding::new(
                    &RULE,
                    format!(
                        "{what} ({origin}) is supported by {} only, and the platform version is not known",
                        platforms(&rows)
                    ),
                )
                .unverified()
                .at_opt(span)
                .label(what)
                .help("could not be checked: lint the platform's release together with this one, or give its version with --chart-version acp=VERSION"),
            ),
        }
    }
}

/// Why a version is refused: "platform 2.24.1 (the acp chart 2.24.1) supports Redis 6.2.x", or,
/// when the platform version is not known, "no platform version supports it (…)".
fn refusal(policy: &Policy, rows: &[&Row]) -> String {
    match policy.platform_words() {
        Some(platform) => format!("{platform} supports Redis {}", policy.supported_words(rows)),
        None => {
            let all: Vec<&Row> = policy.rows.iter().collect();
            format!(
                "no platform version supports it (Redis {})",
                policy.supported_words(&all)
            )
        }
    }
}

/// The platform versions of some rows, in words.
fn platforms(rows: &[&Row]) -> String {
    rows.iter()
        .map(|r| r.platforms())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A live server's version the platform does not support (`rows`: the rows refusing it; empty for
/// a product no platform version supports).
pub fn live(reported: &Reported, policy: &Policy, rows: &[&Row]) -> Finding {
    let rows: Vec<&Row> = if rows.is_empty() {
        policy.rows.iter().collect()
    } else {
        rows.to_vec()
    };
    let valkey = if reported.product == "Valkey" {
        " (Valkey reports redis_version 7.2.4 whatever its version; it is not a platform the vendor documents)"
    } else {
        ""
    };
    Finding::new(
        &RULE,
        format!(
            "the server runs {} {}, which is not supported: {}{valkey}",
            reported.product,
            reported.version,
            refusal(policy, &rows)
        ),
    )
    .help(format!(
        "deploy Redis {} (redis-cluster image.tag \"{}\", chart {})",
        policy.recommended(),
        policy.recommended(),
        policy.rows[0].chart
    ))
}

/// A live server's version that only some platform versions support, the platform's not known.
pub fn live_depends(reported: &Reported, _policy: &Policy, rows: &[&Row]) -> Finding {
    Finding::new(
        &RULE,
        format!(
            "the server runs {} {}, which {} support only; the platform version is not known",
            reported.product,
            reported.version,
            platforms(rows)
        ),
    )
    .unverified()
    .help("could not be checked: give the platform's values with -f, or its version with --chart-version acp=VERSION")
}
