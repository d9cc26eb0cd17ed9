//! The CI formats as CI systems read them: each is checked by an independent reader (the official
//! SARIF 2.1.0 schema, reviewdog's `DiagnosticResult` schema and GitLab's documented Code Quality
//! fields with `check-jsonschema`; `junitparser`; Python's XML parser for Checkstyle), and all of
//! them, written in one run, carry the same findings as the JSON report.

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
    // After the summary (and the line that counts what --fix can fix), the annotations.
    let annotations: Vec<&str> = run.stdout[human_end..]
        .lines()
        .skip(1)
        .filter(|l| !l.contains("fixable with --fix"))
        .collect();
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

const RDJSON_SCHEMA: &str = "tests/data/rdjson.schema.json";
const GITLAB_SCHEMA: &str = "tests/data/gitlab-codequality.schema.json";

fn validate(schema: &str, path: &str) -> Run {
    run_tool(&tool("check-jsonschema"), &["--schemafile", schema, path])
}

fn read_checkstyle(path: &str) -> Run {
    run_tool(&tool("python3"), &["tests/tools/checkstyle_summary.py", path])
}

/// GitLab Code Quality, reviewdog's rdjson, Checkstyle and the concise lines, written in one run:
/// each passes its owner's schema or a reader of its own, and each carries every finding of the
/// JSON report at the same place (with the same fingerprint, and each fix as a suggestion).
#[test]
fn gitlab_rdjson_checkstyle_and_concise_pass_their_readers_with_the_same_findings() {
    let dir = scratch("review-formats");
    let file = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let (gitlab, rdjson, checkstyle, concise, sarif) = (
        file("gl-code-quality.json"),
        file("acp-check.rdjson"),
        file("checkstyle.xml"),
        file("concise.txt"),
        file("a.sarif"),
    );
    let run = run(&[
        "lint",
        "examples/values.yaml",
        "--format",
        "json",
        "--format",
        &format!("gitlab={gitlab}"),
        "--format",
        &format!("rdjson={rdjson}"),
        "--format",
        &format!("checkstyle={checkstyle}"),
        "--format",
        &format!("concise={concise}"),
        "--format",
        &format!("sarif={sarif}"),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    let expected = places(&json);
    let lines: BTreeSet<(String, u64)> = expected.iter().map(|(r, l, _)| (r.clone(), *l)).collect();
    let fingerprints: BTreeSet<(String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["fingerprint"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(fingerprints.len(), findings.len(), "fingerprints are unique");

    // GitLab: valid against the documented fields; the rule, the line, the JSON's fingerprint.
    let check = validate(GITLAB_SCHEMA, &gitlab);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let issues: Value = serde_json::from_str(&std::fs::read_to_string(&gitlab).unwrap()).unwrap();
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), findings.len());
    let gitlab_lines: BTreeSet<(String, u64)> = issues
        .iter()
        .map(|i| {
            assert_eq!(i["location"]["path"], "examples/values.yaml");
            (
                i["check_name"].as_str().unwrap().to_string(),
                i["location"]["lines"]["begin"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(gitlab_lines, lines);
    let gitlab_prints: BTreeSet<(String, String)> = issues
        .iter()
        .map(|i| {
            (
                i["check_name"].as_str().unwrap().to_string(),
                i["fingerprint"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(gitlab_prints, fingerprints);
    let dup = issues
        .iter()
        .find(|i| i["check_name"] == "duplicate-key")
        .unwrap();
    assert_eq!(dup["severity"], "major");
    assert_eq!(dup["location"]["lines"]["begin"], 34);
    let boolean = issues
        .iter()
        .find(|i| i["check_name"] == "ambiguous-boolean")
        .unwrap();
    assert_eq!(boolean["severity"], "minor");

    // SARIF carries the same fingerprints.
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let sarif_prints: BTreeSet<(String, String)> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["partialFingerprints"]["acpCheck/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    assert_eq!(sarif_prints, fingerprints);

    // rdjson: valid against reviewdog's DiagnosticResult schema; same places (columns count bytes,
    // and this file is ASCII); a suggestion for every fix, at the fix's edit.
    let check = validate(RDJSON_SCHEMA, &rdjson);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let result: Value = serde_json::from_str(&std::fs::read_to_string(&rdjson).unwrap()).unwrap();
    assert_eq!(result["source"]["name"], "acp-check");
    let diagnostics = result["diagnostics"].as_array().unwrap();
    let rdjson_places: BTreeSet<(String, u64, u64)> = diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d["location"]["path"], "examples/values.yaml");
            let start = &d["location"]["range"]["start"];
            (
                d["code"]["value"].as_str().unwrap().to_string(),
                start["line"].as_u64().unwrap(),
                start["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rdjson_places, expected);
    let source = std::fs::read_to_string(root().join("examples/values.yaml")).unwrap();
    let offset = |line: u64, column: u64| -> usize {
        let start: usize = source
            .split_inclusive('\n')
            .take(line as usize - 1)
            .map(str::len)
            .sum();
        start + column as usize - 1
    };
    let mut suggested = 0;
    for (finding, diagnostic) in findings.iter().zip(diagnostics) {
        assert_eq!(diagnostic["code"]["value"], finding["rule"]);
        let Some(fix) = finding.get("fix") else {
            assert!(diagnostic.get("suggestions").is_none(), "{diagnostic}");
            continue;
        };
        suggested += 1;
        let suggestion = &diagnostic["suggestions"][0];
        let edit = &fix["edits"][0];
        assert_eq!(fix["edits"].as_array().unwrap().len(), 1, "{fix}");
        let range = &suggestion["range"];
        let at = |p: &Value| offset(p["line"].as_u64().unwrap(), p["column"].as_u64().unwrap());
        assert_eq!(
            at(&range["start"]) as u64,
            edit["start"].as_u64().unwrap(),
            "{suggestion}"
        );
        assert_eq!(
            at(&range["end"]) as u64,
            edit["end"].as_u64().unwrap(),
            "{suggestion}"
        );
        assert_eq!(suggestion["text"], edit["text"]);
    }
    assert!(suggested >= 3, "the example has fixable findings");

    // Checkstyle, as an XML reader takes it: one <file>, an <error> per finding at its place.
    let read = read_checkstyle(&checkstyle);
    assert_eq!(read.code, 0, "{}{}", read.stdout, read.stderr);
    let read: Value = serde_json::from_str(&read.stdout).unwrap();
    let files = read["files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["name"], "examples/values.yaml");
    let checkstyle_places: BTreeSet<(String, u64, u64)> = files[0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["source"]
                    .as_str()
                    .unwrap()
                    .strip_prefix("acp-check.")
                    .unwrap()
                    .to_string(),
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(checkstyle_places, expected);
    let dup = files[0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["source"] == "acp-check.duplicate-key")
        .unwrap();
    assert_eq!(dup["severity"], "error");
    assert_eq!(
        dup["message"],
        "key `password` is set twice in the same mapping\nhelp: delete one of the two keys"
    );

    // Concise: `FILE:LINE:COL: SEVERITY[RULE] MESSAGE`, one line each.
    let text = std::fs::read_to_string(&concise).unwrap();
    let concise_places: BTreeSet<(String, u64, u64)> = text
        .lines()
        .map(|line| {
            let (place, rest) = line.split_once(": ").unwrap();
            let mut parts = place.rsplitn(3, ':');
            let column = parts.next().unwrap().parse().unwrap();
            let line_no = parts.next().unwrap().parse().unwrap();
            assert_eq!(parts.next(), Some("examples/values.yaml"));
            let (severity, rest) = rest.split_once('[').unwrap();
            assert!(["error", "warning", "info"].contains(&severity), "{line}");
            let (rule, message) = rest.split_once("] ").unwrap();
            assert!(!message.is_empty());
            (rule.to_string(), line_no, column)
        })
        .collect();
    assert_eq!(text.lines().count(), findings.len());
    assert_eq!(concise_places, expected);
    assert!(text.lines().any(|l| {
        l == "examples/values.yaml:34:3: error[duplicate-key] key `password` is set twice in the same mapping"
    }));

    for report in [&gitlab, &rdjson, &checkstyle, &concise] {
        let text = std::fs::read_to_string(report).unwrap();
        assert!(
            !text.contains("Example-Only-Pa55") && !text.contains("Example-Rotated-Pa55"),
            "{report}"
        );
    }
}

/// The readers are not rubber stamps: each refuses a report that breaks what its owner defines.
#[test]
fn the_gitlab_rdjson_and_checkstyle_readers_refuse_broken_reports() {
    let dir = scratch("review-formats-broken");
    let lint = |format: &str| run(&["lint", "examples/values.yaml", "--format", format]).stdout;
    let write = |name: &str, text: String| common::write(&dir, name, text);

    let gitlab = lint("gitlab");
    let bad = write(
        "gitlab.json",
        gitlab.replacen("\"severity\": \"major\"", "\"severity\": \"error\"", 1),
    );
    assert_eq!(validate(GITLAB_SCHEMA, &bad).code, 1);
    let bad = write(
        "gitlab-path.json",
        gitlab.replace("\"path\": \"examples/", "\"path\": \"./examples/"),
    );
    assert_eq!(validate(GITLAB_SCHEMA, &bad).code, 1);

    let rdjson = lint("rdjson");
    assert!(rdjson.contains("\"related_locations\""));
    let bad = write(
        "misspelt.rdjson",
        rdjson.replace("\"related_locations\"", "\"relatedLocation\""),
    );
    let check = validate(RDJSON_SCHEMA, &bad);
    assert_eq!(check.code, 1, "{}", check.stdout);
    let bad = write("severity.rdjson", rdjson.replacen("\"WARNING\"", "\"WARN\"", 1));
    assert_eq!(validate(RDJSON_SCHEMA, &bad).code, 1);

    let checkstyle = lint("checkstyle");
    assert!(checkstyle.contains("&quot;"));
    let bad = write(
        "severity.xml",
        checkstyle.replacen("severity=\"error\"", "severity=\"fatal\"", 1),
    );
    let read = read_checkstyle(&bad);
    assert_eq!(read.code, 1, "{}", read.stdout);
    assert!(read.stdout.contains("'fatal'"), "{}", read.stdout);
    let bad = write("unescaped.xml", checkstyle.replacen("&quot;", "\"", 1));
    let read = read_checkstyle(&bad);
    assert_eq!(read.code, 1, "{}", read.stdout);
    assert!(read.stdout.contains("not well-formed"), "{}", read.stdout);
}

/// A live finding has no file: GitLab gets its target as the path, checkstyle as the file name,
/// rdjson a diagnostic without a location, its target starting the message. All stay valid.
#[test]
fn probe_findings_in_the_review_formats_stay_valid() {
    let dir = scratch("review-formats-probe");
    let (gitlab, rdjson, checkstyle) = (
        dir.join("gl.json").to_string_lossy().into_owned(),
        dir.join("p.rdjson").to_string_lossy().into_owned(),
        dir.join("p.xml").to_string_lossy().into_owned(),
    );
    // Port 1 on loopback: nothing listens there, the probe reports it unreachable at once.
    let run = run(&[
        "probe",
        "--addr",
        "127.0.0.1:1",
        "--timeout",
        "1s",
        "--format",
        &format!("gitlab={gitlab}"),
        "--format",
        &format!("rdjson={rdjson}"),
        "--format",
        &format!("checkstyle={checkstyle}"),
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let check = validate(GITLAB_SCHEMA, &gitlab);
    assert_eq!(check.code, 0, "{}", check.stdout);
    let issues: Value = serde_json::from_str(&std::fs::read_to_string(&gitlab).unwrap()).unwrap();
    assert!(issues
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["check_name"] == "redis-unreachable" && i["location"]["path"] == "127.0.0.1:1"));
    let check = validate(RDJSON_SCHEMA, &rdjson);
    assert_eq!(check.code, 0, "{}", check.stdout);
    let result: Value = serde_json::from_str(&std::fs::read_to_string(&rdjson).unwrap()).unwrap();
    let unreachable = result["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"]["value"] == "redis-unreachable")
        .unwrap();
    assert!(unreachable.get("location").is_none());
    assert!(unreachable["message"]
        .as_str()
        .unwrap()
        .starts_with("127.0.0.1:1: "));
    let read = read_checkstyle(&checkstyle);
    assert_eq!(read.code, 0, "{}", read.stdout);
    assert!(
        read.stdout.contains("\"name\": \"127.0.0.1:1\""),
        "{}",
        read.stdout
    );
}
