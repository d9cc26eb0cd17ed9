//! `password-disabled`: `usePassword: false`: Redis accepts anyone.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::ClusterPassword;
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "password-disabled",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "`usePassword: false`: Redis accepts anyone",
    docs: r#"## What it checks
That the redis-cluster chart keeps authentication on. With `usePassword: false` the chart sets
`ALLOW_EMPTY_PASSWORD=yes`, renders no password Secret, and the container turns protected mode off.
When the platform's client sends a password all the same, Redis refuses it: `password-mismatch`
reports that, as an error, instead.

## Why it matters
Without a password, any pod that reaches the Redis service can read and change every token and
session.

## How to fix
Remove `usePassword: false` and give the cluster a password (`existingSecret`, recommended), the same
one the platform uses. When a network policy is what keeps Redis private, say so by switching this
rule off in `.acp-check.toml`.

## Example
```yaml
redis-cluster:
  usePassword: false
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    // When the platform sends a password anyway, `password-mismatch` reports the failure instead.
    let sends_password = cx
        .platforms()
        .filter_map(|p| p.redis_client())
        .any(|client| client.password().is_some());
    if sends_password {
        return;
    }
    for cluster in cx.redis_clusters() {
        let ClusterPassword::Disabled(disabled) = cluster.password() else {
            continue;
        };
        out.push(
            Finding::new(
                &RULE,
                "usePassword is false: any pod that reaches Redis can read and change every token and session",
            )
            .at(disabled.value.span)
            .label("authentication off")
            .help("remove usePassword: false and keep the password in a Secret (existingSecret)"),
        );
    }
}
