//! `chart-unknown`: a chart or chart version acp-check has no data for: its keys are not judged.

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::model::charts::{self, Chart};
use crate::model::Identity;
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "chart-unknown",
    severity: Severity::Info,
    checked_by: CheckedBy::Lint,
    summary: "a chart or chart version acp-check has no data for: its keys are not judged",
    docs: r#"## What it checks
acp-check carries the default values and key tree of every published version of Bitnami's
`redis-cluster`, Cloudentity's `kube-acp-stack` and `acp` charts. It says so, once, when a release
deploys a chart that bears one of those names but is another chart (such as the OT-Container-Kit
`redis-cluster`), or a version of a known chart that was never published. Charts of other names
(ingress-nginx, cert-manager) are not the platform's and are skipped without a word.

## Why it matters
Such a chart's keys and defaults are unknown to acp-check: rather than reporting every key as
unknown, or judging values against the wrong chart, it checks only what does not depend on the
chart (YAML, secrets in clear) and tells you what it skipped.

## How to fix
Nothing to fix when the chart is not Bitnami's. For a version typo, use a published version (`helm
search repo bitnami/redis-cluster --versions`); to check a chart copied and edited in place, keep its
`home` and `sources` in `Chart.yaml`.

## Example
```yaml
# Chart.yaml
name: redis-cluster
version: 0.15.11
home: https://github.com/ot-container-kit/redis-operator
```
"#,
    file: file!(),
};

pub fn check(cx: &Context, out: &mut Vec<Finding>) {
    for release in &cx.deployment.releases {
        let Some(name) = &release.chart_name else {
            continue;
        };
        match release.identity() {
            Identity::Other => {
                // Charts of other names (ingress-nginx beside the platform) are simply not ours:
                // only a chart that borrows one of our names leaves a user expecting checks.
                let borrowed = Chart::ALL.iter().any(|c| c.name() == name.value);
                if !borrowed || release.redis_cluster().is_some() || release.platform().is_some() {
                    continue;
                }
                let from = release
                    .chart_origin
                    .iter()
                    .find(|o| o.as_str() != "-")
                    .map(|o| format!(" (from {o})"))
                    .unwrap_or_default();
                let version = release
                    .chart_version
                    .as_ref()
                    .map(|v| format!(" {}", v.value))
                    .unwrap_or_default();
                out.push(
                    Finding::new(
                        &RULE,
                        format!(
                            "chart `{}`{version}{from} is not one acp-check has data for: its values are not checked",
                            name.value
                        ),
                    )
                    .at_opt(name.span)
                    .label("not a chart acp-check knows")
                    .help(known_charts_help()),
                );
            }
            Identity::Versionless(chart) => {
                let Some(written) = release.written_version(chart) else {
                    continue;
                };
                let all = charts::versions(chart);
                let (first, last) = (all.first(), all.last());
                let known = match (first, last) {
                    (Some(a), Some(b)) => format!("{} to {}", a.version(), b.version()),
                    _ => String::new(),
                };
                out.push(
                    Finding::new(
                        &RULE,
                        format!(
                            "{} chart version `{}` is not a published version (acp-check knows {known}): its keys and defaults are judged against every version",
                            chart.name(),
                            written.value
                        ),
                    )
                    .at_opt(written.span)
                    .label("no such version")
                    .help(format!("use a published version, or pass --chart-version {}=VERSION", chart.name())),
                );
            }
            Identity::Known(_) | Identity::Unnamed => {}
        }
    }
}

fn known_charts_help() -> String {
    let names: Vec<&str> = Chart::ALL.iter().map(|c| c.name()).collect();
    format!(
        "acp-check checks {} (identified by name and Chart.yaml home or sources); YAML and secrets are still checked",
        names.join(", ")
    )
}
