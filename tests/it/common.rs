//! Running the real binary the way a user does, and reading its JSON report.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The command, run from the repository root so that paths in reports are the fixtures' paths.
pub fn acp_check() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_acp-check"));
    cmd.current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS");
    cmd
}

/// The rules about reading values: what input tests are about.
pub const INPUT_RULES: &[&str] = &[
    "yaml-syntax",
    "duplicate-key",
    "ambiguous-boolean",
    "numeric-version",
    "encrypted-value",
    "schema-type",
    "unknown-key",
];

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// (rule, file, line, column) of every finding.
    pub fn findings(&self) -> Vec<(String, String, u64, u64)> {
        self.json()["findings"]
            .as_array()
            .expect("findings array")
            .iter()
            .map(|f| {
                let loc = &f["location"];
                (
                    f["rule"].as_str().unwrap().to_string(),
                    loc["file"].as_str().unwrap_or_default().to_string(),
                    loc["line"].as_u64().unwrap_or(0),
                    loc["column"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    }

    /// The findings of some rules only: input tests look at the rules they are about.
    pub fn findings_of(&self, rules: &[&str]) -> Vec<(String, String, u64, u64)> {
        self.findings()
            .into_iter()
            .filter(|f| rules.contains(&f.0.as_str()))
            .collect()
    }

    /// The findings at error or warning severity.
    pub fn problems(&self) -> Vec<(String, String, u64, u64)> {
        let json = self.json();
        let severities: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["severity"].as_str().unwrap().to_string())
            .collect();
        self.findings()
            .into_iter()
            .zip(severities)
            .filter(|(_, s)| s != "info")
            .map(|(f, _)| f)
            .collect()
    }

    /// The first finding of a rule, as JSON.
    pub fn first(&self, rule: &str) -> Value {
        let json = self.json();
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == rule)
            .cloned()
            .unwrap_or_else(|| panic!("no {rule} finding in:\n{}", self.stdout))
    }

    pub fn input_rules(&self) -> Vec<String> {
        self.findings_of(INPUT_RULES).into_iter().map(|f| f.0).collect()
    }

    /// (deployment, rule, file, line, column) of every finding: a tree's findings, each with the
    /// deployment it belongs to.
    pub fn by_deployment(&self) -> Vec<(String, String, String, u64, u64)> {
        self.json()["findings"]
            .as_array()
            .expect("findings array")
            .iter()
            .map(|f| {
                (
                    f["deployment"].as_str().unwrap_or("(none)").to_string(),
                    f["rule"].as_str().unwrap().to_string(),
                    f["location"]["file"].as_str().unwrap_or_default().to_string(),
                    f["location"]["line"].as_u64().unwrap_or(0),
                    f["location"]["column"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    }

    pub fn rules(&self) -> Vec<String> {
        self.findings().into_iter().map(|f| f.0).collect()
    }
}

fn finish(output: Output) -> Run {
    Run {
        code: output.status.code().expect("exited normally, not by a signal"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `cmd` to its end, failing the test if it has not ended after a minute: a hang is a bug,
/// and CI must not wait for it. Its output is read as it comes: a report larger than a pipe's
/// buffer must not stall it.
pub fn run_guarded(mut cmd: Command) -> Run {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn acp-check");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{cmd:?} did not end within a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    Run {
        code: status.code().expect("exited normally, not by a signal"),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

pub fn run(args: &[&str]) -> Run {
    finish(acp_check().args(args).output().expect("run acp-check"))
}

pub fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = acp_check()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn acp-check");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    finish(child.wait_with_output().expect("wait"))
}

/// `lint --format json` over the given arguments.
pub fn lint_json(args: &[&str]) -> Run {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    run(&all)
}

/// A scratch directory for files a test writes.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("acp-check-tests-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

/// An external program the tests need (`check-jsonschema`, `pre-commit`, `fish`, …): from the tools
/// environment `scripts/test.sh` makes (`target/test-tools/venv`), else from PATH. A missing tool fails
/// the test: `bash scripts/test.sh` installs them all.
pub fn tool(name: &str) -> PathBuf {
    let venv = root().join("target/test-tools/venv/bin").join(name);
    if venv.is_file() {
        return venv;
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    on_path.unwrap_or_else(|| {
        panic!("{name} is missing: run `bash scripts/test.sh`, which installs the tools the tests use")
    })
}

/// Runs an external program to completion.
pub fn run_tool(program: &Path, args: &[&str]) -> Run {
    finish(
        Command::new(program)
            .args(args)
            .current_dir(root())
            .output()
            .unwrap_or_else(|e| panic!("run {}: {e}", program.display())),
    )
}
