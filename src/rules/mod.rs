//! The rule registry. Each rule family is one file holding its rules' ids, severities, docs and checks;
//! [`ALL`] lists every rule, and `acp-check rules` / `explain` read it. Every check reads a
//! [`Context`]: the deployment's model and what was read to make it.

use crate::config::Versions;
use crate::core::source::{SourceId, Sources};
use crate::diagnostic::{Finding, Rule};
use crate::model::Deployment;
use crate::tree::Node;
use crate::yaml::Problem;

/// What a check reads: one deployment, the documents and sources it was read from, the problems
/// met while reading them, and the version policy.
pub struct Context<'a> {
    pub deployment: &'a Deployment,
    /// Every document parsed, by source, in source order.
    pub documents: &'a [(SourceId, Node)],
    pub problems: &'a [Problem],
    pub sources: &'a Sources,
    pub versions: &'a Versions,
}

pub mod addresses;
pub mod durations;
pub mod encrypted;
pub mod helm_typing;
pub mod live;
pub mod passwords;
pub mod schema;
pub mod search;
pub mod suppression;
pub mod tls;
pub mod topology;
pub mod versions;
pub mod yaml;

/// Every rule, in catalogue order.
pub static ALL: &[&Rule] = &[
    &yaml::YAML_SYNTAX,
    &yaml::DUPLICATE_KEY,
    &helm_typing::AMBIGUOUS_BOOLEAN,
    &helm_typing::NUMERIC_VERSION,
    &encrypted::ENCRYPTED_VALUE,
    &schema::SCHEMA_TYPE,
    &schema::UNKNOWN_KEY,
    &versions::REDIS_VERSION_UNSUPPORTED,
    &versions::REDIS_VERSION_OUTDATED,
    &versions::REDIS_VERSION_UNKNOWN,
    &versions::CHART_VERSION_NOT_RECOMMENDED,
    &versions::CHART_KEY_UNAVAILABLE,
    &search::SEARCH_MODULE_MISSING,
    &search::SEARCH_MODULE_NOT_MOUNTED,
    &search::SEARCH_COORDINATOR_PASSWORD,
    &addresses::REDIS_ADDRS_MISSING,
    &addresses::REDIS_ADDRS_MISMATCH,
    &addresses::REDIS_SINGLE_ADDR_CLUSTER,
    &passwords::PASSWORD_MISMATCH,
    &passwords::PASSWORD_UNKNOWABLE,
    &passwords::PASSWORD_MISSING,
    &passwords::PLAINTEXT_SECRET,
    &tls::TLS_MISMATCH,
    &tls::TLS_CLIENT_CERT_MISSING,
    &tls::TLS_SECRET_INCOMPLETE,
    &tls::TLS_VERIFY_DISABLED,
    &topology::CLUSTER_TOO_FEW_MASTERS,
    &topology::CLUSTER_UNEVEN_NODES,
    &topology::CLUSTER_NO_REPLICAS,
    &topology::REFRESH_TOKENS_IN_REDIS,
    &topology::REFRESH_TOKENS_AT_RISK,
    &topology::EVICTING_MEMORY_POLICY,
    &durations::DURATION_WITHOUT_UNIT,
    &live::REDIS_UNREACHABLE,
    &live::REDIS_AUTH_FAILED,
    &live::TLS_HANDSHAKE_FAILED,
    &live::CLUSTER_STATE_FAIL,
    &live::CLUSTER_MODE_MISMATCH,
    &live::PERSISTENCE_DISABLED,
    &live::MEMORY_NEARLY_FULL,
    &live::PROBE_PERMISSION_DENIED,
    &live::SEARCH_INDEX_MISSING,
    &suppression::UNUSED_SUPPRESSION,
];

/// The rules `acp-check lint` checks: all but those only a live Redis can trigger.
pub fn lint_rules() -> Vec<&'static Rule> {
    ALL.iter().copied().filter(|r| r.checked_by.by_lint()).collect()
}

/// The rules `acp-check probe` checks, in catalogue order.
pub fn probe_rules() -> Vec<&'static Rule> {
    ALL.iter().copied().filter(|r| r.checked_by.by_probe()).collect()
}

pub fn find(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

/// Runs every check over one deployment.
pub fn check(cx: &Context) -> Vec<Finding> {
    let mut findings = yaml::check(cx);
    findings.extend(helm_typing::check(cx));
    findings.extend(schema::check(cx));
    findings.extend(versions::check(cx));
    findings.extend(search::check(cx));
    findings.extend(addresses::check(cx));
    findings.extend(passwords::check(cx));
    findings.extend(tls::check(cx));
    findings.extend(topology::check(cx));
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
                "redis-version-unsupported",
                "redis-version-outdated",
                "redis-version-unknown",
                "chart-version-not-recommended",
                "chart-key-unavailable",
                "search-module-missing",
                "search-module-not-mounted",
                "search-coordinator-password",
                "redis-addrs-missing",
                "redis-addrs-mismatch",
                "redis-single-addr-cluster",
                "password-mismatch",
                "password-unknowable",
                "password-missing",
                "plaintext-secret",
                "tls-mismatch",
                "tls-client-cert-missing",
                "tls-secret-incomplete",
                "tls-verify-disabled",
                "cluster-too-few-masters",
                "cluster-uneven-nodes",
                "cluster-no-replicas",
                "refresh-tokens-in-redis",
                "refresh-tokens-at-risk",
                "evicting-memory-policy",
                "duration-without-unit",
                "redis-unreachable",
                "redis-auth-failed",
                "tls-handshake-failed",
                "cluster-state-fail",
                "cluster-mode-mismatch",
                "persistence-disabled",
                "memory-nearly-full",
                "probe-permission-denied",
                "search-index-missing",
                "unused-suppression"
            ]
        );
    }
}
