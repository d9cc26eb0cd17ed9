//! `acp-check schema`: the embedded schemas as they are, and `values.schema.json` files that an
//! independent validator (`check-jsonschema`, the reference implementation's Python library) applies
//! to the fixtures the way Helm applies them to values: refusing what `acp-check lint` calls a wrong
//! type, leaving unknown keys to `acp-check lint`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::*;
use serde_json::Value;

/// Writes `acp-check schema --values-schema[=CHART]` to a file.
fn values_schema(chart: Option<&str>) -> PathBuf {
    // Each call its own directory: tests run in parallel.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = scratch(&format!("values-schema-{}-{n}", chart.unwrap_or("umbrella")));
    let path = dir.join("values.schema.json");
    let flag = match chart {
        Some(chart) => format!("--values-schema={chart}"),
        None => "--values-schema".to_string(),
    };
    let run = run(&["schema", &flag, "--output", path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    path
}

/// The JSONPath of every value `check-jsonschema` refuses (empty: the file is valid).
fn refused(schema: &Path, values: &str) -> BTreeSet<String> {
    let run = run_tool(
        &tool("check-jsonschema"),
        &["-o", "json", "--schemafile", schema.to_str().unwrap(), values],
    );
    let out: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("check-jsonschema said ({e}): {}{}", run.stdout, run.stderr));
    assert_eq!(run.code, i32::from(out["status"] != "ok"), "{}", run.stdout);
    out["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect()
}

/// An RFC 6901 pointer as the JSONPath check-jsonschema prints: `/redis-cluster/image/tag` →
/// `$['redis-cluster'].image.tag`.
fn json_path(pointer: &str) -> String {
    let mut out = String::from("$");
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if seg.parse::<usize>().is_ok() {
            out.push_str(&format!("[{seg}]"));
        } else if seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !seg.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push_str(&format!(".{seg}"));
        } else {
            out.push_str(&format!("['{seg}']"));
        }
    }
    out
}

/// Where `acp-check lint` reports the given rules in a fixture, as JSONPaths.
fn linted(fixture: &str, rules: &[&str]) -> BTreeSet<String> {
    lint_json(&[fixture]).json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| rules.contains(&f["rule"].as_str().unwrap()))
        .map(|f| json_path(f["location"]["path"].as_str().unwrap()))
        .collect()
}

#[test]
fn every_values_schema_is_a_valid_draft_07_schema() {
    for chart in [None, Some("acp"), Some("redis-cluster"), Some("kube-acp-stack")] {
        let schema = values_schema(chart);
        let check = run_tool(
            &tool("check-jsonschema"),
            &["--check-metaschema", schema.to_str().unwrap()],
        );
        assert_eq!(check.code, 0, "{chart:?}: {}{}", check.stdout, check.stderr);
        let json: Value = serde_json::from_str(&std::fs::read_to_string(&schema).unwrap()).unwrap();
        assert_eq!(json["$schema"], "http://json-schema.org/draft-07/schema#");
    }
    // The flag without a chart is the umbrella chart's.
    assert_eq!(
        std::fs::read_to_string(values_schema(None)).unwrap(),
        std::fs::read_to_string(values_schema(Some("kube-acp-stack"))).unwrap()
    );
}

#[test]
fn the_umbrella_schema_refuses_exactly_the_wrong_types_acp_check_finds() {
    let schema = values_schema(None);
    for valid in [
        "fixtures/valid/umbrella-values.yaml",
        "fixtures/valid/umbrella-chart/values.yaml",
        "fixtures/rules/schema-type/near-miss.yaml",
    ] {
        assert_eq!(refused(&schema, valid), BTreeSet::new(), "{valid}");
    }
    let fires = "fixtures/rules/schema-type/fires.yaml";
    let wrong = refused(&schema, fires);
    assert_eq!(wrong.len(), 5, "{wrong:?}");
    assert_eq!(wrong, linted(fires, &["schema-type"]));
    assert!(wrong.contains("$['redis-cluster'].cluster.nodes"));

    // A bare-number duration: a warning of acp-check, and a value Helm refuses too.
    let durations = "fixtures/rules/duration-without-unit/fires.yaml";
    let wrong = refused(&schema, durations);
    assert!(!wrong.is_empty());
    assert_eq!(wrong, linted(durations, &["duration-without-unit"]));

    // Unknown keys are for acp-check (a warning with "did you mean"): Helm must not refuse them.
    let unknown = "fixtures/rules/unknown-key/fires.yaml";
    assert!(!linted(unknown, &["unknown-key"]).is_empty());
    assert_eq!(refused(&schema, unknown), BTreeSet::new());
}

#[test]
fn the_chart_schemas_check_the_charts_alone() {
    let dir = scratch("chart-alone");
    let acp = write(
        &dir,
        "acp-values.yaml",
        "redis:\n  addrs: [\"redis-cluster-headless:6379\", \"redis-cluster-headless:6379\"]\n  pool_size: 20\nconfig:\n  data:\n    storage:\n      refresh_tokens:\n        batch_limit: 0\nsecretConfig:\n  data:\n    redis:\n      max_retries: many\n",
    );
    let wrong = refused(&values_schema(Some("acp")), &acp);
    assert_eq!(
        wrong,
        BTreeSet::from([
            "$.config.data.storage.refresh_tokens.batch_limit".to_string(),
            "$.secretConfig.data.redis.max_retries".to_string(),
        ])
    );
    let cluster = write(
        &dir,
        "redis-cluster-values.yaml",
        "cluster:\n  nodes: 6\n  replicas: 1\nimage:\n  pullPolicy: Sometimes\nglobal:\n  anything: goes\n",
    );
    assert_eq!(
        refused(&values_schema(Some("redis-cluster")), &cluster),
        BTreeSet::from(["$.image.pullPolicy".to_string()])
    );
}

#[test]
fn the_umbrella_schema_accepts_the_vendors_default_values() {
    // Helm validates the chart's own defaults merged with the user's values: the vendor's
    // kube-acp-stack defaults must pass. (They live beside the checkout, in ../shared/reference.)
    let reference = root().join("../shared/reference/kube-acp-stack-2.24.1-values.yaml");
    if !reference.is_file() {
        eprintln!(
            "note: {} is not beside this checkout; not checked",
            reference.display()
        );
        return;
    }
    assert_eq!(
        refused(&values_schema(None), reference.to_str().unwrap()),
        BTreeSet::new()
    );
}

#[test]
fn schema_prints_each_embedded_schema_as_it_is() {
    let list = run(&["schema"]);
    assert_eq!(list.code, 0);
    for (section, file) in [
        ("redis-cluster", "schemas/redis-cluster.schema.json"),
        ("acp-redis-client", "schemas/acp-redis-client.schema.json"),
        ("acp-storage", "schemas/acp-storage.schema.json"),
    ] {
        assert!(list.stdout.contains(&format!("  {section}")), "{}", list.stdout);
        let run = run(&["schema", section]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, std::fs::read_to_string(root().join(file)).unwrap());
    }
    let bad = run(&["schema", "redis"]);
    assert_eq!(bad.code, 2);
    assert!(bad
        .stderr
        .contains("possible values: redis-cluster, acp-redis-client, acp-storage"));
    let both = run(&["schema", "acp-storage", "--values-schema"]);
    assert_eq!(both.code, 2, "{}", both.stderr);
}
