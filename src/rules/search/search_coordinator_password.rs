//! `search-coordinator-password`: OSS_GLOBAL_PASSWORD differs from the cluster password.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::{opaque, ClusterPassword, Located};
use crate::rules::search::search_loads;
use crate::rules::{unsettled, Context};
use crate::tree::{Node, Value};

pub static RULE: Rule = Rule {
    id: "search-coordinator-password",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "OSS_GLOBAL_PASSWORD differs from the cluster password",
    docs: r#"## What it checks
That the `OSS_GLOBAL_PASSWORD` argument of the RediSearch `loadmodule` line equals the cluster
password (`global.redis.password`, else `password`), and is present when the cluster has a password.
The values are compared, never shown.

## Why it matters
The RediSearch coordinator uses this password to query the other shards. With the wrong one,
searches spanning shards fail with authentication errors while single-node commands still work, which
makes the fault look intermittent.

## How to fix
Use the cluster password as the `OSS_GLOBAL_PASSWORD` argument.

## Example
```yaml
redis-cluster:
  password: new-password
  redis:
    configmap: |
      loadmodule /redismodules/redisearch.so OSS_GLOBAL_PASSWORD old-password
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.deployment.redis_clusters() {
        for load in search_loads(&cluster, cx.sources) {
            let argument = load
                .args
                .iter()
                .position(|a| a.text == "OSS_GLOBAL_PASSWORD")
                .and_then(|i| load.args.get(i + 1));
            match (cluster.password(), argument) {
                (ClusterPassword::Disabled(_), _) | (ClusterPassword::Random, None) => {}
                (ClusterPassword::Unknown(why), _) => out.push(unsettled(
                    Finding::new(&RULE, "cannot check OSS_GLOBAL_PASSWORD against the cluster password: the cluster password is not in these files")
                        .at(argument.map_or(load.span, |a| a.span))
                        .label("not compared"),
                    why,
                )),
                (_, None) => out.push(
                    Finding::new(&RULE, "the cluster has a password, and the RediSearch module is loaded without OSS_GLOBAL_PASSWORD")
                        .at(load.span)
                        .label("no OSS_GLOBAL_PASSWORD")
                        .help("add `OSS_GLOBAL_PASSWORD <cluster password>` to the loadmodule line"),
                ),
                (ClusterPassword::Random, Some(arg)) => out.push(
                    Finding::new(&RULE, "OSS_GLOBAL_PASSWORD cannot match the cluster password: the chart generates a random one")
                        .at(arg.span)
                        .label("cannot match")
                        .help("set the cluster password (existingSecret or password); see password-unknowable"),
                ),
                (ClusterPassword::InSecret(secret), Some(arg)) => out.push(
                    Finding::new(
                        &RULE,
                        format!("cannot check OSS_GLOBAL_PASSWORD against the cluster password: it is kept in Secret `{}`", secret.value.as_str().unwrap_or_default()),
                    )
                    .unverified()
                    .at(arg.span)
                    .label("not compared")
                    .related(secret.value.span, "the cluster password is in this Secret"),
                ),
                (ClusterPassword::Written(password), Some(arg)) => {
                    let arg_node = Node::new(Value::Str(arg.text.clone()), arg.span);
                    if let Some(why) = opaque(&arg_node).or_else(|| opaque(password)) {
                        out.push(
                            Finding::new(&RULE, format!("cannot compare OSS_GLOBAL_PASSWORD with the cluster password: {why}"))
                                .unverified()
                                .at(arg.span)
                                .label("not compared"),
                        );
                    } else if Located::from_node(password).map(|l| l.value).unwrap_or_default() != arg.text {
                        out.push(
                            Finding::new(&RULE, "OSS_GLOBAL_PASSWORD differs from the cluster password")
                                .at(arg.span)
                                .label("the coordinator's password")
                                .related(password.span, "the cluster password, which differs")
                                .help("use the cluster password as the OSS_GLOBAL_PASSWORD argument"),
                        );
                    }
                }
            }
        }
    }
}
