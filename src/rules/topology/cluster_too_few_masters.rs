//! `cluster-too-few-masters`: cluster.nodes / (cluster.replicas + 1) is below 3 masters.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::scope::Kept;
use crate::model::{Lookup, RedisCluster};
use crate::rules::topology::{at, replicas_words, Counts};
use crate::rules::{unsettled, Context};

pub static RULE: Rule = Rule {
    id: "cluster-too-few-masters",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "cluster.nodes / (cluster.replicas + 1) is below 3 masters",
    docs: r#"## What it checks
The number of masters the chart creates: `cluster.nodes / (cluster.replicas + 1)` (defaults 6 and 1).

## Why it matters
Redis Cluster needs at least 3 masters. With fewer, the chart's cluster-creation job fails ("Redis
Cluster requires at least 3 master nodes"), the pods never form a cluster, and the platform cannot
start.

## How to fix
Raise `cluster.nodes` to at least `3 * (replicas + 1)`: 6 nodes for one replica per master, 3 for none.

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 4
    replicas: 1     # 4 / 2 = 2 masters
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        let counts = match Counts::of(&cluster) {
            Lookup::Set(counts) => counts,
            Lookup::Unset => continue,
            Lookup::Unknown(why) => {
                // Nothing to say when every chart version the values may be for gives enough.
                let enough = |c: &RedisCluster| matches!(Counts::of(c), Lookup::Set(n) if n.masters() >= 3);
                static KEPT: Kept<Option<bool>> = Kept::new();
                if cluster.over_candidates(&KEPT, &[&["cluster", "nodes"], &["cluster", "replicas"]], |all| {
                    all.iter().all(enough)
                }) == Some(true)
                {
                    continue;
                }
                out.push(unsettled(
                    Finding::new(
                        &RULE,
                        "the number of masters cannot be checked: the node or replica count is not known",
                    )
                    .at(cluster.anchor()),
                    why,
                ));
                continue;
            }
        };
        let (masters, shard) = (counts.masters(), counts.shard());
        if masters >= 3 {
            continue;
        }
        let mut f = Finding::new(
            &RULE,
            format!(
                "{} nodes with {} each make {}; Redis Cluster needs at least 3",
                counts.nodes,
                replicas_words(counts.replicas),
                masters_words(masters)
            ),
        )
        .at(at(counts.nodes_node, &cluster))
        .label(masters_words(masters))
        .help(format!(
            "set cluster.nodes to at least {} (3 masters × {shard})",
            3 * shard
        ));
        if let Some(r) = counts.replicas_node {
            f = f.related(r.span, format!("{} per master", replicas_words(counts.replicas)));
        }
        out.push(f);
    }
}

/// "1 master", "2 masters".
fn masters_words(masters: i64) -> String {
    match masters {
        1 => "1 master".to_string(),
        n => format!("{n} masters"),
    }
}
