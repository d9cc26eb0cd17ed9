//! `valuesFrom` layers read instead of left unknown: the Secret or ConfigMap a kustomization
//! beside the HelmRelease generates, and `--values-from KIND/NAME[:KEY]=FILE`.

use crate::common::{lint_json, scratch, write};

const TREE: &str = "fixtures/gitops/values-from";
const TOPOLOGY: &str = "fixtures/gitops/values-from/redis/topology.yaml";
const RELEASE: &str = "fixtures/gitops/values-from-flag/release.yaml";
const LAYER: &str = "fixtures/gitops/values-from-flag/cache-values.yaml";

fn rules_at(run: &crate::common::Run) -> Vec<(String, String, u64)> {
    run.findings()
        .into_iter()
        .map(|(rule, file, line, _)| (rule, file, line))
        .collect()
}

#[test]
fn a_generated_config_map_is_the_layer_below_spec_values_and_findings_point_into_it() {
    let run = lint_json(&[TREE]);
    let findings = rules_at(&run);
    // topology.yaml sets `replicas: 0` (line 3) and `nodes: 3`; spec.values' `nodes: 6` wins, so
    // the cluster has six masters: no too-few-masters.
    assert!(
        findings.contains(&("cluster-no-replicas".into(), TOPOLOGY.into(), 3)),
        "{findings:?}"
    );
    assert!(
        !findings.iter().any(|f| f.0 == "cluster-too-few-masters"),
        "{findings:?}"
    );
    let json = run.json();
    let replicas = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "cluster-no-replicas")
        .unwrap();
    assert_eq!(replicas["location"]["path"], "/cluster/replicas");
}

#[test]
fn a_sops_file_a_generator_reads_is_a_layer_never_a_release_of_its_own() {
    let run = lint_json(&[TREE]);
    let findings = rules_at(&run);
    // The password is known to be set (its value encrypted): no random-password finding, and nothing
    // reported of the encrypted file as a release (its Redis version, its chart).
    assert!(
        !findings.iter().any(|f| f.0 == "password-unknowable"),
        "{findings:?}"
    );
    assert!(
        !findings.iter().any(|f| f.1.ends_with("secrets.enc.yaml")),
        "{findings:?}"
    );
    // Named beside the release, the generated files are layers too: the same findings.
    let named = lint_json(&[
        "fixtures/gitops/values-from/redis/release.yaml",
        "fixtures/gitops/values-from/redis/secrets.enc.yaml",
        TOPOLOGY,
    ]);
    assert_eq!(rules_at(&named), findings);
    // The ciphertext never reaches the output.
    for out in [&run.stdout, &named.stdout] {
        assert!(!out.contains("c2VjcmV0LWZpeHR1cmU"), "{out}");
    }
}

#[test]
fn without_the_layer_its_checks_are_infos_naming_the_flag_that_gives_it() {
    let run = lint_json(&[RELEASE]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let unknowable = run.first("password-unknowable");
    assert_eq!(unknowable["severity"], "info");
    assert!(
        unknowable["help"]
            .as_str()
            .unwrap()
            .contains("give it with --values-from Secret/cache-values=FILE"),
        "{unknowable}"
    );
}

#[test]
fn values_from_gives_the_layer_and_its_findings_point_into_the_file() {
    let flag = format!("Secret/cache-values={LAYER}");
    let run = lint_json(&[RELEASE, "--values-from", &flag]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let findings = rules_at(&run);
    assert!(
        findings.contains(&("password-unknowable".into(), LAYER.into(), 2)),
        "{findings:?}"
    );
    // A key the release does not read supplies nothing: the layer stays unknown.
    let other = format!("Secret/cache-values:other.yaml={LAYER}");
    let run = lint_json(&[RELEASE, "--values-from", &other]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!rules_at(&run).iter().any(|f| f.1 == LAYER));
}

#[test]
fn a_values_from_flag_that_cannot_be_used_is_a_usage_error() {
    for (flag, says) in [
        ("Pod/x=a.yaml", "`Pod` is not Secret or ConfigMap"),
        ("Secret/x", "no `=FILE`"),
        ("x=a.yaml", "no `KIND/`"),
        ("Secret/x=missing.yaml", "missing.yaml: no such file"),
    ] {
        let run = lint_json(&[RELEASE, "--values-from", flag]);
        assert_eq!(run.code, 2, "{flag}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{flag}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn a_target_path_takes_an_env_file_key_as_a_string_and_a_secret_value_stays_hidden() {
    let dir = scratch("values-from-env");
    write(
        &dir,
        "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [release.yaml]\n\
         secretGenerator:\n  - name: creds\n    envs: [creds.env]\n",
    );
    write(
        &dir,
        "creds.env",
        "# the cluster's password\nREDIS_PASSWORD=hunter2-from-env\n",
    );
    let release = write(
        &dir,
        "release.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: cache}\nspec:\n  \
         chart: {spec: {chart: redis-cluster, version: 7.6.4}}\n  valuesFrom:\n    - kind: Secret\n      \
         name: creds\n      valuesKey: REDIS_PASSWORD\n      targetPath: password\n  values:\n    \
         image: {tag: 6.2.14}\n",
    );
    let run = lint_json(&[&release]);
    let findings = rules_at(&run);
    // The password is set by the layer: the chart does not make a random one.
    assert!(
        !findings.iter().any(|f| f.0 == "password-unknowable"),
        "{findings:?}"
    );
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
    let human = crate::common::run(&["lint", &release]);
    assert!(!human.stdout.contains("hunter2"), "{}", human.stdout);
}

#[test]
fn a_generator_file_outside_the_kustomization_folder_is_not_read() {
    let dir = scratch("values-from-outside");
    write(&dir, "outside.yaml", "cluster: {replicas: 0}\n");
    write(
        &dir,
        "redis/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [release.yaml]\n\
         secretGenerator:\n  - name: values\n    files: [values.yaml=../outside.yaml]\n",
    );
    let release = write(
        &dir,
        "redis/release.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: cache}\nspec:\n  \
         chart: {spec: {chart: redis-cluster, version: 7.6.4}}\n  valuesFrom:\n    - name: values\n",
    );
    let run = lint_json(&[&release]);
    // As Kustomize's load restrictor: the layer stays unknown.
    assert!(
        !rules_at(&run).iter().any(|f| f.1.ends_with("outside.yaml")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--values-from Secret/values=FILE"),
        "{}",
        run.stdout
    );
}

const LITERALS: &str = "fixtures/gitops/values-from-literals";

#[test]
fn generator_literals_are_known_layers_pointed_at_in_the_kustomization() {
    let run = lint_json(&[LITERALS]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let kustomization = format!("{LITERALS}/kustomization.yaml");
    assert_eq!(
        run.findings(),
        [
            // The password the Secret's literal gives is known: the module then needs it too
            // (never password-unknowable).
            (
                "search-coordinator-password".to_string(),
                format!("{LITERALS}/release.yaml"),
                21,
                9
            ),
            // `values.yaml=cluster: {nodes: 3, replicas: 0}`: YAML text, each value where it is
            // written in the literal.
            ("cluster-no-replicas".to_string(), kustomization.clone(), 10, 52),
            // A Secret's literal is in clear in the kustomization.
            ("plaintext-secret".to_string(), kustomization, 14, 18),
        ]
    );
    // The Secret's literal is never shown, in any output.
    let human = crate::common::run(&["lint", LITERALS]);
    let values = crate::common::run(&["values", LITERALS, "--show-origin"]);
    assert!(
        values
            .stdout
            .contains("  nodes: 3  # fixtures/gitops/values-from-literals/kustomization.yaml:10:39"),
        "{}",
        values.stdout
    );
    for out in [&run.stdout, &human.stdout, &values.stdout] {
        assert!(!out.contains("literal-fixture-password"), "{out}");
    }
}

#[test]
fn a_literal_at_a_target_path_is_its_text_and_one_that_is_no_mapping_merges_nothing() {
    let dir = scratch("values-from-literal-scalar");
    write(
        &dir,
        "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [release.yaml]\n\
         configMapGenerator:\n  - name: settings\n    literals: [replicas=0, values.yaml=just text]\n",
    );
    let release = write(
        &dir,
        "release.yaml",
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: cache}\nspec:\n  \
         chart: {spec: {chart: redis-cluster, version: 7.6.4}}\n  valuesFrom:\n    - kind: ConfigMap\n      \
         name: settings\n      valuesKey: replicas\n      targetPath: cluster.replicas\n    \
         - kind: ConfigMap\n      name: settings\n  values:\n    image: {tag: 6.2.14}\n",
    );
    let run = lint_json(&[&release]);
    // `replicas=0` at targetPath cluster.replicas is the string "0", pointed at in the literal.
    let file = dir.join("kustomization.yaml").display().to_string();
    assert!(
        run.findings()
            .contains(&("cluster-no-replicas".to_string(), file, 6, 25)),
        "{}",
        run.stdout
    );
    // `values.yaml=just text` is read (no mapping: nothing merged), never left unknown.
    assert!(
        !run.stdout.contains("--values-from ConfigMap/settings"),
        "{}",
        run.stdout
    );
}
