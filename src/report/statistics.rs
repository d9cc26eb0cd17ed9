//! `--statistics`: how many findings each rule made, most first (then by rule id), with the
//! highest severity among them and how many can be fixed, in place of the report on standard
//! output: a table, or with `--format json` `{"statistics":[{"rule","severity","count","fixable"}]}`.

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, Reporter};
use crate::diagnostic::Severity;

pub struct Statistics {
    pub json: bool,
}

#[derive(Serialize)]
struct Row {
    rule: &'static str,
    severity: Severity,
    count: usize,
    fixable: usize,
}

impl Reporter for Statistics {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut rows: Vec<Row> = Vec::new();
        for finding in &report.findings {
            let fixable = usize::from(finding.fix.is_some());
            match rows.iter_mut().find(|r| r.rule == finding.rule.id) {
                Some(row) => {
                    row.count += 1;
                    row.fixable += fixable;
                    row.severity = row.severity.max(finding.severity);
                }
                None => rows.push(Row {
                    rule: finding.rule.id,
                    severity: finding.severity,
                    count: 1,
                    fixable,
                }),
            }
        }
        rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(b.rule)));
        if self.json {
            #[derive(Serialize)]
            struct Out {
                statistics: Vec<Row>,
            }
            serde_json::to_writer_pretty(&mut *out, &Out { statistics: rows })?;
            return writeln!(out);
        }
        let width = rows.iter().map(|r| r.rule.len()).max().unwrap_or(0);
        for row in &rows {
            let mut line = format!(
                "{:>5}  {:<width$}  {:<7}",
                row.count,
                row.rule,
                row.severity.as_str()
            );
            if row.fixable > 0 {
                line.push_str(&format!("  {} fixable", row.fixable));
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        let total = report.findings.len();
        writeln!(
            out,
            "acp-check: {total} finding{} of {} rule{}",
            if total == 1 { "" } else { "s" },
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn most_frequent_first() {
        let sources = testing::sources();
        let mut findings = testing::findings();
        findings.push(findings[0].clone());
        let report = testing::report(findings, &sources);
        let mut out = Vec::new();
        Statistics { json: false }.report(&report, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "    2  duplicate-key          error\n    1  cluster-no-replicas    warning\n    1  search-module-missing  error\nacp-check: 4 findings of 3 rules\n"
        );
    }
}
