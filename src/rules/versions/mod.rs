//! Versions: the Redis version deployed (from `image.tag`, else the chart's default image), the
//! redis-cluster chart version, and keys the deployed chart version does not have. The Redis version
//! is judged by the same policy in lint and live ([`live`]).

pub mod chart_key_unavailable;
pub mod chart_unknown;
pub mod chart_version_not_recommended;
pub mod redis_config_incompatible;
pub mod redis_version_outdated;
pub mod redis_version_unknown;
pub mod redis_version_unsupported;

use semver::{Version, VersionReq};

use crate::config::Versions;
use crate::core::source::Span;
use crate::diagnostic::Finding;
pub use crate::model::matrix::{self, Row};
use crate::model::platform::Seen;
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
        /// "Redis", or "Valkey" for a Valkey image (`bitnami/valkey-cluster`, `valkey/valkey`).
        product: &'static str,
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
    // A tag written empty renders no image at all (`image-reference-invalid`), not the default.
    if crate::rules::images::image_reference_invalid::empty_tag(cluster, &["image"]).is_some() {
        return Deployed::NotJudged;
    }
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
                product: product(cluster),
            },
            None => Deployed::TagWithoutVersion { node, text },
        };
    }
    // A digest the files wrote renders instead of the tag: the chart's default tag says nothing of
    // the image that runs.
    let digest = cluster
        .get(&["image", "digest"])
        .filter(|n| !n.span.source.is_builtin())
        .is_some_and(|n| n.as_str().is_some_and(|d| !d.is_empty()));
    if digest && cluster.reads(&["image", "digest"]) {
        return Deployed::NotJudged;
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
                product: product(cluster),
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

/// The server an image runs, from its repository: Valkey or Redis.
fn product(cluster: &RedisCluster) -> &'static str {
    let valkey = cluster
        .get(&["image", "repository"])
        .and_then(Node::as_str)
        .is_some_and(|r| r.to_ascii_lowercase().contains("valkey"));
    if valkey {
        "Valkey"
    } else {
        "Redis"
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

/// The version policy a deployment is judged by: the rows of the platform version matrix
/// ([`matrix`]) for the platform versions it runs (every row when they are not known), with
/// `[versions]` of `.acp-check.toml` over them.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The rows that apply, in platform version order.
    pub rows: Vec<Row>,
    /// The platform versions found, when every platform's is known.
    pub platforms: Option<Vec<Seen>>,
}

/// What a policy says of a Redis version.
#[derive(Debug, PartialEq)]
pub enum Verdict<'p> {
    /// Supported by every row that applies, and not below its line's recommended version.
    Supported,
    /// Supported, but below the recommended version of its line in every row that names one.
    Outdated(&'p Version),
    /// Not supported by a platform version the deployment runs (when they are known), or by any
    /// platform version (when they are not): the rows that refuse it.
    Unsupported(Vec<&'p Row>),
    /// The platform version is not known, and only some platform versions support it: those rows.
    Depends(Vec<&'p Row>),
}

impl Policy {
    pub fn new(overrides: &Versions, platforms: Option<Vec<Seen>>) -> Policy {
        let mut rows: Vec<Row> = Vec::new();
        match &platforms {
            Some(seen) => {
                for s in seen {
                    let row = matrix::row_of(&s.version);
                    if !rows.contains(row) {
                        rows.push(row.clone());
                    }
                }
            }
            None => rows.extend(matrix::rows().iter().cloned()),
        }
        for row in &mut rows {
            if let Some(req) = &overrides.redis_supported {
                row.redis_supported = vec![req.clone()];
            }
            if let Some(v) = &overrides.redis_recommended {
                row.redis_recommended = vec![v.clone()];
            }
            if let Some(v) = &overrides.redis_cluster_chart_recommended {
                row.chart = v.clone();
            }
        }
        Policy { rows, platforms }
    }

    /// The policy of a lint run's deployment, made once for its rules.
    pub fn of<'c>(cx: &'c crate::rules::Context) -> &'c Policy {
        cx.policy
            .get_or_init(|| Policy::new(cx.versions, cx.deployment.platform_versions()))
    }

    /// The verdict on a Redis version.
    pub fn judge(&self, version: &Version) -> Verdict<'_> {
        let (yes, no): (Vec<&Row>, Vec<&Row>) = self.rows.iter().partition(|r| r.supports(version));
        if yes.is_empty() || (self.platforms.is_some() && !no.is_empty()) {
            return Verdict::Unsupported(no);
        }
        if !no.is_empty() {
            return Verdict::Depends(yes);
        }
        let lines: Vec<&Version> = yes.iter().filter_map(|r| r.recommended_for(version)).collect();
        match lines.first() {
            Some(first) if lines.iter().all(|r| version < *r) => Verdict::Outdated(first),
            _ => Verdict::Supported,
        }
    }

    /// What the platform is, for messages: "platform 2.24.1 (the acp chart 2.24.1)".
    pub fn platform_words(&self) -> Option<String> {
        let seen = self.platforms.as_ref()?;
        Some(
            seen.iter()
                .map(|s| format!("platform {} ({})", s.version, s.origin))
                .collect::<Vec<_>>()
                .join(" and "),
        )
    }

    /// What the rows support, in words: "6.2.x" for one row (or rows that agree), else each row's
    /// ("6.2.x on platform 2.24.1 and earlier; 7.4.x or 6.2.x on platform 2.25.0 and later").
    pub fn supported_words(&self, rows: &[&Row]) -> String {
        let words = |r: &Row| {
            r.redis_supported
                .iter()
                .map(range_words)
                .collect::<Vec<_>>()
                .join(" or ")
        };
        let first = rows.first().map(|r| words(r)).unwrap_or_default();
        if rows.iter().all(|r| words(r) == first) {
            return first;
        }
        // Neighbouring rows that agree read as one: "6.2.x on platform 2.24.1 and earlier".
        let mut groups: Vec<(String, Row)> = Vec::new();
        for row in rows {
            match groups.last_mut() {
                Some((w, last)) if *w == words(row) => last.to = row.to.clone(),
                _ => groups.push((words(row), (*row).clone())),
            }
        }
        groups
            .iter()
            .map(|(w, r)| format!("{w} on {}", r.platforms()))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The Redis version to recommend: the first row's (the platform's, when known).
    pub fn recommended(&self) -> &Version {
        &self.rows[0].redis_recommended[0]
    }

    /// The recommended charts, newest platform first, without repeats.
    pub fn charts(&self) -> Vec<&Version> {
        let mut charts: Vec<&Version> = Vec::new();
        for row in self.rows.iter().rev() {
            if !charts.contains(&&row.chart) {
                charts.push(&row.chart);
            }
        }
        charts
    }
}

/// A Redis server's version as `INFO` reports it: Valkey reports `redis_version:7.2.4` whatever its
/// own version, and says `server_name:valkey` and `valkey_version`.
#[derive(Clone, Debug, PartialEq)]
pub struct Reported {
    /// "Redis" or "Valkey".
    pub product: &'static str,
    pub version: String,
}

impl Reported {
    /// What a server reports, from its `INFO` fields.
    pub fn of(field: impl Fn(&str) -> Option<String>) -> Option<Reported> {
        let valkey = field("server_name").is_some_and(|n| n.eq_ignore_ascii_case("valkey"));
        if let Some(version) = field("valkey_version") {
            return Some(Reported {
                product: "Valkey",
                version,
            });
        }
        let version = field("redis_version")?;
        Some(Reported {
            product: if valkey { "Valkey" } else { "Redis" },
            version: if valkey { String::new() } else { version },
        })
    }
}

/// The live check: the version a server reports in `INFO`, judged by the same policy. A version
/// that cannot be read is said (`redis-version-unknown`), never taken for an older one; Valkey is
/// judged by its own version, which no platform version supports.
pub fn live(reported: &Reported, policy: &Policy) -> Option<Finding> {
    let Some((major, minor, Some(patch))) = tag_version(&reported.version) else {
        return Some(redis_version_unknown::live(reported, policy));
    };
    if reported.product != "Redis" {
        return Some(redis_version_unsupported::live(reported, policy, &[]));
    }
    let full = Version::new(major, minor, patch);
    match policy.judge(&full) {
        Verdict::Supported => None,
        Verdict::Outdated(recommended) => Some(redis_version_outdated::live(reported, recommended)),
        Verdict::Unsupported(rows) => Some(redis_version_unsupported::live(reported, policy, &rows)),
        Verdict::Depends(rows) => Some(redis_version_unsupported::live_depends(reported, policy, &rows)),
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

    fn redis(version: &str) -> Reported {
        Reported {
            product: "Redis",
            version: version.to_string(),
        }
    }

    fn policy_of(platform: Option<&str>) -> Policy {
        let seen = platform.map(|p| {
            vec![Seen {
                version: matrix::PlatformVersion::parse(p).unwrap(),
                span: None,
                origin: format!("the acp chart {p}"),
            }]
        });
        Policy::new(&Versions::default(), seen)
    }

    #[test]
    fn live_versions_are_judged_or_said_unreadable() {
        let policy = policy_of(Some("2.24.1"));
        let rule = |reported: &str| live(&redis(reported), &policy).map(|f| f.rule.id);
        assert_eq!(rule("6.2.14"), None);
        assert_eq!(rule("6.2.7"), Some("redis-version-outdated"));
        assert_eq!(rule("7.0.15"), Some("redis-version-unsupported"));
        assert_eq!(rule("7.4.3"), Some("redis-version-unsupported"));
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
    fn what_is_supported_depends_on_the_platform_version() {
        let v = |s: &str| Version::parse(s).unwrap();
        let old = policy_of(Some("2.24.1"));
        let new = policy_of(Some("2.25.0"));
        let unknown = policy_of(None);
        assert!(matches!(old.judge(&v("7.4.3")), Verdict::Unsupported(_)));
        assert_eq!(new.judge(&v("7.4.3")), Verdict::Supported);
        assert_eq!(new.judge(&v("6.2.16")), Verdict::Supported);
        assert!(matches!(new.judge(&v("7.4.0")), Verdict::Outdated(r) if *r == v("7.4.3")));
        assert!(matches!(unknown.judge(&v("7.4.3")), Verdict::Depends(rows) if rows.len() == 1));
        assert!(matches!(unknown.judge(&v("7.2.4")), Verdict::Unsupported(_)));
        assert!(matches!(unknown.judge(&v("8.0.2")), Verdict::Unsupported(_)));
        assert!(matches!(unknown.judge(&v("6.2.7")), Verdict::Outdated(_)));
        // `[versions]` overrides the matrix for every platform version.
        let overridden = Policy::new(
            &Versions {
                redis_supported: Some(VersionReq::parse(">=7.2.0, <7.3.0").unwrap()),
                ..Versions::default()
            },
            None,
        );
        assert!(matches!(
            overridden.judge(&v("7.2.4")),
            Verdict::Supported | Verdict::Outdated(_)
        ));
        assert!(matches!(overridden.judge(&v("7.4.3")), Verdict::Unsupported(_)));
    }

    #[test]
    fn valkey_is_judged_by_its_own_version() {
        let field = |fields: &'static [(&'static str, &'static str)]| {
            move |k: &str| fields.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
        };
        let valkey = Reported::of(field(&[
            ("redis_version", "7.2.4"),
            ("server_name", "valkey"),
            ("valkey_version", "8.1.1"),
        ]))
        .unwrap();
        assert_eq!(
            valkey,
            Reported {
                product: "Valkey",
                version: "8.1.1".into()
            }
        );
        let finding = live(&valkey, &policy_of(None)).unwrap();
        assert_eq!(finding.rule.id, "redis-version-unsupported");
        assert!(finding.message.contains("Valkey 8.1.1"), "{}", finding.message);
        assert_eq!(
            Reported::of(field(&[("redis_version", "7.4.3")])).unwrap(),
            redis("7.4.3")
        );
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
