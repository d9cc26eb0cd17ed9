//! One finding model for every check and every output format.

use serde::Serialize;

use crate::rules::Rule;
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A problem found, located by spans; lines and columns are computed when it is reported.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Rule,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// Where the problem is written.
    pub span: Option<Span>,
    /// A short label shown under the span in human output.
    pub label: Option<String>,
    /// For live checks: the `host:port` probed.
    pub target: Option<String>,
    /// For live checks: the fatal line the platform would log at start-up for this failure, so a
    /// user can match the finding with their logs.
    pub log_line: Option<String>,
    pub related: Vec<Related>,
}

/// Another place that matters to a finding (the first of two duplicate keys, the other side of a mismatch).
#[derive(Clone, Debug)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

impl Finding {
    /// A finding at the rule's default severity.
    pub fn new(rule: &'static Rule, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity: rule.severity,
            message: message.into(),
            help: None,
            span: None,
            label: None,
            target: None,
            log_line: None,
            related: Vec::new(),
        }
    }

    pub fn at(mut self, span: Span) -> Finding {
        self.span = Some(span);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// Lowers the finding to info: what a rule reports when it could not verify a setting it needs
    /// (the value comes from outside the files, or is encrypted), instead of an error it cannot prove.
    pub fn unverified(mut self) -> Finding {
        self.severity = Severity::Info;
        self
    }

    /// Places the finding where it is, if the span is known.
    pub fn at_opt(self, span: Option<Span>) -> Finding {
        match span {
            Some(span) => self.at(span),
            None => self,
        }
    }

    /// A live finding about `target` (`host:port`).
    pub fn on(mut self, target: impl Into<String>) -> Finding {
        self.target = Some(target.into());
        self
    }

    pub fn log_line(mut self, line: impl Into<String>) -> Finding {
        self.log_line = Some(line.into());
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.related.push(Related {
            span,
            message: message.into(),
        });
        self
    }
}
