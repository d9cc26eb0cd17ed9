//! Every folder under `fixtures/rules/` holds `fires.yaml`, whose lines carry `# expect: RULE@COLUMN`
//! markers, and `near-miss.yaml`, which must lint clean. Adding a case is adding a file.

mod common;

use std::collections::BTreeSet;
use std::fs;

use common::{lint_json, root, run};

type Expected = BTreeSet<(String, u64, u64)>;

/// The `# expect: rule@column` markers of a fixture, with their line numbers.
fn markers(text: &str) -> Expected {
    let mut out = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find("# expect: ") else {
            continue;
        };
        for marker in line[at + "# expect: ".len()..].split(',') {
            let (rule, column) = marker.trim().split_once('@').expect("marker is rule@column");
            out.insert((rule.to_string(), i as u64 + 1, column.parse().expect("column")));
        }
    }
    out
}

fn rule_dirs() -> Vec<String> {
    let mut dirs: Vec<String> = fs::read_dir(root().join("fixtures/rules"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_rule_fires_at_its_marked_lines_and_columns() {
    for dir in rule_dirs() {
        let file = format!("fixtures/rules/{dir}/fires.yaml");
        let expected = markers(&fs::read_to_string(root().join(&file)).unwrap());
        assert!(!expected.is_empty(), "{file} has no expect markers");
        assert!(
            expected.iter().all(|(rule, _, _)| *rule == dir),
            "{file} expects other rules than {dir}"
        );

        let run = lint_json(&[&file]);
        let found: Expected = run
            .findings()
            .into_iter()
            .map(|(rule, f, line, col)| {
                assert_eq!(f, file);
                (rule, line, col)
            })
            .collect();
        assert_eq!(
            found, expected,
            "{file}: findings differ from the markers\n{}",
            run.stdout
        );

        let json = run.json();
        let has_error = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["severity"] == "error");
        let exit = i32::from(has_error);
        assert_eq!(run.code, exit, "{file}: exit code");
    }
}

#[test]
fn every_near_miss_is_clean() {
    for dir in rule_dirs() {
        let file = format!("fixtures/rules/{dir}/near-miss.yaml");
        let run = lint_json(&[&file]);
        assert_eq!(run.findings(), vec![], "{file} must lint clean:\n{}", run.stdout);
        assert_eq!(run.code, 0, "{file}");
    }
}

#[test]
fn human_output_points_at_the_same_places() {
    for dir in rule_dirs() {
        let file = format!("fixtures/rules/{dir}/fires.yaml");
        let expected = markers(&fs::read_to_string(root().join(&file)).unwrap());
        let out = run(&["lint", &file]);
        for (rule, line, column) in expected {
            assert!(
                out.stdout.contains(&format!("[{file}:{line}:{column}]")),
                "{file}: no snippet at {line}:{column}:\n{}",
                out.stdout
            );
            assert!(out.stdout.contains(&rule), "{file}: rule {rule} not shown");
        }
        // Not a terminal: plain text, no colour codes.
        assert!(
            !out.stdout.contains('\u{1b}'),
            "{file}: colour codes in piped output"
        );
    }
}

#[test]
fn every_rule_in_the_registry_has_a_fixture() {
    let dirs = rule_dirs();
    for rule in acp_check::rules::ALL {
        assert!(
            dirs.iter().any(|d| d == rule.id),
            "rule {} has no fixtures/rules/{} folder",
            rule.id,
            rule.id
        );
    }
}
