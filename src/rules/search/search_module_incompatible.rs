//! `search-module-incompatible`: the RediSearch build needs a newer Redis than the one deployed, or
//! is given `OSS_GLOBAL_PASSWORD`, which it does not take.

use semver::Version;

use crate::core::source::{Sources, Span};
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::redis_cluster::SearchBuild;
use crate::model::scope::Kept;
use crate::model::{Lookup, RedisCluster};
use crate::rules::search::search_loads;
use crate::rules::topology::Counts;
use crate::rules::versions::{deployed, full_and_shown, Deployed};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "search-module-incompatible",
    severity: Severity::Error,
    checked_by: CheckedBy::LintAndProbe,
    summary: "the RediSearch build needs a newer Redis than the one deployed, or is given an OSS_GLOBAL_PASSWORD it does not take",
    docs: r#"## What it checks
The RediSearch build the init containers fetch (`redis.initContainers`: the download URL or the
image, such as `redisearch-oss-coord-v2.10.14-$ARCH.so`, kube-acp-stack's own included) against the
Redis version deployed (`image.tag`, or the chart's default image): RediSearch 2.10 needs Redis 7.4,
2.8 needs 7.2, 2.6 needs 6.0.16 (redis.io release notes). And that a build without the coordinator
(`redisearch-oss` 2.2.0, which kube-acp-stack 2.8.1 and earlier ship, or `redislabs/redisearch`) is
not given `OSS_GLOBAL_PASSWORD` on its `loadmodule` line; and, as a warning, such a build on a
cluster of several masters.
A post-renderer patch of the StatefulSet (a HelmRelease's `postRenderers`) that names a build wins
over the values: it is applied after the chart renders. When the chart versions are not known, an
error is raised only when every version the values may be deployed with has it.
Live, on a cluster of several masters, each node that has RediSearch is asked which build it runs:
`MODULE LIST` gives its version, and `COMMAND INFO search.CLUSTERINFO` tells the coordinator (which
registers that command) from a build without it (which does not). A node that refuses either command
is said once, at info level. A node whose module needs a newer Redis is not seen live: it never starts.

## Why it matters
With a Redis older than the module needs, RediSearch logs `<search> Redis version is too old,
please upgrade to redis X.Y.Z and above.`, Redis logs `Module … initialization failed` and `Can't
load module from …: server aborting`, and the node never starts. kube-acp-stack 2.25.0 moved to
RediSearch 2.10.14: pinning Redis 6.2 there (as the vendor's reference deployment does with its own
RediSearch 2.6.28) needs an older module too. A build without the coordinator indexes the keys of
its own master only: on a cluster of several masters the platform's searches answer from one
shard and miss what the others hold.

## How to fix
Deploy the Redis the module needs (`image.tag: 7.4.3` for RediSearch 2.10), or fetch a RediSearch
build made for your Redis (2.6.x for Redis 6.2) in `redis.initContainers`. Drop `OSS_GLOBAL_PASSWORD`
from the `loadmodule` line of a build without the coordinator, or fetch the coordinator build.

## Example
```yaml
redis-cluster:
  image:
    tag: 6.2.16
  redis:
    initContainers:
      - name: redismodules
        image: alpine
        command: ["sh", "-c", "wget https://cloudentity-redisearch.s3.amazonaws.com/redisearch-oss-coord-v2.10.14-amd64.so -O /redismodules/redisearch.so"]
```
"#,
    file: file!(),
};

/// The Redis version a RediSearch version needs, where the release notes say.
pub fn minimum_redis((major, minor, _): (u64, u64, u64)) -> Option<Version> {
    match (major, minor) {
        (2, 10) => Some(Version::new(7, 4, 0)),
        (2, 8) => Some(Version::new(7, 2, 0)),
        (2, 6) => Some(Version::new(6, 0, 16)),
        _ => None,
    }
}

fn shown((a, b, c): (u64, u64, u64)) -> String {
    format!("{a}.{b}.{c}")
}

/// The version mismatch of one reading of the cluster, if it has one.
fn too_old<'a>(cluster: &RedisCluster<'a>, build: &SearchBuild<'a>, sources: &Sources) -> Option<Finding> {
    let min = minimum_redis(build.version)?;
    let Deployed::Version {
        version,
        span,
        origin,
        product: "Redis",
    } = deployed(cluster)
    else {
        return None;
    };
    let (full, redis) = full_and_shown(version);
    if full >= min {
        return None;
    }
    let (at, other): (Option<Span>, Option<Span>) = match span {
        Some(span) if !span.source.is_builtin() => (Some(span), Some(build.span(sources))),
        _ => (Some(build.span(sources)), span),
    };
    let mut f = Finding::new(
        &RULE,
        format!(
            "RediSearch {} needs Redis {}.{} or later, and the cluster runs Redis {redis} ({origin}): Redis refuses to load the module and does not start",
            shown(build.version),
            min.major,
            min.minor
        ),
    )
    .at_opt(at)
    .label(format!("Redis {redis}"))
    .help(format!(
        "deploy Redis {}.{} or later, or fetch a RediSearch build made for Redis {redis} (2.6.x for Redis 6.2)",
        min.major, min.minor
    ));
    if let Some(other) = other.filter(|s| !s.source.is_builtin()) {
        f = f.related(other, format!("RediSearch {}", shown(build.version)));
    }
    Some(f)
}

/// A build without the coordinator on a cluster of several masters: each master's index holds its
/// own shard's keys only, and a search answers from one shard.
fn one_shard(cluster: &RedisCluster, build: &SearchBuild, sources: &Sources) -> Option<Finding> {
    let Lookup::Set(counts) = Counts::of(cluster) else {
        return None;
    };
    let masters = counts.masters();
    if masters < 2 {
        return None;
    }
    // A warning: kube-acp-stack 2.8.1 and earlier shipped this build on 3 masters, and what a
    // search misses depends on where the platform's keys hash, which acp-check cannot see.
    let mut f = Finding::new(
        &RULE,
        format!(
            "RediSearch {} is a build without the coordinator, and the cluster has {masters} masters: each index sees the keys of its own shard only, so a search may miss what the others hold",
            shown(build.version)
        ),
    )
    .at(build.span(sources))
    .label("no coordinator")
    .help(ONE_SHARD_HELP);
    f.severity = Severity::Warning;
    if let Some(node) = counts.nodes_node.filter(|n| !n.span.source.is_builtin()) {
        f = f.related(node.span, format!("{} nodes: {masters} masters", counts.nodes));
    }
    Some(f)
}

const ONE_SHARD_HELP: &str = "fetch the coordinator build (redisearch-oss-coord-v2.6.x for Redis 6.2, v2.10.x for Redis 7.4), which searches every shard and takes OSS_GLOBAL_PASSWORD";

/// Live: the nodes (named as the probe reached them) whose RediSearch has no coordinator, on a
/// cluster of `masters` masters serving slots.
pub fn live_one_shard(nodes: &[String], version: Option<&str>, masters: usize) -> Finding {
    let build = version.map_or_else(|| "RediSearch".to_string(), |v| format!("RediSearch {v}"));
    let on = if nodes.len() == 1 {
        "this node".to_string()
    } else {
        format!("{} nodes ({})", nodes.len(), nodes.join(", "))
    };
    let mut f = Finding::new(
        &RULE,
        format!(
            "{build} on {on} is a build without the coordinator, and the cluster has {masters} masters: each index sees the keys of its own shard only, so a search may miss what the others hold"
        ),
    )
    .on(&nodes[0])
    .help(ONE_SHARD_HELP);
    f.severity = Severity::Warning;
    f
}

/// Live: a node would not tell which RediSearch build it runs.
pub fn live_not_checked(target: &str, command: &str, acl: &str, answer: &str) -> Finding {
    let mut f = Finding::new(
        &RULE,
        format!(
            "whether RediSearch has the coordinator, which a cluster of several masters needs, was not checked: {command} was answered `{answer}`"
        ),
    )
    .on(target)
    .help(format!(
        "grant the probe user +{acl} (`acp-check explain probe-permission-denied` gives its ACL line)"
    ));
    f.severity = Severity::Info;
    f
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        let loads: Vec<_> = search_loads(&cluster, cx.sources).collect();
        if loads.is_empty() {
            continue;
        }
        match cluster.search_build() {
            Lookup::Set(build) => {
                out.extend(too_old(&cluster, &build, cx.sources));
                if !build.coordinator {
                    for load in &loads {
                        if let Some(arg) = load.args.iter().find(|a| a.text == "OSS_GLOBAL_PASSWORD") {
                            out.push(
                                Finding::new(
                                    &RULE,
                                    format!(
                                        "RediSearch {} is a build without the coordinator, which takes no OSS_GLOBAL_PASSWORD",
                                        shown(build.version)
                                    ),
                                )
                                .at(arg.span)
                                .label("not taken by this build")
                                .help("drop OSS_GLOBAL_PASSWORD and its value from the loadmodule line, or fetch the coordinator build (redisearch-oss-coord)"),
                            );
                        }
                    }
                    out.extend(one_shard(&cluster, &build, cx.sources));
                }
            }
            Lookup::Unset => {}
            // Defaults that differ between the chart versions the values may be deployed with: an
            // error only if every one of them has it.
            Lookup::Unknown(_) => {
                static KEPT: Kept<Option<bool>> = Kept::new();
                let old_in = |c: &RedisCluster| match c.search_build() {
                    Lookup::Set(build) => too_old(c, &build, cx.sources),
                    _ => None,
                };
                let every = cluster.over_candidates(
                    &KEPT,
                    &[&["redis", "initContainers"], &["image"]],
                    |candidates| !candidates.is_empty() && candidates.iter().all(|c| old_in(c).is_some()),
                );
                if every == Some(true) {
                    // Said once, as the first of them says it.
                    out.extend(cluster.candidate(0).as_ref().and_then(old_in));
                }
            }
        }
    }
}
