//! The cap on findings of one rule in one file: a report shows the first
//! [`MAX_PER_RULE_AND_FILE`] of them, then one more finding that says how many more there are, at
//! the highest severity among those left out, so that the summary and the exit code stay what they
//! would have been. 8 MB of suppression comments made a million `unused-suppression` findings, a
//! 400 MB report and 1.5 GB of memory; no real file has a hundred findings of one rule.

use std::collections::HashMap;

use crate::core::source::{SourceId, Span};
use crate::diagnostic::{Finding, Rule, Severity};

/// The most findings of one rule in one file (or, for findings not in a file, in the run) kept.
pub const MAX_PER_RULE_AND_FILE: usize = 100;

/// Findings kept so far, counted by rule and file, and what was left out.
#[derive(Default)]
pub(super) struct Cap {
    /// By (file, rule id): the number kept, and what was left out.
    counts: HashMap<(Option<SourceId>, &'static str), Count>,
    /// The keys with findings left out, in the order the first was left out.
    over: Vec<(Option<SourceId>, &'static Rule)>,
}

#[derive(Default)]
struct Count {
    kept: usize,
    left_out: usize,
    /// The first finding left out's place, and the highest severity left out.
    first: Option<Span>,
    severity: Option<Severity>,
}

impl Cap {
    /// Whether a finding of `rule` at `span` would be kept: when it would not, it is counted, and
    /// need not be made at all.
    pub(super) fn room(&mut self, rule: &'static Rule, span: Option<Span>, severity: Severity) -> bool {
        let key = (span.map(|s| s.source), rule.id);
        let count = self.counts.entry(key).or_default();
        if count.kept < MAX_PER_RULE_AND_FILE {
            count.kept += 1;
            return true;
        }
        if count.left_out == 0 {
            self.over.push((key.0, rule));
            count.first = span;
        }
        count.left_out += 1;
        count.severity = count.severity.max(Some(severity));
        false
    }

    /// Keeps `finding` in `kept`, or counts it as left out.
    pub(super) fn keep(&mut self, kept: &mut Vec<Finding>, finding: Finding) {
        if self.room(finding.rule, finding.span, finding.severity) {
            kept.push(finding);
        }
    }

    /// One finding per rule and file with findings left out, saying how many.
    pub(super) fn left_out(self) -> impl Iterator<Item = Finding> {
        let mut counts = self.counts;
        self.over.into_iter().filter_map(move |(source, rule)| {
            let count = counts.remove(&(source, rule.id))?;
            let place = if source.is_some() { " in this file" } else { "" };
            let mut finding = Finding::new(
                rule,
                format!(
                    "and {} more `{}` findings{place}, not shown: a report shows the first \
                     {MAX_PER_RULE_AND_FILE} of a rule in a file",
                    count.left_out, rule.id
                ),
            );
            finding.span = count.first;
            finding.severity = count.severity.unwrap_or(rule.severity);
            Some(finding)
        })
    }
}
