//! Every folder under `fixtures/rules/<rule>/` holds `fires.yaml`, where the rule fires, and
//! `near-miss.yaml`, where it must not. Every finding of either file is marked on its line with
//! `# expect: RULE@COLUMN`, or anywhere with `# expect: RULE@LINE:COLUMN` (a fixture may trigger other
//! rules too, and says so); the lint must give
//! exactly the marked findings. Adding a case is adding a file.

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
            let (rule, place) = marker
                .trim()
                .split_once('@')
                .expect("marker is rule@column or rule@line:column");
            // `rule@LINE:COLUMN` names another line: for findings inside block scalars, where a
            // comment would be part of the text.
            let (line, column) = match place.split_once(':') {
                Some((l, c)) => (l.parse().expect("line"), c),
                None => (i as u64 + 1, place),
            };
            out.insert((rule.to_string(), line, column.parse().expect("column")));
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
        assert!(
            expected.iter().any(|(rule, _, _)| *rule == dir),
            "{file} has no marker of {dir}"
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
fn no_near_miss_fires_its_rule() {
    for dir in rule_dirs() {
        let file = format!("fixtures/rules/{dir}/near-miss.yaml");
        let expected = markers(&fs::read_to_string(root().join(&file)).unwrap());
        assert!(
            expected.iter().all(|(rule, _, _)| *rule != dir),
            "{file} must not expect {dir}"
        );
        let run = lint_json(&[&file]);
        let found: Expected = run
            .findings()
            .into_iter()
            .map(|(rule, _, line, col)| (rule, line, col))
            .collect();
        assert_eq!(
            found, expected,
            "{file}: findings differ from the markers\n{}",
            run.stdout
        );
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
