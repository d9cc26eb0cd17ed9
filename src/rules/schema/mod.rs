//! Schema rules: every value of the redis-cluster chart, the platform's Redis client and its storage
//! settings is checked against the embedded JSON Schemas (`schemas/`). One pass per deployment
//! validates every section ([`pass`]) and hands each violation to the one rule that reports it: an
//! encrypted value to `encrypted-value`, a bare number for a duration to `duration-without-unit`, a
//! YAML 1.1 boolean where a string belongs to `ambiguous-boolean`, a version written as a number to
//! `numeric-version` (which reports it from its own walk), an unknown key to `unknown-key`, and the
//! rest to `schema-type`. Each of those rules takes its findings from the pass.

pub mod schema_type;
pub mod unknown_key;

use crate::core::redact::is_sops_ciphertext;
use crate::core::source::Sources;
use crate::diagnostic::Finding;
use crate::model::charts::{Chart, ChartVersion, Key};
use crate::rules::values::{ambiguous_boolean, duration_without_unit, encrypted_value, numeric_version};
use crate::rules::Context;
use crate::schema::{At, Lit, SchemaId, Violation};
use crate::tree::{Node, Value};

/// Which schema checks which part of a release.
pub struct Section<'a> {
    schema: SchemaId,
    /// Shown in messages: "redis-cluster" → "`redis-cluster.cluster.nodes`".
    pub prefix: &'a str,
    pub what: &'static str,
    /// Who silently ignores an unknown key here.
    pub ignored_by: &'static str,
    root: &'a Node,
    /// For a chart acp-check has per-version data for: the chart, and its version if known. Keys
    /// are judged against that version's key tree (or, for a version not known, against every
    /// version's), types against what that version renders.
    chart: Option<(Chart, Option<&'static ChartVersion>)>,
}

/// The findings of every schema violation of the deployment, each once per place.
pub fn pass(cx: &Context) -> Vec<Finding> {
    let mut sections = Vec::new();
    for release in &cx.deployment.releases {
        if let Some(cluster) = release.redis_cluster() {
            sections.push(Section {
                schema: SchemaId::RedisCluster,
                prefix: cluster.key.unwrap_or(""),
                what: "the redis-cluster chart",
                ignored_by: "Helm ignores it",
                root: cluster.root,
                chart: Some((Chart::RedisCluster, cluster.version())),
            });
        }
        if let Some(platform) = release.platform() {
            if let Some(client) = platform.redis_client() {
                sections.push(Section {
                    schema: SchemaId::AcpRedisClient,
                    prefix: "redis",
                    what: "the platform's Redis client",
                    ignored_by:
                        "the platform ignores it (unless it is a setting acp-check does not know yet)",
                    root: client.node,
                    chart: None,
                });
            }
            if let Some(storage) = platform.storage() {
                sections.push(Section {
                    schema: SchemaId::AcpStorage,
                    prefix: "storage",
                    what: "the platform's storage settings",
                    ignored_by:
                        "the platform ignores it (unless it is a setting acp-check does not know yet)",
                    root: storage,
                    chart: None,
                });
            }
        }
    }
    let mut out: Vec<Finding> = Vec::new();
    let mut spans = std::collections::HashSet::new();
    for section in &sections {
        for violation in section.schema.get().validate(section.root) {
            // A chart's default (merged into the platform's settings) is not the user's to fix.
            if violation.node_span().is_some_and(|s| s.source.is_builtin()) {
                continue;
            }
            if let Some(finding) = route(section, violation, cx.sources) {
                // A value can break several keywords at once (`type` and `enum`): say it once.
                if spans.insert(finding.span) {
                    out.push(finding);
                }
            }
        }
    }
    out
}

/// The finding of the rule that reports a violation (`None`: `numeric-version` reports it).
fn route(section: &Section, violation: Violation, sources: &Sources) -> Option<Finding> {
    match violation {
        Violation::UnknownKey {
            entry,
            path,
            mut known,
        } => {
            if let Some((chart, version)) = section.chart {
                let keys: Vec<&str> = path.iter().map(String::as_str).collect();
                // A key of another version is `chart-key-unavailable`'s; one of this version (or,
                // the version not known, of any) is no typo whatever the schema says.
                if chart.has_key_anywhere(&keys) {
                    return None;
                }
                if let Some(Key::Unknown { known_siblings }) = version.map(|v| v.key(&keys)) {
                    known = known_siblings.into_iter().map(str::to_string).collect();
                }
            }
            Some(unknown_key::finding(section, entry, &path, known, sources))
        }
        Violation::Type { at, .. } | Violation::Enum { at, .. }
            if section.chart.is_some() && renders_fine(&at, section.chart) =>
        {
            None
        }
        Violation::Type { at, expected } => {
            let path = dotted(section.prefix, &at.path);
            if let Some(f) = encrypted(&at, &path, "its type") {
                return Some(f);
            }
            if at.schema.duration {
                return duration_without_unit::finding(&path, at.node, sources)
                    .or_else(|| Some(schema_type::wrong_type(&at, &path, &expected, sources)));
            }
            if expected.contains(&"string") {
                if let Some(f) = ambiguous_boolean::finding(&path, at.node, sources) {
                    return Some(f);
                }
                let key = at.entry.map(|e| e.key.as_str()).unwrap_or_default();
                if numeric_version::is_version_key(key)
                    && numeric_version::finding(key, at.node, sources).is_some()
                {
                    return None;
                }
            }
            Some(schema_type::wrong_type(&at, &path, &expected, sources))
        }
        Violation::Enum { at, options } => {
            let path = dotted(section.prefix, &at.path);
            if let Some(f) = encrypted(&at, &path, "its value") {
                return Some(f);
            }
            if options.iter().any(|o| matches!(o.value, Lit::Str(_))) {
                if let Some(f) = ambiguous_boolean::finding(&path, at.node, sources) {
                    return Some(f);
                }
            }
            Some(schema_type::not_allowed(&at, &path, options, sources))
        }
        Violation::Constraint { at, rule } => {
            let path = dotted(section.prefix, &at.path);
            if let Some(f) = encrypted(&at, &path, "its value") {
                return Some(f);
            }
            Some(schema_type::unmet(&at, &path, &rule, sources))
        }
    }
}

/// Values of the redis-cluster chart the schema's types refuse that the chart renders into a
/// working deployment: a node count written `"6"` or `6.0` (rendered as the number), a
/// `useAOFPersistence` in any case (`"Yes"`: Redis reads yes and no in any case) or, from chart
/// 11.4.5, a boolean (the chart maps it to yes or no).
fn renders_fine(at: &At, chart: Option<(Chart, Option<&'static ChartVersion>)>) -> bool {
    let path: Vec<&str> = at.path.iter().map(String::as_str).collect();
    match (&path[..], &at.node.value) {
        (["cluster", "nodes" | "replicas"], Value::Str(_) | Value::Float(_)) => {
            crate::model::redis_cluster::whole_number(at.node).is_some_and(|n| n >= 0)
        }
        (["redis", "useAOFPersistence"], Value::Str(s)) => {
            s.eq_ignore_ascii_case("yes") || s.eq_ignore_ascii_case("no")
        }
        (["redis", "useAOFPersistence"], Value::Bool(_)) => chart
            .and_then(|(_, v)| v)
            .and_then(|v| semver::Version::parse(v.version()).ok())
            .is_some_and(|v| v >= semver::Version::new(11, 4, 5)),
        _ => false,
    }
}

/// An encrypted value cannot be checked: say so instead of reporting the ciphertext's type.
fn encrypted(at: &At, path: &str, what: &str) -> Option<Finding> {
    match &at.node.value {
        Value::Str(s) if is_sops_ciphertext(s) => Some(encrypted_value::stops(at.node.span, path, what)),
        _ => None,
    }
}

/// `a.b[0].c`, with the section's prefix.
pub fn dotted(prefix: &str, path: &[String]) -> String {
    let mut out = prefix.to_string();
    for seg in path {
        if seg.parse::<usize>().is_ok() && !out.is_empty() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out
}
