//! `unknown-key`: a key the schema does not know (a typo Helm ignores silently).

use crate::core::source::Sources;
use crate::core::text::did_you_mean;
use crate::diagnostic::{Applicability, CheckedBy, Finding, Fix, Rule, Severity};
use crate::rules::schema::{dotted, Section};
use crate::rules::Context;
use crate::tree::{Entry, Node, Value};

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

## Fix safety
Unsafe: when there is one "did you mean", `--fix --unsafe-fixes` renames the key as suggested
(keeping its quotes). The setting then takes effect, which changes what is deployed: check it. No
fix is offered when the suggested key is set already.
"#,
    file: file!(),
};

/// The renamed key takes effect: what is deployed changes.
pub const FIX: Applicability = Applicability::Unsafe;

/// Keys the schemas do not know: found by the schema pass ([`crate::rules::schema`]).
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    out.extend(cx.schema_findings(&RULE));
}

/// The finding for a key the section's schema does not know, with the keys it knows there.
pub fn finding(
    section: &Section,
    entry: &Entry,
    path: &[String],
    known: Vec<String>,
    sources: &Sources,
) -> Finding {
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
        // Renaming onto a key that is set already would set it twice.
        let taken = parent(section.root, &path[..path.len() - 1])
            .and_then(Node::as_map)
            .is_none_or(|map| map.get(suggestion).is_some());
        if !taken {
            let text = crate::rules::fix::key(sources, entry.key_span, suggestion);
            f = f.fix(text.map(|text| Fix::replace(FIX, entry.key_span, text)));
        }
    } else if !known.is_empty() && known.len() <= 12 {
        let mut known = known;
        known.sort();
        f = f.help(format!("the keys allowed here are: {}", known.join(", ")));
    }
    f
}

/// The node at `path` (mapping keys and sequence indices) below `root`.
fn parent<'a>(root: &'a Node, path: &[String]) -> Option<&'a Node> {
    let mut node = root;
    for segment in path {
        node = match &node.value {
            Value::Map(map) => map.get(segment)?,
            Value::Seq(items) => items.get(segment.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}
