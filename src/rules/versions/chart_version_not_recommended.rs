//! `chart-version-not-recommended`: the redis-cluster chart version is not the recommended 7.6.4.

use semver::Version;

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::versions::chart_of;
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "chart-version-not-recommended",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "the redis-cluster chart version is not the recommended 7.6.4",
    docs: r#"## What it checks
The redis-cluster chart version, from `Chart.lock` or `Chart.yaml` (umbrella chart), a HelmRelease's
`spec.chart.spec.version` (a range resolves to the newest published version matching it) or
`--redis-chart-version`, against `[versions] redis-cluster-chart-recommended` (7.6.4).

## Why it matters
The vendor tests with chart 7.6.4. Other versions differ in defaults and keys; from 8.0.0 on, the
default image is Redis 7, which is not supported.

## How to fix
Use chart 7.6.4, or pin `image.tag` to 6.2.14 and check the keys you use exist in your version
(`chart-key-unavailable`).

## Example
```yaml
# Chart.yaml
dependencies:
  - name: redis-cluster
    version: 11.5.4
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    let recommended = &cx.versions.redis_cluster_chart_recommended;
    for cluster in cx.deployment.redis_clusters() {
        let Some((written, resolved)) = chart_of(&cluster) else {
            continue;
        };
        let version = match resolved {
            Some(r) => r.chart.clone(),
            None => match Version::parse(written.value.trim_start_matches('v')) {
                Ok(v) => v,
                Err(_) => continue,
            },
        };
        if &version == recommended {
            continue;
        }
        let shown = if written.value == version.to_string() {
            version.to_string()
        } else {
            format!("{} (resolves to {version})", written.value)
        };
        let redis = resolved
            .map(|r| format!(", whose default image is Redis {}", r.redis))
            .unwrap_or_default();
        out.push(
            Finding::new(
                &RULE,
                format!("redis-cluster chart {shown} is not the recommended {recommended}{redis}"),
            )
            .at_opt(written.span)
            .label(format!("chart {version}"))
            .help(format!(
                "use chart {recommended}, or pin image.tag to a supported Redis version"
            )),
        );
    }
}
