//! `tls-mismatch`: TLS is on at one end only.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::{unsettled, Context};
use crate::tree::Node;

pub static RULE: Rule = Rule {
    id: "tls-mismatch",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "TLS is on at one end only",
    docs: r#"## What it checks
That the platform's Redis client (`redis.tls.enabled`) and the cluster (`redis-cluster.tls.enabled`)
agree on TLS.

## Why it matters
A plaintext client talking to a TLS port, or a TLS client talking to a plaintext port, fails the
handshake or gets garbage; the platform dies at start-up with a connection error that does not
mention TLS.

## How to fix
Turn TLS on (or off) at both ends: `tls.enabled` under the platform's `redis` and under
`redis-cluster`.

## Example
```yaml
acp:
  redis:
    tls:
      enabled: false
redis-cluster:
  tls:
    enabled: true
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let clusters: Vec<_> = cx.redis_clusters().collect();
    for platform in cx.platforms() {
        let Some(client) = platform.redis_client() else {
            continue;
        };
        let client_tls = client.tls_enabled();
        let client_on = client.tls_on();
        for cluster in &clusters {
            let cluster_tls = cluster.get(&["tls", "enabled"]);
            let cluster_on = cluster_tls.and_then(Node::as_bool).unwrap_or(false);
            if client_on == cluster_on {
                continue;
            }
            let (on, off) = if cluster_on {
                ("the cluster", "the platform's client")
            } else {
                ("the platform's client", "the cluster")
            };
            let client_at = client_tls
                .map(|n| n.span)
                .or_else(|| client.entry(&["addrs"]).map(|e| e.key_span));
            let cluster_at = cluster_tls.map(|n| n.span).unwrap_or_else(|| cluster.anchor());
            let (primary, other) = (client_at.unwrap_or(cluster_at), cluster_at);
            let mut f = Finding::new(&RULE, format!("TLS is on for {on} and off for {off}"))
                .at(primary)
                .label(if client_on { "TLS on" } else { "TLS off" })
                .help("set tls.enabled to the same value under the platform's redis and under redis-cluster");
            if other != primary {
                f = f.related(
                    other,
                    if cluster_on {
                        "TLS on for the cluster"
                    } else {
                        "TLS off for the cluster"
                    },
                );
            }
            out.push(
                match cluster
                    .unsettled(&[&["tls", "enabled"]])
                    .or(client.unsettled(&[&["tls", "enabled"]]))
                {
                    Some(why) => unsettled(f, why),
                    None => f,
                },
            );
        }
    }
}
