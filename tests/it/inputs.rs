//! How inputs reach acp-check: files, standard input, chart directories, HelmRelease manifests and
//! overlays, directories, `-f` layering; and what happens to bad input.

use crate::common;

use crate::common::{lint_json, run, run_with_stdin, scratch, write, INPUT_RULES};

const BAD_NODES: &str = "redis-cluster:\n  cluster:\n    nodes: \"six\"\n";

/// A redis-cluster section with nothing wrong in it, as a first `-f` layer.
const HEALTHY: &str = "redis-cluster:\n  usePassword: false\n  image:\n    tag: \"6.2.14\"\n  redis:\n    configmap: |\n      loadmodule /redismodules/redisearch.so\n    extraVolumeMounts:\n      - name: redismodules\n        mountPath: /redismodules\n";

#[test]
fn standard_input_is_read_with_dash_and_named_stdin() {
    let out = run_with_stdin(&["lint", "--format", "json", "-"], BAD_NODES.as_bytes());
    assert_eq!(out.code, 1);
    assert_eq!(
        out.findings_of(INPUT_RULES),
        vec![("schema-type".into(), "<stdin>".into(), 3, 12)]
    );
}

#[test]
fn valid_deployments_in_every_shape_lint_clean() {
    for input in [
        "fixtures/valid/umbrella-values.yaml",
        "fixtures/valid/umbrella-chart",
        "fixtures/valid/flux",
        "fixtures/valid/flux-overlay",
    ] {
        let out = lint_json(&[input]);
        assert_eq!(out.problems(), vec![], "{input}:\n{}", out.stdout);
        assert_eq!(out.code, 0, "{input}");
    }
}

#[test]
fn a_later_values_file_is_blamed_for_the_value_it_set() {
    let dir = scratch("later-file");
    let base = write(
        &dir,
        "base.yaml",
        "redis-cluster:\n  cluster:\n    nodes: 6\n    replicas: 1\n",
    );
    let prod = write(
        &dir,
        "prod.yaml",
        "# production\nredis-cluster:\n  cluster:\n    nodes: \"nine\"\n",
    );
    let healthy = write(&dir, "healthy.yaml", HEALTHY);
    let out = lint_json(&["-f", &healthy, "-f", &base, "-f", &prod]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.findings_of(INPUT_RULES),
        vec![("schema-type".into(), prod.clone(), 4, 12)],
        "{}",
        out.stdout
    );
    let json = out.json();
    let schema = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "schema-type")
        .unwrap();
    assert_eq!(schema["location"]["path"], "/redis-cluster/cluster/nodes");

    // The other way round, the good value wins and nothing is reported.
    let out = lint_json(&["-f", &healthy, "-f", &prod, "-f", &base]);
    assert_eq!(out.findings_of(INPUT_RULES), vec![], "{}", out.stdout);
    assert_eq!(out.code, 0);
}

#[test]
fn later_files_win_maps_merge_lists_are_replaced_and_null_deletes() {
    let dir = scratch("merge-order");
    let a = write(
        &dir,
        "a.yaml",
        "redis-cluster:\n  cluster:\n    nodes: \"six\"\n  image:\n    pullPolicy: Sometimes\n  redis:\n    extraVolumes:\n      - name: x\n        bogus: 1\n",
    );
    // b fixes nodes, deletes the bad pullPolicy with null, and replaces the whole list.
    let b = write(
        &dir,
        "b.yaml",
        "redis-cluster:\n  cluster:\n    nodes: 6\n  image:\n    pullPolicy: null\n  redis:\n    extraVolumes: []\n",
    );
    let out = lint_json(&["-f", &a, "-f", &b]);
    assert_eq!(out.findings_of(INPUT_RULES), vec![], "{}", out.stdout);
    // Without b, a's problems show.
    let out = lint_json(&["-f", &a]);
    let rules: Vec<String> = out.findings_of(INPUT_RULES).into_iter().map(|f| f.0).collect();
    assert_eq!(rules, vec!["schema-type", "schema-type"], "{}", out.stdout);
}

#[test]
fn values_layer_on_a_single_chart_directory() {
    let dir = scratch("chart-layers");
    let prod = write(&dir, "prod.yaml", "redis-cluster:\n  cluster:\n    replica: 2\n");
    let out = lint_json(&["fixtures/valid/umbrella-chart", "-f", &prod]);
    assert_eq!(
        out.findings_of(INPUT_RULES),
        vec![("unknown-key".into(), prod, 3, 5)]
    );
}

#[test]
fn helm_release_values_are_checked_and_located_in_the_manifest() {
    let dir = scratch("helmrelease");
    let manifest = write(
        &dir,
        "redis.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: redis\n---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: redis-cluster\n  namespace: redis\nspec:\n  chart:\n    spec:\n      chart: redis-cluster\n      version: 7.6.4\n  values:\n    cluster:\n      replica: 0\n",
    );
    let out = lint_json(&[&manifest]);
    assert_eq!(
        out.findings_of(INPUT_RULES),
        vec![("unknown-key".into(), manifest, 18, 7)]
    );
    let json = out.json();
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "unknown-key")
        .unwrap();
    assert_eq!(finding["location"]["path"], "/spec/values/cluster/replica");
}

#[test]
fn a_helm_release_overlay_patches_the_base_in_order() {
    let dir = scratch("overlay");
    let base = write(
        &dir,
        "base/redis.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2beta2\nkind: HelmRelease\nmetadata:\n  name: redis-cluster\nspec:\n  chart:\n    spec:\n      chart: redis-cluster\n  values:\n    cluster:\n      nodes: 6\n      replicas: 1\n",
    );
    let patch = write(
        &dir,
        "overlay/patch.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2beta2\nkind: HelmRelease\nmetadata:\n  name: redis-cluster\nspec:\n  values:\n    cluster:\n      nodes: \"nine\"\n",
    );
    // The overlay's value is the one checked, and it is blamed on the overlay file.
    let out = lint_json(&[&base, &patch]);
    assert_eq!(
        out.findings_of(INPUT_RULES),
        vec![("schema-type".into(), patch.clone(), 8, 14)]
    );
    // A directory holding both merges them in path order: base/ before overlay/.
    let out = lint_json(&[dir.to_str().unwrap()]);
    assert_eq!(
        out.findings_of(INPUT_RULES),
        vec![("schema-type".into(), patch, 8, 14)]
    );
}

#[test]
fn directories_are_searched_for_values_files_charts_and_helm_releases() {
    let dir = scratch("walk");
    write(
        &dir,
        "apps/redis/values-prod.yaml",
        "redis-cluster:\n  usePasword: true\n",
    );
    write(
        &dir,
        "apps/redis/kustomization.yaml",
        "resources: [release.yaml]\n",
    );
    // Read by content: values of kube-acp-stack, whatever the file's name.
    write(&dir, "apps/notes.yaml", "redis-cluster:\n  usePasword: true\n");
    write(&dir, ".git/values.yaml", "redis-cluster:\n  usePasword: true\n");
    let out = lint_json(&[dir.to_str().unwrap()]);
    let files: Vec<String> = out
        .findings_of(&["unknown-key"])
        .into_iter()
        .map(|f| f.1)
        .collect();
    assert_eq!(
        files,
        ["apps/notes.yaml", "apps/redis/values-prod.yaml"]
            .map(|f| dir.join(f).to_string_lossy().into_owned())
    );

    let empty = scratch("walk-empty");
    write(&empty, "README.md", "nothing here");
    let out = lint_json(&[empty.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no values files"), "{}", out.stderr);
}

#[test]
fn duplicate_keys_point_at_both_places() {
    let out = lint_json(&["fixtures/rules/duplicate-key/fires.yaml"]);
    let json = out.json();
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "duplicate-key")
        .unwrap();
    assert_eq!(f["location"]["line"], 5);
    assert_eq!(f["related"][0]["line"], 3);
    assert_eq!(f["related"][0]["column"], 5);
    assert_eq!(f["related"][0]["file"], "fixtures/rules/duplicate-key/fires.yaml");
}

/// A file that ends inside a quoted string is a yaml-syntax finding where the file ends, related to the
/// quote that is not closed (binary, non-UTF-8 and other adversarial input: tests/it/adversarial.rs).
#[test]
fn truncated_input_is_located() {
    let dir = scratch("truncated");
    let path = write(&dir, "truncated.yaml", b"redis-cluster:\n  password: \"abc");
    let out = lint_json(&[&path]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let f = &out.json()["findings"][0];
    assert_eq!(f["rule"], "yaml-syntax");
    assert_eq!(
        (f["location"]["line"].as_u64(), f["location"]["column"].as_u64()),
        (Some(2), Some(17)),
        "{f}"
    );
    assert_eq!(f["related"][0]["column"], 13, "the quote that is not closed");
    let text = format!("{} {}", f["message"], f["help"]).to_lowercase();
    assert!(text.contains("not closed"), "{text}");
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let dir = scratch("large");
    let path = dir.join("huge.yaml");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(33 * 1024 * 1024).unwrap();
    let out = lint_json(&[path.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("larger than 32 MiB"), "{}", out.stderr);
}

#[test]
fn output_goes_to_the_file_given() {
    let dir = scratch("output");
    let report = dir.join("report.json");
    let out = run(&[
        "lint",
        "--format",
        "json",
        "--output",
        report.to_str().unwrap(),
        "fixtures/rules/schema-type/fires.yaml",
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(json["tool"], "acp-check");
    let errors = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .count();
    assert!(errors >= 5, "the fixture's five schema errors at least");
    assert_eq!(json["summary"]["errors"], errors);
}

/// A platform (`acp` chart) values file whose client password differs from `CLUSTER`'s.
const PLATFORM: &str = "redis:\n  addrs: [redis-cluster-headless:6379, redis-cluster-headless:6379]\nsecretConfig:\n  data:\n    redis:\n      password: old-password\n";
/// A `redis-cluster` chart values file.
const CLUSTER: &str = "fullnameOverride: redis-cluster\nimage:\n  tag: \"6.2.14\"\npassword: new-password\nredis:\n  configmap: |\n    loadmodule /redismodules/redisearch.so OSS_GLOBAL_PASSWORD new-password\n  extraVolumeMounts:\n    - name: redismodules\n      mountPath: /redismodules\n";

#[test]
fn files_named_together_are_one_deployment_and_files_found_apart_are_not() {
    let dir = scratch("deployments-apart");
    let platform = write(&dir, "platform/values.yaml", PLATFORM);
    let cluster = write(&dir, "cluster/values.yaml", CLUSTER);
    // Named on the command line: one deployment, so the client password is compared with the cluster's.
    let out = lint_json(&[&platform, &cluster]);
    assert_eq!(
        out.findings_of(&["password-mismatch"]),
        vec![("password-mismatch".into(), platform.clone(), 6, 17)],
        "{}",
        out.stdout
    );
    // Found by a directory search in two folders: two deployments, each checked on its own...
    let out = lint_json(&[dir.to_str().unwrap()]);
    assert_eq!(out.findings_of(&["password-mismatch"]), vec![], "{}", out.stdout);
    // ...by every rule: both files still have their passwords in clear (the cluster's twice: its
    // password and the RediSearch OSS_GLOBAL_PASSWORD).
    let files: Vec<String> = out
        .findings_of(&["plaintext-secret"])
        .into_iter()
        .map(|f| f.1)
        .collect();
    assert_eq!(files, vec![cluster.clone(), cluster, platform], "{}", out.stdout);
}

#[test]
fn a_folder_with_one_platform_and_one_cluster_values_file_is_one_deployment() {
    let dir = scratch("deployments-pair");
    let platform = write(&dir, "prod/acp-values.yaml", PLATFORM);
    write(&dir, "prod/redis-cluster-values.yaml", CLUSTER);
    let out = lint_json(&[dir.to_str().unwrap()]);
    assert_eq!(
        out.findings_of(&["password-mismatch"]),
        vec![("password-mismatch".into(), platform, 6, 17)],
        "{}",
        out.stdout
    );
    // A second platform file in the folder: which pairs with the cluster is not known, so each file
    // is checked on its own.
    write(&dir, "prod/acp-staging-values.yaml", PLATFORM);
    let out = lint_json(&[dir.to_str().unwrap()]);
    assert_eq!(out.findings_of(&["password-mismatch"]), vec![], "{}", out.stdout);
}

#[test]
fn many_files_in_a_tree_are_each_checked_and_reported_in_path_order() {
    let dir = scratch("deployments-many");
    let mut expected = Vec::new();
    for i in 0..60 {
        // Odd files deploy 7 nodes with one replica each: nodes are not a multiple of 2.
        let nodes = if i % 2 == 1 { 7 } else { 6 };
        let path = write(
            &dir,
            &format!("team-{}/app-{i:02}-values.yaml", i % 4),
            format!("redis-cluster:\n  cluster:\n    nodes: {nodes}\n    replicas: 1\n    replcias: 1\n"),
        );
        if nodes == 7 {
            expected.push(("cluster-uneven-nodes".to_string(), path.clone(), 3, 12));
        }
        expected.push(("unknown-key".to_string(), path, 5, 5));
    }
    // The walk reads folders and files in path order: team-0/app-00, team-0/app-04, …
    expected.sort_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)));
    let rules = ["cluster-uneven-nodes", "unknown-key"];
    let out = lint_json(&[dir.to_str().unwrap()]);
    // Warnings only: uneven nodes and unknown keys.
    assert_eq!(out.code, 0);
    assert_eq!(out.findings_of(&rules), expected);
    // Checked in parallel, reported the same way every time.
    for _ in 0..3 {
        assert_eq!(lint_json(&[dir.to_str().unwrap()]).stdout, out.stdout);
    }
}

#[test]
fn a_tree_s_human_report_lists_its_findings_in_the_json_report_s_order() {
    // 400 files with a mistake each: the human report draws them on several threads, and must
    // still write them in the report's order.
    let dir = common::scratch("human-order");
    for i in 0..400 {
        common::write(
            &dir,
            &format!("team-{:02}/app-{i:03}-values.yaml", i % 7),
            format!("redis-cluster:\n  cluster:\n    nodes: \"{i}\"\n"),
        );
    }
    let dir = dir.to_str().unwrap();
    let json = run(&["lint", "--format", "json", dir]);
    let expected: Vec<String> = json.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let l = &f["location"];
            format!("{}:{}:{}]", l["file"].as_str().unwrap(), l["line"], l["column"])
        })
        .collect();
    assert!(expected.len() >= 800, "{}", expected.len());
    let human = run(&["lint", dir]);
    assert_eq!(human.code, json.code);
    let shown: Vec<String> = human
        .stdout
        .lines()
        .filter_map(|l| l.split_once("╭─[").map(|(_, place)| place.to_string()))
        .collect();
    assert_eq!(shown, expected);
}
