//! `chart-version-not-recommended`: the redis-cluster chart version is not the one recommended for
//! the platform version (7.6.4; 11.5.4 from platform 2.25.0).

use semver::Version;

use crate::diagnostic::{CheckedBy, Finding, Rule, Severity};
use crate::rules::versions::redis_config_incompatible::REFUSED_BY_6_2;
use crate::rules::versions::{chart_of, deployed, full_and_shown, Deployed, Policy, Verdict};
use crate::rules::Context;

pub static RULE: Rule = Rule {
    id: "chart-version-not-recommended",
    severity: Severity::Warning,
    checked_by: CheckedBy::Lint,
    summary: "the redis-cluster chart version is not the one recommended for the platform version (7.6.4; 11.5.4 from 2.25.0)",
    docs: r#"## What it checks
The redis-cluster chart version, from `Chart.lock` or `Chart.yaml` (umbrella chart), a HelmRelease's
`spec.chart.spec.version` (a range resolves to the newest published version matching it) or
`--redis-chart-version`, against the chart the platform version matrix recommends
(`acp-check explain versions`): 7.6.4 for platform 2.24 and earlier, 11.5.4 (what kube-acp-stack
ships) from platform 2.25.0. When the platform version is not known, a chart some platform version
recommends is not reported. `[versions] redis-cluster-chart-recommended` overrides the matrix.
Not reported either: a chart whose `image.tag` the files pin to a Redis version the platform
supports (for Redis 6.2 on chart 8.1.2 or later, with a Redis 6.2 `redis.defaultConfigOverride`, as
the vendor's reference deployment runs chart 11.4.3), and the chart version an umbrella chart
version itself depends on (kube-acp-stack 0.16.3 ships 7.0.13).

## Why it matters
The vendor tests with those charts. Other versions differ in defaults and keys; from 8.0.0 on, the
default image is Redis 7 (Redis 8 from 12.0.0).

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
    let policy = Policy::of(cx);
    let recommended = policy.charts();
    for cluster in cx.redis_clusters() {
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
        if recommended.contains(&&version) {
            continue;
        }
        // A Redis version the files pin that the platform supports: the chart's own default is not
        // what runs (the vendor's reference runs chart 11.4.3 with Redis 6.2.16 this way).
        if let Deployed::Version {
            version: pinned,
            span: Some(span),
            ..
        } = deployed(&cluster)
        {
            // Redis 6.2 on chart 8.1.2 or later runs only with a config of its own
            // (redis-config-incompatible says so when there is none).
            let six_two_config = (pinned.0, pinned.1) != (6, 2)
                || version < Version::new(8, 1, 2)
                || cluster
                    .get(&["redis", "defaultConfigOverride"])
                    .is_some_and(|node| {
                        let directives = crate::model::redis_conf::directives(node, cx.sources);
                        !directives.is_empty()
                            && !directives
                                .iter()
                                .any(|d| REFUSED_BY_6_2.contains(&d.name.as_str()))
                    });
            if !span.source.is_builtin()
                && six_two_config
                && !matches!(policy.judge(&full_and_shown(pinned).0), Verdict::Unsupported(_))
            {
                continue;
            }
        }
        // The chart version the umbrella chart itself pins (kube-acp-stack 0.16.3 ships 7.0.13):
        // not a choice the values made.
        if umbrella_pins(&cluster, &version) {
            continue;
        }
        let shown = if written.value == version.to_string() {
            version.to_string()
        } else {
            format!("{} (resolves to {version})", written.value)
        };
        let redis = resolved
            .map(|r| format!(" (default image: Redis {})", r.redis))
            .unwrap_or_default();
        let wanted = match (policy.platform_words(), &recommended[..]) {
            (Some(platform), [one]) => format!("{one}, the chart recommended for {platform}"),
            (None, [one]) => format!("the recommended {one}"),
            _ => format!(
                "{}, the charts recommended for the platform versions it may run with",
                groups(policy)
            ),
        };
        let first = recommended.first().map(|v| v.to_string()).unwrap_or_default();
        out.push(
            Finding::new(
                &RULE,
                format!("redis-cluster chart {shown}{redis} is not {wanted}"),
            )
            .at_opt(written.span)
            .label(format!("chart {version}"))
            .help(format!(
                "use chart {first}, or pin image.tag to a Redis version the platform supports"
            )),
        );
    }
}

/// The recommended charts, newest platform first, each with the platform versions it is
/// recommended for: "11.5.4 (platform 2.25.0 and later) or 7.6.4 (platform 2.24.1 and earlier)".
fn groups(policy: &Policy) -> String {
    let mut groups: Vec<(&Version, Option<String>, Option<String>)> = Vec::new();
    for row in &policy.rows {
        let from = row.from.as_ref().map(|v| v.to_string());
        let to = row.to.as_ref().map(|v| v.to_string());
        match groups.last_mut() {
            Some((chart, _, last)) if *chart == &row.chart => *last = to,
            _ => groups.push((&row.chart, from, to)),
        }
    }
    groups
        .iter()
        .rev()
        .map(|(chart, from, to)| {
            let platforms = match (from, to) {
                (None, None) => "every platform version".to_string(),
                (None, Some(to)) => format!("platform {to} and earlier"),
                (Some(from), None) => format!("platform {from} and later"),
                (Some(from), Some(to)) => format!("platform {from} to {to}"),
            };
            format!("{chart} ({platforms})")
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Whether `version` is the redis-cluster version the umbrella chart version of the release
/// depends on.
fn umbrella_pins(cluster: &crate::model::RedisCluster, version: &Version) -> bool {
    let crate::model::Identity::Known(umbrella) = cluster.release.identity() else {
        return false;
    };
    umbrella
        .dependencies()
        .iter()
        .filter(|d| d.chart() == Some(crate::model::charts::Chart::RedisCluster))
        .filter_map(|d| d.resolve())
        .any(|d| Version::parse(d.version()).is_ok_and(|v| v == *version))
}
