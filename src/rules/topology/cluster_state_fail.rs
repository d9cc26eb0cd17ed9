//! `cluster-state-fail`: live: cluster_state is not ok, or slots are not all covered.

use crate::core::text::preview;
use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::platform_log;

pub static RULE: Rule = Rule {
    id: "cluster-state-fail",
    severity: Severity::Error,
    checked_by: CheckedBy::Probe,
    summary: "live: cluster_state is not ok, or slots are not all covered",
    docs: r#"## What it checks
`CLUSTER INFO` on every node: `cluster_state:ok` and all 16384 slots assigned and served
(`cluster_slots_ok`); an `ERRCLUSTER` answer from RediSearch's coordinator. And that `CLUSTER NODES`
lists no more nodes than `--max-nodes` (500 unless given): the probe connects to every node a
cluster announces, so a cluster larger than that (or a server naming hosts it should not) is
reported, and only the first `--max-nodes` are probed.

## Why it matters
A cluster with uncovered slots refuses commands for the keys in them (`CLUSTERDOWN`), so the platform
fails at random: a master is down without a replica to take over, or the cluster was never created.

## How to fix
Wait for the chart's cluster-creation job; bring failed nodes back (`kubectl get pods`), or let a
replica take over. `redis-cli --cluster check <host>:<port>` shows which slots are missing.

## Example
```text
error[cluster-state-fail]: 127.0.0.1:7000: cluster_state is fail: 10923 of 16384 slots served
```
"#,
    file: file!(),
};

/// Live: `CLUSTER INFO` says the cluster is not `ok`, or not every slot is served.
pub fn state(target: &str, state: &str, ok_slots: u64) -> Finding {
    Finding::new(&RULE, format!("cluster_state is {state}: {ok_slots} of 16384 slots served"))
        .on(target)
        .log_line(platform_log::fatal("CLUSTERDOWN The cluster is down"))
        .help("wait for the cluster to form, or bring its failed masters back (`redis-cli --cluster check` names the missing slots)")
}

/// Live: a command was refused with `ERRCLUSTER` (RediSearch's coordinator) or `CLUSTERDOWN`.
pub fn refused(target: &str, command: &str, error: &str) -> Finding {
    Finding::new(&RULE, format!("{command} refused: {}", preview(error.trim(), 200)))
        .on(target)
        .log_line(platform_log::fatal(error))
        .help("the cluster is not formed or has lost a master: wait for the chart's cluster creation, or bring the failed nodes back")
}

/// Live: `CLUSTER NODES` lists more nodes than `--max-nodes`; only the first `max` were probed.
pub fn too_many_nodes(target: &str, announced: usize, max: usize) -> Finding {
    Finding::new(
        &RULE,
        format!("CLUSTER NODES lists {announced} nodes, more than --max-nodes {max}: only the first {max} were probed"),
    )
    .on(target)
    .help("a real cluster this large needs --max-nodes raised to its size; otherwise the server is not the cluster it should be (check what answers on this address)")
}
