//! `--format rdjson`: reviewdog's Diagnostic Format (`DiagnosticResult`, read by `reviewdog
//! -f=rdjson`), so that reviewdog posts the findings on a pull or merge request, and each fix as a
//! suggested change a reviewer can apply with one click. Columns are 1-based and count UTF-8
//! bytes, as the format says; ranges end before their end. A fix is one suggestion, from its first
//! edit to its last (the text between them kept), unless that text holds a secret. A live finding
//! has no location: its target starts the message.

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::{message_with_help, Report, Reporter, RULES_DOCS_URL};
use crate::core::source::{Source, Span};
use crate::diagnostic::{Finding, Severity};

pub struct Rdjson;

impl Reporter for Rdjson {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let diagnostics: Vec<Value> = report.findings.iter().map(|f| diagnostic(f, report)).collect();
        let result = json!({
            "source": {"name": "acp-check", "url": env!("CARGO_PKG_REPOSITORY")},
            "diagnostics": diagnostics,
        });
        serde_json::to_writer_pretty(&mut *out, &result)?;
        writeln!(out)
    }
}

fn diagnostic(finding: &Finding, report: &Report) -> Value {
    let mut d = Map::new();
    let mut message = message_with_help(finding);
    if let Some(target) = &finding.target {
        message = format!("{target}: {message}");
    }
    d.insert("message".into(), json!(message));
    let place = finding.span.and_then(|s| location(report, s));
    if let Some(place) = &place {
        d.insert("location".into(), place.clone());
    }
    d.insert(
        "severity".into(),
        json!(match finding.severity {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
            Severity::Info => "INFO",
        }),
    );
    d.insert(
        "code".into(),
        json!({"value": finding.rule.id, "url": RULES_DOCS_URL}),
    );
    if let Some(suggestion) = place.as_ref().and_then(|_| suggestion(finding, report)) {
        d.insert("suggestions".into(), json!([suggestion]));
    }
    let related: Vec<Value> = finding
        .related
        .iter()
        .filter_map(|r| Some(json!({"message": r.message, "location": location(report, r.span)?})))
        .collect();
    if !related.is_empty() {
        d.insert("related_locations".into(), Value::Array(related));
    }
    Value::Object(d)
}

/// A place as rdjson writes it: the file's path and the range, in lines and byte columns.
fn location(report: &Report, span: Span) -> Option<Value> {
    let l = report.location(span)?;
    let source = report.sources.get(span.source);
    Some(json!({"path": l.file, "range": range(source, span.start as usize, span.end as usize)}))
}

fn range(source: &Source, start: usize, end: usize) -> Value {
    let (line, column) = source.line_byte_col(start);
    let (end_line, end_column) = source.line_byte_col(end.max(start));
    json!({
        "start": {"line": line, "column": column},
        "end": {"line": end_line, "column": end_column},
    })
}

/// The finding's fix as one suggestion in the finding's file: the range from its first edit to its
/// last, and the text that range holds once fixed.
fn suggestion(finding: &Finding, report: &Report) -> Option<Value> {
    let fix = finding.fix.as_ref()?;
    let file = finding.span?.source;
    if fix.edits.iter().any(|e| e.span.source != file) || !report.sources.contains(file) {
        return None;
    }
    let source = report.sources.get(file);
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|e| e.span.start);
    let (start, end) = (
        edits.first()?.span.start as usize,
        edits.last()?.span.end as usize,
    );
    let mut text = String::new();
    let mut at = start;
    for edit in edits {
        // The text kept between two edits is shown as it is: never when it is secret.
        let kept = edit.span.start as usize;
        if kept > at {
            text.push_str(source.snippet(at..kept)?);
        }
        text.push_str(&edit.text);
        at = edit.span.end as usize;
    }
    Some(json!({"range": range(source, start, end), "text": text}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::source::SourceId;
    use crate::diagnostic::{Applicability, Fix};
    use crate::report::testing;

    #[test]
    fn a_fix_is_a_suggestion_with_byte_columns() {
        let sources = testing::sources();
        let mut findings = testing::findings();
        findings[1] = findings[1].clone().fix(Some(Fix::replace(
            Applicability::Unsafe,
            testing::span("0", 0),
            "1",
        )));
        let report = testing::report(findings, &sources);
        let mut out = Vec::new();
        Rdjson.report(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("hunter2"));
        let result: Value = serde_json::from_str(&text).unwrap();
        let replicas = &result["diagnostics"][1];
        assert_eq!(replicas["code"]["value"], "cluster-no-replicas");
        assert_eq!(replicas["severity"], "WARNING");
        assert_eq!(
            replicas["suggestions"][0],
            json!({"range": {"start": {"line": 4, "column": 15}, "end": {"line": 4, "column": 16}}, "text": "1"})
        );
        let live = &result["diagnostics"][0];
        assert!(live.get("location").is_none());
        assert!(live["message"].as_str().unwrap().starts_with("127.0.0.1:7000: "));
        let dup = &result["diagnostics"][2];
        assert_eq!(
            dup["related_locations"][0]["location"]["range"]["start"]["line"],
            2
        );
        let _ = SourceId(0);
    }
}
