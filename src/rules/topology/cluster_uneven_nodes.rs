//! `cluster-uneven-nodes`: cluster.nodes is not a multiple of cluster.replicas + 1.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::topology::{at, replicas_words, Counts};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "cluster-uneven-nodes",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "cluster.nodes is not a multiple of cluster.replicas + 1",
    docs: r#"## What it checks
That `cluster.nodes` divides evenly into shards of one master and `cluster.replicas` replicas.

## Why it matters
The cluster is created and works: `redis-cli --cluster create`, which the chart runs, gives each
master `replicas` replicas and the nodes left over to some masters as extra replicas (7 nodes with
1 replica make 3 masters, two with one replica and one with two). But the shards are uneven: the
extra node costs a pod and protects one shard only, and a reader of the values expects whole shards.

## How to fix
Use a multiple of `replicas + 1`: with `replicas: 1`, 6, 8 or 10 nodes; with `replicas: 2`, 9 or 12.

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 7
    replicas: 1
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        let Some(counts) = Counts::of(&cluster).set() else {
            continue;
        };
        let (masters, shard) = (counts.masters(), counts.shard());
        // Too few masters is `cluster-too-few-masters`'s.
        if masters < 3 || counts.nodes % shard == 0 {
            continue;
        }
        let mut f = Finding::new(
            &RULE,
            format!(
                "{} nodes do not split into shards of {shard} (1 master + {}): the nodes left over become extra replicas of some masters",
                counts.nodes,
                replicas_words(counts.replicas)
            ),
        )
        .at(at(counts.nodes_node, &cluster))
        .label(format!("not a multiple of {shard}"))
        .help(format!(
            "use {} or {} nodes",
            masters * shard,
            (masters + 1) * shard
        ));
        if let Some(r) = counts.replicas_node {
            f = f.related(r.span, format!("{} per master", replicas_words(counts.replicas)));
        }
        out.push(f);
    }
}
