//! Adversarial input: each case ends, within bounded memory, with the message, position and exit code
//! a user sees. acp-check runs under an address-space limit (`prlimit --as`), so runaway memory aborts it
//! and fails the test, and under a generous wall-clock guard, so a hang fails the test instead of
//! blocking CI. No time is asserted (speed is measured in benchmarks, not here), but for one guard of
//! complexity with a wide margin: `forty_thousand_overlay_patches_of_one_helm_release`.

use crate::common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{root, scratch, write, Run};
use serde_json::Value;

/// The address space acp-check may use: far above what any of these cases needs.
const MEMORY_LIMIT: u64 = 1 << 30;
/// Long enough for a slow, loaded CI machine; a hang is caught, no speed is measured.
const WALL_CLOCK_GUARD: Duration = Duration::from_secs(300);

/// Runs acp-check with `args` (and `stdin`) under the memory limit and the wall-clock guard.
fn guarded(args: &[&str], stdin: Option<Vec<u8>>) -> Run {
    guarded_in(&root(), args, stdin, WALL_CLOCK_GUARD)
}

/// [`guarded`], run in `cwd`, with a guard of its own.
fn guarded_in(cwd: &Path, args: &[&str], stdin: Option<Vec<u8>>, guard: Duration) -> Run {
    limited(MEMORY_LIMIT, cwd, args, stdin, guard)
}

/// [`guarded_in`] under an address-space limit of `memory` bytes.
fn limited(memory: u64, cwd: &Path, args: &[&str], stdin: Option<Vec<u8>>, guard: Duration) -> Run {
    let mut child = Command::new("prlimit")
        .arg(format!("--as={memory}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_acp-check"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("ACP_CHECK_REDIS_PASSWORD")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run acp-check under prlimit (util-linux; scripts/test.sh installs it)");
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().unwrap();
        // acp-check stops reading at its size limit: a closed pipe is expected then.
        std::thread::spawn(move || drop(pipe.write_all(&bytes)))
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        stdout.read_to_end(&mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        stderr.read_to_end(&mut s).unwrap();
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > guard {
            child.kill().unwrap();
            panic!("acp-check {args:?} did not end within {guard:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if let Some(feeder) = feeder {
        feeder.join().unwrap();
    }
    let stdout = String::from_utf8_lossy(&out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap()).into_owned();
    Run {
        code: status
            .code()
            .unwrap_or_else(|| panic!("acp-check was killed ({status}), out of memory?\n{stderr}")),
        stdout,
        stderr,
    }
}

fn lint(args: &[&str]) -> Run {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    guarded(&all, None)
}

fn lint_human(args: &[&str]) -> Run {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    guarded(&all, None)
}

/// (rule, line, column, message) of each finding.
fn findings(run: &Run) -> Vec<(String, u64, u64, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings in:\n{}\n{}", run.stdout, run.stderr))
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
                f["location"]["column"].as_u64().unwrap_or(0),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn only_finding(run: &Run) -> Value {
    let json = run.json();
    let all = json["findings"].as_array().unwrap();
    assert_eq!(all.len(), 1, "{}", run.stdout);
    all[0].clone()
}

/// The one yaml-syntax finding of a file the YAML reader stops on: exit 1, its position and message.
fn assert_stops_at(path: &str, line: u64, column: u64, message: &str) {
    let run = lint(&[path]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = only_finding(&run);
    assert_eq!(f["rule"], "yaml-syntax");
    assert_eq!(f["message"], message);
    assert_eq!(
        (f["location"]["line"].as_u64(), f["location"]["column"].as_u64()),
        (Some(line), Some(column)),
        "{f}"
    );
}

/// The file refused for its size: exit 2, one line on stderr, nothing on stdout.
fn assert_refused_as_too_large(run: &Run, name: &str) {
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        format!("acp-check: error: {name}: larger than 32 MiB, the most acp-check reads from one file\n")
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn billion_laughs() {
    let dir = scratch("billion-laughs");
    let mut bomb =
        String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (name, previous) in ('b'..='j').zip('a'..='i') {
        let items = vec![format!("*{previous}"); 9].join(",");
        bomb.push_str(&format!("{name}: &{name} [{items}]\n"));
    }
    let path = write(&dir, "bomb.yaml", &bomb);
    // a..e expand to 74,718 values; the first *e of line 6 makes 141,148, the second 207,578: over
    // the limit of 200,000, at column 11.
    assert_stops_at(
        &path,
        6,
        11,
        "Excessive aliasing: expanding the aliases would create more than 200000 values (a \"billion laughs\" document?)",
    );
}

#[test]
fn nesting_100000_deep() {
    let dir = scratch("deep");
    let n = 100_000;
    // Flow lists, flow mappings and block lists: the 201st level is refused where it opens.
    for (name, text, column) in [
        (
            "lists.yaml",
            format!("a: {}1{}\n", "[".repeat(n), "]".repeat(n)),
            // The mapping is the first level: the 200th bracket opens the 201st.
            3 + 200,
        ),
        (
            "maps.yaml",
            format!("{}1{}\n", "{a: ".repeat(n), "}".repeat(n)),
            200 * 4 + 1,
        ),
        ("block.yaml", format!("{}x\n", "- ".repeat(n)), 200 * 2 + 1),
    ] {
        let path = write(&dir, name, text);
        assert_stops_at(&path, 1, column, "Nesting deeper than 200 levels");
    }
}

#[test]
fn file_of_100_megabytes() {
    let dir = scratch("100mb");
    let path = dir.join("values.yaml");
    let line = b"redis-cluster: {cluster: {nodes: 6}}\n";
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for _ in 0..(100 << 20) / line.len() + 1 {
        file.write_all(line).unwrap();
    }
    drop(file);
    assert!(std::fs::metadata(&path).unwrap().len() >= 100 << 20);
    let name = path.to_str().unwrap();
    assert_refused_as_too_large(&lint(&[name]), name);
    // Over standard input too: acp-check stops reading at the limit.
    let bytes = std::fs::read(&path).unwrap();
    let run = guarded(&["lint", "--format", "json", "-"], Some(bytes));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_refused_as_too_large(&run, "<stdin>");
}

#[test]
fn binary_data() {
    // The start of acp-check's own executable: `\x7fELF`, three header bytes, then a NUL byte.
    let dir = scratch("binary");
    let mut exe = std::fs::read(env!("CARGO_BIN_EXE_acp-check")).unwrap();
    exe.truncate(4096);
    let exe = write(&dir, "executable.yaml", exe);
    assert_stops_at(
        &exe,
        1,
        8,
        "Binary data (a NUL byte): this is not a YAML text file",
    );
    // A PNG image: its first byte, 0x89, is not UTF-8.
    let png = write(&dir, "image.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    assert_stops_at(
        &png,
        1,
        1,
        "Byte 0x89 is not valid UTF-8; Helm reads values files as UTF-8",
    );
}

#[test]
fn non_utf8() {
    let dir = scratch("non-utf8");
    let latin1 = write(
        &dir,
        "latin1.yaml",
        b"redis-cluster:\n  image:\n    tag: caf\xe9\n",
    );
    assert_stops_at(
        &latin1,
        3,
        13,
        "Byte 0xE9 is not valid UTF-8; Helm reads values files as UTF-8",
    );
    let utf16 = write(&dir, "utf16.yaml", b"\xff\xfer\x00e\x00d\x00i\x00s\x00");
    assert_stops_at(
        &utf16,
        1,
        1,
        "The file is UTF-16 encoded; Helm reads values files as UTF-8: convert it",
    );
}

#[test]
fn nul_bytes() {
    let dir = scratch("nul");
    let path = write(
        &dir,
        "values.yaml",
        b"redis-cluster:\n  cluster:\n    nodes: 6\x00\n",
    );
    assert_stops_at(
        &path,
        3,
        13,
        "Binary data (a NUL byte): this is not a YAML text file",
    );
    // Found by fuzzing: a bad byte before the NUL byte is the first problem, and the one reported.
    let path = write(&dir, "both.yaml", b"a: \x9f\x01\x00");
    assert_stops_at(
        &path,
        1,
        4,
        "Byte 0x9F is not valid UTF-8; Helm reads values files as UTF-8",
    );
}

const BAD_NODES: &str = "redis-cluster:\n  cluster:\n    nodes: \"six\"\n    replica: 1\n";

/// The findings of the input rules about BAD_NODES: a schema-type and an unknown-key, where written.
fn input_findings(run: &Run) -> Vec<(String, u64, u64)> {
    findings(run)
        .into_iter()
        .filter(|f| common::INPUT_RULES.contains(&f.0.as_str()))
        .map(|f| (f.0, f.1, f.2))
        .collect()
}

#[test]
fn crlf() {
    let dir = scratch("crlf");
    let path = write(&dir, "values.yaml", BAD_NODES.replace('\n', "\r\n"));
    let run = lint(&[&path]);
    assert_eq!(run.code, 1);
    assert_eq!(
        input_findings(&run),
        vec![("schema-type".into(), 3, 12), ("unknown-key".into(), 4, 5)]
    );
    // No carriage return reaches the terminal.
    let human = lint_human(&[&path]);
    assert!(
        human.stdout.contains("3 │     nodes: \"six\"\n"),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains('\r'));
}

#[test]
fn lone_carriage_returns_are_line_breaks() {
    // Old Mac line ends: YAML counts a lone "\r" as a line break, so positions and snippets do too.
    let dir = scratch("lone-cr");
    let path = write(&dir, "values.yaml", BAD_NODES.replace('\n', "\r"));
    let run = lint(&[&path]);
    assert_eq!(run.code, 1);
    assert_eq!(
        input_findings(&run),
        vec![("schema-type".into(), 3, 12), ("unknown-key".into(), 4, 5)]
    );
    let human = lint_human(&[&path]);
    assert!(human.stdout.contains("values.yaml:3:12]"), "{}", human.stdout);
    assert!(
        human.stdout.contains("3 │     nodes: \"six\"\n"),
        "{}",
        human.stdout
    );
    assert!(!human.stdout.contains('\r'));
}

#[test]
fn control_characters() {
    let dir = scratch("control");
    // Raw in the text, YAML does not allow them: the first is located, and the snippet shows `?`
    // where a terminal would have obeyed the bytes (cleared the screen, set its title).
    let path = write(
        &dir,
        "raw.yaml",
        "redis-cluster:\n  cluster: {nodes: 6} # \x1b[2J\x1b]0;owned\x07\n",
    );
    assert_stops_at(
        &path,
        2,
        25,
        "Control character U+001B is not allowed in YAML: remove it, or write it as \\u001B in a double-quoted string",
    );
    let human = lint_human(&[&path]);
    assert!(!human.stdout.contains('\x1b') && !human.stdout.contains('\x07'));
    assert!(human.stdout.contains("# ?[2J?]0;owned?"), "{}", human.stdout);

    // Escaped in a double-quoted key, they are valid YAML; quoted in a message, they stay escaped.
    let path = write(&dir, "key.yaml", "redis-cluster:\n  \"bad\\e[31mkey\\x85\": 1\n");
    let run = lint(&[&path]);
    let unknown = findings(&run)
        .into_iter()
        .find(|f| f.0 == "unknown-key")
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert_eq!((unknown.1, unknown.2), (2, 3));
    assert!(
        unknown.3.contains("`redis-cluster.bad\\u{1b}[31mkey\\u{85}`"),
        "{}",
        unknown.3
    );
    // JSON and SARIF keep the key exactly in its JSON pointer (escaped as JSON escapes).
    for format in ["human", "github", "junit"] {
        let run = guarded(&["lint", "--format", format, &path], None);
        assert!(
            !run.stdout.contains(['\x1b', '\u{85}']),
            "{format}: {}",
            run.stdout
        );
    }
}

#[test]
fn bom() {
    let dir = scratch("bom");
    let path = write(&dir, "values.yaml", format!("\u{FEFF}{BAD_NODES}"));
    let run = lint(&[&path]);
    assert_eq!(run.code, 1);
    assert_eq!(
        input_findings(&run),
        vec![("schema-type".into(), 3, 12), ("unknown-key".into(), 4, 5)]
    );
    // On the first line, the byte order mark is not a column.
    let path = write(
        &dir,
        "first-line.yaml",
        "\u{FEFF}redis-cluster: {cluster: {nodes: \"six\"}}\n",
    );
    let run = lint(&[&path]);
    assert_eq!(input_findings(&run), vec![("schema-type".into(), 1, 34)]);
}

#[test]
fn tabs() {
    let dir = scratch("tabs");
    let indented = write(
        &dir,
        "indented.yaml",
        "redis-cluster:\n\tcluster:\n\t\tnodes: 6\n",
    );
    assert_stops_at(&indented, 2, 1, "Found character that cannot start any token");
    let run = lint(&[&indented]);
    assert!(
        only_finding(&run)["help"]
            .as_str()
            .unwrap()
            .starts_with("YAML does not allow tabs for indentation"),
        "{}",
        run.stdout
    );
    // A line holding only a tab, after a plain value, is refused too, as go-yaml refuses it.
    let blank = write(&dir, "blank.yaml", "a: 1\n\t\nb: 2\n");
    assert_stops_at(&blank, 2, 1, "Found a tab character that violates indentation");
    let run = lint(&[&blank]);
    assert_eq!(
        only_finding(&run)["help"],
        "YAML does not allow tabs for indentation: indent with spaces; the file's other checks were skipped"
    );
    // A tab after the colon is allowed, and counts as one column.
    let separator = write(
        &dir,
        "separator.yaml",
        BAD_NODES.replace(": \"six\"", ":\t\"six\""),
    );
    let run = lint(&[&separator]);
    assert_eq!(
        input_findings(&run),
        vec![("schema-type".into(), 3, 12), ("unknown-key".into(), 4, 5)]
    );
}

#[test]
fn one_megabyte_lines() {
    let dir = scratch("long-lines");
    let mega = "x".repeat(1 << 20);
    // A 1 MiB image tag, then a bad value after it: both are found.
    let path = write(
        &dir,
        "values.yaml",
        format!("redis-cluster:\n  image:\n    tag: \"{mega}\"\n  cluster:\n    nodes: \"six\"\n"),
    );
    let run = lint(&[&path]);
    assert_eq!(run.code, 1);
    let all = findings(&run);
    assert!(all.contains(&(
        "schema-type".into(),
        5,
        12,
        "`redis-cluster.cluster.nodes` must be an integer, not a string (`\"six\"`)".into()
    )));
    // The finding about the tag quotes it shortened to its start and end.
    let tag = all
        .iter()
        .find(|f| f.0 == "redis-version-unknown")
        .expect("a finding about the tag");
    assert_eq!((tag.1, tag.2), (3, 10));
    assert!(
        tag.3.contains(&format!(
            "`{}…(1048458 characters)…{}`",
            "x".repeat(99),
            "x".repeat(19)
        )),
        "{}",
        &tag.3[..300.min(tag.3.len())]
    );
    assert!(run.stdout.len() < 10_000, "{} bytes of JSON", run.stdout.len());
    // In the human report, the long line is not shown: its position is.
    let human = lint_human(&[&path]);
    assert_eq!(human.code, 1);
    assert!(
        human
            .stdout
            .contains(&format!("at {path}:3:10 (the line is too long to show)")),
        "{}",
        &human.stdout[..2000.min(human.stdout.len())]
    );
    assert!(
        human.stdout.len() < 10_000,
        "{} bytes of text",
        human.stdout.len()
    );

    // Found while testing this: miette panicked on a label past column 65,535 (here a key too long
    // for YAML's simple keys: the reader stops at its colon).
    let key = write(
        &dir,
        "key.yaml",
        format!("redis-cluster:\n  {}: 1\n", "k".repeat(1 << 20)),
    );
    assert_stops_at(
        &key,
        2,
        (1 << 20) + 3,
        "Mapping values are not allowed in this context",
    );
    let human = lint_human(&[&key]);
    assert_eq!(human.code, 1, "{}", human.stderr);
    assert!(
        human
            .stdout
            .contains(&format!("at {key}:2:1048579 (the line is too long to show)")),
        "{}",
        human.stdout
    );
}

#[test]
fn empty_file() {
    let dir = scratch("empty-file");
    let path = write(&dir, "values.yaml", "");
    let run = lint_human(&[&path]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "acp-check: no problems found (1 input read)\n")
    );
}

#[test]
fn empty_documents() {
    let dir = scratch("empty-documents");
    for (name, text) in [
        ("separators.yaml", "---\n---\n---\n"),
        ("end-markers.yaml", "---\n...\n---\n...\n"),
        ("comment.yaml", "# nothing yet\n"),
        ("null.yaml", "~\n"),
        ("blank.yaml", "\n\n   \n"),
    ] {
        let path = write(&dir, name, text);
        let run = lint_human(&[&path]);
        assert_eq!(
            (run.code, run.stdout.as_str()),
            (0, "acp-check: no problems found (1 input read)\n"),
            "{name}"
        );
    }
}

#[test]
fn thousands_of_documents() {
    let dir = scratch("documents");
    // Helm 4 merges every document of a values file, in order: only the last one's bad value is
    // deployed, and only it is reported.
    let docs: String = (0..5000)
        .map(|i| format!("---\nredis-cluster:\n  cluster:\n    nodes: \"n{i}\"\n"))
        .collect();
    let path = write(&dir, "values.yaml", docs);
    let run = lint(&[&path]);
    assert_eq!(run.code, 1);
    assert_eq!(
        findings(&run)
            .into_iter()
            .filter(|f| f.0 == "schema-type")
            .map(|f| (f.1, f.2))
            .collect::<Vec<_>>(),
        vec![(4 * 4999 + 4, 12)]
    );

    // 3,000 HelmReleases in one manifest: each is a release, each bad value reported where written,
    // up to 100 of them (a report shows no more of one rule in one file), then one finding that
    // counts the rest, where they start.
    let releases: String = (0..3000)
        .map(|i| {
            format!(
                "---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: r{i}\n\
                 spec:\n  chart:\n    spec:\n      chart: redis-cluster\n  values:\n    cluster:\n      nodes: \"six\"\n"
            )
        })
        .collect();
    let path = write(&dir, "releases.yaml", releases);
    let run = lint(&[&path]);
    assert_eq!(run.code, 1);
    let found: Vec<(u64, u64, String)> = findings(&run)
        .into_iter()
        .filter(|f| f.0 == "schema-type")
        .map(|f| (f.1, f.2, f.3))
        .collect();
    let lines: Vec<(u64, u64)> = found.iter().map(|f| (f.0, f.1)).collect();
    let expected: Vec<(u64, u64)> = (0..101).map(|i| (12 * i + 12, 14)).collect();
    assert_eq!(lines, expected);
    assert_eq!(
        found[100].2,
        "and 2900 more `schema-type` findings in this file, not shown: a report shows the first 100 of a \
         rule in a file"
    );
    let human = lint_human(&[&path]);
    assert_eq!(human.code, 1);
    assert!(
        human.stdout.contains("1212 │       nodes: \"six\"\n"),
        "the snippet of the first release not shown"
    );
}

#[test]
fn a_hundred_thousand_wrong_addresses() {
    // Each wrong address is its own finding, on its own line: the first 100 of them, then one that
    // counts the rest.
    let dir = scratch("addresses");
    let n = 100_000;
    let mut text = String::from("redis-cluster:\n  fullnameOverride: rc\nacp:\n  redis:\n    addrs:\n");
    for i in 0..n {
        text.push_str(&format!("      - wrong{i}:6379\n"));
    }
    let path = write(&dir, "values.yaml", text);
    let run = lint(&[&path]);
    assert_eq!(run.code, 1);
    let lines: Vec<u64> = findings(&run)
        .into_iter()
        .filter(|f| f.0 == "redis-addrs-mismatch")
        .map(|f| f.1)
        .collect();
    assert_eq!(lines.len(), 101);
    assert_eq!((lines[0], lines[99], lines[100]), (6, 105, 106));
    let last = findings(&run).pop().unwrap();
    assert_eq!(
        (last.0.as_str(), last.3.as_str()),
        (
            "redis-addrs-mismatch",
            "and 99900 more `redis-addrs-mismatch` findings in this file, not shown: a report shows the \
             first 100 of a rule in a file"
        )
    );
}

#[test]
fn a_flow_mapping_of_100000_entries() {
    // One 1.7 MB line: read in linear time, and what follows it is still located.
    let dir = scratch("wide-flow");
    let entries: Vec<String> = (0..100_000).map(|i| format!("k{i}: v{i}")).collect();
    let text = format!(
        "redis-cluster:\n  commonLabels: {{{}}}\n  image: {{tag: \"7.0.5\"}}\n",
        entries.join(", ")
    );
    let path = write(&dir, "values.yaml", text);
    let run = lint(&[&path]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = findings(&run);
    assert!(found.iter().all(|f| f.0 != "yaml-syntax"), "{found:?}");
    let version = found
        .iter()
        .find(|f| f.0 == "redis-version-unsupported")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!((version.1, version.2), (3, 16));
}

#[test]
fn thousands_of_set_pairs() {
    // 2,000 pairs in one argument (Linux caps one argument at 128 KiB), the last one bad.
    let mut pairs: Vec<String> = (0..2000)
        .map(|i| format!("redis-cluster.commonLabels.l{i}=v{i}"))
        .collect();
    pairs.push("redis-cluster.cluster.nodes=six".into());
    let arg = pairs.join(",");
    let run = lint(&["--set", &arg]);
    assert_eq!(run.code, 1);
    let column = arg.len() as u64 - 2;
    assert_eq!(
        input_findings(&run),
        vec![("schema-type".into(), 1, column)],
        "{}",
        run.stdout
    );
    assert_eq!(run.json()["findings"][0]["location"]["file"], "--set #1");
}

#[test]
fn thousands_of_set_flags() {
    // 3,000 flags, the last one bad: it is blamed by its number.
    let mut args: Vec<String> = Vec::new();
    for i in 0..3000 {
        args.push("--set".into());
        args.push(format!("redis-cluster.commonLabels.l{i}=v{i}"));
    }
    args.push("--set".into());
    args.push("redis-cluster.cluster.nodes=six".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = lint(&args);
    assert_eq!(run.code, 1);
    let json = run.json();
    let f = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "schema-type")
        .expect("the bad flag's finding");
    assert_eq!(f["location"]["file"], "--set #3001");
    assert_eq!(f["location"]["column"], 29);
    // A malformed flag among them stops the run with its number and column.
    let mut bad: Vec<&str> = args[..args.len() - 2].to_vec();
    bad.extend(["--set", "redis-cluster.cluster[x]=1"]);
    let run = lint(&bad);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "acp-check: error: --set #3001 `redis-cluster.cluster[x]=1`: column 22: error parsing index: \
         strconv.Atoi: parsing \"x\": invalid syntax\n"
    );
}

#[test]
fn a_block_scalar_ending_the_file_without_a_line_break() {
    // Found by fuzzing: the YAML library panicked on this common file ending.
    let dir = scratch("block-scalar-end");
    let path = write(
        &dir,
        "values.yaml",
        "redis-cluster:\n  redis:\n    configmap: |\n      maxmemory-policy allkeys-lru",
    );
    let run = lint(&[&path]);
    // The block scalar was read, to its last character: its line is checked (a warning).
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        findings(&run).contains(&(
            "evicting-memory-policy".into(),
            4,
            24,
            "`maxmemory-policy allkeys-lru` lets Redis evict sessions and tokens when memory is full".into()
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn input_the_yaml_library_cannot_read() {
    // Found by fuzzing: the YAML library panics on a tag that ends a flow list. The panic is caught
    // and reported as a finding; the process does not crash.
    let dir = scratch("library-panic");
    let path = write(&dir, "values.yaml", "[!,");
    assert_stops_at(
        &path,
        1,
        1,
        "The YAML reader of acp-check failed after this point (a bug in its YAML library: please report it)",
    );
    let human = lint_human(&[&path]);
    assert!(human.stderr.is_empty(), "{}", human.stderr);
}

#[test]
fn the_memory_limit_is_enforced() {
    // The guard is real: under a limit too small for it, acp-check cannot even start.
    let status = Command::new("prlimit")
        .args(["--as=1000000", "--", env!("CARGO_BIN_EXE_acp-check"), "rules"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
}

#[test]
fn a_mapping_of_200000_keys() {
    // Found while testing this: keys were looked up one by one when read, merged and reported, so a
    // 3 MB file of 200,000 keys took hours. The guard above fails the test if it comes back.
    let dir = scratch("many-keys");
    let keys: String = (0..200_000).map(|i| format!("k{i}: {i}\n")).collect();
    let path = write(&dir, "values.yaml", &keys);
    let run = lint_human(&[&path]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "acp-check: no problems found (1 input read)\n")
    );
    // Layered with -f onto itself, and with a duplicate at the very end.
    let dup = write(&dir, "dup.yaml", format!("{keys}k0: again\n"));
    let run = lint(&["-f", &path, "-f", &dup]);
    assert_eq!(run.code, 1);
    assert_eq!(
        findings(&run),
        vec![(
            "duplicate-key".into(),
            200_001,
            1,
            "key `k0` is set twice in the same mapping".into()
        )]
    );
}

#[test]
fn thousands_of_unknown_keys() {
    // Found while testing this: each unknown key was checked against every finding before it, and
    // its JSON pointer searched from the top: 20,000 of them took a minute (debug build).
    let dir = scratch("unknown-keys");
    let keys: String = (0..20_000).map(|i| format!("  k{i}: {i}\n")).collect();
    let path = write(&dir, "values.yaml", format!("redis-cluster:\n{keys}"));
    let run = lint(&[&path]);
    // Warnings only: unknown keys, and what the unnamed chart's defaults decide said once at info.
    assert_eq!(run.code, 0);
    let json = run.json();
    let unknown: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unknown-key")
        .collect();
    // The first 100 are shown (a report shows no more of one rule in one file), then one finding,
    // at the rule's severity, where the rest start.
    assert_eq!(unknown.len(), 101);
    assert_eq!(unknown[99]["location"]["line"], 101);
    assert_eq!(unknown[99]["location"]["path"], "/redis-cluster/k99");
    assert_eq!(
        unknown[100]["message"],
        "and 19900 more `unknown-key` findings in this file, not shown: a report shows the first 100 of a \
         rule in a file"
    );
    assert_eq!(unknown[100]["location"]["line"], 102);
    assert_eq!(unknown[100]["severity"], unknown[0]["severity"]);
}

#[test]
fn megabytes_of_suppression_comments() {
    // 8 MB of suppression comments, ten rule ids each, suppressing nothing, made 594,930
    // `unused-suppression` findings: a 290 MB report, 1.3 GB of memory. A report shows the first
    // 100 findings of a rule in a file, then one that counts the rest (which are never made).
    let dir = scratch("suppressions");
    let line = format!("# acp-check: ignore[{}]\n", ["unknown-key"; 10].join(","));
    let count = (8 << 20) / line.len();
    let path = write(&dir, "values.yaml", format!("a: 1\n{}", line.repeat(count)));
    let run = limited(
        256 << 20,
        &root(),
        &["lint", "--format", "json", &path],
        None,
        WALL_CLOCK_GUARD,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let found = findings(&run);
    assert_eq!(found.len(), 101);
    assert!(found[..100].iter().all(|f| f.0 == "unused-suppression"));
    assert_eq!(
        found[100],
        (
            "unused-suppression".to_string(),
            12,
            1,
            format!(
                "and {} more `unused-suppression` findings in this file, not shown: a report shows the first \
                 100 of a rule in a file",
                count * 10 - 100
            )
        )
    );
    assert_eq!(run.json()["findings"][100]["severity"], "warning");
    // As an error, the count is an error too: the exit code stays what the findings make it.
    let config = write(&dir, "config.toml", "[rules]\nunused-suppression = \"error\"\n");
    let run = lint(&["--config", &config, &path]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.json()["findings"][100]["severity"], "error");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A named pipe at `path`, which no one writes to.
fn fifo(path: &Path) -> String {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo (coreutils)");
    assert!(made.success());
    path.to_string_lossy().into_owned()
}

#[test]
fn files_that_never_end() {
    // Every file acp-check reads by name, given an endless device or a named pipe without a writer:
    // they were read whole (`/dev/zero` ran out of memory) or waited for for ever (the pipe). Each
    // is refused with its name and what is wrong, exit 2, the device at its size cap and the pipe
    // after 3 seconds.
    let dir = scratch("never-end");
    let pipe = fifo(&dir.join("pipe"));
    let certs = crate::live::Certificates::make(&dir);
    let cert = certs.path("client.crt");
    let values = root().join("examples/values.yaml").to_string_lossy().into_owned();
    let tls_values = write(
        &dir,
        "tls-values.yaml",
        "acp:\n  redis:\n    addrs: [127.0.0.1:1]\n    tls: {enabled: true, ca: FILE}\n",
    );
    let addr = ["probe", "--addr", "127.0.0.1:1"];
    // (the command line with FILE for the file, what the message says before the file's name, the
    // kind of file and its cap)
    let cases: Vec<(Vec<&str>, &str, &str, &str)> = vec![
        (vec!["lint", "FILE"], "", "one file", "32 MiB"),
        (vec!["lint", "-f", "FILE"], "", "one file", "32 MiB"),
        (
            vec!["lint", "--set-file", "a=FILE"],
            "--set-file #1 `a=FILE`: column 3: ",
            "one file",
            "32 MiB",
        ),
        (
            vec!["lint", "--config", "FILE", &values],
            "",
            "a config file",
            "1 MiB",
        ),
        (
            [&addr[..], &["--password-file", "FILE"]].concat(),
            "--password-file ",
            "a password file",
            "1 MiB",
        ),
        (
            [&addr[..], &["--tls-ca", "FILE"]].concat(),
            "CA ",
            "a PEM file",
            "1 MiB",
        ),
        (
            [&addr[..], &["--tls-cert", "FILE", "--tls-key", &cert]].concat(),
            "client certificate ",
            "a PEM file",
            "1 MiB",
        ),
        (
            [&addr[..], &["--tls-cert", &cert, "--tls-key", "FILE"]].concat(),
            "client key ",
            "a PEM file",
            "1 MiB",
        ),
        (vec!["probe", "-f", "VALUES"], "CA ", "a PEM file", "1 MiB"),
    ];
    std::thread::scope(|scope| {
        for (args, before, what, cap) in &cases {
            for file in ["/dev/zero", pipe.as_str()] {
                let dir = &dir;
                let tls_values = &tls_values;
                scope.spawn(move || {
                    let tls_values = if args.contains(&"VALUES") {
                        let text = std::fs::read_to_string(tls_values).unwrap();
                        let name = format!("tls-values-{}.yaml", file.len());
                        write(dir, &name, text.replace("FILE", file))
                    } else {
                        String::new()
                    };
                    let args: Vec<String> = args
                        .iter()
                        .map(|a| a.replace("FILE", file).replace("VALUES", &tls_values))
                        .collect();
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    let run = guarded_in(&root(), &args, None, Duration::from_secs(60));
                    let why = if file == "/dev/zero" {
                        format!("is a character device that gave more than {cap}, the most acp-check reads from {what}")
                    } else {
                        "is a named pipe (FIFO) that gave no end within 3s".to_string()
                    };
                    let before = before.replace("FILE", file);
                    assert_eq!(
                        (run.code, run.stderr.as_str()),
                        (2, format!("acp-check: error: {before}{file}: {why}\n").as_str()),
                        "{args:?}"
                    );
                });
            }
        }
        // The config file found by walking up from the working directory.
        for (name, target) in [("zero", "/dev/zero"), ("pipe", pipe.as_str())] {
            let cwd = dir.join(format!("walk-{name}"));
            std::fs::create_dir_all(&cwd).unwrap();
            std::os::unix::fs::symlink(target, cwd.join(".acp-check.toml")).unwrap();
            let values = &values;
            scope.spawn(move || {
                let run = guarded_in(&cwd, &["lint", values], None, Duration::from_secs(60));
                let why = if name == "zero" {
                    "is a character device that gave more than 1 MiB, the most acp-check reads from a config file"
                } else {
                    "is a named pipe (FIFO) that gave no end within 3s"
                };
                let config = cwd.join(".acp-check.toml");
                assert_eq!(
                    (run.code, run.stderr),
                    (2, format!("acp-check: error: {}: {why}\n", config.display()))
                );
            });
        }
    });
    // A regular config file over its cap, too.
    let big = write(&dir, "big.toml", format!("# {}\n", "x".repeat(1 << 20)));
    let run = lint(&["--config", &big, &values]);
    assert_eq!(
        (run.code, run.stderr),
        (
            2,
            format!(
                "acp-check: error: {big}: larger than 1 MiB, the most acp-check reads from a config file\n"
            )
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn explain_reads_a_300_megabyte_line_in_bounded_memory() {
    // `explain -` read whole lines: a 300 MB line took 836 MB. Now it keeps the start of a long
    // line and skips the rest as it reads: under 128 MiB of address space, the answer comes.
    const LIMIT: u64 = 128 << 20;
    let line = "{\"error\":\"failed to create redis client: failed to get redis info: ERR unknown command \
                `FT.INFO`, with args beginning with: `default-index`, \",\"level\":\"fatal\",\"msg\":\"failed to create storage\"}";
    let mut log = vec![b'x'; 300 << 20];
    log.push(b'\n');
    log.extend_from_slice(line.as_bytes());
    log.push(b'\n');
    let run = limited(LIMIT, &root(), &["explain", "-"], Some(log), WALL_CLOCK_GUARD);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(
            "Failure mode 3: the platform reaches Redis, but the RediSearch module is not loaded"
        ),
        "{}",
        run.stdout
    );
    // Without a line feed at all: the line's start is the query, refused in one line.
    let run = limited(
        LIMIT,
        &root(),
        &["explain", "-"],
        Some(vec![b'x'; 300 << 20]),
        WALL_CLOCK_GUARD,
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "acp-check: error: `{}…` is neither a rule id",
            "x".repeat(80)
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn set_flags_padding_lists_share_one_budget() {
    // Each flag could pad lists with a million nulls: 1,500 flags of `kN[65536]=1` made 3.3 GB.
    // The flags of a command line share the budget: the 17th flag is past it, and stops the run.
    let mut args: Vec<String> = vec!["lint".into()];
    for i in 0..1500 {
        args.push("--set".into());
        args.push(format!("k{i}[65536]=1"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = guarded(&args, None);
    assert_eq!(
        (run.code, run.stderr.as_str(), run.stdout.as_str()),
        (
            2,
            "acp-check: error: --set #17 `k16[65536]=1`: column 4: lists padded with more than 1048576 \
             nulls by the --set, --set-string and --set-file flags together\n",
            ""
        )
    );
}

/// acp-check run with its standard output going to `stdout`, to its end.
fn run_to(stdout: Stdio, args: &[&str]) -> (i32, String) {
    let out = common::acp_check()
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn output_that_cannot_be_written() {
    // A failed write to standard output exited 0 or 1, as if the report had been read. Now every
    // command's output exits 2 when it cannot be written (`> /dev/full`), and says why.
    let full = || Stdio::from(std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap());
    let commands: [&[&str]; 9] = [
        &["lint", "examples/values.yaml"],
        &["lint", "--format", "json", "examples/values.yaml"],
        &["lint", "--format", "sarif", "fixtures/valid"],
        &["rules"],
        &["rules", "--format", "json"],
        &["explain", "duplicate-key"],
        &["schema"],
        &["schema", "redis-cluster"],
        &["completions", "bash"],
    ];
    for args in commands {
        assert_eq!(
            run_to(full(), args),
            (
                2,
                "acp-check: error: writing to standard output: No space left on device\n".into()
            ),
            "{args:?}"
        );
    }
    // A report to a file that cannot be written, too.
    for args in [
        ["lint", "--output", "/dev/full", "examples/values.yaml"],
        ["lint", "--format", "json=/dev/full", "examples/values.yaml"],
    ] {
        assert_eq!(
            run_to(Stdio::null(), &args),
            (
                2,
                "acp-check: error: writing the report to /dev/full: No space left on device\n".into()
            ),
            "{args:?}"
        );
    }
    // A reader that stops reading (`| head`) is no failure: nothing is said, and the exit code is
    // the findings' (1 for the example's errors, 0 for the others).
    for (args, code) in [
        (&["lint", "examples/values.yaml"][..], 1),
        (&["lint", "--format", "json", "fixtures/valid"][..], 0),
        // A report larger than the buffer it is written through: every write after the first
        // meets the closed pipe.
        (&["lint", "--format", "sarif", "fixtures"][..], 1),
        (&["rules"][..], 0),
        (&["completions", "bash"][..], 0),
    ] {
        let mut child = common::acp_check()
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            (out.status.code(), String::from_utf8_lossy(&out.stderr).as_ref()),
            (Some(code), ""),
            "{args:?}"
        );
    }
}

#[test]
fn a_report_over_an_input_is_refused() {
    // `--format json=values.yaml` replaced the values with the report. A report path that is a file
    // the run reads is refused, however it is spelt, and the file is left as it was.
    let dir = scratch("report-over-input");
    let values = write(&dir, "values.yaml", "redis-cluster:\n  cluster:\n    nodes: 6\n");
    let found = write(&dir, "tree/prod/values.yaml", "image: x\n");
    let base = write(&dir, "base.yaml", "a: 1\n");
    let config = write(&dir, "config.toml", "[rules]\n");
    let tree = dir.join("tree").to_string_lossy().into_owned();
    let linked = dir.join("linked.yaml");
    std::fs::hard_link(&values, &linked).unwrap();
    let linked = linked.to_string_lossy().into_owned();
    let respelt = dir.join("tree/../values.yaml").to_string_lossy().into_owned();
    let refused = |args: &[&str], report: &str, input: &str| {
        let run = guarded(args, None);
        assert_eq!(
            (run.code, run.stderr.as_str(), run.stdout.as_str()),
            (
                2,
                format!(
                    "acp-check: error: {report}: is also an input of this run ({input}): acp-check does not \
                     write a report over it; give the report another path\n"
                )
                .as_str(),
                ""
            ),
            "{args:?}"
        );
    };
    let format = |f: &str, path: &str| format!("--format={f}={path}");
    refused(&["lint", &values, &format("json", &values)], &values, &values);
    refused(&["lint", &values, "--output", &values], &values, &values);
    refused(&["lint", &values, &format("sarif", &respelt)], &respelt, &values);
    refused(&["lint", &values, &format("junit", &linked)], &linked, &values);
    refused(&["lint", &tree, &format("json", &found)], &found, &found);
    refused(&["lint", &values, "-f", &base, "--output", &base], &base, &base);
    refused(
        &["lint", &values, "--config", &config, &format("json", &config)],
        &config,
        &config,
    );
    for (name, text) in [
        ("values.yaml", "redis-cluster:\n  cluster:\n    nodes: 6\n"),
        ("base.yaml", "a: 1\n"),
    ] {
        assert_eq!(std::fs::read_to_string(dir.join(name)).unwrap(), text);
    }
    // Another file, existing or not, takes the report.
    let other = write(&dir, "report.json", "old");
    let run = guarded(
        &[
            "lint",
            &values,
            &format("json", &other),
            "--output",
            &dir.join("new.txt").to_string_lossy(),
        ],
        None,
    );
    assert!(run.code < 2 && run.stderr.is_empty(), "{}", run.stderr);
    assert!(std::fs::read_to_string(&other).unwrap().starts_with('{'));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn forty_thousand_overlay_patches_of_one_helm_release() {
    // Each patch was merged with the key index of the values it grows made anew: 40,000 patches,
    // each adding a key, took 44 s (release build). Now the indexes are kept from one patch to the
    // next: linear, 3 s in a debug build. The bound is a complexity guard, with a margin of ten.
    let api = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: redis}\n";
    let mut text = format!("{api}spec:\n  chart: {{spec: {{chart: redis-cluster}}}}\n  values: {{a: 1}}\n");
    for i in 0..40_000 {
        text.push_str(&format!("---\n{api}spec:\n  values: {{k{i}: {i}}}\n"));
    }
    let dir = scratch("overlays");
    let path = write(&dir, "release.yaml", text);
    let started = Instant::now();
    let run = lint(&[&path]);
    let took = started.elapsed();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(took < Duration::from_secs(60), "{took:?}");
    // Every patch was merged: `a` and the 40,000 keys are unknown to the chart.
    let last = findings(&run)
        .into_iter()
        .rfind(|f| f.0 == "unknown-key")
        .unwrap();
    assert_eq!(
        last.3,
        "and 39901 more `unknown-key` findings in this file, not shown: a report shows the first 100 of a \
         rule in a file"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn control_characters_in_file_names() {
    // A file named with terminal escapes reached the human report and GitHub's `file=` raw: the
    // name cleared the screen, or broke the annotation at its line feed. Now every format shows the
    // name with its control characters escaped (JSON and SARIF encode them already), and so do
    // error messages.
    let dir = scratch("escape-names");
    let name = "\u{1b}[2J\u{7}evil\n.yaml";
    let path = write(&dir, name, "a: 1\na: 2\n");
    let shown = format!("{}/\\u{{1b}}[2J\\u{{7}}evil\\u{{a}}.yaml", dir.display());
    let raw_controls = |text: &str| {
        text.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
    };
    for format in ["human", "github", "junit", "sarif", "json"] {
        let run = guarded(&["lint", "--format", format, &path], None);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert!(!raw_controls(&run.stdout), "{format}: {:?}", run.stdout);
        // One line per annotation: the name's line feed does not split one.
        assert_eq!(
            run.stdout.lines().count() > 1,
            format != "github",
            "{format}: {:?}",
            run.stdout
        );
        match format {
            "human" => assert!(run.stdout.contains(&shown), "{}", run.stdout),
            "github" => assert!(
                run.stdout.starts_with(&format!(
                    "::error file={},line=2",
                    shown.replace(':', "%3A").replace(',', "%2C")
                )),
                "{}",
                run.stdout
            ),
            "junit" => assert!(run.stdout.contains("evil"), "{}", run.stdout),
            "sarif" => assert!(run.stdout.contains("%1B%5B2J%07evil%0A.yaml"), "{}", run.stdout),
            // The JSON string is the name itself, its control characters encoded by JSON.
            _ => assert_eq!(run.json()["findings"][0]["location"]["file"], path.as_str()),
        }
    }
    // In a message of exit code 2, too.
    let missing = dir
        .join("\u{1b}]0;title\u{7}.yaml")
        .to_string_lossy()
        .into_owned();
    let run = guarded(&["lint", &missing], None);
    assert_eq!(
        (run.code, run.stderr),
        (
            2,
            format!(
                "acp-check: error: {}/\\u{{1b}}]0;title\\u{{7}}.yaml: no such file or directory\n",
                dir.display()
            )
        )
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
