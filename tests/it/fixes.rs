//! `--fix`, `--unsafe-fixes` and `--diff` as a user runs them.
//!
//! Every rule with a fix has a folder `fixtures/fixes/<rule>/` of cases: `NAME.yaml`, where the rule
//! fires, and `NAME.fixed.yaml`, the file `--fix` must make of it, byte for byte. A case's fix is as
//! safe as the rule's (`acp-check rules` says which), unless its name starts with `unsafe-`: a
//! safe rule's fix that this case makes unsafe (the lines a `duplicate-key` fix deletes hold a
//! comment; Helm prints a `numeric-version`'s number otherwise than it is written). For each case,
//! on a copy: `--diff` prints a unified diff that `git apply` turns the file into the fixed one with,
//! and writes nothing; an unsafe fix waits for `--unsafe-fixes`; `--fix` writes the fixed file, keeps
//! every comment (but in a case named `…-drops-comments`, whose fix deletes lines that hold one)
//! and leaves none of the rule's findings; a second `--fix` changes nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use acp_check::diagnostic::Applicability;

use crate::common::{self, acp_check, root, run_guarded, scratch, Run};

/// (rule, case name, the case's file, its fixed file).
fn cases() -> Vec<(String, String, PathBuf, PathBuf)> {
    let mut out = Vec::new();
    let mut folders: Vec<_> = std::fs::read_dir(root().join("fixtures/fixes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    folders.sort();
    for folder in folders {
        let rule = folder.file_name().unwrap().to_string_lossy().into_owned();
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        for name in &names {
            let Some(case) = name.strip_suffix(".fixed.yaml") else {
                let case = name
                    .strip_suffix(".yaml")
                    .unwrap_or_else(|| panic!("fixtures/fixes/{rule}/{name}: not a .yaml case"));
                assert!(
                    names.contains(&format!("{case}.fixed.yaml")),
                    "fixtures/fixes/{rule}/{name} has no {case}.fixed.yaml"
                );
                out.push((
                    rule.clone(),
                    case.to_string(),
                    folder.join(name),
                    folder.join(format!("{case}.fixed.yaml")),
                ));
                continue;
            };
            assert!(
                names.contains(&format!("{case}.yaml")),
                "fixtures/fixes/{rule}/{name} fixes no {case}.yaml"
            );
        }
    }
    out
}

/// acp-check run in `dir`, so that the files it names (and `--diff`'s headers) are relative.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = acp_check();
    cmd.current_dir(dir).args(args);
    run_guarded(cmd)
}

/// The comments of a YAML text (after `#` at a line's start or after a blank), trimmed.
fn comments(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| {
            let at = if line.trim_start().starts_with('#') {
                Some(line.find('#').unwrap())
            } else {
                line.find(" #").map(|i| i + 1)
            }?;
            Some(line[at..].trim_end().to_string())
        })
        .collect()
}

#[test]
fn every_rule_with_a_fix_has_fix_cases_and_every_folder_is_such_a_rule() {
    let with_fix: BTreeSet<String> = acp_check::rules::ALL
        .iter()
        .filter(|r| acp_check::rules::fix_of(r).is_some())
        .map(|r| r.id.to_string())
        .collect();
    let folders: BTreeSet<String> = cases().into_iter().map(|(rule, ..)| rule).collect();
    assert_eq!(folders, with_fix);
}

#[test]
fn each_fix_case_is_diffed_fixed_and_stays_fixed() {
    for (rule, case, before, fixed) in cases() {
        let what = format!("fixtures/fixes/{rule}/{case}.yaml");
        let registered = acp_check::rules::fix_of(acp_check::rules::find(&rule).unwrap()).unwrap();
        let unsafe_fix = registered == Applicability::Unsafe || case.starts_with("unsafe-");
        let original = std::fs::read(&before).unwrap();
        let expected = std::fs::read(&fixed).unwrap();
        assert_ne!(original, expected, "{what}: the fixed file is the same");
        let dir = scratch(&format!("fix-{rule}-{case}"));
        let name = format!("{case}.yaml");
        let file = dir.join(&name);
        std::fs::write(&file, &original).unwrap();

        // The rule fires, and each of its findings offers a fix of the case's safety.
        let linted = run_in(&dir, &["lint", &name, "--format", "json"]);
        let findings: Vec<serde_json::Value> = linted.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule.as_str())
            .cloned()
            .collect();
        assert!(!findings.is_empty(), "{what}: {rule} does not fire");
        for finding in &findings {
            assert_eq!(finding["fix"]["safe"], !unsafe_fix, "{what}: {finding}");
        }

        // An unsafe fix is neither shown nor made without --unsafe-fixes.
        let unsafe_flag: &[&str] = if unsafe_fix { &["--unsafe-fixes"] } else { &[] };
        if unsafe_fix {
            let diff = run_in(&dir, &["lint", &name, "--diff"]);
            assert_eq!(
                (diff.code, diff.stdout.as_str()),
                (0, ""),
                "{what}: {}",
                diff.stderr
            );
            let fix = run_in(&dir, &["lint", &name, "--fix", "--format", "json"]);
            assert!(
                fix.stderr.contains("acp-check: nothing to fix"),
                "{what}: {}",
                fix.stderr
            );
            assert_eq!(
                std::fs::read(&file).unwrap(),
                original,
                "{what}: --fix made an unsafe fix"
            );
            assert!(fix.json()["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == rule.as_str()));
        }

        // --diff: exit 1, nothing written, and the diff is exactly the edit (git apply makes the
        // fixed file of the file with it).
        let mut args = vec!["lint", name.as_str(), "--diff"];
        args.extend_from_slice(unsafe_flag);
        let diff = run_in(&dir, &args);
        assert_eq!(diff.code, 1, "{what}: {}{}", diff.stdout, diff.stderr);
        assert!(
            diff.stdout.starts_with(&format!("--- {name}\n+++ {name}\n@@ -")),
            "{what}: {}",
            diff.stdout
        );
        assert!(
            diff.stderr.contains("acp-check: --fix would fix "),
            "{what}: {}",
            diff.stderr
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            original,
            "{what}: --diff wrote the file"
        );
        let applied = scratch(&format!("fix-{rule}-{case}-applied"));
        std::fs::write(applied.join(&name), &original).unwrap();
        std::fs::write(applied.join("fix.diff"), &diff.stdout).unwrap();
        let git = std::process::Command::new("git")
            .current_dir(&applied)
            .args(["apply", "-p0", "fix.diff"])
            .output()
            .unwrap();
        assert!(
            git.status.success(),
            "{what}: git apply: {}",
            String::from_utf8_lossy(&git.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&std::fs::read(applied.join(&name)).unwrap()),
            String::from_utf8_lossy(&expected),
            "{what}: the diff is not the fix"
        );

        // --fix: the fixed file, every comment kept, the rule's findings gone from the report.
        let mut args = vec!["lint", name.as_str(), "--fix", "--format", "json"];
        args.extend_from_slice(unsafe_flag);
        let fix = run_in(&dir, &args);
        assert!(
            fix.stderr
                .contains(&format!("acp-check: fixed {} finding", findings.len())),
            "{what}: {}",
            fix.stderr
        );
        let written = std::fs::read(&file).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&written),
            String::from_utf8_lossy(&expected),
            "{what}: --fix wrote another file"
        );
        let report = fix.json();
        let left: Vec<&serde_json::Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule.as_str())
            .collect();
        assert!(left.is_empty(), "{what}: {left:?} left after --fix");
        let text = |b: &[u8]| String::from_utf8(b.to_vec()).unwrap();
        let lost: Vec<String> = comments(&text(&original))
            .difference(&comments(&text(&written)))
            .cloned()
            .collect();
        if case.ends_with("-drops-comments") {
            assert!(
                !lost.is_empty(),
                "{what}: a -drops-comments case whose fix drops none"
            );
        } else {
            assert!(lost.is_empty(), "{what}: --fix lost the comments {lost:?}");
        }
        let line_ends = |b: &[u8]| b.windows(2).filter(|w| w == b"\r\n").count() > 0;
        assert_eq!(
            line_ends(&written),
            line_ends(&original),
            "{what}: line endings changed"
        );

        // A second --fix (with every fix allowed) changes nothing.
        let again = run_in(
            &dir,
            &["lint", &name, "--fix", "--unsafe-fixes", "--format", "json"],
        );
        assert!(
            again.stderr.contains("acp-check: nothing to fix"),
            "{what}: {}",
            again.stderr
        );
        assert_eq!(
            std::fs::read(&file).unwrap(),
            written,
            "{what}: the second --fix changed it"
        );
        let diff = run_in(&dir, &["lint", &name, "--diff", "--unsafe-fixes"]);
        assert_eq!((diff.code, diff.stdout.as_str()), (0, ""), "{what}");
    }
}

#[test]
fn a_sops_file_is_never_fixed() {
    let dir = scratch("fix-sops");
    let text = "redis-cluster:\n  usePassword: true\n  password: ENC[AES256_GCM,data:Tr7o=,iv:1a2b=,tag:3c4d=,type:str]\n  redis:\n    useAOFPersistence: yes\n  image:\n    tag: 6.20\nsops:\n  version: 3.9.0\n  mac: ENC[AES256_GCM,data:x9=,iv:y8=,tag:z7=,type:str]\n";
    let file = common::write(&dir, "secrets.yaml", text);
    let linted = run_in(&dir, &["lint", "secrets.yaml", "--format", "json"]);
    let json = linted.json();
    let findings = json["findings"].as_array().unwrap();
    assert!(
        findings.iter().any(|f| f["rule"] == "ambiguous-boolean")
            && findings.iter().any(|f| f["rule"] == "numeric-version"),
        "{}",
        linted.stdout
    );
    assert!(
        findings.iter().all(|f| f.get("fix").is_none()),
        "a fix offered in a SOPS file: {}",
        linted.stdout
    );
    let diff = run_in(&dir, &["lint", "secrets.yaml", "--diff", "--unsafe-fixes"]);
    assert_eq!((diff.code, diff.stdout.as_str()), (0, ""));
    let fix = run_in(&dir, &["lint", "secrets.yaml", "--fix", "--unsafe-fixes"]);
    assert!(fix.stderr.contains("acp-check: nothing to fix"), "{}", fix.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn diff_masks_secrets_and_fix_writes_the_real_bytes() {
    let dir = scratch("fix-secrets");
    // Helm keeps the second password; the fix deletes the first (both are secrets).
    let text = "redis-cluster:\n  usePassword: true\n  password: First-Pa55word-Gone\n  redis:\n    useAOFPersistence: yes\n  password: Second-Pa55word-Kept\n";
    let file = common::write(&dir, "values.yaml", text);
    let diff = run_in(&dir, &["lint", "values.yaml", "--diff"]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    for secret in ["First-Pa55word-Gone", "Second-Pa55word-Kept", "Pa55word"] {
        assert!(
            !diff.stdout.contains(secret) && !diff.stderr.contains(secret),
            "{}",
            diff.stdout
        );
    }
    assert_eq!(
        diff.stdout,
        "--- values.yaml\n+++ values.yaml\n@@ -1,6 +1,5 @@\n redis-cluster:\n   usePassword: true\n-  password: ***\n   redis:\n-    useAOFPersistence: yes\n+    useAOFPersistence: \"yes\"\n   password: ***\n"
    );
    let fix = run_in(&dir, &["lint", "values.yaml", "--fix"]);
    assert!(!fix.stdout.contains("Pa55word") && !fix.stderr.contains("Pa55word"));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "redis-cluster:\n  usePassword: true\n  redis:\n    useAOFPersistence: \"yes\"\n  password: Second-Pa55word-Kept\n"
    );
}

#[test]
fn standard_input_is_never_fixed_and_an_f_file_is_fixed_where_it_sets_the_value() {
    let stdin = common::run_with_stdin(
        &["lint", "-", "--fix", "--unsafe-fixes", "--format", "json"],
        b"redis-cluster:\n  redis:\n    useAOFPersistence: yes\n",
    );
    assert!(
        stdin.stderr.contains("acp-check: nothing to fix"),
        "{}",
        stdin.stderr
    );
    assert!(stdin.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f.get("fix").is_none()));

    // Two -f layers: the tag is set (as a number) in the second; only that file changes.
    let dir = scratch("fix-layers");
    let base = "redis-cluster:\n  usePassword: false\n  image:\n    tag: \"6.2.14\"\n";
    let over = "redis-cluster:\n  image:\n    tag: 6.2 # ours\n";
    common::write(&dir, "base.yaml", base);
    common::write(&dir, "prod.yaml", over);
    let fix = run_in(
        &dir,
        &[
            "lint",
            "-f",
            "base.yaml",
            "-f",
            "prod.yaml",
            "--fix",
            "--format",
            "json",
        ],
    );
    assert!(
        fix.stderr.contains("acp-check: fixed 1 finding in 1 file"),
        "{}",
        fix.stderr
    );
    assert_eq!(std::fs::read_to_string(dir.join("base.yaml")).unwrap(), base);
    assert_eq!(
        std::fs::read_to_string(dir.join("prod.yaml")).unwrap(),
        "redis-cluster:\n  image:\n    tag: \"6.2\" # ours\n"
    );
}

#[test]
fn unsafe_fixes_alone_is_a_usage_error() {
    let run = common::run(&["lint", "examples/values.yaml", "--unsafe-fixes"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--unsafe-fixes applies with --fix"),
        "{}",
        run.stderr
    );
}
