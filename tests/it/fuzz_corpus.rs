//! Replays the fuzz targets' seed corpus and every crash fuzzing ever found (`fuzz/seeds/TARGET/`,
//! `fuzz/regressions/TARGET/`) through the very checks the fuzz targets run, so that CI keeps them
//! fixed without running a fuzzer. See fuzz/README.md for running the fuzzers themselves.

#[allow(dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod harness;

use std::path::PathBuf;

/// Every file of `fuzz/seeds/TARGET` and `fuzz/regressions/TARGET`, checked by `check`.
fn replay(target: &str, check: fn(&[u8])) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        files.extend(entries.map(|e| e.unwrap().path()));
    }
    files.sort();
    assert!(
        files.iter().any(|f| f.starts_with(root.join("seeds"))),
        "no seeds for {target}"
    );
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let result = std::panic::catch_unwind(|| check(&data));
        assert!(result.is_ok(), "{target}: {} fails its checks", file.display());
    }
}

#[test]
fn yaml_corpus() {
    replay("yaml", harness::yaml);
}

#[test]
fn set_corpus() {
    replay("set", harness::set);
}

#[test]
fn merge_corpus() {
    replay("merge", harness::merge);
}

#[test]
fn helm_release_corpus() {
    replay("helm_release", harness::helm_release);
}

#[test]
fn lint_corpus() {
    replay("lint", harness::lint);
}

#[test]
fn redact_corpus() {
    replay("redact", harness::redact);
}
