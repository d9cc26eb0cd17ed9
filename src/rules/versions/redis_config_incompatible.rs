//! `redis-config-incompatible`: a Redis 6.2 image on redis-cluster 8.1.2 or later, whose default
//! config holds directives Redis 6.2 refuses, without a 6.2-compatible `redis.defaultConfigOverride`.

use semver::Version;

use crate::core::source::Sources;
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::scope::Kept;
use crate::model::{Lookup, RedisCluster};
use crate::rules::versions::{deployed, full_and_shown, Deployed};
use crate::rules::{unsettled, Context};

pub static RULE: Rule = Rule {
    id: "redis-config-incompatible",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "a Redis 6.2 image on redis-cluster 8.1.2+ without a 6.2-compatible `redis.defaultConfigOverride` (the default config holds directives 6.2 refuses)",
    docs: r#"## What it checks
A Redis 6.2 image (`image.tag`) on redis-cluster chart 8.1.2 or later. The default `redis.conf` of those
charts holds directives Redis 6.2 does not know (`repl-diskless-sync-max-replicas`, `appenddirname`,
`aof-timestamp-enabled`, `hash-max-listpack-*`, `zset-max-listpack-*`, `list-max-listpack-size`):
from 8.3.0 `redis.defaultConfigOverride` can replace it, and its directives are checked against
that list; charts 8.1.2 to 8.2.7 have no such key and cannot run Redis 6.2. When the chart versions
are not known, an error is raised only when every version the values may be deployed with has it.

## Why it matters
Redis 6.2 stops at start with "FATAL CONFIG FILE ERROR … Bad directive or wrong number of
arguments": no node starts. The vendor's reference deployment runs Redis 6.2.16 on chart 11.4.x with
a full 6.2 `defaultConfigOverride` for this reason.

## How to fix
Deploy the Redis the chart is made for (7.4 for chart 11.x), or give `redis.defaultConfigOverride`
a complete Redis 6.2 configuration (chart 8.3.0 or later), or stay on chart 7.6.4 for Redis 6.2.

## Example
```yaml
# HelmRelease, chart redis-cluster 11.4.3
values:
  image:
    tag: 6.2.16-debian-12-r3
```
"#,
    file: file!(),
};

/// Directives of the 8.1.2+ default config that Redis 6.2 refuses.
pub const REFUSED_BY_6_2: [&str; 9] = [
    "repl-diskless-sync-max-replicas",
    "appenddirname",
    "aof-timestamp-enabled",
    "hash-max-listpack-entries",
    "hash-max-listpack-value",
    "zset-max-listpack-entries",
    "zset-max-listpack-value",
    "list-max-listpack-size",
    "set-max-listpack-entries",
];

/// The finding of one reading (a chart version), if it has one: `Err` when a layer acp-check
/// could not read decides.
fn reading<'a>(
    cluster: &RedisCluster<'a>,
    sources: &Sources,
) -> Result<Option<Finding>, crate::model::Unsettled<'a>> {
    let Some(version) = cluster.version() else {
        return Ok(None);
    };
    let Ok(chart) = Version::parse(version.version()) else {
        return Ok(None);
    };
    if chart < Version::new(8, 1, 2) {
        return Ok(None);
    }
    let Deployed::Version {
        version: redis,
        span,
        origin,
        product: "Redis",
    } = deployed(cluster)
    else {
        return Ok(None);
    };
    if (redis.0, redis.1) != (6, 2) {
        return Ok(None);
    }
    let (_, shown) = full_and_shown(redis);
    let at = span.unwrap_or_else(|| cluster.anchor());
    if chart < Version::new(8, 3, 0) {
        return Ok(Some(
            Finding::new(
                &RULE,
                format!("Redis {shown} ({origin}) cannot run on redis-cluster {chart}: its default config holds directives Redis 6.2 refuses, and this chart version has no redis.defaultConfigOverride to replace it"),
            )
            .at(at)
            .label(format!("Redis {shown}"))
            .help("use chart 7.6.4 for Redis 6.2, or chart 8.3.0 or later with a Redis 6.2 redis.defaultConfigOverride, or the Redis the chart is made for"),
        ));
    }
    match cluster.lookup(&["redis", "defaultConfigOverride"]) {
        Lookup::Unknown(why) => Err(why),
        Lookup::Set(node) if node.as_str().is_some_and(|s| !s.trim().is_empty()) => {
            let refused = crate::model::redis_conf::directives(node, sources)
                .into_iter()
                .find(|d| REFUSED_BY_6_2.contains(&d.name.as_str()));
            Ok(refused.map(|d| {
                Finding::new(
                    &RULE,
                    format!("redis.defaultConfigOverride sets `{}`, which Redis {shown} ({origin}) refuses at start", d.name),
                )
                .at(d.span)
                .label("not a Redis 6.2 directive")
                .related(at, format!("Redis {shown}"))
                .help("remove it: the override must be a Redis 6.2 configuration")
            }))
        }
        _ => Ok(Some(
            Finding::new(
                &RULE,
                format!("Redis {shown} ({origin}) does not start with the default config of redis-cluster {chart}, which holds directives Redis 6.2 refuses (`repl-diskless-sync-max-replicas`, …)"),
            )
            .at(at)
            .label(format!("Redis {shown}"))
            .help("give redis.defaultConfigOverride a complete Redis 6.2 configuration, or deploy the Redis the chart is made for"),
        )),
    }
}

/// Of the readings of a cluster: the first that gives a finding if every one does (`Ok`), or the
/// first that a layer acp-check could not read leaves unsettled (`Err`).
type Judged = Result<Option<usize>, usize>;

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        // Only a Redis 6.2 tag the files wrote is judged across unknown chart versions.
        let six_two = matches!(
            deployed(&cluster),
            Deployed::Version {
                version: (6, 2, _),
                ..
            }
        );
        if cluster.version().is_none() && !six_two {
            continue;
        }
        // Over the chart versions the values may be deployed with, when not known: the first
        // reading that gives a finding if every one does, or the first a layer leaves unsettled.
        let judge = |readings: &[RedisCluster]| -> Judged {
            let mut first = None;
            let mut every = true;
            for (index, r) in readings.iter().enumerate() {
                match reading(r, cx.sources) {
                    Ok(Some(_)) => {
                        first.get_or_insert(index);
                    }
                    Ok(None) => every = false,
                    Err(_) => return Err(index),
                }
            }
            Ok(first.filter(|_| every))
        };
        static KEPT: Kept<Option<Option<Judged>>> = Kept::new();
        let over_candidates = match cluster.version() {
            None => cluster
                .over_candidates(
                    &KEPT,
                    // What `reading` reads: the image, and the override (`redis.configmap`, which
                    // often holds a password of its own, is appended to the config, not read).
                    &[&["image"], &["redis", "defaultConfigOverride"]],
                    |all| (!all.is_empty()).then(|| judge(all)),
                )
                .flatten(),
            Some(_) => None,
        };
        let (judged, reading_at) = match over_candidates {
            Some(judged) => (judged, None),
            None => (judge(&[cluster]), Some(cluster)),
        };
        let at = |index: usize| reading_at.or_else(|| cluster.candidate(index));
        match judged {
            Ok(Some(index)) => out.extend(at(index).and_then(|r| reading(&r, cx.sources).ok().flatten())),
            Ok(None) => {}
            Err(index) => {
                if let Some(Err(why)) = at(index).map(|r| reading(&r, cx.sources)) {
                    out.push(unsettled(
                        Finding::new(&RULE, "cannot check redis.defaultConfigOverride against the Redis 6.2 image: a layer acp-check could not read may set it")
                            .at(cluster.anchor())
                            .label("not checked"),
                        why,
                    ));
                }
            }
        }
    }
}
