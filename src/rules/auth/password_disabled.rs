//! `password-disabled`: `usePassword: false` (an error when the platform sends a password anyway).

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::ClusterPassword;
use crate::rules::{unsettled, Context};

pub static RULE: Rule = Rule {
    id: "password-disabled",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "`usePassword: false`: Redis accepts anyone (an error when the platform sends a password)",
    docs: r#"## What it checks
That the redis-cluster chart keeps authentication on. With `usePassword: false` the chart sets
`ALLOW_EMPTY_PASSWORD=yes`, renders no password Secret, and the container turns protected mode off.
When the platform's client is configured with a password all the same, it is an error.

## Why it matters
Without a password, any pod that reaches the Redis service can read and change every token and
session. And a client that authenticates against a server with no password gets `ERR AUTH <password>
called without any password configured for the default user`: the platform cannot connect.

## How to fix
Remove `usePassword: false` and give the cluster a password (`existingSecret`, recommended), the same
one the platform uses. If Redis really must run without one, remove the platform's password.

## Example
```yaml
redis-cluster:
  usePassword: false
acp:
  secretConfig:
    data:
      redis:
        password: s3cret
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let platforms: Vec<_> = cx.deployment.platforms().collect();
    for cluster in cx.deployment.redis_clusters() {
        let ClusterPassword::Disabled(disabled) = cluster.password() else {
            continue;
        };
        let mut sent = None;
        for platform in &platforms {
            if let Some(client) = platform.redis_client() {
                if let Some(password) = client.password() {
                    sent = Some((password, client.unsettled(&[&["password"]])));
                }
            }
        }
        let f = match sent {
            Some((password, why)) => {
                let f = Finding::new(
                    &RULE,
                    "usePassword is false, and the platform's Redis client sends a password: Redis refuses the AUTH and the platform cannot connect",
                )
                .at(disabled.value.span)
                .label("no password on the cluster")
                .related(password.span, "the platform sends this password")
                .help("give the cluster the platform's password (remove usePassword: false and set existingSecret), or remove the platform's password");
                let f = Finding {
                    severity: crate::diagnostic::Severity::Error,
                    ..f
                };
                match why.or(cluster.unsettled(&[&["usePassword"]])) {
                    Some(why) => unsettled(f, why),
                    None => f,
                }
            }
            None => Finding::new(
                &RULE,
                "usePassword is false: any pod that reaches Redis can read and change every token and session",
            )
            .at(disabled.value.span)
            .label("authentication off")
            .help("remove usePassword: false and keep the password in a Secret (existingSecret)"),
        };
        out.push(f);
    }
}
