//! `search-module-not-mounted`: the `loadmodule` path lies under no `redis.extraVolumeMounts` mount.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::search::search_loads;
use crate::rules::Context;
use crate::tree::Node;

pub static RULE: Rule = Rule {
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
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        let mounts: Vec<(&str, &Node)> = cluster
            .get(&["redis", "extraVolumeMounts"])
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|m| m.get(&["mountPath"]).and_then(|p| p.as_str().map(|s| (s, p))))
            .collect();
        for load in search_loads(&cluster, cx.sources) {
            let path = &load.args[0];
            let under = |mount: &str| {
                let mount = mount.trim_end_matches('/');
                path.text.starts_with(&format!("{mount}/"))
            };
            if mounts.iter().any(|(m, _)| under(m)) {
                continue;
            }
            let mut f = Finding::new(
                &RULE,
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
            // The mounts may come from a layer acp-check could not read, or a parent's defaults.
            out.push(match cluster.unsettled(&[&["redis", "extraVolumeMounts"]]) {
                Some(why) => crate::rules::unsettled(f, why),
                None => f,
            });
        }
    }
}
