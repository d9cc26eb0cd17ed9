//! Facts of the charts, by version, that change what a finding says (domain.md §6).

use crate::common::{lint_json, scratch, write};

fn umbrella(version: &str, addr: &str) -> String {
    format!(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: acp\n  namespace: acp\n\
         spec:\n  chart:\n    spec:\n      chart: kube-acp-stack\n      version: {version}\n  values:\n    acp:\n      \
         redis:\n        addrs: [{addr}, {addr}]\n    redis-cluster:\n      namespaceOverride: data\n"
    )
}

/// `namespaceOverride` (redis-cluster 11.2.2 and later) puts the services in another namespace than
/// the release's: the platform must name it. Chart 7.6.4 has no such key and ignores it.
#[test]
fn namespace_override_moves_the_services_from_chart_11_2_2() {
    let dir = scratch("namespace-override");
    let short = write(
        &dir,
        "short.yaml",
        umbrella("2.25.0", "redis-cluster-headless:6379"),
    );
    let out = lint_json(&[&short]);
    let mismatch = out.findings_of(&["redis-addrs-mismatch"]);
    assert_eq!(mismatch.len(), 2, "{}", out.stdout);
    assert_eq!((mismatch[0].2, mismatch[0].3), (14, 17));
    assert_eq!(
        out.first("redis-addrs-mismatch")["help"],
        "use `redis-cluster-headless.data:6379`"
    );

    let qualified = write(
        &dir,
        "qualified.yaml",
        umbrella("2.25.0", "redis-cluster-headless.data:6379"),
    );
    assert_eq!(
        lint_json(&[&qualified]).findings_of(&["redis-addrs-mismatch"]),
        []
    );

    // kube-acp-stack 2.24.1 deploys chart 7.6.4: the key does nothing, the short name is right.
    let old = write(
        &dir,
        "old.yaml",
        umbrella("2.24.1", "redis-cluster-headless:6379"),
    );
    let out = lint_json(&[&old]);
    assert_eq!(out.findings_of(&["redis-addrs-mismatch"]), [], "{}", out.stdout);
    assert_eq!(
        out.findings_of(&["chart-key-unavailable"]).len(),
        1,
        "{}",
        out.stdout
    );
}

/// From redis-cluster 12.0.15 (bitnami/common 2.31.2) a release name is made a DNS label before the
/// chart names its services: `cache.prod` deploys `cache-prod-redis-cluster-headless`.
#[test]
fn a_dotted_release_name_is_made_a_label_from_chart_12_0_15() {
    let dir = scratch("dotted-release");
    let manifests = |chart: &str, addr: &str| {
        format!(
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: acp\n  namespace: acp\n\
             spec:\n  chart:\n    spec:\n      chart: acp\n      version: 2.25.0\n  values:\n    redis:\n      \
             addrs: [{addr}, {addr}]\n---\n\
             apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: cache\n  namespace: acp\n\
             spec:\n  releaseName: cache.prod\n  chart:\n    spec:\n      chart: redis-cluster\n      version: {chart}\n  values:\n    cluster:\n      nodes: 6\n"
        )
    };
    let sanitized = "cache-prod-redis-cluster-headless:6379";
    let good = write(&dir, "good.yaml", manifests("12.0.15", sanitized));
    let out = lint_json(&[&good]);
    assert_eq!(out.findings_of(&["redis-addrs-mismatch"]), [], "{}", out.stdout);

    let dotted = write(
        &dir,
        "dotted.yaml",
        manifests("12.0.15", "cache.prod-redis-cluster-headless:6379"),
    );
    let out = lint_json(&[&dotted]);
    let mismatch = out.findings_of(&["redis-addrs-mismatch"]);
    assert_eq!(mismatch.len(), 2, "{}", out.stdout);
    assert_eq!((mismatch[0].2, mismatch[0].3), (13, 15));
    assert_eq!(
        out.first("redis-addrs-mismatch")["help"],
        format!("use `{sanitized}`")
    );
}

/// A dependency's alias is the subchart's name (Helm renames it): its Services are
/// `<release>-<alias>`, so a release name that leaves room for `-cache-headless` is fine, and the
/// platform names `<release>-cache-headless`.
#[test]
fn an_alias_names_the_services() {
    let dir = scratch("alias-names");
    write(
        &dir,
        "Chart.yaml",
        "apiVersion: v2\nname: sessions\nversion: 1.0.0\ndependencies:\n  - name: redis-cluster\n    \
         version: 11.5.4\n    repository: https://charts.bitnami.com/bitnami\n    alias: cache\n",
    );
    // 45 characters: with `-redis-cluster` the headless Service would have 68.
    let release = "sessions-and-refresh-tokens-of-the-eu-west-1a";
    assert_eq!(release.len(), 45);
    write(
        &dir,
        "values.yaml",
        "cache:\n  existingSecret: redis-password\n  cluster:\n    nodes: 6\n",
    );
    let dir_arg = dir.to_string_lossy().into_owned();
    let out = lint_json(&[&dir_arg, "--release-name", release]);
    assert_eq!(out.findings_of(&["resource-name-invalid"]), [], "{}", out.stdout);

    // With the name of the chart, the same release would give a headless Service the API refuses.
    write(
        &dir,
        "Chart.yaml",
        "apiVersion: v2\nname: sessions\nversion: 1.0.0\ndependencies:\n  - name: redis-cluster\n    \
         version: 11.5.4\n    repository: https://charts.bitnami.com/bitnami\n",
    );
    write(
        &dir,
        "values.yaml",
        "redis-cluster:\n  existingSecret: redis-password\n  cluster:\n    nodes: 6\n",
    );
    let out = lint_json(&[&dir_arg, "--release-name", release]);
    assert_eq!(
        out.first("resource-name-invalid")["message"],
        format!("the chart's headless Service is `{release}-redis-cluster-headless` (from the release name `{release}`): 68 characters, over Kubernetes' 63, so the install fails")
    );
}
