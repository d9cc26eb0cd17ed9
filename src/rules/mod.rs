//! The rule registry. Each rule is one file named after its id, in a family folder
//! (`rules/tls/tls_mismatch.rs` is `tls-mismatch`): its id, severity, summary and docs, the messages
//! of its findings, and its check. [`registry!`] below is the only list of rules: it makes [`ALL`]
//! (the catalogue `acp-check rules` and `explain` read) and [`check`] (every lint check, run over a
//! [`Context`]).

pub mod auth;
pub mod connection;
pub mod durability;
pub mod fix;
pub mod images;
pub mod schema;
pub mod search;
pub mod suppression;
pub mod tls;
pub mod topology;
pub mod values;
pub mod versions;
pub mod yaml;

use std::sync::OnceLock;

use crate::config::Versions;
use crate::core::source::{SourceId, Sources};
use crate::diagnostic::{Applicability, Finding, Rule};
use crate::model::platform::Platform;
use crate::model::{Deployment, RedisCluster};
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
    /// The schema pass, shared by the rules that report its violations (made on first use).
    schema: OnceLock<Vec<Finding>>,
    /// What the clusters' images resolve to, shared by the image rules (made on first use).
    images: OnceLock<Vec<images::Readings<'a>>>,
    /// The deployment's clusters and platforms, their scopes made once for every rule.
    clusters: OnceLock<Vec<RedisCluster<'a>>>,
    platforms: OnceLock<Vec<Platform<'a>>>,
    /// The version policy of the deployment's platforms ([`versions::Policy::of`]).
    pub(crate) policy: OnceLock<versions::Policy>,
}

impl<'a> Context<'a> {
    pub fn new(
        deployment: &'a Deployment,
        documents: &'a [(SourceId, Node)],
        problems: &'a [Problem],
        sources: &'a Sources,
        versions: &'a Versions,
    ) -> Context<'a> {
        Context {
            deployment,
            documents,
            problems,
            sources,
            versions,
            schema: OnceLock::new(),
            images: OnceLock::new(),
            clusters: OnceLock::new(),
            platforms: OnceLock::new(),
            policy: OnceLock::new(),
        }
    }

    /// [`Deployment::redis_clusters`], made once.
    pub fn redis_clusters(&self) -> impl Iterator<Item = RedisCluster<'a>> + '_ {
        let deployment = self.deployment;
        self.clusters
            .get_or_init(|| deployment.redis_clusters().collect())
            .iter()
            .copied()
    }

    /// [`Deployment::platforms`], made once.
    pub fn platforms(&self) -> impl Iterator<Item = Platform<'a>> + '_ {
        let deployment = self.deployment;
        self.platforms
            .get_or_init(|| deployment.platforms().collect())
            .iter()
            .copied()
    }

    /// The findings of `rule` among those of the schema pass ([`schema::pass`]).
    pub fn schema_findings(&self, rule: &Rule) -> impl Iterator<Item = Finding> + '_ {
        let id = rule.id;
        self.schema
            .get_or_init(|| schema::pass(self))
            .iter()
            .filter(move |f| f.rule.id == id)
            .cloned()
    }
}

/// Lists every rule once, in catalogue order, as `family::rule_file`, with `=> check` for a rule
/// that `acp-check lint` checks (the others are the probe's, or made by `crate::policy`), and
/// `+ FIX` for a rule whose findings can carry a fix (its file's `FIX` says how safe it is).
macro_rules! registry {
    ($($family:ident :: $rule:ident $(=> $check:ident $(+ $fix:ident)?)?),* $(,)?) => {
        /// Every rule, in catalogue order.
        pub static ALL: &[&Rule] = &[$(&$family::$rule::RULE),*];

        /// Runs every lint check over one deployment, in catalogue order.
        pub fn check(cx: &Context) -> Vec<Finding> {
            let mut out = Vec::new();
            $($( $family::$rule::$check(cx, &mut out); )?)*
            place_defaults(&mut out, cx.deployment);
            versions::chart_unknown::fold_assumed(&mut out);
            out
        }

        /// Whether a rule's findings can carry a fix, and how safe it is (`None`: it has none).
        pub fn fix_of(rule: &Rule) -> Option<Applicability> {
            $($($(
                if std::ptr::eq(rule, &$family::$rule::RULE) {
                    return Some($family::$rule::$fix);
                }
            )?)?)*
            None
        }
    };
}

registry! {
    yaml::yaml_syntax => check,
    yaml::duplicate_key => check + FIX,
    values::ambiguous_boolean => check + FIX,
    values::numeric_version => check + FIX,
    values::encrypted_value => check,
    schema::schema_type => check,
    schema::unknown_key => check + FIX,
    versions::redis_version_unsupported => check,
    versions::redis_version_outdated => check + FIX,
    versions::redis_version_unknown => check,
    versions::chart_version_not_recommended => check,
    versions::chart_key_unavailable => check,
    versions::redis_config_incompatible => check,
    versions::chart_unknown => check,
    images::image_unavailable => check + FIX,
    images::image_frozen => check,
    images::image_substitution_blocked => check,
    images::image_not_cluster => check,
    images::image_reference_invalid => check,
    values::values_not_passed => check,
    values::resource_name_invalid => check,
    search::search_module_missing => check,
    search::search_module_not_mounted => check,
    search::search_coordinator_password => check,
    search::search_module_incompatible => check,
    connection::redis_addrs_missing => check,
    connection::redis_addrs_mismatch => check,
    connection::redis_single_addr_cluster => check,
    connection::cross_release_unchecked => check,
    auth::password_mismatch => check,
    auth::password_unknowable => check,
    auth::password_missing => check,
    auth::password_disabled => check,
    auth::plaintext_secret => check,
    tls::tls_mismatch => check,
    tls::tls_client_cert_missing => check,
    tls::tls_secret_incomplete => check,
    tls::tls_verify_disabled => check,
    topology::cluster_too_few_masters => check,
    topology::cluster_uneven_nodes => check,
    topology::cluster_no_replicas => check,
    topology::cluster_update_refused => check,
    durability::refresh_tokens_in_redis => check,
    durability::refresh_tokens_at_risk => check,
    durability::evicting_memory_policy => check + FIX,
    values::duration_without_unit => check + FIX,
    connection::redis_unreachable,
    auth::redis_auth_failed,
    tls::tls_handshake_failed,
    topology::cluster_state_fail,
    connection::cluster_mode_mismatch,
    durability::persistence_disabled => check,
    durability::memory_nearly_full,
    connection::probe_permission_denied,
    search::search_index_missing,
    suppression::unused_suppression,
}

/// Findings the checks placed on a chart's default value, which no file holds, move to where the
/// release's values for that chart are written, and say whose default it is; a related place that
/// is a default goes.
fn place_defaults(findings: &mut [Finding], deployment: &Deployment) {
    use crate::core::source::Span;
    let is_default = |span: &Span| span.source.is_builtin();
    if !findings
        .iter()
        .any(|f| f.span.as_ref().is_some_and(is_default) || f.related.iter().any(|r| is_default(&r.span)))
    {
        return;
    }
    let mut anchors: Vec<(SourceId, Span)> = Vec::new();
    for release in &deployment.releases {
        for chart in crate::model::charts::Chart::ALL {
            if let Some(scope) = release.scope(chart) {
                let anchor = scope.anchor();
                anchors.extend(scope.default_sources().map(|id| (id, anchor)));
            }
        }
    }
    for finding in findings {
        // A finding about a default and something the user wrote points at what the user wrote.
        if finding.span.as_ref().is_some_and(is_default) {
            if let Some(i) = finding.related.iter().position(|r| !is_default(&r.span)) {
                let written = finding.related.remove(i);
                let default = finding.span.replace(written.span).expect("checked above");
                let label = finding.label.replace(written.message);
                finding.related.insert(
                    i,
                    crate::diagnostic::Related {
                        span: default,
                        message: label.unwrap_or_default(),
                    },
                );
            }
        }
        // A default cannot be shown as a line: the message says where it comes from.
        for related in finding.related.iter().filter(|r| is_default(&r.span)) {
            if let Some(default) = crate::model::charts::default_phrase(related.span.source) {
                finding
                    .message
                    .push_str(&format!(" ({}: {default})", related.message));
            }
        }
        finding.related.retain(|r| !is_default(&r.span));
        let Some(span) = finding.span.filter(is_default) else {
            continue;
        };
        finding.span = anchors
            .iter()
            .find(|(id, _)| *id == span.source)
            .map(|(_, at)| *at);
        if let Some(default) = crate::model::charts::default_phrase(span.source) {
            finding.message.push_str(&format!(" ({default})"));
        }
    }
}

/// A finding about a value acp-check cannot settle: lowered to info, its help saying what could
/// settle it before what it would otherwise advise.
pub fn unsettled(finding: Finding, why: crate::model::Unsettled) -> Finding {
    let help = match &finding.help {
        Some(help) => format!(
            "could not be checked: {}. If it is a problem: {help}",
            why.explain()
        ),
        None => format!("could not be checked: {}", why.explain()),
    };
    let assumed = match why {
        crate::model::Unsettled::Parent(chart) => Some(chart.name()),
        _ => None,
    };
    Finding {
        assumed_chart: assumed,
        ..finding.unverified().help(help)
    }
}

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
            // A rule with a fix says how safe it is, and only such a rule.
            assert_eq!(
                rule.docs.contains("## Fix safety"),
                fix_of(rule).is_some(),
                "{}: a fix and a `## Fix safety` section go together",
                rule.id
            );
            if let Some(fix) = fix_of(rule) {
                let said = format!(
                    "## Fix safety\n{}:",
                    if fix == Applicability::Safe {
                        "Safe"
                    } else {
                        "Unsafe"
                    }
                );
                assert!(
                    rule.docs.contains(&said),
                    "{}'s Fix safety section starts with its {fix:?}",
                    rule.id
                );
            }
        }
    }

    #[test]
    fn each_rule_is_the_file_named_after_its_id() {
        for rule in ALL {
            let file = std::path::Path::new(rule.file);
            assert_eq!(
                file.file_stem().and_then(|s| s.to_str()),
                Some(rule.id.replace('-', "_").as_str()),
                "{} is defined in {}",
                rule.id,
                rule.file
            );
            let family = file.parent().and_then(|p| p.file_name()).and_then(|s| s.to_str());
            assert!(
                family.is_some_and(|f| f != "rules") && file.starts_with("src/rules"),
                "{} sits in no family folder under src/rules: {}",
                rule.id,
                rule.file
            );
            let text =
                std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rule.file))
                    .unwrap();
            assert!(text.contains(&format!("id: \"{}\"", rule.id)), "{}", rule.file);
        }
    }
}
