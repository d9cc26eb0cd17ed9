//! `image-frozen`: an image is pulled from `docker.io/bitnamilegacy`, which gets no more updates.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::redis_cluster::IMAGES;
use crate::rules::images::{judge, key_words, place, Outcome};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "image-frozen",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "a `bitnamilegacy/…` image: it gets no more security updates",
    docs: r#"## What it checks
Every image the redis-cluster chart pulls (as `image-unavailable` resolves them, chart defaults
included) that comes from `docker.io/bitnamilegacy`. kube-acp-stack 2.26.2 and later pull
`bitnamilegacy/redis-cluster` by default.

## Why it matters
`bitnamilegacy` holds the images Bitnami removed from `docker.io/bitnami` on 2025-09-29, with the
same tags and digests, but receives no further updates: security fixes to Redis or the base image
never reach it.

## How to fix
Plan a move to a maintained image: a mirror you rebuild, Bitnami's paid catalogue, or another
Redis image the chart can run. Nothing to change for the deployment to work.

## Example
```yaml
redis-cluster:
  image:
    repository: bitnamilegacy/redis-cluster
    tag: 7.4.3-debian-12-r0
  global:
    security:
      allowInsecureImages: true
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for readings in crate::rules::images::readings(cx) {
        let cluster = readings.cluster;
        for (key, _) in IMAGES {
            let frozen = |_: &_, image: &crate::model::redis_cluster::ResolvedImage| {
                image.pulled && image.hub_namespace() == Some("bitnamilegacy")
            };
            if let Outcome::Every(image, _) = judge(readings, key, RULE.id, frozen) {
                out.push(
                    Finding::new(
                        &RULE,
                        format!(
                            "{} `{}` comes from docker.io/bitnamilegacy, which gets no more security updates",
                            key_words(&cluster, &image),
                            image.reference_words()
                        ),
                    )
                    .at(place(&cluster, &image))
                    .label("frozen image")
                    .help("plan a move to a maintained image (a mirror you rebuild, or another Redis image the chart can run)"),
                );
            }
        }
    }
}
