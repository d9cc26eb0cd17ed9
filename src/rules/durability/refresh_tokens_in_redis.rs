//! `refresh-tokens-in-redis`: storage.refresh_tokens.enabled: false moves refresh tokens into Redis.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::durability::refresh_tokens_in_redis;
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "refresh-tokens-in-redis",
    severity: Severity::Info,
    checked_by: CheckedBy::Lint,
    summary: "storage.refresh_tokens.enabled: false moves refresh tokens into Redis",
    docs: r#"## What it checks
`storage.refresh_tokens.enabled: false` in the platform's config (`config.data` or `secretConfig.data`).

## Why it matters
By default refresh tokens are kept in the SQL database. Turned off, they are kept in Redis, and Redis
becomes the only copy of long-lived credentials: its replication and persistence now matter as much as
the database's. `refresh-tokens-at-risk` checks that they are in place.

## How to fix
Nothing, if this is intended. Otherwise remove the setting or set it to `true`.

## Example
```yaml
acp:
  config:
    data:
      storage:
        refresh_tokens:
          enabled: false
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for platform in cx.platforms() {
        let Some(enabled) = refresh_tokens_in_redis(&platform) else {
            continue;
        };
        out.push(
            Finding::new(
                &RULE,
                "refresh tokens are stored in Redis, not in the SQL database",
            )
            .at(enabled.value.span)
            .label("refresh tokens in Redis")
            .help("Redis is now the only copy of refresh tokens: keep replicas and AOF persistence on"),
        );
    }
}
