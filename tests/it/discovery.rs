//! A directory search finds what it reads by content, not by name: values files of the charts
//! acp-check knows, however named; the summary line counts what was read and skipped, `--verbose`
//! says why each was skipped; `.gitignore` and `[files] include` / `exclude` are followed.

use crate::common::{run, scratch, write};

/// A GitOps-like tree: values named any way, manifests, another chart's values.
fn tree(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    write(
        &dir,
        "env/prod.yaml",
        "cluster:\n  nodes: 6\n  replicas: 1\nusePasword: true\nimage:\n  tag: 6.2.14\n",
    );
    write(
        &dir,
        "k8s/configmap.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
    );
    write(
        &dir,
        "k8s/grafana.yaml",
        "grafana:\n  enabled: true\nprometheus: {}\n",
    );
    dir
}

fn rule_file_line(run: &crate::common::Run) -> Vec<(String, String, u64)> {
    run.findings().into_iter().map(|(r, f, l, _)| (r, f, l)).collect()
}

#[test]
fn a_values_file_named_any_way_is_found_and_its_typo_reported() {
    let dir = tree("discovery-content");
    let root = dir.to_string_lossy().into_owned();
    let json = run(&["lint", "--format", "json", &root]);
    let prod = format!("{root}/env/prod.yaml");
    assert!(
        rule_file_line(&json).contains(&("unknown-key".into(), prod.clone(), 4)),
        "{}",
        json.stdout
    );
    // Nothing of the skipped files is reported.
    assert!(json.findings().iter().all(|f| f.1 == prod), "{}", json.stdout);

    let human = run(&["lint", &root]);
    // The summary line (a line about fixes may follow it).
    let summary = human
        .stdout
        .lines()
        .find(|l| l.starts_with("acp-check: ") && l.contains(" read"))
        .unwrap_or_default();
    assert!(summary.ends_with("(1 file read, 2 skipped)"), "{}", human.stdout);
    assert!(human.stderr.is_empty(), "{}", human.stderr);

    let verbose = run(&["lint", "--verbose", &root]);
    assert_eq!(
        verbose.stderr.lines().collect::<Vec<_>>(),
        [
            format!("acp-check: skipped {root}/k8s/configmap.yaml: a Kubernetes manifest (kind ConfigMap), not values"),
            format!(
                "acp-check: skipped {root}/k8s/grafana.yaml: not values of a chart acp-check knows: 0 of its 2 \
                 top-level keys (grafana, prometheus) are keys of redis-cluster, acp or kube-acp-stack"
            ),
        ]
    );
}

#[test]
fn a_tree_of_manifests_only_says_what_was_skipped() {
    let dir = scratch("discovery-nothing");
    write(
        &dir,
        "a/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\n",
    );
    let root = dir.to_string_lossy().into_owned();
    let out = run(&["lint", &root]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr.trim_end(),
        format!(
            "acp-check: error: {root}: no values files, chart directories, HelmRelease or Application manifests found (1 YAML files \
             skipped; --verbose says why)"
        )
    );
}

#[test]
fn gitignored_files_are_skipped_and_config_globs_override_content() {
    let dir = tree("discovery-globs");
    write(&dir, ".gitignore", "env/\n");
    let root = dir.to_string_lossy().into_owned();
    let ignored = run(&["lint", "--verbose", &root]);
    assert_eq!(ignored.code, 2, "{}", ignored.stdout);
    assert!(ignored.stderr.contains("no values files"), "{}", ignored.stderr);

    let config = write(
        &dir,
        "acp-check.toml",
        "[files]\ninclude = [\"k8s/grafana.yaml\"]\nexclude = [\"env/**\"]\n",
    );
    std::fs::remove_file(dir.join(".gitignore")).unwrap();
    let out = run(&["lint", "--format", "json", "--config", &config, &root]);
    let files: Vec<String> = out.findings().into_iter().map(|f| f.1).collect();
    assert!(
        files.iter().all(|f| f.ends_with("k8s/grafana.yaml")),
        "{}",
        out.stdout
    );
    let human = run(&["lint", "--verbose", "--config", &config, &root]);
    assert!(
        human.stderr.contains(&format!(
            "skipped {root}/env/prod.yaml: excluded by [files] exclude"
        )),
        "{}",
        human.stderr
    );

    let bad = write(&dir, "bad.toml", "[files]\ninclude = \"k8s\"\n");
    let out = run(&["lint", "--config", &bad, &root]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("bad.toml:2:11: `include` must be a list of globs"),
        "{}",
        out.stderr
    );
}

#[test]
fn ten_thousand_manifests_are_skipped_quickly() {
    let dir = scratch("discovery-many");
    write(&dir, "values.yaml", "cluster: {nodes: 6, replicas: 1}\n");
    for i in 0..10_000 {
        write(
            &dir,
            &format!("m/{}/{i}.yaml", i % 100),
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{a: b}}\n"),
        );
    }
    let root = dir.to_string_lossy().into_owned();
    let started = std::time::Instant::now();
    let out = run(&["lint", &root]);
    let took = started.elapsed();
    assert!(
        out.stdout.trim_end().ends_with("(1 file read, 10000 skipped)"),
        "{}",
        out.stdout
    );
    // Debug builds are slow; the release build skips 100,000 in well under a second.
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}
