//! `encrypted-value`: a SOPS-encrypted value stops a check.

use crate::core::source::Span;
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "encrypted-value",
    severity: Severity::Info,
    checked_by: CheckedBy::Lint,
    summary: "a SOPS-encrypted value stops a check",
    docs: r#"## What it checks
Values encrypted with SOPS (`ENC[AES256_GCM,data:…]`) that a check needed to read.

## Why it matters
acp-check never decrypts. An encrypted value is treated as unknown: it is never type-checked as if
it were plain text and never printed. This note says which check could not be done, so that you know
what remains unverified.

## How to fix
Nothing to fix. To check the value too, run acp-check on the decrypted values in a trusted place
(`sops -d values.enc.yaml | acp-check lint -`), or rely on the live probe (`acp-check probe`).

## Example
```yaml
redis-cluster:
  cluster:
    nodes: ENC[AES256_GCM,data:Ng==,iv:…,tag:…,type:int]
```
"#,
    file: file!(),
};

/// Encrypted values the schema pass met ([`crate::rules::schema`]).
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    out.extend(cx.schema_findings(&RULE));
}

/// The note that a check could not look at an encrypted value.
pub fn stops(span: Span, path: &str, check: &str) -> Finding {
    Finding::new(
        &RULE,
        format!("`{path}` is SOPS-encrypted, so {check} was not checked"),
    )
    .at(span)
    .label("encrypted")
}
