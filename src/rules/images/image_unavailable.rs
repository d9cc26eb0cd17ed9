//! `image-unavailable`: an image resolves to a versioned tag or a digest of `docker.io/bitnami`,
//! which Bitnami stopped serving on 2025-09-29.

use crate::diagnostic::{Applicability, CheckedBy, Edit, Finding, Fix, Rule, Severity};
use crate::model::redis_cluster::{ResolvedImage, IMAGES};
use crate::model::{Lookup, RedisCluster};
use crate::rules::images::{judge, key_words, place, written, Outcome};
use crate::rules::{unsettled, Context};
use crate::tree::Node;

pub static RULE: Rule = Rule {
    id: "image-unavailable",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "an image of the release resolves to a versioned `docker.io/bitnami/…` tag or digest, removed since 2025-09-29",
    docs: r#"## What it checks
Every image the redis-cluster chart pulls (`image`; `metrics.image`, `sysctlImage` and
`volumePermissions.image` when their container is enabled), with the chart version's defaults and
an umbrella chart's own values: the registry (`global.imageRegistry` over `image.registry`), the
repository and the tag (or the digest, which wins). An image of `docker.io/bitnami/…` with a tag
other than `latest`, or with a digest, is reported. Other registries (a mirror, `global.imageRegistry`)
are not judged. When the chart versions are not known, an error is raised only when the image is
removed in every version the values may be deployed with.

## Why it matters
From 2025-08-28 (brownouts) and for good from 2025-09-29, Bitnami removed the versioned tags of
`docker.io/bitnami/*` (bitnami/containers#83267); the free `docker.io/bitnamisecure/*` images carry
`latest` only. Every install that pulls `bitnami/redis-cluster:<version>` (the default of every chart
version, kube-acp-stack 2.25.0 to 2.26.0-1, the vendor's pinned digest) ends in `ImagePullBackOff` /
`ErrImagePull`; so do the metrics exporter (`bitnami/redis-exporter`) and `bitnami/os-shell`.

## How to fix
Pull the same image from `docker.io/bitnamilegacy` (same tags and digests, no further updates: see
`image-frozen`), and on redis-cluster 11.2.0 to 13.0.1 also set `global.security.allowInsecureImages:
true`, which those charts require for a substituted image (`image-substitution-blocked`); or copy
the image to a registry of your own and set `image.registry` (or `global.imageRegistry`).

## Fix safety
Unsafe: `--fix --unsafe-fixes` pulls the same image from `docker.io/bitnamilegacy`, which gets no
security updates (`image-frozen` then says so). It renames the repository where a file writes it
(`bitnami/redis-cluster` → `bitnamilegacy/redis-cluster`, in its quotes), else writes
`repository: bitnamilegacy/…` beside the image's other values (or, for a chart default, under the
chart's values), and adds `global.security.allowInsecureImages: true` (or sets it from `false`)
where the chart version may refuse the substitution: 11.2.0 to 13.0.1, or a version not known. A
chart default image is fixed only for a known chart version released before 2025-09-29: the legacy
repository has no tag made after that day.

## Example
```yaml
redis-cluster:
  image:
    repository: bitnami/redis-cluster
    tag: 6.2.16-debian-12-r3@sha256:d973a2aa8b6688190ca4e4544b2ff859ef1e9f8081518558270df34e23ff1df7
```
"#,
    file: file!(),
};

/// Whether the image is one Bitnami no longer serves.
pub fn removed(image: &ResolvedImage) -> bool {
    image.pulled
        && image.hub_namespace() == Some("bitnami")
        // minideb is built in the open and still published.
        && !image.repository.starts_with("bitnami/minideb")
        && !image.reference.is_empty()
        && (image.digest || image.reference != "latest")
}

pub const FIX: Applicability = Applicability::Unsafe;

/// The image from `docker.io/bitnamilegacy` instead: its repository renamed where the files write
/// it, else written beside its tag (or, for a chart default, into the values that write its
/// parent); and `global.security.allowInsecureImages: true` where the chart version may refuse the
/// substitution (11.2.0 to 13.0.1, or a version not known) and nothing sets it. None for a chart
/// default of a version not known or released after 2025-09-29: its tag may not be in the legacy
/// repository, which got no tags after that day.
fn to_legacy(cx: &Context, cluster: &RedisCluster, image: &ResolvedImage) -> Option<Fix> {
    let legacy = format!("bitnamilegacy/{}", image.repository.strip_prefix("bitnami/")?);
    let written: Vec<&Node> = image
        .nodes
        .iter()
        .copied()
        .filter(|n| !n.span.source.is_builtin())
        .collect();
    let repository = written
        .iter()
        .find(|n| n.as_str() == Some(image.repository.as_str()));
    let reference_written = written
        .iter()
        .any(|n| scalar_text(n).as_deref() == Some(image.reference.as_str()));
    if !reference_written {
        let version = cluster.version()?;
        if version.date() >= REMOVED {
            return None;
        }
    }
    // The mapping that holds the chart's values, in the release's values.
    let root = match cluster.key {
        Some(key) => cluster.release.values.get(&[key])?,
        None => &cluster.release.values,
    };
    let mut edits = Vec::new();
    let source = match repository {
        Some(node) => {
            let text = crate::rules::fix::scalar(cx.sources, node.span, &legacy)?;
            edits.push(Edit::at(node.span, text));
            node.span.source
        }
        None => {
            // Beside what the files write of it, else in the first file that writes the chart's
            // values.
            let source = written
                .first()
                .map(|n| n.span.source)
                .or_else(|| root.as_map()?.entries.first().map(|e| e.key_span.source))?;
            let path: Vec<&str> = image.key.iter().copied().chain(["repository"]).collect();
            edits.push(crate::rules::fix::insert_entry(
                cx.sources, root, source, &path, &legacy,
            )?);
            source
        }
    };
    if allow_needed(cluster) {
        let path = ["global", "security", "allowInsecureImages"];
        let written = root.get(&path).filter(|n| n.span.source == source);
        edits.push(match written {
            Some(node) => Edit::beside(node.span, "true"),
            None => crate::rules::fix::insert_entry(cx.sources, root, source, &path, "true")?,
        });
    }
    Some(Fix {
        applicability: FIX,
        edits,
    })
}

/// The day Bitnami's versioned tags went (and the last day the legacy repository got any).
const REMOVED: &str = "2025-09-29";

/// Whether the chart version may refuse a `bitnamilegacy` image without the flag (and nothing
/// sets it already).
fn allow_needed(cluster: &RedisCluster) -> bool {
    if matches!(
        cluster.flag(&["global", "security", "allowInsecureImages"]),
        Lookup::Set(true)
    ) {
        return false;
    }
    let Some(version) = cluster.version() else {
        return true;
    };
    semver::Version::parse(version.version())
        .is_ok_and(|v| v >= semver::Version::new(11, 2, 0) && v < semver::Version::new(13, 0, 2))
}

/// A scalar's text as an image reference renders it.
fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        crate::tree::Value::Str(s) => Some(s.clone()),
        crate::tree::Value::Int(i) => Some(i.to_string()),
        crate::tree::Value::Float(f) => Some(crate::tree::go_float(*f)),
        _ => None,
    }
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for readings in crate::rules::images::readings(cx) {
        let cluster = readings.cluster;
        let mut said_unsettled = false;
        for (key, _) in IMAGES {
            match judge(readings, key, RULE.id, |_, image| removed(image)) {
                Outcome::Every(image, several) => {
                    let what = if several && !written(&image) {
                        format!(
                            "the chart's default {} (`{}` with a versioned tag in every chart version these values may be deployed with)",
                            key_words(&cluster, &image),
                            image.repository
                        )
                    } else {
                        format!("{} `{}`", key_words(&cluster, &image), image.reference_words())
                    };
                    out.push(
                        Finding::new(
                            &RULE,
                            format!("{what} is no longer served: Bitnami removed the versioned tags of docker.io/bitnami on 2025-09-29, and the pods end in ImagePullBackOff"),
                        )
                        .at(place(&cluster, &image))
                        .label("removed from docker.io/bitnami")
                        .help(format!(
                            "pull `{}` instead (same tags and digests, no further updates) with global.security.allowInsecureImages: true on redis-cluster 11.2.0 to 13.0.1, or a mirror of your own (image.registry)",
                            image.repository.replacen("bitnami/", "bitnamilegacy/", 1)
                        ))
                        .fix(to_legacy(cx, &cluster, &image)),
                    );
                }
                Outcome::Some(image) if written(&image) => out.push(
                    Finding::new(
                        &RULE,
                        format!(
                            "{} `{}` may no longer be served: whether it comes from docker.io/bitnami (removed on 2025-09-29) depends on the chart version, which is not known",
                            key_words(&cluster, &image),
                            image.reference_words()
                        ),
                    )
                    .unverified()
                    .at(place(&cluster, &image))
                    .label("not checked")
                    .help("could not be checked: give the chart version (Chart.lock, a HelmRelease, or --chart-version CHART=VERSION)"),
                ),
                Outcome::Unsettled(why) if !said_unsettled => {
                    said_unsettled = true;
                    out.push(unsettled(
                        Finding::new(&RULE, "the images cannot be checked against Bitnami's catalogue: a layer acp-check could not read may set them")
                            .at(cluster.anchor())
                            .label("not checked"),
                        why,
                    ));
                }
                _ => {}
            }
        }
    }
}
