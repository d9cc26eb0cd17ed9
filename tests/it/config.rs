//! `.acp-check.toml` (found by walking up, or `--config`), its located errors, per-rule levels, and
//! inline suppressions with `unused-suppression`.

use crate::common;

use std::path::Path;

use crate::common::{acp_check, run_with_stdin, scratch, write, Run};

/// `acp-check ARGS` run from `dir`, as a user in that directory would.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let output = acp_check()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run acp-check");
    Run {
        code: output.status.code().expect("exited normally"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn lint_in(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    run_in(dir, &all)
}

/// (rule, severity, line, column) of every finding.
fn found(run: &Run) -> Vec<(String, String, u64, u64)> {
    let mut out: Vec<_> = run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["location"]["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    out.sort();
    out
}

fn finding(rule: &str, severity: &str, line: u64, column: u64) -> (String, String, u64, u64) {
    (rule.to_string(), severity.to_string(), line, column)
}

/// The platform's Redis client with its addresses and nothing else: no rule has anything to say.
const CLIENT: &str =
    "acp:\n  redis:\n    addrs: [\"redis-cluster-headless:6379\", \"redis-cluster-headless:6379\"]\n";

/// The cluster side, after the client's lines so that their line numbers stay: with it the
/// umbrella's defaults leave nothing to report.
/// Its images from a mirror: docker.io/bitnami serves no versioned tag any more.
const CLUSTER: &str = "redis-cluster:\n  cluster:\n    nodes: 6\n    replicas: 1\n  global:\n    imageRegistry: registry.example.com\n    security:\n      allowInsecureImages: true\n  image:\n    tag: \"6.2.14\"\n";

/// [`CLIENT`] followed by `more`, then [`CLUSTER`].
fn client(more: &str) -> String {
    format!("{CLIENT}{more}{CLUSTER}")
}

/// One unknown key (`redis.tls.enable`, line 5 column 7: a warning) in an otherwise quiet values file.
fn one_unknown_key() -> String {
    client("    tls:\n      enable: true\n")
}

#[test]
fn the_config_is_found_by_walking_up_from_the_current_directory() {
    let dir = scratch("config-walk");
    write(&dir, ".acp-check.toml", "[rules]\nunknown-key = \"error\"\n");
    write(&dir, "team/env/prod/values.yaml", one_unknown_key());
    let run = lint_in(&dir.join("team/env/prod"), &["values.yaml"]);
    assert_eq!(
        found(&run),
        [finding("unknown-key", "error", 5, 7)],
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 1);

    // The nearest file wins over one further up.
    write(&dir, "team/.acp-check.toml", "[rules]\nunknown-key = \"info\"\n");
    let run = lint_in(&dir.join("team/env/prod"), &["values.yaml"]);
    assert_eq!(found(&run), [finding("unknown-key", "info", 5, 7)]);
    assert_eq!(run.code, 0);
}

#[test]
fn without_a_config_file_the_defaults_apply() {
    let dir = scratch("config-none");
    write(&dir, "values.yaml", one_unknown_key());
    let run = lint_in(&dir, &["values.yaml"]);
    assert_eq!(found(&run), [finding("unknown-key", "warning", 5, 7)]);
    assert_eq!(run.code, 0);
}

#[test]
fn config_flag_names_the_file_and_skips_discovery() {
    let dir = scratch("config-flag");
    write(&dir, ".acp-check.toml", "[rules]\nunknown-key = \"off\"\n");
    write(&dir, "ci/strict.toml", "[rules]\nunknown-key = \"error\"\n");
    write(&dir, "values.yaml", one_unknown_key());
    let run = lint_in(&dir, &["--config", "ci/strict.toml", "values.yaml"]);
    assert_eq!(found(&run), [finding("unknown-key", "error", 5, 7)]);
    assert_eq!(run.code, 1);

    let run = lint_in(&dir, &["values.yaml"]);
    assert_eq!(found(&run), []);
    assert_eq!(run.code, 0);
}

#[test]
fn every_config_error_is_located() {
    let cases: &[(&str, &str, &str)] = &[
        ("[rule]\n", "1:2", "unknown table `rule`; did you mean `rules`?"),
        (
            "[rules]\nunknwn-key = \"off\"\n",
            "2:1",
            "unknown rule `unknwn-key` in [rules]; did you mean `unknown-key`?",
        ),
        (
            "[rules]\nno-such-rule-at-all = \"off\"\n",
            "2:1",
            "unknown rule `no-such-rule-at-all`",
        ),
        (
            "[rules]\nunknown-key = \"fatal\"\n",
            "2:15",
            "`unknown-key` is set to \"fatal\": a level is one of",
        ),
        (
            "[rules]\nunknown-key = true\n",
            "2:15",
            "`unknown-key` is set to the boolean true",
        ),
        (
            "\n[versions]\nredis-supported = \"6.2 or so\"\n",
            "3:19",
            "`redis-supported`: \"6.2 or so\" is not a version requirement",
        ),
        (
            "[versions]\nredis-recommended = \"6.2\"\n",
            "2:21",
            "`redis-recommended`: \"6.2\" is not a version",
        ),
        (
            "[versions]\nredis-cluster-chart-recommended = 7\n",
            "2:35",
            "`redis-cluster-chart-recommended` must be a string",
        ),
        (
            "[versions]\nredis-version = \"6.2.14\"\n",
            "2:1",
            "unknown key `redis-version` in [versions]",
        ),
        (
            "[probe]\nindex = 3\n",
            "2:9",
            "`index` must be the name of a search index",
        ),
        (
            "[probe]\ntimeout = \"3\"\n",
            "2:11",
            "`timeout` must be a duration string such as \"3s\"",
        ),
        (
            "[probe]\ntimeout = \"3 seconds\"\n",
            "2:11",
            "`timeout` must be a duration string such as \"3s\", \"500ms\" or \"1m\", not \"3 seconds\" \
             (write the unit right after the number",
        ),
        (
            "[probe]\ntimeout = 3\n",
            "2:11",
            "`timeout` must be a duration string",
        ),
        (
            "[probe]\ntimout = \"3s\"\n",
            "2:1",
            "unknown key `timout` in [probe]; did you mean `timeout`?",
        ),
        ("rules = \"strict\"\n", "1:9", "`rules` must be a table"),
        (
            "[rules]\nunknown-key = \"off\"\nunknown-key = \"error\"\n",
            "3:1",
            "not valid TOML",
        ),
        ("[rules\n", "1:7", "not valid TOML"),
    ];
    let dir = scratch("config-errors");
    write(&dir, "values.yaml", one_unknown_key());
    for (toml, at, message) in cases {
        // Discovered and explicit files report the same places.
        let path = write(&dir, ".acp-check.toml", toml);
        let run = lint_in(&dir, &["values.yaml"]);
        assert_eq!(run.code, 2, "{toml}: {}", run.stderr);
        let expected = format!("{path}:{at}: {message}");
        assert!(
            run.stderr.contains(&expected),
            "{toml}:\nwant {expected}\ngot {}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{toml}: {}", run.stdout);

        let run = lint_in(&dir, &["--config", ".acp-check.toml", "values.yaml"]);
        assert_eq!(run.code, 2);
        let expected = format!("acp-check: error: .acp-check.toml:{at}: {message}");
        assert!(
            run.stderr.contains(&expected),
            "{toml}:\nwant {expected}\ngot {}",
            run.stderr
        );
    }
}

#[test]
fn a_full_config_is_accepted() {
    let dir = scratch("config-full");
    write(
        &dir,
        ".acp-check.toml",
        r#"# The sample of the README.
[rules]
unknown-key = "info"          # off | info | warning | error
duplicate-key = "warning"

[versions]
redis-supported = ">=6.2.0, <6.3.0"
redis-recommended = "6.2.14"
redis-cluster-chart-recommended = "7.6.4"

[probe]
index = "default-index"
timeout = "1m30s"
"#,
    );
    write(&dir, "values.yaml", one_unknown_key());
    let run = lint_in(&dir, &["values.yaml"]);
    assert_eq!(
        found(&run),
        [finding("unknown-key", "info", 5, 7)],
        "{}",
        run.stderr
    );
    assert_eq!(run.code, 0);
}

#[test]
fn the_readme_sample_config_is_valid() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let start = readme.find("```toml\n").expect("a toml sample in the README") + "```toml\n".len();
    let sample = &readme[start..start + readme[start..].find("```").unwrap()];
    assert!(sample.contains("[rules]") && sample.contains("[versions]") && sample.contains("[probe]"));
    let dir = scratch("config-readme");
    write(&dir, ".acp-check.toml", sample);
    write(&dir, "values.yaml", client(""));
    let run = lint_in(&dir, &["values.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn levels_change_severities_and_the_exit_code() {
    let dir = scratch("config-levels");
    // duplicate-key (an error) at 5:5 and an unknown key (a warning) at 7:7.
    write(
        &dir,
        "values.yaml",
        client("    max_retries: 3\n    max_retries: 3\n    tls:\n      enable: true\n"),
    );
    let levels = |rules: &str| {
        write(&dir, ".acp-check.toml", format!("[rules]\n{rules}"));
        let run = lint_in(&dir, &["values.yaml"]);
        (found(&run), run.code)
    };
    let dup = |severity| finding("duplicate-key", severity, 5, 5);
    let unknown = |severity| finding("unknown-key", severity, 7, 7);

    assert_eq!(levels(""), (vec![dup("error"), unknown("warning")], 1));
    assert_eq!(levels("duplicate-key = \"off\"\n"), (vec![unknown("warning")], 0));
    assert_eq!(
        levels("duplicate-key = \"warning\"\nunknown-key = \"info\"\n"),
        (vec![dup("warning"), unknown("info")], 0)
    );
    assert_eq!(
        levels("duplicate-key = \"info\"\nunknown-key = \"error\"\n"),
        (vec![dup("info"), unknown("error")], 1)
    );
    assert_eq!(
        levels("duplicate-key = \"off\"\nunknown-key = \"off\"\n"),
        (vec![], 0)
    );

    // A warning made of an error still fails under --deny-warnings.
    write(&dir, ".acp-check.toml", "[rules]\nduplicate-key = \"warning\"\n");
    let run = lint_in(&dir, &["--deny-warnings", "values.yaml"]);
    assert_eq!(run.code, 1);
}

#[test]
fn a_suppression_at_the_end_of_the_line_or_alone_above_it_silences_the_finding() {
    let dir = scratch("suppress-places");
    let lint = |more: &str| {
        write(&dir, "values.yaml", client(more));
        let run = lint_in(&dir, &["values.yaml"]);
        (found(&run), run.code)
    };
    assert_eq!(
        lint("    tls:\n      enable: true # acp-check: ignore[unknown-key] read by our own sidecar\n"),
        (vec![], 0)
    );
    assert_eq!(
        lint(
            "    tls:\n      # acp-check: ignore[unknown-key] read by our own sidecar\n      enable: true\n"
        ),
        (vec![], 0)
    );
    // Two lines above is too far: the finding stays, and the suppression is unused.
    assert_eq!(
        lint("    # acp-check: ignore[unknown-key] too far away\n    tls:\n      enable: true\n"),
        (
            vec![
                finding("unknown-key", "warning", 6, 7),
                finding("unused-suppression", "warning", 4, 5),
            ],
            0
        )
    );
    // A comment at the end of the line above belongs to that line.
    assert_eq!(
        lint("    tls: # acp-check: ignore[unknown-key]\n      enable: true\n"),
        (
            vec![
                finding("unknown-key", "warning", 5, 7),
                finding("unused-suppression", "warning", 4, 10),
            ],
            0
        )
    );
    // A `#` inside a quoted string is not a comment.
    assert_eq!(
        lint("    username: \"default # acp-check: ignore[unknown-key]\"\n    tls:\n      enable: true\n"),
        (vec![finding("unknown-key", "warning", 6, 7)], 0)
    );
}

#[test]
fn one_suppression_can_name_two_rules() {
    let dir = scratch("suppress-two");
    // The second `enable` is both a duplicate key and a key the client does not know.
    let values = client("    tls:\n      enable: true\n      enable: false\n");
    write(&dir, "values.yaml", &values);
    let run = lint_in(&dir, &["values.yaml"]);
    assert_eq!(
        found(&run),
        [
            finding("duplicate-key", "error", 6, 7),
            finding("unknown-key", "warning", 6, 7),
        ]
    );
    assert_eq!(run.code, 1);

    write(
        &dir,
        "values.yaml",
        values.replace(
            "enable: false\n",
            "enable: false # acp-check: ignore[duplicate-key, unknown-key] kept for the old chart\n",
        ),
    );
    let run = lint_in(&dir, &["values.yaml"]);
    assert_eq!(found(&run), []);
    assert_eq!(run.code, 0);

    // Only the id that matched is used; the other is reported.
    write(
        &dir,
        "values.yaml",
        values.replace(
            "enable: false\n",
            "enable: false # acp-check: ignore[duplicate-key, schema-type]\n",
        ),
    );
    let run = lint_in(&dir, &["values.yaml"]);
    assert_eq!(
        found(&run),
        [
            finding("unknown-key", "warning", 6, 7),
            finding("unused-suppression", "warning", 6, 21),
        ]
    );
    assert!(run
        .stdout
        .contains("suppression of `schema-type` matched no finding"));
}

#[test]
fn an_unknown_rule_id_in_a_suppression_is_reported() {
    let dir = scratch("suppress-unknown");
    write(
        &dir,
        "values.yaml",
        client("    tls:\n      enable: true   # acp-check: ignore[unknwn-key]\n"),
    );
    let run = lint_in(&dir, &["values.yaml"]);
    assert_eq!(
        found(&run),
        [
            finding("unknown-key", "warning", 5, 7),
            finding("unused-suppression", "warning", 5, 22),
        ]
    );
    let json = run.json();
    let unused = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "unused-suppression")
        .unwrap();
    let message = unused["message"].as_str().unwrap();
    assert!(
        message.contains("`unknwn-key`, which is not a rule id"),
        "{message}"
    );
    assert!(unused["help"]
        .as_str()
        .unwrap()
        .contains("did you mean `unknown-key`?"));
    // The span is the whole `# acp-check: ignore[unknwn-key]`.
    assert_eq!(unused["location"]["end_column"], 53);
}

#[test]
fn unused_suppression_points_at_the_comment_in_human_output() {
    let dir = scratch("suppress-human");
    write(
        &dir,
        "values.yaml",
        client("    max_retries: 3 # acp-check: ignore[unknown-key] stale\n"),
    );
    let run = run_in(&dir, &["lint", "values.yaml"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("unused-suppression"), "{}", run.stdout);
    assert!(run.stdout.contains("[values.yaml:4:20]"), "{}", run.stdout);
    assert!(
        run.stdout.contains("no `unknown-key` finding here"),
        "{}",
        run.stdout
    );
}

#[test]
fn suppressions_work_on_standard_input() {
    let values = client("    tls:\n      # acp-check: ignore[unknown-key]\n      enable: true\n");
    let run = run_with_stdin(&["lint", "--format", "json", "-"], values.as_bytes());
    assert_eq!(run.rules(), Vec::<String>::new(), "{}", run.stdout);
    assert_eq!(run.code, 0);
}

#[test]
fn a_suppression_of_a_rule_switched_off_is_not_unused() {
    let dir = scratch("suppress-off");
    write(&dir, ".acp-check.toml", "[rules]\nunknown-key = \"off\"\n");
    write(
        &dir,
        "values.yaml",
        client("    max_retries: 3 # acp-check: ignore[unknown-key]\n"),
    );
    let run = lint_in(&dir, &["values.yaml"]);
    assert_eq!(found(&run), []);
}

#[test]
fn unused_suppression_follows_the_config_but_not_inline_suppressions() {
    let dir = scratch("suppress-unused-level");
    write(
        &dir,
        "values.yaml",
        client("    max_retries: 3 # acp-check: ignore[unknown-key]\n"),
    );

    write(&dir, ".acp-check.toml", "[rules]\nunused-suppression = \"off\"\n");
    assert_eq!(found(&lint_in(&dir, &["values.yaml"])), []);

    write(
        &dir,
        ".acp-check.toml",
        "[rules]\nunused-suppression = \"error\"\n",
    );
    let run = lint_in(&dir, &["values.yaml"]);
    assert_eq!(found(&run), [finding("unused-suppression", "error", 4, 20)]);
    assert_eq!(run.code, 1);

    // Suppressing it inline does not work, and says so.
    std::fs::remove_file(dir.join(".acp-check.toml")).unwrap();
    write(
        &dir,
        "values.yaml",
        client("    # acp-check: ignore[unused-suppression]\n    max_retries: 3 # acp-check: ignore[unknown-key]\n"),
    );
    let run = lint_in(&dir, &["values.yaml"]);
    assert_eq!(
        found(&run),
        [
            finding("unused-suppression", "warning", 4, 5),
            finding("unused-suppression", "warning", 5, 20),
        ]
    );
    assert!(run.stdout.contains("cannot be suppressed inline"));
}
