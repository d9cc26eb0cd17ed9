//! JSON 6902 patches of a HelmRelease in kustomize overlays (`patches` with a `target`, inline or
//! by file, and `patchesJson6902`), applied as Kustomize applies them: the values they write are
//! the release's, and a finding points at the line of the patch that wrote it.

use crate::common::{lint_json, run, scratch, write};

const TREE: &str = "fixtures/gitops/json-patches/redis";

/// (deployment, rule, file, line, column) of every finding.
fn findings(run: &crate::common::Run) -> Vec<(String, String, String, u64, u64)> {
    run.by_deployment()
}

const KUSTOMIZATION: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";

/// A base HelmRelease `redis` (six nodes, one replica each) and an overlay `dev` of it whose
/// kustomization ends with `patches`.
fn overlay(name: &str, patches: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    write(
        &dir,
        "base/kustomization.yaml",
        format!("{KUSTOMIZATION}resources: [release.yaml]\n"),
    );
    write(
        &dir,
        "base/release.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: redis\n  labels: {tier: cache}\nspec:\n  \
         chart: {spec: {chart: redis-cluster, version: 7.6.4}}\n  values:\n    \
         image: {registry: registry.example.com, tag: 6.2.14}\n    usePassword: false\n    \
         cluster: {nodes: 6, replicas: 1}\n    redis:\n      \
         configmap: \"loadmodule /redismodules/redisearch.so\\n\"\n      \
         extraVolumeMounts: [{name: redismodules, mountPath: /redismodules}]\n",
    );
    write(
        &dir,
        "dev/kustomization.yaml",
        format!("{KUSTOMIZATION}resources: [../base]\n{patches}"),
    );
    dir
}

#[test]
fn each_overlay_applies_its_json_patches_and_findings_point_into_them() {
    let out = lint_json(&[TREE]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let f = |d: &str, rule: &str, file: &str, line, column| {
        (
            d.to_string(),
            rule.to_string(),
            format!("{TREE}/{file}"),
            line,
            column,
        )
    };
    assert_eq!(
        findings(&out),
        [
            f("dev", "password-disabled", "base/release.yaml", 16, 18),
            // The inline patch of dev's kustomization: `value: 0` at /spec/values/cluster/replicas.
            f("dev", "cluster-no-replicas", "dev/kustomization.yaml", 14, 16),
            // The patch file a label selector targets.
            f("dev", "redis-version-unsupported", "dev/image.yaml", 4, 10),
            f("prod", "password-disabled", "base/release.yaml", 16, 18),
            // `patchesJson6902`: its `test` holds, its `replace` gives four nodes (two masters).
            f("prod", "cluster-too-few-masters", "prod/cluster.yaml", 6, 10),
        ]
    );
}

#[test]
fn values_show_what_each_operation_wrote_and_where() {
    let out = run(&["values", TREE, "--show-origin"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // In path order: dev's release, then prod's.
    let dev = out.stdout.split("# release").nth(1).unwrap();
    for line in [
        "  nodes: 3  # fixtures/gitops/json-patches/redis/dev/kustomization.yaml:17:16",
        "  replicas: 0  # fixtures/gitops/json-patches/redis/dev/kustomization.yaml:14:16",
        // `~1` is a `/` of the key.
        "  example.com/team: platform  # fixtures/gitops/json-patches/redis/dev/kustomization.yaml:20:16",
        "  tag: 7.0.15  # fixtures/gitops/json-patches/redis/dev/image.yaml:4:10",
    ] {
        assert!(dev.contains(line), "{line}\n{dev}");
    }
    // prod's `remove` took the key away.
    let prod = run(&["values", TREE, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&prod.stdout).unwrap();
    let values = &json["releases"][1]["values"];
    assert!(values["podAnnotations"].is_null(), "{values}");
    assert_eq!(values["cluster"]["nodes"], 4);
}

#[test]
fn a_patch_that_does_not_apply_fails_as_kustomize_build_does_with_its_place() {
    let dir = overlay(
        "json-patch-missing",
        "patches:\n  - target: {kind: HelmRelease, name: redis}\n    patch: |-\n      \
         - op: replace\n        path: /spec/values/cluster/shards\n        value: 3\n",
    );
    let out = lint_json(&[dir.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
    let file = dir.join("dev/kustomization.yaml");
    let says = format!(
        "{}:7:9: `replace` operation at /spec/values/cluster/shards: no value is there to replace \
         (the JSON patch does not apply: kustomize build fails)",
        file.display()
    );
    assert!(out.stderr.contains(&says), "{}", out.stderr);
    // Another release's patch is not this one's: nothing fails.
    let dir = overlay(
        "json-patch-other",
        "patches:\n  - target: {kind: HelmRelease, name: other}\n    patch: |-\n      \
         - {op: remove, path: /spec/values/missing}\n",
    );
    assert_eq!(lint_json(&[dir.to_str().unwrap()]).code, 0);
}

#[test]
fn a_target_acp_check_cannot_tell_makes_what_it_writes_unknown_never_wrong() {
    // `tier in (cache)`: a set-based selector acp-check does not read.
    let dir = overlay(
        "json-patch-unsure",
        "patches:\n  - target: {kind: HelmRelease, labelSelector: tier in (cache)}\n    patch: |-\n      \
         - {op: replace, path: /spec/values/cluster/replicas, value: 0}\n",
    );
    let out = lint_json(&[dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let json = out.json();
    // The replica count is not known: the checks that need it are infos naming the patch.
    let unknown: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["help"]
                .as_str()
                .unwrap_or_default()
                .contains("a JSON patch of a kustomization")
        })
        .map(|f| (f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(unknown, [("cluster-too-few-masters", "info")], "{}", out.stdout);
    assert!(
        !findings(&out).iter().any(|f| f.1 == "cluster-no-replicas"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_secret_a_patch_writes_is_never_shown() {
    let dir = overlay(
        "json-patch-secret",
        "patches:\n  - target: {kind: HelmRelease, name: redis}\n    patch: |-\n      \
         - {op: replace, path: /spec/values/usePassword, value: true}\n      \
         - {op: add, path: /spec/values/password, value: hunter2-in-a-patch}\n",
    );
    let out = lint_json(&[dir.to_str().unwrap()]);
    let rules: Vec<String> = findings(&out).into_iter().map(|f| f.1).collect();
    assert!(rules.contains(&"plaintext-secret".to_string()), "{}", out.stdout);
    assert!(
        !rules.contains(&"password-disabled".to_string()),
        "{}",
        out.stdout
    );
    for shown in [
        out.stdout,
        run(&["lint", dir.to_str().unwrap()]).stdout,
        run(&["values", dir.to_str().unwrap(), "--show-origin"]).stdout,
    ] {
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}

#[test]
fn strategic_merges_and_json_patches_apply_in_kustomizes_order() {
    let json = "  - target: {kind: HelmRelease, name: redis}\n    patch: |-\n      \
                - {op: replace, path: /spec/values/cluster/replicas, value: 0}\n";
    let merge = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: redis}\n\
                 spec:\n  values:\n    cluster: {replicas: 2}\n";
    // In one kustomization, `patches` apply in order: the JSON patch after the strategic merge wins.
    let dir = overlay(
        "json-patch-order",
        &format!("patches:\n  - path: release.yaml\n{json}"),
    );
    write(&dir, "dev/release.yaml", merge);
    let out = lint_json(&[dir.to_str().unwrap()]);
    let file = dir.join("dev/kustomization.yaml").display().to_string();
    assert!(
        findings(&out).contains(&("dev".into(), "cluster-no-replicas".into(), file, 8, 67)),
        "{}",
        out.stdout
    );
    // A base's JSON patch comes before its overlay's strategic merge, which wins.
    let dir = overlay("json-patch-base", "patches:\n  - path: release.yaml\n");
    write(&dir, "dev/release.yaml", merge);
    write(
        &dir,
        "base/kustomization.yaml",
        format!("{KUSTOMIZATION}resources: [release.yaml]\npatches:\n{json}"),
    );
    let out = lint_json(&[dir.to_str().unwrap()]);
    assert!(
        !findings(&out).iter().any(|f| f.1 == "cluster-no-replicas"),
        "{}",
        out.stdout
    );
}
