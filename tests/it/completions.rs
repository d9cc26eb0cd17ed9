//! Shell completions and man pages are generated from the clap definition: the completion scripts
//! know every subcommand, flag and format, and complete in real shells; the committed man pages
//! (`doc/man/`) are what clap_mangen makes of the definition today.

use std::path::Path;
use std::process::Command;

use crate::common::*;

/// Every subcommand (by path) with its long flags, walking the clap definition.
fn surface() -> Vec<(String, Vec<String>)> {
    fn walk(cmd: &clap::Command, path: &str, out: &mut Vec<(String, Vec<String>)>) {
        let flags = cmd
            .get_arguments()
            .filter_map(|a| a.get_long().map(str::to_string))
            .collect();
        out.push((path.to_string(), flags));
        for sub in cmd.get_subcommands() {
            walk(sub, format!("{path} {}", sub.get_name()).trim(), out);
        }
    }
    let mut out = Vec::new();
    walk(&acp_check::cli::command(), "", &mut out);
    out
}

fn script(shell: &str) -> String {
    let run = run(&["completions", shell]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn every_script_knows_every_subcommand_and_flag() {
    let surface = surface();
    assert!(surface.iter().any(|(path, _)| path == "schema"));
    for shell in ["bash", "zsh", "fish"] {
        let script = script(shell);
        for (path, flags) in &surface {
            if let Some(name) = path.rsplit(' ').next().filter(|n| !n.is_empty()) {
                assert!(script.contains(name), "{shell}: no subcommand {path}");
            }
            for flag in flags {
                let written = match shell {
                    "fish" => format!("-l {flag}"),
                    _ => format!("--{flag}"),
                };
                assert!(script.contains(&written), "{shell}: no {written} for `{path}`");
            }
        }
    }
}

/// What bash's completion offers for a command line whose last word is being typed.
fn bash_complete(words: &[&str]) -> Vec<String> {
    let dir = scratch("bash-completion");
    let file = write(&dir, "acp-check.bash", script("bash"));
    let line = words.join(" ");
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{file}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n\
         _acp__check acp-check '{}' '{}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        quoted.join(" "),
        words.len() - 1,
        words[words.len() - 1],
        words[words.len() - 2],
    );
    let out = Command::new(tool("bash"))
        .arg("-c")
        .arg(program)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_subcommands_flags_and_formats() {
    let subcommands = bash_complete(&["acp-check", ""]);
    for sub in ["lint", "rules", "explain", "schema", "completions"] {
        assert!(subcommands.contains(&sub.to_string()), "{subcommands:?}");
    }
    assert_eq!(bash_complete(&["acp-check", "lint", "--form"]), ["--format"]);
    assert_eq!(
        bash_complete(&["acp-check", "lint", "--format", ""]),
        [
            "human",
            "concise",
            "json",
            "sarif",
            "junit",
            "github",
            "gitlab",
            "rdjson",
            "checkstyle"
        ]
    );
    assert_eq!(bash_complete(&["acp-check", "schema", "acp-s"]), ["acp-storage"]);
    assert_eq!(bash_complete(&["acp-check", "completions", "z"]), ["zsh"]);
}

#[test]
fn fish_completes_subcommands_flags_and_formats() {
    let dir = scratch("fish-completion");
    let file = write(&dir, "acp-check.fish", script("fish"));
    let complete = |line: &str| -> Vec<String> {
        let out = Command::new(tool("fish"))
            .arg("--no-config")
            .arg("-c")
            .arg(format!("source '{file}'; complete -C '{line}'"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };
    let subcommands = complete("acp-check ");
    for sub in ["lint", "schema", "completions"] {
        assert!(subcommands.contains(&sub.to_string()), "{subcommands:?}");
    }
    assert_eq!(complete("acp-check lint --form"), ["--format"]);
    let mut formats = complete("acp-check lint --format ");
    formats.sort();
    assert_eq!(
        formats,
        [
            "checkstyle",
            "concise",
            "github",
            "gitlab",
            "human",
            "json",
            "junit",
            "rdjson",
            "sarif"
        ]
    );
}

#[test]
fn the_zsh_script_is_valid_zsh() {
    let dir = scratch("zsh-completion");
    let file = write(&dir, "_acp-check", script("zsh"));
    let out = Command::new(tool("zsh")).arg("-n").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(script("zsh").starts_with("#compdef acp-check"));
}

#[test]
fn the_man_pages_are_generated_from_the_cli() {
    let dir = scratch("man");
    clap_mangen::generate_to(acp_check::cli::command(), &dir).unwrap();
    let committed = root().join("doc/man");
    let update = std::env::var_os("ACP_CHECK_UPDATE_MAN").is_some();
    let mut generated: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    generated.sort();
    assert!(generated.contains(&"acp-check.1".to_string()));
    assert!(generated.contains(&"acp-check-lint.1".to_string()));
    if update {
        let _ = std::fs::remove_dir_all(&committed);
        std::fs::create_dir_all(&committed).unwrap();
        for name in &generated {
            std::fs::copy(dir.join(name), committed.join(name)).unwrap();
        }
    }
    let mut on_disk: Vec<String> = std::fs::read_dir(&committed)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    on_disk.sort();
    let hint = "regenerate them with `ACP_CHECK_UPDATE_MAN=1 cargo test --test it completions`";
    assert_eq!(on_disk, generated, "doc/man/ is out of step with the CLI: {hint}");
    for name in &generated {
        let want = std::fs::read_to_string(dir.join(name)).unwrap();
        let have = std::fs::read_to_string(committed.join(name)).unwrap();
        assert!(have == want, "doc/man/{name} is out of step with the CLI: {hint}");
    }
    // groff reads every page without a warning.
    for name in &generated {
        let out = Command::new(tool("groff"))
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(committed.join(name))
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let lint = std::fs::read_to_string(committed.join("acp-check-lint.1")).unwrap();
    assert!(
        lint.contains(".TH acp-check-lint 1  \"lint 0.1.0\""),
        "{}",
        &lint[..200]
    );
    assert!(lint.contains("\\-\\-format"));
    assert!(Path::new(&committed.join("acp-check-schema.1")).is_file());
}
