//! The real upstream files in ../shared/reference lint without a crash, and say what a careful
//! reviewer would: the chart defaults are valid by definition, and the vendor's own values use no
//! unknown key, no wrong type and no ambiguous YAML.

mod common;

use std::path::PathBuf;

use common::{lint_json, scratch};

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

#[test]
fn upstream_files_lint_clean_at_the_input_and_schema_level() {
    let Some(dir) = reference() else { return };
    for name in [
        "bitnami-redis-cluster-7.6.4-values.yaml",
        "bitnami-redis-cluster-11.5.4-values.yaml",
        "acp-chart-2.25.0-values.yaml",
        "kube-acp-stack-2.24.1-values.yaml",
    ] {
        let path = dir.join(name);
        let out = lint_json(&[path.to_str().unwrap()]);
        assert_eq!(out.code, 0, "{name}: {}", out.stderr);
        assert_eq!(out.findings(), vec![], "{name}");
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
    assert_eq!(cluster.chart_version.unwrap().value, "7.6.4");
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
