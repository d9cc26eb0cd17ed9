//! `chart-key-unavailable`: a key the deployed chart version does not have.

use semver::Version;

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::versions::chart_of;
use crate::rules::Context;
use crate::schema::{SchemaId, SchemaNode};
use crate::tree::Node;

pub static RULE: Rule = Rule {
    id: "chart-key-unavailable",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "a key the deployed chart version does not have",
    docs: r#"## What it checks
Keys of the redis-cluster values that exist in one chart generation and not the other: for example
`persistence.enabled`, `redis.defaultConfigOverride` or `pdb` exist in chart 11.x and not in 7.6.4;
`usePasswordFile` and `minAvailable` exist in 7.6.4 and not in 11.x. Needs the chart version (see
`chart-version-not-recommended`).

## Why it matters
The chart ignores a key it does not have. Setting `persistence.enabled: false` on chart 7.6.4 still
creates volumes; loading RediSearch through `redis.defaultConfigOverride` on 7.6.4 loads nothing.

## How to fix
Use the key of your chart version (on 7.6.4, `redis.configmap` instead of
`redis.defaultConfigOverride`), or move to the chart version that has it.

## Example
```yaml
redis-cluster:
  persistence:
    enabled: false      # chart 7.6.4 has no such key
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for cluster in cx.redis_clusters() {
        let Some((_, Some(release))) = chart_of(&cluster) else {
            continue;
        };
        let chart = &release.chart;
        // The schema knows the key trees of 7.6.4 and 11.5.4; each stands for its generation.
        let generation = match chart.major {
            0..=7 => "7.6.4",
            11.. => "11.5.4",
            _ => continue,
        };
        let schema = SchemaId::RedisCluster.get();
        walk(
            cluster.root,
            schema.root(),
            &mut Vec::new(),
            (generation, cluster.version()),
            chart,
            out,
        );
    }
}

fn walk(
    node: &Node,
    schema: &'static SchemaNode,
    path: &mut Vec<String>,
    (generation, version): (&str, Option<&'static crate::model::charts::ChartVersion>),
    chart: &Version,
    out: &mut Vec<Finding>,
) {
    let Some(map) = node.as_map() else { return };
    if schema.properties.is_empty() {
        return;
    }
    for entry in &map.entries {
        let Some(sub) = schema.property(&entry.key) else {
            continue;
        };
        let sub = SchemaId::RedisCluster.get().node(sub);
        path.push(entry.key.clone());
        // The generation's key tree, unless the version's own values say it has the key (6.0.0
        // has `persistence.enabled`, which 7.6.4 dropped).
        let keys: Vec<&str> = path.iter().map(String::as_str).collect();
        let has_it = version.is_some_and(|v| v.has_key(&keys));
        if sub.absent_in.contains(&generation) && !has_it {
            out.push(
                Finding::new(
                    &RULE,
                    format!(
                        "`{}` does not exist in redis-cluster chart {chart}: the chart ignores it",
                        path.join(".")
                    ),
                )
                .at(entry.key_span)
                .label(format!("not in chart {chart}"))
                .help(match path.join(".").as_str() {
                    "redis.defaultConfigOverride" => {
                        "on chart 7.x, put redis.conf lines in redis.configmap".to_string()
                    }
                    "persistence.enabled" => "chart 7.x always creates a volume; remove the key".to_string(),
                    _ => format!(
                        "remove it, or deploy a chart version that has it (the key is from chart {})",
                        if generation == "7.6.4" { "11.x" } else { "7.6.4" }
                    ),
                }),
            );
        } else {
            walk(&entry.value, sub, path, (generation, version), chart, out);
        }
        path.pop();
    }
}
