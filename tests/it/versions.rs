//! The platform version matrix: what is supported depends on the platform version the release
//! runs (the acp image tag, the acp chart, kube-acp-stack's acp dependency), an unknown platform
//! version never makes an error of a Redis version some platform version supports, and
//! `acp-check explain versions` shows the matrix with its sources.

use crate::common;

use std::path::PathBuf;

use crate::common::{lint_json, run, scratch, write};

const VERSION_RULES: &[&str] = &[
    "redis-version-unsupported",
    "redis-version-outdated",
    "redis-version-unknown",
    "chart-version-not-recommended",
];

fn umbrella_chart(version: &str) -> Option<PathBuf> {
    let dir = common::root()
        .join("../shared/reference/charts/kube-acp-stack")
        .join(version);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("note: {} is not beside this checkout; not run", dir.display());
        None
    }
}

/// The vendor's own umbrella chart of 2.25.0 and 2.28.0 deploys Redis 7.4.3 with chart 11.5.4:
/// what the platform of that version ships is not a version finding.
#[test]
fn the_vendors_umbrella_defaults_give_no_version_finding() {
    for version in ["2.25.0", "2.26.2", "2.28.0"] {
        let Some(dir) = umbrella_chart(version) else {
            return;
        };
        let run = lint_json(&[dir.to_str().unwrap()]);
        assert_eq!(
            run.findings_of(VERSION_RULES),
            [],
            "kube-acp-stack {version}:\n{}",
            run.stdout
        );
    }
}

/// kube-acp-stack 2.24.1's chart deploys Redis 6.2.7, below the 6.2.14 its platform recommends.
#[test]
fn platform_2_24_keeps_the_2023_statement() {
    let Some(dir) = umbrella_chart("2.24.1") else {
        return;
    };
    let run = lint_json(&[dir.to_str().unwrap()]);
    let found = run.findings_of(VERSION_RULES);
    assert_eq!(found.len(), 1, "{}", run.stdout);
    assert_eq!(found[0].0, "redis-version-outdated");
    assert!(run.first("redis-version-outdated")["message"]
        .as_str()
        .unwrap()
        .contains("older than the recommended 6.2.14"));
}

#[test]
fn redis_7_4_is_an_error_on_platform_2_24_and_fine_on_2_25() {
    let dir = scratch("versions-platform");
    let values = write(
        &dir,
        "values.yaml",
        // An umbrella's values (with the platform's section): the platform version is the acp
        // chart's.
        "redis-cluster:\n  image:\n    tag: 7.4.3-debian-12-r0\nacp:\n  enabled: true\n",
    );
    let old = lint_json(&[&values, "--chart-version", "acp=2.24.1"]);
    assert_eq!(old.code, 1, "{}", old.stdout);
    assert_eq!(
        old.findings_of(VERSION_RULES),
        [("redis-version-unsupported".to_string(), values.clone(), 3, 10)]
    );
    let message = old.first("redis-version-unsupported")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("platform 2.24.1") && message.contains("supports Redis 6.2.x"),
        "{message}"
    );

    let new = lint_json(&[&values, "--chart-version", "acp=2.25.0"]);
    assert_eq!(new.findings_of(VERSION_RULES), [], "{}", new.stdout);

    // The umbrella chart's version gives its acp dependency, and so the platform version.
    let umbrella = lint_json(&[&values, "--chart-version", "kube-acp-stack=2.24.1"]);
    assert_eq!(umbrella.code, 1);
    assert_eq!(umbrella.findings_of(VERSION_RULES).len(), 1);

    // Not known: one info naming the platform versions that support it, exit 0.
    let unknown = lint_json(&[&values]);
    let finding = unknown.first("redis-version-unsupported");
    assert_eq!(finding["severity"], "info");
    assert_eq!(finding["location"]["line"], 3);
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("platform 2.25.0 and later"));
    assert_eq!(unknown.findings_of(VERSION_RULES).len(), 1);
}

#[test]
fn a_version_no_platform_supports_is_an_error_whatever_the_platform() {
    let dir = scratch("versions-none");
    for tag in ["7.0.15", "7.2.4", "8.0.2-debian-12-r2"] {
        let values = write(
            &dir,
            "values.yaml",
            format!("redis-cluster:\n  image:\n    tag: {tag}\n"),
        );
        let run = lint_json(&[&values]);
        assert_eq!(run.code, 1, "{tag}: {}", run.stdout);
        let finding = run.first("redis-version-unsupported");
        assert_eq!(finding["severity"], "error");
        assert!(finding["message"]
            .as_str()
            .unwrap()
            .contains("no platform version supports it"));
    }
    // Valkey is judged by its own version, never as Redis.
    let values = write(
        &dir,
        "valkey.yaml",
        "image:\n  repository: bitnami/valkey-cluster\n  tag: 8.0.2\ncluster:\n  nodes: 6\n",
    );
    let run = lint_json(&[&values]);
    let message = run.first("redis-version-unsupported")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.starts_with("Valkey 8.0.2"), "{message}");
}

#[test]
fn a_config_file_overrides_the_matrix_for_every_platform_version() {
    let dir = scratch("versions-config");
    let values = write(&dir, "values.yaml", "redis-cluster:\n  image:\n    tag: 7.2.5\n");
    write(
        &dir,
        ".acp-check.toml",
        "[versions]\nredis-supported = \">=7.2.0, <7.3.0\"\nredis-recommended = \"7.2.5\"\n",
    );
    let config = dir.join(".acp-check.toml");
    let run = lint_json(&[
        &values,
        "--config",
        config.to_str().unwrap(),
        "--chart-version",
        "acp=2.24.1",
    ]);
    assert_eq!(run.findings_of(VERSION_RULES), [], "{}", run.stdout);
}

#[test]
fn explain_versions_shows_the_matrix_with_its_sources() {
    let run = run(&["explain", "versions"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for expected in [
        "platform 2.8.1 and earlier: Redis 6.2.x (recommended 6.2.14); redis-cluster chart 7.6.4",
        "platform 2.25.0 and later: Redis 7.4.x or 6.2.x (recommended 7.4.3, 6.2.14); redis-cluster chart",
        "the vendor's Redis requirements page (2023-10-27",
        "acp-on-k8s cc327a8",
        "RediSearch 2.10 needs Redis 7.4",
    ] {
        let flat = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains(expected), "{expected:?} not in:\n{}", run.stdout);
    }
}

/// kube-acp-stack 2.8.1 and earlier fetch `redisearch-oss` 2.2.0, which takes no
/// OSS_GLOBAL_PASSWORD: the vendor's loadmodule line without one is right there. On the chart's 3
/// masters that build sees one shard per index: a warning, not an error.
#[test]
fn the_non_coordinator_build_is_not_asked_for_a_coordinator_password() {
    for (version, one_shard) in [
        ("2.5.0", true),
        ("2.8.1", true),
        ("2.24.1", false),
        ("2.25.0", false),
    ] {
        let Some(dir) = umbrella_chart(version) else {
            return;
        };
        let run = lint_json(&[dir.to_str().unwrap()]);
        let search: Vec<(String, String)> = run.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"].as_str().unwrap().starts_with("search-"))
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["severity"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expected = match one_shard {
            true => vec![("search-module-incompatible".to_string(), "warning".to_string())],
            false => Vec::new(),
        };
        assert_eq!(search, expected, "kube-acp-stack {version}:\n{}", run.stdout);
    }
}

/// RediSearch 2.10 needs Redis 7.4: kube-acp-stack 2.25.0 with Redis pinned to 6.2.16 (as the
/// vendor's reference deployment pins it) does not start.
#[test]
fn pinning_redis_6_2_under_the_2_25_umbrella_is_incompatible_with_its_redisearch() {
    let dir = scratch("versions-search");
    let values = write(
        &dir,
        "values.yaml",
        "redis-cluster:\n  image:\n    tag: 6.2.16-debian-12-r3\n",
    );
    let run = lint_json(&[&values, "--chart-version", "kube-acp-stack=2.25.0"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.findings_of(&["search-module-incompatible"]),
        [("search-module-incompatible".to_string(), values.clone(), 3, 10)]
    );
    let message = run.first("search-module-incompatible")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.starts_with("RediSearch 2.10.14 needs Redis 7.4 or later"),
        "{message}"
    );
    // With the version of the umbrella not known, its defaults may fetch an older RediSearch.
    let unknown = lint_json(&[&values]);
    assert_eq!(unknown.findings_of(&["search-module-incompatible"]), []);
}

/// Bitnami's catalogue since 2025-09-29: kube-acp-stack 2.25.0 to 2.26.0-1 pull a removed default
/// image; 2.26.2 and later pull bitnamilegacy with the flag the 11.x charts need.
#[test]
fn the_vendors_umbrella_images_against_bitnamis_catalogue() {
    let image_rules = &["image-unavailable", "image-frozen", "image-substitution-blocked"];
    for (version, expected, code) in [
        ("2.25.0", "image-unavailable", 1),
        ("2.26.0-1", "image-unavailable", 1),
        ("2.28.0", "image-frozen", 0),
    ] {
        let Some(dir) = umbrella_chart(version) else {
            return;
        };
        let run = lint_json(&[dir.to_str().unwrap()]);
        let found: Vec<String> = run.findings_of(image_rules).into_iter().map(|f| f.0).collect();
        assert_eq!(found, [expected], "kube-acp-stack {version}:\n{}", run.stdout);
        assert_eq!(run.code, code, "kube-acp-stack {version}:\n{}", run.stdout);
    }
    let Some(dir) = umbrella_chart("2.25.0") else {
        return;
    };
    let run = lint_json(&[dir.to_str().unwrap()]);
    let message = run.first("image-unavailable")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("docker.io/bitnami/redis-cluster:7.4.3-debian-12-r0"),
        "{message}"
    );
    let help = run.first("image-unavailable")["help"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(help.contains("bitnamilegacy/redis-cluster"), "{help}");
}

/// The vendor's reference deployment pins a digest of docker.io/bitnami/redis-cluster. Its
/// `valuesFrom` Secret is made by the kustomization beside it from a SOPS file whose keys
/// (`password`, `redis.configmap`) set no image: the pull fails whatever the encrypted values are,
/// an error.
#[test]
fn the_vendors_reference_deployment_pins_a_removed_digest() {
    let dir =
        common::root().join("../shared/reference/deployments/acp-on-k8s-cc327a8/infrastructure/redis/base");
    if !dir.is_dir() {
        return;
    }
    let release = dir.join("release.yaml");
    let run = lint_json(&[release.to_str().unwrap()]);
    let finding = run.first("image-unavailable");
    assert_eq!(finding["severity"], "error", "{}", run.stdout);
    assert_eq!(finding["location"]["line"], 26, "{}", run.stdout);
    assert!(
        finding["help"]
            .as_str()
            .unwrap()
            .contains("bitnamilegacy/redis-cluster"),
        "{}",
        run.stdout
    );
    // Its Redis 6.2 on chart 11.4.3 comes with a full Redis 6.2 defaultConfigOverride: it starts.
    assert_eq!(
        run.findings_of(&["redis-config-incompatible"]),
        [],
        "{}",
        run.stdout
    );
}

#[test]
fn explain_recognises_the_image_and_module_failures() {
    for (line, rule) in [
        ("Back-off pulling image \"docker.io/bitnami/redis-cluster:6.2.14\": ErrImagePull", "image-unavailable"),
        ("redis-cluster-0   0/1   ImagePullBackOff   0   2m", "image-unavailable"),
        ("Error: execution error at (redis-cluster/templates/NOTES.txt:110:4): Original containers have been substituted for unrecognized ones.", "image-substitution-blocked"),
        ("# <search> Redis version is too old, please upgrade to redis 7.4.0 and above.", "search-module-incompatible"),
        ("# Can't load module from /redismodules/redisearch.so: server aborting", "search-module-incompatible"),
    ] {
        let run = run(&["explain", line]);
        assert_eq!(run.code, 0, "{line}: {}", run.stderr);
        assert!(run.stdout.contains(&format!("`{rule}`")), "{line}:\n{}", run.stdout);
    }
}

/// redis-cluster 12.x and 13.x default to Redis 8, which no platform version supports.
#[test]
fn the_redis_8_default_of_charts_12_and_13_is_unsupported() {
    let dir = scratch("versions-redis8");
    let values = write(&dir, "values.yaml", "cluster:\n  nodes: 6\n  replicas: 1\n");
    for chart in ["12.0.0", "13.0.5"] {
        let run = lint_json(&[&values, "--chart-version", &format!("redis-cluster={chart}")]);
        let message = run.first("redis-version-unsupported")["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.starts_with("Redis 8."), "{chart}: {message}");
        assert!(
            message.contains(&format!("chart {chart}'s default image")),
            "{message}"
        );
        assert_eq!(run.code, 1);
    }
}
