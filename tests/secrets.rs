//! No output ever shows a secret: not in messages, not in snippets, in no format.

mod common;

use common::{run, run_with_stdin, scratch};

const FIXTURE: &str = "fixtures/secrets/everywhere.yaml";

/// Every secret written in the fixture (all contain "Zebra").
fn secrets() -> Vec<String> {
    let text = std::fs::read_to_string(common::root().join(FIXTURE)).unwrap();
    let mut out: Vec<String> = text
        .split(|c: char| c.is_whitespace() || "'\":@,[]".contains(c))
        .filter(|w| w.contains("Zebra"))
        .map(str::to_string)
        .collect();
    out.push("Zebra".into());
    out
}

fn assert_clean(what: &str, text: &str) {
    for secret in secrets() {
        assert!(
            !text.contains(&secret),
            "{what} shows the secret {secret}:\n{text}"
        );
    }
}

#[test]
fn no_format_shows_a_secret() {
    let dir = scratch("secrets");
    for format in ["human", "json"] {
        let out = run(&["lint", "--format", format, FIXTURE]);
        assert_eq!(out.code, 1, "{format}: the fixture has errors");
        if format == "human" {
            assert!(
                out.stdout.contains("***"),
                "snippets show masked values as ***:\n{}",
                out.stdout
            );
        }
        assert_clean(format, &out.stdout);
        assert_clean(format, &out.stderr);

        let file = dir.join(format!("report.{format}"));
        let out = run(&[
            "lint",
            "--format",
            format,
            "--output",
            file.to_str().unwrap(),
            FIXTURE,
        ]);
        assert_clean(format, &std::fs::read_to_string(file).unwrap());
        assert_clean(format, &out.stderr);
    }
}

#[test]
fn the_fixture_really_produces_findings_next_to_the_secrets() {
    // Otherwise the test above would pass without showing any snippet.
    let out = run(&["lint", "--format", "json", FIXTURE]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in ["schema-type", "unknown-key", "ambiguous-boolean", "duplicate-key"] {
        assert!(rules.contains(&rule), "{rule} missing: {rules:?}");
    }
}

#[test]
fn secrets_in_unparsable_input_and_in_set_flags_are_masked() {
    let out = run_with_stdin(
        &["lint", "-"],
        b"redis-cluster:\n  password: \"Zebra-Unclosed-1\n",
    );
    assert_eq!(out.code, 1);
    assert_clean("stdin", &out.stdout);

    let out = run(&[
        "lint",
        "--set",
        "redis-cluster.password=Zebra-Flag-2,redis-cluster.cluster.nodes=six",
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_clean("--set", &out.stdout);
    assert_clean("--set", &out.stderr);

    let out = run(&["lint", "--set", "redis-cluster.password=Zebra-Flag-3,oops"]);
    assert_eq!(out.code, 2);
    assert_clean("--set error", &out.stderr);
}

#[test]
fn a_secret_written_in_a_key_is_masked_in_the_json_pointer() {
    // Found by fuzzing: a redis.conf line written as a key (a mistake of indentation) reached the
    // JSON report whole in `location.path`, its password with it, escaped as a JSON pointer.
    let out = run_with_stdin(
        &["lint", "--format", "json", "-"],
        b"acp:\n  redis:\n    loadmodule /m/redisearch.so OSS_GLOBAL_PASSWORD Zebra/Key~4: 1\n",
    );
    // 1: the platform's client has no addresses either.
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "unknown-key")
        .expect("the key is unknown");
    assert_eq!(
        finding["location"]["path"],
        "/acp/redis/loadmodule ~1m~1redisearch.so OSS_GLOBAL_PASSWORD ***"
    );
    assert!(!out.stdout.contains("Zebra"), "{}", out.stdout);
}
