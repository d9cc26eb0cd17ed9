//! The README stays true: its rules table is the registry's, and its quick-start example exists.

#[test]
fn readme_lists_every_rule_and_its_example_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    // The rules table is `acp-check rules --format markdown`, whole and in order, so that it can be
    // regenerated from it.
    let table = acp_check::explain::rules_markdown();
    for row in table.lines() {
        assert!(readme.contains(row), "README lacks the row: {row}");
    }
    assert!(
        readme.contains(&format!("\n{table}\n")),
        "README's rules table is not the output of `acp-check rules --format markdown`: regenerate it \
         with `cargo run -- rules --format markdown`"
    );
    assert!(readme.contains("cargo run --release --locked -- lint examples/values.yaml"));
    assert!(root.join("examples/values.yaml").is_file());
    assert!(readme.contains("bash scripts/test.sh"));
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(
        ci.contains("exec bash scripts/test.sh"),
        ".ci/run runs the README's test command"
    );
}

#[test]
fn readme_states_what_looks_secret_as_the_code_does() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let table = acp_check::explain::secrets_markdown();
    assert!(
        readme.contains(&format!("\n{table}\n")),
        "README's table of what looks secret is not `explain::secrets_markdown()`:\n{table}"
    );
}
