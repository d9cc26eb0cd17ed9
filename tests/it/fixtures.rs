//! Every folder under `fixtures/rules/<rule>/` holds fixtures where the rule fires (`fires.yaml`,
//! `fires-umbrella.yaml`, …: any `fires*.yaml`) and near misses, where it must not
//! (`near-miss*.yaml`), at least one of each and nothing else. A fixture that needs several files (a
//! chart directory, two releases) is a directory named the same way (`fires-wrapper-chart/`,
//! `near-miss-both-releases/`), linted as one input. Every finding is marked in the file it points
//! at, on its line with `# expect: RULE@COLUMN`, or anywhere in that file with
//! `# expect: RULE@LINE:COLUMN` (a fixture may trigger other rules too, and says so); `RULE(info)@…`
//! marks a finding below the rule's default severity (a check that could not be verified). The lint
//! must give exactly the marked findings, in the marked files, at their severities. Adding a case is
//! adding a file or a directory.

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::common::{lint_json, root, run};

/// (rule, severity, file, line, column).
type Expected = BTreeSet<(String, String, String, u64, u64)>;

fn default_severity(rule: &str) -> String {
    acp_check::rules::find(rule)
        .unwrap_or_else(|| panic!("marker names no rule: {rule}"))
        .severity
        .as_str()
        .to_string()
}

/// The `# expect: rule@column` markers of `file` (its text), with their line numbers.
fn markers(file: &str, text: &str) -> Expected {
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
            let (rule, severity) = match rule.strip_suffix(')').and_then(|r| r.split_once('(')) {
                Some((rule, severity)) => (rule, severity.to_string()),
                None => (rule, default_severity(rule)),
            };
            // `rule@LINE:COLUMN` names another line: for findings inside block scalars, where a
            // comment would be part of the text.
            let (line, column) = match place.split_once(':') {
                Some((l, c)) => (l.parse().expect("line"), c),
                None => (i as u64 + 1, place),
            };
            out.insert((
                rule.to_string(),
                severity,
                file.to_string(),
                line,
                column.parse().expect("column"),
            ));
        }
    }
    out
}

/// The YAML files of a fixture (paths as given): the file itself, or every `*.yaml` / `*.yml` of a
/// fixture directory and its subdirectories, in name order.
fn yaml_files(fixture: &str) -> Vec<String> {
    let path = root().join(fixture);
    if !path.is_dir() {
        return vec![fixture.to_string()];
    }
    let mut names: Vec<String> = fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    names.sort();
    names
        .into_iter()
        .flat_map(|name| {
            let inner = format!("{fixture}/{name}");
            if root().join(&inner).is_dir() {
                yaml_files(&inner)
            } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                vec![inner]
            } else {
                vec![]
            }
        })
        .collect()
}

/// The markers of every YAML file of a fixture.
fn expected(fixture: &str) -> Expected {
    yaml_files(fixture)
        .iter()
        .flat_map(|file| markers(file, &fs::read_to_string(root().join(file)).unwrap()))
        .collect()
}

/// The findings of a lint of `fixture` as markers state them; each must be in a YAML file of it.
fn found(run: &common::Run, fixture: &str) -> Expected {
    let files = yaml_files(fixture);
    run.json()["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            let loc = &f["location"];
            let file = loc["file"].as_str().unwrap_or_default().to_string();
            assert!(
                files.contains(&file),
                "{fixture}: a finding in {file}, not in {files:?}\n{}",
                run.stdout
            );
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                file,
                loc["line"].as_u64().unwrap(),
                loc["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn rule_dirs() -> Vec<String> {
    let mut dirs: Vec<String> = fs::read_dir(root().join("fixtures/rules"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    dirs
}

/// The fixtures of one rule folder, each list in name order.
#[derive(Debug, PartialEq)]
struct Fixtures {
    fires: Vec<String>,
    near_misses: Vec<String>,
}

/// The `fires*.yaml` and `near-miss*.yaml` files and `fires*/` and `near-miss*/` directories of
/// `folder` (paths as given), or what is wrong with it: a folder without both kinds, or an entry
/// that is neither (a misnamed fixture would never be checked). Hidden files (an editor's) are not
/// fixtures.
fn fixtures_in(folder: &str) -> Result<Fixtures, String> {
    let mut names: Vec<String> = fs::read_dir(root().join(folder))
        .map_err(|e| format!("{folder}: {e}"))?
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    names.sort();
    let of_kind = |prefix: &str| -> Vec<String> {
        names
            .iter()
            .filter(|n| {
                let dir = root().join(folder).join(n).is_dir();
                n.starts_with(prefix) && (dir || n.ends_with(".yaml"))
            })
            .map(|n| format!("{folder}/{n}"))
            .collect()
    };
    let fixtures = Fixtures {
        fires: of_kind("fires"),
        near_misses: of_kind("near-miss"),
    };
    let stray: Vec<&String> = names
        .iter()
        .filter(|n| {
            let path = format!("{folder}/{n}");
            !fixtures.fires.contains(&path) && !fixtures.near_misses.contains(&path)
        })
        .collect();
    if !stray.is_empty() {
        return Err(format!(
            "{folder}: {stray:?} are not fixtures: name them fires*.yaml or near-miss*.yaml (or fires*/, near-miss*/ for a directory)"
        ));
    }
    if fixtures.fires.is_empty() || fixtures.near_misses.is_empty() {
        return Err(format!(
            "{folder} needs at least one fires* and one near-miss* fixture: {fixtures:?}"
        ));
    }
    Ok(fixtures)
}

/// Every fixture of every rule folder: (rule, fires fixtures, near misses).
fn all_fixtures() -> Vec<(String, Fixtures)> {
    rule_dirs()
        .into_iter()
        .map(|rule| {
            let fixtures = fixtures_in(&format!("fixtures/rules/{rule}")).unwrap_or_else(|e| panic!("{e}"));
            (rule, fixtures)
        })
        .collect()
}

/// (rule, fixture) of every `fires*` fixture.
fn fires_files() -> Vec<(String, String)> {
    all_fixtures()
        .into_iter()
        .flat_map(|(rule, f)| f.fires.into_iter().map(move |file| (rule.clone(), file)))
        .collect()
}

/// (rule, fixture) of every `near-miss*` fixture.
fn near_miss_files() -> Vec<(String, String)> {
    all_fixtures()
        .into_iter()
        .flat_map(|(rule, f)| f.near_misses.into_iter().map(move |file| (rule.clone(), file)))
        .collect()
}

/// Copies `from` (a directory) to `to`, with every file.
fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn every_rule_folder_is_a_rule_with_fires_and_near_misses_and_nothing_else() {
    // all_fixtures() fails on a folder without both kinds of file, or with a file of neither kind.
    for (rule, _) in all_fixtures() {
        assert!(
            acp_check::rules::find(&rule).is_some(),
            "fixtures/rules/{rule} is named after no rule"
        );
    }
}

#[test]
fn discovery_reads_every_variant_and_refuses_strays() {
    let dir = common::scratch("fixture-discovery");
    for name in [
        "near-miss-2.yaml",
        "fires.yaml",
        "near-miss.yaml",
        "fires-umbrella.yaml",
        ".fires.yaml.swp",
    ] {
        common::write(&dir, name, "redis-cluster: {}\n");
    }
    // A fixture of several files is a directory named the same way (no `.yaml` needed).
    common::write(&dir, "fires-chart/Chart.yaml", "name: wrapper\n");
    common::write(&dir, "near-miss-chart/values.yaml", "redis-cluster: {}\n");
    let folder = dir.to_string_lossy().into_owned();
    assert_eq!(
        fixtures_in(&folder),
        Ok(Fixtures {
            fires: vec![
                format!("{folder}/fires-chart"),
                format!("{folder}/fires-umbrella.yaml"),
                format!("{folder}/fires.yaml")
            ],
            near_misses: vec![
                format!("{folder}/near-miss-2.yaml"),
                format!("{folder}/near-miss-chart"),
                format!("{folder}/near-miss.yaml")
            ],
        })
    );

    common::write(&dir, "fire.yaml", "redis-cluster: {}\n");
    let error = fixtures_in(&folder).unwrap_err();
    assert!(error.contains("[\"fire.yaml\"] are not fixtures"), "{error}");
    std::fs::remove_file(dir.join("fire.yaml")).unwrap();
    common::write(&dir, "chart/values.yaml", "redis-cluster: {}\n");
    let error = fixtures_in(&folder).unwrap_err();
    assert!(error.contains("[\"chart\"] are not fixtures"), "{error}");

    let lonely = common::scratch("fixture-discovery-lonely");
    common::write(&lonely, "fires.yaml", "redis-cluster: {}\n");
    let error = fixtures_in(&lonely.to_string_lossy()).unwrap_err();
    assert!(
        error.contains("needs at least one fires* and one near-miss* fixture"),
        "{error}"
    );
}

#[test]
fn every_rule_fires_at_its_marked_lines_and_columns() {
    for (dir, file) in fires_files() {
        let expected = expected(&file);
        assert!(
            expected
                .iter()
                .any(|(rule, severity, ..)| *rule == dir && *severity == default_severity(&dir)),
            "{file} has no marker of {dir} at its default severity"
        );

        let run = lint_json(&[&file]);
        let found = found(&run, &file);
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
    for (dir, file) in near_miss_files() {
        let expected = expected(&file);
        assert!(
            expected
                .iter()
                .all(|(rule, severity, ..)| *rule != dir || severity == "info"),
            "{file} must not expect {dir} (except as an unverified info)"
        );
        let run = lint_json(&[&file]);
        let found = found(&run, &file);
        assert_eq!(
            found, expected,
            "{file}: findings differ from the markers\n{}",
            run.stdout
        );
    }
}

#[test]
fn human_output_points_at_the_same_places() {
    for (_, file) in fires_files() {
        let expected = expected(&file);
        let out = run(&["lint", &file]);
        for (rule, _, marked, line, column) in expected {
            assert!(
                out.stdout.contains(&format!("[{marked}:{line}:{column}]")),
                "{file}: no snippet at {marked}:{line}:{column}:\n{}",
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
        // Rules only the probe checks are tested against real servers (tests/it/probe.rs).
        if !rule.checked_by.by_lint() {
            assert!(!dirs.iter().any(|d| d == rule.id), "{} is probe-only", rule.id);
            continue;
        }
        assert!(
            dirs.iter().any(|d| d == rule.id),
            "rule {} has no fixtures/rules/{} folder",
            rule.id,
            rule.id
        );
    }
}

/// The line that opens the block scalar (`key: |`) holding `line` (1-based), if any: a comment
/// cannot be written inside one, so its suppression goes above the header.
fn block_scalar_header(lines: &[&str], line: usize) -> Option<usize> {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let mut deepest = indent(lines[line - 1]);
    for k in (1..line).rev() {
        let text = lines[k - 1];
        if text.trim().is_empty() {
            continue;
        }
        if indent(text) < deepest {
            let content = text.split(" #").next().unwrap_or(text).trim_end();
            let last = content.rsplit(' ').next().unwrap_or("");
            if last.starts_with('|') || last.starts_with('>') {
                return Some(k);
            }
            return None;
        }
        deepest = deepest.min(indent(text));
    }
    None
}

/// Each rule, on the fixture where it fires, can be switched off and re-levelled by the config
/// file, and silenced by an inline comment above each line where it fires (in a copy of the
/// fixture: of every file of a fixture directory that holds such a line).
#[test]
fn every_rule_can_be_switched_off_relevelled_and_suppressed() {
    let dir = common::scratch("policy-per-rule");
    for (rule, file) in fires_files() {
        let before = found(&lint_json(&[&file]), &file);
        let of_rule = |set: &Expected| -> Vec<(String, String, u64, u64)> {
            set.iter()
                .filter(|f| f.0 == rule)
                .map(|f| (f.1.clone(), f.2.clone(), f.3, f.4))
                .collect()
        };
        let others = |set: &Expected| -> Expected { set.iter().filter(|f| f.0 != rule).cloned().collect() };
        assert!(!of_rule(&before).is_empty(), "{file}: {rule} does not fire");

        for level in ["off", "info", "warning", "error"] {
            let config = common::write(&dir, "levels.toml", format!("[rules]\n{rule} = \"{level}\"\n"));
            let run = lint_json(&["--config", &config, &file]);
            let after = found(&run, &file);
            assert_eq!(others(&after), others(&before), "{file} with {rule} = {level}");
            let expected: Vec<(String, String, u64, u64)> = if level == "off" {
                vec![]
            } else {
                of_rule(&before)
                    .into_iter()
                    .map(|(_, marked, line, column)| (level.to_string(), marked, line, column))
                    .collect()
            };
            let mut got = of_rule(&after);
            got.sort();
            assert_eq!(got, expected, "{file} with {rule} = {level}");
            let error = after.iter().any(|f| f.1 == "error");
            assert_eq!(
                run.code,
                i32::from(error),
                "{file} with {rule} = {level}: exit code"
            );
        }

        // No inline comment can silence the report of a stale inline comment.
        if rule == "unused-suppression" {
            continue;
        }
        // The copy: the file itself, or the whole directory (its other files are inputs too).
        let name = file.rsplit('/').next().unwrap();
        let copy = dir.join(format!("{rule}-{name}"));
        let is_dir = root().join(&file).is_dir();
        if is_dir {
            copy_dir(&root().join(&file), &copy);
        }
        let mut edited_texts = Vec::new();
        for marked in yaml_files(&file) {
            let text = fs::read_to_string(root().join(&marked)).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let mut targets: Vec<usize> = of_rule(&before)
                .iter()
                .filter(|(_, in_file, _, _)| *in_file == marked)
                .map(|(_, _, line, _)| {
                    let line = *line as usize;
                    block_scalar_header(&lines, line).unwrap_or(line)
                })
                .collect();
            if targets.is_empty() {
                continue;
            }
            targets.sort();
            targets.dedup();
            let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            for &line in targets.iter().rev() {
                let target = &edited[line - 1];
                let indent = &target[..target.len() - target.trim_start_matches(' ').len()];
                edited.insert(
                    line - 1,
                    format!("{indent}# acp-check: ignore[{rule}] accepted in this test"),
                );
            }
            let text = edited.join("\n") + "\n";
            let target = if is_dir {
                copy.join(&marked[file.len() + 1..])
            } else {
                copy.clone()
            };
            fs::write(&target, &text).unwrap();
            edited_texts.push(format!("{marked}:\n{text}"));
        }
        let run = lint_json(&[&copy.to_string_lossy()]);
        let after: Vec<String> = run.rules();
        assert!(
            !after.contains(&rule),
            "{file}: {rule} still fires with inline suppressions:\n{}",
            edited_texts.join("\n")
        );
        assert!(
            !after.contains(&"unused-suppression".to_string()),
            "{file}: a suppression of {rule} is reported unused:\n{}",
            run.stdout
        );
        assert_eq!(
            after.len(),
            others(&before).len(),
            "{file}: the other findings changed:\n{}",
            run.stdout
        );
    }
}
