//! The cap on findings of one rule in one file: a report shows the first
//! [`MAX_PER_RULE_AND_FILE`] of them, then one more finding that says how many more there are, at
//! the highest severity among those left out, so that the summary and the exit code stay what they
//! would have been. 8 MB of suppression comments made a million `unused-suppression` findings, a
//! 400 MB report and 1.5 GB of memory; no real file has a hundred findings of one rule.

use std::collections::HashMap;

use crate::core::source::{SourceId, Span};
use crate::diagnostic::{Finding, Rule, Severity};

/// The most findings of one rule in one file kept (findings in no file, the probe's, are not capped).
pub const MAX_PER_RULE_AND_FILE: usize = 100;

/// A rule and the file its finding is in (`None`: not in a file). The rule by its address: every
/// rule is a static.
type Key = (Option<SourceId>, usize);

fn key(rule: &'static Rule, span: Option<Span>) -> Key {
    (span.map(|s| s.source), rule as *const Rule as usize)
}

/// Findings kept so far, counted by rule and file once there are enough for any to be over the
/// cap, and what was left out. Until then it only counts them: most deployments have a handful of
/// findings, and hashing each would cost more than the rest of the policy.
#[derive(Default)]
pub(super) struct Cap {
    /// Findings kept while not counted by rule and file.
    kept: usize,
    /// By rule and file: the number kept, and what was left out.
    counts: Option<HashMap<Key, Count>>,
    /// The rules and files with findings left out, in the order the first was left out.
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
    /// Whether a finding of `rule` at `span` would be kept, `kept` being every finding kept so
    /// far: when it would not, it is counted, and need not be made at all.
    pub(super) fn room(
        &mut self,
        kept: &[Finding],
        rule: &'static Rule,
        span: Option<Span>,
        severity: Severity,
    ) -> bool {
        // A finding in no file is a probe's, about one node: `--max-nodes` bounds those.
        if span.is_none() {
            return true;
        }
        let counts = match &mut self.counts {
            Some(counts) => counts,
            None if self.kept < MAX_PER_RULE_AND_FILE => {
                self.kept += 1;
                return true;
            }
            None => {
                let mut counts: HashMap<Key, Count> = HashMap::new();
                for f in kept {
                    counts.entry(key(f.rule, f.span)).or_default().kept += 1;
                }
                self.counts.insert(counts)
            }
        };
        let count = counts.entry(key(rule, span)).or_default();
        if count.kept < MAX_PER_RULE_AND_FILE {
            count.kept += 1;
            return true;
        }
        if count.left_out == 0 {
            self.over.push((span.map(|s| s.source), rule));
            count.first = span;
        }
        count.left_out += 1;
        count.severity = count.severity.max(Some(severity));
        false
    }

    /// Keeps `finding` in `kept`, or counts it as left out.
    pub(super) fn keep(&mut self, kept: &mut Vec<Finding>, finding: Finding) {
        if self.room(kept, finding.rule, finding.span, finding.severity) {
            kept.push(finding);
        }
    }

    /// One finding per rule and file with findings left out, saying how many.
    pub(super) fn left_out(self) -> Vec<Finding> {
        // Nothing counted by rule and file (the common case): nothing left out.
        let Some(mut counts) = self.counts else {
            return Vec::new();
        };
        self.over
            .into_iter()
            .filter_map(|(source, rule)| {
                let count = counts.remove(&(source, rule as *const Rule as usize))?;
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
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_counts_by_rule_and_file_once_there_are_enough_findings() {
        let [a, b] = [crate::rules::ALL[0], crate::rules::ALL[1]];
        let at = |source: u32| Some(Span::new(SourceId(source), 0..1));
        let mut cap = Cap::default();
        let mut kept = Vec::new();
        // 60 of each of two rules in one file, and 150 of one in another: counted by rule and file
        // only past the first 100 findings in all.
        for rule in [a, b] {
            for _ in 0..60 {
                cap.keep(&mut kept, Finding::new(rule, "x").at(at(0).unwrap()));
            }
        }
        for _ in 0..150 {
            cap.keep(&mut kept, Finding::new(a, "x").at(at(1).unwrap()));
        }
        // 50 more of the first rule in the first file: 40 fit, 10 do not.
        for i in 0..50 {
            let mut finding = Finding::new(a, "x").at(at(0).unwrap());
            finding.severity = if i == 49 { Severity::Error } else { Severity::Info };
            cap.keep(&mut kept, finding);
        }
        assert_eq!(kept.len(), 60 + 60 + 100 + 40);
        let left_out: Vec<(String, Option<Span>, Severity)> = cap
            .left_out()
            .into_iter()
            .map(|f| (f.message, f.span, f.severity))
            .collect();
        let message = |n: usize| {
            format!(
                "and {n} more `{}` findings in this file, not shown: a report shows the first 100 of a rule in a file",
                a.id
            )
        };
        assert_eq!(
            left_out,
            [
                (message(50), at(1), a.severity),
                (message(10), at(0), Severity::Error)
            ]
        );
    }
}
