//! `search-index-missing`: live: the index does not exist yet.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "search-index-missing",
    severity: Severity::Info,
    checked_by: CheckedBy::Probe,
    summary: "live: the index does not exist yet",
    docs: r#"## What it checks
`FT.INFO <index>` (index from `--index`, the config, `redis_search_index_name` in the values, else
`default-index`) on a Redis where RediSearch is loaded.

## Why it matters
A new or emptied Redis has no index yet; that is expected before the platform's first start. On a
Redis that should hold data, a missing index means the platform talks to the wrong Redis, or a Redis
without persistence lost its data.

## How to fix
Nothing before a first deploy. Otherwise check the platform's `redis.addrs` and the index name.

## Example
```text
info[search-index-missing]: 127.0.0.1:6379: RediSearch has no index `default-index` yet
```
"#,
    file: file!(),
};

/// Live: RediSearch is loaded and has no such index.
pub fn live(target: &str, index: &str) -> Finding {
    Finding::new(&RULE, format!("RediSearch has no index `{index}` yet"))
        .on(target)
        .help("expected before the platform's first start; otherwise check the platform's redis.addrs and index name")
}
