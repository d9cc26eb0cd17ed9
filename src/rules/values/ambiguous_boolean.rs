//! `ambiguous-boolean`: an unquoted yes/no/on/off/y/n that Helm reads as a boolean where a string is expected.

use crate::core::source::Sources;
use crate::diagnostic::{Applicability, CheckedBy, Finding, Fix, Rule, Severity};
use crate::rules::Context;
use crate::tree::{Node, Value};
use crate::yaml::is_yaml11_only_bool;

pub static RULE: Rule = Rule {
    id: "ambiguous-boolean",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "an unquoted yes/no/on/off/y/n that Helm reads as a boolean where a string is expected",
    docs: r#"## What it checks
Values where the chart expects a string, written as an unquoted `yes`, `no`, `on`, `off`, `y` or `n`
(in any of their YAML 1.1 spellings).

## Why it matters
Helm reads values files as YAML 1.1, where these words are booleans. The Bitnami chart's
`redis.useAOFPersistence` wants the *string* `"yes"` or `"no"`; an unquoted `yes` reaches the template
as `true`, and the chart renders something Redis does not expect.

## How to fix
Quote the value: `useAOFPersistence: "yes"`.

## Example
```yaml
redis-cluster:
  redis:
    useAOFPersistence: yes     # Helm reads true
```

## Fix safety
Safe: `--fix` quotes the word as written (`yes` becomes `"yes"`), the string the chart expects and
the one that was meant. A value that is a secret (a password written `yes`) is not fixed.
"#,
    file: file!(),
};

/// Quoting the word is what was meant: the chart wants the string.
pub const FIX: Applicability = Applicability::Safe;

/// Where the schema expects a string: found by the schema pass ([`crate::rules::schema`]).
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    out.extend(cx.schema_findings(&RULE));
}

/// The finding for a boolean where the schema expects a string, if it was written as a YAML 1.1
/// word (`yes`, `off`, …) rather than `true`/`false`.
pub fn finding(path: &str, node: &Node, sources: &Sources) -> Option<Finding> {
    let Value::Bool(b) = node.value else { return None };
    if !node.plain {
        return None;
    }
    let written = sources.get(node.span.source).snippet(node.span.range())?;
    if !is_yaml11_only_bool(written) {
        return None;
    }
    Some(
        Finding::new(
            &RULE,
            format!("`{path}: {written}` is read by Helm as the boolean {b}, but a string is expected here"),
        )
        .at(node.span)
        .label(format!("Helm reads {b}"))
        .help(format!(
            "quote it: {}: \"{written}\"",
            path.rsplit('.').next().unwrap_or(path)
        ))
        .fix(
            // Quoted, a password written `yes` would become the password "yes": a fix never
            // writes a secret (the boolean was none, so the screen cannot tell).
            (!crate::core::redact::is_secret_key(path.rsplit('.').next().unwrap_or(path)))
                .then(|| crate::rules::fix::quoted(written))
                .flatten()
                .map(|text| Fix::replace(FIX, node.span, text)),
        ),
    )
}
