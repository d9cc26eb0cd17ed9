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

#[test]
fn fix_corpus() {
    replay("fix", harness::fix);
}

/// The fix property (see `harness::fix`) on values files made at random from the mistakes the fixes
/// are for, mixed with everything around them: comments, quoting styles, duplicates of whole
/// blocks, flow mappings, secrets, CRLF line endings. Seeded: the same files every run.
#[test]
fn fix_holds_on_generated_values_files() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let pick = |next: &mut dyn FnMut(usize) -> usize, options: &[&'static str]| options[next(options.len())];
    for _ in 0..150 {
        let mut text = String::new();
        if next(3) == 0 {
            text.push_str("# values for the platform\n");
        }
        let cluster: &[&[&str]] = &[
            &["usePassword: {b}"],
            &["image:", "  tag: {v}{c}"],
            &["cluster:", "  nodes: {n}", "  replica: 1{c}"],
            &["cluster:", "  nodes: {n}", "  replicas: {r}"],
            &[
                "redis:",
                "  useAOFPersistence: {b}{c}",
                "  configmap: |",
                "    maxmemory-policy {p}",
                "    loadmodule /redismodules/redisearch.so",
            ],
            &["redis:", "  configMap: |", "    maxmemory-policy {p}"],
            &["password: {s}"],
            &["usePasword: {b}"],
            &["# a comment line"],
            &["persistence: {size: 8Gi, size: 4Gi}"],
            &["metrics:", "  image:", "    tag: {v}"],
            &["- not a map entry"],
        ];
        let client: &[&[&str]] = &[
            &["min_retry_backoff: {d}{c}"],
            &["max_retry_backoff: {d}"],
            &["addrs: [\"redis-cluster-headless:6379\", \"redis-cluster-headless:6379\"]"],
            &["tls:", "  enable: {b}"],
            &["tls:", "  enabled: {b}"],
            &["password: {s}"],
            &["version: {v}"],
        ];
        for (head, indent, pool) in [
            ("redis-cluster:", "  ", cluster),
            ("acp:\n  redis:", "    ", client),
        ] {
            if next(4) == 0 {
                continue;
            }
            text.push_str(head);
            text.push('\n');
            for _ in 0..next(7) {
                let fragment = pool[next(pool.len())];
                if fragment[0].starts_with("- ") {
                    continue;
                }
                for line in fragment {
                    let line = line
                        .replace(
                            "{b}",
                            pick(&mut next, &["yes", "no", "on", "true", "\"yes\"", "'no'"]),
                        )
                        .replace(
                            "{v}",
                            pick(
                                &mut next,
                                &[
                                    "6.20",
                                    "6.2",
                                    "'6.2.7'",
                                    "\"6.2.7\"",
                                    "6.2.14",
                                    "1234567",
                                    "7.10",
                                    "1.45",
                                ],
                            ),
                        )
                        .replace("{n}", pick(&mut next, &["6", "3", "4"]))
                        .replace("{r}", pick(&mut next, &["0", "1"]))
                        .replace(
                            "{p}",
                            pick(&mut next, &["allkeys-lru", "noeviction", "volatile-lru"]),
                        )
                        .replace(
                            "{s}",
                            pick(&mut next, &["\"S3cret-P4ss-xyz1\"", "S3cret-P4ss-xyz2", "yes"]),
                        )
                        .replace("{d}", pick(&mut next, &["32", "32ms", "500", "1.5"]))
                        .replace("{c}", pick(&mut next, &["", "   # why", " #x"]));
                    text.push_str(indent);
                    text.push_str(&line);
                    text.push('\n');
                }
            }
        }
        if next(5) == 0 {
            text = text.replace('\n', "\r\n");
        }
        let result = std::panic::catch_unwind(|| harness::fix(text.as_bytes()));
        assert!(result.is_ok(), "the fix property fails on:\n{text}");
    }
}
