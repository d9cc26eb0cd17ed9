//! `password-mismatch`: the platform's Redis password differs from the cluster password.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::{opaque, ClusterPassword, Lookup};
use crate::rules::{unsettled, Context};
use crate::tree::{Node, Value};

pub static RULE: Rule = Rule {
    id: "password-mismatch",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "the platform's Redis password differs from the cluster password",
    docs: r#"## What it checks
That the platform's Redis client password (the merge of `redis.password`, `config.data.redis.password`
and `secretConfig.data.redis.password`) equals the cluster's (`global.redis.password`, else
`password`), across all the files of the run. The values are compared, never shown. A cluster
with `usePassword: false` has none: a platform that sends one fails too.

## Why it matters
With the wrong password the platform dies at start-up with
`failed to get redis info: ERR no responses received` (failure mode 2), a message that names neither
the password nor authentication. A server with no password answers the platform's AUTH with `ERR
AUTH <password> called without any password configured for the default user`.

## How to fix
Set the same password in both places; better, keep it in one Secret that both read
(`redis-cluster.existingSecret` and the platform's secret config).

## Example
```yaml
acp:
  secretConfig:
    data:
      redis:
        password: old-password
redis-cluster:
  password: new-password
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let clusters: Vec<_> = cx.redis_clusters().collect();
    for platform in cx.platforms() {
        let Some(redis_client) = platform.redis_client() else {
            continue;
        };
        // What the platform's password is, as written; or what may set it (a Secret acp-check was
        // not given, say).
        let (client, client_unsettled) = match redis_client.lookup(&["password"]) {
            Lookup::Set(node) if redis_client.password().is_some() => (node, None),
            Lookup::Unknown(why) => match redis_client.node.get(&["password"]) {
                Some(node) => (node, Some(why)),
                None => continue,
            },
            _ => continue,
        };
        for cluster in &clusters {
            match cluster.password() {
                ClusterPassword::InSecret(secret) => {
                    let name = secret.value.as_str().unwrap_or_default();
                    out.push(
                        Finding::new(&RULE, format!("cannot check the platform's Redis password against the cluster's: it is kept in Secret `{name}`"))
                            .unverified()
                            .at(client.span)
                            .label("not compared")
                            .related(secret.value.span, "the cluster password is in this Secret")
                            .help("make sure the platform's password is the one in that Secret; `acp-check probe` checks it live"),
                    );
                }
                ClusterPassword::Written(cluster_node) => {
                    if let Some(why) = opaque(client).or_else(|| opaque(cluster_node)) {
                        out.push(
                            Finding::new(
                                &RULE,
                                format!(
                                    "cannot compare the platform's Redis password with the cluster's: {why}"
                                ),
                            )
                            .unverified()
                            .at(client.span)
                            .label("not compared")
                            .related(cluster_node.span, "the cluster password"),
                        );
                    } else if scalar_text(client) != scalar_text(cluster_node) {
                        let f = Finding::new(&RULE, "the platform's Redis password differs from the cluster password")
                            .at(client.span)
                            .label("the platform's password")
                            .related(cluster_node.span, "the cluster password, which differs")
                            .help("use the same password in both places; the platform otherwise dies with `ERR no responses received`");
                        out.push(match client_unsettled.or(cluster.lookup(&["password"]).unsettled()) {
                            Some(why) => unsettled(f, why),
                            None => f,
                        });
                    }
                }
                ClusterPassword::Unknown(why) => out.push(unsettled(
                    Finding::new(&RULE, "cannot compare the platform's Redis password with the cluster's: the cluster password is not in these files")
                        .at(client.span)
                        .label("not compared"),
                    why,
                )),
                // Redis without a password answers AUTH with an error, and the platform gives up.
                ClusterPassword::Disabled(disabled) => {
                    let f = Finding::new(
                        &RULE,
                        "the platform's Redis client sends a password, and the cluster has none (usePassword: false): Redis refuses the AUTH",
                    )
                    .at(client.span)
                    .label("the platform's password")
                    .related(disabled.value.span, "the cluster has no password")
                    .help("give the cluster the platform's password (remove usePassword: false and set existingSecret), or remove the platform's password");
                    out.push(match client_unsettled.or(cluster.lookup(&["usePassword"]).unsettled()) {
                        Some(why) => unsettled(f, why),
                        None => f,
                    });
                }
                ClusterPassword::Random => {}
            }
        }
    }
}

fn scalar_text(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::tree::go_float(*f),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}
