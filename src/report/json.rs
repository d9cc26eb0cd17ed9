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
    location: Option<LocationOut<'a>>,
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
struct LocationOut<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    file: &'a str,
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
        let s = report.summary();
        let summary = SummaryOut {
            errors: s.errors,
            warnings: s.warnings,
            infos: s.infos,
        };
        // The document as serde_json writes it pretty, with the findings written apart (on every
        // core, for a large report): each is indented as it would be in place, line by line (a
        // JSON string holds no line break).
        let header = Output {
            tool: "acp-check",
            version: env!("CARGO_PKG_VERSION"),
            findings: Vec::new(),
            summary,
        };
        let whole = serde_json::to_string_pretty(&header).map_err(io::Error::other)?;
        let (before, after) = whole
            .split_once("\"findings\": []")
            .expect("the findings are a key of the output");
        out.write_all(before.as_bytes())?;
        if report.findings.is_empty() {
            out.write_all(b"\"findings\": []")?;
        } else {
            out.write_all(b"\"findings\": [\n")?;
            for (i, part) in findings_written(report)?.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",\n")?;
                }
                out.write_all(part)?;
            }
            out.write_all(b"\n  ]")?;
        }
        out.write_all(after.as_bytes())?;
        writeln!(out)
    }
}

/// Findings per part written on a worker; fewer run on the calling thread.
const FINDINGS_PER_PART: usize = 2048;

/// The findings, each written pretty and indented as an item of `"findings"`, in parts joined by
/// `,\n`.
fn findings_written(report: &Report) -> io::Result<Vec<Vec<u8>>> {
    let write = |indices: std::ops::Range<usize>| -> io::Result<Vec<u8>> {
        let mut part = Vec::new();
        for i in indices.clone() {
            if i > indices.start {
                part.extend_from_slice(b",\n");
            }
            part.extend_from_slice(b"    ");
            let mut serializer = serde_json::Serializer::with_formatter(&mut part, Indented::at(2));
            finding_out(report, i)
                .serialize(&mut serializer)
                .map_err(io::Error::other)?;
        }
        Ok(part)
    };
    crate::core::parallel::map_parts(report.findings.len(), FINDINGS_PER_PART, write)
        .into_iter()
        .collect()
}

/// serde_json's pretty output (two spaces a level), begun `level` levels in: a finding written
/// as an item of `"findings"` is written as it would be in the whole document.
struct Indented {
    level: usize,
    /// Whether the innermost array or object being written has a value yet.
    has_value: bool,
}

impl Indented {
    fn at(level: usize) -> Indented {
        Indented {
            level,
            has_value: false,
        }
    }

    fn line<W: ?Sized + Write>(&self, writer: &mut W, first: bool) -> io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(writer)
    }

    fn indent<W: ?Sized + Write>(&self, writer: &mut W) -> io::Result<()> {
        for _ in 0..self.level {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }

    fn begin<W: ?Sized + Write>(&mut self, writer: &mut W, open: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        writer.write_all(open)
    }

    fn end<W: ?Sized + Write>(&mut self, writer: &mut W, close: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            writer.write_all(b"\n")?;
            self.indent(writer)?;
        }
        writer.write_all(close)
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.begin(writer, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.end(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.line(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.begin(writer, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.end(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        self.line(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

fn finding_out<'r>(report: &'r Report, i: usize) -> FindingOut<'r> {
    let f = &report.findings[i];
    FindingOut {
        rule: f.rule.id,
        severity: f.severity.as_str(),
        deployment: f.deployment.as_deref(),
        message: &f.message,
        help: f.help.as_deref(),
        location: f.span.and_then(|s| {
            let (file, p) = report.position(s)?;
            Some(LocationOut {
                file,
                line: p.line,
                column: p.column,
                end_line: p.end_line,
                end_column: p.end_column,
                path: report.pointer(s),
            })
        }),
        target: f.target.as_deref(),
        log_line: f.log_line.as_deref(),
        related: f
            .related
            .iter()
            .filter_map(|r| {
                let (file, p) = report.position(r.span)?;
                Some(RelatedOut {
                    file,
                    line: p.line,
                    column: p.column,
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    /// The document serde_json writes whole, as this reporter wrote it before it wrote the
    /// findings apart.
    fn whole(report: &Report) -> String {
        let s = report.summary();
        let output = Output {
            tool: "acp-check",
            version: env!("CARGO_PKG_VERSION"),
            findings: (0..report.findings.len())
                .map(|i| finding_out(report, i))
                .collect(),
            summary: SummaryOut {
                errors: s.errors,
                warnings: s.warnings,
                infos: s.infos,
            },
        };
        serde_json::to_string_pretty(&output).unwrap() + "\n"
    }

    #[test]
    fn findings_written_apart_make_the_document_serde_writes_whole() {
        let sources = testing::sources();
        // None, a few (on the calling thread), and enough for several parts on the workers.
        for count in [0, 3, 3 * FINDINGS_PER_PART + 5] {
            let findings: Vec<_> = testing::findings().into_iter().cycle().take(count).collect();
            let report = testing::report(findings, &sources);
            let mut written = Vec::new();
            Json.report(&report, &mut written).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                whole(&report),
                "{count} findings"
            );
        }
    }
}
