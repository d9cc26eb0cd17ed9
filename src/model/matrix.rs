//! The platform version matrix: which Redis versions each platform version supports and
//! recommends, the redis-cluster chart it is meant to run with and the RediSearch build the
//! vendor's umbrella chart ships, with the source of every row (`data/platform-versions.tsv`).
//!
//! A platform version is the `acp` chart's version (kube-acp-stack's acp dependency follows it, and
//! so does the acp image tag). Cloudentity publishes `2.8.1-1` *after* `2.8.1`, so a suffix `-N` is
//! read as a later build of the same version, not as a SemVer prerelease.

use semver::{Version, VersionReq};

/// A platform version: `2.25.0`, `2.8.1-1` (a build after `2.8.1`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlatformVersion {
    pub core: (u64, u64, u64),
    /// The `-N` build after the core version (`None`: the version itself, which comes first).
    pub build: Option<u64>,
}

impl PlatformVersion {
    /// Reads `2.25.0`, `v2.25.0`, `2.8.1-1`; a tag with a non-numeric suffix (`2.25.0-distroless`)
    /// reads as its core version. Anything else is not a platform version.
    pub fn parse(text: &str) -> Option<PlatformVersion> {
        let text = text.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let text = text.split('@').next()?;
        let (core, suffix) = match text.split_once('-') {
            Some((core, suffix)) => (core, Some(suffix)),
            None => (text, None),
        };
        let mut parts = core.split('.');
        let mut number = || -> Option<u64> {
            let p = parts.next()?;
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse().ok()
        };
        let core = (number()?, number()?, number()?);
        if parts.next().is_some() {
            return None;
        }
        let build = suffix.and_then(|s| s.parse().ok());
        Some(PlatformVersion { core, build })
    }
}

impl std::fmt::Display for PlatformVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (a, b, c) = self.core;
        write!(f, "{a}.{b}.{c}")?;
        if let Some(n) = self.build {
            write!(f, "-{n}")?;
        }
        Ok(())
    }
}

/// One row of the matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The first platform version of the row (`None`: every version before `to`).
    pub from: Option<PlatformVersion>,
    /// The last platform version of the row (`None`: every version from `from` on).
    pub to: Option<PlatformVersion>,
    /// The Redis versions supported: any requirement may match.
    pub redis_supported: Vec<VersionReq>,
    /// The Redis version recommended, then the recommended version of each other supported line
    /// (`6.2.14` beside `7.4.3`): a version below the one of its line is outdated.
    pub redis_recommended: Vec<Version>,
    /// The redis-cluster chart version recommended.
    pub chart: Version,
    /// The RediSearch build kube-acp-stack ships, in words.
    pub redisearch: &'static str,
    /// Where the row comes from.
    pub source: &'static str,
}

impl Row {
    /// Whether the row holds `version`.
    pub fn covers(&self, version: &PlatformVersion) -> bool {
        self.from.as_ref().is_none_or(|f| f <= version) && self.to.as_ref().is_none_or(|t| version <= t)
    }

    /// The recommended version of `version`'s line (same major and minor), if the row names one.
    pub fn recommended_for(&self, version: &Version) -> Option<&Version> {
        self.redis_recommended
            .iter()
            .find(|r| r.major == version.major && r.minor == version.minor)
    }

    /// Whether Redis `version` is supported in this row.
    pub fn supports(&self, version: &Version) -> bool {
        self.redis_supported.iter().any(|r| r.matches(version))
    }

    /// The platform versions of the row, in words: "up to 2.8.1", "2.8.1-1 to 2.24.1", "2.25.0 and later".
    pub fn platforms(&self) -> String {
        match (&self.from, &self.to) {
            (None, None) => "every platform version".to_string(),
            (None, Some(to)) => format!("platform {to} and earlier"),
            (Some(from), None) => format!("platform {from} and later"),
            (Some(from), Some(to)) => format!("platform {from} to {to}"),
        }
    }
}

/// The rows, in platform version order.
pub fn rows() -> &'static [Row] {
    static ROWS: std::sync::OnceLock<Vec<Row>> = std::sync::OnceLock::new();
    ROWS.get_or_init(|| parse(include_str!("../../data/platform-versions.tsv")))
}

/// The row that holds `version` (every version is in one: the first row is open below, the last
/// above).
pub fn row_of(version: &PlatformVersion) -> &'static Row {
    rows()
        .iter()
        .find(|r| r.covers(version))
        .unwrap_or_else(|| rows().last().expect("the matrix has rows"))
}

fn parse(text: &'static str) -> Vec<Row> {
    let bound = |s: &str| match s {
        "-" => None,
        s => Some(PlatformVersion::parse(s).expect("a platform version in data/platform-versions.tsv")),
    };
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|line| {
            let cols: Vec<&'static str> = line.split('\t').collect();
            assert_eq!(cols.len(), 7, "7 columns in data/platform-versions.tsv: {line}");
            Row {
                from: bound(cols[0]),
                to: bound(cols[1]),
                redis_supported: cols[2]
                    .split(" | ")
                    .map(|r| VersionReq::parse(r).expect("a version requirement"))
                    .collect(),
                redis_recommended: cols[3]
                    .split(" | ")
                    .map(|r| Version::parse(r).expect("a version"))
                    .collect(),
                chart: Version::parse(cols[4]).expect("a version"),
                redisearch: cols[5],
                source: cols[6],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::charts::{self, Chart};

    fn v(s: &str) -> PlatformVersion {
        PlatformVersion::parse(s).unwrap()
    }

    #[test]
    fn cloudentity_builds_come_after_their_version() {
        assert!(v("2.8.1") < v("2.8.1-1"));
        assert!(v("2.8.1-1") < v("2.8.2"));
        assert_eq!(v("v2.25.0").to_string(), "2.25.0");
        assert_eq!(v("2.25.0-distroless").core, (2, 25, 0));
        assert_eq!(PlatformVersion::parse("latest"), None);
        assert_eq!(PlatformVersion::parse("2.25"), None);
        assert_eq!(PlatformVersion::parse("2.25.0.1"), None);
    }

    #[test]
    fn every_version_is_in_exactly_one_row() {
        for chart in [Chart::Acp, Chart::KubeAcpStack] {
            for version in charts::versions(chart) {
                let p = v(version.version());
                assert_eq!(rows().iter().filter(|r| r.covers(&p)).count(), 1, "{p}");
            }
        }
        assert_eq!(row_of(&v("2.8.1")).chart, Version::new(7, 6, 4));
        assert!(row_of(&v("2.8.1-1")).redisearch.contains("coordinator"));
        assert_eq!(row_of(&v("2.99.0")).redis_recommended[0], Version::new(7, 4, 3));
    }

    /// The chart and RediSearch columns say what kube-acp-stack of those versions ships.
    #[test]
    fn rows_agree_with_the_umbrella_chart_data() {
        for version in charts::versions(Chart::KubeAcpStack) {
            let row = row_of(&v(version.version()));
            let Some(dependency) = version
                .dependencies()
                .iter()
                .find(|d| d.chart() == Some(Chart::RedisCluster))
            else {
                continue;
            };
            let shipped = dependency.version();
            let init = version
                .default_at(&["redis-cluster", "redis", "initContainers"])
                .map(|n| format!("{n:?}"))
                .unwrap_or_default();
            if row.from.is_some() && row.to.is_none() {
                assert_eq!(
                    shipped,
                    row.chart.to_string(),
                    "kube-acp-stack {}",
                    version.version()
                );
                assert!(
                    init.contains("coord-v2.10.14"),
                    "kube-acp-stack {}",
                    version.version()
                );
            }
            if row.to.as_ref() == Some(&v(version.version())) {
                assert_eq!(
                    shipped,
                    row.chart.to_string(),
                    "kube-acp-stack {}",
                    version.version()
                );
            }
            if row.redisearch.contains("no coordinator") && shipped.starts_with("7.") {
                assert!(!init.contains("coord"), "kube-acp-stack {}", version.version());
            }
        }
    }
}
