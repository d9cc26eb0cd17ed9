//! In-process benchmarks of `acp-check lint` (criterion). The whole-process comparison with
//! check-jsonschema and ajv-cli is `scripts/bench.sh`; BENCHMARKS.md has the method and results.
//!
//!     cargo bench --bench lint                 # everything
//!     cargo bench --bench lint -- one_file     # a group
//!     ACP_BENCH_FILES=10000 cargo bench --bench lint -- tree
//!
//! The tree is written by tools/bench/gen_tree.py (python3) into a temporary directory; without
//! python3 the tree group is skipped with a note.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;

use acp_check::config::Config;
use acp_check::input::Options;
use acp_check::schema::SchemaId;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn options(inputs: &[&Path]) -> Options {
    Options {
        inputs: inputs.iter().map(|p| p.to_string_lossy().into_owned()).collect(),
        ..Options::default()
    }
}

/// The typical umbrella values file (clean), and the README's example (six findings).
fn one_file(c: &mut Criterion) {
    let config = Config::default();
    let mut group = c.benchmark_group("one_file");
    for (name, file) in [
        ("umbrella_clean", "fixtures/valid/umbrella-values.yaml"),
        ("example_with_findings", "examples/values.yaml"),
    ] {
        let options = options(&[&root().join(file)]);
        group.bench_function(name, |b| {
            b.iter(|| acp_check::app::lint(black_box(&options), &config).expect("lint"))
        });
    }
    group.finish();
}

/// The parts of one file's lint: YAML reading, and the schema check of its redis-cluster values
/// (acp-check's precompiled validator beside the `jsonschema` crate on the same schema and values).
fn parts(c: &mut Criterion) {
    let text = std::fs::read_to_string(root().join("fixtures/valid/umbrella-values.yaml")).unwrap();
    let mut group = c.benchmark_group("parts");
    group.bench_function("yaml_parse", |b| {
        b.iter(|| acp_check::yaml::parse(acp_check::core::source::SourceId(0), black_box(&text)))
    });
    let doc = acp_check::yaml::parse(acp_check::core::source::SourceId(0), &text)
        .documents
        .remove(0);
    let cluster = doc.get(&["redis-cluster"]).unwrap().clone();
    let schema = SchemaId::RedisCluster.get();
    group.bench_function("schema_validate/acp-check", |b| {
        b.iter(|| schema.validate(black_box(&cluster)))
    });
    let json: serde_json::Value = serde_json::from_str(schema.text).unwrap();
    let validator = jsonschema::draft202012::new(&json).unwrap();
    group.bench_function("schema_validate/jsonschema-crate", |b| {
        b.iter(|| validator.iter_errors(black_box(&cluster.to_json())).count())
    });
    group.bench_function("schema_compile/jsonschema-crate", |b| {
        b.iter(|| jsonschema::draft202012::new(black_box(&json)).unwrap())
    });
    group.finish();
}

/// A generated tree of umbrella values files, each its own deployment, linted in parallel.
fn tree(c: &mut Criterion) {
    let files: usize = std::env::var("ACP_BENCH_FILES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let dir: PathBuf = std::env::temp_dir().join(format!("acp-check-bench-tree-{}", std::process::id()));
    let generated = Command::new("python3")
        .arg(root().join("tools/bench/gen_tree.py"))
        .arg(&dir)
        .arg(files.to_string())
        .status();
    if !generated.is_ok_and(|s| s.success()) {
        eprintln!("note: python3 tools/bench/gen_tree.py failed; the tree benchmark was not run");
        return;
    }
    let config = Config::default();
    let options = options(&[&dir]);
    let mut group = c.benchmark_group("tree");
    group.sample_size(10);
    group.throughput(Throughput::Elements(files as u64));
    group.bench_function(format!("{files}_files"), |b| {
        b.iter(|| acp_check::app::lint(black_box(&options), &config).expect("lint"))
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, one_file, parts, tree);
criterion_main!(benches);
