//! The redaction boundary, proved by difference: each case is written twice, with two secrets of
//! the same length and shape, and linted (or explained, or probed) the same way. Whatever acp-check
//! prints, in every format, on standard output, standard error and into report files, must be the
//! same bytes for both: a secret that reached any output would make them differ. Each case is one
//! way a secret leaked before (the issue "Secrets and hostile input" lists them).

use std::path::Path;

use crate::common::{self, acp_check, scratch};
use crate::live;

/// Two secrets of the same length and character classes, so that YAML reads both alike.
const A: &str = "Zebra8Qx7Secret0Alpha1";
const B: &str = "Yakky5Wm2Secret0Bravo9";

/// The formats of `lint`, and one report file per format.
const FORMATS: [&str; 5] = ["human", "json", "sarif", "junit", "github"];

/// Everything `acp-check ARGS` prints, from `dir`, with reports in every format (standard output,
/// standard error and `--format X=PATH` files), as one text.
fn everything(dir: &Path, args: &[&str]) -> String {
    let mut all = String::new();
    // `explain` has one output.
    let formats: &[&str] = if args[0] == "explain" {
        &["human"]
    } else {
        &FORMATS
    };
    for format in formats {
        // Named relative to `dir`, so that the two runs name it alike.
        let report = format!("report.{format}");
        let mut cmd = acp_check();
        cmd.current_dir(dir).args(args);
        if args[0] != "explain" {
            cmd.args(["--format", format, "--format"])
                .arg(format!("{format}={report}"));
        }
        let out = cmd.output().unwrap();
        all.push_str(&format!(
            "exit {:?}\n{}\n{}\n",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
        all.push_str(&std::fs::read_to_string(dir.join(&report)).unwrap_or_default());
    }
    all
}

/// Lints `files` (name and text, with `{S}` for the secret) written with each secret, and asserts
/// that the outputs are the same and that neither secret shows. `args` are extra arguments, with
/// `{S}` too.
fn same_for_both(case: &str, files: &[(&str, &str)], args: &[&str]) -> String {
    let mut outputs = Vec::new();
    for (i, secret) in [A, B].into_iter().enumerate() {
        let dir = scratch(&format!("redaction-{case}-{i}"));
        for (name, text) in files {
            common::write(&dir, name, text.replace("{S}", secret));
        }
        let args: Vec<String> = args.iter().map(|a| a.replace("{S}", secret)).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = everything(&dir, &args);
        assert!(
            !out.contains(secret) && !out.contains(&secret[..10]),
            "{case}: the secret shows:\n{out}"
        );
        outputs.push(out);
    }
    assert_eq!(
        outputs[0], outputs[1],
        "{case}: the outputs differ with the secret"
    );
    outputs.pop().unwrap()
}

/// A lint that must find something next to the secret (so that a snippet shows its line).
fn lint_case(case: &str, text: &str) -> String {
    let out = same_for_both(case, &[("values.yaml", text)], &["lint", "values.yaml"]);
    assert!(out.contains("***"), "{case}: nothing was masked:\n{out}");
    out
}

#[test]
fn secrets_under_keys_that_end_in_key_are_masked() {
    // `apiKey`, `privateKey`, `secretKey`, `secretAccessKey`, and the platform's own `tls.key`
    // written as base64, next to a mistake on every line.
    lint_case(
        "key-names",
        "acp:\n  redis:\n    addrs: [redis-cluster-headless:6379, redis-cluster-headless:6379]\n    \
         tls:\n      enabled: true\n      key: c2Vj{S}cmV0LWtleQ==\n      bogus: 1\n    \
         apiKey: {S}\n    privateKey: {S}\n    secretKey: {S}\n    secretAccessKey: {S}\n",
    );
}

#[test]
fn a_misspelled_password_key_is_masked_beside_its_did_you_mean() {
    let out = lint_case(
        "misspelled",
        "redis-cluster:\n  pasword: {S}\n  cluster:\n    nodes: 6\n",
    );
    assert!(out.contains("did you mean `password`?"), "{out}");
}

#[test]
fn every_text_form_of_a_secret_is_masked() {
    for (case, text) in [
        (
            "quoted-argument",
            "redis-cluster:\n  redis:\n    configmap: |\n      requirepass \"{S} two words\"\n      maxmemory-policy allkeys-lru\n",
        ),
        (
            "acl-line",
            "redis-cluster:\n  redis:\n    configmap: |\n      user default on >{S} ~* +@all\n      maxmemory-policy allkeys-lru\n",
        ),
        (
            "env-var",
            "redis-cluster:\n  redis:\n    extraEnvVars:\n      - name: REDIS_PASSWORD\n        value: {S}\n    unknownSetting: 1\n",
        ),
        (
            "flag-argument",
            "redis-cluster:\n  redis:\n    args: [\"--requirepass\", \"{S}\"]\n    unknownSetting: 1\n",
        ),
        (
            "url-password",
            "acp:\n  redis:\n    addrs: [\"redis://u:{S}/x#y''z@redis-cluster-headless:6379\", \"nowhere:1\"]\n",
        ),
        (
            "commented-out",
            "redis-cluster:\n  # was: password: {S}\n  cluster:\n    nodes: seven\n",
        ),
        (
            "escaped",
            "redis-cluster:\n  password: \"Esc\\x41ped{S}\"\n  cluster:\n    nodes: seven\n",
        ),
    ] {
        lint_case(case, text);
    }
}

#[test]
fn a_secret_written_again_where_nothing_marks_it_is_masked_in_snippets() {
    // The second occurrence is under a key that names no secret: only the redactor, which knows the
    // first, can hide it.
    lint_case(
        "written-twice",
        "redis-cluster:\n  password: {S}\n  nameOverride: {S}\n  cluster:\n    nodes: seven\n",
    );
}

#[test]
fn files_that_fail_to_parse_show_no_secret() {
    for (case, text) in [
        (
            "one-line-json",
            "{\"redis-cluster\": {\"password\": \"{S}\", \"cluster\": {\"nodes\": 6}}",
        ),
        (
            "two-on-a-line",
            "redis-cluster: {password: {S}, password: {S}}\n  bad: [\n",
        ),
        (
            "bad-block",
            "redis-cluster:\n  password: |\n    {S}\n   {S}\n  nodes: [\n",
        ),
        (
            "bad-escape",
            "redis-cluster:\n  password: \"first line\n    {S} \\q\"\n",
        ),
    ] {
        let out = same_for_both(case, &[("values.yaml", text)], &["lint", "values.yaml"]);
        assert!(out.contains("yaml-syntax"), "{case}: {out}");
    }
}

#[test]
fn set_flags_hold_secrets_whatever_their_key() {
    same_for_both(
        "set-configmap",
        &[],
        &[
            "lint",
            "--set",
            "redis-cluster.redis.configmap=requirepass {S}",
            "--set",
            "redis-cluster.cluster.nodes=seven",
        ],
    );
    same_for_both(
        "set-url",
        &[],
        &["lint", "--set", "acp.redis.addrs={redis://u:{S}@h:6379}"],
    );
    // A flag Helm cannot parse is echoed in the error: masked.
    let out = same_for_both(
        "set-bad",
        &[],
        &[
            "lint",
            "--set",
            "redis-cluster.redis.configmap=OSS_GLOBAL_PASSWORD {S},a[b]=1",
        ],
    );
    assert!(out.contains("exit Some(2)"), "{out}");
}

#[test]
fn a_multi_line_secret_keeps_the_lines_of_the_file() {
    // A PEM in `redis.tls.key`, then a mistake far below: the human report names its line, and
    // shows each line of the file on a line of its own.
    let mut text =
        String::from("acp:\n  redis:\n    tls:\n      key: |\n        -----BEGIN PRIVATE KEY-----\n");
    for _ in 0..30 {
        text.push_str("        MIIEv{S}Qx\n");
    }
    text.push_str("        -----END PRIVATE KEY-----\n      enabled: true\n    pool_size: \"20\"\n");
    let out = same_for_both("pem-lines", &[("values.yaml", &text)], &["lint", "values.yaml"]);
    let line = text.lines().position(|l| l.contains("pool_size")).unwrap() + 1;
    assert!(
        out.contains(&format!("values.yaml:{line}:")),
        "line {line}:\n{out}"
    );
    assert!(out.contains(&format!(" {line} │     pool_size: \"20\"")), "{out}");
}

#[test]
fn explain_shows_no_secret_of_a_pasted_line() {
    for (case, line) in [
        (
            "explain-env",
            "failed to connect: OSS_GLOBAL_PASSWORD={S} REDIS_PASSWORD={S} connection refused",
        ),
        (
            "explain-yaml",
            "redis_password: {S} dial tcp 10.0.0.1:6379: connect: connection refused",
        ),
        (
            "explain-cli",
            "redis-cli --pass {S} -h redis: WRONGPASS invalid username-password pair",
        ),
        ("explain-token", "token={S} ERR no responses received"),
        (
            "explain-acl",
            "ACL SETUSER acp on >{S} ~* : NOAUTH Authentication required.",
        ),
        (
            "explain-url",
            "dial redis://default:{S}@redis:6379: connect: connection refused",
        ),
        // Not recognised: the error quotes the input.
        (
            "explain-unknown",
            "something else entirely with password={S} in it",
        ),
    ] {
        same_for_both(case, &[], &["explain", line]);
    }
}

/// Redis with `AUTH` renamed answers `ERR unknown command 'AUTH', with args beginning with:
/// '<password>'`, cut at 128 bytes: the probe's findings, its JUnit skipped reasons and every other
/// format hold none of the password, whole or cut.
#[test]
fn a_server_that_echoes_the_password_shows_none_of_it() {
    if live::skipped() {
        return;
    }
    let password = format!("{}{}", "Zebra-Echo-", "x7Q2".repeat(40));
    let dir = live::workdir("redaction-echo");
    let server = live::standalone(true, &dir, &["--rename-command", "AUTH", ""]);
    let report_dir = scratch("redaction-echo-reports");
    for format in FORMATS {
        let file = report_dir.join(format!("probe.{format}"));
        let mut cmd = acp_check();
        cmd.args([
            "probe",
            "--addr",
            &server.address(),
            "--password-env",
            "P",
            "--timeout",
            "2s",
        ])
        .args(["--format", format, "--format"])
        .arg(format!("junit={}", file.display()))
        .env("P", &password);
        let out = cmd.output().unwrap();
        let shown = format!(
            "{}\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&file).unwrap_or_default()
        );
        assert_eq!(out.status.code(), Some(1), "{shown}");
        assert!(
            shown.contains("***"),
            "{format}: the echo is not shown masked:\n{shown}"
        );
        for window in password.as_bytes().windows(8) {
            let window = std::str::from_utf8(window).unwrap();
            assert!(
                !shown.contains(window),
                "{format}: `{window}` of the password shows:\n{shown}"
            );
        }
    }
}
