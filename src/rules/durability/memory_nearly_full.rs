//! `memory-nearly-full`: live: used memory above 90% of maxmemory.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "memory-nearly-full",
    severity: Severity::Warning,
    checked_by: CheckedBy::Probe,
    summary: "live: used memory above 90% of maxmemory",
    docs: r#"## What it checks
`used_memory` against `maxmemory` from `INFO` (when `maxmemory` is set). When `INFO` gives either
without a number acp-check can read, the check did not run, and the rule says so at info level.

## Why it matters
At `maxmemory`, Redis with `noeviction` refuses writes (the platform cannot issue tokens); with an
evicting policy it drops keys (users lose sessions).

## How to fix
Raise `maxmemory` (and the pods' memory limits), or add shards (`cluster.nodes`).

## Example
```text
warning[memory-nearly-full]: 127.0.0.1:7000: 95% of maxmemory (972.8 MiB of 1 GiB) is used
```
"#,
    file: file!(),
};

/// Live: `used_memory` above 90% of `maxmemory`, if it is.
pub fn live(target: &str, used: u64, max: u64) -> Option<Finding> {
    // In u128: the products of numbers near u64::MAX must not saturate into "equal".
    if max == 0 || u128::from(used) * 10 <= u128::from(max) * 9 {
        return None;
    }
    Some(
        Finding::new(
            &RULE,
            format!(
                "{}% of maxmemory ({} of {}) is used",
                (u128::from(used) * 100 / u128::from(max)),
                bytes(used),
                bytes(max)
            ),
        )
        .on(target)
        .help("raise maxmemory (and the pods' memory limits), or add shards"),
    )
}

fn bytes(n: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if n as f64 >= 1024.0 * MIB {
        format!("{:.1} GiB", n as f64 / (1024.0 * MIB))
    } else {
        format!("{:.1} MiB", n as f64 / MIB)
    }
}

/// Live: `INFO` has no readable `used_memory` or `maxmemory`: the check did not run.
pub fn unreadable(target: &str, key: &str, value: Option<&str>) -> Finding {
    let what = match value {
        Some(text) => format!(
            "INFO's {key} `{}` is not a number of bytes",
            crate::core::text::preview(text, 40)
        ),
        None => format!("INFO has no {key}"),
    };
    Finding::new(&RULE, format!("{what}: memory use was not checked"))
        .unverified()
        .on(target)
        .help("check the server with `INFO memory`: Redis gives both used_memory and maxmemory as numbers")
}
