//! Reporters: one trait, one implementation per `--format`. A reporter sees findings with their
//! locations resolved and secrets masked; it knows no rule.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use crate::finding::{Finding, Severity};
use crate::input::Loaded;
use crate::source::{SourceId, Span, MASK};

pub mod human;
pub mod json;

/// A resolved place: 1-based lines and columns (end exclusive), the file's name and the JSON pointer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub path: Option<String>,
}

/// Replaces every secret of `sources` that reached a finding's message, help or labels with `***`.
pub fn mask(findings: &mut [Finding], sources: &crate::source::Sources) {
    let mut secrets: Vec<&str> = sources
        .iter()
        .flat_map(|(_, s)| s.redactions.iter().filter_map(|r| s.text.get(r.clone())))
        .filter(|s| s.len() >= 3)
        .collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    let mask = |text: &mut String| {
        for secret in &secrets {
            if text.contains(secret) {
                *text = text.replace(secret, MASK);
            }
        }
    };
    for f in findings {
        mask(&mut f.message);
        f.help.iter_mut().for_each(mask);
        f.label.iter_mut().for_each(mask);
        f.related.iter_mut().for_each(|r| mask(&mut r.message));
    }
}

/// What every reporter gets: the findings (masked, sorted) and how to show where they are.
pub struct Report<'a> {
    pub findings: Vec<Finding>,
    pub loaded: Option<&'a Loaded>,
    /// Sources' texts with secrets replaced by `***`, made on first use.
    redacted: std::cell::RefCell<HashMap<SourceId, Arc<crate::source::Redacted>>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl<'a> Report<'a> {
    /// Sorts the findings by place and masks any secret that reached a message.
    pub fn new(mut findings: Vec<Finding>, loaded: Option<&'a Loaded>) -> Report<'a> {
        if let Some(loaded) = loaded {
            mask(&mut findings, &loaded.sources);
        }
        Report::masked(findings, loaded)
    }

    /// Sorts findings whose secrets are masked already (by [`crate::lint`], deployment by
    /// deployment: masking each finding with every secret of a large run would take quadratic time).
    pub fn masked(mut findings: Vec<Finding>, loaded: Option<&'a Loaded>) -> Report<'a> {
        findings.sort_by_key(|f| {
            (
                f.span.map(|s| (s.source, s.start, s.end)),
                std::cmp::Reverse(f.severity),
            )
        });
        Report {
            findings,
            loaded,
            redacted: Default::default(),
        }
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for f in &self.findings {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }

    pub fn location(&self, span: Span) -> Option<Location> {
        let loaded = self.loaded?;
        if !loaded.sources.contains(span.source) {
            return None;
        }
        let source = loaded.sources.get(span.source);
        let p = source.position(span.range());
        Some(Location {
            file: source.name.clone(),
            line: p.line,
            column: p.column,
            end_line: p.end_line,
            end_column: p.end_column,
            path: loaded.pointer(span),
        })
    }

    /// A source's name and text with secrets masked, and the span mapped into that text.
    pub fn redacted_source(
        &self,
        span: Span,
    ) -> Option<(String, Arc<crate::source::Redacted>, std::ops::Range<usize>)> {
        let loaded = self.loaded?;
        if !loaded.sources.contains(span.source) {
            return None;
        }
        let source = loaded.sources.get(span.source);
        let redacted = self
            .redacted
            .borrow_mut()
            .entry(span.source)
            .or_insert_with(|| Arc::new(source.redacted()))
            .clone();
        let range = redacted.offset(span.start as usize)..redacted.offset(span.end as usize);
        Some((source.name.clone(), redacted, range))
    }

    /// Number of files (and flags) read.
    pub fn inputs(&self) -> usize {
        self.loaded.map_or(0, |l| l.sources.len())
    }
}

/// One output format.
pub trait Reporter {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}
