//! `resource-name-invalid`: the chart names its Services with a name Kubernetes refuses (not a DNS
//! label, or a headless Service name over 63 characters).

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::RedisCluster;
use crate::rules::Context;
use crate::tree::Node;

pub static RULE: Rule = Rule {
    id: "resource-name-invalid",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary:
        "the chart names its Services with a name Kubernetes refuses (not a DNS label, or over 63 characters)",
    docs: r#"## What it checks
The name the redis-cluster chart gives its objects (`common.names.fullname`): `fullnameOverride`,
else the release name, followed by `-redis-cluster` (or `nameOverride`) unless it already holds it,
cut to 63 characters. Its Services are `<fullname>` and `<fullname>-headless`, and a Service name
must be a DNS label: at most 63 lowercase letters, digits and `-`, beginning with a letter and
ending with a letter or digit. The release name is a HelmRelease's `spec.releaseName` (else
`[targetNamespace-]metadata.name`), an Application's or a Helmfile's, or `--release-name`.

## Why it matters
The chart adds `-headless` after cutting the name to 63 characters, so a name of more than 54
characters gives a headless Service the API server refuses, and the install fails. Helm accepts a
release name with dots (`redis.prod`); charts before 12.0.15 use it as written, and their
Services are refused too (from 12.0.15, bitnami/common turns it into `redis-prod`). An uppercase
letter or `_` in `fullnameOverride` or `nameOverride` is refused in every version.

## How to fix
Set a shorter `fullnameOverride` made of lowercase letters, digits and `-` (54 characters at most),
or choose such a release name.

## Example
```yaml
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: redis.prod       # chart 11.4.3 names its Services redis.prod-redis-cluster
spec:
  chart:
    spec:
      chart: redis-cluster
      version: "11.4.3"
```
"#,
    file: file!(),
};

/// The longest name Kubernetes takes for a Service (a DNS-1035 label).
const MAX_LABEL: usize = 63;
/// The longest release name Helm takes; Flux shortens longer ones, so their length is not judged.
const MAX_RELEASE_NAME: usize = 53;

/// Whether `name` is a DNS-1035 label, as Kubernetes requires of a Service name.
fn is_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_LABEL
        && bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// Where the name was decided: the value written, and what to call it.
fn decided_by<'a>(cluster: &RedisCluster<'a>) -> (Option<&'a Node>, &'static str) {
    let written = |key: &str| {
        cluster
            .get(&[key])
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
    };
    if let Some(node) = written("fullnameOverride") {
        return (Some(node), "fullnameOverride");
    }
    (written("nameOverride"), "nameOverride")
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        let (override_node, override_key) = decided_by(&cluster);
        let release = cluster.release.release_name.as_ref();
        if override_key == "nameOverride" && release.is_none() {
            // The release name is not known: nor is the name.
            continue;
        }
        let at = match (override_key, override_node, release) {
            ("fullnameOverride", Some(node), _) => node.span,
            (_, _, Some(name)) => name.span.unwrap_or_else(|| cluster.anchor()),
            (_, Some(node), None) => node.span,
            _ => cluster.anchor(),
        };
        let from_release = override_key != "fullnameOverride";
        let Some(fullname) = cluster.fullname() else {
            // A release name that charts before 12.0.15 use as written and later ones make a DNS
            // label, for a chart version not known: it depends on the version.
            if let Some(name) = release.filter(|_| from_release && cluster.version().is_none()) {
                let mut f = Finding::new(
                    &RULE,
                    format!(
                        "the release name `{}` is not a DNS label: redis-cluster charts before 12.0.15 name their Services with it as written, which Kubernetes refuses (12.0.15 and later make it one)",
                        name.value
                    ),
                )
                .at(at)
                .label("not a DNS label")
                .help("name the release with lowercase letters, digits and `-`, set fullnameOverride, or give the chart version (--chart-version redis-cluster=VERSION)");
                f.severity = Severity::Warning;
                out.push(f);
            }
            continue;
        };
        if from_release && release.is_some_and(|r| r.value.chars().count() > MAX_RELEASE_NAME) {
            continue;
        }
        let what = if from_release {
            match release {
                Some(name) => format!("the release name `{}`", name.value),
                None => "the release name".to_string(),
            }
        } else {
            format!("{override_key} `{fullname}`")
        };
        if !is_label(&fullname) {
            out.push(
                Finding::new(
                    &RULE,
                    format!(
                        "the chart names its Services `{fullname}` (from {what}), which Kubernetes refuses: a Service name is lowercase letters, digits and `-`, beginning with a letter"
                    ),
                )
                .at(at)
                .label("not a DNS label")
                .help("set fullnameOverride to a name of lowercase letters, digits and `-`, beginning with a letter (54 characters at most)"),
            );
            continue;
        }
        let headless = format!("{fullname}-headless");
        if headless.len() > MAX_LABEL {
            out.push(
                Finding::new(
                    &RULE,
                    format!(
                        "the chart's headless Service is `{headless}` (from {what}): {} characters, over Kubernetes' 63, so the install fails",
                        headless.len()
                    ),
                )
                .at(at)
                .label(format!("{} characters", fullname.len()))
                .help("set fullnameOverride to a name of 54 characters at most (the chart adds `-headless`)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dns_labels() {
        for name in ["redis-cluster", "a", "r2-redis-cluster"] {
            assert!(super::is_label(name), "{name}");
        }
        for name in [
            "",
            "redis.prod-redis-cluster",
            "Redis",
            "1redis",
            "redis-",
            "my_redis",
            &"a".repeat(64),
        ] {
            assert!(!super::is_label(name), "{name}");
        }
    }
}
