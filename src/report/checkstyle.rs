//! `--format checkstyle`: Checkstyle's XML report, which Jenkins (warnings-ng), SonarQube, GitLab's
//! and many other tools read: one `<file name="…">` per file with findings (a live finding's file
//! is its target), in report order, each finding an `<error line column severity message source>`
//! (`severity` is `error`, `warning` or `info`; `source` is `acp-check.RULE`).

use std::io::{self, Write};

use super::{message_with_help, Report, Reporter};
use crate::diagnostic::Severity;

pub struct Checkstyle;

impl Reporter for Checkstyle {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(out, "<checkstyle version=\"4.3\">")?;
        // Files in the order of their first finding (the report is sorted by place).
        let mut files: Vec<(String, Vec<String>)> = Vec::new();
        for finding in &report.findings {
            let (file, line, column) = match (finding.span.and_then(|s| report.location(s)), &finding.target)
            {
                (Some(l), _) => (l.file, l.line, Some(l.column)),
                (None, Some(target)) => (target.clone(), 1, None),
                (None, None) => ("acp-check".to_string(), 1, None),
            };
            let mut error = format!("<error line=\"{line}\"");
            if let Some(column) = column {
                error.push_str(&format!(" column=\"{column}\""));
            }
            let severity = match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            error.push_str(&format!(
                " severity=\"{severity}\" message=\"{}\" source=\"acp-check.{}\"/>",
                attribute(&message_with_help(finding)),
                finding.rule.id
            ));
            match files.iter_mut().find(|(name, _)| *name == file) {
                Some((_, errors)) => errors.push(error),
                None => files.push((file, vec![error])),
            }
        }
        for (file, errors) in files {
            writeln!(out, "  <file name=\"{}\">", attribute(&file))?;
            for error in errors {
                writeln!(out, "    {error}")?;
            }
            writeln!(out, "  </file>")?;
        }
        writeln!(out, "</checkstyle>")
    }
}

/// Text as an XML attribute value: the five special characters, and line breaks and tabs (an
/// attribute's own would be read as spaces), as references; any other control character, and the
/// noncharacters U+FFFE and U+FFFF (which XML 1.0 cannot hold), as `?`.
fn attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn one_file_element_per_file_and_escaped_attributes() {
        let sources = testing::sources();
        let report = testing::report(testing::findings(), &sources);
        let mut out = Vec::new();
        Checkstyle.report(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("hunter2"));
        assert_eq!(text.matches("<file name=\"dir/values 1.yaml\">").count(), 1);
        assert!(text.contains("<error line=\"5\" column=\"3\" severity=\"error\" message=\"key `password` is set twice in the same mapping&#10;help: delete one of the two keys\" source=\"acp-check.duplicate-key\"/>"), "{text}");
        assert!(text.contains("<file name=\"127.0.0.1:7000\">"));
        assert_eq!(
            attribute("a<b & \"c\"\u{1b}\u{FFFF}"),
            "a&lt;b &amp; &quot;c&quot;??"
        );
    }
}
