//! `image-not-cluster`: the redis-cluster chart is given a Redis image that is not a cluster image.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::Lookup;
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "image-not-cluster",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "a non-cluster Redis image (`bitnami/redis`, `bitnamilegacy/redis`, `redis`) in a redis-cluster release",
    docs: r#"## What it checks
`image.repository` of the redis-cluster chart: a repository named `redis` or `valkey` (Bitnami's
non-cluster `bitnami/redis`, `bitnamilegacy/redis`, `bitnami/valkey`, or the official `redis` and
`valkey/valkey` images) instead of a cluster image (`bitnami/redis-cluster`,
`bitnami/valkey-cluster`).

## Why it matters
The chart starts its pods with the cluster image's own scripts (`/opt/bitnami/scripts/redis-cluster/…`),
which a non-cluster image does not have: the containers fail to start, or run Redis without cluster
mode, and the platform's cluster client never gets a cluster.

## How to fix
Use the cluster image: `image.repository: bitnamilegacy/redis-cluster` (or a mirror of it). A fix
appends `-cluster` to the repository; it is unsafe (check that the tag exists for the cluster image).

## Example
```yaml
redis-cluster:
  image:
    repository: bitnami/redis
    tag: 6.2.14
```
"#,
    file: file!(),
};

/// Whether a repository names a non-cluster Redis (or Valkey) image.
pub fn not_cluster(repository: &str) -> bool {
    let name = repository.rsplit('/').next().unwrap_or(repository);
    let name = name.split([':', '@']).next().unwrap_or(name);
    matches!(name, "redis" | "valkey")
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        let Lookup::Set(node) = cluster.lookup(&["image", "repository"]) else {
            continue;
        };
        let Some(repository) = node.as_str() else { continue };
        if node.span.source.is_builtin() || !not_cluster(repository) {
            continue;
        }
        out.push(
            Finding::new(
                &RULE,
                format!("`{repository}` is not a cluster image: the redis-cluster chart's pods start with the cluster image's scripts, which it does not have"),
            )
            .at(node.span)
            .label("not a cluster image")
            .help(format!("use `{repository}-cluster` (for Bitnami's images, from bitnamilegacy or a mirror)")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::not_cluster;

    #[test]
    fn cluster_images_are_told_from_the_others() {
        for image in [
            "bitnami/redis",
            "bitnamilegacy/redis",
            "redis",
            "docker.io/library/redis",
            "valkey/valkey",
        ] {
            assert!(not_cluster(image), "{image}");
        }
        for image in [
            "bitnami/redis-cluster",
            "bitnamilegacy/redis-cluster",
            "bitnami/valkey-cluster",
            "mirror/redis-cluster",
        ] {
            assert!(!not_cluster(image), "{image}");
        }
    }
}
