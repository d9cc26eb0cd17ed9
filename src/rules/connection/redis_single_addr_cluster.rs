//! `redis-single-addr-cluster`: a cluster is deployed but the client lists one address (a single-node client).

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "redis-single-addr-cluster",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "a cluster is deployed but the client lists one address (a single-node client)",
    docs: r#"## What it checks
That the platform lists at least two addresses when a Redis Cluster is deployed.

## Why it matters
The platform's Redis library picks a cluster client for two or more addresses and a single-node
client for one. A single-node client against a cluster gets `MOVED` redirections it does not follow,
and about two thirds of the keys fail.

## How to fix
List the headless service twice, as the vendor does.

## Example
```yaml
acp:
  redis:
    addrs: [redis-cluster-headless:6379]
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    if cx.redis_clusters().next().is_none() {
        return;
    }
    for platform in cx.platforms() {
        let Some(client) = platform.redis_client().filter(|c| !c.disabled()) else {
            continue;
        };
        if let [addr] = client.addrs() {
            out.push(
                Finding::new(&RULE, "a Redis Cluster is deployed, and the platform lists one address: it will use a single-node client")
                    .at(addr.span)
                    .label("one address")
                    .help("list the headless service twice, so that the platform uses a cluster client"),
            );
        }
    }
}
