//! `acp-check values`: the effective values of a release against Helm's own (`tools/helm/oracle.py`,
//! Helm v4.2.3's Go SDK rendering `{{ toJson .Values }}`), on charts this test assembles from the
//! published chart files in `../shared/reference/charts/` (read where they are, never copied into
//! the project): a Bitnami chart at a version, and a wrapper chart of our own with it as a
//! dependency. And the origins `--show-origin` gives: a chart default (and its version), a parent's
//! value, a `-f` file, a `--set` flag, a `valuesFrom` layer not given.

use std::path::{Path, PathBuf};

use serde_json::{json, Value as J};

use crate::common::{root, run, scratch, write};
use crate::helm_parity::Oracle;

fn reference_chart(version: &str) -> Option<PathBuf> {
    let dir = root()
        .join("../shared/reference/charts/redis-cluster")
        .join(version);
    dir.join("values.yaml").is_file().then_some(dir)
}

/// A chart directory at `to` made of the published `Chart.yaml` and `values.yaml` of `from`.
fn copy_chart(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for file in ["Chart.yaml", "values.yaml"] {
        std::fs::copy(from.join(file), to.join(file)).unwrap();
    }
}

/// Drops null values (acp-check drops them after merging; Helm keeps one only where the chart has
/// no default, so `.Values.a` is nil either way).
fn drop_nulls(v: &J) -> J {
    match v {
        J::Object(map) => J::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), drop_nulls(v)))
                .collect(),
        ),
        J::Array(items) => J::Array(items.iter().map(drop_nulls).collect()),
        other => other.clone(),
    }
}

/// Where ours and Helm's differ: a masked value (`***`) stands for any; numbers compare as Helm
/// holds them (float64).
fn differences(ours: &J, helm: &J, at: &str, out: &mut Vec<String>) {
    match (ours, helm) {
        (J::Object(a), J::Object(b)) => {
            for key in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
                let here = format!("{at}/{key}");
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => differences(x, y, &here, out),
                    (Some(_), None) => out.push(format!("{here}: only acp-check has it")),
                    (None, _) => out.push(format!("{here}: only Helm has it")),
                }
            }
        }
        (J::Array(a), J::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                differences(x, y, &format!("{at}/{i}"), out);
            }
        }
        (J::String(s), _) if s == "***" => {}
        (J::Number(x), J::Number(y)) if x.as_f64() == y.as_f64() => {}
        (x, y) if x == y => {}
        (x, y) => out.push(format!("{at}: acp-check {x}, Helm {y}")),
    }
}

fn ours(args: &[&str]) -> J {
    let mut argv = vec!["values", "--format", "json", "--show-origin"];
    argv.extend(args);
    let out = run(&argv);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

fn assert_same(ours: &J, helm: &J, what: &str) {
    let mut diff = Vec::new();
    differences(&drop_nulls(ours), &drop_nulls(helm), "", &mut diff);
    assert!(
        diff.is_empty(),
        "{what}: acp-check values differ from Helm's:\n{}",
        diff.join("\n")
    );
}

#[test]
fn a_bitnami_chart_at_its_version_gives_helms_values_and_their_origins() {
    let Some(published) = reference_chart("7.6.4") else {
        return;
    };
    let Some(mut oracle) = Oracle::start() else { return };
    let dir = scratch("values-chart");
    let chart = dir.join("redis-cluster");
    copy_chart(&published, &chart);
    let file = write(
        &dir,
        "prod.yaml",
        "cluster:\n  nodes: 9\n  replicas: 2\nredis:\n  configmap: |\n    maxmemory-policy noeviction\n",
    );
    let chart_arg = chart.to_string_lossy().into_owned();
    let got = ours(&[&chart_arg, "-f", &file, "--set", "image.tag=6.2.14"]);
    let release = &got["releases"][0];
    assert_eq!(release["chart"], "redis-cluster");
    assert_eq!(release["version"], "7.6.4");
    let helm = oracle.ask(&json!({"chart": chart_arg, "values": [file], "set": ["image.tag=6.2.14"]}));
    assert_same(&release["values"], &helm["values"], "chart 7.6.4 -f --set");

    let origins = &release["origins"];
    assert_eq!(origins["/cluster/nodes"], format!("{file}:2:10"));
    assert_eq!(origins["/image/tag"], "--set #1:1:11");
    // The chart directory's own values.yaml is a file like the others.
    let defaults = chart.join("values.yaml").to_string_lossy().into_owned();
    let repository = origins["/image/repository"].as_str().unwrap();
    assert!(repository.starts_with(&format!("{defaults}:")), "{repository}");
    assert_eq!(release["values"]["image"]["repository"], "bitnami/redis-cluster");
}

#[test]
fn a_dependency_sees_its_defaults_below_its_parents_values_and_globals() {
    let Some(published) = reference_chart("11.5.4") else {
        return;
    };
    let Some(mut oracle) = Oracle::start() else { return };
    let dir = scratch("values-wrapper");
    let wrapper = dir.join("wrapper");
    copy_chart(&published, &wrapper.join("charts/redis-cluster"));
    write(
        &wrapper,
        "Chart.yaml",
        "apiVersion: v2\nname: wrapper\nversion: 0.1.0\ndependencies:\n  - name: redis-cluster\n    version: 11.5.4\n    repository: https://charts.bitnami.com/bitnami\n",
    );
    write(
        &wrapper,
        "values.yaml",
        "global:\n  imageRegistry: registry.example.invalid\nredis-cluster:\n  cluster:\n    nodes: 7\n",
    );
    let arg = wrapper.to_string_lossy().into_owned();
    let got = ours(&[&arg, "--set", "redis-cluster.usePassword=false"]);
    let release = &got["releases"][0];
    let helm = oracle.ask(&json!({
        "chart": arg,
        "set": ["redis-cluster.usePassword=false"],
        "subchart": "redis-cluster",
    }));
    assert_same(
        &release["values"]["redis-cluster"],
        &helm["subchart"],
        "the dependency's values",
    );

    let origins = &release["origins"];
    let values_yaml = wrapper.join("values.yaml").to_string_lossy().into_owned();
    assert_eq!(
        origins["/redis-cluster/cluster/nodes"],
        format!("{values_yaml}:5:12")
    );
    assert_eq!(origins["/redis-cluster/usePassword"], "--set #1:1:27");
    assert_eq!(
        origins["/redis-cluster/cluster/replicas"],
        "default of chart redis-cluster 11.5.4"
    );
    assert_eq!(
        origins["/redis-cluster/global/imageRegistry"],
        format!("{values_yaml}:2:18")
    );
}

#[test]
fn a_layer_not_given_is_named_and_secrets_are_masked() {
    let dir = scratch("values-unknown");
    let release = write(
        &dir,
        "release.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: redis\n  namespace: redis\n\
         spec:\n  chart:\n    spec:\n      chart: redis-cluster\n      version: 11.4.3\n      sourceRef:\n        kind: HelmRepository\n        name: bitnami\n\
         \x20 valuesFrom:\n    - kind: Secret\n      name: redis-values\n  values:\n    password: Zebra-Horse-Battery-9\n",
    );
    let got = ours(&[&release]);
    let r = &got["releases"][0];
    assert_eq!(
        (&r["name"], &r["namespace"], &r["version"]),
        (&json!("redis"), &json!("redis"), &json!("11.4.3"))
    );
    assert_eq!(
        r["origins"]["/"],
        "may be set by Secret `redis-values` (valuesFrom)"
    );
    assert_eq!(r["values"]["password"], "***");
    let yaml = run(&["values", &release, "--show-origin"]);
    assert!(
        yaml.stdout
            .contains("# all values: may be set by Secret `redis-values` (valuesFrom)"),
        "{}",
        yaml.stdout
    );
    assert!(
        yaml.stdout
            .contains("  nodes: 6  # default of chart redis-cluster 11.4.3\n"),
        "{}",
        yaml.stdout
    );
    for out in [&yaml.stdout, &serde_json::to_string(&got).unwrap()] {
        assert!(!out.contains("Zebra-Horse"), "{out}");
    }
}
