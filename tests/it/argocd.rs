//! Argo CD Applications as releases: a chart from its Helm repository or a chart directory of the
//! repository, values in Argo CD's order (value files, `valuesObject` or the YAML text of
//! `helm.values`, parameters), findings at the line that set the value (inside `helm.values` too),
//! and value files acp-check cannot read reported as infos, never errors.

use crate::common::{lint_json, run, scratch, write};

const TREE: &str = "fixtures/gitops/argocd";
const REDIS: &str = "fixtures/gitops/argocd/apps/redis.yaml";
const PLATFORM: &str = "fixtures/gitops/argocd/apps/platform.yaml";
const REDIS_VALUES: &str = "fixtures/gitops/argocd/envs/prod/redis-values.yaml";

fn at(rule: &str, file: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_string(), file.to_string(), line, column)
}

#[test]
fn a_gitops_tree_of_applications_is_one_deployment_with_findings_where_the_values_are_set() {
    let run = lint_json(&[TREE]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let mut findings = run.findings();
    findings.sort();
    assert_eq!(
        findings,
        [
            // The platform runs acp 2.25.0 (its chart directory's Chart.yaml): chart 11.5.4 is the one
            // recommended with it, so the two Applications are compared.
            at("chart-version-not-recommended", REDIS, 16, 23),
            // `cluster.replicas: 0` in the block scalar of helm.values, over the value file's 1.
            at("cluster-no-replicas", REDIS, 30, 23),
            // `min_retry_backoff: 8` in the platform's helm.values.
            at("duration-without-unit", PLATFORM, 27, 30),
            // The value file read through `$values/…`, a layer of the release, not one of its own.
            at("password-disabled", REDIS_VALUES, 1, 14),
            // The parameter `image.tag` wins over the value file's 6.2.14.
            at("redis-version-unsupported", REDIS, 33, 20),
        ]
    );
}

#[test]
fn a_finding_inside_helm_values_points_at_its_line_in_the_block_scalar() {
    let replicas = lint_json(&[REDIS]).first("cluster-no-replicas");
    assert_eq!(replicas["location"]["file"], REDIS);
    assert_eq!(
        (&replicas["location"]["line"], &replicas["location"]["column"]),
        (&30.into(), &23.into())
    );
    // A number written where a version belongs, in a `|-` block of a single-source Application,
    // with a fix that quotes it in place.
    let dir = scratch("argocd-block");
    let app = write(
        &dir,
        "app.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: cache\nspec:\n  source:\n    repoURL: https://charts.bitnami.com/bitnami\n    chart: redis-cluster\n    targetRevision: 11.5.4\n    helm:\n      values: |-\n        cluster:\n          nodes: 6\n        image:\n          tag: 6.2\n",
    );
    let linted = lint_json(&[&app]);
    assert_eq!(
        linted.findings_of(&["numeric-version"]),
        [at("numeric-version", &app, 15, 16)]
    );
    let fixed = run(&["lint", "--fix", &app]);
    assert!(fixed.code <= 1, "{}{}", fixed.stdout, fixed.stderr);
    let text = std::fs::read_to_string(&app).unwrap();
    assert!(
        text.ends_with("        image:\n          tag: \"6.2\"\n"),
        "{text}"
    );
}

#[test]
fn parameters_override_values_object_which_replaces_values_which_override_value_files() {
    let dir = scratch("argocd-precedence");
    write(
        &dir,
        "chart/Chart.yaml",
        "apiVersion: v2\nname: redis-cluster\nversion: 11.5.4\nhome: https://bitnami.com\n",
    );
    write(&dir, "chart/values.yaml", "usePassword: true\n");
    write(
        &dir,
        "chart/values-prod.yaml",
        "cluster:\n  nodes: 3\n  replicas: 2\nimage:\n  tag: 6.2.1\nusePassword: false\n",
    );
    let head = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: NAME\nspec:\n  source:\n    repoURL: https://git.example.com/repo.git\n    path: chart\n    helm:\n      valueFiles: [values-prod.yaml]\n";
    let app = write(
        &dir,
        "apps.yaml",
        format!(
            "{}      values: |\n        cluster:\n          nodes: 9\n        image:\n          tag: 6.2.12\n      valuesObject:\n        image:\n          tag: 6.2.13\n      parameters:\n        - name: image.tag\n          value: 6.2.14\n---\n{}      values: |\n        cluster:\n          nodes: 9\n",
            head.replace("NAME", "object"),
            head.replace("NAME", "values")
        ),
    );
    let out = run(&["values", "--format", "json", "--show-origin", &app]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let releases = json["releases"].as_array().unwrap();
    let leaf = |r: usize, pointer: &str| {
        let release = &releases[r];
        (
            release["values"].pointer(pointer).cloned().unwrap_or_default(),
            release["origins"][pointer]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
    };
    let file = |name: &str, line, column| format!("{}:{line}:{column}", dir.join(name).display());
    assert_eq!(releases[0]["name"], "object");
    // The parameter wins over valuesObject, whose tag would win over the value file's.
    assert_eq!(
        leaf(0, "/image/tag"),
        ("6.2.14".into(), file("apps.yaml", 21, 18))
    );
    // valuesObject replaces helm.values whole (Argo CD's ValuesYAML): its `nodes: 9` is not read.
    assert_eq!(
        leaf(0, "/cluster/nodes"),
        (3.into(), file("chart/values-prod.yaml", 2, 10))
    );
    // The value file wins over the chart's values.yaml.
    assert_eq!(
        leaf(0, "/usePassword"),
        (false.into(), file("chart/values-prod.yaml", 6, 14))
    );
    // Without valuesObject, helm.values wins over the value file, and points into its block.
    assert_eq!(releases[1]["name"], "values");
    assert_eq!(leaf(1, "/cluster/nodes"), (9.into(), file("apps.yaml", 35, 18)));
    assert_eq!(
        leaf(1, "/cluster/replicas"),
        (2.into(), file("chart/values-prod.yaml", 3, 13))
    );
    assert_eq!(
        leaf(1, "/image/tag"),
        ("6.2.1".into(), file("chart/values-prod.yaml", 5, 8))
    );
}

/// An Application of Bitnami's chart whose password no file sets: the chart would make a random one.
fn unknowable(value_files: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: cache\nspec:\n  source:\n    repoURL: https://git.example.com/repo.git\n    path: .\n    helm:\n{value_files}      values: |\n        image:\n          registry: registry.example.com\n          tag: 6.2.14\n        cluster:\n          nodes: 6\n          replicas: 1\n"
    )
}

#[test]
fn a_remote_value_file_makes_what_it_may_set_an_info_never_an_error() {
    let dir = scratch("argocd-remote");
    write(
        &dir,
        "Chart.yaml",
        "apiVersion: v2\nname: redis-cluster\nversion: 11.5.4\nhome: https://bitnami.com\n",
    );
    // Without a value file the random password is an error.
    let plain = write(&dir, "plain.yaml", unknowable(""));
    let run_plain = lint_json(&[&plain]);
    assert_eq!(run_plain.code, 1, "{}", run_plain.stdout);
    assert_eq!(run_plain.first("password-unknowable")["severity"], "error");
    // A remote value file may set the password: an info that names it, at the line naming it.
    let remote = write(
        &dir,
        "remote.yaml",
        unknowable("      valueFiles:\n        - https://config.example.com/redis/values.yaml\n"),
    );
    let linted = lint_json(&[&remote]);
    assert_eq!(linted.code, 0, "{}", linted.stdout);
    let finding = linted.first("password-unknowable");
    assert_eq!(finding["severity"], "info");
    let help = finding["help"].as_str().unwrap();
    assert!(
        help.starts_with("could not be checked: the remote values file `https://config.example.com/redis/values.yaml` (helm.valueFiles) may set it"),
        "{help}"
    );
    // A file missing from the repository is unknown too, unless Argo CD is told to skip it.
    let missing = write(
        &dir,
        "missing.yaml",
        unknowable("      valueFiles: [values-prod.yaml]\n"),
    );
    assert_eq!(
        lint_json(&[&missing]).first("password-unknowable")["severity"],
        "info"
    );
    let skipped = write(
        &dir,
        "skipped.yaml",
        unknowable("      valueFiles: [values-prod.yaml]\n      ignoreMissingValueFiles: true\n"),
    );
    assert_eq!(
        lint_json(&[&skipped]).first("password-unknowable")["severity"],
        "error"
    );
}

#[test]
fn a_value_file_an_application_reads_is_no_release_of_its_own() {
    let out = run(&["values", "--format", "json", TREE]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let names: Vec<&str> = json["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap_or("(none)"))
        .collect();
    assert_eq!(names, ["acp", "cache"]);
    // Named alone, it is a values file.
    let alone = lint_json(&[REDIS_VALUES]);
    assert!(
        alone.rules().contains(&"password-disabled".to_string()),
        "{}",
        alone.stdout
    );
}

#[test]
fn an_application_given_with_f_is_refused_and_a_bad_parameter_is_named_with_its_place() {
    let out = run(&["lint", "-f", REDIS]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("is an Argo CD Application manifest, not a values file"),
        "{}",
        out.stderr
    );
    let dir = scratch("argocd-bad-parameter");
    let app = write(
        &dir,
        "app.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: cache}\nspec:\n  source:\n    chart: redis-cluster\n    helm:\n      parameters:\n        - name: image[x]\n          value: 6.2.14\n",
    );
    let out = run(&["lint", &app]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(
        out.stderr.contains(&format!(
            "{app}:9:17: helm.parameters `image[x]`: Helm refuses it (--set)"
        )),
        "{}",
        out.stderr
    );
}

/// `helm.fileParameters` (`--set-file`) set a value from a file Argo CD reads at sync: an error
/// that value could undo is an info naming the parameter.
#[test]
fn a_file_parameter_is_a_layer_acp_check_could_not_read() {
    let dir = scratch("argocd-file-parameters");
    let app = |file_parameters: &str| {
        format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: cache\nspec:\n  source:\n    repoURL: https://charts.bitnami.com/bitnami\n    chart: redis-cluster\n    targetRevision: 7.6.4\n    helm:\n      values: |\n        image:\n          registry: registry.example.com\n        cluster:\n          nodes: 2\n          replicas: 0\n{file_parameters}"
        )
    };
    let plain = write(&dir, "plain.yaml", app(""));
    let linted = lint_json(&[&plain]);
    let masters = linted.first("cluster-too-few-masters");
    assert_eq!(masters["severity"], "error", "{}", linted.stdout);
    assert_eq!(
        (&masters["location"]["line"], &masters["location"]["column"]),
        (&15.into(), &18.into())
    );

    let with_file = write(
        &dir,
        "file.yaml",
        app("      fileParameters:\n        - name: cluster.nodes\n          path: files/nodes.txt\n"),
    );
    let linted = lint_json(&[&with_file]);
    let masters = linted.first("cluster-too-few-masters");
    assert_eq!(masters["severity"], "info", "{}", linted.stdout);
    let help = masters["help"].as_str().unwrap();
    assert!(help.contains("helm.fileParameters `cluster.nodes`"), "{help}");
}
