//! The fast reader of the YAML values files are written in (`yaml::parse_simple`) must read every
//! text it accepts exactly as libyaml does: the same documents, values, positions, problems and
//! secrets. Here on every YAML file of the repository, the upstream reference files and generated
//! values; the `yaml` fuzz target checks the same on arbitrary input.
//!
//! `EXTRA_YAML=DIR` adds the YAML files under DIR (e.g. a tree from `tools/bench/gen_tree.py`);
//! `SHOW_DECLINED=1` names the files the fast reader leaves to libyaml.

use crate::common;

use std::path::{Path, PathBuf};

use acp_check::core::source::SourceId;
use acp_check::yaml;

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
            || path.starts_with(common::root().join("fuzz"))
        {
            out.push(path);
        }
    }
}

/// Reads `text` both ways; gives whether the fast reader accepted it.
fn agree(name: &str, text: &str) -> bool {
    let source = SourceId(0);
    let Some(fast) = yaml::parse_simple(source, text) else {
        return false;
    };
    let slow = yaml::parse_with_libyaml(source, text);
    assert_eq!(
        format!("{fast:#?}"),
        format!("{slow:#?}"),
        "{name}: the fast reader and libyaml disagree on:\n{text}"
    );
    true
}

#[test]
fn the_fast_reader_agrees_with_libyaml_on_every_file() {
    let root = common::root();
    let mut files = Vec::new();
    for dir in ["fixtures", "examples", "fuzz/seeds", "fuzz/regressions", "doc"] {
        yaml_files(&root.join(dir), &mut files);
    }
    yaml_files(&root.join("../shared/reference"), &mut files);
    // 300 generated umbrella values files, as the benchmark lints (scripts/test.sh installs python3).
    let generated = std::env::temp_dir().join(format!("acp-check-yaml-readers-{}", std::process::id()));
    let status = std::process::Command::new("python3")
        .arg(root.join("tools/bench/gen_tree.py"))
        .arg(&generated)
        .arg("300")
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3 runs tools/bench/gen_tree.py");
    assert!(status.success());
    yaml_files(&generated, &mut files);
    if let Some(dir) = std::env::var_os("EXTRA_YAML") {
        yaml_files(Path::new(&dir), &mut files);
    }
    let (mut read, mut total) = (0, 0);
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        total += 1;
        if agree(&path.display().to_string(), &text) {
            read += 1;
        } else if std::env::var_os("SHOW_DECLINED").is_some() {
            eprintln!("declined: {}", path.display());
        }
    }
    let _ = std::fs::remove_dir_all(&generated);
    eprintln!("the fast reader read {read} of {total} files");
    assert!(total > 400 && read * 2 > total, "{read} of {total}");
}

#[test]
fn the_fast_reader_agrees_with_libyaml_on_edge_cases() {
    // Each is read alike by both, or left to libyaml: a disagreement fails.
    let cases = [
        "a: b\n  c\n",
        "a:\n  - b\n  -c\n",
        "a: 'x''y'\n",
        "a: \"\\u00e9\\x41\\t\\\\\"\n",
        "a: \"\\q\"\n",
        "k: |\n  x\n y\n",
        "k: |\n\n  x\n",
        "k: |2\n  x\n",
        "k: >\n  x\n  y\n",
        "- a\n- b: c\n  d: e\n",
        "a: [b, c]  # c\n",
        "a: {b: c}\n",
        "a: [b:c]\n",
        "a: [b: c]\n",
        "a: [b, ]\n",
        "a: [b,, c]\n",
        "a: {b}\n",
        "a: [b\n  , c]\n",
        "? a\n: b\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "'a': 1\n\"b\": 2\n",
        "a:   \n",
        "a: b   \n",
        "a: b #c\n",
        "a: b#c\n",
        "a:\n\n\n  b: c\n",
        "a:\n# comment\n  b: c\n",
        "-1: x\n",
        "a: -\n",
        "a: x: y\n",
        "a: 'unterminated\n",
        "a: \"multi\n  line\"\n",
        "key with spaces: v\n",
        "a: b\n---\nc: d\n",
        "--- \na: b\n",
        "---\n---\n",
        "a: |\n  x\n# c\nb: 1\n",
        "a: |\n   x\n  y\n",
        "a:\n  b: |\n    x\n  c: d\n",
        "k: |-\n  a\n\n\n",
        "k: |+\n  a\n\n\n",
        "k: |\n  a\n  \n  b\n  \n",
        "k: |\n  a\n   \n  b\n",
        "k: |\n  a\n  b",
        "a: b\n c: d\n",
        "a:\n- b\nc: d\n",
        "a:\n  - b\n  c: d\n",
        "- a\n  - b\n",
        "a: 1\na: 2\n",
        "<<: {a: 1}\n",
        "a: @x\n",
        "a: `x\n",
        "a: %x\n",
        "%YAML 1.1\n---\na: b\n",
        "a: b\n...\n",
        "a: \u{e9}t\u{e9}\n",
        "\u{feff}a: b\n",
        "a: b\u{2028}c\n",
        "a:\tb\n",
        "a: b\r\n",
        "  a: b\n  c: d\n",
        "  a: b\nc: d\n",
        "a: [[1, 2], {b: [c]}]\n",
        "a: {\"b\": 'c', d: \"e\"}\n",
        "a: [-1, -x, - y]\n",
        "a: [x:, y]\n",
        "a: [http://x:80/y]\n",
        "a: {b: c}x\n",
        "\"a\":b\n",
        "\"a\" : b\n",
        "a  : b\n",
        "a: 'b' # c\n",
        "a: ''\n",
        "a: \"\"\n",
        "- \n- x\n",
        "-\n  a: b\n",
        "- |\n  x\n- y\n",
        "a:\n  - |\n    x\n  - y\n",
        "a: |\n  x\n\n\nb: 1\n",
        "a: |\n  x\n  # not a comment\nb: 1\n",
        "x: 0x1F\ny: 1e3\nz: yes\nw: ~\nv: null\n",
        // Over several lines: quoted scalars fold, flow collections continue.
        "a: \"x\n  y\"\n",
        "a: 'x\n\n  y'\n",
        "a: \"x \\\n  y\"\n",
        "a: \"x  \n  y  \"\n",
        "a: \"x\n\n\n  y\"\n",
        "a: 'it''s\n  ok'\n",
        "a: [\n  b,\n  c\n]\n",
        "a: [b, # c\n  d]\n",
        "a: [b,\n\n  # c\n  d]\n",
        "a: {b: c,\n  d: e}\n",
        "a: {b\n  : c}\n",
        "a: {b:\n  c}\n",
        "a: [b\n  c]\n",
        "a: [b\n  , c]\n",
        "a: \"x\n---\n\"\n",
        "a: [\n---\n]\n",
        "k: \"x\ny\"\n",
        "\"k\n\": v\n",
        "- \"a\n  b\": c\n",
        "a:\n  - [\n    \"x\",\n    \"y\n    z\"\n  ]\n  - w\n",
        // Found by fuzzing: a key over two lines by an escaped line break.
        "\"\\noo\\\n%\":\n",
        "- \"a\\\nb\": c\n",
        // Found by fuzzing: libyaml-safer refuses a first character from U+F000 to U+FFFF.
        "\u{ffbe}onf: |\n   !b=\nN: \n",
        "a: \u{ffbe}\n",
    ];
    let mut read = 0;
    for (i, text) in cases.iter().enumerate() {
        if agree(&format!("case {i}"), text) {
            read += 1;
        }
    }
    assert!(read > 30, "{read} of {}", cases.len());
}
