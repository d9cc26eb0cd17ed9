//! `.acp-check.toml`: per-rule severities, the version policy and probe defaults.
//! Found by walking up from the working directory, or given with `--config`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use semver::{Version, VersionReq};

/// What a rule's findings become, set per rule in `[rules]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    Info,
    Warning,
    Error,
}

/// Which Redis and chart versions the platform supports and recommends (`[versions]`). The defaults
/// are the vendor's statement (domain.md §1); a config file can follow a newer statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Versions {
    pub redis_supported: VersionReq,
    pub redis_recommended: Version,
    pub redis_cluster_chart_recommended: Version,
}

impl Default for Versions {
    fn default() -> Versions {
        Versions {
            redis_supported: VersionReq::parse(">=6.2.0, <6.3.0").expect("valid requirement"),
            redis_recommended: Version::new(6, 2, 14),
            redis_cluster_chart_recommended: Version::new(7, 6, 4),
        }
    }
}

/// Probe defaults (`[probe]`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Probe {
    pub index: Option<String>,
    pub timeout: Option<std::time::Duration>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// Where it was read from; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    pub rules: BTreeMap<String, Level>,
    pub versions: Versions,
    pub probe: Probe,
}
