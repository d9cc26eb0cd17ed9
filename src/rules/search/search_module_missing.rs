//! `search-module-missing`: search is used but no `loadmodule …redisearch….so` is configured.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::opaque;
use crate::model::platform_log;
use crate::model::redis_cluster::CONFIG_PATHS;
use crate::model::scope::Kept;
use crate::model::{RedisCluster, Unsettled};
use crate::rules::search::{is_search_load, is_search_module, search_loads};
use crate::rules::{unsettled, Context};
use crate::tree::Node;

pub static RULE: Rule = Rule {
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
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    // The platform needs search unless every platform release of the run turns it off.
    let platforms: Vec<_> = cx.platforms().collect();
    let search_used = platforms.is_empty()
        || platforms.iter().any(|p| {
            p.redis_client()
                .is_none_or(|c| c.get(&["redis_search"]).and_then(Node::as_bool) != Some(false))
        });
    if !search_used {
        return;
    }
    for cluster in cx.redis_clusters() {
        if search_loads(&cluster, cx.sources).next().is_some() {
            continue;
        }
        // The chart version not known, and the config left to its defaults: the module is loaded if
        // the defaults of every version it may be load it (kube-acp-stack's do), missing if none do.
        static KEPT: Kept<Option<(usize, usize)>> = Kept::new();
        let in_defaults = cluster.over_candidates(&KEPT, &CONFIG_PATHS, |all| {
            let loads = all.iter().filter(|c| loads_in_defaults(c, cx.sources)).count();
            (loads, all.len())
        });
        match in_defaults {
            Some((loads, all)) if loads == all && all > 0 => continue,
            _ => {}
        }
        let unreadable = cluster.config_nodes().into_iter().rev().find_map(opaque);
        let in_args = cluster
            .get(&["redis", "args"])
            .and_then(Node::as_seq)
            .is_some_and(|args| args.iter().filter_map(Node::as_str).any(is_search_module));
        let stack_image = cluster
            .get(&["image", "repository"])
            .and_then(Node::as_str)
            .is_some_and(|r| r.contains("redis-stack"));
        if in_args || stack_image {
            continue;
        }
        let at = cluster
            .root
            .entry(&["redis", "configmap"])
            .or_else(|| cluster.root.entry(&["redis", "defaultConfigOverride"]))
            .map(|e| e.key_span)
            .unwrap_or_else(|| cluster.anchor());
        let f = Finding::new(&RULE, "the platform uses RediSearch, and the Redis cluster does not load the module")
            .at(at)
            .label("no loadmodule for RediSearch")
            .help("add `loadmodule /redismodules/redisearch.so OSS_GLOBAL_PASSWORD <password>` to redis.configmap, with the init container and the /redismodules volume mount (acp-check explain search-module-missing)");
        // When no version's defaults load it, only a layer acp-check could not read can add it.
        let unknown = cluster
            .unsettled(&[
                &["redis", "configmap"],
                &["redis", "defaultConfigOverride"],
                &["configmap"],
                &["redis", "args"],
                &["image", "repository"],
            ])
            .filter(|why| !matches!((why, in_defaults), (Unsettled::Version(_), Some((0, _)))));
        out.push(match (unreadable, unknown) {
            (Some(why), _) => {
                let mut f = f.unverified().help(format!("could not read the Redis config: {why}"));
                f.message = "the platform uses RediSearch, and whether the Redis cluster loads the module cannot be checked: its config cannot be read".into();
                f.label = Some("not checked".into());
                f
            }
            (None, Some(why)) => unsettled(f, why),
            (None, None) => f,
        });
    }
}

/// Live: a node answered `FT.INFO` as an unknown command.
pub fn live(target: &str, error: &str) -> Finding {
    Finding::new(
        &RULE,
        format!(
            "RediSearch is not loaded: Redis answered FT.INFO with `{}`",
            crate::core::text::preview(error.trim(), 200)
        ),
    )
    .on(target)
    .log_line(platform_log::fatal(error))
    .help("load the module in every node: `loadmodule /redismodules/redisearch.so OSS_GLOBAL_PASSWORD <cluster password>` in redis-cluster.redis.configmap, with the module mounted at /redismodules")
}

/// Whether the `redis.conf` text of a reading of the cluster loads the module; made once per chart
/// version for values that write none of it.
fn loads_in_defaults(cluster: &RedisCluster, sources: &crate::core::source::Sources) -> bool {
    type Table = std::sync::Mutex<std::collections::HashMap<crate::model::scope::BareId, bool>>;
    static MADE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    let loads = |c: &RedisCluster| c.directives_uncached(sources).iter().any(is_search_load);
    match cluster.scope.bare(&[&["configmap"], &["redis"]]) {
        Some((id, bare)) => {
            crate::model::scope::once_per_defaults(&MADE, id, || loads(&RedisCluster::new(bare)))
        }
        None => loads(cluster),
    }
}
