//! `unused-suppression`: an inline suppression matched nothing.

use crate::core::source::Span;
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "unused-suppression",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "an inline suppression matched nothing",
    docs: r#"## What it checks
Inline suppressions, `# acp-check: ignore[rule-id] reason`, that silence no finding: the rule does not
fire on the line of the comment (or, for a comment alone on its line, on the line below it), the rule id
is not one acp-check knows, or the comment is not written as a suppression.

## Why it matters
A suppression that matches nothing is left over from a fixed problem or mistyped. A stale one hides the
next real problem on that line without anyone deciding to; a mistyped one (`ignore[plaintext-secrets]`)
silences nothing while its author believes it does.

## How to fix
Delete the suppression, or correct the rule id (`acp-check rules` lists them). A suppression goes at the
end of the line the finding points at, or alone on the line directly above it; several rules are
separated by commas: `# acp-check: ignore[unknown-key, schema-type] reason`. To silence a rule
everywhere, switch it off in `.acp-check.toml` instead. This rule itself cannot be suppressed inline;
`unused-suppression = "off"` in the `[rules]` table of `.acp-check.toml` switches it off.

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 6   # acp-check: ignore[cluster-no-replicas] nothing to silence here
  # acp-check: ignore[plaintext-secrets] typo: the rule is plaintext-secret
  password: from-a-vault-plugin
```
"#,
    file: file!(),
};

// Suppressions are applied by `crate::policy`, after every other rule: it makes these findings.

/// A suppression of `rule` that silenced no finding.
pub fn unused(span: Span, rule: &str) -> Finding {
    Finding::new(&RULE, format!("this suppression of `{rule}` matched no finding"))
        .at(span)
        .label(format!("no `{rule}` finding here"))
        .help(format!(
        "delete `{rule}` from the suppression; it silences a finding only at the end of the finding's line, \
         or alone on the line directly above it"
    ))
}

/// A suppression naming a rule that does not exist.
pub fn unknown_rule(span: Span, rule: &str, suggestion: Option<&str>) -> Finding {
    let f = Finding::new(
        &RULE,
        format!("this suppression names `{rule}`, which is not a rule id: it silences nothing"),
    )
    .at(span);
    match suggestion {
        Some(s) => f
            .label(format!("did you mean `{s}`?"))
            .help(format!("did you mean `{s}`? write `ignore[{s}]`")),
        None => f
            .label("unknown rule id")
            .help("`acp-check rules` lists the rule ids"),
    }
}

/// A suppression of this very rule, which only the config file can switch off.
pub fn not_suppressible(span: Span) -> Finding {
    Finding::new(
        &RULE,
        "`unused-suppression` cannot be suppressed inline: this suppression silences nothing",
    )
    .at(span)
    .label("not suppressible inline")
    .help("to switch the rule off, write `unused-suppression = \"off\"` under `[rules]` in .acp-check.toml")
}

/// An `# acp-check:` comment that is not a suppression.
pub fn malformed(span: Span) -> Finding {
    Finding::new(
        &RULE,
        "this `acp-check:` comment is not a suppression: it silences nothing",
    )
    .at(span)
    .label("not `ignore[rule-id]`")
    .help("write `# acp-check: ignore[rule-id] reason`, with several ids separated by commas")
}
