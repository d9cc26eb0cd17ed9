//! `persistence-disabled`: live: neither AOF nor RDB snapshots are on.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "persistence-disabled",
    severity: Severity::Warning,
    checked_by: CheckedBy::Probe,
    summary: "live: neither AOF nor RDB snapshots are on",
    docs: r#"## What it checks
`aof_enabled` from `INFO`, and the `save` setting from `CONFIG GET save` (when the probe user may run
it; otherwise only AOF is known, and a missing AOF is reported as information).

## Why it matters
Without persistence, a restarted node comes back empty: tokens, sessions and search indexes are gone,
and users are logged out.

## How to fix
Set `redis-cluster.redis.useAOFPersistence: "yes"` (the chart's default), or keep RDB snapshots.

## Example
```yaml
redis-cluster:
  redis:
    useAOFPersistence: "yes"
```
"#,
    file: file!(),
};

const HELP: &str = "set redis-cluster.redis.useAOFPersistence: \"yes\" (the chart's default)";

/// Live: AOF is off and `CONFIG GET save` shows no snapshots.
pub fn live(target: &str) -> Finding {
    Finding::new(
        &RULE,
        "neither AOF nor RDB snapshots are on: a restarted node comes back empty",
    )
    .on(target)
    .help(HELP)
}

/// Live: AOF is off, and the probe user may not ask whether snapshots are on.
pub fn snapshots_unknown(target: &str, user: Option<&str>) -> Finding {
    Finding::new(
        &RULE,
        format!(
            "AOF is off, and whether RDB snapshots are on is unknown: user `{}` may not run CONFIG GET",
            user.unwrap_or("default")
        ),
    )
    .unverified()
    .on(target)
    .help(HELP)
}
