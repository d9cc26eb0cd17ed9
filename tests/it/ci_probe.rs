//! Probe findings through the CI formats, against a real Redis (see tests/it/live.rs): SARIF names the
//! node as a logical location (and stays valid against the official schema), JUnit has a suite per
//! probed node with a case per rule the probe checks, GitHub annotations have no file.

use crate::common;
use crate::live;

use std::collections::BTreeSet;

use crate::common::*;
use serde_json::Value;

#[test]
fn probe_findings_in_sarif_junit_and_github() {
    if live::skipped() {
        return;
    }
    let dir = live::workdir("ci-formats-redis7");
    let server = live::standalone(true, &dir, &["--appendonly", "yes"]);
    let target = server.address();
    let out = scratch("ci-probe");
    let file = |name: &str| out.join(name).to_string_lossy().into_owned();
    let (sarif, junit, github) = (file("probe.sarif"), file("junit.xml"), file("annotations.txt"));
    let run = common::run(&[
        "probe",
        "--addr",
        &target,
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
    let expected: BTreeSet<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        expected,
        BTreeSet::from([
            "redis-version-unsupported".to_string(),
            "search-module-missing".to_string()
        ])
    );

    // SARIF: valid, each result on the node as a logical location, with the platform's log line.
    let check = run_tool(
        &tool("check-jsonschema"),
        &[
            "--regex-variant",
            "python",
            "--schemafile",
            "tests/data/sarif-schema-2.1.0.json",
            &sarif,
        ],
    );
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let rules: BTreeSet<String> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(rules, expected);
    for r in results {
        assert_eq!(r["locations"][0]["logicalLocations"][0]["name"], target.as_str());
        assert!(r["locations"][0].get("physicalLocation").is_none());
    }
    let missing = results
        .iter()
        .find(|r| r["ruleId"] == "search-module-missing")
        .unwrap();
    assert!(missing["message"]["text"]
        .as_str()
        .unwrap()
        .contains("the platform would log: {\"error\":\"failed to create redis client"));

    // JUnit, as junitparser reads it: the node is the suite, the probe's rules the cases.
    let summary = run_tool(&tool("python3"), &["tests/tools/junit_summary.py", &junit]);
    assert_eq!(summary.code, 0, "{}", summary.stderr);
    let summary: Value = serde_json::from_str(&summary.stdout).unwrap();
    let suites = summary["suites"].as_array().unwrap();
    assert_eq!(suites.len(), 1, "{summary}");
    assert_eq!(suites[0]["name"], target.as_str());
    assert_eq!(suites[0]["tests"], acp_check::rules::probe_rules().len());
    let failing: BTreeSet<String> = suites[0]["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !c["failures"].as_array().unwrap().is_empty())
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(failing, expected);

    // GitHub: an annotation per finding, without a file, naming the node.
    let annotations = std::fs::read_to_string(&github).unwrap();
    assert_eq!(annotations.lines().count(), 2, "{annotations}");
    for line in annotations.lines() {
        assert!(line.starts_with("::error title="), "{line}");
        assert!(!line.contains("file="), "{line}");
        assert!(line.contains(&format!("::{target}: ")), "{line}");
    }
}

/// JUnit of a cluster probe: a suite for every node found (not only the seeds), and for a node that
/// cannot be reached, its other checks skipped with the reason, not passed.
#[test]
fn junit_has_every_node_and_skips_what_an_unreachable_node_could_not_check() {
    if live::skipped() {
        return;
    }
    let cluster = live::Cluster::start("ci-junit-cluster");
    let seed = cluster.nodes[0].address();
    let closed = format!("127.0.0.1:{}", live::free_port(false));
    let junit = scratch("ci-probe-cluster").join("junit.xml");
    let junit = junit.to_string_lossy().into_owned();
    let out = acp_check()
        .args(["probe", "--addr", &seed, "--addr", &closed, "--password-env", "P"])
        .args(["--timeout", "1s", "--format", &format!("junit={junit}")])
        .env("P", live::PASSWORD)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let summary = run_tool(&tool("python3"), &["tests/tools/junit_summary.py", &junit]);
    assert_eq!(summary.code, 0, "{}", summary.stderr);
    let summary: Value = serde_json::from_str(&summary.stdout).unwrap();
    let suites = summary["suites"].as_array().unwrap();
    let names: BTreeSet<String> = suites
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    let mut expected: BTreeSet<String> = cluster.nodes.iter().map(|n| n.address()).collect();
    expected.insert(closed.clone());
    assert_eq!(names, expected, "{summary}");
    let checks = acp_check::rules::probe_rules().len();
    for suite in suites {
        assert_eq!(suite["tests"], checks, "{suite}");
        if suite["name"] == closed.as_str() {
            assert_eq!(suite["failures"], 1, "{suite}");
            assert_eq!(suite["skipped"], checks - 1, "{suite}");
            let case = suite["cases"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == "search-module-missing")
                .unwrap();
            assert_eq!(
                case["skipped"][0],
                "not checked: connection refused: nothing listens on this port"
            );
        } else {
            assert_eq!(suite["skipped"], 0, "{suite}");
        }
    }
}
