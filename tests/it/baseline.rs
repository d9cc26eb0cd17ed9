//! `--write-baseline` and `--baseline` as a repository adopting acp-check uses them: today's
//! findings recorded, then only new ones reported, whatever else moves in the file; entries that no
//! longer match are reported with the command that drops them.

use crate::common::{acp_check, root, run_guarded, scratch, Run};

fn run_in(dir: &std::path::Path, args: &[&str]) -> Run {
    let mut cmd = acp_check();
    cmd.current_dir(dir).args(args);
    run_guarded(cmd)
}

fn rules_of(run: &Run) -> Vec<(String, u64)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_baseline_hides_todays_findings_and_reports_exactly_the_new_one() {
    let dir = scratch("baseline");
    let example = std::fs::read_to_string(root().join("examples/values.yaml")).unwrap();
    std::fs::write(dir.join("values.yaml"), &example).unwrap();
    let today = run_in(&dir, &["lint", "values.yaml", "--format", "json"]);
    assert_eq!(today.code, 1);
    let count = rules_of(&today).len();
    assert!(count >= 10, "{count}");

    // Recorded: every finding, no secret, and the run that records them passes.
    let write = run_in(
        &dir,
        &["lint", "values.yaml", "--write-baseline", "baseline.json"],
    );
    assert_eq!(write.code, 0, "{}", write.stderr);
    assert!(
        write.stderr.contains(&format!(
            "acp-check: recorded {count} findings in the baseline baseline.json"
        )),
        "{}",
        write.stderr
    );
    let baseline = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    assert!(!baseline.contains("Example-Only-Pa55") && !baseline.contains("Example-Rotated-Pa55"));
    let recorded: serde_json::Value = serde_json::from_str(&baseline).unwrap();
    assert_eq!(recorded["findings"].as_array().unwrap().len(), count);

    // Read back: everything hidden, and said so; exit 0.
    let hidden = run_in(
        &dir,
        &[
            "lint",
            "values.yaml",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(hidden.code, 0, "{}", hidden.stderr);
    assert_eq!(rules_of(&hidden), vec![]);
    assert!(
        hidden.stderr.contains(&format!(
            "acp-check: {count} findings hidden by the baseline baseline.json"
        )),
        "{}",
        hidden.stderr
    );
    assert!(!hidden.stderr.contains("match no finding"), "{}", hidden.stderr);

    // Lines added at the top, the two releases swapped, a password rotated, and one new mistake
    // (a second duration without a unit): exactly that one is reported.
    let (acp, cluster) = example.split_at(example.find("redis-cluster:").unwrap());
    let (header, acp) = acp.split_at(acp.find("acp:").unwrap());
    let acp = acp.replace(
        "    min_retry_backoff: 32\n",
        "    min_retry_backoff: 32\n    max_retry_backoff: 64\n",
    );
    let edited = format!(
        "{header}# Reordered: the cluster first.\n\n{}\n{}",
        cluster.replace("Example-Rotated-Pa55", "Example-Rotated-Again-Pa55"),
        acp.trim_end()
    );
    std::fs::write(dir.join("values.yaml"), &edited).unwrap();
    let new_line = edited
        .lines()
        .position(|l| l.contains("max_retry_backoff"))
        .unwrap() as u64
        + 1;
    let new = run_in(
        &dir,
        &[
            "lint",
            "values.yaml",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        rules_of(&new),
        vec![("duration-without-unit".to_string(), new_line)],
        "{}",
        new.stdout
    );
    assert_eq!(new.code, 0, "a warning: {}", new.stderr);
    assert!(
        new.stderr.contains(&format!(
            "acp-check: {count} findings hidden by the baseline baseline.json"
        )),
        "{}",
        new.stderr
    );
    let denied = run_in(
        &dir,
        &[
            "lint",
            "values.yaml",
            "--baseline",
            "baseline.json",
            "--deny-warnings",
        ],
    );
    assert_eq!(denied.code, 1);
}

#[test]
fn entries_that_match_nothing_are_reported_with_the_command_that_drops_them() {
    let dir = scratch("baseline-prune");
    let example = std::fs::read_to_string(root().join("examples/values.yaml")).unwrap();
    std::fs::write(dir.join("values.yaml"), &example).unwrap();
    let write = run_in(&dir, &["lint", "values.yaml", "--write-baseline", "b.json"]);
    assert_eq!(write.code, 0, "{}", write.stderr);

    // The numeric tag quoted: its finding is gone, and its entry matches nothing; so does the
    // entry of the image it named (`…:6.2`), which is now another image (`…:6.2.14`).
    std::fs::write(
        dir.join("values.yaml"),
        example.replace("tag: 6.20", "tag: \"6.2.14\""),
    )
    .unwrap();
    let stale = run_in(&dir, &["lint", "values.yaml", "--baseline", "b.json"]);
    assert_eq!(stale.code, 0, "{}", stale.stderr);
    assert!(
        stale.stderr.contains(
            "acp-check: 2 entries of the baseline b.json match no finding any more (fixed, or changed); \
             drop them with --baseline b.json --write-baseline b.json"
        ),
        "{}",
        stale.stderr
    );
    // Pruned as it says: the entry goes, the others stay, and nothing is stale any more.
    let pruned = run_in(
        &dir,
        &[
            "lint",
            "values.yaml",
            "--baseline",
            "b.json",
            "--write-baseline",
            "b.json",
        ],
    );
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    let before: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("b.json")).unwrap()).unwrap();
    assert!(before["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["rule"] != "numeric-version"));
    let clean = run_in(&dir, &["lint", "values.yaml", "--baseline", "b.json"]);
    assert_eq!(clean.code, 0);
    assert!(!clean.stderr.contains("matches no finding") && !clean.stderr.contains("match no finding"));
    assert!(
        clean.stderr.contains("hidden by the baseline b.json"),
        "{}",
        clean.stderr
    );
}

#[test]
fn a_baseline_that_is_not_one_stops_the_run() {
    let dir = scratch("baseline-bad");
    std::fs::write(dir.join("values.yaml"), "redis-cluster: {}\n").unwrap();
    std::fs::write(dir.join("b.json"), "{\"findings\": []}").unwrap();
    let run = run_in(&dir, &["lint", "values.yaml", "--baseline", "b.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("b.json: not an acp-check baseline"),
        "{}",
        run.stderr
    );
    let missing = run_in(&dir, &["lint", "values.yaml", "--baseline", "none.json"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    // The baseline is never written over an input.
    let over = run_in(&dir, &["lint", "values.yaml", "--write-baseline", "values.yaml"]);
    assert_eq!(over.code, 2, "{}", over.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.join("values.yaml")).unwrap(),
        "redis-cluster: {}\n"
    );
}
