//! `redis-version-unknown`: the image tag names no version (`latest`, a bare digest).

use crate::core::text::preview;
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::versions::{deployed, Deployed, Policy, Reported};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "redis-version-unknown",
    severity: Severity::Warning,
    checked_by: CheckedBy::LintAndProbe,
    summary: "the image tag names no version (`latest`, a bare digest), or live: the server's version cannot be read",
    docs: r#"## What it checks
An `image.tag` from which no Redis version can be read: `latest`, a bare `@sha256:` digest, a name.
When no tag is set and the chart version is not known either, the same rule says so at info level.

Live, the `redis_version` a server gives in `INFO` when it is not `MAJOR.MINOR.PATCH` in numbers
acp-check can read (`6.2.99999999999999999999`, `unknown`): the version policy was not checked, and
such a version is never taken for an older or a newer one.

## Why it matters
The version deployed changes without any change to the values, and nothing checks that it is
supported: a new `latest` can be Redis 7 or 8.

## How to fix
Pin a version tag such as `6.2.14`, optionally with a digest (`6.2.14@sha256:…`). To let acp-check
know the chart version, lint the chart directory (with its `Chart.lock`), the HelmRelease, or pass
`--redis-chart-version`.

## Example
```yaml
redis-cluster:
  image:
    tag: latest
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        match deployed(&cluster) {
            Deployed::TagWithoutVersion { node, text } => {
                let what = if text.starts_with("@") || text.starts_with("sha256:") {
                    "a bare digest"
                } else {
                    "no version"
                };
                out.push(
                    Finding::new(
                        &RULE,
                        format!("image.tag `{text}` names {what}: the Redis version deployed cannot be known"),
                    )
                    .at(node.span)
                    .label("no version")
                    .help(format!(
                        "pin a version tag, such as `{}`",
                        Policy::of(cx).recommended()
                    )),
                );
            }
            Deployed::DigestOnly(digest) => out.push(
                Finding::new(
                    &RULE,
                    "image.digest is set without a tag: the Redis version deployed cannot be known",
                )
                .at(digest.span)
                .label("no version")
                .help("pin a version tag too, such as `6.2.14`"),
            ),
            Deployed::Unknown => out.push(
                Finding::new(
                    &RULE,
                    "no image.tag, and the redis-cluster chart version is not known: the Redis version cannot be checked",
                )
                .unverified()
                .at(cluster.anchor())
                .help("lint the chart directory (with Chart.lock) or the HelmRelease, pass --redis-chart-version, or pin image.tag"),
            ),
            Deployed::Version { .. } | Deployed::NotJudged => {}
        }
    }
}

/// Live: the server's version is not one acp-check can read.
pub fn live(reported: &Reported, policy: &Policy) -> Finding {
    let field = if reported.product == "Valkey" {
        "valkey_version"
    } else {
        "redis_version"
    };
    let all: Vec<_> = policy.rows.iter().collect();
    Finding::new(
        &RULE,
        format!(
            "the server reports {field} `{}`, which is not a version acp-check can read: the version policy was not checked",
            preview(&reported.version, 40)
        ),
    )
    .help(format!(
        "check what runs there (`INFO server`): the platform supports Redis {}",
        policy.supported_words(&all)
    ))
}
