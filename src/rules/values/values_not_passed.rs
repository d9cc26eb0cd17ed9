//! `values-not-passed`: values at a wrapper chart's top level that never reach its dependency.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::charts::Chart;
use crate::model::{shape_of_values, Identity, Shape};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "values-not-passed",
    severity: Severity::Error,
    checked_by: CheckedBy::Lint,
    summary: "values at a wrapper chart's top level that never reach its `redis-cluster` dependency",
    docs: r#"## What it checks
A chart of your own that depends on Bitnami's `redis-cluster` (or Cloudentity's `acp`) chart, with
settings of that chart written at the top of its own values. Helm gives a dependency only the values
under its name (or alias) and `global`: the dependency never sees the others, and deploys its
defaults.

## Why it matters
Everything written there is silently ignored: the cluster runs with the chart's default node count,
a random password, no RediSearch module, the default image. Nothing fails until the platform does.

## How to fix
Move the settings under the dependency's key (the name or alias in `Chart.yaml`):

```yaml
redis-cluster:
  cluster:
    nodes: 6
```

## Example
```yaml
# Chart.yaml: dependencies: [{name: redis-cluster, version: 10.0.0, repository: https://charts.bitnami.com/bitnami}]
cluster:
  nodes: 6
usePassword: true
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for release in &cx.deployment.releases {
        if release.identity() != Identity::Other {
            continue;
        }
        let Some(map) = release.values.as_map() else {
            continue;
        };
        for (chart, shape) in [
            (Chart::RedisCluster, Shape::RedisCluster),
            (Chart::Acp, Shape::Acp),
        ] {
            let Some(scope) = release.scope(chart) else {
                continue;
            };
            let Some(key) = scope.key else { continue };
            // The values at the top read as the dependency's: the wrapper's own keys aside.
            if shape_of_values(&release.values) != shape {
                continue;
            }
            let stray: Vec<&crate::tree::Entry> = map
                .entries
                .iter()
                .filter(|e| e.key != key && e.key != "global")
                .filter(|e| release.dependencies.iter().all(|d| d.values_key != e.key))
                .filter(|e| chart.has_key_anywhere(&[e.key.as_str()]))
                .collect();
            let Some(first) = stray.first() else { continue };
            let keys: Vec<&str> = stray.iter().map(|e| e.key.as_str()).collect();
            let mut f = Finding::new(
                &RULE,
                format!(
                    "{} {} at the top of the values of chart `{}`, where the `{}` dependency never sees {}: it deploys its defaults",
                    keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "),
                    if keys.len() == 1 { "is" } else { "are" },
                    release.chart_name.as_ref().map_or("", |n| n.value.as_str()),
                    chart.name(),
                    if keys.len() == 1 { "it" } else { "them" },
                ),
            )
            .at(first.key_span)
            .label(format!("not passed to {key}"))
            .help(format!("move them under `{key}:` (Helm passes a dependency only the values under its name or alias, and global)"));
            for entry in stray.iter().skip(1).take(5) {
                f = f.related(entry.key_span, format!("not passed to {key} either"));
            }
            out.push(f);
        }
    }
}
