//! `acp-check rules` and `acp-check explain`, run as a user runs them.

use crate::common;

use crate::common::{run, Run};

/// The three fatal lines of the vendor's docs, byte for byte.
const WRONG_ADDRESS: &str = r#"{"error":"failed to create redis client: failed to get redis info: dial tcp 1.0.0.0:1: connect: connection refused","level":"fatal","msg":"failed to create storage"}"#;
const WRONG_PASSWORD: &str = r#"{"error":"failed to create redis client: failed to get redis info: ERR no responses received","level":"fatal","msg":"failed to create storage"}"#;
const NO_SEARCH: &str = r#"{"error":"failed to create redis client: failed to get redis info: ERR unknown command `FT.INFO`, with args beginning with: `default-index`, ","level":"fatal","msg":"failed to create storage"}"#;

fn explain(arg: &str) -> Run {
    run(&["explain", arg])
}

/// Explained with exit 0, and the output holds every one of `wanted`.
fn explained(arg: &str, wanted: &[&str]) -> String {
    let r = explain(arg);
    assert_eq!(r.code, 0, "{arg}\nstdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    for w in wanted {
        assert!(r.stdout.contains(w), "{arg}: no {w:?} in\n{}", r.stdout);
    }
    r.stdout
}

fn registry_ids() -> Vec<&'static str> {
    acp_check::rules::ALL.iter().map(|r| r.id).collect()
}

#[test]
fn rules_json_holds_every_rule() {
    let r = run(&["rules", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json = r.json();
    let rules = json["rules"].as_array().expect("a rules array");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, registry_ids());
    for entry in rules {
        let rule = acp_check::rules::find(entry["id"].as_str().unwrap()).unwrap();
        assert_eq!(entry["severity"], rule.severity.as_str());
        assert_eq!(entry["summary"], rule.summary);
        assert_eq!(entry["docs"], rule.docs);
        assert_eq!(entry["checked_by"], serde_json::json!(rule.checked_by.commands()));
        assert_eq!(
            entry["fix"],
            serde_json::json!(acp_check::rules::fix_of(rule).map(|f| f.as_str()))
        );
    }
    let checked_by = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap()["checked_by"].clone();
    assert_eq!(checked_by("redis-auth-failed"), serde_json::json!(["probe"]));
    assert_eq!(
        checked_by("evicting-memory-policy"),
        serde_json::json!(["lint", "probe"])
    );
}

#[test]
fn rules_markdown_has_one_row_per_rule() {
    let r = run(&["rules", "--format", "markdown"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[..2],
        [
            "| id | default | checked by | fix | fires when |",
            "|---|---|---|---|---|"
        ]
    );
    assert_eq!(lines.len(), 2 + acp_check::rules::ALL.len());
    for (line, rule) in lines[2..].iter().zip(acp_check::rules::ALL) {
        assert!(
            line.starts_with(&format!(
                "| `{}` | {} | {} | {} | ",
                rule.id,
                rule.severity.as_str(),
                rule.checked_by.commands().join(", "),
                acp_check::rules::fix_of(rule).map_or("-", |f| f.as_str())
            )),
            "{line}"
        );
    }
    assert!(lines.contains(
        &"| `cluster-state-fail` | error | probe | - | live: cluster_state is not ok, or slots are not all covered |"
    ));
}

#[test]
fn explain_every_rule() {
    for rule in acp_check::rules::ALL {
        let page = explained(rule.id, &[rule.id, rule.severity.as_str(), rule.summary]);
        for heading in ["What it checks", "Why it matters", "How to fix", "Example"] {
            assert!(
                page.lines().any(|l| l == heading),
                "{}: no heading line {heading:?} in\n{page}",
                rule.id
            );
        }
        assert!(
            !page.contains("## ") && !page.contains("```"),
            "rendered, not raw Markdown:\n{page}"
        );
    }
}

#[test]
fn other_address_and_dns() {
    let line = WRONG_ADDRESS.replace("1.0.0.0:1", "redis-cluster-headless.redis:6380");
    explained(
        &line,
        &["cannot reach Redis at redis-cluster-headless.redis:6380"],
    );
    let dns = r#"{"error":"failed to create redis client: failed to get redis info: dial tcp: lookup redis-headless on 10.96.0.10:53: no such host","level":"fatal","msg":"failed to create storage","time":"2024-05-01T10:00:00Z"}"#;
    let out = explained(dns, &["cannot reach Redis at redis-headless", "no such host"]);
    assert!(
        !out.contains("at 10.96.0.10"),
        "the DNS server is not the address:\n{out}"
    );
    explained(
        "dial tcp 10.0.0.5:6379: i/o timeout",
        &["cannot reach Redis at 10.0.0.5:6379", "i/o timeout"],
    );
    explained(
        "dial tcp 10.244.1.7:6379: connect: no route to host",
        &["cannot reach Redis at 10.244.1.7:6379", "no route to host"],
    );
}

#[test]
fn other_index_name_and_redis_7_quoting() {
    let line = NO_SEARCH.replace("default-index", "acp-search");
    explained(&line, &["(index `acp-search`)"]);
    let redis7 = r#"{"error":"failed to create redis client: failed to get redis info: ERR unknown command 'FT.INFO', with args beginning with: 'default-index' ","level":"fatal","msg":"failed to create storage"}"#;
    explained(
        redis7,
        &[
            "Failure mode 3: ",
            "(index `default-index`)",
            "Redis 7",
            "redis-version-unsupported",
        ],
    );
}

#[test]
fn index_missing_in_any_case() {
    for line in [
        "failed to get redis info: Unknown Index name",
        "failed to get redis info: unknown index name",
    ] {
        explained(line, &["search index does not exist yet", "search-index-missing"]);
    }
    explained(
        "FT.INFO acp-index: Unknown Index name",
        &["search index `acp-index`"],
    );
}

#[test]
fn kubectl_prefix_before_the_json() {
    let line = format!("acp-6d5f7c9b8-x2k4q acp 2024-05-01T10:00:00.123Z {WRONG_ADDRESS}");
    explained(&line, &["cannot reach Redis at 1.0.0.0:1"]);
    let line = format!("[pod/acp-6d5f7c9b8-x2k4q/acp] {NO_SEARCH}");
    explained(&line, &["(index `default-index`)"]);
}

#[test]
fn other_failure_modes() {
    for (line, wanted) in [
        (
            "WRONGPASS invalid username-password pair or user is disabled.",
            &["Failure mode 2: ", "WRONGPASS", "redis-auth-failed"][..],
        ),
        (
            "NOAUTH Authentication required.",
            &["Failure mode 2: ", "NOAUTH", "password-missing"],
        ),
        (
            "ERRCLUSTER Uninitialized cluster state, could not perform command",
            &[
                "cluster is not formed",
                "cluster-state-fail",
                "cluster-too-few-masters",
            ],
        ),
        (
            "tls: first record does not look like a TLS handshake",
            &["TLS does not match", "tls-mismatch", "tls-handshake-failed"],
        ),
        (
            "x509: certificate signed by unknown authority",
            &["TLS does not match", "redis.tls.ca"],
        ),
    ] {
        explained(line, wanted);
    }
}

#[test]
fn a_password_in_the_line_is_never_shown() {
    let line = r#"{"error":"failed to create redis client: redis://:Hunter2Secret@redis-cluster-headless:6379: dial tcp 10.0.0.9:6379: connect: connection refused (AUTH default Hunter2Secret; password=Hunter2Secret)","level":"fatal","msg":"failed to create storage"}"#;
    let r = explain(line);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains("Hunter2Secret") && !r.stderr.contains("Hunter2Secret"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("***"), "{}", r.stdout);

    let r = explain("redis://:Hunter2Secret@redis:6379 is fine");
    assert_eq!(r.code, 2);
    assert!(!r.stderr.contains("Hunter2Secret"), "{}", r.stderr);
}

#[test]
fn garbage_is_refused() {
    for arg in [
        "garbage",
        "this is not a log line",
        r#"{"level":"info","msg":"listening"}"#,
        "",
    ] {
        let r = explain(arg);
        assert_eq!(r.code, 2, "{arg}: {}", r.stdout);
        assert!(r.stderr.contains("neither a rule id nor"), "{}", r.stderr);
        assert!(
            r.stderr.contains("connection refused") && r.stderr.contains("WRONGPASS"),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
}

#[test]
fn unquoted_plain_text_is_read_as_one_line() {
    let r = run(&[
        "explain",
        "dial",
        "tcp",
        "1.0.0.0:1:",
        "connect:",
        "connection",
        "refused",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("cannot reach Redis at 1.0.0.0:1"),
        "{}",
        r.stdout
    );
}

/// On a terminal, headings are bold unless NO_COLOR is set. `script` (util-linux) gives a real one.
#[test]
fn bold_headings_on_a_terminal_only() {
    let on_a_terminal = |no_color: bool| {
        let bin = env!("CARGO_BIN_EXE_acp-check");
        let mut script = std::process::Command::new("script");
        script
            .args(["-qec", &format!("{bin} explain duplicate-key"), "/dev/null"])
            .current_dir(common::root())
            .env("TERM", "xterm-256color");
        if no_color {
            script.env("NO_COLOR", "1");
        } else {
            script.env_remove("NO_COLOR");
        }
        let out = script.output().expect("`script` (util-linux) runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let styled = on_a_terminal(false);
    assert!(styled.contains("\u{1b}[1mWhy it matters\u{1b}[0m"), "{styled:?}");
    let plain = on_a_terminal(true);
    assert!(
        plain.contains("Why it matters") && !plain.contains('\u{1b}'),
        "{plain:?}"
    );
}

/// The vendor's three lines are explained, exactly, by the cases `tests/cmd/explain-log-*.toml`, and
/// the README's example is the third: each as the vendor documents it, byte for byte.
#[test]
fn the_vendors_lines_are_the_cases_and_the_readme_example() {
    for (case, line) in [
        ("wrong-address", WRONG_ADDRESS),
        ("wrong-password", WRONG_PASSWORD),
        ("no-search", NO_SEARCH),
    ] {
        let path = format!("tests/cmd/explain-log-{case}.toml");
        let text = std::fs::read_to_string(common::root().join(&path)).unwrap();
        assert!(
            text.contains(&format!("args = ['explain', '{line}']\n")),
            "{path} does not explain the vendor's line:\n{line}"
        );
    }
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("```console\n$ acp-check explain '{NO_SEARCH}'\n")),
        "the README's `acp-check explain` example is the vendor's line for a missing RediSearch"
    );
}

#[test]
fn control_characters_in_a_log_line_are_shown_as_escapes() {
    // A pasted line may hold terminal commands (here: clear the screen, set the title): the
    // explanation quotes them as escapes, and an unrecognised line is quoted the same way.
    let line = "{\"error\":\"failed to create redis client: failed to get redis info: dial tcp 127.0.0.1:1: i/o timeout\x1b]0;x\x07\",\"level\":\"fatal\",\"msg\":\"failed to create storage\x1b[2J\"}";
    let out = explained(
        line,
        &[
            "cannot reach Redis at 127.0.0.1:1",
            "i/o timeout\\u{1b}]0;x\\u{7}",
        ],
    );
    assert!(!out.contains(['\x1b', '\x07']), "{out}");
    let r = explain("zzz\x1b[2J");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("`zzz\\u{1b}[2J` is neither"), "{}", r.stderr);
    assert!(!r.stderr.contains('\x1b'));
}
