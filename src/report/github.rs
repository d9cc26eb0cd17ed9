//! `--format github`: GitHub Actions workflow commands, one per finding, which GitHub shows as
//! annotations on the pull request's files: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=RULE::message`.
//! Warnings are `::warning`, infos `::notice`; a live finding names its target in the message and has
//! no file.

use std::io::{self, Write};

use super::{message_with_help, Report, Reporter};
use crate::core::source::Origin;
use crate::core::text::file_name;
use crate::diagnostic::Severity;

pub struct Github;

impl Reporter for Github {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for finding in &report.findings {
            let command = match finding.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut properties: Vec<(&str, String)> = Vec::new();
            let mut message = message_with_help(finding);
            match finding.span.and_then(|s| report.location(s)) {
                // Only a file is something GitHub can annotate; standard input and `--set` flags
                // are named in the message.
                Some(l) if l.origin == Origin::File => {
                    properties.push(("file", file_name(&l.file).into_owned()));
                    properties.push(("line", l.line.to_string()));
                    // GitHub takes columns only on a single line.
                    if l.line == l.end_line {
                        properties.push(("col", l.column.to_string()));
                        properties.push(("endLine", l.end_line.to_string()));
                        properties.push(("endColumn", l.end_column.to_string()));
                    } else {
                        properties.push(("endLine", l.end_line.to_string()));
                    }
                }
                Some(l) => message = format!("{}:{}:{}: {message}", file_name(&l.file), l.line, l.column),
                None => {}
            }
            if let Some(target) = &finding.target {
                message = format!("{target}: {message}");
            }
            properties.push(("title", finding.rule.id.to_string()));
            let properties: Vec<String> = properties
                .iter()
                .map(|(k, v)| format!("{k}={}", escape_property(v)))
                .collect();
            writeln!(
                out,
                "::{command} {}::{}",
                properties.join(","),
                escape_data(&message)
            )?;
        }
        Ok(())
    }
}

/// A command's message: `%`, CR and LF are percent-encoded (as the Actions toolkit does), so that
/// a message is one line and cannot start another command.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value: as a message, and `:` and `,` too, which separate properties.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn one_command_per_finding_with_place_title_and_escaped_message() {
        let sources = testing::sources();
        let report = testing::report(testing::findings(), &sources);
        let mut out = Vec::new();
        Github.report(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("hunter2"));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "::error title=search-module-missing::127.0.0.1:7000: FT.INFO is an unknown command: RediSearch is not loaded, password ***%0Ahelp: load the module with `loadmodule`",
                "::warning file=dir/values 1.yaml,line=4,col=15,endLine=4,endColumn=16,title=cluster-no-replicas::`cluster.replicas` is 0: losing a node loses its data",
                "::error file=dir/values 1.yaml,line=5,col=3,endLine=5,endColumn=11,title=duplicate-key::key `password` is set twice in the same mapping%0Ahelp: delete one of the two keys",
            ]
        );
    }

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("50%\r\n::x"), "50%25%0D%0A::x");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
