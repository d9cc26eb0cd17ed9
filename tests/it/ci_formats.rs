//! SARIF, JUnit and GitHub output as CI systems read them: each is checked by an independent reader
//! (the official SARIF 2.1.0 schema with `check-jsonschema`, `junitparser`), and all of them, written
//! in one run, carry the same findings as the JSON report.

use crate::common;

use std::collections::BTreeSet;

use crate::common::*;
use serde_json::Value;

const SARIF_SCHEMA: &str = "tests/data/sarif-schema-2.1.0.json";

/// (rule, line, column) of every finding of the JSON report.
fn places(json: &Value) -> BTreeSet<(String, u64, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
                f["location"]["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn validate_sarif(path: &str) -> Run {
    // The official schema has a pattern (`toolComponent.language`) that only Python's regex
    // dialect accepts as written.
    run_tool(
        &tool("check-jsonschema"),
        &["--regex-variant", "python", "--schemafile", SARIF_SCHEMA, path],
    )
}

#[test]
fn every_format_in_one_run_carries_the_same_findings() {
    let dir = scratch("one-run");
    let file = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let (sarif, junit, github) = (file("a.sarif"), file("junit.xml"), file("annotations.txt"));
    let run = run(&[
        "lint",
        "examples/values.yaml",
        "--format",
        "json",
        "--format",
        &format!("sarif={sarif}"),
        "--format",
        &format!("junit={junit}"),
        "--format",
        &format!("github={github}"),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    let expected = places(&json);
    assert!(
        expected.len() >= 8,
        "the example has errors and warnings: {expected:?}"
    );

    // SARIF: valid against the official schema, one result per finding at the same place.
    let check = validate_sarif(&sarif);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let sarif_places: BTreeSet<(String, u64, u64)> = results
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(sarif_places, expected);
    assert_eq!(results.len(), json["findings"].as_array().unwrap().len());
    let dup = results.iter().find(|r| r["ruleId"] == "duplicate-key").unwrap();
    assert_eq!(
        dup["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/values.yaml"
    );
    assert_eq!(
        dup["locations"][0]["physicalLocation"]["region"],
        serde_json::json!({"startLine": 34, "startColumn": 3, "endLine": 34, "endColumn": 11})
    );

    // JUnit, as junitparser reads it: one suite for the file, a case per rule, a failure per rule
    // with errors or warnings.
    let summary = run_tool(&tool("python3"), &["tests/tools/junit_summary.py", &junit]);
    assert_eq!(summary.code, 0, "{}", summary.stderr);
    let summary: Value = serde_json::from_str(&summary.stdout).unwrap();
    let suites = summary["suites"].as_array().unwrap();
    assert_eq!(suites.len(), 1);
    assert_eq!(suites[0]["name"], "examples/values.yaml");
    assert_eq!(suites[0]["tests"], acp_check::rules::lint_rules().len());
    let failing: BTreeSet<String> = suites[0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["failures"].as_array().unwrap().is_empty())
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    let expected_failing: BTreeSet<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(failing, expected_failing);
    assert_eq!(summary["failures"], expected_failing.len());
    let dup_case = suites[0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "duplicate-key")
        .unwrap();
    assert_eq!(
        dup_case["failures"][0]["message"],
        "examples/values.yaml:34:3: key `password` is set twice in the same mapping"
    );
    assert_eq!(dup_case["failures"][0]["type"], "error");

    // GitHub: one workflow command per finding, at the same place.
    let annotations = std::fs::read_to_string(&github).unwrap();
    let github_places: BTreeSet<(String, u64, u64)> = annotations
        .lines()
        .map(|line| {
            let props = line.split("::").nth(1).unwrap();
            let get = |key: &str| {
                props
                    .split(',')
                    .find_map(|p| p.strip_prefix(&format!("{key}=")))
                    .unwrap_or_else(|| panic!("no {key} in {line}"))
                    .to_string()
            };
            (
                get("title"),
                get("line").parse().unwrap(),
                get("col").parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(github_places, expected);
    assert!(annotations.lines().any(|l| l
        == "::error file=examples/values.yaml,line=34,col=3,endLine=34,endColumn=11,title=duplicate-key::key `password` is set twice in the same mapping%0Ahelp: delete one of the two keys"));

    // Secrets stay out of every format.
    for text in [
        &run.stdout,
        &std::fs::read_to_string(&sarif).unwrap(),
        &std::fs::read_to_string(&junit).unwrap(),
        &annotations,
    ] {
        assert!(!text.contains("Example-Only-Pa55") && !text.contains("Example-Rotated-Pa55"));
    }
}

#[test]
fn the_sarif_check_rejects_a_log_that_breaks_the_schema() {
    // The validator is not a rubber stamp: a level SARIF does not have is refused.
    let dir = scratch("bad-sarif");
    let path = dir.join("bad.sarif");
    let run = run(&["lint", "examples/values.yaml", "--format", "sarif"]);
    std::fs::write(
        &path,
        run.stdout
            .replacen("\"level\": \"error\"", "\"level\": \"fatal\"", 1),
    )
    .unwrap();
    let check = validate_sarif(path.to_str().unwrap());
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(check.stdout.contains("'fatal' is not one of"), "{}", check.stdout);
}

#[test]
fn sarif_of_a_clean_deployment_is_valid_and_has_notes_only() {
    let run = run(&["lint", "fixtures/valid/umbrella-values.yaml", "--format", "sarif"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dir = scratch("clean-sarif");
    let path = dir.join("clean.sarif");
    std::fs::write(&path, &run.stdout).unwrap();
    let check = validate_sarif(path.to_str().unwrap());
    assert_eq!(check.code, 0, "{}", check.stdout);
    let log: Value = serde_json::from_str(&run.stdout).unwrap();
    // What could not be verified offline (passwords kept in Secrets) is a note, nothing more.
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results.iter().all(|r| r["level"] == "note"), "{results:?}");
}

#[test]
fn github_actions_gets_annotations_beside_the_human_report() {
    let run = finish_env(&["lint", "examples/values.yaml"], &[("GITHUB_ACTIONS", "true")]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("acp-check: 3 errors"), "{}", run.stdout);
    let human_end = run.stdout.find("acp-check: 3 errors").unwrap();
    let annotations: Vec<&str> = run.stdout[human_end..].lines().skip(1).collect();
    assert!(!annotations.is_empty());
    assert!(annotations
        .iter()
        .all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice ")));
    // An explicit format on standard output is left alone.
    let json = finish_env(
        &["lint", "examples/values.yaml", "--format", "json"],
        &[("GITHUB_ACTIONS", "true")],
    );
    assert!(!json.stdout.contains("::error"));
    json.json();
    // Outside GitHub Actions, no annotations.
    let plain = common::run(&["lint", "examples/values.yaml"]);
    assert!(!plain.stdout.contains("::error"));
}

#[test]
fn output_takes_the_human_report_beside_a_format_file() {
    let dir = scratch("outputs");
    let human = dir.join("report.txt");
    let junit = dir.join("junit.xml");
    let run = run(&[
        "lint",
        "examples/values.yaml",
        "--output",
        human.to_str().unwrap(),
        "--format",
        &format!("junit={}", junit.display()),
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert!(std::fs::read_to_string(&human).unwrap().contains("duplicate-key"));
    assert!(std::fs::read_to_string(&junit).unwrap().starts_with("<?xml"));
}

fn finish_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = acp_check();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = cmd.output().unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The README's SARIF result is the real first one (its annotations and JUnit excerpt are console
/// examples, run by `cmd::readme_console_examples`), and its install lines name the repository.
#[test]
fn readme_shows_the_real_sarif_result_and_the_repository() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let fixture = "fixtures/rules/password-mismatch/fires.yaml";
    let sarif: Value = serde_json::from_str(&run(&["lint", fixture, "--format", "sarif"]).stdout).unwrap();
    let first = serde_json::to_string_pretty(&sarif["runs"][0]["results"][0]).unwrap();
    assert!(
        readme.contains(&format!("```json\n{first}\n```")),
        "README's SARIF result is stale:\n{first}"
    );

    // The install lines name the repository Cargo.toml names.
    let repository = env!("CARGO_PKG_REPOSITORY");
    assert!(readme.contains(&format!("  - repo: {repository}\n")));
    assert!(readme.contains(&format!("helm plugin install {repository}\n")));
}
