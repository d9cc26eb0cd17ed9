//! The modules are layers, and imports run only downward: inputs → spanned document → model →
//! rules → findings → reporters. This test reads `src/`, builds the graph of top-level modules from
//! the `crate::…` paths of the code (test modules, which may build inputs as users do, are left
//! out), and fails on an edge the table below does not allow or on a cycle. A change of layering is
//! a change of this table, visible in review.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module, lowest layer first, with the modules it may import.
const ALLOWED: &[(&str, &[&str])] = &[
    ("core", &[]),
    ("diagnostic", &["core"]),
    ("tree", &["core"]),
    ("yaml", &["core", "tree"]),
    ("schema", &["core", "tree"]),
    ("config", &["core"]),
    ("model", &["core", "tree"]),
    ("input", &["core", "tree", "yaml", "model"]),
    (
        "rules",
        &["core", "diagnostic", "tree", "yaml", "schema", "config", "model"],
    ),
    ("policy", &["core", "diagnostic", "config", "rules"]),
    (
        "probe",
        &["core", "diagnostic", "tree", "config", "model", "rules"],
    ),
    ("explain", &["core", "diagnostic", "rules"]),
    ("report", &["core", "diagnostic"]),
    ("fix", &["core", "diagnostic", "tree", "yaml"]),
    ("baseline", &["core", "report"]),
    ("values", &["core", "tree", "model"]),
    (
        "app",
        &[
            "core",
            "diagnostic",
            "config",
            "input",
            "rules",
            "policy",
            "probe",
            "report",
            "fix",
        ],
    ),
    (
        "cli",
        &[
            "core", "config", "schema", "input", "rules", "probe", "explain", "report", "app", "policy",
            "fix", "baseline", "values",
        ],
    ),
];

/// The edges the architecture must never have, whatever the table says: each one once tied the
/// layers into a knot.
const FORBIDDEN: &[(&str, &str)] = &[
    ("rules", "input"),
    ("input", "report"),
    ("input", "diagnostic"),
    ("report", "input"),
    ("report", "rules"),
    ("config", "rules"),
    ("probe", "report"),
    ("probe", "explain"),
    // A fix knows the text and the tree, never the rule that made it or how files are found.
    ("fix", "rules"),
    ("fix", "input"),
];

/// The top-level modules each top-level module's code names with `crate::…`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = vec![src.clone()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(&src).unwrap();
        let first = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let edges = graph.entry(module.clone()).or_default();
        for name in crate_paths(&text) {
            if name != module {
                edges.insert(name);
            }
        }
    }
    graph
}

/// The first segment of every `crate::` path in code: `crate::core::…`, `crate::{a, b::c}`. Comments
/// and the test module at the end of a file are not code of the module.
fn crate_paths(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .take_while(|line| !line.starts_with("#[cfg(test)]"))
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut names = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != "self" {
                    names.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            names.push(name);
        }
    }
    names
}

#[test]
fn imports_run_only_down_the_layers() {
    let graph = imports();
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let mut wrong = Vec::new();
    for (module, uses) in &graph {
        let Some(may) = allowed.get(module.as_str()) else {
            wrong.push(format!(
                "`{module}` is a top-level module the layer table does not know"
            ));
            continue;
        };
        for used in uses {
            if !may.contains(&used.as_str()) {
                wrong.push(format!("`{module}` imports `{used}`, which its layer may not"));
            }
            if FORBIDDEN.contains(&(module.as_str(), used.as_str())) {
                wrong.push(format!("`{module}` → `{used}` is a forbidden edge"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_table_itself_is_layered_and_allows_no_forbidden_edge() {
    // Each module may import only modules listed before it: the table is an order, so the graph
    // it allows has no cycle.
    for (i, (module, may)) in ALLOWED.iter().enumerate() {
        for used in *may {
            let at = ALLOWED.iter().position(|(m, _)| m == used);
            assert!(
                at.is_some_and(|at| at < i),
                "`{module}` may import `{used}`, which is not below it"
            );
            assert!(!FORBIDDEN.contains(&(module, used)), "{module} → {used}");
        }
    }
}

#[test]
fn the_reader_of_imports_sees_every_form_of_path() {
    let text = "use crate::core::source::Span;\nuse crate::{input, model::Release};\n\
                // crate::report in a comment\nlet x = crate::tree::go_float(1.0);\n\
                #[cfg(test)]\nmod tests { use crate::app; }\n";
    assert_eq!(crate_paths(text), ["core", "input", "model", "tree"]);
    // And the graph of the real source names every layer.
    let graph = imports();
    for (module, _) in ALLOWED {
        assert!(graph.contains_key(*module), "no module `{module}` in src/");
    }
}
