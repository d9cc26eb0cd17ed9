//! `search-coordinator-password`: OSS_GLOBAL_PASSWORD differs from the cluster password.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::scope::Kept;
use crate::model::{opaque, ClusterPassword, Located, Lookup, RedisCluster};
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
The values are compared, never shown. A RediSearch build without the coordinator (`redisearch-oss`
2.2.0, which kube-acp-stack 2.8.1 and earlier fetch) takes no such argument: it is not asked for
there (`search-module-incompatible` reports one given to it), and when the chart versions the values
may be deployed with ship both builds, a missing argument is one info.

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

/// Whether the RediSearch build the cluster fetches takes OSS_GLOBAL_PASSWORD: `Some(false)` for a
/// build without the coordinator (kube-acp-stack 2.8.1 and earlier), `None` when the chart versions
/// the values may be deployed with disagree.
fn takes_password(cluster: &RedisCluster) -> Option<bool> {
    match cluster.search_build() {
        Lookup::Set(build) => Some(build.coordinator),
        // No build named: a module of the image's own, or one fetched another way.
        Lookup::Unset => Some(true),
        Lookup::Unknown(_) => {
            static KEPT: Kept<Option<Option<bool>>> = Kept::new();
            cluster.over_candidates(&KEPT, &[&["redis", "initContainers"]], |candidates| {
                let each: Vec<bool> = candidates
                    .iter()
                    .map(|c| match c.search_build() {
                        Lookup::Set(build) => build.coordinator,
                        _ => true,
                    })
                    .collect();
                match (each.iter().all(|t| *t), each.iter().any(|t| *t)) {
                    (true, _) => Some(true),
                    (false, false) => Some(false),
                    _ => None,
                }
            })?
        }
    }
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        let takes = takes_password(&cluster);
        // A build without the coordinator takes no OSS_GLOBAL_PASSWORD (search-module-incompatible
        // says so when one is given).
        if takes == Some(false) {
            continue;
        }
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
                (_, None) if takes.is_none() => out.push(
                    Finding::new(&RULE, "the cluster has a password, and the RediSearch module is loaded without OSS_GLOBAL_PASSWORD, which only the coordinator build takes: the chart versions these values may be deployed with ship both builds")
                        .unverified()
                        .at(load.span)
                        .label("no OSS_GLOBAL_PASSWORD")
                        .help("could not be checked: give the kube-acp-stack version with --chart-version kube-acp-stack=VERSION. If the build is the coordinator: add `OSS_GLOBAL_PASSWORD <cluster password>` to the loadmodule line"),
                ),
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
