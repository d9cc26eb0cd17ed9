//! Human output: miette's graphical report (snippet, labelled span, rule id, help), coloured on a
//! terminal, plain text otherwise; a summary line at the end.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteSpanContents, NamedSource,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Report, Reporter};
use crate::core::source::Redacted;
use crate::core::text::file_name;
use crate::diagnostic::{Applicability, Finding, Severity};

pub struct Human {
    pub color: bool,
    pub width: usize,
}

impl Reporter for Human {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false);
        let render = |findings: &[Finding]| {
            let mut text = String::new();
            for finding in findings {
                let diagnostic = Diag::new(finding, report);
                let mut one = String::new();
                if handler.render_report(&mut one, &diagnostic).is_err() {
                    one = format!("{}: {}\n", finding.rule.id, finding.message);
                }
                text.push_str(&one);
            }
            text
        };
        // A tree's thousands of findings are drawn on every core, and written in order; findings
        // of a named deployment (a Flux cluster) come under its heading.
        let mut rest: &[Finding] = &report.findings;
        while let Some(first) = rest.first() {
            let end = rest
                .iter()
                .position(|f| f.deployment != first.deployment)
                .unwrap_or(rest.len());
            let (group, after) = rest.split_at(end);
            rest = after;
            if let Some(name) = &first.deployment {
                let mut heading = format!("── deployment {name} ──\n\n");
                crate::core::text::escape_controls(&mut heading);
                out.write_all(heading.as_bytes())?;
            }
            let chunks: Vec<&[Finding]> = group.chunks(FINDINGS_PER_TASK).collect();
            for text in crate::core::parallel::map(chunks, render) {
                out.write_all(text.as_bytes())?;
            }
        }
        let s = report.summary();
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        // A directory search says how many files it read and skipped (`--verbose` lists them).
        let files = report
            .files
            .map(|(read, skipped)| format!("{} read, {skipped} skipped", plural(read, "file")));
        if report.findings.is_empty() {
            writeln!(
                out,
                "acp-check: no problems found ({})",
                files.unwrap_or_else(|| format!("{} read", plural(report.inputs(), "input")))
            )
        } else {
            writeln!(
                out,
                "acp-check: {}, {}, {}{}",
                plural(s.errors, "error"),
                plural(s.warnings, "warning"),
                plural(s.infos, "info"),
                files.map(|f| format!(" ({f})")).unwrap_or_default()
            )?;
            let fixable = |safe: bool| {
                report
                    .findings
                    .iter()
                    .filter(|f| {
                        f.fix
                            .as_ref()
                            .is_some_and(|x| (x.applicability == Applicability::Safe) == safe)
                    })
                    .count()
            };
            match (fixable(true), fixable(false)) {
                (0, 0) => Ok(()),
                (0, risky) => writeln!(out, "acp-check: {risky} fixable with --fix --unsafe-fixes"),
                (safe, 0) => writeln!(out, "acp-check: {safe} fixable with --fix"),
                (safe, risky) => writeln!(
                    out,
                    "acp-check: {safe} fixable with --fix ({risky} more with --fix --unsafe-fixes)"
                ),
            }
        }
    }
}

/// Findings drawn by one task: few enough to share a tree's work between the cores, enough that
/// a handful of findings is drawn without starting a thread.
const FINDINGS_PER_TASK: usize = 256;

/// A finding as miette sees it. Related places in the same source become extra labels; places in
/// other sources become related diagnostics with their own snippet.
struct Diag {
    message: String,
    code: &'static str,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<Arc<RedactedText>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Diag>,
}

/// The masked text of a source, shared by all diagnostics in it.
struct RedactedText(Arc<Redacted>);

impl SourceCode for RedactedText {
    /// miette's own reading counts lines from the start of the text, for every finding: give it the
    /// text from the first line it shows instead, so that many findings in a large file stay fast.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, miette::MietteError> {
        let redacted = &self.0;
        let first = redacted
            .line_of(span.offset())
            .saturating_sub(context_lines_before);
        let window = redacted.line(first).start;
        let local = SourceSpan::new((span.offset() - window).into(), span.len());
        let contents =
            redacted.text[window..].read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new(
            contents.data(),
            SourceSpan::new((contents.span().offset() + window).into(), contents.span().len()),
            contents.line() + first,
            contents.column(),
            contents.line_count(),
        )))
    }
}

/// Longest line shown in a snippet, in bytes. A finding on (or next to) a longer line is shown without
/// its snippet: a megabyte line helps no one, and miette fails on lines of 64 KiB.
const MAX_SHOWN_LINE: usize = 4096;

/// True when the lines around `range` (those miette shows) are short enough to show.
fn showable(text: &Redacted, range: &std::ops::Range<usize>) -> bool {
    let first = text.line_of(range.start).saturating_sub(1);
    let last = text.line_of(range.end) + 1;
    (first..=last).all(|line| text.line(line).len() <= MAX_SHOWN_LINE)
}

impl Diag {
    fn new(finding: &Finding, report: &Report) -> Diag {
        let mut diag = Diag {
            message: finding.message.clone(),
            code: finding.rule.id,
            severity: match finding.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            },
            help: finding.help.clone(),
            source: None,
            labels: Vec::new(),
            related: Vec::new(),
        };
        if let Some(target) = &finding.target {
            diag.message = format!("{target}: {}", diag.message);
        }
        if let Some(line) = &finding.log_line {
            diag.message = format!("{}\n  the platform would log: {line}", diag.message);
        }
        let Some(span) = finding.span else { return diag };
        let Some((name, text, range)) = report.redacted_source(span) else {
            return diag;
        };
        let same_source = finding.related.iter().filter(|r| r.span.source == span.source);
        let related_ranges: Vec<_> = same_source
            .filter_map(|r| report.redacted_source(r.span).map(|(_, _, range)| range))
            .collect();
        if !showable(&text, &range) || !related_ranges.iter().all(|r| showable(&text, r)) {
            if let Some(at) = report.location(span) {
                diag.message = format!(
                    "{}\nat {}:{}:{} (the line is too long to show)",
                    diag.message,
                    file_name(&at.file),
                    at.line,
                    at.column
                );
            }
            return diag;
        }
        diag.source =
            Some(NamedSource::new(file_name(&name), Arc::new(RedactedText(text))).with_language("yaml"));
        diag.labels
            .push(LabeledSpan::new_primary_with_span(finding.label.clone(), range));
        for related in &finding.related {
            let Some((name, text, range)) = report.redacted_source(related.span) else {
                continue;
            };
            if related.span.source == span.source {
                diag.labels
                    .push(LabeledSpan::new_with_span(Some(related.message.clone()), range));
            } else {
                diag.related.push(Diag {
                    message: related.message.clone(),
                    code: finding.rule.id,
                    severity: miette::Severity::Advice,
                    help: None,
                    source: showable(&text, &range).then(|| {
                        NamedSource::new(file_name(&name), Arc::new(RedactedText(text))).with_language("yaml")
                    }),
                    labels: vec![LabeledSpan::new_primary_with_span(None, range)],
                    related: Vec::new(),
                });
            }
        }
        diag
    }
}

impl fmt::Debug for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }
}
