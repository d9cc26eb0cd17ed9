//! `numeric-version`: a version or image tag written as a number.

use crate::core::source::Sources;
use crate::diagnostic::{Applicability, CheckedBy, Finding, Fix, Rule, Severity};
use crate::rules::Context;
use crate::tree::{go_float, Node, Value};

pub static RULE: Rule = Rule {
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

## Fix safety
Safe: when Helm prints the number as it is written (`tag: 6.2`), `--fix` quotes it (`"6.2"`), and
Helm renders the same thing. When Helm prints it otherwise (`6.20` as `6.2`, `1234567` as
`1.234567e+06`), quoting it as written is almost surely what was meant, but it changes the image or
version deployed (from the one Helm made of the number to the one written): that fix is unsafe
(`--fix --unsafe-fixes`).
"#,
    file: file!(),
};

/// Quoting what Helm prints as written renders the same thing; a number Helm prints otherwise
/// makes the finding's fix unsafe (see the docs).
pub const FIX: Applicability = Applicability::Safe;

/// Every document of the deployment, whatever chart it is for: a version written as a number is
/// wrong anywhere.
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    // The values of charts that are not the platform's (a Grafana datasource's `apiVersion: 1`
    // beside it) are theirs to judge.
    let foreign: Vec<crate::core::source::Span> = cx
        .deployment
        .releases
        .iter()
        .filter(|r| {
            r.identity() == crate::model::Identity::Other
                && r.redis_cluster().is_none()
                && r.platform().is_none()
        })
        .map(|r| r.values.span)
        .collect();
    let mut found = Vec::new();
    for (_, doc) in cx.documents {
        walk(doc, cx.sources, &mut found);
    }
    out.extend(found.into_iter().filter(|f| {
        !f.span.is_some_and(|s| {
            foreign
                .iter()
                .any(|v| v.source == s.source && v.start <= s.start && s.end <= v.end)
        })
    }));
}

fn walk(node: &Node, sources: &Sources, out: &mut Vec<Finding>) {
    match &node.value {
        Value::Map(map) => {
            for entry in &map.entries {
                if is_version_key(&entry.key) {
                    out.extend(finding(&entry.key, &entry.value, sources));
                }
                walk(&entry.value, sources, out);
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| walk(n, sources, out)),
        _ => {}
    }
}

/// True for keys that name a version or an image tag.
pub fn is_version_key(key: &str) -> bool {
    let ends_with = |suffix: &str| {
        key.len() >= suffix.len()
            && key.as_bytes()[key.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    // Without allocating: this runs on every key of every file.
    key.eq_ignore_ascii_case("tag") || ends_with("version") || ends_with("_tag") || ends_with("imagetag")
}

/// The finding for a version-like key's value, if it is a number written plain.
pub fn finding(key: &str, value: &Node, sources: &Sources) -> Option<Finding> {
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
        Finding::new(&RULE, message)
            .at(value.span)
            .label(format!("Helm prints {printed}"))
            .help(format!("quote it to keep it as written: {key}: \"{written}\""))
            .fix(crate::rules::fix::quoted(&written).map(|text| {
                // Quoted, the value is the text written: what Helm renders changes unless it
                // printed the number as written.
                let safety = if printed == written {
                    FIX
                } else {
                    Applicability::Unsafe
                };
                Fix::replace(safety, value.span, text)
            })),
    )
}
