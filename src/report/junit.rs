//! `--format junit`: JUnit XML for CI test reports (GitLab, Jenkins, Azure DevOps, GitHub test
//! reporters). A test suite per input file (or probe target), a test case per rule checked; a rule
//! with errors or warnings there fails, its failure listing each finding with its place. Info
//! findings do not fail a test case: they are its `system-out`.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Report, Reporter};
use crate::diagnostic::Rule;
use crate::diagnostic::{Finding, Severity};

pub struct Junit;

/// One test suite: an input file, a probe target, or (for findings with neither) the deployment.
struct Suite<'r> {
    name: String,
    /// Why the checks without findings did not run (a probe target that could not be reached).
    skipped: Option<String>,
    /// The file's path, for readers that link a test to its file.
    file: Option<String>,
    cases: Vec<Case<'r>>,
}

struct Case<'r> {
    rule: &'static Rule,
    findings: Vec<(&'r Finding, String)>,
}

impl Suite<'_> {
    fn skipped_cases(&self) -> usize {
        match self.skipped {
            Some(_) => self.cases.iter().filter(|c| c.findings.is_empty()).count(),
            None => 0,
        }
    }
}

impl Case<'_> {
    fn failing(&self) -> Vec<&(&Finding, String)> {
        self.findings
            .iter()
            .filter(|(f, _)| f.severity >= Severity::Warning)
            .collect()
    }
}

impl Reporter for Junit {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let suites = suites(report);
        let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
        let failures: usize = suites
            .iter()
            .flat_map(|s| &s.cases)
            .filter(|c| !c.failing().is_empty())
            .count();
        let skipped: usize = suites.iter().map(Suite::skipped_cases).sum();
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            xml,
            "<testsuites name=\"acp-check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
        );
        for suite in &suites {
            write_suite(&mut xml, suite);
        }
        xml.push_str("</testsuites>\n");
        out.write_all(xml.as_bytes())
    }
}

fn suites<'r>(report: &'r Report) -> Vec<Suite<'r>> {
    let rules = report.rules_run();
    let with_rules = |name: String, file: Option<String>| Suite {
        skipped: report
            .unreached
            .iter()
            .find(|(t, _)| *t == name)
            .map(|(_, why)| why.clone()),
        name,
        file,
        cases: rules
            .iter()
            .map(|&rule| Case {
                rule,
                findings: Vec::new(),
            })
            .collect(),
    };
    let mut suites: Vec<Suite> = Vec::new();
    {
        for (_, source) in report.sources.iter() {
            let file = (source.origin == crate::core::source::Origin::File).then(|| source.name.clone());
            suites.push(with_rules(source.name.clone(), file));
        }
    }
    for target in &report.targets {
        suites.push(with_rules(target.clone(), None));
    }
    for finding in &report.findings {
        let location = finding.span.and_then(|s| report.location(s));
        let (suite_name, place) = match (&location, &finding.target) {
            (Some(l), _) => (l.file.clone(), format!("{}:{}:{}", l.file, l.line, l.column)),
            (None, Some(target)) => (target.clone(), target.clone()),
            (None, None) => ("deployment".to_string(), "deployment".to_string()),
        };
        let index = match suites.iter().position(|s| s.name == suite_name) {
            Some(i) => i,
            None if finding.target.is_some() && location.is_none() => {
                suites.push(with_rules(suite_name, None));
                suites.len() - 1
            }
            // The deployment as a whole has no rule list of its own: only the rules that found
            // something there.
            None => {
                suites.push(Suite {
                    name: suite_name,
                    skipped: None,
                    file: None,
                    cases: Vec::new(),
                });
                suites.len() - 1
            }
        };
        let suite = &mut suites[index];
        match suite.cases.iter_mut().find(|c| c.rule.id == finding.rule.id) {
            Some(case) => case.findings.push((finding, place)),
            None => suite.cases.push(Case {
                rule: finding.rule,
                findings: vec![(finding, place)],
            }),
        }
    }
    suites
}

fn write_suite(xml: &mut String, suite: &Suite) {
    let failures = suite.cases.iter().filter(|c| !c.failing().is_empty()).count();
    let file = suite
        .file
        .as_ref()
        .map(|f| format!(" file=\"{}\"", escape(f)))
        .unwrap_or_default();
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{}\"{file}>",
        escape(&suite.name),
        suite.cases.len(),
        suite.skipped_cases(),
    );
    for case in &suite.cases {
        let _ = write!(
            xml,
            "    <testcase name=\"{}\" classname=\"{}\"{file}",
            escape(case.rule.id),
            escape(&suite.name),
        );
        if case.findings.is_empty() {
            match &suite.skipped {
                Some(why) => {
                    let _ = writeln!(
                        xml,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        escape(&format!("not checked: {why}"))
                    );
                }
                None => xml.push_str("/>\n"),
            }
            continue;
        }
        xml.push_str(">\n");
        let failing = case.failing();
        if let Some((first, place)) = failing.first() {
            let worst = failing
                .iter()
                .map(|(f, _)| f.severity)
                .max()
                .unwrap_or(first.severity);
            let more = match failing.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            let body: Vec<String> = failing.iter().map(|(f, place)| entry(f, place)).collect();
            let _ = writeln!(
                xml,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&format!("{place}: {}{more}", first.message)),
                worst.as_str(),
                escape_text(&body.join("\n\n")),
            );
        }
        let infos: Vec<String> = case
            .findings
            .iter()
            .filter(|(f, _)| f.severity < Severity::Warning)
            .map(|(f, place)| entry(f, place))
            .collect();
        if !infos.is_empty() {
            let _ = writeln!(
                xml,
                "      <system-out>{}</system-out>",
                escape_text(&infos.join("\n\n"))
            );
        }
        xml.push_str("    </testcase>\n");
    }
    xml.push_str("  </testsuite>\n");
}

/// `values.yaml:34:3: error: message`, then the help on its own line.
fn entry(finding: &Finding, place: &str) -> String {
    format!(
        "{place}: {}: {}",
        finding.severity.as_str(),
        super::message_with_help(finding)
    )
}

/// Text for an XML attribute: markup characters and the white space an attribute would fold
/// escaped, and the control characters XML 1.0 cannot hold replaced.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c => push_text(&mut out, c),
        }
    }
    out
}

/// Text for an element: line breaks kept as they are.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    text.chars().for_each(|c| push_text(&mut out, c));
    out
}

fn push_text(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '\n' | '\t' | '\r' => out.push(c),
        c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    fn junit(report: Report) -> String {
        let mut out = Vec::new();
        Junit.report(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            !text.contains("hunter2"),
            "a secret reached the JUnit report:\n{text}"
        );
        text
    }

    #[test]
    fn a_suite_per_file_and_target_and_a_case_per_rule_checked() {
        let sources = testing::sources();
        let report = testing::report(testing::findings(), &sources)
            .enabled(testing::RULES.to_vec())
            .targets(vec!["127.0.0.1:7000".into(), "127.0.0.1:7001".into()]);
        let xml = junit(report);
        let n = testing::RULES.len();
        // Two failing cases in the file, one on the first target; every rule on every suite.
        assert!(xml.contains(&format!(
            "<testsuites name=\"acp-check\" tests=\"{}\" failures=\"3\"",
            3 * n
        )));
        assert!(xml.contains(&format!(
            "<testsuite name=\"dir/values 1.yaml\" tests=\"{n}\" failures=\"2\" errors=\"0\" skipped=\"0\" file=\"dir/values 1.yaml\">"
        )));
        assert!(xml.contains(&format!(
            "<testsuite name=\"127.0.0.1:7000\" tests=\"{n}\" failures=\"1\""
        )));
        assert!(xml.contains(&format!(
            "<testsuite name=\"127.0.0.1:7001\" tests=\"{n}\" failures=\"0\""
        )));
        assert!(xml.contains(
            "<failure message=\"dir/values 1.yaml:5:3: key `password` is set twice in the same mapping\" type=\"error\">dir/values 1.yaml:5:3: error: key `password` is set twice in the same mapping\nhelp: delete one of the two keys</failure>"
        ));
        assert!(xml.contains("<failure message=\"dir/values 1.yaml:4:15: `cluster.replicas` is 0"));
        assert!(xml.contains(
            "<failure message=\"127.0.0.1:7000: FT.INFO is an unknown command: RediSearch is not loaded, password ***\" type=\"error\">"
        ));
        assert!(xml.contains(
            "<testcase name=\"yaml-syntax\" classname=\"dir/values 1.yaml\" file=\"dir/values 1.yaml\"/>"
        ));
    }

    #[test]
    fn without_a_rule_list_the_rules_of_the_findings_are_the_cases() {
        // A probe run reads no file: its findings come masked already.
        let mut findings = testing::findings().split_off(2);
        findings[0].message = "FT.INFO is an unknown command".into();
        let sources = Default::default();
        let report = Report::new(findings, &sources, Default::default(), &[]);
        let xml = junit(report);
        assert!(xml.contains("<testsuites name=\"acp-check\" tests=\"1\" failures=\"1\""));
        assert!(xml.contains("<testsuite name=\"127.0.0.1:7000\" tests=\"1\" failures=\"1\""));
        assert!(xml.contains("<testcase name=\"search-module-missing\" classname=\"127.0.0.1:7000\">"));
    }

    #[test]
    fn info_findings_pass_and_several_findings_share_one_failure() {
        let sources = testing::sources();
        let mut findings = testing::findings();
        findings.truncate(1);
        let mut second = findings[0].clone();
        second.span = Some(testing::span("password", 0));
        findings.push(second);
        findings.push(
            crate::diagnostic::Finding::new(&testing::ENCRYPTED_VALUE, "a <SOPS> value & more")
                .at(testing::span("cluster:", 1)),
        );
        let xml = junit(testing::report(findings, &sources));
        assert!(xml.contains(
            "<failure message=\"dir/values 1.yaml:2:3: key `password` is set twice in the same mapping (and 1 more)\" type=\"error\">"
        ));
        assert!(xml.contains("\n\ndir/values 1.yaml:5:3: error: key"));
        assert!(xml.contains(
            "<system-out>dir/values 1.yaml:3:3: info: a &lt;SOPS&gt; value &amp; more</system-out>"
        ));
        assert!(xml.contains("tests=\"2\" failures=\"1\""));
    }

    #[test]
    fn escaping_keeps_xml_well_formed() {
        assert_eq!(
            escape("a\"b'<c>&\u{1}\td\n"),
            "a&quot;b&apos;&lt;c&gt;&amp;\u{FFFD}&#9;d&#10;"
        );
        assert_eq!(
            escape_text("a\"b'<c>&\u{1}\td\n"),
            "a\"b'&lt;c&gt;&amp;\u{FFFD}\td\n"
        );
    }
}
