//! `unknown-key`: a key the schema does not know (a typo Helm ignores silently).

use crate::core::text::did_you_mean;
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::schema::{dotted, Section};
use crate::rules::Context;
use crate::tree::Entry;

pub static RULE: Rule = Rule {
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
    file: file!(),
};

/// Keys the schemas do not know: found by the schema pass ([`crate::rules::schema`]).
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    out.extend(cx.schema_findings(&RULE));
}

/// The finding for a key the section's schema does not know, with the keys it knows there.
pub fn finding(section: &Section, entry: &Entry, path: &[String], known: Vec<String>) -> Finding {
    let key_path = dotted(section.prefix, path);
    let mut f = Finding::new(
        &RULE,
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
    f
}
