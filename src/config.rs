//! `.acp-check.toml`: per-rule severities, the version policy and probe defaults.
//! Found by walking up from the working directory, or given with `--config`. The rule ids it may
//! name are given by the caller (the registry is a layer above this one).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use semver::{Version, VersionReq};
use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

use crate::core::read::{self, Failure, Limit};
use crate::core::source::{Origin, Source};
use crate::core::text::did_you_mean;
use crate::core::Fatal;

/// What a rule's findings become, set per rule in `[rules]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    Info,
    Warning,
    Error,
}

/// What `[versions]` overrides of the platform version matrix (`data/platform-versions.tsv`): each
/// key set replaces that column for every platform version, so that a user can follow a new vendor
/// statement without a new release. Unset keys keep the matrix.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Versions {
    pub redis_supported: Option<VersionReq>,
    pub redis_recommended: Option<Version>,
    pub redis_cluster_chart_recommended: Option<Version>,
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
    /// `[charts]`: the version of each chart deployed (as `--chart-version`, which wins over it).
    pub chart_versions: Vec<(String, String)>,
    /// `[files]`: globs (relative to a directory searched) of files a search always reads
    /// (`include`) and never reads (`exclude`, which wins).
    pub files_include: Vec<String>,
    pub files_exclude: Vec<String>,
}

/// The file looked for in the working directory and each of its parents.
pub const FILE_NAME: &str = ".acp-check.toml";

/// The levels a rule can be set to, as written in `[rules]`.
const LEVELS: [(&str, Level); 4] = [
    ("off", Level::Off),
    ("info", Level::Info),
    ("warning", Level::Warning),
    ("error", Level::Error),
];

/// Reads the configuration: the file given with `--config` (which must exist), else the first
/// `.acp-check.toml` in `cwd` or one of its parents, else the defaults. `rules` are the rule ids
/// `[rules]` may name. Every problem in the file is reported as `PATH:LINE:COLUMN: what is wrong`.
pub fn load(explicit: Option<&Path>, cwd: &Path, rules: &[&str]) -> Result<Config, Fatal> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => match discover(cwd) {
            Some(path) => path,
            None => return Ok(Config::default()),
        },
    };
    let bytes = read::read_file(&path, Limit::CONFIG).map_err(|failure| {
        let reason = match &failure {
            Failure::Io(e) if e.kind() == std::io::ErrorKind::NotFound => "no such file".to_string(),
            Failure::Io(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
                "is a directory, not a config file".to_string()
            }
            Failure::Io(e) => e.to_string(),
            Failure::Refused(why) => why.clone(),
        };
        Fatal(format!("{}: {reason}", path.display()))
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Fatal(format!(
            "{}: not UTF-8 text (at byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    parse(&text, &path, rules)
}

/// The first `.acp-check.toml` in `cwd` or one of its parents. Anything of that name but a
/// directory counts: a named pipe or a link to a device is found, and refused when read, rather
/// than silently passed over.
pub fn discover(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|p| std::fs::metadata(p).is_ok_and(|m| !m.is_dir()))
}

/// Parses the text of a config file; `path` names it in error messages, `rules` are the rule ids.
pub fn parse(text: &str, path: &Path, rules: &[&str]) -> Result<Config, Fatal> {
    let located = |span: Range<usize>, what: String| {
        let source = Source::new(path.display().to_string(), Origin::File, text.to_string());
        let (line, column) = source.line_col(span.start);
        Fatal(format!("{}:{line}:{column}: {what}", path.display()))
    };
    let document = DeTable::parse(text).map_err(|e| {
        let message = e.message().trim_end().replace('\n', "; ");
        located(e.span().unwrap_or(0..0), format!("not valid TOML: {message}"))
    })?;
    let mut config = Config {
        path: Some(path.to_path_buf()),
        ..Config::default()
    };
    for (key, value) in in_source_order(document.get_ref()) {
        let name = key.get_ref().as_ref();
        if !TABLES.contains(&name) {
            return Err(located(key.span(), unknown("table", name, &TABLES, "")));
        }
        let Some(table) = value.get_ref().as_table() else {
            return Err(located(
                value.span(),
                format!("`{name}` must be a table: write `[{name}]` on a line of its own"),
            ));
        };
        match name {
            "rules" => {
                for (key, value) in in_source_order(table) {
                    let id = key.get_ref().as_ref();
                    if !rules.contains(&id) {
                        return Err(located(key.span(), unknown("rule", id, rules, " in [rules]")));
                    }
                    let level = value
                        .get_ref()
                        .as_str()
                        .and_then(|s| LEVELS.iter().find(|(n, _)| *n == s))
                        .map(|(_, level)| *level)
                        .ok_or_else(|| {
                            located(
                                value.span(),
                                format!(
                                    "`{id}` is set to {}: a level is one of \"off\", \"info\", \"warning\", \"error\"",
                                    shown(value.get_ref())
                                ),
                            )
                        })?;
                    config.rules.insert(id.to_string(), level);
                }
            }
            "versions" => {
                for (key, value) in in_source_order(table) {
                    let k = key.get_ref().as_ref();
                    if !VERSION_KEYS.contains(&k) {
                        return Err(located(
                            key.span(),
                            unknown("key", k, &VERSION_KEYS, " in [versions]"),
                        ));
                    }
                    let Some(s) = value.get_ref().as_str() else {
                        return Err(located(
                            value.span(),
                            format!("`{k}` must be a string, not {}", shown(value.get_ref())),
                        ));
                    };
                    let bad = |e: semver::Error, what: &str| {
                        located(value.span(), format!("`{k}`: {s:?} is not {what}: {e}"))
                    };
                    match k {
                        "redis-supported" => {
                            config.versions.redis_supported =
                                Some(VersionReq::parse(s).map_err(|e| {
                                    bad(e, "a version requirement (e.g. \">=6.2.0, <6.3.0\")")
                                })?);
                        }
                        "redis-recommended" => {
                            config.versions.redis_recommended =
                                Some(Version::parse(s).map_err(|e| bad(e, "a version (e.g. \"6.2.14\")"))?);
                        }
                        _ => {
                            config.versions.redis_cluster_chart_recommended =
                                Some(Version::parse(s).map_err(|e| bad(e, "a version (e.g. \"7.6.4\")"))?);
                        }
                    }
                }
            }
            "charts" => {
                for (key, value) in in_source_order(table) {
                    let chart = key.get_ref().as_ref();
                    if !CHART_KEYS.contains(&chart) {
                        return Err(located(
                            key.span(),
                            unknown("chart", chart, &CHART_KEYS, " in [charts]"),
                        ));
                    }
                    match value.get_ref().as_str().map(str::trim) {
                        Some(v) if !v.is_empty() => {
                            config.chart_versions.push((chart.to_string(), v.to_string()))
                        }
                        _ => {
                            return Err(located(
                                value.span(),
                                format!(
                                    "`{chart}` must be a chart version such as \"7.6.4\", not {}",
                                    shown(value.get_ref())
                                ),
                            ))
                        }
                    }
                }
            }
            "probe" => {
                for (key, value) in in_source_order(table) {
                    let k = key.get_ref().as_ref();
                    if !PROBE_KEYS.contains(&k) {
                        return Err(located(key.span(), unknown("key", k, &PROBE_KEYS, " in [probe]")));
                    }
                    let s = value.get_ref().as_str();
                    if k == "index" {
                        match s {
                            Some(s) if !s.trim().is_empty() => config.probe.index = Some(s.to_string()),
                            _ => {
                                return Err(located(
                                    value.span(),
                                    format!(
                                        "`index` must be the name of a search index, not {}",
                                        shown(value.get_ref())
                                    ),
                                ))
                            }
                        }
                    } else {
                        let timeout = s
                            .ok_or_else(|| shown(value.get_ref()))
                            .and_then(|s| parse_duration(s).map_err(|e| format!("{s:?} ({e})")));
                        match timeout {
                            Ok(d) => config.probe.timeout = Some(d),
                            Err(what) => {
                                return Err(located(
                                    value.span(),
                                    format!(
                                        "`timeout` must be a duration string such as \"3s\", \"500ms\" or \"1m\", not {what}"
                                    ),
                                ))
                            }
                        }
                    }
                }
            }
            "files" => {
                for (key, value) in in_source_order(table) {
                    let k = key.get_ref().as_ref();
                    if !FILES_KEYS.contains(&k) {
                        return Err(located(key.span(), unknown("key", k, &FILES_KEYS, " in [files]")));
                    }
                    let globs: Option<Vec<String>> = value.get_ref().as_array().and_then(|a| {
                        a.iter()
                            .map(|g| g.get_ref().as_str().map(str::to_string))
                            .collect()
                    });
                    let Some(globs) = globs else {
                        return Err(located(
                            value.span(),
                            format!(
                                "`{k}` must be a list of globs such as [\"env/*.yaml\"], not {}",
                                shown(value.get_ref())
                            ),
                        ));
                    };
                    if k == "include" {
                        config.files_include = globs;
                    } else {
                        config.files_exclude = globs;
                    }
                }
            }
            _ => unreachable!("tables are checked above"),
        }
    }
    Ok(config)
}

const TABLES: [&str; 5] = ["rules", "versions", "charts", "probe", "files"];
const FILES_KEYS: [&str; 2] = ["include", "exclude"];
/// The charts `[charts]` may give a version of.
const CHART_KEYS: [&str; 3] = ["redis-cluster", "kube-acp-stack", "acp"];
const VERSION_KEYS: [&str; 3] = [
    "redis-supported",
    "redis-recommended",
    "redis-cluster-chart-recommended",
];
const PROBE_KEYS: [&str; 2] = ["index", "timeout"];

type Entry<'t, 'i> = (&'t Spanned<DeString<'i>>, &'t Spanned<DeValue<'i>>);

/// A table's entries in the order they are written, so the first problem reported is the first in the file.
fn in_source_order<'t, 'i>(table: &'t DeTable<'i>) -> Vec<Entry<'t, 'i>> {
    let mut entries: Vec<Entry<'t, 'i>> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// "unknown rule `x` in [rules]; did you mean `y`?"
fn unknown(what: &str, name: &str, known: &[&str], place: &str) -> String {
    let known: Vec<String> = known.iter().map(|k| k.to_string()).collect();
    match did_you_mean(name, &known) {
        Some(suggestion) => format!("unknown {what} `{name}`{place}; did you mean `{suggestion}`?"),
        None if known.len() <= 8 => format!(
            "unknown {what} `{name}`{place}; expected one of: {}",
            known.join(", ")
        ),
        None => format!("unknown {what} `{name}`{place}; `acp-check rules` lists the rule ids"),
    }
}

/// A TOML value as shown in a message.
fn shown(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => format!("{:?}", s.as_ref()),
        DeValue::Integer(i) => format!("the number {}", i.as_str()),
        DeValue::Float(f) => format!("the number {}", f.as_str()),
        DeValue::Boolean(b) => format!("the boolean {b}"),
        other => format!("a {}", other.type_str()),
    }
}

/// A duration as Go writes it: one or more numbers with a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`),
/// such as `3s`, `500ms`, `1.5s` or `1m30s`. It must be above zero.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    const UNITS: [(&str, f64); 8] = [
        ("ns", 1e-9),
        ("us", 1e-6),
        ("µs", 1e-6),
        ("μs", 1e-6),
        ("ms", 1e-3),
        ("s", 1.0),
        ("m", 60.0),
        ("h", 3600.0),
    ];
    let text = text.trim();
    if text.is_empty() {
        return Err("empty".into());
    }
    let mut rest = text;
    let mut seconds = 0.0f64;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = match &rest[..digits] {
            "" => return Err("expected a number".into()),
            n => n.parse().map_err(|_| format!("`{n}` is not a number"))?,
        };
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let Some((_, scale)) = UNITS.iter().find(|(u, _)| *u == unit) else {
            return Err(if unit.starts_with(char::is_whitespace) {
                "write the unit right after the number, as in `3s`".into()
            } else if unit.is_empty() {
                "a number needs a unit: ms, s, m or h".into()
            } else {
                format!("unknown unit `{unit}`: use ms, s, m or h")
            });
        };
        seconds += number * scale;
        rest = &rest[unit_len..];
    }
    if seconds <= 0.0 {
        return Err("it must be above zero".into());
    }
    if seconds > 1e9 {
        return Err("it is too long".into());
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rule ids for the tests: ten, so that an unknown one is told `acp-check rules`.
    const RULES: &[&str] = &[
        "yaml-syntax",
        "duplicate-key",
        "schema-type",
        "unknown-key",
        "redis-version-unsupported",
        "password-mismatch",
        "tls-mismatch",
        "cluster-no-replicas",
        "plaintext-secret",
        "unused-suppression",
    ];

    fn error(text: &str) -> String {
        parse(text, Path::new("c.toml"), RULES).unwrap_err().0
    }

    #[test]
    fn durations_as_go_writes_them() {
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        for bad in ["", "3", "s", "3 s", "3sec", "0s", "-1s", "1..2s", "1e3s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        let config = parse("# nothing yet\n", Path::new("c.toml"), RULES).unwrap();
        assert_eq!(
            config,
            Config {
                path: Some("c.toml".into()),
                ..Config::default()
            }
        );
    }

    #[test]
    fn every_setting_is_read() {
        let config = parse(
            "[rules]\nunknown-key = \"off\"\nschema-type = \"info\"\n\
             [versions]\nredis-supported = \">=7.2, <7.3\"\nredis-recommended = \"7.2.5\"\n\
             redis-cluster-chart-recommended = \"11.0.0\"\n\
             [probe]\nindex = \"idx\"\ntimeout = \"250ms\"\n",
            Path::new("c.toml"),
            RULES,
        )
        .unwrap();
        assert_eq!(config.rules["unknown-key"], Level::Off);
        assert_eq!(config.rules["schema-type"], Level::Info);
        let supported = config.versions.redis_supported.as_ref().unwrap();
        assert!(supported.matches(&Version::new(7, 2, 9)));
        assert!(!supported.matches(&Version::new(6, 2, 14)));
        assert_eq!(config.versions.redis_recommended, Some(Version::new(7, 2, 5)));
        assert_eq!(
            config.versions.redis_cluster_chart_recommended,
            Some(Version::new(11, 0, 0))
        );
        assert_eq!(config.probe.index.as_deref(), Some("idx"));
        assert_eq!(config.probe.timeout, Some(Duration::from_millis(250)));
    }

    #[test]
    fn errors_are_located_by_line_and_character_column() {
        assert_eq!(
            error("[rules]\n\"ünknown-kéy\" = \"off\"\n"),
            "c.toml:2:1: unknown rule `ünknown-kéy` in [rules]; did you mean `unknown-key`?"
        );
        assert_eq!(
            error("# é\n[rules]\nunknown-key = \"Warning\"\n"),
            "c.toml:3:15: `unknown-key` is set to \"Warning\": a level is one of \"off\", \"info\", \"warning\", \"error\""
        );
        // The first problem in the file is the one reported.
        assert!(error("[probe]\ntimeout = \"x\"\n[rules]\nnope = \"off\"\n").starts_with("c.toml:2:11:"));
        assert!(error("[rules]\nnope = \"off\"\n[probe]\ntimeout = \"x\"\n").starts_with("c.toml:2:1:"));
    }

    #[test]
    fn discovery_walks_up_to_the_root() {
        let root = std::env::temp_dir().join(format!("acp-check-config-unit-{}", std::process::id()));
        let deep = root.join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(
            root.join("a").join(FILE_NAME),
            "[rules]\nunknown-key = \"error\"\n",
        )
        .unwrap();
        // A directory of that name is not a config file.
        std::fs::create_dir_all(root.join("a/b").join(FILE_NAME)).unwrap();
        assert_eq!(discover(&deep), Some(root.join("a").join(FILE_NAME)));
        let config = load(None, &deep, RULES).unwrap();
        assert_eq!(config.rules["unknown-key"], Level::Error);
        assert!(load(Some(&root.join("missing.toml")), &deep, RULES)
            .unwrap_err()
            .0
            .ends_with("missing.toml: no such file"));
        let _ = std::fs::remove_dir_all(&root);
    }
}
