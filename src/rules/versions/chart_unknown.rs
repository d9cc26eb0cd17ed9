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

It also says once when values name no chart and hold only a `redis-cluster:` section: they may be
the umbrella chart `kube-acp-stack`'s (whose defaults give the cluster a password, the RediSearch
module and 3 nodes without replicas) or those of a chart of your own around `redis-cluster`. The
checks whose answer depends on which were not run; the finding lists them.

## Why it matters
Such a chart's keys and defaults are unknown to acp-check: rather than reporting every key as
unknown, or judging values against the wrong chart, it checks only what does not depend on the
chart (YAML, secrets in clear) and tells you what it skipped.

## How to fix
For values that name no chart, lint the chart directory they belong to, or name the chart with
`--chart-version kube-acp-stack=VERSION` (or `[charts]` in `.acp-check.toml`).
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

/// Findings that could not be checked only because the values may not be `chart`'s (see
/// [`Finding::assumed_chart`]) become one finding per file and chart, naming the checks not run.
pub fn fold_assumed(findings: &mut Vec<Finding>) {
    let mut folded: Vec<(Finding, Vec<&'static str>)> = Vec::new();
    findings.retain(|f| {
        let Some(chart) = f.assumed_chart else {
            return true;
        };
        let source = f.span.map(|s| s.source);
        match folded
            .iter_mut()
            .find(|(g, _)| g.assumed_chart == Some(chart) && g.span.map(|s| s.source) == source)
        {
            Some((_, rules)) => {
                if !rules.contains(&f.rule.id) {
                    rules.push(f.rule.id);
                }
            }
            None => folded.push((f.clone(), vec![f.rule.id])),
        }
        false
    });
    for (first, rules) in folded {
        let chart = first.assumed_chart.unwrap_or_default();
        let mut f = Finding::new(
            &RULE,
            format!(
                "the values name no chart: if they are {chart}'s, its defaults decide what {} check, so {} not checked",
                rules.join(", "),
                if rules.len() == 1 { "it was" } else { "they were" }
            ),
        )
        .label("no chart named")
        .help(format!(
            "lint the chart directory these values belong to, or pass --chart-version {chart}=VERSION (or set it in [charts] of .acp-check.toml)"
        ));
        f.span = first.span;
        findings.push(f);
    }
}
