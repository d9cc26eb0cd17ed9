//! `persistence-disabled`: neither AOF nor RDB snapshots are on (in the values, or live).

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::{redis_conf, Lookup};
use crate::rules::{unsettled, Context};
use crate::tree::{Node, Value};

pub static RULE: Rule = Rule {
    id: "persistence-disabled",
    severity: Severity::Warning,
    checked_by: CheckedBy::LintAndProbe,
    summary: "neither AOF nor RDB snapshots are on",
    docs: r#"## What it checks
In the values: that `redis.useAOFPersistence` is not `"no"` while the redis.conf lines the values add
(`redis.configmap`, `redis.defaultConfigOverride`) end the chart's RDB save points with `save ""`.
The chart's default config always has save points, and AOF is on by default. An `appendonly` line
in those strings changes nothing: the image sets `appendonly` from `useAOFPersistence` at start.

Live: `aof_enabled` from `INFO`, and the `save` setting from `CONFIG GET save` (when the probe user
may run it; otherwise only AOF is known, and a missing AOF is reported as information).

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

/// Lint: AOF off and the save points removed.
pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        let aof = cluster.lookup(&["redis", "useAOFPersistence"]);
        let Lookup::Set(aof_node) = aof else {
            continue;
        };
        let off = |n: &Node| match &n.value {
            Value::Str(s) => s.eq_ignore_ascii_case("no"),
            Value::Bool(b) => !b,
            _ => false,
        };
        let directives = cluster.directives(cx.sources);
        // AOF is `useAOFPersistence` alone: the chart passes it as `REDIS_AOF_ENABLED`, and the
        // Bitnami image's setup rewrites every `appendonly` line of the redis.conf it starts with
        // (`redis_conf_set appendonly`), so one in `redis.configmap` never decides.
        let aof_on = !off(aof_node);
        // The values' config comes after the chart's default body (and its `save` lines): the last
        // `save` wins.
        let Some(save) = redis_conf::last(directives, "save") else {
            continue;
        };
        let no_snapshots = save.args.len() == 1 && save.args[0].text.is_empty();
        if aof_on || !no_snapshots {
            continue;
        }
        let f = Finding::new(
            &RULE,
            "neither AOF nor RDB snapshots are on: a restarted node comes back empty",
        )
        .at(save.span)
        .label("save \"\": no snapshots")
        .related(aof_node.span, "AOF off")
        .help(HELP);
        out.push(
            match cluster.unsettled(&[&["redis", "useAOFPersistence"], &["redis", "configmap"]]) {
                Some(why) => unsettled(f, why),
                None => f,
            },
        );
    }
}

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
