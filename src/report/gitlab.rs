//! `--format gitlab`: GitLab Code Quality (`artifacts:reports:codequality`), which every GitLab
//! tier shows in the merge request. A JSON array with, per finding, the fields GitLab reads:
//! `description` (the message and help), `check_name` (the rule), `fingerprint` (the finding's,
//! unique in the report: GitLab shows findings of one fingerprint as one), `severity` (`major` for
//! an error, `minor` for a warning, `info`), and `location.path` (relative, as named) with
//! `location.lines.begin` and `end`. A live finding has its target as its path, at line 1.

use std::io::{self, Write};

use serde::Serialize;

use super::{message_with_help, Report, Reporter};
use crate::diagnostic::Severity;

pub struct Gitlab;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: &'a str,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

impl Reporter for Gitlab {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let issues: Vec<Issue> = report
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let (path, begin, end) = match (f.span.and_then(|s| report.location(s)), &f.target) {
                    (Some(l), _) => (relative(&l.file), l.line, l.end_line.max(l.line)),
                    (None, Some(target)) => (target.clone(), 1, 1),
                    (None, None) => ("acp-check".to_string(), 1, 1),
                };
                Issue {
                    description: message_with_help(f),
                    check_name: f.rule.id,
                    fingerprint: report.fingerprint(i),
                    severity: match f.severity {
                        Severity::Error => "major",
                        Severity::Warning => "minor",
                        Severity::Info => "info",
                    },
                    location: Location {
                        path,
                        lines: Lines { begin, end },
                    },
                }
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &issues)?;
        writeln!(out)
    }
}

/// A path as GitLab resolves it in the repository: `/` separators, no leading `./`.
fn relative(file: &str) -> String {
    let file = file.replace('\\', "/");
    let mut rest = file.as_str();
    while let Some(r) = rest.strip_prefix("./") {
        rest = r;
    }
    rest.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn issues_have_the_fields_gitlab_reads() {
        let sources = testing::sources();
        let report = testing::report(testing::findings(), &sources);
        let mut out = Vec::new();
        Gitlab.report(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("hunter2"));
        let issues: serde_json::Value = serde_json::from_str(&text).unwrap();
        let dup = &issues[2];
        assert_eq!(dup["check_name"], "duplicate-key");
        assert_eq!(dup["severity"], "major");
        assert_eq!(dup["location"]["path"], "dir/values 1.yaml");
        assert_eq!(dup["location"]["lines"]["begin"], 5);
        assert_eq!(dup["fingerprint"], report.fingerprints[2].as_str());
        assert_eq!(relative("./././a\\b.yaml"), "a/b.yaml");
    }
}
