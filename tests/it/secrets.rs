//! No output ever shows a secret: not in messages, not in snippets, in no format, from no command
//! (lint, probe, explain), whether it succeeds or fails.

use crate::common;
use crate::live;

use crate::common::{run, run_with_stdin, scratch};

const FIXTURE: &str = "fixtures/secrets/everywhere.yaml";
const HELMRELEASES: &str = "fixtures/secrets/helmrelease.yaml";

/// Every secret written in the fixtures (all contain "Zebra"), and "Zebra" itself.
fn secrets() -> Vec<String> {
    let mut out = vec!["Zebra".to_string()];
    for fixture in [FIXTURE, HELMRELEASES] {
        let text = std::fs::read_to_string(common::root().join(fixture)).unwrap();
        out.extend(
            text.split(|c: char| c.is_whitespace() || "'\":@,[]".contains(c))
                .filter(|w| w.contains("Zebra"))
                .map(str::to_string),
        );
    }
    out
}

/// Every `--format` a command offers, read from its `-h` (which lists them on one line), so that a
/// new format is covered the day it is added.
fn formats(command: &str) -> Vec<String> {
    let help = run(&[command, "-h"]).stdout;
    let line = help
        .lines()
        .find(|l| l.contains("--format"))
        .unwrap_or_else(|| panic!("{command} --help names no --format:\n{help}"));
    let values = line
        .split("[possible values: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no possible values in {line:?}"));
    values
        .trim_end_matches(']')
        .split(", ")
        .map(str::to_string)
        .collect()
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
    let formats = formats("lint");
    assert!(formats.len() >= 2, "{formats:?}");
    for format in &formats {
        let format = format.as_str();
        let out = run(&["lint", "--format", format, FIXTURE, HELMRELEASES]);
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
            HELMRELEASES,
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
fn explain_never_repeats_a_password_in_a_log_line() {
    let line = r#"{"error":"failed to create redis client: failed to get redis info: dial tcp redis:6379: connect: connection refused (password Zebra-Log-Pw-1 OSS_GLOBAL_PASSWORD Zebra-Log-Oss-2)","level":"fatal","msg":"failed to create storage"}"#;
    let out = run(&["explain", line]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_clean("explain", &out.stdout);
    assert_clean("explain", &out.stderr);
    let out = run_with_stdin(&["explain", "-"], format!("noise\n{line}\n").as_bytes());
    assert_clean("explain -", &out.stdout);
    assert_clean("explain -", &out.stderr);
}

/// Environment variables of one run.
type Env<'a> = Vec<(&'a str, &'a str)>;

/// Failing and passing probes, in every format, with the password from the environment, a file
/// and a values file: no output shows it.
#[test]
fn no_probe_output_shows_a_password() {
    if live::skipped() {
        return;
    }
    let password = "Zebra-Probe-Password-7788";
    let dir = live::workdir("secret-probe");
    let server = live::with_module(false, &dir, &["--requirepass", password]);
    let closed = format!("127.0.0.1:{}", live::free_port(false));
    let good = server.address();
    let pw_file = dir.join("pw");
    std::fs::write(&pw_file, format!("{password}\n")).unwrap();
    let wrong_file = dir.join("wrong");
    std::fs::write(&wrong_file, "Zebra-Wrong-Password-6655\n").unwrap();
    let values = dir.join("values.yaml");
    std::fs::write(
        &values,
        format!("acp:\n  redis:\n    addrs: [\"{good}\"]\n    password: {password}\n"),
    )
    .unwrap();
    let values = values.to_str().unwrap().to_string();
    let (pw_file, wrong_file) = (
        pw_file.to_str().unwrap().to_string(),
        wrong_file.to_str().unwrap().to_string(),
    );

    let cases: Vec<(Vec<&str>, Env)> = vec![
        (
            vec!["--addr", &good, "--password-env", "P"],
            vec![("P", password)],
        ),
        (
            vec!["--addr", &good, "--password-env", "P"],
            vec![("P", "Zebra-Wrong-Env-5544")],
        ),
        (
            vec!["--addr", &good, "--user", "probe-user", "--password-env", "P"],
            vec![("P", password)],
        ),
        (vec!["--addr", &good, "--password-file", &pw_file], vec![]),
        (vec!["--addr", &good, "--password-file", &wrong_file], vec![]),
        (
            vec!["--addr", &good, "--addr", &good],
            vec![("ACP_CHECK_REDIS_PASSWORD", "Zebra-Wrong-Default-3322")],
        ),
        (vec!["-f", &values], vec![]),
        (vec!["-f", &values, "--addr", &closed], vec![]),
        (
            vec!["--addr", &closed, "--password-env", "P"],
            vec![("P", password)],
        ),
    ];
    let report_dir = scratch("secret-probe-reports");
    for format in formats("probe") {
        for (i, (args, env)) in cases.iter().enumerate() {
            let file = report_dir.join(format!("{i}.{format}"));
            let mut all = vec!["probe", "--format", format.as_str(), "--timeout", "1s"];
            all.extend(args.iter().copied());
            let mut with_output = all.clone();
            with_output.extend(["--output", file.to_str().unwrap()]);
            for argv in [all, with_output] {
                let mut cmd = common::acp_check();
                cmd.args(&argv).env_remove("ACP_CHECK_REDIS_PASSWORD");
                for (k, v) in env {
                    cmd.env(k, v);
                }
                let out = cmd.output().unwrap();
                let code = out.status.code().unwrap();
                assert!(
                    code <= 1,
                    "{argv:?}: exit {code}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let what = format!("probe {argv:?}");
                assert_clean(&what, &String::from_utf8_lossy(&out.stdout));
                assert_clean(&what, &String::from_utf8_lossy(&out.stderr));
            }
            assert_clean("probe --output", &std::fs::read_to_string(&file).unwrap());
        }
    }
}

#[test]
fn a_secret_written_in_a_key_is_masked_in_the_json_pointer() {
    // Found by fuzzing: a redis.conf line written as a key (a mistake of indentation) reached the
    // JSON report whole in `location.path`, its password with it, escaped as a JSON pointer.
    let out = run_with_stdin(
        &["lint", "--format", "json", "-"],
        b"acp:\n  redis:\n    loadmodule /m/redisearch.so OSS_GLOBAL_PASSWORD Zebra/Key~4: 1\n",
    );
    // Warnings only: the umbrella's defaults give the client its addresses.
    assert_eq!(out.code, 0, "{}", out.stderr);
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
