//! Rules about the YAML itself: it must parse, and a key must not repeat.

use crate::diagnostic::{CheckedBy, Rule};
use crate::diagnostic::{Finding, Severity};
use crate::rules::Context;
use crate::yaml::Problem;

pub static YAML_SYNTAX: Rule = Rule {
    id: "yaml-syntax",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "the file is not YAML that Helm can read",
    docs: r#"## What it checks
That each file is text YAML that Helm can read: valid UTF-8, no binary data, correct indentation and
quoting, aliases that name an anchor, no runaway alias expansion, nesting of sane depth.

## Why it matters
Helm stops at the first unreadable values file, and nothing else in it can be checked. acp-check
reports the exact position, then skips the file's other checks.

## How to fix
Go to the line and column given. The usual causes are a tab used for indentation, a key indented one
space too far or too little, an unclosed quote or bracket, or a `:` inside an unquoted value.

## Example
```yaml
redis-cluster:
  password: "unterminated
```
"#,
};

pub static DUPLICATE_KEY: Rule = Rule {
    id: "duplicate-key",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "a mapping repeats a key; Helm silently keeps only the last one",
    docs: r#"## What it checks
That no mapping sets the same key twice.

## Why it matters
Helm (go-yaml) keeps the last value and drops the first without a word. The setting you read first in
the file is not the one deployed, which is how a cluster ends up with the wrong password or node count.

## How to fix
Delete one of the two keys, keeping the value you mean. Both places are shown.

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 6
    replicas: 1
    nodes: 3      # this one wins
```
"#,
};

pub fn check(cx: &Context) -> Vec<Finding> {
    cx.problems
        .iter()
        .map(|problem| match problem {
            Problem::Syntax {
                span,
                message,
                context,
            } => {
                let mut f = Finding::new(&YAML_SYNTAX, capitalize(message))
                    .at(*span)
                    .label("here")
                    .help(format!(
                        "{}the file's other checks were skipped",
                        hint(message).map(|h| format!("{h}; ")).unwrap_or_default()
                    ));
                if let Some((at, what)) = context {
                    f = f.related(
                        *at,
                        what.replacen("while parsing ", "", 1)
                            .replacen("while scanning ", "", 1)
                            + " began here",
                    );
                }
                f
            }
            Problem::DuplicateKey { key, first, second } => Finding::new(
                &DUPLICATE_KEY,
                format!("key `{key}` is set twice in the same mapping"),
            )
            .at(*second)
            .label("this value wins")
            .related(*first, "first set here; Helm silently drops this value")
            .help("delete one of the two keys"),
        })
        .collect()
}

/// What usually causes libyaml's messages, in words a values-file author can act on.
fn hint(message: &str) -> Option<&'static str> {
    let m = message.to_ascii_lowercase();
    Some(if m.contains("did not find expected key") {
        "check the indentation: this line does not line up with the keys of its mapping"
    } else if m.contains("mapping values are not allowed") {
        "a `: ` inside an unquoted value starts a mapping: quote the value, or fix the indentation"
    } else if m.contains("tab character") {
        "YAML does not allow tabs for indentation: indent with spaces"
    } else if m.contains("cannot start any token") {
        "YAML does not allow tabs for indentation, and a value starting with @ or ` must be quoted"
    } else if m.contains("found unexpected end of stream") || m.contains("unexpected end") {
        "the file ends inside a construct: a quote or bracket is not closed"
    } else if m.contains("did not find expected ',' or ']'") || m.contains("did not find expected ',' or '}'")
    {
        "a flow list or mapping is not closed, or an item lacks a comma"
    } else if m.contains("found undefined tag handle") {
        "a value starting with ! is a tag: quote it"
    } else if m.contains("excessive aliasing") {
        "each alias copies its anchor, and aliases of aliases multiply: a document like this would exhaust Helm's memory"
    } else if m.contains("unknown anchor") {
        "an alias (*name) must refer to an anchor (&name) defined earlier in the same document"
    } else if m.contains("utf-8") || m.contains("utf-16") || m.contains("nul byte") {
        "save the file as UTF-8 text"
    } else {
        return None;
    })
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
