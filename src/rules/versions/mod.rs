//! Versions: the Redis version deployed (from `image.tag`, else the chart's default image), the
//! redis-cluster chart version, and keys the deployed chart version does not have. The Redis version
//! is judged by the same policy in lint and live ([`live`]).

pub mod chart_key_unavailable;
pub mod chart_unknown;
pub mod chart_version_not_recommended;
pub mod redis_version_outdated;
pub mod redis_version_unknown;
pub mod redis_version_unsupported;

use semver::{Version, VersionReq};

use crate::config::Versions;
use crate::core::source::Span;
use crate::diagnostic::Finding;
use crate::model::{opaque, Located, RedisCluster};
use crate::tree::{Node, Value};

/// One published chart version: its default Redis image.
pub struct ChartRelease {
    pub chart: Version,
    pub redis: String,
    pub default_tag: String,
}

/// The chart → Redis version table (data/redis-cluster-chart-versions.tsv).
fn chart_releases() -> &'static [ChartRelease] {
    static TABLE: std::sync::OnceLock<Vec<ChartRelease>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("../../../data/redis-cluster-chart-versions.tsv")
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
pub fn resolve_chart(written: &str) -> Option<&'static ChartRelease> {
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

/// The chart version of a cluster as written, and the published version it resolves to.
pub fn chart_of(cluster: &RedisCluster) -> Option<(Located<String>, Option<&'static ChartRelease>)> {
    let written = cluster.written_version()?;
    let resolved = match cluster.version() {
        Some(version) => resolve_chart(version.version()),
        None => resolve_chart(&written.value),
    };
    Some((written, resolved))
}

/// The Redis version in an image tag: `6.2.14`, `6.2.14-debian-11-r22`, `6.2@sha256:…`. A tag with
/// no patch gives `(6, 2, None)`. A component too large for a number (`6.2.99999999999999999999`)
/// makes the version unreadable: it is not a smaller version.
pub fn tag_version(tag: &str) -> Option<(u64, u64, Option<u64>)> {
    let tag = tag.split('@').next().unwrap_or_default();
    let head: String = tag
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let mut parts = head.split('.').filter(|p| !p.is_empty());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = match parts.next() {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((major, minor, patch))
}

/// The Redis version a cluster deploys, as far as its values tell.
pub enum Deployed<'a> {
    /// A version, from `image.tag` or the chart's default image; `span` is where it was chosen,
    /// `origin` says how ("image.tag `6.2.7`", "chart 7.6.4's default image (…)").
    Version {
        version: (u64, u64, Option<u64>),
        span: Option<Span>,
        origin: String,
    },
    /// `image.tag` names no version (`latest`, a digest).
    TagWithoutVersion { node: &'a Node, text: String },
    /// No tag and no known chart version, but an `image.digest`.
    DigestOnly(&'a Node),
    /// No tag, and the chart version is not known.
    Unknown,
    /// Not judged: the tag is encrypted or substituted at deploy time, or not a scalar.
    NotJudged,
}

/// What [`Deployed`] a cluster is.
pub fn deployed<'a>(cluster: &RedisCluster<'a>) -> Deployed<'a> {
    // A tag the files wrote; the chart's default tag is told by the chart version below.
    let tag = cluster
        .get(&["image", "tag"])
        .filter(|n| !n.span.source.is_builtin())
        .filter(|n| !matches!(&n.value, Value::Null) && n.as_str() != Some(""));
    if let Some(node) = tag {
        let text = match &node.value {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => crate::tree::go_float(*f),
            _ => return Deployed::NotJudged,
        };
        if opaque(node).is_some() {
            return Deployed::NotJudged;
        }
        return match tag_version(&text) {
            Some(version) => Deployed::Version {
                version,
                span: Some(node.span),
                origin: format!("image.tag `{text}`"),
            },
            None => Deployed::TagWithoutVersion { node, text },
        };
    }
    if cluster.lookup(&["image", "tag"]).unsettled().is_some() && cluster.version().is_some() {
        // A layer acp-check could not read may set the tag.
        return Deployed::NotJudged;
    }
    match chart_of(cluster) {
        Some((written, Some(release))) => match tag_version(&release.default_tag) {
            Some(version) => Deployed::Version {
                version,
                span: written.span,
                origin: format!(
                    "chart {}'s default image ({})",
                    release.chart, release.default_tag
                ),
            },
            None => Deployed::NotJudged,
        },
        _ => match cluster
            .get(&["image", "digest"])
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
        {
            Some(digest) => Deployed::DigestOnly(digest),
            None => Deployed::Unknown,
        },
    }
}

/// A version as a semver version (a missing patch counts as 0) and as it is shown.
pub fn full_and_shown((major, minor, patch): (u64, u64, Option<u64>)) -> (Version, String) {
    let full = Version::new(major, minor, patch.unwrap_or(0));
    let shown = match patch {
        Some(p) => format!("{major}.{minor}.{p}"),
        None => format!("{major}.{minor}"),
    };
    (full, shown)
}

/// The live check: the `redis_version` a server reports in `INFO`, judged by the same policy. A
/// version that cannot be read is said (`redis-version-unknown`), never taken for an older one.
pub fn live(reported: &str, policy: &Versions) -> Option<Finding> {
    let Some((major, minor, Some(patch))) = tag_version(reported) else {
        return Some(redis_version_unknown::live(reported, policy));
    };
    let full = Version::new(major, minor, patch);
    if !policy.redis_supported.matches(&full) {
        Some(redis_version_unsupported::live(reported, policy))
    } else if full < policy.redis_recommended {
        Some(redis_version_outdated::live(reported, policy))
    } else {
        None
    }
}

/// `>=6.2.0, <6.3.0` reads as `6.2.x`; other requirements as written.
pub fn range_words(req: &VersionReq) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_versions_are_judged_or_said_unreadable() {
        let policy = Versions::default();
        let rule = |reported: &str| live(reported, &policy).map(|f| f.rule.id);
        assert_eq!(rule("6.2.14"), None);
        assert_eq!(rule("6.2.7"), Some("redis-version-outdated"));
        assert_eq!(rule("7.0.15"), Some("redis-version-unsupported"));
        // Valkey reports redis_version 7.2.4 whatever its own version.
        assert_eq!(rule("7.2.4"), Some("redis-version-unsupported"));
        for unreadable in [
            "6.2.99999999999999999999",
            "banana",
            "6.2",
            "",
            "18446744073709551616.0.0",
        ] {
            assert_eq!(rule(unreadable), Some("redis-version-unknown"), "{unreadable:?}");
        }
    }

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
        assert_eq!(tag_version("6.2.99999999999999999999"), None);
        assert_eq!(tag_version("99999999999999999999.2.14"), None);
        assert_eq!(tag_version("@sha256:abc"), None);
    }
}
