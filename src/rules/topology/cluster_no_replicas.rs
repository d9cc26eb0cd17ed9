//! `cluster-no-replicas`: cluster.replicas is 0: losing a node loses its data.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::redis_cluster::whole_number;
use crate::model::scope::Kept;
use crate::model::{Lookup, RedisCluster, Unsettled};
use crate::rules::topology::{at, Counts};
use crate::rules::{unsettled, Context};

pub static RULE: Rule = Rule {
    id: "cluster-no-replicas",
    severity: Severity::Warning,
    checked_by: CheckedBy::LintAndProbe,
    summary: "cluster.replicas is 0: losing a node loses its data",
    docs: r#"## What it checks
`cluster.replicas: 0`.

## Why it matters
Without replicas, a node that restarts or is rescheduled takes a third (or more) of the key space with
it: active access tokens, sessions and authorization codes are lost, and users are logged out. The
vendor's own example uses no replicas, which is fine for a demo and wrong for production.

## How to fix
Set `cluster.replicas: 1` and `cluster.nodes: 6` (the chart's defaults).

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 3
    replicas: 0
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        let counts = match Counts::of(&cluster) {
            Lookup::Set(counts) if counts.replicas == 0 => counts,
            Lookup::Set(_) | Lookup::Unset => continue,
            Lookup::Unknown(why) => {
                // Said when some reading has none: the chart versions (or the umbrella chart) the
                // values may be for, or, where a layer acp-check could not read decides, what the
                // files read say.
                static KEPT: Kept<Option<bool>> = Kept::new();
                let none = |c: &RedisCluster| matches!(Counts::of(c), Lookup::Set(n) if n.replicas == 0);
                let some_none = match why {
                    Unsettled::Layer(_) => {
                        cluster.get(&["cluster", "replicas"]).and_then(whole_number) == Some(0)
                    }
                    _ => cluster
                        .over_candidates(&KEPT, &[&["cluster", "nodes"], &["cluster", "replicas"]], |all| {
                            all.iter().any(none)
                        })
                        .unwrap_or(false),
                };
                if some_none {
                    out.push(unsettled(
                        Finding::new(
                            &RULE,
                            "the cluster may have no replicas: the replica count is not known",
                        )
                        .at(cluster.anchor()),
                        why,
                    ));
                }
                continue;
            }
        };
        out.push(
            Finding::new(
                &RULE,
                "the cluster has no replicas: losing a node loses its share of tokens and sessions",
            )
            .at(at(counts.replicas_node, &cluster))
            .label("no replicas")
            .help("set cluster.replicas: 1 (with cluster.nodes: 6)"),
        );
    }
}

/// Live: masters that serve slots and have no working replica (`lonely`, as announced).
pub fn live(target: &str, lonely: &[&str], masters: usize) -> Finding {
    Finding::new(
        &RULE,
        format!(
            "{} of {} masters have no working replica ({}): losing one loses its share of tokens and sessions",
            lonely.len(),
            masters,
            lonely.join(", ")
        ),
    )
    .on(target)
    .help("run one replica per master (redis-cluster.cluster.replicas: 1 with cluster.nodes: 6)")
}
