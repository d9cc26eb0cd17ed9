//! The real upstream files in ../shared/reference lint without a crash, and say what a careful
//! reviewer would: the chart defaults are valid by definition, and the vendor's own values use no
//! unknown key, no wrong type and no ambiguous YAML.

use crate::common;

use std::path::PathBuf;

use crate::common::{lint_json, scratch};

fn reference() -> Option<PathBuf> {
    let dir = common::root().join("../shared/reference");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} is not beside this checkout; reference tests not run",
            dir.display()
        );
        None
    }
}

/// What a careful reviewer says of each upstream file, linted alone.
#[test]
fn upstream_files_give_the_findings_a_reviewer_expects() {
    let Some(dir) = reference() else { return };
    type Case<'a> = (&'a str, &'a [(&'a str, u64, u64)], i32);
    let cases: [Case; 4] = [
        // The chart's defaults: an image docker.io/bitnami no longer serves, Redis 6.2.7 (below
        // 6.2.14), a random password, no RediSearch; and, the chart version not being named, helper
        // images that charts 11.2.0 and later would refuse as substituted (info).
        (
            "bitnami-redis-cluster-7.6.4-values.yaml",
            &[
                ("image-unavailable", 71, 15),
                ("redis-version-outdated", 75, 8),
                ("password-unknowable", 184, 1),
                ("image-substitution-blocked", 336, 17),
                ("search-module-missing", 454, 3),
                ("image-substitution-blocked", 949, 15),
            ],
            1,
        ),
        // Chart 11.5.4 deploys Redis 7.4.3, which only platform 2.25.0 and later support: with no
        // platform version known, an info; and its image is no longer served.
        (
            "bitnami-redis-cluster-11.5.4-values.yaml",
            &[
                ("image-unavailable", 91, 15),
                ("redis-version-unsupported", 92, 8),
                ("password-unknowable", 264, 1),
                ("search-module-missing", 583, 3),
            ],
            1,
        ),
        // The platform chart's defaults configure no Redis client (some versions render default
        // addresses, and the version is not known) and no cluster is given: info level only.
        (
            "acp-chart-2.25.0-values.yaml",
            &[("redis-addrs-missing", 3, 1), ("cross-release-unchecked", 3, 1)],
            0,
        ),
        // The vendor's example: passwords in clear, no replicas, and no tag or chart version to
        // tell the Redis version; addresses, module, mount and passwords agree.
        (
            "kube-acp-stack-2.24.1-values.yaml",
            &[
                ("plaintext-secret", 15, 19),
                ("redis-version-unknown", 23, 1),
                ("cluster-no-replicas", 28, 15),
                ("plaintext-secret", 29, 13),
                ("plaintext-secret", 32, 66),
            ],
            0,
        ),
    ];
    for (name, expected, code) in cases {
        let path = dir.join(name);
        let out = lint_json(&[path.to_str().unwrap()]);
        let found: Vec<(String, u64, u64)> =
            out.findings().into_iter().map(|(r, _, l, c)| (r, l, c)).collect();
        let expected: Vec<(String, u64, u64)> =
            expected.iter().map(|(r, l, c)| (r.to_string(), *l, *c)).collect();
        assert_eq!(found, expected, "{name}:\n{}", out.stdout);
        assert_eq!(out.code, code, "{name}");
    }
}

#[test]
fn the_vendor_umbrella_chart_is_read_as_a_chart_directory() {
    let Some(dir) = reference() else { return };
    let chart = scratch("kube-acp-stack");
    std::fs::copy(
        dir.join("kube-acp-stack-2.24.1-Chart.yaml"),
        chart.join("Chart.yaml"),
    )
    .unwrap();
    std::fs::copy(
        dir.join("kube-acp-stack-2.24.1-values.yaml"),
        chart.join("values.yaml"),
    )
    .unwrap();
    let options = acp_check::input::Options {
        inputs: vec![chart.to_string_lossy().into()],
        ..Default::default()
    };
    let loaded = acp_check::input::load(&options).unwrap();
    let cluster = loaded
        .deployment
        .redis_clusters()
        .next()
        .expect("redis-cluster part");
    assert_eq!(cluster.version().unwrap().version(), "7.6.4");
    let platform = loaded.deployment.platforms().next().expect("platform part");
    let client = platform.redis_client().unwrap();
    assert_eq!(client.get(&["addrs"]).unwrap().as_seq().unwrap().len(), 2);
    // The vendor writes the password in clear in two places: both are masked in reports.
    let values = loaded
        .sources
        .iter()
        .find(|(_, s)| s.name.ends_with("values.yaml"))
        .unwrap()
        .1;
    assert!(
        values.redacted().text.matches("***").count() >= 3,
        "password, OSS_GLOBAL_PASSWORD, client password"
    );
    assert!(!values.redacted().text.contains("p@ssw0rd!"));
}
