//! `--format concise`: one line per finding, `FILE:LINE:COL: SEVERITY[RULE] MESSAGE`, for terminals
//! and logs (and the editors and tools that read compiler lines). A live finding starts with its
//! target (`HOST:PORT: SEVERITY[RULE] MESSAGE`); the message is on one line.

use std::io::{self, Write};

use super::{Report, Reporter};
use crate::core::text::file_name;

pub struct Concise;

impl Reporter for Concise {
    fn report(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for finding in &report.findings {
            let place = match (finding.span.and_then(|s| report.location(s)), &finding.target) {
                (Some(l), _) => format!("{}:{}:{}", file_name(&l.file), l.line, l.column),
                (None, Some(target)) => file_name(target).into_owned(),
                (None, None) => "acp-check".to_string(),
            };
            writeln!(
                out,
                "{place}: {}[{}] {}",
                finding.severity.as_str(),
                finding.rule.id,
                finding.message.replace('\n', " ")
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing;

    #[test]
    fn one_line_per_finding() {
        let sources = testing::sources();
        let report = testing::report(testing::findings(), &sources);
        let mut out = Vec::new();
        Concise.report(&report, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "127.0.0.1:7000: error[search-module-missing] FT.INFO is an unknown command: RediSearch is not loaded, password ***\n\
             dir/values 1.yaml:4:15: warning[cluster-no-replicas] `cluster.replicas` is 0: losing a node loses its data\n\
             dir/values 1.yaml:5:3: error[duplicate-key] key `password` is set twice in the same mapping\n"
        );
    }
}
