//! `yaml-syntax`: the file is not YAML that Helm can read.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::Context;
use crate::yaml::Problem;

pub static RULE: Rule = Rule {
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

A Helmfile is a Go template: when a line holding `{{ … }}` keeps it from being read as YAML,
acp-check says so at info level (Helmfile renders it; acp-check does not), not as an error.

## How to fix
Go to the line and column given. The usual causes are a tab used for indentation, a key indented one
space too far or too little, an unclosed quote or bracket, or a `:` inside an unquoted value.

## Example
```yaml
redis-cluster:
  password: "unterminated
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for problem in cx.problems {
        if let Problem::Template { span, message } = problem {
            // Not an error of the file: a template is YAML once rendered, which acp-check does not do.
            out.push(
                Finding::new(&RULE, message.clone())
                    .at(*span)
                    .label("a template action")
                    .help(
                        "render it (`helmfile template`, `helmfile write-values`) and lint what it gives; \
                         nothing else in the file was checked",
                    )
                    .unverified(),
            );
            continue;
        }
        let Problem::Syntax {
            span,
            message,
            context,
        } = problem
        else {
            continue;
        };
        let mut f = Finding::new(&RULE, capitalize(message))
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
        out.push(f);
    }
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
