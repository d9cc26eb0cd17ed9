//! Schema rules: every value of the redis-cluster chart, the platform's Redis client and its storage
//! settings is checked against the embedded JSON Schemas (`schemas/`).

use crate::core::redact::is_sops_ciphertext;
use crate::core::source::Sources;
use crate::core::text::did_you_mean;
use crate::diagnostic::{CheckedBy, Rule};
use crate::diagnostic::{Finding, Severity};
use crate::rules::Context;
use crate::rules::{durations, encrypted, helm_typing};
use crate::schema::{At, Lit, SchemaId, Violation};
use crate::tree::{Node, Value};

pub static SCHEMA_TYPE: Rule = Rule {
    id: "schema-type",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "a value has the wrong type, or is outside the allowed values or range",
    docs: r#"## What it checks
Every value of the `redis-cluster` chart, of the platform's Redis client settings (`redis`,
`config.data.redis`, `secretConfig.data.redis`) and of its storage settings against acp-check's JSON
Schemas: types, allowed values (enums), ranges and formats (`host:port` addresses, durations).
`acp-check schema` prints the schemas.

## Why it matters
Helm does not check types: a wrong one renders a broken `redis.conf` or platform config, and the
failure shows up at start-up as a crash loop or a cryptic fatal log line, far from the values file.

## How to fix
Give the value the type the message names. Numbers in quotes are strings (`nodes: "6"`); unquoted
`true` is a boolean, not a string.

## Example
```yaml
redis-cluster:
  cluster:
    nodes: "six"           # must be an integer
  image:
    pullPolicy: Sometimes  # one of Always, IfNotPresent, Never
```
"#,
};

pub static UNKNOWN_KEY: Rule = Rule {
    id: "unknown-key",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "a key the schema does not know (a typo Helm ignores silently)",
    docs: r#"## What it checks
Keys under `redis-cluster`, the platform's Redis client settings and `storage` that the chart or the
platform does not have. Near misses get a "did you mean".

## Why it matters
Helm ignores a key no template reads: `cluster.replica: 0` leaves the default of one replica in
place, and nothing tells you. The redis-cluster schema holds the complete key tree of chart 7.6.4
and the keys 11.x adds, so an unknown key there is almost always a typo. The platform's full config
reference is not public, so an unknown platform key may be a real setting acp-check does not know yet.

## How to fix
Correct the key as suggested, or remove it.

## Example
```yaml
redis-cluster:
  usePasword: true     # did you mean `usePassword`?
```
"#,
};

/// Which schema checks which part of a release.
struct Section<'a> {
    schema: SchemaId,
    /// Shown in messages: "redis-cluster" → "`redis-cluster.cluster.nodes`".
    prefix: &'a str,
    what: &'static str,
    /// Who silently ignores an unknown key here.
    ignored_by: &'static str,
    root: &'a Node,
}

pub fn check(cx: &Context) -> Vec<Finding> {
    let mut sections = Vec::new();
    for release in &cx.deployment.releases {
        if let Some(cluster) = release.redis_cluster() {
            sections.push(Section {
                schema: SchemaId::RedisCluster,
                prefix: if cluster.prefix.is_empty() {
                    ""
                } else {
                    "redis-cluster"
                },
                what: "the redis-cluster chart",
                ignored_by: "Helm ignores it",
                root: cluster.root,
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
                });
            }
        }
    }
    let mut out: Vec<Finding> = Vec::new();
    let mut spans = std::collections::HashSet::new();
    for section in &sections {
        for violation in section.schema.get().validate(section.root) {
            if let Some(finding) = finding(section, violation, cx.sources) {
                // A value can break several keywords at once (`type` and `enum`): say it once.
                if spans.insert(finding.span) {
                    out.push(finding);
                }
            }
        }
    }
    out
}

/// `a.b[0].c`, with the section's prefix.
fn dotted(prefix: &str, path: &[String]) -> String {
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

fn finding(section: &Section, violation: Violation, sources: &Sources) -> Option<Finding> {
    match violation {
        Violation::UnknownKey { entry, path, known } => {
            let key_path = dotted(section.prefix, &path);
            let mut f = Finding::new(
                &UNKNOWN_KEY,
                format!(
                    "`{key_path}` is not a setting of {}; {}",
                    section.what, section.ignored_by
                ),
            )
            .at(entry.key_span)
            .label("unknown key");
            if let Some(suggestion) = did_you_mean(&entry.key, &known) {
                f = f.label(format!("did you mean `{suggestion}`?")).help(format!(
                    "did you mean `{suggestion}`? rename the key to `{}`",
                    dotted(
                        section.prefix,
                        &[&path[..path.len() - 1], &[suggestion.to_string()]].concat()
                    )
                ));
            } else if !known.is_empty() && known.len() <= 12 {
                let mut known = known;
                known.sort();
                f = f.help(format!("the keys allowed here are: {}", known.join(", ")));
            }
            Some(f)
        }
        Violation::Type { at, expected } => {
            let path = dotted(section.prefix, &at.path);
            if let Some(f) = opaque(&at, &path, "its type") {
                return Some(f);
            }
            if is_duration(&at) {
                return durations::without_unit(&path, at.node)
                    .or_else(|| Some(type_finding(&at, &path, &expected, sources)));
            }
            if expected.contains(&"string") {
                if let Some(f) = helm_typing::ambiguous_boolean(&path, at.node, sources) {
                    return Some(f);
                }
                // Reported by numeric-version, which says what Helm will print.
                let key = at.entry.map(|e| e.key.as_str()).unwrap_or_default();
                if helm_typing::is_version_key(key)
                    && helm_typing::numeric_version(key, at.node, sources).is_some()
                {
                    return None;
                }
            }
            Some(type_finding(&at, &path, &expected, sources))
        }
        Violation::Enum { at, options } => {
            let path = dotted(section.prefix, &at.path);
            if let Some(f) = opaque(&at, &path, "its value") {
                return Some(f);
            }
            if options.iter().any(|o| matches!(o.value, Lit::Str(_))) {
                if let Some(f) = helm_typing::ambiguous_boolean(&path, at.node, sources) {
                    return Some(f);
                }
            }
            let allowed: Vec<&str> = options.iter().map(|o| o.json).collect();
            let found = describe_value(at.node, sources);
            Some(
                Finding::new(
                    &SCHEMA_TYPE,
                    format!("`{path}` must be one of {}, not {found}", allowed.join(", ")),
                )
                .at(span_of(&at))
                .label("not an allowed value")
                .help(format!("use one of {}", allowed.join(", "))),
            )
        }
        Violation::Constraint { at, rule } => {
            let path = dotted(section.prefix, &at.path);
            if let Some(f) = opaque(&at, &path, "its value") {
                return Some(f);
            }
            // A schema can say in words what a pattern means.
            let expected = at.schema.expected;
            let mut f = match expected {
                Some(expected) => Finding::new(
                    &SCHEMA_TYPE,
                    format!(
                        "`{path}` must be {expected}, not {}",
                        describe_value(at.node, sources)
                    ),
                )
                .at(span_of(&at))
                .label(format!("not {expected}")),
                None => Finding::new(&SCHEMA_TYPE, format!("`{path}` {rule}"))
                    .at(span_of(&at))
                    .label(rule.clone()),
            };
            if let Some(d) = &at.description {
                f = f.help(format!("{path}: {d}"));
            }
            Some(f)
        }
    }
}

fn type_finding(at: &At, path: &str, expected: &[&str], sources: &Sources) -> Finding {
    let expected_words = expected
        .iter()
        .map(|t| article(t))
        .collect::<Vec<_>>()
        .join(" or ");
    let found = describe_value(at.node, sources);
    let f = Finding::new(
        &SCHEMA_TYPE,
        format!("`{path}` must be {expected_words}, not {found}"),
    )
    .at(span_of(at))
    .label(format!("expected {expected_words}"));
    match (&at.node.value, expected) {
        (Value::Str(s), ["integer"] | ["number"]) if s.trim().parse::<f64>().is_ok() => {
            f.help("remove the quotes: a quoted number is a string")
        }
        (Value::Str(s), ["boolean"]) if s == "true" || s == "false" => {
            f.help("remove the quotes: a quoted true/false is a string")
        }
        _ => match &at.description {
            Some(d) => f.help(format!("{path}: {d}")),
            None => f,
        },
    }
}

/// The schema marks Go durations with `x-acp-check-duration`.
fn is_duration(at: &At) -> bool {
    at.schema.duration
}

/// An encrypted value cannot be checked: say so instead of reporting the ciphertext's type.
fn opaque(at: &At, path: &str, what: &str) -> Option<Finding> {
    match &at.node.value {
        Value::Str(s) if is_sops_ciphertext(s) => Some(encrypted::stops(at.node.span, path, what)),
        _ => None,
    }
}

/// A mapping or list is long: point at its key instead.
fn span_of(at: &At) -> crate::core::source::Span {
    match (&at.node.value, at.entry) {
        (Value::Map(_) | Value::Seq(_), Some(entry)) => entry.key_span,
        _ => at.node.span,
    }
}

fn article(t: &str) -> String {
    match t {
        "integer" => "an integer".into(),
        "object" => "a mapping".into(),
        "array" => "a list".into(),
        "null" => "null".into(),
        other => format!("a {other}"),
    }
}

/// "a string (`six`)": the value is shown only when short and not secret.
fn describe_value(node: &Node, sources: &Sources) -> String {
    let kind = article(node.type_name());
    match sources.get(node.span.source).snippet(node.span.range()) {
        Some(text)
            if !matches!(node.value, Value::Map(_) | Value::Seq(_))
                && text.len() <= 40
                && !text.contains('\n') =>
        {
            format!("{kind} (`{text}`)")
        }
        _ => kind,
    }
}
