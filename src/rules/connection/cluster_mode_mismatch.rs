//! `cluster-mode-mismatch`: live: the client config expects a cluster and the server is standalone, or the reverse.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "cluster-mode-mismatch",
    severity: Severity::Error,
    checked_by: CheckedBy::Probe,
    summary: "live: the client config expects a cluster and the server is standalone, or the reverse",
    docs: r#"## What it checks
The client's mode (two or more `addrs` make a cluster client, one a single-node client) against the
server's `redis_mode`.

## Why it matters
A cluster client on a standalone server fails on `CLUSTER` commands; a single-node client on a cluster
gets `MOVED` for most keys. Either way the platform cannot use Redis.

## How to fix
List the headless service twice for a cluster (`redis-cluster-headless:6379` ×2), once for a
standalone Redis.

## Example
```text
error[cluster-mode-mismatch]: 127.0.0.1:6379: the client lists 2 addresses (a cluster client), and this Redis is standalone
```
"#,
    file: file!(),
};

/// Live: the client's mode (two or more addresses make a cluster client) against the server's.
pub fn live(target: &str, cluster_client: bool, addresses: usize) -> Finding {
    let (client, server) = if cluster_client {
        (
            format!(
                "the client lists {} addresses (a cluster client)",
                addresses.max(2)
            ),
            "this Redis is standalone",
        )
    } else {
        (
            "the client lists one address (a single-node client)".to_string(),
            "this Redis is a cluster",
        )
    };
    Finding::new(&RULE, format!("{client}, and {server}"))
        .on(target)
        .help(if cluster_client {
            "list one address for a standalone Redis"
        } else {
            "list the headless service twice (`<fullname>-headless:6379` ×2) for a cluster"
        })
}
