//! `image-substitution-blocked`: a substituted image on redis-cluster 11.2.0 to 13.0.1 without
//! `global.security.allowInsecureImages: true`: the chart refuses to render.

use semver::Version;

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::redis_cluster::{ResolvedImage, IMAGES};
use crate::model::{Lookup, RedisCluster};
use crate::rules::images::{judge, key_words, place, written, Outcome};
use crate::rules::Context;
use crate::tree::Value;

pub static RULE: Rule = Rule {
    id: "image-substitution-blocked",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "an image with another registry or repository (`global.imageRegistry`, `bitnamilegacy/…`) on redis-cluster 11.2.0–13.0.1 without `global.security.allowInsecureImages: true`",
    docs: r#"## What it checks
The chart's four images (`image`, `metrics.image`, `sysctlImage`, `volumePermissions.image`, whether
enabled or not) against the registry and repository of the chart version's own defaults. On
redis-cluster 11.2.0 to 13.0.1 (bitnami/common 2.28.0 to 2.31.3), any other registry (any
`global.imageRegistry`, even `registry-1.docker.io`) or repository (`bitnamilegacy/…`, a mirror) makes
the render fail unless `global.security.allowInsecureImages` is true (in the chart's values or the
umbrella chart's `global`). From 13.0.2 a substitution by `docker.io/bitnamilegacy` only warns; others
still fail. A changed tag alone only warns. When the chart versions are not known, an error is raised
only when every version the values may be deployed with refuses the render.

## Why it matters
`helm install` and `helm upgrade` stop with "Original containers have been substituted for
unrecognized ones", so the common fix for the Bitnami catalogue change (`bitnamilegacy/…`) breaks the
deployment on these chart versions until the flag is set. kube-acp-stack 2.26.2 and later set both.

## How to fix
Set `global.security.allowInsecureImages: true` (under `redis-cluster.global` or the umbrella's
`global`). A fix adds it beside the substituted image; it is safe (it only allows the image you chose).

## Example
```yaml
redis-cluster:
  image:
    repository: bitnamilegacy/redis-cluster
    tag: 7.4.3-debian-12-r0
```
"#,
    file: file!(),
};

/// Whether the chart version refuses `image`, substituted for its own default.
fn refused(reading: &RedisCluster, image: &ResolvedImage) -> bool {
    let Some(version) = reading.version() else {
        return false;
    };
    let Ok(v) = Version::parse(version.version()) else {
        return false;
    };
    if v < Version::new(11, 2, 0) {
        return false;
    }
    let default = |field: &str| -> String {
        let path: Vec<&str> = image.key.iter().copied().chain([field]).collect();
        match version.default_at(&path).map(|n| &n.value) {
            Some(Value::Str(s)) => s.clone(),
            _ => String::new(),
        }
    };
    let same_registry = image.registry == default("registry")
        || (image.registry.is_empty() && default("registry") == "docker.io");
    if same_registry && image.repository == default("repository") {
        return false;
    }
    if v >= Version::new(13, 0, 2) && image.hub_namespace() == Some("bitnamilegacy") && same_registry {
        return false;
    }
    !matches!(allowed(reading), Lookup::Set(true) | Lookup::Unknown(_))
}

fn allowed<'a>(reading: &RedisCluster<'a>) -> Lookup<'a, bool> {
    reading.flag(&["global", "security", "allowInsecureImages"])
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for readings in crate::rules::images::readings(cx) {
        let cluster = readings.cluster;
        // Images substituted by one value (a `global.imageRegistry`) make one finding.
        let mut every: Vec<ResolvedImage> = Vec::new();
        for (key, _) in IMAGES {
            match judge(readings, key, RULE.id, refused) {
                Outcome::Every(image, _) => every.push(image),
                Outcome::Some(image) if written(&image) => out.push(
                    Finding::new(
                        &RULE,
                        format!(
                            "{} `{}` is not the chart's own image: some chart versions these values may be deployed with (redis-cluster 11.2.0 to 13.0.1) refuse it without global.security.allowInsecureImages: true",
                            key_words(&cluster, &image),
                            image.reference_words()
                        ),
                    )
                    .unverified()
                    .at(place(&cluster, &image))
                    .label("not checked")
                    .help("could not be checked: give the chart version, or set global.security.allowInsecureImages: true"),
                ),
                _ => {}
            }
        }
        let version = cluster
            .version()
            .map(|v| format!("redis-cluster {}", v.version()))
            .unwrap_or_else(|| "every redis-cluster version these values may be deployed with".to_string());
        let mut done: Vec<crate::core::source::Span> = Vec::new();
        for image in &every {
            let at = place(&cluster, image);
            if done.contains(&at) {
                continue;
            }
            done.push(at);
            let same: Vec<&ResolvedImage> = every.iter().filter(|i| place(&cluster, i) == at).collect();
            let what = match &same[..] {
                [one] => format!(
                    "{} `{}` is not the chart's own image",
                    key_words(&cluster, one),
                    one.reference_words()
                ),
                several => format!(
                    "{} are not the chart's own images ({})",
                    several
                        .iter()
                        .map(|i| key_words(&cluster, i))
                        .collect::<Vec<_>>()
                        .join(", "),
                    several
                        .iter()
                        .map(|i| format!("`{}`", i.reference_words()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            out.push(
                Finding::new(
                    &RULE,
                    format!(
                        "{what}, and {version} refuses to render without global.security.allowInsecureImages: true (\"Original containers have been substituted for unrecognized ones\")"
                    ),
                )
                .at(at)
                .label("substituted image")
                .help("set global.security.allowInsecureImages: true"),
            );
        }
    }
}
