//! Releases that other tools make of values files: a kustomization's `helmCharts` (Kustomize's Helm
//! inflator, as Argo CD runs it) and a Helmfile. Their values layer as the tool passes them to Helm,
//! findings point at the line of the kustomization, the Helmfile or the values file that set the
//! value, and what acp-check cannot read (a missing file, a template) is said at info level, never
//! as an error.

use crate::common::{lint_json, run, scratch, write};

const HELM_CHARTS: &str = "fixtures/gitops/helmcharts";
const KUSTOMIZATION: &str = "fixtures/gitops/helmcharts/platform/kustomization.yaml";
const HELMFILE: &str = "fixtures/gitops/helmfile/site";

fn finding(rule: &str, file: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.into(), file.into(), line, column)
}

#[test]
fn helm_charts_entries_are_releases_whose_findings_point_at_the_kustomization_or_the_values_file() {
    let out = lint_json(&[HELM_CHARTS]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let dir = "fixtures/gitops/helmcharts/platform";
    assert_eq!(
        out.findings(),
        [
            // valuesInline: TLS on for the platform, the cluster (another entry) has none.
            finding("tls-mismatch", KUSTOMIZATION, 18, 20),
            finding("password-disabled", &format!("{dir}/redis-values.yaml"), 2, 14),
            // additionalValuesFiles come above valuesFile and valuesInline: replicas 0 wins.
            finding("cluster-no-replicas", &format!("{dir}/redis-prod.yaml"), 3, 13),
        ]
    );
    // The values files are layers, never releases of their own: the platform and the cluster
    // are one deployment (no cross-release-unchecked), and valuesInline's `nodes: 6` wins over
    // the file's 3 (no cluster-too-few-masters).
    let json = out.json();
    assert_eq!(json["summary"]["errors"], 1);
    let values = run(&["values", "--format", "json", "--show-origin", HELM_CHARTS]);
    assert_eq!(values.code, 0, "{}", values.stderr);
    let json: serde_json::Value = serde_json::from_str(&values.stdout).unwrap();
    let cache = &json["releases"][1];
    assert_eq!(
        (
            &cache["name"],
            &cache["namespace"],
            &cache["chart"],
            &cache["version"]
        ),
        (
            &"cache".into(),
            &"cache".into(),
            &"redis-cluster".into(),
            &"7.6.4".into()
        )
    );
    assert_eq!(cache["values"]["cluster"]["nodes"], 6);
    let origin = |pointer: &str| cache["origins"][pointer].to_string();
    assert!(
        origin("/cluster/nodes").contains("kustomization.yaml:29:16"),
        "{}",
        origin("/cluster/nodes")
    );
    assert!(
        origin("/cluster/replicas").contains("redis-prod.yaml:3:13"),
        "{}",
        origin("/cluster/replicas")
    );
}

/// A kustomization with one redis-cluster entry whose valuesFile sets a replica per master and
/// whose valuesInline sets none, combined by `mode`; and the kustomization's path.
fn values_merge(mode: &str) -> (crate::common::Run, String) {
    let dir = scratch(&format!("helm-charts-{mode}"));
    let kustomization = write(
        &dir,
        "kustomization.yaml",
        format!(
            "helmCharts:\n  - name: redis-cluster\n    repo: https://charts.bitnami.com/bitnami\n    version: 7.6.4\n    valuesFile: values.yaml\n    valuesMerge: {mode}\n    valuesInline:\n      cluster: {{replicas: 0}}\n"
        ),
    );
    write(
        &dir,
        "values.yaml",
        "image: {registry: registry.example.com, tag: 6.2.14}\ncluster:\n  nodes: 6\n  replicas: 1\n",
    );
    (
        lint_json(&["--select", "topology", dir.to_str().unwrap()]),
        kustomization,
    )
}

#[test]
fn values_merge_says_whether_the_inline_values_or_the_file_win() {
    // override (the default): the inline `replicas: 0` wins, at its line in the kustomization.
    let (out, kustomization) = values_merge("override");
    assert_eq!(
        out.findings(),
        [finding("cluster-no-replicas", &kustomization, 8, 27)],
        "{}",
        out.stdout
    );
    // merge: the file's replica stays (mergo only fills in what the file leaves empty).
    let (out, _) = values_merge("merge");
    assert_eq!((out.code, out.findings()), (0, vec![]), "{}", out.stdout);
    // replace: the inline values stand for the file, which is not read.
    let (out, kustomization) = values_merge("replace");
    assert_eq!(
        out.findings(),
        [finding("cluster-no-replicas", &kustomization, 8, 27)],
        "{}",
        out.stdout
    );

    let dir = scratch("helm-charts-merge-kept");
    write(
        &dir,
        "kustomization.yaml",
        "helmCharts:\n  - name: redis-cluster\n    version: 7.6.4\n    valuesFile: values.yaml\n    valuesMerge: merge\n    valuesInline:\n      cluster: {nodes: 6}\n",
    );
    write(
        &dir,
        "values.yaml",
        "image: {registry: registry.example.com, tag: 6.2.14}\ncluster:\n  nodes: 4\n  replicas: 1\n",
    );
    // merge keeps the file's 4 nodes: 2 masters, at the file's line.
    let out = lint_json(&["--select", "topology", dir.to_str().unwrap()]);
    let file = dir.join("values.yaml").to_string_lossy().into_owned();
    assert_eq!(
        out.findings(),
        [finding("cluster-too-few-masters", &file, 3, 10)],
        "{}",
        out.stdout
    );
    assert_eq!(out.code, 1);

    let bad = scratch("helm-charts-bad-merge");
    write(
        &bad,
        "kustomization.yaml",
        "helmCharts:\n  - name: redis-cluster\n    valuesMerge: deep\n",
    );
    let out = run(&["lint", bad.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("kustomization.yaml:3:18: valuesMerge must be one of merge, override, replace"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_missing_values_file_is_an_unknown_layer_named_at_info_level() {
    let dir = scratch("helm-charts-missing");
    write(
        &dir,
        "kustomization.yaml",
        "helmCharts:\n  - name: redis-cluster\n    version: 7.6.4\n    valuesFile: gone.yaml\n    valuesInline:\n      image: {registry: registry.example.com, tag: 6.2.14}\n      cluster: {nodes: 6, replicas: 1}\n",
    );
    let out = lint_json(&[dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let json = out.json();
    let infos: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "info")
        .collect();
    assert!(
        infos
            .iter()
            .any(|f| f["help"].as_str().unwrap_or_default().contains(
                "the values file `gone.yaml` of helmCharts `redis-cluster` (valuesFile, not found)"
            )),
        "{}",
        out.stdout
    );
    assert_eq!(json["summary"]["errors"], 0);
}

#[test]
fn a_helmfile_is_read_for_its_environment_with_findings_at_the_values_that_set_them() {
    let out = lint_json(&[HELMFILE]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        out.findings(),
        [finding(
            "password-disabled",
            &format!("{HELMFILE}/values/redis.yaml"),
            3,
            14
        ),]
    );
    // prod's values file (named by `{{ .Environment.Name }}`) gives 4 nodes with a replica each.
    let prod = lint_json(&["--environment", "prod", HELMFILE]);
    assert_eq!(prod.code, 1, "{}", prod.stdout);
    assert!(
        prod.findings().contains(&finding(
            "cluster-too-few-masters",
            &format!("{HELMFILE}/values/redis-prod.yaml"),
            2,
            10
        )),
        "{}",
        prod.stdout
    );
    // An environment the Helmfile does not define is bad usage, as in Helmfile.
    let stage = run(&["lint", "-e", "stage", HELMFILE]);
    assert_eq!(stage.code, 2);
    assert!(
        stage.stderr.contains(
            "helmfile.yaml: environment `stage` is not defined in this Helmfile (it defines default, prod)"
        ),
        "{}",
        stage.stderr
    );
    // A `set` entry is a value at its line; inline values too.
    let values = run(&["values", "--show-origin", HELMFILE]);
    assert!(
        values
            .stdout
            .contains("redis_search: true  # fixtures/gitops/helmfile/site/helmfile.yaml:35:16"),
        "{}",
        values.stdout
    );
}

#[test]
fn a_templated_helmfile_is_one_info_and_a_gotmpl_values_file_an_unknown_layer_never_exit_2() {
    let out = lint_json(&["fixtures/gitops/helmfile/templated/helmfile.yaml"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let json = out.json();
    let only = &json["findings"][0];
    assert_eq!(
        (
            &only["rule"],
            &only["severity"],
            &only["location"]["line"],
            &only["location"]["column"]
        ),
        (&"yaml-syntax".into(), &"info".into(), &3.into(), &1.into())
    );
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);

    let dir = scratch("helmfile-gotmpl");
    write(
        &dir,
        "helmfile.yaml",
        "releases:\n  - name: cache\n    chart: bitnami/redis-cluster\n    version: 7.6.4\n    values:\n      - redis.yaml.gotmpl\n      - image: {registry: registry.example.com, tag: 6.2.14}\n",
    );
    write(&dir, "redis.yaml.gotmpl", "usePassword: {{ .Values.auth }}\n");
    let out = lint_json(&[dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let json = out.json();
    assert_eq!(json["summary"]["errors"], 0, "{}", out.stdout);
    // The password the template may set is not known: no random-password error, an info naming it.
    let unknowable = out.first("password-unknowable");
    assert_eq!(unknowable["severity"], "info");
    assert!(
        unknowable["help"]
            .as_str()
            .unwrap()
            .contains("`redis.yaml.gotmpl` of Helmfile release `cache` (values, a template Helmfile renders, acp-check does not)"),
        "{unknowable}"
    );
}

#[test]
fn a_values_from_flag_no_release_reads_is_a_warning_naming_it() {
    let out = run(&[
        "lint",
        "--values-from",
        "Secret/unused=fixtures/gitops/helmfile/site/values/acp.yaml",
        HELMFILE,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr
            .matches("acp-check: warning: --values-from `Secret/unused=fixtures/gitops/helmfile/site/values/acp.yaml`: no release reads this Secret or ConfigMap key (valuesFrom): it was not used")
            .count(),
        1,
        "{}",
        out.stderr
    );
}
