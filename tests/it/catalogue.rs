//! The rule catalogue is a public contract (ids in configs, suppressions, CI filters, SARIF): the
//! whole of `acp-check rules --format json` is kept in `tests/snapshots/rules.json`, so that adding,
//! renaming or rewording a rule shows up in review as a diff of that file. After a deliberate change,
//! `ACP_CHECK_BLESS=1 cargo test --test it catalogue` rewrites it: read the diff before committing.

use crate::common::{acp_check, root};

#[test]
fn the_catalogue_is_the_snapshot() {
    let out = acp_check().args(["rules", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let printed = String::from_utf8(out.stdout).unwrap();
    let path = root().join("tests/snapshots/rules.json");
    if std::env::var_os("ACP_CHECK_BLESS").is_some() {
        std::fs::write(&path, &printed).unwrap();
    }
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    if printed != kept {
        let ids = |text: &str| -> Vec<String> {
            serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v["rules"].as_array().cloned())
                .unwrap_or_default()
                .iter()
                .map(|r| r["id"].as_str().unwrap_or_default().to_string())
                .collect()
        };
        panic!(
            "`acp-check rules --format json` differs from tests/snapshots/rules.json \
             (rule ids now: {:?}; in the snapshot: {:?}); if the change is meant, bless it with \
             ACP_CHECK_BLESS=1",
            ids(&printed),
            ids(&kept)
        );
    }
}
