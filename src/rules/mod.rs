//! The rule registry. Each rule family is one file holding its rules' ids, severities, docs and checks;
//! [`ALL`] lists every rule, and `acp-check rules` / `explain` read it.

use crate::finding::{Finding, Severity};
use crate::input::Loaded;

pub mod durations;
pub mod encrypted;
pub mod helm_typing;
pub mod schema;
pub mod yaml;

/// A rule: a stable id, a default severity, a one-line summary and a page of docs.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable kebab-case id: scripts, configs and suppressions use it.
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// Markdown with the headings *What it checks*, *Why it matters*, *How to fix*, *Example*.
    pub docs: &'static str,
}

/// Every rule, in catalogue order.
pub static ALL: &[&Rule] = &[
    &yaml::YAML_SYNTAX,
    &yaml::DUPLICATE_KEY,
    &helm_typing::AMBIGUOUS_BOOLEAN,
    &helm_typing::NUMERIC_VERSION,
    &encrypted::ENCRYPTED_VALUE,
    &schema::SCHEMA_TYPE,
    &schema::UNKNOWN_KEY,
    &durations::DURATION_WITHOUT_UNIT,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

/// Runs every check over what was loaded.
pub fn check(loaded: &Loaded) -> Vec<Finding> {
    let mut findings = yaml::check(loaded);
    findings.extend(helm_typing::check(loaded));
    findings.extend(schema::check(loaded));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for rule in ALL {
            assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
            assert!(
                rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                rule.id
            );
            assert!(!rule.summary.is_empty(), "{} has no summary", rule.id);
            for heading in [
                "## What it checks",
                "## Why it matters",
                "## How to fix",
                "## Example",
            ] {
                assert!(rule.docs.contains(heading), "{} docs lack {heading}", rule.id);
            }
        }
    }

    #[test]
    fn catalogue_of_ids() {
        // A rename or removal shows up here in review: ids are a public contract.
        let ids: Vec<&str> = ALL.iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            [
                "yaml-syntax",
                "duplicate-key",
                "ambiguous-boolean",
                "numeric-version",
                "encrypted-value",
                "schema-type",
                "unknown-key",
                "duration-without-unit"
            ]
        );
    }
}
