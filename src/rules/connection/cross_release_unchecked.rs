//! `cross-release-unchecked`: a platform release with no Redis release to compare with: which checks
//! did not run.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "cross-release-unchecked",
    severity: Severity::Info,
    checked_by: CheckedBy::Lint,
    summary: "a platform release with no Redis release to compare with: which checks did not run",
    docs: r#"## What it checks
Whether a deployment holds both sides: the platform's Redis client settings (the `acp` chart) and
the Redis cluster (the `redis-cluster` chart). When the platform's side is given without the cluster's,
acp-check says once which checks need the other. A Redis release alone is the common case of a team
that runs Redis for the platform; its own checks are complete and nothing is said.

## Why it matters
Most installs that fail at start-up fail on a disagreement between the two: a password, an address,
TLS on one side only. Those checks run only when acp-check reads both.

## How to fix
Give both in one run: `acp-check lint platform-values.yaml redis-values.yaml`, a directory holding
both releases, or the umbrella chart's values.

## Example
```yaml
# platform-values.yaml alone
redis:
  addrs: [redis-cluster-headless:6379, redis-cluster-headless:6379]
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let platform = cx.platforms().find(|p| p.redis_client().is_some());
    let cluster = cx.redis_clusters().next();
    if let (Some(platform), None) = (platform, cluster) {
        out.push(
            Finding::new(
                &RULE,
                "no redis-cluster release was given with the platform's: its Redis password, addresses and TLS were not compared with the cluster's",
            )
            .at(platform.scope.anchor())
            .help("give the redis-cluster values in the same run (a file, a chart directory or a HelmRelease), or check the live cluster with `acp-check probe`"),
        );
    }
}
