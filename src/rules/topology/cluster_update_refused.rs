//! `cluster-update-refused`: `cluster.update.addNodes` with values the chart's validation refuses
//! (the install or upgrade fails with "VALUES VALIDATION").

use semver::Version;

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::{Lookup, RedisCluster};
use crate::rules::Context;
use crate::tree::{Node, Value};

pub static RULE: Rule = Rule {
    id: "cluster-update-refused",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "`cluster.update.addNodes` with a `currentNumberOfNodes` or `currentNumberOfReplicas` the chart refuses",
    docs: r#"## What it checks
With `cluster.update.addNodes` on (and no external access, or external access with a
`loadBalancerIP`), the chart's `validateValues` requires, in every version, a
`cluster.update.currentNumberOfNodes` that is not empty (Go templates take `0`, `null` and `""`
for empty), and from 7.3.0 a `cluster.update.currentNumberOfReplicas` that is set: 7.3.0 to 9.0.6
refuse `0` too, 9.0.7 and later only `null`. With external access it requires
`cluster.update.newExternalIPs`. The defaults (6 nodes, 1 replica, no external IPs) pass, so only
values written are judged.

## Why it matters
The chart stops the render with `VALUES VALIDATION: redis-cluster: currentNumberOfNodes You must
provide the currentNumberOfNodes to perform an upgrade when not using external access.` (or the
same for `currentNumberOfReplicas`, `newExternalIPs`): `helm upgrade` fails, and no node is added.
A cluster without replicas that adds nodes on chart 7.6.4 (`currentNumberOfReplicas: 0`) cannot
render at all.

## How to fix
Set `cluster.update.currentNumberOfNodes` to the number of nodes deployed now and
`cluster.update.currentNumberOfReplicas` to the replicas per master deployed now. On 7.3.0 to 9.0.6
a cluster without replicas cannot use `addNodes`: upgrade the chart to 9.0.7 or later, or add the
nodes by hand (`redis-cli --cluster add-node`).

## Example
```yaml
redis-cluster:
  cluster:
    nodes: 9
    update:
      addNodes: true
      currentNumberOfNodes: 0   # must be the 6 nodes deployed now
```
"#,
    file: file!(),
};

/// Whether a Go template's `if` takes the value for true (`not` for false): absent, `null`,
/// `false`, zero, `""` and empty collections are false.
fn truthy(node: Option<&Node>) -> bool {
    match node.map(|n| &n.value) {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Int(i)) => *i != 0,
        Some(Value::Float(f)) => *f != 0.0,
        Some(Value::Str(s)) => !s.is_empty(),
        Some(Value::Map(m)) => !m.entries.is_empty(),
        Some(Value::Seq(s)) => !s.is_empty(),
    }
}

/// What refuses a value, by chart version.
#[derive(Clone, PartialEq)]
enum Refused {
    /// Every version.
    Always,
    /// From `since` (and before `until`, when given).
    Between(Version, Option<Version>),
}

impl Refused {
    fn holds_at(&self, version: &Version) -> bool {
        match self {
            Refused::Always => true,
            Refused::Between(since, until) => version >= since && until.as_ref().is_none_or(|u| version < u),
        }
    }

    fn words(&self) -> String {
        match self {
            Refused::Always => String::new(),
            Refused::Between(since, None) => format!("redis-cluster {since} and later"),
            Refused::Between(since, Some(until)) => {
                let last = Version::new(until.major, until.minor, until.patch.saturating_sub(1));
                format!("redis-cluster {since} to {last}")
            }
        }
    }
}

/// Each value the update block refuses in this reading: (its path, the value, the versions that
/// refuse it). Only values the files wrote count (the defaults pass); a `null` written deletes the
/// default, which the chart then finds missing.
fn refused<'a>(cluster: &RedisCluster<'a>) -> Vec<(&'static str, Option<&'a Node>, Refused)> {
    let set = |path: &[&str]| match cluster.lookup(path) {
        Lookup::Set(node) => Some(node),
        _ => None,
    };
    let written = |path: &[&str]| set(path).filter(|n| !n.span.source.is_builtin());
    let mut out = Vec::new();
    if !truthy(set(&["cluster", "update", "addNodes"])) {
        return out;
    }
    let external = truthy(set(&["cluster", "externalAccess", "enabled"]));
    if external {
        if !truthy(set(&["cluster", "externalAccess", "service", "loadBalancerIP"])) {
            return out;
        }
        if let Some(node) = written(&["cluster", "update", "newExternalIPs"]).filter(|n| !truthy(Some(n))) {
            out.push(("newExternalIPs", Some(node), Refused::Always));
        }
        return out;
    }
    let deleted = |key: &str| cluster.scope.deleted(&["cluster", "update", key]);
    if deleted("currentNumberOfNodes") {
        out.push(("currentNumberOfNodes", None, Refused::Always));
    } else if let Some(node) =
        written(&["cluster", "update", "currentNumberOfNodes"]).filter(|n| !truthy(Some(n)))
    {
        out.push(("currentNumberOfNodes", Some(node), Refused::Always));
    }
    let written_replicas = written(&["cluster", "update", "currentNumberOfReplicas"]);
    if deleted("currentNumberOfReplicas") || written_replicas.is_some_and(|n| n.value == Value::Null) {
        out.push((
            "currentNumberOfReplicas",
            written_replicas,
            Refused::Between(Version::new(7, 3, 0), None),
        ));
    } else if let Some(node) = written_replicas.filter(|n| !truthy(Some(n))) {
        out.push((
            "currentNumberOfReplicas",
            Some(node),
            Refused::Between(Version::new(7, 3, 0), Some(Version::new(9, 0, 7))),
        ));
    }
    out
}

/// Where `cluster.update` is written (else the cluster's values).
fn update_block(cluster: &RedisCluster) -> crate::core::source::Span {
    cluster
        .entry(&["cluster", "update"])
        .map_or_else(|| cluster.anchor(), |entry| entry.key_span)
}

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        let version = cluster.version().and_then(|v| Version::parse(v.version()).ok());
        for (key, node, by) in refused(&cluster) {
            // A deleted value has no node: the finding points at where it would be.
            let at = node.map_or_else(|| update_block(&cluster), |n| n.span);
            let shown = node
                .and_then(|n| cx.sources.get(n.span.source).snippet(n.span.range()))
                .filter(|text| !text.is_empty())
                .map_or_else(|| "`null`".to_string(), |text| format!("`{text}`"));
            // Who refuses it: every version, the known one, or (not known) the versions that do.
            let (who, severity) = match (&version, &by) {
                (_, Refused::Always) => ("the chart refuses".to_string(), Severity::Error),
                (Some(v), by) if by.holds_at(v) => (format!("redis-cluster {v} refuses"), Severity::Error),
                (Some(_), _) => continue,
                (None, by) => (
                    format!("{} refuse (the chart version is not known)", by.words()),
                    Severity::Warning,
                ),
            };
            let mut f = Finding::new(
                &RULE,
                format!(
                    "`cluster.update.addNodes` is on and `cluster.update.{key}` is {shown}, which {who}: the render fails with \"VALUES VALIDATION: … You must provide the {key}\""
                ),
            )
            .at(at)
            .label("refused")
            .help(match key {
                "newExternalIPs" => "list the external IPs of the new nodes' services in cluster.update.newExternalIPs",
                "currentNumberOfNodes" => "set cluster.update.currentNumberOfNodes to the number of nodes deployed now",
                _ => "set cluster.update.currentNumberOfReplicas to the replicas per master deployed now; on chart 7.3.0 to 9.0.6 a cluster without replicas cannot use addNodes (9.0.7 and later take 0)",
            });
            f.severity = severity;
            out.push(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_by_version() {
        let replicas_zero = Refused::Between(Version::new(7, 3, 0), Some(Version::new(9, 0, 7)));
        assert!(replicas_zero.holds_at(&Version::new(7, 6, 4)));
        assert!(replicas_zero.holds_at(&Version::new(9, 0, 6)));
        assert!(!replicas_zero.holds_at(&Version::new(9, 0, 7)));
        assert!(!replicas_zero.holds_at(&Version::new(7, 2, 9)));
        assert_eq!(replicas_zero.words(), "redis-cluster 7.3.0 to 9.0.6");
    }
}
