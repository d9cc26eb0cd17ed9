//! `password-unknowable`: usePassword with an empty password and no existingSecret: the chart picks a random one.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::ClusterPassword;
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "password-unknowable",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "usePassword with an empty password and no existingSecret: the chart picks a random one",
    docs: r#"## What it checks
The chart's defaults: `usePassword: true`, `password: ""`, no `existingSecret`, no
`global.redis.password`.

## Why it matters
The chart then generates a random password at install. The platform cannot be configured with it in
advance, and every later `helm upgrade` fails with "PASSWORDS ERROR: You must provide your current
passwords when upgrading the release."

## How to fix
Set `existingSecret` to a Secret you create (recommended), or set `password`.

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 6      # and no password anywhere
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.deployment.redis_clusters() {
        if let ClusterPassword::Random = cluster.password() {
            let at = cluster
                .entry(&["password"])
                .map(|e| e.key_span)
                .unwrap_or_else(|| cluster.anchor());
            out.push(
                Finding::new(
                    &RULE,
                    "no password and no existingSecret: the chart generates a random password the platform cannot know",
                )
                .at(at)
                .label("random password")
                .help("set existingSecret to a Secret holding the password (or set password); upgrades otherwise fail with \"PASSWORDS ERROR\""),
            );
        }
    }
}
