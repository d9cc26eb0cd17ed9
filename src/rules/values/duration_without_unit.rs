//! `duration-without-unit`: a duration setting is a bare number, which Go reads as nanoseconds.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::Context;
use crate::tree::{Node, Value};

pub static RULE: Rule = Rule {
    id: "duration-without-unit",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "a duration setting is a bare number, which Go reads as nanoseconds",
    docs: r#"## What it checks
Duration settings of the platform's Redis client (`min_retry_backoff`, `max_retry_backoff`,
`streams.sleep`, `consumer_groups.*.timeout`, …) written as a bare number.

## Why it matters
The platform is written in Go, where a duration without a unit is a count of nanoseconds:
`min_retry_backoff: 32` is 32 ns, not 32 ms. Retries then hammer Redis with no back-off at all. Public
configs have committed exactly this mistake and fixed it later.

## How to fix
Write the unit: `32ms`, `512ms`, `1s`, `2m`.

## Example
```yaml
acp:
  redis:
    min_retry_backoff: 32      # 32 nanoseconds
    max_retry_backoff: 512ms
```
"#,
    file: file!(),
};

/// The settings the schemas mark as Go durations: found by the schema pass ([`crate::rules::schema`]).
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    out.extend(cx.schema_findings(&RULE));
}

/// The finding for a duration written as a number, if it is one.
pub fn finding(path: &str, node: &Node) -> Option<Finding> {
    let shown = match node.value {
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::tree::go_float(f),
        _ => return None,
    };
    Some(
        Finding::new(
            &RULE,
            format!("`{path}: {shown}` has no unit: the platform reads it as {shown} nanoseconds"),
        )
        .at(node.span)
        .label("nanoseconds")
        .help(format!("write the unit, e.g. `{shown}ms` or `{shown}s`")),
    )
}
