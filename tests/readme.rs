//! The README stays true: every rule is in its table, and its quick-start example exists.

#[test]
fn readme_lists_every_rule_and_its_example_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for rule in acp_check::rules::ALL {
        let row = format!(
            "| `{}` | {} | {} |",
            rule.id,
            rule.severity.as_str(),
            rule.summary
        );
        assert!(readme.contains(&row), "README lacks the row: {row}");
    }
    assert!(readme.contains("cargo run --release --locked -- lint examples/values.yaml"));
    assert!(root.join("examples/values.yaml").is_file());
    assert!(readme.contains("bash scripts/test.sh"));
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    assert!(
        ci.contains("exec bash scripts/test.sh"),
        ".ci/run runs the README's test command"
    );
}
