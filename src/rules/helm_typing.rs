//! Rules about values Helm types differently from how they read: YAML 1.1 booleans where a string is
//! meant, and versions written as numbers.

use crate::core::source::Sources;
use crate::diagnostic::{CheckedBy, Rule};
use crate::diagnostic::{Finding, Severity};
use crate::rules::Context;
use crate::tree::{go_float, Node, Value};
use crate::yaml::is_yaml11_only_bool;

pub static AMBIGUOUS_BOOLEAN: Rule = Rule {
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
"#,
};

pub static NUMERIC_VERSION: Rule = Rule {
    id: "numeric-version",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "a version or image tag written as a number",
    docs: r#"## What it checks
Keys that hold a version or an image tag (`tag`, `version`, `appVersion`, `imageTag`, …) whose value is
an unquoted number.

## Why it matters
Helm turns every number into a floating-point value. `tag: 6.20` is printed as `6.2`, `tag: 7.10` as
`7.1`, and a long number such as `1234567` as `1.234567e+06`: the image that gets pulled is not the one
written, or does not exist.

## How to fix
Quote the value so it stays a string: `tag: "6.20"`.

## Example
```yaml
redis-cluster:
  image:
    tag: 6.20      # pulls bitnami/redis-cluster:6.2
```
"#,
};

/// True for keys that name a version or an image tag.
pub fn is_version_key(key: &str) -> bool {
    let ends_with = |suffix: &str| {
        key.len() >= suffix.len()
            && key.as_bytes()[key.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    // Without allocating: this runs on every key of every file.
    key.eq_ignore_ascii_case("tag") || ends_with("version") || ends_with("_tag") || ends_with("imagetag")
}

pub fn check(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for (_, doc) in cx.documents {
        walk(doc, cx.sources, &mut out);
    }
    out
}

fn walk(node: &Node, sources: &Sources, out: &mut Vec<Finding>) {
    match &node.value {
        Value::Map(map) => {
            for entry in &map.entries {
                if is_version_key(&entry.key) {
                    if let Some(finding) = numeric_version(&entry.key, &entry.value, sources) {
                        out.push(finding);
                    }
                }
                walk(&entry.value, sources, out);
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| walk(n, sources, out)),
        _ => {}
    }
}

/// The numeric-version finding for a version-like key's value, if it is a number written plain.
pub fn numeric_version(key: &str, value: &Node, sources: &Sources) -> Option<Finding> {
    let as_float = match value.value {
        Value::Int(i) => i as f64,
        Value::Float(f) => f,
        _ => return None,
    };
    if !value.plain {
        return None;
    }
    let written = sources
        .get(value.span.source)
        .snippet(value.span.range())?
        .to_string();
    let printed = go_float(as_float);
    let message = if printed == written {
        format!("`{key}: {written}` is a number, not a string: Helm reads every number as floating point")
    } else {
        format!("`{key}: {written}` is a number: Helm reads it as floating point and prints `{printed}`")
    };
    Some(
        Finding::new(&NUMERIC_VERSION, message)
            .at(value.span)
            .label(format!("Helm prints {printed}"))
            .help(format!("quote it to keep it as written: {key}: \"{written}\"")),
    )
}

/// The ambiguous-boolean finding for a boolean where the schema expects a string, if it was written as
/// a YAML 1.1 word (`yes`, `off`, …) rather than `true`/`false`.
pub fn ambiguous_boolean(path: &str, node: &Node, sources: &Sources) -> Option<Finding> {
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
            &AMBIGUOUS_BOOLEAN,
            format!("`{path}: {written}` is read by Helm as the boolean {b}, but a string is expected here"),
        )
        .at(node.span)
        .label(format!("Helm reads {b}"))
        .help(format!(
            "quote it: {}: \"{written}\"",
            path.rsplit('.').next().unwrap_or(path)
        )),
    )
}
