//! `image-reference-invalid`: an image of the release renders as a reference ending in `:` (an
//! empty tag written, and no digest), which no runtime can pull.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::redis_cluster::IMAGES;
use crate::model::{Lookup, RedisCluster};
use crate::rules::Context;
use crate::tree::{Node, Value};

pub static RULE: Rule = Rule {
    id: "image-reference-invalid",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "an image's tag is written empty (`tag: \"\"`), and the chart renders a reference ending in `:`",
    docs: r#"## What it checks
The tag of each image the chart pulls (`image`, and `metrics.image`, `sysctlImage`,
`volumePermissions.image` when enabled): a `tag: ""` written in the values, with no `digest`. An
empty tag is not an unset one: the chart does not fall back to its default tag, and renders
`docker.io/bitnami/redis-cluster:` (rendered with charts 7.6.4, 11.5.4 and 13.0.5).

## Why it matters
A reference ending in `:` names no image: the kubelet cannot parse it, the pods stay in
`InvalidImageName`, and the platform finds no Redis. The Redis version cannot be told either, so the
version rules do not judge it.

## How to fix
Remove the empty `tag` to get the chart's default, or write the tag you mean (or a `digest`).

## Example
```yaml
redis-cluster:
  image:
    repository: bitnamilegacy/redis-cluster
    tag: ""
```
"#,
    file: file!(),
};

/// The tag the files wrote empty at `key`, if the chart renders it (no digest written in its
/// place).
pub fn empty_tag<'a>(cluster: &RedisCluster<'a>, key: &[&str]) -> Option<&'a Node> {
    let path = |field: &'static str| -> Vec<&str> { key.iter().copied().chain([field]).collect() };
    // What the files wrote: the values of the layers read, without the chart's defaults.
    let written = |field| cluster.root.get(&path(field));
    let tag = written("tag").filter(|n| n.value == Value::Str(String::new()))?;
    let digest = written("digest").is_some_and(|d| d.as_str().is_some_and(|s| !s.is_empty()));
    (!(digest && cluster.reads(&path("digest")))).then_some(tag)
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        for (key, enabled) in IMAGES {
            let Some(tag) = empty_tag(&cluster, key) else {
                continue;
            };
            // Only an image the chart pulls: the others are not rendered.
            let pulled = match enabled {
                None => true,
                Some(flag) => matches!(cluster.lookup(flag), Lookup::Set(n) if n.as_bool() == Some(true)),
            };
            if !pulled {
                continue;
            }
            let name = key.join(".");
            let repository = cluster
                .get(&[key, &["repository"][..]].concat())
                .and_then(Node::as_str)
                .map_or_else(String::new, |r| format!(" (`{r}:`)"));
            out.push(
                Finding::new(
                    &RULE,
                    format!("`{name}.tag` is empty, so the chart renders an image reference ending in `:`{repository}, which names no image: the pods end in InvalidImageName"),
                )
                .at(tag.span)
                .label("empty tag")
                .help(format!("remove {name}.tag to get the chart's default, or write the tag (or a digest) you mean")),
            );
        }
    }
}
