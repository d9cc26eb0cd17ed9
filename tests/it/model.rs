//! The deployment model built from real-shaped inputs: shapes, the platform's effective Redis client
//! config and its provenance, chart versions, release names, namespaces, and outside values.

use acp_check::input::{load, Loaded, Options};
use acp_check::model::Shape;
use acp_check::tree::Value;

fn load_inputs(inputs: &[&str]) -> Loaded {
    let root = env!("CARGO_MANIFEST_DIR");
    let options = Options {
        inputs: inputs.iter().map(|i| format!("{root}/{i}")).collect(),
        ..Options::default()
    };
    load(&options).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn umbrella_values_give_the_platform_client_merged_in_acp_order() {
    let loaded = load_inputs(&["fixtures/valid/umbrella-values.yaml"]);
    let release = &loaded.deployment.releases[0];
    assert_eq!(release.shape(), Shape::Umbrella);
    let platform = release.platform().expect("platform part");
    assert_eq!(platform.key, Some("acp"));
    let client = platform.redis_client().expect("client config");
    // `redis` gives the addresses; the password comes from a Secret made outside Helm.
    assert_eq!(client.get(&["addrs"]).unwrap().as_seq().unwrap().len(), 2);
    let addrs = client.entry(&["addrs"]).unwrap();
    assert_eq!(
        loaded.pointer(addrs.key_span).as_deref(),
        Some("/acp/redis/addrs")
    );
    assert!(client.get(&["password"]).is_none());
    assert!(platform.secret_config_external().is_some());
    let storage = platform.storage().expect("storage");
    assert_eq!(
        storage.get(&["refresh_tokens", "batch_limit"]).unwrap().value,
        Value::Int(512)
    );

    let cluster = release.redis_cluster().expect("redis-cluster part");
    assert_eq!(cluster.key, Some("redis-cluster"));
    assert_eq!(
        cluster.root.get(&["cluster", "nodes"]).unwrap().value,
        Value::Int(6)
    );
    assert!(
        cluster.version().is_none() && cluster.written_version().is_none(),
        "a bare values file does not say the chart version"
    );
}

#[test]
fn later_acp_config_layers_override_earlier_ones() {
    let dir = std::env::temp_dir().join(format!("acp-check-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("acp.yaml");
    std::fs::write(
        &file,
        "redis:\n  addrs: [a:1, b:2]\n  pool_size: 1\n  tls: {enabled: false}\nconfig:\n  data:\n    redis:\n      pool_size: 2\n      tls: {ca: /ca.pem}\nsecretConfig:\n  data:\n    redis:\n      pool_size: 3\n",
    )
    .unwrap();
    let loaded = load(&Options {
        inputs: vec![file.to_string_lossy().into()],
        ..Options::default()
    })
    .unwrap();
    let release = &loaded.deployment.releases[0];
    assert_eq!(release.shape(), Shape::Acp);
    let client = release.platform().unwrap().redis_client().unwrap();
    assert_eq!(client.get(&["pool_size"]).unwrap().value, Value::Int(3));
    // Maps merge deeply across layers.
    assert_eq!(client.get(&["tls", "enabled"]).unwrap().value, Value::Bool(false));
    assert_eq!(client.get(&["tls", "ca"]).unwrap().as_str(), Some("/ca.pem"));
}

#[test]
fn chart_directories_read_dependency_versions_from_the_lock() {
    let loaded = load_inputs(&["fixtures/valid/umbrella-chart"]);
    let release = &loaded.deployment.releases[0];
    assert_eq!(release.chart_name.as_ref().unwrap().value, "kube-acp-stack");
    assert_eq!(release.shape(), Shape::Umbrella);
    let cluster = release.redis_cluster().unwrap();
    // Chart.yaml asks for 7.6.x; Chart.lock says what was resolved.
    assert_eq!(cluster.written_version().unwrap().value, "7.6.4");
    assert_eq!(cluster.version().unwrap().version(), "7.6.4");
    assert!(cluster.existing_secret().is_some());
    assert!(release.platform().unwrap().secret_config_external().is_some());
}

#[test]
fn flux_releases_carry_names_namespaces_charts_and_outside_values() {
    let loaded = load_inputs(&["fixtures/valid/flux"]);
    let releases = &loaded.deployment.releases;
    assert_eq!(releases.len(), 2, "the Namespace document is not a release");
    let acp = releases.iter().find(|r| r.shape() == Shape::Acp).unwrap();
    assert_eq!(acp.release_name.as_ref().unwrap().value, "acp");
    assert_eq!(acp.namespace.as_ref().unwrap().value, "acp");
    assert_eq!(acp.chart_name.as_ref().unwrap().value, "acp");
    let unknown: Vec<&str> = acp.unknown.iter().map(|u| u.what.as_str()).collect();
    assert_eq!(
        unknown,
        ["Secret `acp-redis-password` key `password` (valuesFrom, targetPath secretConfig.data.redis.password)"]
    );

    let redis = releases
        .iter()
        .find(|r| r.shape() == Shape::RedisCluster)
        .unwrap();
    assert_eq!(redis.release_name.as_ref().unwrap().value, "redis-local");
    assert_eq!(redis.namespace.as_ref().unwrap().value, "redis");
    let cluster = redis.redis_cluster().unwrap();
    assert_eq!(cluster.written_version().unwrap().value, "7.6.4");
    assert_eq!(cluster.key, None);
    assert_eq!(loaded.deployment.platforms().count(), 1);
    assert_eq!(loaded.deployment.redis_clusters().count(), 1);
}

#[test]
fn overlays_merge_and_flux_default_release_names_apply() {
    let loaded = load_inputs(&["fixtures/valid/flux-overlay"]);
    assert_eq!(loaded.deployment.releases.len(), 1);
    let release = &loaded.deployment.releases[0];
    let cluster = release.redis_cluster().unwrap();
    assert_eq!(
        cluster.root.get(&["cluster", "nodes"]).unwrap().value,
        Value::Int(9)
    );
    assert_eq!(
        cluster.root.get(&["cluster", "replicas"]).unwrap().value,
        Value::Int(2)
    );
    // Kept from the base: the overlay does not touch it.
    assert!(cluster.existing_secret().is_some());
    // No spec.releaseName and no targetNamespace: Flux uses the object's name.
    assert_eq!(release.release_name.as_ref().unwrap().value, "redis-cluster");
}

#[test]
fn the_chart_version_flag_wins() {
    let root = env!("CARGO_MANIFEST_DIR");
    let options = Options {
        inputs: vec![format!("{root}/fixtures/valid/flux")],
        chart_versions: vec![("redis-cluster".into(), "11.5.4".into())],
        ..Options::default()
    };
    let loaded = load(&options).unwrap();
    let cluster = loaded.deployment.redis_clusters().next().unwrap();
    assert_eq!(cluster.written_version().unwrap().value, "11.5.4");
    assert_eq!(cluster.version().unwrap().version(), "11.5.4");
}

#[test]
fn helm_releases_of_two_clusters_stay_apart_and_a_patch_joins_the_nearest_base() {
    let dir = std::env::temp_dir().join(format!("acp-check-model-flux-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let release = |namespace: &str, nodes: u32| {
        format!(
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: redis-cluster\n  namespace: {namespace}\nspec:\n  chart:\n    spec:\n      chart: redis-cluster\n      version: \"7.6.4\"\n  values:\n    cluster:\n      nodes: {nodes}\n"
        )
    };
    let patch = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: redis-cluster\n  namespace: staging\nspec:\n  values:\n    cluster:\n      nodes: 9\n";
    for (file, text) in [
        ("clusters/prod/redis.yaml", release("prod", 6)),
        ("clusters/staging/redis.yaml", release("staging", 3)),
        ("clusters/staging/patches/redis.yaml", patch.to_string()),
    ] {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let loaded = load(&Options {
        inputs: vec![dir.to_string_lossy().into()],
        ..Options::default()
    })
    .unwrap();
    // Two releases of the same name in two clusters' folders: two deployments, not one overlay.
    let nodes: Vec<(String, Value)> = loaded
        .deployment
        .releases
        .iter()
        .map(|r| {
            let cluster = r.redis_cluster().unwrap();
            (
                r.namespace.as_ref().unwrap().value.clone(),
                cluster.root.get(&["cluster", "nodes"]).unwrap().value.clone(),
            )
        })
        .collect();
    assert_eq!(
        nodes,
        vec![("prod".into(), Value::Int(6)), ("staging".into(), Value::Int(9))]
    );
}
