//! The CLI cases written as data. Each `tests/cmd/NAME.toml` runs acp-check with its arguments (and
//! standard input), from the repository root or, when there is one, from its `NAME.in/` folder, and
//! states the exit code and the exact standard output and error. Adding a case is adding a file.
//! The README's console examples (```console blocks, `$ acp-check …` lines, then the output) run the
//! same way, from the repository root, so that they cannot drift from what acp-check prints.
//!
//! After a deliberate change of output, `TRYCMD=overwrite cargo test --test it cmd::` rewrites the
//! expectations: read the diff before committing it.
//!
//! trycmd turns every `\` of an output into `/` before comparing (for Windows paths), so a case whose
//! output holds a backslash (a JSON escape, say) would be compared with a lossy copy of itself: no case
//! may print one (test such output in Rust).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use crate::common::{self, root};

fn cases() -> trycmd::TestCases {
    let cases = trycmd::TestCases::new();
    cases
        .register_bin("acp-check", Path::new(env!("CARGO_BIN_EXE_acp-check")))
        .timeout(Duration::from_secs(60))
        // CI runs the tests in GitHub Actions, where the human report gains annotations.
        .env("GITHUB_ACTIONS", "false");
    cases
}

#[test]
fn cli_cases() {
    cases().case("tests/cmd/*.toml").run();
}

#[test]
fn readme_console_examples() {
    cases().case("README.md").run();
}

/// One command of a case: its arguments, standard input and working directory.
#[derive(Debug)]
struct Invocation {
    source: String,
    args: Vec<String>,
    stdin: Option<String>,
    cwd: PathBuf,
}

/// The cases of `tests/cmd/`, parsed. Every file there belongs to a case (`NAME.toml`, its `NAME.in/`
/// folder, or its `NAME.stdin`, `NAME.stdout` and `NAME.stderr`), and every case states both of its
/// outputs: a case without `stdout` would not check its standard output at all.
fn cli_invocations() -> Vec<Invocation> {
    let dir = root().join("tests/cmd");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let cases: BTreeSet<&str> = names.iter().filter_map(|n| n.strip_suffix(".toml")).collect();
    for name in &names {
        let case = [".toml", ".in", ".stdin", ".stdout", ".stderr"]
            .iter()
            .find_map(|ext| name.strip_suffix(ext));
        assert!(
            case.is_some_and(|case| cases.contains(case)),
            "tests/cmd/{name} belongs to no case (NAME.toml, NAME.in/, NAME.stdout, NAME.stderr, NAME.stdin)"
        );
    }
    let mut out = Vec::new();
    for case in cases {
        let source = format!("tests/cmd/{case}.toml");
        let text = std::fs::read_to_string(root().join(&source)).unwrap();
        let document = toml::de::DeTable::parse(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
        let field = |name: &str| {
            document
                .get_ref()
                .iter()
                .find(|(key, _)| key.get_ref().as_ref() == name)
                .map(|(_, value)| value.get_ref())
        };
        for stream in ["stdout", "stderr"] {
            assert!(
                field(stream).is_some() || dir.join(format!("{case}.{stream}")).is_file(),
                "{source} does not state its {stream} (write `{stream} = \"\"` for none)"
            );
        }
        let args = field("args")
            .and_then(|a| a.as_array())
            .unwrap_or_else(|| panic!("{source}: args is a list of strings"))
            .iter()
            .map(|a| a.get_ref().as_str().unwrap().to_string())
            .collect();
        let stdin = match field("stdin") {
            Some(text) => Some(text.as_str().unwrap().to_string()),
            None => std::fs::read_to_string(dir.join(format!("{case}.stdin"))).ok(),
        };
        let folder = dir.join(format!("{case}.in"));
        let cwd = if folder.is_dir() { folder } else { root() };
        out.push(Invocation {
            source,
            args,
            stdin,
            cwd,
        });
    }
    out
}

/// The `$ acp-check …` lines of the README's console blocks.
fn readme_invocations() -> Vec<Invocation> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut out = Vec::new();
    let mut in_console = false;
    for (i, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            in_console = !in_console && line == "```console";
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ").filter(|_| in_console) {
            let source = format!("README.md:{}", i + 1);
            let words = shell_words(command).unwrap_or_else(|e| panic!("{source}: {e}"));
            assert_eq!(
                words[0], "acp-check",
                "{source}: a console example runs acp-check"
            );
            out.push(Invocation {
                source,
                args: words[1..].to_vec(),
                stdin: None,
                cwd: root(),
            });
        }
    }
    out
}

/// The words of a command line with single quotes, the only quoting the README's examples use.
fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' => words.extend(word.take()),
            '\'' => {
                let quoted: String = chars.by_ref().take_while(|&c| c != '\'').collect();
                word.get_or_insert_with(String::new).push_str(&quoted);
            }
            '"' | '\\' | '$' | '`' | '|' | '>' | '<' | ';' | '&' => {
                return Err(format!("write `{c}` inside single quotes: {line}"))
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

#[test]
fn the_readers_of_the_cases_see_every_command() {
    assert_eq!(
        shell_words("acp-check explain '{\"a\": `b`}' x").unwrap(),
        ["acp-check", "explain", "{\"a\": `b`}", "x"]
    );
    assert!(shell_words("acp-check lint \"x y\"").is_err());
    // trycmd passes a glob or a README without a case as a success: the cases must be there.
    let cli = cli_invocations();
    assert!(cli.len() >= 20, "{cli:?}");
    assert!(cli.iter().any(|c| c.stdin.is_some() && c.cwd == root()));
    assert!(cli.iter().any(|c| c.cwd != root()));
    let readme = readme_invocations();
    assert!(
        readme.iter().any(|c| c.args == ["lint", "examples/values.yaml"]),
        "{readme:?}"
    );
}

#[test]
fn no_case_prints_a_backslash() {
    for case in cli_invocations().into_iter().chain(readme_invocations()) {
        let mut child = common::acp_check()
            .args(&case.args)
            .current_dir(&case.cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let input = case.stdin.as_deref().unwrap_or_default();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        let run = child.wait_with_output().unwrap();
        for (stream, bytes) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
            assert!(
                !bytes.contains(&b'\\'),
                "{}: the {stream} of `acp-check {}` holds a backslash, which trycmd reads as `/`: \
                 test this output in Rust\n{}",
                case.source,
                case.args.join(" "),
                String::from_utf8_lossy(bytes)
            );
        }
    }
}
