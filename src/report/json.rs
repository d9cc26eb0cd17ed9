//! `--format json`: the format the README's "Use in CI" shows, for scripts.

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, Reporter};
use crate::diagnostic::Applicability;

pub struct Json;

#[derive(Serialize)]
struct Output<'a> {
    tool: &'static str,
    version: &'static str,
    findings: Vec<FindingOut<'a>>,
    summary: SummaryOut,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    rule: &'static str,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    deployment: Option<&'a str>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<LocationOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    log_line: Option<&'a str>,
    related: Vec<RelatedOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixOut<'a>>,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct FixOut<'a> {
    safe: bool,
    edits: Vec<EditOut<'a>>,
}

/// Byte offsets into the file as read.
#[derive(Serialize)]
struct EditOut<'a> {
    file: &'a str,
    start: u32,
    end: u32,
    text: &'a str,
}

#[derive(Serialize)]
struct LocationOut {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    file: String,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct SummaryOut {
    errors: usize,
    warnings: usize,
    infos: usize,
}

impl Reporter for Json {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let findings = report
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| FindingOut {
                rule: f.rule.id,
                severity: f.severity.as_str(),
                deployment: f.deployment.as_deref(),
                message: &f.message,
                help: f.help.as_deref(),
                location: f.span.and_then(|s| report.location(s)).map(|l| LocationOut {
                    file: l.file,
                    line: l.line,
                    column: l.column,
                    end_line: l.end_line,
                    end_column: l.end_column,
                    path: l.path,
                }),
                target: f.target.as_deref(),
                log_line: f.log_line.as_deref(),
                related: f
                    .related
                    .iter()
                    .filter_map(|r| {
                        let l = report.location(r.span)?;
                        Some(RelatedOut {
                            file: l.file,
                            line: l.line,
                            column: l.column,
                            message: &r.message,
                        })
                    })
                    .collect(),
                fix: f.fix.as_ref().map(|fix| FixOut {
                    safe: fix.applicability == Applicability::Safe,
                    edits: fix
                        .edits
                        .iter()
                        .filter(|e| report.sources.contains(e.span.source))
                        .map(|e| EditOut {
                            file: &report.sources.get(e.span.source).name,
                            start: e.span.start,
                            end: e.span.end,
                            text: &e.text,
                        })
                        .collect(),
                }),
                fingerprint: report.fingerprint(i),
            })
            .collect();
        let s = report.summary();
        let output = Output {
            tool: "acp-check",
            version: env!("CARGO_PKG_VERSION"),
            findings,
            summary: SummaryOut {
                errors: s.errors,
                warnings: s.warnings,
                infos: s.infos,
            },
        };
        serde_json::to_writer_pretty(&mut *out, &output)?;
        writeln!(out)
    }
}
