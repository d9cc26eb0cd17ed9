//! Versions: the Redis version deployed (from `image.tag`, else the chart's default image), the
//! redis-cluster chart version, and keys the deployed chart version does not have.

use semver::{Version, VersionReq};

use crate::config::Versions;
use crate::diagnostic::{CheckedBy, Rule};
use crate::diagnostic::{Finding, Severity};
use crate::model::{Located, RedisCluster};
use crate::rules::Context;
use crate::schema::{SchemaId, SchemaNode};

use crate::tree::{Node, Value};

pub static REDIS_VERSION_UNSUPPORTED: Rule = Rule {
    id: "redis-version-unsupported",
    severity: Severity::Error,
    checked_by: CheckedBy::LintAndProbe,
    summary: "the Redis version is not one the platform supports (6.2.x)",
    docs: r#"## What it checks
The Redis version the cluster runs: the version in `image.tag` (`6.2.14`, `6.2.14-debian-11-r22`,
`6.2.16-debian-12-r3@sha256:…`), or, when no tag is set, the default image of the chart version
deployed (from `Chart.lock`, `Chart.yaml`, a HelmRelease, or `--redis-chart-version`). The supported
range is `[versions] redis-supported` in `.acp-check.toml`, by default 6.2.x.

## Why it matters
The vendor supports Redis 6.2.x only; Redis 7 is not supported. Chart versions from 8.0.0 on deploy
Redis 7 or later by default, so upgrading the chart silently upgrades Redis.

## How to fix
Pin the image: `image.tag: "6.2.14"` (or a 6.2.14 Bitnami tag), or stay on chart 7.6.4.

## Example
```yaml
redis-cluster:
  image:
    tag: 7.0.15
```
"#,
};

pub static REDIS_VERSION_OUTDATED: Rule = Rule {
    id: "redis-version-outdated",
    severity: Severity::Warning,
    checked_by: CheckedBy::LintAndProbe,
    summary: "a supported Redis version below the recommended 6.2.14",
    docs: r#"## What it checks
A supported Redis version older than the recommended one (`[versions] redis-recommended`, by default
6.2.14). Chart 7.6.4's default image is Redis 6.2.7.

## Why it matters
Later 6.2 releases fix security issues and crashes; the vendor recommends 6.2.14.

## How to fix
Set `image.tag: "6.2.14"` (or a 6.2.14 Bitnami tag).

## Example
```yaml
redis-cluster:
  image:
    tag: 6.2.7-debian-11-r9
```
"#,
};

pub static REDIS_VERSION_UNKNOWN: Rule = Rule {
    id: "redis-version-unknown",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "the image tag names no version (`latest`, a bare digest)",
    docs: r#"## What it checks
An `image.tag` from which no Redis version can be read: `latest`, a bare `@sha256:` digest, a name.
When no tag is set and the chart version is not known either, the same rule says so at info level.

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
};

pub static CHART_VERSION_NOT_RECOMMENDED: Rule = Rule {
    id: "chart-version-not-recommended",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "the redis-cluster chart version is not the recommended 7.6.4",
    docs: r#"## What it checks
The redis-cluster chart version, from `Chart.lock` or `Chart.yaml` (umbrella chart), a HelmRelease's
`spec.chart.spec.version` (a range resolves to the newest published version matching it) or
`--redis-chart-version`, against `[versions] redis-cluster-chart-recommended` (7.6.4).

## Why it matters
The vendor tests with chart 7.6.4. Other versions differ in defaults and keys; from 8.0.0 on, the
default image is Redis 7, which is not supported.

## How to fix
Use chart 7.6.4, or pin `image.tag` to 6.2.14 and check the keys you use exist in your version
(`chart-key-unavailable`).

## Example
```yaml
# Chart.yaml
dependencies:
  - name: redis-cluster
    version: 11.5.4
```
"#,
};

pub static CHART_KEY_UNAVAILABLE: Rule = Rule {
    id: "chart-key-unavailable",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "a key the deployed chart version does not have",
    docs: r#"## What it checks
Keys of the redis-cluster values that exist in one chart generation and not the other: for example
`persistence.enabled`, `redis.defaultConfigOverride` or `pdb` exist in chart 11.x and not in 7.6.4;
`usePasswordFile` and `minAvailable` exist in 7.6.4 and not in 11.x. Needs the chart version (see
`chart-version-not-recommended`).

## Why it matters
The chart ignores a key it does not have. Setting `persistence.enabled: false` on chart 7.6.4 still
creates volumes; loading RediSearch through `redis.defaultConfigOverride` on 7.6.4 loads nothing.

## How to fix
Use the key of your chart version (on 7.6.4, `redis.configmap` instead of
`redis.defaultConfigOverride`), or move to the chart version that has it.

## Example
```yaml
redis-cluster:
  persistence:
    enabled: false      # chart 7.6.4 has no such key
```
"#,
};

/// One published chart version: its default Redis image.
struct ChartRelease {
    chart: Version,
    redis: String,
    default_tag: String,
}

/// The chart → Redis version table (data/redis-cluster-chart-versions.tsv).
fn chart_releases() -> &'static [ChartRelease] {
    static TABLE: std::sync::OnceLock<Vec<ChartRelease>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("../../data/redis-cluster-chart-versions.tsv")
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut cols = line.split('\t');
                Some(ChartRelease {
                    chart: Version::parse(cols.next()?).ok()?,
                    redis: cols.next()?.to_string(),
                    default_tag: cols.next()?.to_string(),
                })
            })
            .collect()
    })
}

/// A chart version as written, resolved to a published one: an exact version, or the newest that a
/// range (`7.6.x`, `>=7 <8`) matches, as Helm and Flux pick.
fn resolve_chart(written: &str) -> Option<&'static ChartRelease> {
    let written = written.trim().trim_start_matches('v');
    if let Ok(v) = Version::parse(written) {
        return chart_releases().iter().find(|r| r.chart == v);
    }
    // Helm writes ranges with spaces between comparators; semver wants commas.
    let req = VersionReq::parse(written)
        .or_else(|_| VersionReq::parse(&written.split_whitespace().collect::<Vec<_>>().join(", ")))
        .ok()?;
    chart_releases()
        .iter()
        .filter(|r| req.matches(&r.chart))
        .max_by(|a, b| a.chart.cmp(&b.chart))
}

/// The Redis version in an image tag: `6.2.14`, `6.2.14-debian-11-r22`, `6.2@sha256:…`. A tag with
/// no patch gives `(6, 2, None)`.
fn tag_version(tag: &str) -> Option<(u64, u64, Option<u64>)> {
    let tag = tag.split('@').next().unwrap_or_default();
    let head: String = tag
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let mut parts = head.split('.').filter(|p| !p.is_empty());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = parts.next().and_then(|p| p.parse().ok());
    Some((major, minor, patch))
}

pub fn check(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for cluster in cx.deployment.redis_clusters() {
        let chart = cluster
            .chart_version
            .as_ref()
            .map(|v| (v, resolve_chart(&v.value)));
        if let Some((written, resolved)) = &chart {
            chart_version(written, *resolved, cx.versions, &mut out);
            if let Some(release) = resolved {
                unavailable_keys(&cluster, &release.chart, &mut out);
            }
        }
        redis_version(
            &cluster,
            chart.as_ref().and_then(|(w, r)| r.map(|r| (*w, r))),
            cx.versions,
            &mut out,
        );
    }
    out
}

fn chart_version(
    written: &Located<String>,
    resolved: Option<&ChartRelease>,
    versions: &Versions,
    out: &mut Vec<Finding>,
) {
    let recommended = &versions.redis_cluster_chart_recommended;
    let version = match resolved {
        Some(r) => r.chart.clone(),
        None => match Version::parse(written.value.trim_start_matches('v')) {
            Ok(v) => v,
            Err(_) => return,
        },
    };
    if &version == recommended {
        return;
    }
    let shown = if written.value == version.to_string() {
        version.to_string()
    } else {
        format!("{} (resolves to {version})", written.value)
    };
    let redis = resolved
        .map(|r| format!(", whose default image is Redis {}", r.redis))
        .unwrap_or_default();
    out.push(
        Finding::new(
            &CHART_VERSION_NOT_RECOMMENDED,
            format!("redis-cluster chart {shown} is not the recommended {recommended}{redis}"),
        )
        .at_opt(written.span)
        .label(format!("chart {version}"))
        .help(format!(
            "use chart {recommended}, or pin image.tag to a supported Redis version"
        )),
    );
}

fn redis_version(
    cluster: &RedisCluster,
    chart: Option<(&Located<String>, &ChartRelease)>,
    versions: &Versions,
    out: &mut Vec<Finding>,
) {
    let tag = cluster
        .get(&["image", "tag"])
        .filter(|n| !matches!(&n.value, Value::Null) && n.as_str() != Some(""));
    let (version, span, origin) = match tag {
        Some(node) => {
            let text = match &node.value {
                Value::Str(s) => s.clone(),
                Value::Int(i) => i.to_string(),
                Value::Float(f) => crate::tree::go_float(*f),
                _ => return,
            };
            if crate::model::opaque(node).is_some() {
                return;
            }
            match tag_version(&text) {
                Some(v) => (v, Some(node.span), format!("image.tag `{text}`")),
                None => {
                    let what = if text.starts_with("@") || text.starts_with("sha256:") {
                        "a bare digest"
                    } else {
                        "no version"
                    };
                    out.push(
                        Finding::new(
                            &REDIS_VERSION_UNKNOWN,
                            format!(
                                "image.tag `{text}` names {what}: the Redis version deployed cannot be known"
                            ),
                        )
                        .at(node.span)
                        .label("no version")
                        .help(format!(
                            "pin a version tag, such as `{}`",
                            versions.redis_recommended
                        )),
                    );
                    return;
                }
            }
        }
        None => {
            match chart {
                Some((written, release)) => match tag_version(&release.default_tag) {
                    Some(v) => (
                        v,
                        written.span,
                        format!(
                            "chart {}'s default image ({})",
                            release.chart, release.default_tag
                        ),
                    ),
                    None => return,
                },
                None => {
                    if let Some(digest) = cluster
                        .get(&["image", "digest"])
                        .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
                    {
                        out.push(
                        Finding::new(&REDIS_VERSION_UNKNOWN, "image.digest is set without a tag: the Redis version deployed cannot be known")
                            .at(digest.span)
                            .label("no version")
                            .help("pin a version tag too, such as `6.2.14`"),
                    );
                        return;
                    }
                    out.push(
                    Finding::new(&REDIS_VERSION_UNKNOWN, "no image.tag, and the redis-cluster chart version is not known: the Redis version cannot be checked")
                        .unverified()
                        .at(cluster.anchor())
                        .help("lint the chart directory (with Chart.lock) or the HelmRelease, pass --redis-chart-version, or pin image.tag"),
                );
                    return;
                }
            }
        }
    };
    let (major, minor, patch) = version;
    let full = Version::new(major, minor, patch.unwrap_or(0));
    let shown = match patch {
        Some(p) => format!("{major}.{minor}.{p}"),
        None => format!("{major}.{minor}"),
    };
    if !versions.redis_supported.matches(&full) {
        out.push(
            Finding::new(
                &REDIS_VERSION_UNSUPPORTED,
                format!(
                    "Redis {shown} ({origin}) is not supported: the platform supports Redis {}",
                    range_words(&versions.redis_supported)
                ),
            )
            .at_opt(span)
            .label(format!("Redis {shown}"))
            .help(format!(
                "set redis-cluster image.tag to \"{}\"",
                versions.redis_recommended
            )),
        );
    } else if patch.is_some() && full < versions.redis_recommended {
        out.push(
            Finding::new(
                &REDIS_VERSION_OUTDATED,
                format!(
                    "Redis {shown} ({origin}) is older than the recommended {}",
                    versions.redis_recommended
                ),
            )
            .at_opt(span)
            .label(format!("Redis {shown}"))
            .help(format!("set image.tag to \"{}\"", versions.redis_recommended)),
        );
    }
}

/// The live check: the `redis_version` a server reports in `INFO`, judged by the same policy.
pub fn live_version(reported: &str, policy: &crate::config::Versions) -> Option<Finding> {
    let (major, minor, patch) = tag_version(reported)?;
    let full = Version::new(major, minor, patch.unwrap_or(0));
    if !policy.redis_supported.matches(&full) {
        Some(
            Finding::new(
                &REDIS_VERSION_UNSUPPORTED,
                format!(
                    "the server runs Redis {reported}, which is not supported: the platform supports Redis {}",
                    range_words(&policy.redis_supported)
                ),
            )
            .help(format!(
                "deploy Redis {} (redis-cluster image.tag \"{}\", chart {})",
                policy.redis_recommended, policy.redis_recommended, policy.redis_cluster_chart_recommended
            )),
        )
    } else if full < policy.redis_recommended {
        Some(
            Finding::new(
                &REDIS_VERSION_OUTDATED,
                format!(
                    "the server runs Redis {reported}, older than the recommended {}",
                    policy.redis_recommended
                ),
            )
            .help(format!(
                "set redis-cluster image.tag to \"{}\"",
                policy.redis_recommended
            )),
        )
    } else {
        None
    }
}

/// `>=6.2.0, <6.3.0` reads as `6.2.x`; other requirements as written.
fn range_words(req: &VersionReq) -> String {
    use semver::Op;
    if let [lo, hi] = &req.comparators[..] {
        if lo.op == Op::GreaterEq
            && hi.op == Op::Less
            && lo.patch == Some(0)
            && hi.patch == Some(0)
            && hi.major == lo.major
            && hi.minor == lo.minor.map(|m| m + 1)
        {
            return format!("{}.{}.x", lo.major, lo.minor.unwrap_or(0));
        }
    }
    req.to_string()
}

/// Keys set in the values that the chart generation deployed does not have.
fn unavailable_keys(cluster: &RedisCluster, chart: &Version, out: &mut Vec<Finding>) {
    // The schema knows the key trees of 7.6.4 and 11.5.4; each stands for its generation.
    let generation = match chart.major {
        0..=7 => "7.6.4",
        11.. => "11.5.4",
        _ => return,
    };
    let schema = SchemaId::RedisCluster.get();
    walk(
        cluster.root,
        schema.root(),
        &mut Vec::new(),
        generation,
        chart,
        out,
    );
}

fn walk(
    node: &Node,
    schema: &'static SchemaNode,
    path: &mut Vec<String>,
    generation: &str,
    chart: &Version,
    out: &mut Vec<Finding>,
) {
    let Some(map) = node.as_map() else { return };
    if schema.properties.is_empty() {
        return;
    }
    for entry in &map.entries {
        let Some(sub) = schema.property(&entry.key) else {
            continue;
        };
        let sub = SchemaId::RedisCluster.get().node(sub);
        path.push(entry.key.clone());
        let absent = sub.absent_in.contains(&generation);
        if absent {
            out.push(
                Finding::new(
                    &CHART_KEY_UNAVAILABLE,
                    format!(
                        "`{}` does not exist in redis-cluster chart {chart}: the chart ignores it",
                        path.join(".")
                    ),
                )
                .at(entry.key_span)
                .label(format!("not in chart {chart}"))
                .help(match path.join(".").as_str() {
                    "redis.defaultConfigOverride" => {
                        "on chart 7.x, put redis.conf lines in redis.configmap".to_string()
                    }
                    "persistence.enabled" => "chart 7.x always creates a volume; remove the key".to_string(),
                    _ => format!(
                        "remove it, or deploy a chart version that has it (the key is from chart {})",
                        if generation == "7.6.4" { "11.x" } else { "7.6.4" }
                    ),
                }),
            );
        } else {
            walk(&entry.value, sub, path, generation, chart, out);
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_versions_resolve_exactly_or_to_the_newest_match() {
        assert_eq!(resolve_chart("7.6.4").unwrap().redis, "6.2.7");
        assert_eq!(resolve_chart("11.5.4").unwrap().default_tag, "7.4.3-debian-12-r0");
        assert_eq!(resolve_chart("7.6.x").unwrap().chart, Version::new(7, 6, 4));
        assert_eq!(resolve_chart(">=7.0.0 <8.0.0").unwrap().chart.major, 7);
        assert!(resolve_chart("99.0.0").is_none());
    }

    #[test]
    fn versions_in_tags() {
        assert_eq!(tag_version("6.2.14"), Some((6, 2, Some(14))));
        assert_eq!(tag_version("6.2.14-debian-11-r22"), Some((6, 2, Some(14))));
        assert_eq!(
            tag_version("6.2.16-debian-12-r3@sha256:abc"),
            Some((6, 2, Some(16)))
        );
        assert_eq!(tag_version("6.2"), Some((6, 2, None)));
        assert_eq!(tag_version("latest"), None);
        assert_eq!(tag_version("@sha256:abc"), None);
    }
}
