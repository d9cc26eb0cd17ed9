//! RediSearch: the platform needs the module loaded in every Redis node, from a path that exists in
//! the container, with the coordinator able to authenticate to the other shards.

use crate::diagnostic::{CheckedBy, Rule};
use crate::diagnostic::{Finding, Severity};
use crate::model::redis_conf::{self, Directive};
use crate::model::{opaque, ClusterPassword, Located, RedisCluster};
use crate::rules::Context;
use crate::tree::Node;

pub static SEARCH_MODULE_MISSING: Rule = Rule {
    id: "search-module-missing",
    severity: Severity::Error,
    checked_by: CheckedBy::LintAndProbe,
    summary: "search is used but no `loadmodule …redisearch….so` is configured",
    docs: r#"## What it checks
When the platform uses search (`redis_search` true or unset, the default), that the Redis cluster
loads the RediSearch module: a `loadmodule` line naming a search module in `redis.configmap` (or, in
chart 11.x, `redis.defaultConfigOverride`), a `--loadmodule` argument, or a Redis Stack image.

## Why it matters
At start-up the platform runs `FT.INFO <index>`. Without the module Redis answers
``ERR unknown command `FT.INFO` `` and the platform dies with that fatal log line (failure mode 3).

## How to fix
Load the module as the vendor does: an init container downloads it into an `emptyDir` volume mounted
at `/redismodules`, and `redis.configmap` loads it:

```yaml
redis-cluster:
  redis:
    configmap: |
      loadmodule /redismodules/redisearch.so OSS_GLOBAL_PASSWORD <cluster password>
    extraVolumes:
      - name: redismodules
        emptyDir: {}
    extraVolumeMounts:
      - name: redismodules
        mountPath: /redismodules
```

## Example
```yaml
redis-cluster:
  redis:
    configmap: |
      maxmemory-policy noeviction
```
"#,
};

pub static SEARCH_MODULE_NOT_MOUNTED: Rule = Rule {
    id: "search-module-not-mounted",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "the `loadmodule` path lies under no `redis.extraVolumeMounts` mount",
    docs: r#"## What it checks
That the path in the `loadmodule` line lies under one of `redis.extraVolumeMounts[].mountPath`.

## Why it matters
The Bitnami image does not ship RediSearch: the module reaches the container through a volume. If the
path is not on a mounted volume, Redis cannot open the file and every node crash-loops with
"Module … failed to load".

## How to fix
Mount the volume the init container fills at the directory of the `loadmodule` path, or correct the
path.

## Example
```yaml
redis-cluster:
  redis:
    configmap: |
      loadmodule /modules/redisearch.so
    extraVolumeMounts:
      - name: redismodules
        mountPath: /redismodules
```
"#,
};

pub static SEARCH_COORDINATOR_PASSWORD: Rule = Rule {
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
};

/// True for a module file that is RediSearch (`redisearch.so`, `redisearch-oss-coord-….so`,
/// `search.so` of Redis Stack).
fn is_search_module(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    file.contains("search") && file.ends_with(".so")
}

pub fn check(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    // The platform needs search unless every platform release of the run turns it off.
    let platforms: Vec<_> = cx.deployment.platforms().collect();
    let search_used = platforms.is_empty()
        || platforms.iter().any(|p| {
            p.redis_client()
                .and_then(|c| c.get(&["redis_search"]).and_then(Node::as_bool))
                .unwrap_or(true)
        });
    for cluster in cx.deployment.redis_clusters() {
        let mut loads: Vec<Directive> = Vec::new();
        let mut unreadable = None;
        for node in cluster.config_nodes() {
            if let Some(why) = opaque(node) {
                unreadable = Some((node.span, why));
            }
            loads.extend(redis_conf::directives(node, cx.sources).into_iter().filter(|d| {
                d.name == "loadmodule" && d.args.first().is_some_and(|a| is_search_module(&a.text))
            }));
        }
        let in_args = cluster
            .get(&["redis", "args"])
            .and_then(Node::as_seq)
            .is_some_and(|args| args.iter().filter_map(Node::as_str).any(is_search_module));
        let stack_image = cluster
            .get(&["image", "repository"])
            .and_then(Node::as_str)
            .is_some_and(|r| r.contains("redis-stack"));
        if loads.is_empty() && search_used && !in_args && !stack_image {
            let at = cluster
                .entry(&["redis", "configmap"])
                .or_else(|| cluster.entry(&["redis", "defaultConfigOverride"]))
                .map(|e| e.key_span)
                .unwrap_or_else(|| cluster.anchor());
            let f = Finding::new(&SEARCH_MODULE_MISSING, "the platform uses RediSearch, and the Redis cluster does not load the module")
                .at(at)
                .label("no loadmodule for RediSearch")
                .help("add `loadmodule /redismodules/redisearch.so OSS_GLOBAL_PASSWORD <password>` to redis.configmap, with the init container and the /redismodules volume mount (acp-check explain search-module-missing)");
            out.push(match unreadable {
                Some((_, why)) => f
                    .unverified()
                    .help(format!("could not read the Redis config: {why}")),
                None => f,
            });
        }
        for load in &loads {
            mounted(&cluster, load, &mut out);
            coordinator_password(&cluster, load, &mut out);
        }
    }
    out
}

fn mounted(cluster: &RedisCluster, load: &Directive, out: &mut Vec<Finding>) {
    let path = &load.args[0];
    let mounts: Vec<(&str, &Node)> = cluster
        .get(&["redis", "extraVolumeMounts"])
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| m.get(&["mountPath"]).and_then(|p| p.as_str().map(|s| (s, p))))
        .collect();
    let under = |mount: &str| {
        let mount = mount.trim_end_matches('/');
        path.text.starts_with(&format!("{mount}/"))
    };
    if mounts.iter().any(|(m, _)| under(m)) {
        return;
    }
    let mut f = Finding::new(
        &SEARCH_MODULE_NOT_MOUNTED,
        format!(
            "`{}` is on no volume mounted into the Redis containers",
            path.text
        ),
    )
    .at(path.span)
    .label("not under any extraVolumeMounts mountPath")
    .help("mount the volume holding the module (redis.extraVolumeMounts) at this directory, or fix the path");
    for (m, node) in &mounts {
        f = f.related(node.span, format!("mounted: {m}"));
    }
    out.push(f);
}

fn coordinator_password(cluster: &RedisCluster, load: &Directive, out: &mut Vec<Finding>) {
    let argument = load
        .args
        .iter()
        .position(|a| a.text == "OSS_GLOBAL_PASSWORD")
        .and_then(|i| load.args.get(i + 1));
    match (cluster.password(), argument) {
        (ClusterPassword::Disabled(_), _) | (ClusterPassword::Random, None) => {}
        (_, None) => out.push(
            Finding::new(&SEARCH_COORDINATOR_PASSWORD, "the cluster has a password, and the RediSearch module is loaded without OSS_GLOBAL_PASSWORD")
                .at(load.span)
                .label("no OSS_GLOBAL_PASSWORD")
                .help("add `OSS_GLOBAL_PASSWORD <cluster password>` to the loadmodule line"),
        ),
        (ClusterPassword::Random, Some(arg)) => out.push(
            Finding::new(&SEARCH_COORDINATOR_PASSWORD, "OSS_GLOBAL_PASSWORD cannot match the cluster password: the chart generates a random one")
                .at(arg.span)
                .label("cannot match")
                .help("set the cluster password (existingSecret or password); see password-unknowable"),
        ),
        (ClusterPassword::InSecret(secret), Some(arg)) => out.push(
            Finding::new(
                &SEARCH_COORDINATOR_PASSWORD,
                format!("cannot check OSS_GLOBAL_PASSWORD against the cluster password: it is kept in Secret `{}`", secret.value.as_str().unwrap_or_default()),
            )
            .unverified()
            .at(arg.span)
            .label("not compared")
            .related(secret.value.span, "the cluster password is in this Secret"),
        ),
        (ClusterPassword::Written(password), Some(arg)) => {
            let arg_node = Node::new(crate::tree::Value::Str(arg.text.clone()), arg.span);
            if let Some(why) = opaque(&arg_node).or_else(|| opaque(password)) {
                out.push(
                    Finding::new(&SEARCH_COORDINATOR_PASSWORD, format!("cannot compare OSS_GLOBAL_PASSWORD with the cluster password: {why}"))
                        .unverified()
                        .at(arg.span)
                        .label("not compared"),
                );
            } else if Located::from_node(password).map(|l| l.value).unwrap_or_default() != arg.text {
                out.push(
                    Finding::new(&SEARCH_COORDINATOR_PASSWORD, "OSS_GLOBAL_PASSWORD differs from the cluster password")
                        .at(arg.span)
                        .label("the coordinator's password")
                        .related(password.span, "the cluster password, which differs")
                        .help("use the cluster password as the OSS_GLOBAL_PASSWORD argument"),
                );
            }
        }
    }
}
