//! `duration-without-unit`: a duration setting is a bare number, which Go reads as nanoseconds.

use crate::core::source::Sources;
use crate::diagnostic::{Applicability, CheckedBy, Finding, Fix, Rule, Severity};
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

## Fix safety
Unsafe: `--fix --unsafe-fixes` writes the number in milliseconds (`32` becomes `32ms`), the unit
these settings are almost always meant in; but it changes what the platform does, so check it.
Only a number written in decimal digits is fixed.
"#,
    file: file!(),
};

/// Milliseconds are what was almost always meant, but the platform's behaviour changes.
pub const FIX: Applicability = Applicability::Unsafe;

/// The settings the schemas mark as Go durations: found by the schema pass ([`crate::rules::schema`]).
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    out.extend(cx.schema_findings(&RULE));
}

/// The finding for a duration written as a number, if it is one.
pub fn finding(path: &str, node: &Node, sources: &Sources) -> Option<Finding> {
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
        .help(format!("write the unit, e.g. `{shown}ms` or `{shown}s`"))
        .fix(in_milliseconds(node, sources)),
    )
}

/// The number as written, in milliseconds: `32` → `32ms` (a number written otherwise than in decimal
/// digits, `0x20` or `1e3`, is left alone: Go reads no unit after it).
fn in_milliseconds(node: &Node, sources: &Sources) -> Option<Fix> {
    let written = crate::rules::fix::written(sources, node.span)?;
    let (whole, fraction) = written.split_once('.').unwrap_or((written, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (node.plain && digits(whole) && digits(fraction))
        .then(|| Fix::replace(FIX, node.span, format!("{written}ms")))
}
