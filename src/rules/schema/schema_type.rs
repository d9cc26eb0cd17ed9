//! `schema-type`: a value has the wrong type, or is outside the allowed values or range.

use crate::core::source::{Sources, Span};
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::Context;
use crate::schema::{At, Literal};
use crate::tree::{Node, Value};

pub static RULE: Rule = Rule {
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
    file: file!(),
};

/// Values of the wrong type, or outside their allowed values or range: found by the schema pass
/// ([`crate::rules::schema`]).
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    out.extend(cx.schema_findings(&RULE));
}

/// A value of another type than the schema's.
pub fn wrong_type(at: &At, path: &str, expected: &[&str], sources: &Sources) -> Finding {
    let expected_words = expected
        .iter()
        .map(|t| article(t))
        .collect::<Vec<_>>()
        .join(" or ");
    let found = describe_value(at.node, sources);
    let f = Finding::new(&RULE, format!("`{path}` must be {expected_words}, not {found}"))
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

/// A value that is none of the schema's allowed values.
pub fn not_allowed(at: &At, path: &str, options: &[Literal], sources: &Sources) -> Finding {
    let allowed: Vec<&str> = options.iter().map(|o| o.json).collect();
    let found = describe_value(at.node, sources);
    Finding::new(
        &RULE,
        format!("`{path}` must be one of {}, not {found}", allowed.join(", ")),
    )
    .at(span_of(at))
    .label("not an allowed value")
    .help(format!("use one of {}", allowed.join(", ")))
}

/// A value outside a range or pattern; a schema can say in words what a pattern means.
pub fn unmet(at: &At, path: &str, rule: &str, sources: &Sources) -> Finding {
    let mut f = match at.schema.expected {
        Some(expected) => Finding::new(
            &RULE,
            format!(
                "`{path}` must be {expected}, not {}",
                describe_value(at.node, sources)
            ),
        )
        .at(span_of(at))
        .label(format!("not {expected}")),
        None => Finding::new(&RULE, format!("`{path}` {rule}"))
            .at(span_of(at))
            .label(rule.to_string()),
    };
    if let Some(d) = &at.description {
        f = f.help(format!("{path}: {d}"));
    }
    f
}

/// A mapping or list is long: point at its key instead.
fn span_of(at: &At) -> Span {
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
